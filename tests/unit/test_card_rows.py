"""Issue 10: a figure's card names ledgers and columns as the ledgers do, adds up to the figure, lists
every row (internal edition, collapsed and paged), with the raw cell beside the cleaned one."""

from __future__ import annotations

import hashlib
import html
import json
import re
from types import SimpleNamespace

from frames import frame_data
from penalty_sample import CLEAN_ROWS, FILE, RAW_ROWS, write_penalty_sheet

from lawreport.appendix import sections
from lawreport.appendix.sections import _breakdown_table, card
from lawreport.register.claims import FigureEntry, verify_entry
from lawreport.register.explain import RawCells, shown_rows

YEAR = 2025
FINES = FigureEntry("fines_total", "罚没20400元", "20400元", "sum_fines", "罚没金额之和(元)", name="罚没金额")
INCIDENTS = FigureEntry(
    "street_incidents_yoy",
    "同比下降50%",
    "50%",
    "street_incidents_by_year",
    "警情数之和",
    qualifier="同比下降",
    name="街面警情降幅",
)


def penalty_rows(n: int = 6) -> list[dict]:
    """n cases closed in 2025 (the last without a fine) and one closed the year after; source rows 4.."""
    rows = [
        {
            "row_id": f"penalty_cases-{i + 4:05d}",
            "source_file": FILE,
            "source_sheet": "行政处罚",
            "source_row": i + 4,
            "case_no": f"ZF-{i:04d}",
            "filed_date": f"2025-{10 - i % 10:02d}-01",
            "party_key": f"P-party{i}",
            "closed_date": f"2025-{10 - i % 10:02d}-20",
            "fine_amount": 3400.0 * (i + 1) if i < n - 1 else None,
        }
        for i in range(n)
    ]
    rows.append(
        {
            "row_id": f"penalty_cases-{n + 4:05d}",
            "source_file": FILE,
            "source_sheet": "行政处罚",
            "source_row": n + 4,
            "case_no": "ZF-9999",
            "filed_date": "2025-12-30",
            "party_key": "P-late",
            "fine_amount": 100.0,
        }
    )
    return rows


def app_for(entry: FigureEntry, data, internal: bool, raw=None):
    result = verify_entry(entry, data, [])
    figure = json.loads(json.dumps(result.to_json(), ensure_ascii=False, default=str))
    lineage = json.loads(json.dumps(result.lineage(), ensure_ascii=False, default=str))
    app = SimpleNamespace(
        internal=internal, lineage={entry.id: lineage}, data=data, year=YEAR, raw_cells=raw, register=None
    )
    return app, figure


