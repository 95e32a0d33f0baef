"""Issue 3: every figure of the 2025 report is registered, computed from rows, verified; checks can fail."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from support import SAMPLE_RAW, copy_year, edit_cells, locate, seed_clean_cache, workbook_sheet

from lawreport.params import PROJECT_ROOT, check_params
from lawreport.register.claims import RegisterError, load_register, unaccounted_numbers
from lawreport.register.explain import explain
from lawreport.run.clean_step import run_clean_years
from lawreport.run.figures_step import compute_figures
from lawreport.text.scan import scan_numbers

REGISTER = PROJECT_ROOT / "claims" / "2025.yaml"
PUBLISHED = PROJECT_ROOT / "published" / "2025" / "figures.json"


def all_years(tmp_path: Path):
    """Every sample year copied to tmp_path/raw; returns the 2025 run parameters."""
    for year in sorted(int(p.name) for p in SAMPLE_RAW.iterdir() if p.name.isdigit()):
        copy_year(tmp_path, year)
    return check_params(
        {
            "year": 2025,
            "raw_root": str(tmp_path / "raw"),
            "clean_root": str(tmp_path / "clean"),
            "build_root": str(tmp_path / "build"),
        }
    )


def statuses(params, cleaned: str = "") -> dict[str, str]:
    """Each figure's status after cleaning every year; with `cleaned`, that table of the report year must have been
    cleaned again, not taken from a seeded cache (`seed_clean_cache`)."""
    summaries = run_clean_years(params)
    if cleaned:
        assert cleaned not in summaries[params.year].reused, f"{cleaned} was taken from the cache, not cleaned again"
    return {r.entry.id: r.status for r in compute_figures(params).results}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    params = all_years(tmp_path_factory.mktemp("baseline"))
    run_clean_years(params)
    return params, compute_figures(params)


def test_every_quote_is_in_the_report_and_every_number_is_accounted_for():
    register = load_register(REGISTER)
    assert unaccounted_numbers(register) == []
    assert len(register.figures) >= 50


def test_completeness_check_fails_on_an_unregistered_number(tmp_path):
    text = (PROJECT_ROOT / "data" / "raw" / "2025" / "report.txt").read_text(encoding="utf-8")
    report = tmp_path / "report.txt"
    report.write_text(
        text.replace("有效维护了辖区和谐稳定", "有效维护了辖区和谐稳定，新增调解员12名"), encoding="utf-8"
    )
    with pytest.raises(RegisterError, match=r"报告第\d+行的数字 '12' 未登记"):
        load_register(REGISTER, report_path=report)  # checked on loading, before any kernel
    register = load_register(REGISTER, report_path=PROJECT_ROOT / "data" / "raw" / "2025" / "report.txt")
    register = replace(register, report_path=report)
    assert [m.text for m in unaccounted_numbers(register)] == ["12"]


def test_a_register_entry_with_a_wrong_number_is_caught(tmp_path):
    data = yaml.safe_load(REGISTER.read_text(encoding="utf-8"))
    entry = next(f for f in data["figures"] if f["id"] == "petitions_received")
    entry["quote"], entry["written"] = "共受理各类信访事项52件", "52件"
    broken = tmp_path / "claims" / "2025.yaml"
    broken.parent.mkdir()
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RegisterError, match="petitions_received.*找不到引文.*52件"):
        load_register(broken, report_path=PROJECT_ROOT / "data" / "raw" / "2025" / "report.txt")


def test_statuses_are_computed_and_equal_the_published_register(baseline):
    params, report = baseline
    fresh = json.loads(json.dumps(report.to_json(), ensure_ascii=False, default=str))
    published = json.loads(PUBLISHED.read_text(encoding="utf-8"))
    assert fresh == published, "a figure changed: review it, then `make publish YEAR=2025`"
    counts = report.counts()
    assert counts["match"] >= 50 and counts["inconsistent"] == 1
    inconsistent = next(r for r in report.results if r.status == "inconsistent")
    assert inconsistent.entry.id == "inspection_compliance_rate" and "504/506" in inconsistent.reasons[0]


def test_every_figure_has_a_rule_a_definition_and_sources(baseline):
    _, report = baseline
    for result in report.results:
        figure = result.to_json()
        assert (
            figure["rule"]
            and figure["definition"]
            and figure["status"] in ("match", "mismatch", "inconsistent", "no_data")
        )
        assert figure["sources"]["tables"], figure["id"]


@pytest.mark.parametrize(
    "table, column, value, figure",
    [
        ("petitions", "closed_date", "2025-12-31", "petitions_on_time_rate"),
        ("dispute_screening", "result", "未化解", "dispute_resolution_rate"),
        ("penalty_cases", "fine_amount", 12345, "fines_total"),
    ],
)
def test_one_changed_row_flips_its_figure_and_only_it(tmp_path, baseline, table, column, value, figure):
    _, report = baseline
    before = {r.entry.id: r.status for r in report.results}
    params = all_years(tmp_path)
    year_params = replace(params, year=2025)
    # A row that already counts: the first closed petition / resolved dispute / closed, fined case.
    row = 0
    if table == "penalty_cases":
        sheet, header_row = workbook_sheet(year_params, table)
        fine_col = locate(year_params, table, "fine_amount")[1]
        closed_col = locate(year_params, table, "closed_date")[1]
        while not (
            sheet.cell(header_row + 1 + row, fine_col).value and sheet.cell(header_row + 1 + row, closed_col).value
        ):
            row += 1
    edit_cells(year_params, table, [(column, row, value)])
    seed_clean_cache(baseline[0], params)  # the other ledgers as the baseline cleaned them; this one again
    after = statuses(params, cleaned=table)
    assert before[figure] == "match" and after[figure] == "mismatch"
    assert {k: v for k, v in after.items() if k != figure} == {k: v for k, v in before.items() if k != figure}


def test_missing_earlier_years_give_no_data_not_a_pass(tmp_path):
    params = copy_year(tmp_path, 2025)
    after = statuses(params)
    for figure in (
        "street_incidents_yoy",
        "juvenile_crime_yoy",
        "escalated_petitions_zero_streak",
        "petition_satisfaction_rising",
        "proposals_two_years",
    ):
        assert after[figure] == "no_data", figure


def test_explain_prints_definition_computation_and_traceable_rows(baseline):
    params, _ = baseline
    lines: list[str] = []
    status = explain(params, "dispute_resolution_rate", limit=5, say=lines.append)
    text = "\n".join(lines)
    assert status == "match"
    for part in ("口径", "99.85%", "6657/6667", "2025年人民调解台账.xlsx", "矛盾纠纷排查", "未化解或化解中"):
        assert part in text
    assert "P-" in text  # pseudonyms only
    assert not [m for m in scan_numbers(text) if m.kind == "number" and len(m.text) in (11, 18)]


def test_explain_command_runs_without_a_kernel(baseline, capsys):
    from lawreport.cli import main

    params, _ = baseline
    code = main(
        [
            "explain",
            "fines_total",
            "--year",
            "2025",
            "--clean-root",
            str(params.clean_root),
            "--raw-root",
            str(params.raw_root),
            "--rows",
            "2",
        ]
    )
    assert code == 0 and "计算值：20,400 元" in capsys.readouterr().out
    assert main(["explain", "no_such_figure", "--year", "2025", "--clean-root", str(params.clean_root)]) == 2
    assert "全部 54 个编号" in capsys.readouterr().err
    folders = ["--clean-root", str(params.clean_root), "--raw-root", str(params.raw_root)]
    assert main(["explain", "--list", "--year", "2025", *folders]) == 0
    listed = capsys.readouterr().out
    assert "一致 (match) 53 个" in listed and "报告自身矛盾 (inconsistent) 1 个" in listed
    assert re.search(r"inspection_compliance_rate\s+行政检查规范率\s+报告自身矛盾 \(inconsistent\)", listed)


def test_the_register_is_one_file_per_year_and_names_no_unit_in_code():
    # Nothing about the unit lives in the package: its name appears only in data and registers.
    package = PROJECT_ROOT / "src" / "lawreport"
    offenders = [
        p for p in package.rglob("*.py") if "sample" not in p.parts and "桂阳" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []
