"""Python metrics of 综合行政执法: county ranks (a spec cannot rank units), and the penalty-case and
inspection metrics still named by tests of other modules. The other 执法 figures are `compute:` specs."""

from __future__ import annotations

from ..ledgers.manifest import short_unit_name
from .base import CleanData, MetricResult, NoData, count_rows, metric, rate, select, sum_column


@metric
def county_ranks(data: CleanData) -> MetricResult:
    """口径: in the county notice, our unit's rank on each indicator, recomputed from the values of all
    units (higher is better; ties share the best rank), and compared with the county's own rank."""
    frame = data.table("county_comparison")
    unit = _unit_short(data)
    kept, result = select(data, "county_comparison", lambda f: f.unit == unit, "其他街镇")
    result.kind = "ranks"
    ranks: dict[str, object] = {}
    for indicator, group in frame.groupby("indicator", sort=False):
        ours = group[group.unit == unit]
        if ours.empty:
            continue
        value = ours["value"].iloc[0]
        recomputed = int((group["value"] > value).sum()) + 1
        ranks[str(indicator)] = {"recomputed": recomputed, "published": int(ours["rank"].iloc[0])}
    if not ranks:
        raise NoData(f"县通报中没有「{unit}」")
    result.value = ranks
    return result


def _unit_short(data: CleanData) -> str:
    return short_unit_name(data.unit())


@metric
def count_penalty_cases_filed(data: CleanData) -> MetricResult:
    """口径: penalty_cases rows with 立案日期 in the report year."""
    return count_rows(data, "penalty_cases", lambda f: f.filed_date.dt.year == data.year, "不在报告年度立案")


@metric
def count_penalty_cases_closed(data: CleanData) -> MetricResult:
    """口径: penalty_cases rows with 结案日期 in the report year (cases filed earlier and closed now count)."""
    return count_rows(data, "penalty_cases", lambda f: f.closed_date.dt.year == data.year, "未结案或不在报告年度结案")


@metric
def admin_inspection_compliance_rate(data: CleanData) -> MetricResult:
    """口径: admin_inspections rows with 是否规范 = 是 ÷ all inspections of the year."""
    return rate(data, "admin_inspections", lambda f: f.compliant, "检查不规范")


@metric
def sum_fines(data: CleanData) -> MetricResult:
    """口径: sum of 罚没金额(元) over penalty cases closed in the report year (empty = no fine)."""
    return sum_column(
        data, "penalty_cases", "fine_amount", lambda f: f.closed_date.dt.year == data.year, "未在报告年度结案"
    )
