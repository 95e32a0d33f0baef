"""Metrics of 普法宣传."""

from __future__ import annotations

from .base import CleanData, MetricResult, count_rows, metric, sum_column

ALL_ROWS = "全部计入"


def _every(frame):
    return frame.row_id.notna()


@metric
def count_publicity_events(data: CleanData) -> MetricResult:
    """口径: publicity_events rows of the report year (one row per event, all 七进 types)."""
    return count_rows(data, "publicity_events", _every, ALL_ROWS)


@metric
def sum_publicity_materials(data: CleanData) -> MetricResult:
    """口径: sum of 发放资料/份数 over the year's publicity events."""
    return sum_column(data, "publicity_events", "materials", _every, ALL_ROWS)


@metric
def sum_publicity_reach(data: CleanData) -> MetricResult:
    """口径: sum of 覆盖群众/人次 over the year's publicity events (person-times, not unique people)."""
    return sum_column(data, "publicity_events", "people_reached", _every, ALL_ROWS)


@metric
def count_school_lectures_in_term_start(data: CleanData) -> MetricResult:
    """口径: school_lectures rows whose 学期 is 春季开学季 or 秋季开学季 (the report says 在春秋开学季)."""
    return count_rows(data, "school_lectures", lambda f: f.term.isin(["春季开学季", "秋季开学季"]), "不在春秋开学季")