def text_of(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


# ------------------------------------------------------------------ every figure re-addable


def test_a_summed_figure_knows_its_column_and_its_breakdown_adds_up_to_it():
    data = frame_data(YEAR, {("penalty_cases", YEAR): penalty_rows()})
    result = verify_entry(FINES, data, [])
    assert result.summed_column == "fine_amount" and result.to_json()["sources"]["summed_column"] == "fine_amount"
    assert result.lineage()["summed_column"] == "fine_amount"
    assert result.computed == "51000"  # 3400 × (1+2+3+4+5)
    counted = ("petitions", YEAR)
    one = FigureEntry("p", "受理3件", "3件", "count_petitions_received", "信访")
    rows = [{"case_no": f"X{i}", "received_date": "2025-01-02"} for i in range(3)]
    assert verify_entry(one, frame_data(YEAR, {counted: rows}), []).summed_column == "", "a count counts rows"


def test_the_public_recipe_names_ledgers_and_columns_and_adds_up_with_units(monkeypatch):
    monkeypatch.setattr(sections, "ROW_LIMIT", 3)  # small sets: the breakdown appears above 3 rows
    data = frame_data(YEAR, {("penalty_cases", YEAR): penalty_rows()})
    app, figure = app_for(FINES, data, internal=False)
    page = card(app, figure, "")
    recipe = text_of(page[page.index('class="recipe"') :])
    assert "读取「行政处罚案件台账」(2025年综合行政执法台账.xlsx，工作表「行政处罚」，2025 年)：台账共 7 行" in recipe
    assert "筛除「行政处罚案件台账」2025 年的行：未在报告年度结案 — 1 行" in recipe
    assert "计入「行政处罚案件台账」2025 年的行中，「罚没金额(元)」为空，按 0 计 — 1 行" in recipe
    assert "计入「行政处罚案件台账」2025 年：6 行，罚没金额(元)合计 51,000 元" in recipe
    assert "得出计算值：51,000 元" in recipe
    assert "penalty_cases" not in recipe and "fine_amount" not in recipe and "筛除(" not in recipe
    assert '<dd class="computed">51,000 元</dd>' in page
    # The breakdown sums 元 (its 合计 is the figure), months in calendar order, with small cells hidden.
    breakdown = page[page.index('class="breakdown"') :]
    assert "罚没金额(元)合计" in breakdown
    months = re.findall(r"<td>(\d+)月</td>", breakdown)
    assert months == sorted(months, key=int)


def test_the_public_breakdown_hides_small_counts_of_what_it_sums():
    sums = {"1月": 3, "2月": 40, "3月": 52}
    rows = {"1月": 9, "2月": 9, "3月": 9}
    public = _breakdown_table("月份", rows, True, True, sums, "警情数")
    assert "<td>&lt;5</td>" in public and "<td>40</td>" not in public, "3 incidents hidden, and 40 with it (×)"
    assert "<td>合计</td>" not in public
    internal = _breakdown_table("月份", rows, False, True, sums, "警情数")
    assert "<tr><td>合计</td><td>27</td><td>95</td></tr>" in internal


def test_both_editions_say_how_to_explain_the_figure():
    data = frame_data(YEAR, {("penalty_cases", YEAR): penalty_rows()})
    for internal in (False, True):
        app, figure = app_for(FINES, data, internal=internal)
        page = card(app, figure, "")
        assert "<code>lawreport explain fines_total --year 2025</code>" in page
        assert "<code>lawreport explain --list --year 2025</code>" in page


# ------------------------------------------------------------------ internal: every row, collapsed and paged


def test_internal_lists_every_row_collapsed_and_paged_with_headers(monkeypatch):
    monkeypatch.setattr(sections, "ROW_LIMIT", 3)
    monkeypatch.setattr(sections, "CHUNK_ROWS", 2)
    data = frame_data(YEAR, {("penalty_cases", YEAR): penalty_rows()})
    app, figure = app_for(FINES, data, internal=True)
    page = card(app, figure, "")
    counted = page[page.index('data-kind="counted"') :]
    counted = counted[: counted.index('data-kind="excluded"')]
    assert "计入 — 「行政处罚案件台账」2025 年：6 行，罚没金额(元)合计 51,000 元" in text_of(counted)
    assert counted.count("<details") == 1 + 3, "one collapsed list, three pages of at most 2 rows"
    assert "<script" not in page
    assert "逐行列出全部 6 行(原始文件 2025年综合行政执法台账.xlsx，工作表「行政处罚」；分 3 页" in text_of(counted)
    pages = re.findall(r'<pre class="rows-text"[^>]*>(.*?)</pre>', counted, re.S)
    listed = [line.split()[1] for p in pages for line in html.unescape(p).splitlines()[1:]]
    assert listed == [f"ZF-{i:04d}" for i in range(6)], "every counted row, in order"
    header = html.unescape(pages[0]).splitlines()[0].split()
    assert header == ["原始行号", "案件编号", "立案日期", "违法行为", "当事人", "结案日期", "罚没金额(元)"]
    assert "13,600 元" in html.unescape(pages[1]) and "17,000 元" in html.unescape(pages[2])
    # The note on rows with no amount says they are still counted.
    assert "计入的行中：「罚没金额(元)」为空，按 0 计" in text_of(page)


def test_small_sets_are_tables_with_headers_and_flags_as_yes_no():
    rows = [{"inspection_no": f"J{i}", "inspection_date": "2025-02-01", "compliant": i != 2} for i in range(3)]
    data = frame_data(YEAR, {("admin_inspections", YEAR): rows})
    entry = FigureEntry("rate", "规范率66.7%", "66.7%", "admin_inspection_compliance_rate", "规范的检查 ÷ 检查")
    app, figure = app_for(entry, data, internal=True)
    page = card(app, figure, "")
    assert '<th scope="col">是否规范</th>' in page and "compliant" not in text_of(page)
    assert "<td>是</td>" in page and "<td>否</td>" in page and "True" not in page


# ------------------------------------------------------------------ raw cells beside cleaned ones


def write_ledger(raw_root, cells: list[list[object]]) -> None:
    write_penalty_sheet(raw_root / str(YEAR), cells)


def test_the_raw_cell_stands_beside_the_cleaned_one_only_when_it_reads_differently(tmp_path):
    write_ledger(tmp_path / "raw", RAW_ROWS)
    data = frame_data(YEAR, {("penalty_cases", YEAR): CLEAN_ROWS})
    raw = RawCells(tmp_path / "raw")
    headers, rows = shown_rows("penalty_cases", YEAR, data.table("penalty_cases", YEAR), raw)
    first = dict(zip(headers, rows[0], strict=True))
    assert first["立案日期"] == ("2025-01-01", "45658"), "an Excel serial beside the date it is"
    assert first["结案日期"] == ("2025-01-11", "2025.1.11")
    assert first["罚没金额(元)"] == ("1,200 元", "1,200元")
    assert first["案件编号"] == ("ZF-0001", "") and first["违法行为"] == ("噪声扰民", "")
    assert first["当事人"] == ("P-abcdefgh", ""), "a personal column is never read back"
    second = dict(zip(headers, rows[1], strict=True))
    assert all(old == "" for _, old in second.values()), "cells that read the same show no raw value"
    # In the internal card: the raw value in small type beside the cleaned one, never the name.
    entry = FigureEntry("fines", "罚没1500元", "1500元", "sum_fines", "罚没金额之和")
    app, figure = app_for(entry, data, internal=True, raw=raw)
    page = card(app, figure, "")
    assert '<td>2025-01-01<small class="raw">（原值 45658）</small></td>' in page
    assert "王某某" not in page and "李某" not in page


def test_no_raw_values_from_a_file_changed_after_cleaning_or_missing(tmp_path):
    write_ledger(tmp_path / "raw", RAW_ROWS)
    clean = tmp_path / "clean" / str(YEAR)
    clean.mkdir(parents=True)
    path = tmp_path / "raw" / str(YEAR) / FILE
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    frame = frame_data(YEAR, {("penalty_cases", YEAR): CLEAN_ROWS}).table("penalty_cases", YEAR)
    (clean / "provenance.json").write_text(json.dumps({"inputs": {FILE: digest}}), encoding="utf-8")
    _, rows = shown_rows("penalty_cases", YEAR, frame, RawCells(tmp_path / "raw", tmp_path / "clean"))
    assert any(old for _, old in rows[0]), "the file the clean step read: raw values shown"
    (clean / "provenance.json").write_text(json.dumps({"inputs": {FILE: "0" * 64}}), encoding="utf-8")
    changed = RawCells(tmp_path / "raw", tmp_path / "clean")
    _, rows = shown_rows("penalty_cases", YEAR, frame, changed)
    assert not any(old for row in rows for _, old in row) and "改动" in changed.unavailable[FILE]
    gone = RawCells(tmp_path / "nowhere")
    _, rows = shown_rows("penalty_cases", YEAR, frame, gone)
    assert not any(old for row in rows for _, old in row) and FILE in gone.unavailable


def test_raw_cells_are_read_once_per_sheet_and_never_for_personal_columns(tmp_path):
    write_ledger(tmp_path / "raw", RAW_ROWS)
    raw = RawCells(tmp_path / "raw")
    first = raw.row("penalty_cases", YEAR, FILE, "行政处罚", 2)
    assert first["filed_date"] == 45658 and first["fine_amount"] == "1,200元"
    assert "party_key" not in first and "王某某" not in first.values()
    (tmp_path / "raw" / str(YEAR) / FILE).unlink()  # cached: the sheet is not read again
    assert raw.row("penalty_cases", YEAR, FILE, "行政处罚", 3)["case_no"] == "ZF-0002"
    assert raw.row("penalty_cases", YEAR, FILE, "行政处罚", 99) == {}


def test_a_figure_per_year_sums_its_quantity_each_year():
    def year_rows(counts):
        return [{"month": m, "incident_category": "盗窃", "incidents": c} for m, c in enumerate(counts, start=1)]

    data = frame_data(
        YEAR, {("street_incidents", 2024): year_rows([30, 10]), ("street_incidents", YEAR): year_rows([15, 5])}
    )
    result = verify_entry(INCIDENTS, data, [])
    assert result.status == "match" and result.summed_column == "incidents"
    app, figure = app_for(INCIDENTS, data, internal=False)
    recipe = text_of(card(app, figure, ""))
    assert "计入「九类街面110警情月报」2024 年：2 行，警情数合计 40" in recipe
    assert "计入「九类街面110警情月报」2025 年：2 行，警情数合计 20" in recipe
