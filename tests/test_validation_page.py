"""The validation results a reviewer reads offline: one page in Chinese, and its essentials in the appendix."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from support import copy_year

from lawreport.appendix.export import CSP
from lawreport.appendix.sections import quality_section
from lawreport.appendix.validation_page import (
    HIDDEN,
    Results,
    details_section,
    expectation_zh,
    load_results,
    render_page,
    write_page,
)
from lawreport.run.clean_step import run_clean_years
from lawreport.run.validation import ValidationFailed, run_validation

PARAMETERS = {"year_start": "2025-01-01T00:00:00", "year_end": "2025-12-31T23:59:59.999000"}


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    """A real run of the validate step on clean sample data, then one on the same data broken."""
    tmp = tmp_path_factory.mktemp("validation_page")
    params = copy_year(tmp, 2025, tables=["petitions", "legal_adviser_log"])
    run_clean_years(params)
    run_validation(params)
    good = (params.build_dir / "validation" / "index.html").read_text(encoding="utf-8")
    frame = pd.read_parquet(params.clean_dir / "petitions.parquet")
    frame.loc[0, "case_no"] = None
    frame.loc[2, "case_no"] = frame.loc[3, "case_no"]
    frame.loc[4, "category"] = "<script>x</script>"
    frame.loc[5, "received_date"] = pd.Timestamp("2019-03-01")
    frame.to_parquet(params.clean_dir / "petitions.parquet")
    with pytest.raises(ValidationFailed):
        run_validation(params)
    failed = params.build_dir / "validation-failed"
    return params, good, failed, frame


def test_the_validate_step_writes_the_page_beside_its_results(broken):
    params, good, failed, _ = broken
    assert (params.build_dir / "validation" / "index.html").is_file()
    assert "✓ 全部通过" in good and "信访事项登记台账（petitions）" in good
    # A failing run keeps its page with the failing results, for the analyst to read.
    page = (failed / "index.html").read_text(encoding="utf-8")
    assert "✗ 有未通过的项" in page


def test_the_second_run_validates_only_the_changed_table(broken):
    """run_validation reuses the last good run's results of unchanged tables; the page is rebuilt
    from every table's results all the same."""
    params, _, failed, _ = broken
    first = json.loads((params.build_dir / "validation" / "stats.json").read_text(encoding="utf-8"))
    second = json.loads((failed / "stats.json").read_text(encoding="utf-8"))
    assert first["validated_tables"] == ["petitions", "legal_adviser_log"] and first["reused_tables"] == []
    assert second["validated_tables"] == ["petitions"] and second["reused_tables"] == ["legal_adviser_log"]
    assert second["checks_failed"] > 0 and second["failing_rows"] > 0
    assert second["expectations_total"] == first["expectations_total"]
    assert second["seconds"]["pages"] > 0 and second["seconds"]["total"] >= second["seconds"]["pages"]
    page = (failed / "index.html").read_text(encoding="utf-8")
    assert "法律顾问" in page or "legal_adviser_log" in page
    summary = json.loads((failed / "summary.json").read_text(encoding="utf-8"))
    assert [t["table"] for t in summary["tables"]] == ["petitions", "legal_adviser_log"]


def test_the_page_is_self_contained(broken):
    _, good, failed, _ = broken
    for page in (good, (failed / "index.html").read_text(encoding="utf-8")):
        assert page.startswith("<!DOCTYPE html>") and f'content="{CSP}"' in page
        assert "<script" not in page.lower() and "<link" not in page.lower()
        assert not re.search(r"https?://", page)
        assert "$PARAMETER" not in page


def test_each_check_in_chinese_words_with_the_ledgers_headers_and_the_years_dates(broken):
    _, _, failed, _ = broken
    page = (failed / "index.html").read_text(encoding="utf-8")
    assert "「信访件编号」(case_no)每一行都须有值，不得为空" in page
    assert "「信访件编号」(case_no)不得重复" in page
    assert "「受理日期」(received_date)须在报告年度内：2025-01-01 至 2025-12-31" in page
    assert "「办结日期」(closed_date)不得早于「受理日期」(received_date)" in page
    assert "「问题类别」(category)只能是规定的类别之一" in page


def test_failing_values_and_rows_are_listed_and_escaped(broken):
    _, _, failed, frame = broken
    page = (failed / "index.html").read_text(encoding="utf-8")
    results = json.loads((failed / "results" / "petitions.json").read_text(encoding="utf-8"))
    failing = [c for c in results["checks"] if not c["success"]]
    assert len(failing) == 4
    for check in failing:
        for row in check["offending_rows"]:
            assert f"<td>{row['row_id']}</td>" in page and f"<td>{row['source_row']}</td>" in page
    assert "「受理日期」(received_date) = 2019-03-01" in page
    assert f"「信访件编号」(case_no) = {frame.loc[3, 'case_no']}" in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page
    # Every failing check has its own anchor, linked from the table of checks.
    for anchor in re.findall(r'href="#(table-petitions-\d+)"', page):
        assert f'id="{anchor}"' in page


