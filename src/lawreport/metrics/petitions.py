"""Python metrics of 信访 still named by tests of other modules (the register's other 信访 figures
are `compute:` specs): petitions received, escalated petitions per year."""

from __future__ import annotations

from .base import CleanData, MetricResult, NoData, RowSet, count_rows, ids, metric


@metric
def count_petitions_received(data: CleanData) -> MetricResult:
    """口径: petitions rows of the report year (受理日期 in the year; one row per 信访事项)."""
    return count_rows(data, "petitions", lambda f: f.row_id.notna(), "全部计入")


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
