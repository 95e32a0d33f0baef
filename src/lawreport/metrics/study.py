"""Metrics of 学法 and 法治考试."""

from __future__ import annotations

from .base import CleanData, MetricResult, NoData, count_rows, metric, rate


@metric
def count_topical_study_sessions(data: CleanData) -> MetricResult:
    """口径: study_sessions rows of the report year whose 学习形式 is 专题学法 (one row per session)."""
    return count_rows(data, "study_sessions", lambda f: f.session_type == "专题学法", "学习形式不是“专题学法”")


def _exam_rate_by_year(data: CleanData, numerator, label: str, base=None, base_left_out: str = "") -> MetricResult:
    years = data.years_with("law_exams")
    if data.year not in years:
        raise NoData("报告年度没有法治考试名册")
    result = MetricResult(kind="rate_by_year", value={})
    for year in years:
        one = rate(data, "law_exams", numerator, label, year=year, base=base, base_left_out=base_left_out)
        result.by_year[year] = (one.numerator, one.denominator)
        result.counted += one.counted
        result.excluded += one.excluded
        result.sources.update(one.sources)
        if year == data.year:
            result.numerator, result.denominator, result.value = one.numerator, one.denominator, one.value
    return result


@metric
def law_exam_participation_rate(data: CleanData) -> MetricResult:
    """口径: per year, law_exams rows with 是否参考 = 是 ÷ all rows of the roster (应考人数).
    持续保持 is checked over every year whose roster was cleaned."""
    return _exam_rate_by_year(data, lambda f: f.sat_exam, "未参加考试")


@metric
def law_exam_pass_rate(data: CleanData) -> MetricResult:
    """口径: per year, law_exams rows with 是否合格 = 是 ÷ rows that sat the exam (实际参考人数)."""
    return _exam_rate_by_year(
        data, lambda f: f.passed, "参考但未合格", base=lambda f: f.sat_exam, base_left_out="未参考，不计入合格率分母"
    )
