"""Each figure of 综合行政执法 and of the deputies', hotline and 马路办公 ledgers on small clean tables
built by hand: the compute specs of claims/2025.yaml (frames.figure) and the Python metrics of
metrics/enforcement.py.

Every filter of a spec or metric meets at least one row that only this filter leaves out, so a filter
replaced by "keep every row" (or an isin list missing one value) changes the asserted result.
The expected values are worked out by hand in the comments.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from frames import counted_set as counted
from frames import excluded_by_row as excluded
from frames import figure, frame_data, spec_entries

from lawreport.metrics import METRICS, NoData
from lawreport.metrics import enforcement as E

Y = 2025
TABLES = (
    "enforcement_staff",
    "platform_events",
    "joint_inspections",
    "enterprise_checks",
    "county_comparison",
    "admin_inspections",
    "penalty_cases",
    "deputy_proposals",
    "hotline_complaints",
    "road_office",
)


def compute(name: str, data):
    """A Python metric by its name, or a spec figure of the register by its id."""
    return METRICS[name](data) if name in METRICS else figure(name, data)


def test_every_metric_of_the_module_and_every_spec_figure_is_covered_here():
    names = {name for name, function in METRICS.items() if function.__module__ == E.__name__}
    assert names | spec_entries(*TABLES) == set(COVERED)


# --------------------------------------------------------------------------------------------------
# enforcement_staff: count_enforcement_staff_on_platform, count_active_officers, active_officer_rate

# on_platform and active vary independently, so a metric reading the wrong flag is also caught.
STAFF = [
    {"row_id": "s1", "certificate_no": "33001", "on_platform": True, "active": True},
    {"row_id": "s2", "certificate_no": "33002", "on_platform": True, "active": False},
    {"row_id": "s3", "certificate_no": "33003", "on_platform": False, "active": True},
    {"row_id": "s4", "certificate_no": "33004", "on_platform": True, "active": None},
    {"row_id": "s5", "certificate_no": "33005", "on_platform": None, "active": True},
]
# A roster of the year before, which no metric of the report year may read.
STAFF_BEFORE = [{"row_id": f"old{n}", "on_platform": True, "active": True} for n in range(3)]


def staff_data():
    return frame_data(Y, {("enforcement_staff", Y): STAFF, ("enforcement_staff", Y - 1): STAFF_BEFORE})


def test_count_enforcement_staff_on_platform():
    result = figure("enforcement_staff_on_platform", staff_data())
    # on_platform: s1 是, s2 是, s3 否, s4 是, s5 empty -> 3 of 5 in the roster
    assert result.kind == "count"
    assert result.value == 3
    assert counted(result) == {"s1", "s2", "s4"}
    assert excluded(result) == {"s3": "未接入平台", "s5": "未接入平台"}
    assert result.sources == {f"enforcement_staff/{Y}": 5}  # 名册共 5 人: 全体 reads the whole roster
    assert result.sources == {f"enforcement_staff/{Y}": 5}


def test_count_active_officers():
    result = figure("active_officers", staff_data())
    # active: s1 是, s2 否, s3 是, s4 empty, s5 是 -> 3
    assert result.value == 3
    assert counted(result) == {"s1", "s3", "s5"}
    assert excluded(result) == {"s2": "不活跃", "s4": "不活跃"}
    assert result.sources == {f"enforcement_staff/{Y}": 5}


def test_active_officer_rate():
    result = figure("active_rate", staff_data())
    # 3 active (s1, s3, s5) of 5 officers -> 3/5 = 60 %
    assert result.kind == "rate"
    assert (result.numerator, result.denominator) == (3, 5)
    assert result.value == Decimal(60)
    assert counted(result) == {"s1", "s3", "s5"}
    assert set(excluded(result)) == {"s2", "s4"}


def test_active_officer_rate_of_an_empty_roster_is_zero_over_zero():
    result = figure("active_rate", frame_data(Y, {("enforcement_staff", Y): []}))
    assert (result.numerator, result.denominator, result.value) == (0, 0, Decimal(0))


# --------------------------------------------------------------------------------------------------
# platform_events: count_grid_events


def test_count_grid_events():
    data = frame_data(
        Y,
        {
            ("platform_events", Y): [
                {"row_id": "e1", "event_source": "网格上报", "event_status": "已办结"},
                {"row_id": "e2", "event_source": "141平台", "event_status": "已办结"},
                {"row_id": "e3", "event_source": "网格上报", "event_status": "处置中"},
                {"row_id": "e4", "event_source": "群众投诉", "event_status": "已办结"},
                {"row_id": "e5", "event_source": None},
            ],
            # grid events of the year before: another year's table, not counted
            ("platform_events", Y - 1): [{"row_id": "old1", "event_source": "网格上报"}],
        },
    )
    result = figure("grid_events", data)
    # 网格上报: e1, e3 (status does not matter); 141平台, 群众投诉 and empty are left out -> 2
    assert result.value == 2
    assert counted(result) == {"e1", "e3"}
    assert excluded(result) == dict.fromkeys(["e2", "e4", "e5"], "事件来源不是网格上报")
    assert result.sources == {f"platform_events/{Y}": 5}


# --------------------------------------------------------------------------------------------------
# joint_inspections: count_joint_inspections


def test_count_joint_inspections_counts_led_and_joined():
    data = frame_data(
        Y,
        {
            ("joint_inspections", Y): [
                {"row_id": "j1", "role": "牵头", "trigger": "年度计划"},
                {"row_id": "j2", "role": "参与", "trigger": "投诉举报"},
                {"row_id": "j3", "role": "参与", "trigger": "风险预警"},
                {"row_id": "j4", "role": None, "trigger": "年度计划"},
            ],
            ("joint_inspections", Y - 1): [{"row_id": "old1", "role": "牵头"}],
        },
    )
    result = figure("joint_inspections", data)
    # 牵头 j1 + 参与 j2, j3 = 3; j4 has no role (not in the vocabulary) -> left out
    assert result.value == 3
    assert counted(result) == {"j1", "j2", "j3"}
    assert excluded(result) == {"j4": "角色不符"}
    assert result.sources == {f"joint_inspections/{Y}": 4}


# --------------------------------------------------------------------------------------------------
# enterprise_checks: count_qr_code_checks, count_credit_model_checks, credit_scenario_rate

# The three flags vary independently so that each metric must read its own flag.
CHECKS = [
    {"row_id": "c1", "qr_scanned": True, "credit_model": True, "credit_scenario": True},
    {"row_id": "c2", "qr_scanned": True, "credit_model": False, "credit_scenario": False},
    {"row_id": "c3", "qr_scanned": False, "credit_model": True, "credit_scenario": None},
    {"row_id": "c4", "qr_scanned": None, "credit_model": None, "credit_scenario": False},
    {"row_id": "c5", "qr_scanned": True, "credit_model": False, "credit_scenario": True},
]


def checks_data():
    before = [{"row_id": "old1", "qr_scanned": True, "credit_model": True, "credit_scenario": True}]
    return frame_data(Y, {("enterprise_checks", Y): CHECKS, ("enterprise_checks", Y - 1): before})


def test_count_qr_code_checks():
    result = figure("qr_code_checks", checks_data())
    # qr_scanned: c1 是, c2 是, c3 否, c4 empty, c5 是 -> 3
    assert result.value == 3
    assert counted(result) == {"c1", "c2", "c5"}
    assert excluded(result) == {"c3": "未扫码入企", "c4": "未扫码入企"}
    assert result.sources == {f"enterprise_checks/{Y}": 5}


def test_count_credit_model_checks():
    result = figure("credit_model_checks", checks_data())
    # credit_model: c1 是, c2 否, c3 是, c4 empty, c5 否 -> 2
    assert result.value == 2
    assert counted(result) == {"c1", "c3"}
    assert excluded(result) == dict.fromkeys(["c2", "c4", "c5"], "未调用信用模型")


def test_credit_scenario_rate():
    result = figure("credit_scenario_rate", checks_data())
    # credit_scenario: c1 是, c2 否, c3 empty, c4 否, c5 是 -> 2 of all 5 checks = 40 %
    assert result.kind == "rate"
    assert (result.numerator, result.denominator) == (2, 5)
    assert result.value == Decimal(40)
    assert counted(result) == {"c1", "c5"}
    assert excluded(result) == dict.fromkeys(["c2", "c3", "c4"], "未实施信用+执法场景")
    assert result.sources == {f"enterprise_checks/{Y}": 5}


# --------------------------------------------------------------------------------------------------
# county_comparison: county_ranks

UNIT = "临江县城南街道"  # short name in the county notice: 城南街道


def county_data(tmp_path, rows, before=()):
    tables = {("county_comparison", Y): rows}
    if before:
        tables[("county_comparison", Y - 1)] = list(before)
    data = frame_data(Y, tables)
    # county_ranks reads the unit from clean_report.json of the report year's clean folder.
    data.clean_root = tmp_path
    (tmp_path / str(Y)).mkdir(parents=True)
    (tmp_path / str(Y) / "clean_report.json").write_text(json.dumps({"unit": UNIT}), encoding="utf-8")
    return data


def row(row_id, unit, indicator, value, rank):
    return {"row_id": row_id, "unit": unit, "indicator": indicator, "value": value, "rank": rank}


# Our row is never the first of its indicator, so a rank taken from any other row is caught.
COUNTY = [
    # 活跃率: 97 > 92.5, 江口镇 ties with us -> recomputed 1 + 1 = 2 (tie shares rank 2, not 3)
    row("r1", "城北街道", "活跃率", 97.0, 1),
    row("r2", "江口镇", "活跃率", 92.5, 2),
    row("r3", "城南街道", "活跃率", 92.5, 2),
    row("r4", "白沙镇", "活跃率", 80.0, 4),
    # 罚没金额: nobody above 120000 -> recomputed 1, published 1
    row("r5", "城北街道", "罚没金额", 80000.0, 2),
    row("r6", "城南街道", "罚没金额", 120000.0, 1),
    row("r7", "江口镇", "罚没金额", 60000.0, 3),
    # 行政检查户次: 450 > 300 -> recomputed 2; the county published 1
    row("r8", "城北街道", "行政检查户次", 450.0, 1),
    row("r9", "城南街道", "行政检查户次", 300.0, 1),
    row("r10", "江口镇", "行政检查户次", 200.0, 3),
    # 行政处罚立案数: our unit is not listed -> no entry
    row("r11", "城北街道", "行政处罚立案数", 10.0, 1),
    row("r12", "江口镇", "行政处罚立案数", 5.0, 2),
]


def test_county_ranks(tmp_path):
    before = [row("old1", "城南街道", "行政检查规范率", 99.0, 1)]  # last year's notice: not read
    result = E.county_ranks(county_data(tmp_path, COUNTY, before))
    assert result.kind == "ranks"
    assert result.value == {
        "活跃率": {"recomputed": 2, "published": 2},
        "罚没金额": {"recomputed": 1, "published": 1},
        "行政检查户次": {"recomputed": 2, "published": 1},
    }
    # our unit's rows are counted, the other units' rows are left out
    assert counted(result) == {"r3", "r6", "r9"}
    assert excluded(result) == dict.fromkeys(["r1", "r2", "r4", "r5", "r7", "r8", "r10", "r11", "r12"], "其他街镇")
    assert result.sources == {f"county_comparison/{Y}": 12}


def test_county_ranks_without_our_unit_is_no_data(tmp_path):
    rows = [row("r1", "城北街道", "活跃率", 97.0, 1), row("r2", "江口镇", "活跃率", 92.5, 2)]
    with pytest.raises(NoData, match="城南街道"):
        E.county_ranks(county_data(tmp_path, rows))


# --------------------------------------------------------------------------------------------------
# admin_inspections: count_admin_inspections, admin_inspection_compliance_rate

INSPECTIONS = [
    {"row_id": "a1", "compliant": True},
    {"row_id": "a2", "compliant": True},
    {"row_id": "a3", "compliant": False},
    {"row_id": "a4", "compliant": None},
]


def inspections_data():
    before = [{"row_id": "old1", "compliant": True}, {"row_id": "old2", "compliant": True}]
    return frame_data(Y, {("admin_inspections", Y): INSPECTIONS, ("admin_inspections", Y - 1): before})


def test_count_admin_inspections_counts_every_row_of_the_year():
    result = figure("admin_inspections", inspections_data())
    # every inspection of the report year, 规范 or not: a1..a4 = 4; last year's 2 are not read
    assert result.value == 4
    assert counted(result) == {"a1", "a2", "a3", "a4"}
    assert excluded(result) == {}
    assert result.sources == {f"admin_inspections/{Y}": 4}


def test_admin_inspection_compliance_rate():
    result = E.admin_inspection_compliance_rate(inspections_data())
    # 规范: a1, a2; a3 否, a4 empty -> 2/4 = 50 %
    assert (result.numerator, result.denominator) == (2, 4)
    assert result.value == Decimal(50)
    assert counted(result) == {"a1", "a2"}
    assert excluded(result) == {"a3": "检查不规范", "a4": "检查不规范"}


# --------------------------------------------------------------------------------------------------
# penalty_cases: count_penalty_cases_filed, count_penalty_cases_closed, sum_fines

CASES = [
    # filed and closed in the year
    {"row_id": "p1", "filed_date": "2025-01-01", "closed_date": "2025-03-01", "fine_amount": 1000.0},
    # filed last year, closed in the year
    {"row_id": "p2", "filed_date": "2024-11-20", "closed_date": "2025-01-10", "fine_amount": 2500.5},
    # filed in the year, still open
    {"row_id": "p3", "filed_date": "2025-06-01", "closed_date": None, "fine_amount": None},
    # filed and closed on the last day of the year, no fine
    {"row_id": "p4", "filed_date": "2025-12-31", "closed_date": "2025-12-31", "fine_amount": None},
    # filed and closed last year
    {"row_id": "p5", "filed_date": "2024-03-01", "closed_date": "2024-12-31", "fine_amount": 9000.0},
    # filed in the year, closed the next year
    {"row_id": "p6", "filed_date": "2025-10-01", "closed_date": "2026-01-05", "fine_amount": 700.0},
]


def cases_data(rows=CASES):
    return frame_data(Y, {("penalty_cases", Y): rows})


def test_count_penalty_cases_filed():
    result = E.count_penalty_cases_filed(cases_data())
    # filed in 2025: p1 (1 Jan), p3, p4 (31 Dec), p6 -> 4; p2, p5 were filed in 2024
    assert result.value == 4
    assert counted(result) == {"p1", "p3", "p4", "p6"}
    assert excluded(result) == {"p2": "不在报告年度立案", "p5": "不在报告年度立案"}


def test_count_penalty_cases_closed():
    result = E.count_penalty_cases_closed(cases_data())
    # closed in 2025: p1, p2 (filed earlier), p4 (31 Dec) -> 3; p3 open, p5 closed 2024, p6 closed 2026
    assert result.value == 3
    assert counted(result) == {"p1", "p2", "p4"}
    assert excluded(result) == dict.fromkeys(["p3", "p5", "p6"], "未结案或不在报告年度结案")


def test_sum_fines():
    result = E.sum_fines(cases_data())
    # closed in 2025: p1 1000 + p2 2500.5 + p4 empty (= 0) = 3500.5;
    # p5 (9000, closed 2024), p6 (700, closed 2026) and p3 (open) are left out
    assert result.kind == "amount"
    assert result.value == Decimal("3500.5")
    assert counted(result) == {"p1", "p2", "p4"}
    left_out = {rid: rows.reason for rows in result.excluded for rid in rows.row_ids}
    assert left_out == {
        "p3": "未在报告年度结案",
        "p5": "未在报告年度结案",
        "p6": "未在报告年度结案",
        "p4": "「fine_amount」为空，按 0 计",
    }


def test_sum_fines_whole_yuan_is_an_integer_decimal():
    rows = [
        {"row_id": "p1", "filed_date": "2025-02-01", "closed_date": "2025-02-10", "fine_amount": 1000.0},
        {"row_id": "p2", "filed_date": "2025-02-01", "closed_date": "2025-02-10", "fine_amount": 2000.0},
    ]
    result = E.sum_fines(cases_data(rows))
    # 1000 + 2000 = 3000, written without decimals
    assert result.value == Decimal(3000)
    assert str(result.value) == "3000"


def test_sum_fines_with_no_case_closed_is_zero():
    rows = [{"row_id": "p1", "filed_date": "2025-02-01", "closed_date": None, "fine_amount": 500.0}]
    result = E.sum_fines(cases_data(rows))
    assert result.value == Decimal(0)
    assert counted(result) == set()


def test_sum_fines_adds_cents_exactly():
    rows = [
        {"row_id": "p1", "filed_date": "2025-02-01", "closed_date": "2025-02-10", "fine_amount": 100.10},
        {"row_id": "p2", "filed_date": "2025-03-01", "closed_date": "2025-03-10", "fine_amount": 200.20},
    ]
    # 100.10 + 200.20 = 300.30 元
    assert E.sum_fines(cases_data(rows)).value == Decimal("300.30")


# --------------------------------------------------------------------------------------------------
# The "近两年" counts: count_proposals_two_years, count_hotline_replied_two_years,
# count_road_office_resolved_two_years

TWO_YEARS = {
    "proposals_two_years": (
        "deputy_proposals",
        {
            Y - 2: [{"row_id": "d23-1", "handling_role": "主办"}],  # two years back: not counted
            Y - 1: [
                {"row_id": "d24-1", "handling_role": "主办"},
                {"row_id": "d24-2", "handling_role": "协办"},
                {"row_id": "d24-3", "handling_role": None},
            ],
            Y: [
                {"row_id": "d25-1", "handling_role": "主办"},
                {"row_id": "d25-2", "handling_role": "主办"},
                {"row_id": "d25-3", "handling_role": "协办"},
                {"row_id": "d25-4", "handling_role": None},
            ],
        },
        # 2024: 主办 + 协办 = 2; 2025: 2 主办 + 1 协办 = 3; empty roles left out -> 5
        {Y - 1: 2, Y: 3},
        {"d24-1", "d24-2", "d25-1", "d25-2", "d25-3"},
        {"d24-3": "办理方式不符", "d25-4": "办理方式不符"},
    ),
    "hotline_two_years": (
        "hotline_complaints",
        {
            Y - 2: [{"row_id": "h23-1", "ticket_status": "已回复"}],
            Y - 1: [
                {"row_id": "h24-1", "ticket_status": "已回复"},
                {"row_id": "h24-2", "ticket_status": "办理中"},
            ],
            Y: [
                {"row_id": "h25-1", "ticket_status": "已回复"},
                {"row_id": "h25-2", "ticket_status": "办理中"},
                {"row_id": "h25-3", "ticket_status": "已回复"},
                {"row_id": "h25-4", "ticket_status": None},
            ],
        },
        # 2024: 1 已回复; 2025: 2 已回复; 办理中 and empty left out -> 3
        {Y - 1: 1, Y: 2},
        {"h24-1", "h25-1", "h25-3"},
        dict.fromkeys(["h24-2", "h25-2", "h25-4"], "尚未回复"),
    ),
    "road_office_two_years": (
        "road_office",
        {
            Y - 2: [{"row_id": "r23-1", "resolved": True}],
            Y - 1: [
                {"row_id": "r24-1", "resolved": True},
                {"row_id": "r24-2", "resolved": True},
                {"row_id": "r24-3", "resolved": False},
            ],
            Y: [
                {"row_id": "r25-1", "resolved": True},
                {"row_id": "r25-2", "resolved": None},
                {"row_id": "r25-3", "resolved": False},
            ],
        },
        # 2024: 2 解决; 2025: 1 解决; 否 and empty left out -> 3
        {Y - 1: 2, Y: 1},
        {"r24-1", "r24-2", "r25-1"},
        dict.fromkeys(["r24-3", "r25-2", "r25-3"], "未解决"),
    ),
}


@pytest.mark.parametrize("name", sorted(TWO_YEARS))
def test_two_year_counts(name):
    table, rows_by_year, by_year, counted_ids, excluded_ids = TWO_YEARS[name]
    data = frame_data(Y, {(table, year): rows for year, rows in rows_by_year.items()})
    result = compute(name, data)
    assert result.kind == "count"
    assert result.by_year == by_year
    assert result.value == sum(by_year.values())
    assert counted(result) == counted_ids
    assert excluded(result) == excluded_ids
    # only the report year and the year before are read
    assert set(result.sources) == {f"{table}/{Y - 1}", f"{table}/{Y}"}


@pytest.mark.parametrize("name", sorted(TWO_YEARS))
@pytest.mark.parametrize("missing", [Y - 1, Y])
def test_two_year_counts_need_both_years(name, missing):
    table, rows_by_year, *_ = TWO_YEARS[name]
    data = frame_data(Y, {(table, year): rows for year, rows in rows_by_year.items() if year != missing})
    # NoData names the missing year (the clean-data reader would also raise NoData, without saying why)
    with pytest.raises(NoData, match=f"需要 {missing} 年的「{table}」表"):
        compute(name, data)


# --------------------------------------------------------------------------------------------------
# No clean table, no figure

COVERED = [
    "enforcement_staff_on_platform",
    "grid_events",
    "joint_inspections",
    "qr_code_checks",
    "credit_model_checks",
    "credit_scenario_rate",
    "county_ranks",
    "active_officers",
    "active_rate",
    "admin_inspections",
    "count_penalty_cases_filed",
    "count_penalty_cases_closed",
    "admin_inspection_compliance_rate",
    "sum_fines",
    "proposals_two_years",
    "hotline_two_years",
    "road_office_two_years",
]


@pytest.mark.parametrize("name", COVERED)
def test_missing_table_is_no_data(name):
    with pytest.raises(NoData):
        compute(name, frame_data(Y, {}))
