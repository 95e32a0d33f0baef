"""Metrics of 信访: petitions, legacy cases, escalated petitions."""

from __future__ import annotations

from decimal import Decimal

from .base import CleanData, MetricResult, NoData, RowSet, count_rows, ids, metric, rate

SATISFIED = ("满意", "基本满意")


@metric
def count_petitions_received(data: CleanData) -> MetricResult:
    """口径: petitions rows of the report year (受理日期 in the year; one row per 信访事项)."""
    return count_rows(data, "petitions", lambda f: f.row_id.notna(), "全部计入")


@metric
def petitions_on_time_rate(data: CleanData) -> MetricResult:
    """口径: petitions closed (办结日期 present) on or before 办理期限, and flagged 按期, ÷ petitions received."""
    return rate(
        data,
        "petitions",
        lambda f: f.closed_date.notna() & (f.closed_date <= f.deadline) & f.on_time.fillna(False),
        "未办结、超期办结或未标记按期",
    )


@metric
def petition_satisfaction_by_year(data: CleanData) -> MetricResult:
    """口径: per year, (满意 + 基本满意) ÷ petitions with an evaluation (未评价 left out of the base).
    持续提升 is checked as strictly rising over every year whose register was cleaned."""
    years = data.years_with("petitions")
    if len(years) < 2:
        raise NoData("满意度趋势至少需要两个年度的信访台账")
    result = MetricResult(kind="by_year", value={})
    for year in years:
        one = rate(
            data,
            "petitions",
            lambda f: f.satisfaction.isin(SATISFIED),
            "评价为不满意",
            year=year,
            base=lambda f: f.satisfaction != "未评价",
            base_left_out="未评价，不计入满意度分母",
        )
        result.by_year[year] = (one.numerator, one.denominator)
        result.counted += one.counted
        result.excluded += one.excluded
        result.sources.update(one.sources)
    result.value = {
        str(y): str(round(Decimal(k) / Decimal(n) * 100, 2)) if n else "—" for y, (k, n) in result.by_year.items()
    }
    return result


@metric
def count_legacy_cases_resolved(data: CleanData) -> MetricResult:
    """口径: legacy_cases rows with 化解状态 = 已化解 and 化解日期 in the report year."""
    return count_rows(
        data, "legacy_cases", lambda f: (f.status == "已化解") & (f.resolved_date.dt.year == data.year), "尚在化解中"
    )


@metric
def escalated_petitions_by_year(data: CleanData) -> MetricResult:
    """口径: per year, rows of escalated_petitions (到市集访 + 进京上访). A year whose register is
    not cleaned cannot count as zero."""
    years = data.years_with("escalated_petitions")
    if data.year not in years:
        raise NoData("报告年度没有越级上访登记")
    result = MetricResult(kind="by_year", value={})
    for year in years:
        frame = data.table("escalated_petitions", year)
        result.by_year[year] = len(frame)
        result.add_source("escalated_petitions", year, frame)
        result.counted.append(RowSet("escalated_petitions", year, ids(frame)))
    result.value = {str(y): v for y, v in result.by_year.items()}
    return result