def _results(rows: list[dict]) -> Results:
    check = {
        "type": "expect_column_values_to_be_unique",
        "kwargs": {"column": "petitioner_key"},
        "success": False,
        "severity": "error",
        "unexpected_count": len(rows),
        "details": {},
        "offending_rows": rows,
    }
    table = {"table": "petitions", "status": "validated", "rows": 3, "file": "petitions.parquet", "checks": [check]}
    summary = {"year": 2025, "success": False, "suite_parameters": PARAMETERS, "tables": [{"table": "petitions"}]}
    return Results(Path("."), summary, [table])


def test_values_of_personal_columns_are_never_shown():
    row = {"row_id": "petitions-00002", "source_file": "f.xlsx", "source_sheet": "s", "source_row": 2}
    page = render_page(_results([{**row, "column": "petitioner_key", "value": "P-abcdefgh"}]))
    assert "P-abcdefgh" not in page and HIDDEN in page and "petitions-00002" in page


def test_a_raw_personal_value_among_the_values_hides_them_all(tmp_path):
    folder = tmp_path / "validation"
    (folder / "results").mkdir(parents=True)
    results = _results([])
    check = {
        **results.tables[0]["checks"][0],
        "kwargs": {"column": "category"},
        "offending_rows": [{"row_id": "petitions-00003", "source_row": 3, "column": "category", "value": "王某某"}],
    }
    (folder / "summary.json").write_text(json.dumps(results.summary, ensure_ascii=False), encoding="utf-8")
    table = {**results.tables[0], "checks": [check]}
    (folder / "results" / "petitions.json").write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    page = write_page(folder).read_text(encoding="utf-8")
    assert "王某某" in page, "not a known personal value: shown"
    page = write_page(folder, lambda: {"王某某"}).read_text(encoding="utf-8")
    assert "王某某" not in page and "[已隐藏]" in page and "已隐藏全部违规值" in page and "petitions-00003" in page


@pytest.mark.parametrize(
    "check, words",
    [
        (
            {"type": "expect_column_values_to_be_between", "kwargs": {"column": "source_row", "min_value": 1}},
            "不得小于 1",
        ),
        (
            {"type": "expect_column_values_to_be_between", "kwargs": {"column": "items", "min_value": 0}},
            "「件(份)数」(items)不得为负数",
        ),
        (
            {"type": "lawreport.amount_recovered_service_type", "kwargs": {"column": "amount_recovered"}},
            "(amount_recovered)一般只出现在",
        ),
        ({"type": "lawreport.table_present", "description_zh": "本年度应有的台账表缺失"}, "本年度应有的台账表缺失"),
    ],
)
def test_expectation_words(check, words):
    assert words in expectation_zh("legal_adviser_log", check, PARAMETERS)


# ------------------------------------------------------------------ the appendix's quality section


def _app(params, edition: str) -> SimpleNamespace:
    summary = json.loads((params.build_dir / "validation" / "summary.json").read_text(encoding="utf-8"))
    return SimpleNamespace(
        params=params,
        year=params.year,
        edition=edition,
        internal=edition == "internal",
        validation=summary,
        clean_reports={},
        quarantine=pd.DataFrame(),
        results=[],
    )


def test_the_appendix_embeds_a_summary_per_table_and_links_the_page_relatively(broken, tmp_path):
    params, _, failed, _ = broken
    # The appendix only follows a validation that passed: put the failing one in its place to see rows.
    shutil.rmtree(params.build_dir / "validation")
    shutil.copytree(failed, params.build_dir / "validation")
    results = load_results(params.build_dir / "validation")
    for edition, appendix in (("public", "appendix.html"), ("internal", "internal/appendix.html")):
        html = quality_section(_app(params, edition))
        assert html.count('<details class="validation-table"') == len(results.tables)
        assert "信访事项登记台账（petitions）：" in html and "「信访件编号」(case_no)每一行都须有值" in html
        href = re.search(r'<a href="([^"]+)" class="validation-page">', html).group(1)
        assert (params.build_dir / Path(appendix).parent / href).resolve() == (
            params.build_dir / "validation" / "index.html"
        ).resolve()
        assert "旁边的 validation/ 文件夹中" in html and "请连同 validation/ 文件夹一起复制" in html
        assert "需要联网 (needs the network)" in html and 'class="data-docs"' in html
        located = "2025年信访事项登记台账.xlsx / 信访登记 / 第 5 行" in html
        assert located == (edition == "internal"), "only the internal edition locates ledger rows"
        assert "2019-03-01" not in html, "values stay on the full page"

    # Copied elsewhere with its validation/ folder, the public appendix's link still works.
    elsewhere = tmp_path / "published"
    elsewhere.mkdir()
    shutil.copytree(params.build_dir / "validation", elsewhere / "validation")
    assert (elsewhere / "validation" / "index.html").is_file()


def test_without_results_the_summary_is_empty(tmp_path):
    assert details_section(tmp_path, internal=True) == ""
    assert write_page(tmp_path) is None
