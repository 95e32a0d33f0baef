"""Issue 7, part 2, through the real clean and figures steps (no kernel): a universal claim whose
evidence lost a row to quarantine is `no_data`, and its reasons name the row."""

from __future__ import annotations

from dataclasses import replace

import openpyxl
from support import copy_year, edit_cells, ledger_path, workbook_sheet

from lawreport.ledgers import get_ledger
from lawreport.params import PROJECT_ROOT, check_params
from lawreport.run.clean_step import run_clean_years
from lawreport.run.figures_step import compute_figures


def all_years_with_register(tmp_path):
    for year in range(2021, 2026):
        copy_year(tmp_path, year)
    raw = {
        "year": 2025,
        "raw_root": str(tmp_path / "raw"),
        "clean_root": str(tmp_path / "clean"),
        "build_root": str(tmp_path / "build"),
        "claims_dir": str(PROJECT_ROOT / "claims"),
    }
    return check_params(raw)


def figure(report, figure_id):
    return next(r for r in report.results if r.entry.id == figure_id)


def universal_ids(report):
    return {r.entry.id for r in report.results if r.entry.figure.universal or r.entry.each}


def test_an_escalated_petition_with_a_typo_in_2023_breaks_the_zero_streak(tmp_path):
    params = all_years_with_register(tmp_path)
    run_clean_years(params)
    before = compute_figures(params)
    streaks = [r for r in before.results if r.entry.metric == "escalated_petitions_by_year"]
    assert streaks and all(r.status == "match" for r in streaks)
    # 2023 had no escalated petition; an office adds one but mistypes its 类型 (进京上仿).
    year = replace(params, year=2023)
    sheet, header_row = workbook_sheet(year, "escalated_petitions")
    headers = [c.value for c in next(sheet.iter_rows(min_row=header_row, max_row=header_row))]
    path = ledger_path(year, "escalated_petitions")
    book = openpyxl.load_workbook(path)
    writable = book[get_ledger("escalated_petitions").sheet]
    writable.insert_rows(header_row + 1)
    values = {"编号": "YJ-2023-001", "发生日期": "2023-05-06", "类型": "进京上仿", "人数": 3, "带头人": "王某某"}
    for col, header in enumerate(headers, start=1):
        if header in values:
            writable.cell(row=header_row + 1, column=col, value=values[header])
    book.save(path)
    run_clean_years(params)
    after = compute_figures(params)
    for result in (r for r in after.results if r.entry.metric == "escalated_petitions_by_year"):
        assert result.status == "no_data", result.entry.id
        assert any("[P306]" in reason and "2023年" in reason for reason in result.reasons)
        assert result.quarantined[0]["code"] == "R108" and result.quarantined[0]["row"] == header_row + 1
    # Figures that do not rest on that table keep their status.
    unchanged = {r.entry.id: r.status for r in before.results if r.entry.metric != "escalated_petitions_by_year"}
    assert unchanged == {r.entry.id: r.status for r in after.results if r.entry.id in unchanged}


def test_a_county_notice_cell_that_cannot_be_read_breaks_rank_first(tmp_path):
    params = all_years_with_register(tmp_path)
    edit_cells(params, "county_comparison", [("value", 3, "#DIV/0!")])
    run_clean_years(params)
    report = compute_figures(params)
    ranks = [r for r in report.results if r.entry.metric == "county_ranks"]
    assert ranks
    for result in ranks:
        assert result.status == "no_data"
        assert any("[P306]" in reason for reason in result.reasons)
    assert "county_ranks" in {r.entry.metric for r in report.results if r.entry.id in universal_ids(report)}
