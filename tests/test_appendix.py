"""Step 4: the appendix — two editions from one run, every figure carded, nothing unpublishable.

One module-scoped copy of the session's pipeline run (every sample year, with a road_office location set to a
`<script>` text) executes notebooks/90_appendix.py with papermill again for both editions.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from browser_support import MARKUP_PAYLOADS

from lawreport.appendix import (
    CSP,
    ChartGlyphError,
    PublishBlocked,
    charts,
    export_appendix,
    output_path,
    personal_values,
    render_edition,
    scan_published,
    suppress_counts,
)
from lawreport.appendix.kept import folder_of as kept_folder
from lawreport.appendix.scan import scan_memo_folder
from lawreport.appendix.sections import _breakdown_table, shown_parameter
from lawreport.ledgers import get_ledger
from lawreport.ledgers.values import id_check_digit
from lawreport.params import check_params

SCRIPT = "<script>alert(1)</script>"
PSEUDONYM = re.compile(r"(?<![A-Za-z0-9])(?:P|ID|T|A|N)-[a-z]{6,}")
TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module")
def run(suite_run, tmp_path_factory):
    """The session's pipeline run (tests/conftest.py: every sample year, `SCRIPT` the location of the first unresolved
    马路办公 issue) copied, with both editions rendered again here from nothing kept (the appendix's kept cards and
    charts and the scan's memo removed), each with papermill: what `test_a_second_run_differs_only_in_the_run_time`
    renders once more from what this kept."""
    assert MARKUP_PAYLOADS[0] == SCRIPT
    tmp = tmp_path_factory.mktemp("appendix")
    for folder in ("raw_root", "clean_root", "build_root"):
        shutil.copytree(suite_run.path(getattr(suite_run, folder)), tmp / folder.removesuffix("_root"), symlinks=True)
    params = check_params(
        {"year": 2025, "raw_root": str(tmp / "raw"), "clean_root": str(tmp / "clean"), "build_root": str(tmp / "build")}
    )
    shutil.rmtree(kept_folder(params.path(params.build_root), params.year))
    shutil.rmtree(scan_memo_folder(params))
    for edition in ("public", "internal"):  # what the tests read is what these renders wrote
        output_path(params, edition).unlink()
    for notebook in (params.build_dir / "notebooks").glob("90_appendix.*"):
        notebook.unlink()
    pages = {}
    for edition in ("public", "internal"):
        started = time.perf_counter()
        path = render_edition(params, edition)
        TIMINGS[edition] = time.perf_counter() - started
        pages[edition] = path.read_text(encoding="utf-8")
    figures = json.loads((params.build_dir / "figures.json").read_text(encoding="utf-8"))
    return params, pages, figures


class Elements(HTMLParser):
    """Start tags with their attributes, in document order."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def find(self, tag: str, cls: str | None = None) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag and (cls is None or cls in a.get("class", "").split())]


# ------------------------------------------------------------------ both editions


def test_both_editions_are_written_where_the_pipeline_expects_them(run):
    params, pages, _ = run
    assert output_path(params, "public") == params.build_dir / "appendix.html"
    assert output_path(params, "internal") == params.build_dir / "internal" / "appendix.html"
    for edition, page in pages.items():
        assert page.startswith("<!DOCTYPE html>")
        assert '<html lang="zh-CN">' in page and '<meta charset="utf-8">' in page
        ids = [a["id"] for t, a in Elements(page).tags if t == "section" and "id" in a]
        assert ids == [
            "cover",
            "report",
            "figures",
            "arithmetic",
            "commitments",
            "years",
            "charts",
            "quality",
            "reproducibility",
        ], edition
        assert f'data-edition="{edition}"' in page
    assert "公开版" in pages["public"] and "内部审核版" in pages["internal"]
    print("timings (s):", {k: round(v, 1) for k, v in TIMINGS.items()})


def test_every_figure_has_exactly_one_card_with_its_status(run):
    _, pages, figures = run
    expected = [(f["id"], f["status"]) for f in figures["figures"]]
    for edition, page in pages.items():
        cards = Elements(page).find("article", "card")
        assert [(c["data-figure"], c["data-status"]) for c in cards] == expected, edition
        assert all(c["id"] == f"card-{c['data-figure']}" for c in cards)


def test_cover_counts_statuses_and_flags_synthetic_data(run):
    _, pages, figures = run
    for page in pages.values():
        for status, count in figures["summary"].items():
            assert f'<span class="count" data-status="{status}">{count}</span>' in page
        assert '<div class="banner-synthetic"' in page and "样例数据(合成)，非真实台账" in page
        assert len(re.findall(r'<time id="run-time">[^<]+</time>', page)) == 1


def test_report_links_each_figure_to_its_card_with_the_worst_status(run):
    _, pages, figures = run
    status = {f["id"]: f["status"] for f in figures["figures"]}
    links = Elements(pages["public"]).find("a", "fig")
    linked = [i for a in links for i in a["data-figures"].split()]
    assert set(linked) == set(status), "every figure is highlighted (also_covers adds more spans)"
    for a in links:
        ids = a["data-figures"].split()
        assert a["href"] == f"#card-{ids[0]}"
        order = ("inconsistent", "mismatch", "no_data", "match")
        assert a["data-status"] == min((status[i] for i in ids), key=order.index)
    zero = next(a for a in links if "pickpocketing_zero" in a["data-figures"].split())
    assert zero["data-figures"].split() == ["pickpocketing_zero", "vehicle_theft_zero", "student_deaths_zero"]
    bad = next(a for a in links if a["data-figures"] == "inspection_compliance_rate")
    assert bad["data-status"] == "inconsistent"
    # its card says the register acknowledges it, with the reason; other cards say nothing of the kind
    for page in pages.values():
        card = page[page.index('id="card-inspection_compliance_rate"') :]
        card = card[: card.index("</article>")]
        assert "已确认 (acknowledged)" in card and "506 户次得不出这个比率" in card
        assert page.count('class="acknowledged"') == 1


def test_no_script_no_outside_url_and_a_strict_csp(run):
    _, pages, _ = run
    for page in pages.values():
        assert "<script" not in page.lower()
        assert "http://" not in page and "https://" not in page
        assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in page
        assert "default-src 'none'" in CSP and "img-src data:" in CSP
        assert not re.search(r"<(link|iframe|object|embed)\b", page)
        assert not re.search(r"""(?:src|href)=["'](?!#|data:image/png;base64,|\.\./validation/|validation/)""", page)


def test_public_edition_has_no_rows_and_no_pseudonyms(run):
    params, pages, _ = run
    public, internal = pages["public"], pages["internal"]
    row_ids = set()
    for path in (params.build_dir / "lineage").glob("*.json"):
        for group in json.loads(path.read_text(encoding="utf-8"))["counted"]:
            row_ids.update(group["row_ids"][:50])
    assert row_ids
    assert not [r for r in row_ids if r in public]
    assert not re.search(r"\b[a-z_]+-\d{5}\b", public), "no row_id in the public edition"
    assert not PSEUDONYM.search(public)
    assert 'class="rows"' not in public and 'class="recipe"' in public
    assert PSEUDONYM.search(internal), "the internal edition does show pseudonymised keys"


def test_public_recipe_gives_the_row_count_at_each_step(run):
    _, pages, _ = run
    card = _card(pages["public"], "dispute_resolution_rate")
    assert (
        "台账共 6667 行" in card
        and "筛除「矛盾纠纷排查化解台账」2025 年的行：未化解或化解中 — 10 行" in card
        and "计入「矛盾纠纷排查化解台账」2025 年：6657 行" in card
    )
    assert "得出计算值：99.85%(6657/6667)" in card
    assert "dispute_screening" not in card, "ledgers are named by their titles, not table names"


def test_every_summed_figure_adds_up_in_both_editions(run):
    # A figure that sums a column (警情数, 元) says the column's total for each year it counts, and its
    # breakdown adds up to it: 1300 and 685 incidents, 20,400 元 of fines.
    _, pages, figures = run
    summed = {f["id"]: f["sources"]["summed_column"] for f in figures["figures"] if f["sources"]["summed_column"]}
    assert summed == {
        "publicity_materials": "materials",
        "publicity_reach": "people_reached",
        "adviser_consultations": "people_served",
        "adviser_documents": "items",
        "adviser_contracts": "items",
        "amount_recovered": "amount_recovered",
        "street_incidents_yoy": "incidents",
        "fines_total": "fine_amount",
    }
    for edition, page in pages.items():
        street = _card(page, "street_incidents_yoy")
        for total in ("1300", "685"):
            assert f"<tr><td>合计</td><td>108</td><td>{total}</td></tr>" in street, (edition, total)
        assert "<td>1月</td>" in street and street.index("<td>2月</td>") < street.index("<td>10月</td>")
        fines = _card(page, "fines_total")
        assert '<dd class="computed">20,400 元</dd>' in fines
        assert "<tr><td>合计</td><td>389</td><td>20,400 元</td></tr>" in fines, edition
        assert '<dd class="computed">352,600 元</dd>' in _card(page, "amount_recovered")
    assert "计入「九类街面110警情月报」2025 年：108 行，警情数合计 685" in _card(
        pages["public"], "street_incidents_yoy"
    )


def test_both_editions_say_how_to_explain_each_figure(run):
    _, pages, figures = run
    for page in pages.values():
        for figure in figures["figures"]:
            assert f"<code>lawreport explain {figure['id']} --year 2025</code>" in _card(page, figure["id"])


def _card(page: str, figure_id: str) -> str:
    start = page.index(f'id="card-{figure_id}"')
    return page[start : page.index("</article>", start)]


def test_internal_rows_are_traceable_to_raw_file_sheet_and_row(run):
    params, pages, _ = run
    card = _card(pages["internal"], "dispute_resolution_rate")
    lineage = json.loads((params.build_dir / "lineage" / "dispute_resolution_rate.json").read_text(encoding="utf-8"))
    unresolved = lineage["excluded"][0]["row_ids"]
    assert len(unresolved) == 10
    for row_id in unresolved:
        assert f"<td>{row_id}</td><td>2025年人民调解台账.xlsx</td><td>矛盾纠纷排查</td><td>" in card
    assert 'class="breakdown"' in card, "the 6657 resolved disputes are summarised first"
    # … and every one of them is listed below the summary, collapsed, in pages of at most 500 rows.
    counted = card[card.index('data-kind="counted"') : card.index('data-kind="excluded"')]
    pages_text = re.findall(r'<pre class="rows-text"[^>]*>(.*?)</pre>', counted, re.S)
    assert len(pages_text) == 14 and "<details" in counted
    assert sum(len(p.splitlines()) - 1 for p in pages_text) == 6657
    assert "（原值 " in counted, "raw cells beside cleaned ones where they read differently"
    small = _card(pages["internal"], "legacy_cases_resolved")
    assert small.count("<tr><td>legacy_cases-") == 24, "small sets are listed in full (21 counted + 3 left out)"
    assert '<th scope="col">原始行号</th>' in small and '<th scope="col">化解状态</th>' in small


def test_ledger_text_is_escaped_never_a_tag(run):
    _, pages, _ = run
    internal = pages["internal"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in _card(internal, "road_office_two_years")
    assert SCRIPT not in internal and "<script" not in internal.lower()


def test_data_quality_lists_suites_and_links_the_data_docs(run):
    params, pages, _ = run
    summary = json.loads((params.build_dir / "validation" / "summary.json").read_text(encoding="utf-8"))
    for edition, page in pages.items():
        quality = page[page.index('<section id="quality"') : page.index('<section id="reproducibility"')]
        assert quality.count("<tr><td>") >= len(summary["tables"])
        docs = "../validation/data_docs/index.html" if edition == "internal" else "validation/data_docs/index.html"
        assert f'href="{docs}"' in quality
        target = output_path(params, edition).parent / docs
        assert target.resolve() == (params.build_dir / "validation" / "data_docs" / "index.html").resolve()


def test_reproducibility_names_inputs_versions_commit_and_command(run):
    params, pages, _ = run
    section = pages["public"][pages["public"].index('<section id="reproducibility"') :]
    provenance = json.loads((params.clean_dir / "provenance.json").read_text(encoding="utf-8"))
    for digest in provenance["inputs"].values():
        assert digest in section
    # The run used its own folders: the command names them (make run would use the defaults).
    assert "lawreport run --year 2025 --raw-root " in section and "make run YEAR=2025" not in section
    assert re.search(r'class="git-commit">([0-9a-f]{40}|未知)<', section)
    assert "matplotlib" in section and "pandas" in section


def test_parameters_never_show_machine_paths():
    params = check_params({"year": 2025})
    assert shown_parameter(params, "raw_root", "/tmp/x/raw") == "〔临时目录〕/x/raw"
    assert shown_parameter(params, "raw_root", "data/raw") == "data/raw"
    assert "secret" not in shown_parameter(params, "key_file", "/root/secret.key")


def test_a_second_run_differs_only_in_the_run_time(run):
    params, pages, _ = run
    again = render_edition(params, "public").read_text(encoding="utf-8")

    def strip(page: str) -> str:
        return re.sub(r'<time id="run-time"[^>]*>[^<]*</time>', "", page)

    assert strip(again) == strip(pages["public"])


# ------------------------------------------------------------------ the scan before publishing


def _valid_id() -> str:
    first17 = "11010519491231002"
    return first17 + id_check_digit(first17)


def _planted(params, tmp_path: Path, html: str | None = None, error: bool = False) -> Path:
    executed = params.build_dir / "notebooks" / "90_appendix.public.ipynb"
    notebook = nbformat.read(str(executed), as_version=4)
    cell = next(c for c in notebook.cells if c.cell_type == "code" and c.outputs)
    if html is not None:
        cell.outputs.append(nbformat.v4.new_output("display_data", data={"text/html": html, "text/plain": ""}))
    if error:
        cell.outputs.append(
            nbformat.v4.new_output(
                "error",
                ename="ValueError",
                evalue="boom",
                traceback=["Traceback (most recent call last)", "ValueError: boom"],
            )
        )
    path = tmp_path / "planted.ipynb"
    nbformat.write(notebook, str(path))
    return path


@pytest.mark.parametrize("what", ["id_number", "mobile", "landline", "personal_value", "traceback", "path"])
def test_the_scan_stops_publishing_and_keeps_the_previous_file(run, tmp_path, what):
    params, _, _ = run
    target = output_path(params, "public")
    before = target.read_bytes()
    values = personal_values(params.path(params.raw_root), 2025)
    name = min(
        (v for v in values if len(v) >= 3 and all("\u4e00" <= c <= "\u9fff" for c in v)), key=lambda v: (len(v), v)
    )
    planted = {
        "id_number": f"<p>证件 {_valid_id()}</p>",
        "mobile": "<p>联系电话 13912345678</p>",
        "landline": "<p>座机 023-74512345</p>",
        "personal_value": f"<p>当事人 {name}</p>",
        "path": "<p>见 /home/analyst/ledgers</p>",
        "traceback": None,
    }[what]
    notebook = _planted(params, tmp_path, planted, error=what == "traceback")
    with pytest.raises(PublishBlocked) as blocked:
        export_appendix(notebook, params, "public")
    message = str(blocked.value)
    assert "未发布" in message and blocked.value.findings
    assert name not in message and _valid_id() not in message and "13912345678" not in message
    assert target.read_bytes() == before
    assert not list(target.parent.glob(".appendix.html*.tmp"))


def test_scan_unit_cases():
    assert scan_published("<p>ok 2025年 6667 件</p>", set()) == []
    invalid = "11010519491231002" + ("0" if id_check_digit("11010519491231002") != "0" else "1")
    assert scan_published(f"<p>{invalid}</p>", set()) == [], "a wrong check digit is not an ID number"
    assert scan_published("<p>X139123456789</p>", set()) == [], "a mobile inside a longer run is not one"
    assert scan_published("<p>张三丰</p>", {"张三丰"})
    assert scan_published('<img src="data:image/png;base64,13912345678AAAA">', set()) == []
    assert any("stderr" in f for f in scan_published('<div class="output_stderr">x</div>', set()))


# ------------------------------------------------------------------ suppression and charts


def test_small_counts_are_suppressed_and_no_total_recovers_them():
    shown = suppress_counts({"a": 3, "b": 10, "c": 0})
    assert shown.cells == {"a": "<5", "b": "10", "c": "0"}
    assert shown.total is None
    known = suppress_counts({"a": 3, "b": 10, "c": 0, "d": 7}, total_known=True)
    assert known.cells == {"a": "<5", "b": "10", "c": "0", "d": "×"}, "a second cell hides the first"
    headline = suppress_counts({"a": 3, "b": 10, "c": 0}, headline=True)
    assert headline.total == "13" and headline.cells["b"] == "×"
    assert suppress_counts({"a": 0, "b": 12}).total == "12"
    html = _breakdown_table("类别", {"a": 3, "b": 10, "c": 0}, public=True, total_known=False)
    assert "<td>&lt;5</td>" in html and "<td>10</td>" in html and "<td>0</td>" in html
    assert "<td>合计</td>" not in html and "13" not in html


def test_a_chart_label_with_a_missing_glyph_fails():
    ok = charts.labelled("街面警情（按年度）", "年度", "件数", lambda ax: ax.bar(["2024年", "2025年"], [3, 5]))
    assert ok.startswith(b"\x89PNG")
    again = charts.labelled("街面警情（按年度）", "年度", "件数", lambda ax: ax.bar(["2024年", "2025年"], [3, 5]))
    assert again == ok, "PNG bytes are deterministic"
    with pytest.raises(ChartGlyphError):
        charts.labelled("警情 \U0001f600", "年度", "件数", lambda ax: ax.bar(["a"], [1]))


def test_quarantine_never_shows_personal_values_and_escapes_the_rest(run):
    import pandas as pd

    from lawreport.appendix import load_appendix, quality_section

    params, _, _ = run
    personal = next(c for c in get_ledger("petitions").columns if c.personal)
    other = get_ledger("petitions").column("category")
    frame = pd.DataFrame(
        [
            {
                "table": "petitions",
                "file": "f.xlsx",
                "sheet": "信访登记",
                "row": 7,
                "column": personal.header,
                "value": "王某某13912345678",
                "code": "R110",
                "reason": "身份证号格式错误",
                "detail": "",
            },
            {
                "table": "petitions",
                "file": "f.xlsx",
                "sheet": "信访登记",
                "row": 9,
                "column": other.header,
                "value": SCRIPT,
                "code": "R104",
                "reason": "未知类别",
                "detail": "",
            },
        ]
    )
    for edition in ("internal", "public"):
        app = load_appendix(params, edition)
        app.quarantine = frame.assign(year=params.year)  # every cleaned year's rows carry their year
        html = quality_section(app)
        assert "王某某" not in html and "13912345678" not in html and "<script" not in html
        assert "petitions_received" in html, "figures reading the quarantined table are named"
        if edition == "internal":
            assert "&lt;script&gt;" in html and "[个人信息列，不显示]" in html and "<td>7</td>" in html
        else:
            assert "&lt;script&gt;" not in html and "<td>&lt;5</td>" in html and "<td>7</td>" not in html


def test_the_reports_own_arithmetic_is_shown_without_ledgers(run):
    # The same checks as `lawreport check`: the 99.7% of 506 inspections fails on the text alone.
    params, pages, _ = run
    figures = json.loads((params.build_dir / "figures.json").read_text(encoding="utf-8"))
    failing = [r for r in figures["report_checks"]["relations"] if r["verdict"] == "fails"]
    assert [r["texts"] for r in failing] == [["506", "99.7%"]]
    for page in pages.values():
        section = page[page.index('id="arithmetic"') :]
        assert "✗ 不成立" in section and "99.7%" in section
