"""Figures of 学法 and 法治考试 on small clean tables written by hand, computed from their compute specs
in claims/2025.yaml (frames.figure): the expected values are worked out by hand in the comments."""

from __future__ import annotations

from decimal import Decimal

import pytest
from frames import counted_ids as counted
from frames import excluded_by_reason as excluded
from frames import figure, frame_data, spec_entries

from lawreport.metrics import NoData

YEAR = 2025


def test_every_spec_figure_of_these_tables_is_tested_here():
    assert spec_entries("study_sessions", "law_exams") == {
        "study_sessions_topical",
        "law_exam_participation_rate",
        "law_exam_pass_rate",
    }


# --- study_sessions_topical ---------------------------------------------------------------


def test_count_topical_study_sessions_only_counts_专题学法():
    data = frame_data(
        YEAR,
        {
            ("study_sessions", YEAR): [
                {"row_id": "topical1", "session_type": "专题学法", "topic": "民法典", "attendees": 20},
                {"row_id": "topical2", "session_type": "专题学法", "topic": "行政处罚法", "attendees": 18},
                {"row_id": "lecture", "session_type": "领导干部法治专题讲座", "topic": "宪法", "attendees": 40},
                {"row_id": "group", "session_type": "集中学习", "topic": "信访工作条例", "attendees": 25},
            ],
            ("study_sessions", YEAR - 1): [{"row_id": "old", "session_type": "专题学法"}],
        },
    )
    result = figure("study_sessions_topical", data)
    # 4 sessions in 2025, 2 of them 专题学法
    assert result.value == 2
    assert counted(result) == ["topical1", "topical2"]
    assert excluded(result) == {"学习形式不是“专题学法”": ["group", "lecture"]}


# --- the law exam roster --------------------------------------------------------------------


def _examinee(row_id: str, sat: bool | None, passed: bool | None, score: int | None = None) -> dict:
    return {"row_id": row_id, "staff_type": "街道干部职工", "sat_exam": sat, "passed": passed, "score": score}


def _roster(year: int, sat_passed: int, sat_failed: int, absent: int, absent_passed: int = 0) -> list[dict]:
    rows = [_examinee(f"{year}-pass{n}", True, True, 85) for n in range(1, sat_passed + 1)]
    rows += [_examinee(f"{year}-fail{n}", True, False, 45) for n in range(1, sat_failed + 1)]
    rows += [_examinee(f"{year}-absent{n}", False, False) for n in range(1, absent + 1)]
    # did not sit, yet marked 合格: only the pass rate's base (实际参考) leaves it out
    rows += [_examinee(f"{year}-absent-passed{n}", False, True) for n in range(1, absent_passed + 1)]
    return rows


EXAMS = frame_data(
    YEAR,
    {
        # 2024: 4 on the roster, 2 sat (1 passed, 1 failed), 2 absent
        ("law_exams", 2024): _roster(2024, sat_passed=1, sat_failed=1, absent=2),
        # 2025: 10 on the roster, 8 sat (6 passed, 2 failed), 1 absent, 1 absent but marked 合格
        ("law_exams", 2025): _roster(2025, sat_passed=6, sat_failed=2, absent=1, absent_passed=1),
        # after the report year: never read
        ("law_exams", 2026): _roster(2026, sat_passed=0, sat_failed=0, absent=3),
    },
)


def test_law_exam_participation_rate_is_sat_over_the_whole_roster():
    result = figure("law_exam_participation_rate", EXAMS)
    # 2024: 2 sat of 4 = 50%; 2025: 8 sat of 10 = 80% (the report year's value)
    assert result.kind == "rate_by_year"
    assert result.by_year == {2024: (2, 4), 2025: (8, 10)}
    assert (result.numerator, result.denominator) == (8, 10)
    assert result.value == Decimal(80)
    assert counted(result) == sorted(
        ["2024-pass1", "2024-fail1"] + [f"2025-pass{n}" for n in range(1, 7)] + ["2025-fail1", "2025-fail2"]
    )
    assert excluded(result) == {"未参加考试": ["2024-absent1", "2024-absent2", "2025-absent-passed1", "2025-absent1"]}
    assert set(result.sources) == {"law_exams/2024", "law_exams/2025"}


def test_law_exam_pass_rate_is_passed_over_those_who_sat():
    result = figure("law_exam_pass_rate", EXAMS)
    # 2024: 1 passed of 2 sat = 50%; 2025: 6 passed of 8 sat = 75% (absent-passed1 is not in the base)
    assert result.kind == "rate_by_year"
    assert result.by_year == {2024: (1, 2), 2025: (6, 8)}
    assert (result.numerator, result.denominator) == (6, 8)
    assert result.value == Decimal(75)
    assert counted(result) == sorted(["2024-pass1"] + [f"2025-pass{n}" for n in range(1, 7)])
    assert excluded(result) == {
        "未参考，不计入合格率分母": ["2024-absent1", "2024-absent2", "2025-absent-passed1", "2025-absent1"],
        "参考但未合格": ["2024-fail1", "2025-fail1", "2025-fail2"],
    }


def test_law_exam_rates_with_a_missing_flag_count_as_not_sat_and_not_passed():
    data = frame_data(
        YEAR, {("law_exams", YEAR): [_examinee("sat-unknown", None, True), _examinee("pass-unknown", True, None)]}
    )
    # participation: only pass-unknown is known to have sat -> 1/2
    assert figure("law_exam_participation_rate", data).by_year == {YEAR: (1, 2)}
    # pass rate: base is pass-unknown only, whose 合格 is unknown -> 0/1
    assert figure("law_exam_pass_rate", data).by_year == {YEAR: (0, 1)}


def test_law_exam_rates_with_one_year_only():
    data = frame_data(YEAR, {("law_exams", YEAR): _roster(YEAR, sat_passed=3, sat_failed=1, absent=0)})
    # 4 of 4 sat = 100%; 3 of 4 passed = 75%
    assert figure("law_exam_participation_rate", data).by_year == {YEAR: (4, 4)}
    assert figure("law_exam_pass_rate", data).value == Decimal(75)


@pytest.mark.parametrize("figure_id", ["law_exam_participation_rate", "law_exam_pass_rate"])
def test_law_exam_rates_without_the_report_year_roster_are_no_data(figure_id):
    data = frame_data(
        YEAR,
        {
            ("law_exams", 2024): _roster(2024, sat_passed=1, sat_failed=0, absent=0),
            ("law_exams", 2026): _roster(2026, sat_passed=1, sat_failed=0, absent=0),
        },
    )
    with pytest.raises(NoData, match="报告年度 2025 没有清洗后的「law_exams」表"):
        figure(figure_id, data)
