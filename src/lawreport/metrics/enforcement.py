"""Metrics of 综合行政执法 and of the deputies', hotline and 马路办公 ledgers."""

from __future__ import annotations

import json

from ..manifest import short_unit_name
from .base import CleanData, MetricResult, NoData, count_rows, metric, rate, select, sum_column


@metric
def count_enforcement_staff_on_platform(data: CleanData) -> MetricResult:
    """口径: enforcement_staff rows with 是否接入平台 = 是 (全体: every row must be)."""
    result = count_rows(data, "enforcement_staff", lambda f: f.on_platform, "未接入平台")
    result.note = f"名册共 {result.sources[f'enforcement_staff/{data.year}']} 人"
    return result


@metric
def count_grid_events(data: CleanData) -> MetricResult:
    """口径: platform_events rows of the report year whose 事件来源 is 网格上报."""
    return count_rows(data, "platform_events", lambda f: f.event_source == "网格上报", "事件来源不是网格上报")


@metric
def count_joint_inspections(data: CleanData) -> MetricResult:
    """口径: joint_inspections rows of the report year, 牵头 and 参与 together."""
    return count_rows(data, "joint_inspections", lambda f: f.role.isin(["牵头", "参与"]), "角色不符")


@metric
def count_qr_code_checks(data: CleanData) -> MetricResult:
    """口径: enterprise_checks rows with 是否扫码入企 = 是."""
    return count_rows(data, "enterprise_checks", lambda f: f.qr_scanned, "未扫码入企")


@metric
def count_credit_model_checks(data: CleanData) -> MetricResult:
    """口径: enterprise_checks rows with 是否调用信用模型 = 是."""
    return count_rows(data, "enterprise_checks", lambda f: f.credit_model, "未调用信用模型")


@metric
def credit_scenario_rate(data: CleanData) -> MetricResult:
    """口径: enterprise_checks rows with 是否实施信用+执法场景 = 是 ÷ all enterprise checks."""
    return rate(data, "enterprise_checks", lambda f: f.credit_scenario, "未实施信用+执法场景")


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
    report = json.loads((data.clean_root / str(data.year) / "clean_report.json").read_text(encoding="utf-8"))
    return short_unit_name(str(report["unit"]))


@metric
def count_active_officers(data: CleanData) -> MetricResult:
    """口径: enforcement_staff rows with 是否活跃 = 是."""
    return count_rows(data, "enforcement_staff", lambda f: f.active, "不活跃")


@metric
def active_officer_rate(data: CleanData) -> MetricResult:
    """口径: enforcement_staff rows with 是否活跃 = 是 ÷ all enforcement staff."""
    return rate(data, "enforcement_staff", lambda f: f.active, "不活跃")


@metric
def count_admin_inspections(data: CleanData) -> MetricResult:
    """口径: admin_inspections rows of the report year (户次)."""
    return count_rows(data, "admin_inspections", lambda f: f.row_id.notna(), "全部计入")


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


def _two_years(data: CleanData, table: str, date_column: str, keep, left_out: str) -> MetricResult:
    years = [data.year - 1, data.year]
    missing = [y for y in years if y not in data.years_with(table)]
    if missing:
        raise NoData(f"“近两年”需要 {missing} 年的「{table}」")
    result = MetricResult(kind="count", value=0)
    total = 0
    for year in years:
        kept, result = select(data, table, keep, left_out, year=year, result=result)
        total += len(kept)
        result.by_year[year] = len(kept)
    result.value = total
    return result


@metric
def count_proposals_two_years(data: CleanData) -> MetricResult:
    """口径: deputy_proposals rows of the report year and the year before, 主办 and 协办."""
    return _two_years(
        data, "deputy_proposals", "assigned_date", lambda f: f.handling_role.isin(["主办", "协办"]), "办理方式不符"
    )


@metric
def count_hotline_replied_two_years(data: CleanData) -> MetricResult:
    """口径: hotline_complaints rows of the report year and the year before with 办理状态 = 已回复."""
    return _two_years(data, "hotline_complaints", "received_at", lambda f: f.ticket_status == "已回复", "尚未回复")


@metric
def count_road_office_resolved_two_years(data: CleanData) -> MetricResult:
    """口径: road_office rows of the report year and the year before with 是否解决 = 是."""
    return _two_years(data, "road_office", "found_date", lambda f: f.resolved, "未解决")
