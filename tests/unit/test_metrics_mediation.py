"""Figures of 人民调解, the legal adviser, 阳光管家 and dispute screening, computed from their compute
specs in claims/2025.yaml (frames.figure).

Small clean tables written by hand: every filter clause has a row that only this clause leaves
out, so that a filter replaced by "keep every row" (or a dropped clause) changes what is asserted.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from frames import counted_ids as counted
from frames import excluded_by_reason as excluded
from frames import figure, frame_data, spec_entries

from lawreport.metrics import NoData

YEAR = 2025


def test_every_spec_figure_of_these_tables_is_tested_here():
    tables = ("mediation_orgs", "mediators", "legal_adviser_log", "stewards", "steward_reports", "dispute_screening")
    assert spec_entries(*tables) == {
        "mediation_networks",
        "full_time_mediators",
        "legal_literates",
        "legal_advisers",
        "adviser_consultations",
        "adviser_documents",
        "adviser_contracts",
        "legal_aid_cases",
        "amount_recovered",
        "adviser_lectures",
        "litigation_cases",
        "adviser_mediations",
        "stewards_recruited",
        "steward_reports",
        "disputes_screened",
        "dispute_resolution_rate",
        "major_disputes_resolved",
    }


# --- count_mediation_pivots ---------------------------------------------------------------


def test_count_mediation_pivots_leaves_out_the_centre():
    data = frame_data(
        YEAR,
        {
            ("mediation_orgs", YEAR): [
                {"row_id": "centre", "org_name": "家理说事室", "role": "中心", "village": "街道"},
                {"row_id": "pivot1", "org_name": "警民联调中心", "role": "支点", "village": "街道"},
                {"row_id": "pivot2", "org_name": "阳光汇客厅", "role": "支点", "village": "一村"},
                {"row_id": "pivot3", "org_name": "渝事好商量", "role": "支点", "village": "二村"},
            ]
        },
    )
    result = figure("mediation_networks", data)
    # 4 organisations, 1 of them the 中心 -> 3 支点
    assert result.value == 3
    assert counted(result) == ["pivot1", "pivot2", "pivot3"]
    assert excluded(result) == {"网络中心，不计为支点": ["centre"]}


# --- the mediation team: one roster, three roles --------------------------------------------

ROSTER = frame_data(
    YEAR,
    {
        ("mediators", YEAR): [
            {"row_id": "full1", "member_role": "专职调解员", "village": "一村"},
            {"row_id": "full2", "member_role": "专职调解员", "village": "二村"},
            {"row_id": "full3", "member_role": "专职调解员", "village": "三村"},
            {"row_id": "literate1", "member_role": "法律明白人", "village": "一村"},
            {"row_id": "literate2", "member_role": "法律明白人", "village": "二村"},
            {"row_id": "adviser1", "member_role": "法律顾问", "village": "街道"},
        ]
    },
)


@pytest.mark.parametrize(
    "figure_id, value, ids, reason",
    [
        # 6 members: 3 专职调解员, 2 法律明白人, 1 法律顾问; each metric leaves out the other two roles
        ("full_time_mediators", 3, ["full1", "full2", "full3"], "身份不是专职调解员"),
        ("legal_literates", 2, ["literate1", "literate2"], "身份不是法律明白人"),
        ("legal_advisers", 1, ["adviser1"], "身份不是法律顾问"),
    ],
    ids=["full_time_mediators", "legal_literates", "legal_advisers"],
)
def test_mediator_counts_by_role(figure_id, value, ids, reason):
    result = figure(figure_id, ROSTER)
    assert result.value == value
    assert counted(result) == ids
    all_ids = ["adviser1", "full1", "full2", "full3", "literate1", "literate2"]
    assert excluded(result) == {reason: sorted(set(all_ids) - set(ids))}


# --- the legal adviser's log: one table, every service type -----------------------------------


def _service(row_id: str, kind: str, people: int | None, items: int | None, amount: float | None = None) -> dict:
    return {
        "row_id": row_id,
        "service_date": "2025-04-01",
        "service_type": kind,
        "village": "一村",
        "people_served": people,
        "items": items,
        "amount_recovered": amount,
    }


ADVISER_LOG = frame_data(
    YEAR,
    {
        ("legal_adviser_log", YEAR): [
            _service("consult1", "法律咨询", 12, 1),
            _service("consult2", "法律咨询", 30, 2),
            _service("consult-blank", "法律咨询", None, 4),  # 服务人次 empty: counts as 0
            _service("draft1", "代书法律文书", 1, 3),
            _service("draft2", "代书法律文书", 2, 2),
            _service("draft-blank", "代书法律文书", 1, None),  # 件数 empty: counts as 0
            _service("contract1", "合同审查", 1, 5),
            _service("aid1", "法律援助", 2, 1, 20000.0),
            _service("aid2", "法律援助", 1, 1, 15000.5),
            _service("lecture1", "普法讲座", 80, 1),
            _service("lecture2", "普法讲座", 45, 1),
            _service("litigation1", "代理诉讼", 1, 1, 5000.0),
            _service("mediate1", "调解纠纷", 3, 1),
            _service("mediate2", "调解纠纷", 4, 1),
            _service("mediate3", "调解纠纷", 5, 1),
        ],
        # another year's log is never read
        ("legal_adviser_log", YEAR - 1): [_service("old-consult", "法律咨询", 99, 9, 99999.0)],
    },
)
ADVISER_IDS = {
    "consult1",
    "consult2",
    "consult-blank",
    "draft1",
    "draft2",
    "draft-blank",
    "contract1",
    "aid1",
    "aid2",
    "lecture1",
    "lecture2",
    "litigation1",
    "mediate1",
    "mediate2",
    "mediate3",
}


def _others(*kept: str) -> list[str]:
    return sorted(ADVISER_IDS - set(kept))


def test_sum_adviser_consultations_sums_people_served_of_consultations_only():
    result = figure("adviser_consultations", ADVISER_LOG)
    # 法律咨询: 12 + 30 + (empty -> 0) = 42; the 80 + 45 of lectures etc. are other types
    assert result.kind == "amount"
    assert result.value == Decimal(42)
    assert counted(result) == ["consult-blank", "consult1", "consult2"]
    assert excluded(result) == {
        "不是法律咨询": _others("consult1", "consult2", "consult-blank"),
        "「people_served」为空，按 0 计": ["consult-blank"],
    }


def test_sum_adviser_documents_sums_items_of_drafting_only():
    result = figure("adviser_documents", ADVISER_LOG)
    # 代书法律文书: 3 + 2 + (empty -> 0) = 5
    assert result.value == Decimal(5)
    assert counted(result) == ["draft-blank", "draft1", "draft2"]
    assert excluded(result) == {
        "不是代书": _others("draft1", "draft2", "draft-blank"),
        "「items」为空，按 0 计": ["draft-blank"],
    }


def test_sum_adviser_contract_reviews_sums_items_of_contract_reviews_only():
    result = figure("adviser_contracts", ADVISER_LOG)
    # 合同审查: one row of 5 contracts
    assert result.value == Decimal(5)
    assert counted(result) == ["contract1"]
    assert excluded(result) == {"不是合同审查": _others("contract1")}


@pytest.mark.parametrize(
    "figure_id, ids, reason",
    [
        ("legal_aid_cases", ["aid1", "aid2"], "不是法律援助"),
        ("adviser_lectures", ["lecture1", "lecture2"], "不是普法讲座"),
        ("litigation_cases", ["litigation1"], "不是代理诉讼"),
        ("adviser_mediations", ["mediate1", "mediate2", "mediate3"], "不是调解纠纷"),
    ],
    ids=["legal_aid_cases", "adviser_lectures", "litigation_cases", "adviser_mediations"],
)
def test_adviser_counts_one_row_per_service_of_the_type(figure_id, ids, reason):
    result = figure(figure_id, ADVISER_LOG)
    # one row per case / lecture: 2 法律援助, 2 普法讲座, 1 代理诉讼, 3 调解纠纷 of 15 rows
    assert result.kind == "count"
    assert result.value == len(ids)
    assert counted(result) == ids
    assert excluded(result) == {reason: _others(*ids)}


def test_sum_amount_recovered_over_every_service_type():
    result = figure("amount_recovered", ADVISER_LOG)
    # 20000 + 15000.5 (法律援助) + 5000 (代理诉讼) = 40000.5; the 12 rows without an amount add 0
    assert result.value == Decimal("40000.5")
    assert counted(result) == ["aid1", "aid2", "litigation1"]
    assert excluded(result) == {"未挽回经济损失(空)": _others("aid1", "aid2", "litigation1")}


def test_sum_amount_recovered_whole_yuan_is_an_integer_decimal():
    data = frame_data(YEAR, {("legal_adviser_log", YEAR): [_service("a", "法律援助", 1, 1, 1200.0)]})
    # 1200.0 -> Decimal("1200"), not "1.2E+3"
    assert str(figure("amount_recovered", data).value) == "1200"


def test_sum_amount_recovered_adds_yuan_and_fen_exactly():
    data = frame_data(
        YEAR,
        {
            ("legal_adviser_log", YEAR): [
                _service("a1", "法律援助", 1, 1, 1234.56),
                _service("a2", "法律援助", 1, 1, 789.12),
                _service("a3", "代理诉讼", 1, 1, 10.01),
            ]
        },
    )
    # 1234.56 + 789.12 + 10.01 = 2033.69 yuan exactly
    assert figure("amount_recovered", data).value == Decimal("2033.69")


def test_sum_with_no_rows_of_the_type_is_zero():
    data = frame_data(YEAR, {("legal_adviser_log", YEAR): [_service("lecture", "普法讲座", 50, 1)]})
    assert figure("adviser_consultations", data).value == Decimal(0)
    assert figure("amount_recovered", data).value == Decimal(0)


def test_adviser_metrics_without_a_log_are_no_data():
    data = frame_data(YEAR, {("legal_adviser_log", YEAR - 1): [_service("old", "法律咨询", 1, 1)]})
    with pytest.raises(NoData):
        figure("adviser_consultations", data)
    with pytest.raises(NoData):
        figure("legal_aid_cases", data)


# --- 阳光管家 ---------------------------------------------------------------------------------


def test_count_stewards_counts_the_cumulative_roster_up_to_the_end_of_the_year():
    data = frame_data(
        YEAR,
        {
            ("stewards", YEAR): [
                {"row_id": "joined-2023", "occupation": "快递员", "joined_date": "2023-05-01"},
                {"row_id": "joined-jan1", "occupation": "外卖小哥", "joined_date": "2025-01-01"},
                {"row_id": "joined-dec31", "occupation": "网约车司机", "joined_date": "2025-12-31"},
                # joined after the report year
                {"row_id": "joined-2026", "occupation": "出租车司机", "joined_date": "2026-01-01"},
                # no 吸纳日期: cannot be shown to have joined by the end of the year
                {"row_id": "undated", "occupation": "快递员", "joined_date": None},
            ]
        },
    )
    result = figure("stewards_recruited", data)
    # 5 on the roster; joined 2023, 2025-01-01 and 2025-12-31 count -> 3
    assert result.value == 3
    assert counted(result) == ["joined-2023", "joined-dec31", "joined-jan1"]
    assert excluded(result) == {"吸纳日期晚于报告年度": ["joined-2026", "undated"]}


def test_count_steward_reports_counts_grid_events_and_disputes():
    data = frame_data(
        YEAR,
        {
            ("steward_reports", YEAR): [
                {"row_id": "grid1", "report_channel": "渝快办", "report_type": "网格事件"},
                {"row_id": "grid2", "report_channel": "微信群", "report_type": "网格事件"},
                {"row_id": "dispute1", "report_channel": "电话", "report_type": "矛盾纠纷"},
                # the two types are the whole vocabulary, so only a row without a type is left out
                # (the clean contract does not allow it: report_type is not nullable)
                {"row_id": "untyped", "report_channel": "电话", "report_type": None},
            ],
            ("steward_reports", YEAR - 1): [{"row_id": "old", "report_type": "网格事件"}],
        },
    )
    result = figure("steward_reports", data)
    # 2 网格事件 + 1 矛盾纠纷 = 3
    assert result.value == 3
    assert counted(result) == ["dispute1", "grid1", "grid2"]
    assert excluded(result) == {"事件类型不符": ["untyped"]}


# --- dispute screening ----------------------------------------------------------------------


def _dispute(row_id: str, major: bool | None, handler: str, result: str) -> dict:
    return {
        "row_id": row_id,
        "found_date": "2025-07-01",
        "dispute_type": "邻里纠纷",
        "handler": handler,
        "major": major,
        "result": result,
    }


DISPUTES = frame_data(
    YEAR,
    {
        ("dispute_screening", YEAR): [
            _dispute("jiali-major1", True, "家理说事室", "化解成功"),
            _dispute("jiali-major2", True, "家理说事室", "化解成功"),
            # each of these three fails exactly one clause of the 重大 & 家理说事室 & 化解成功 filter
            _dispute("jiali-minor", False, "家理说事室", "化解成功"),
            _dispute("police-major", True, "警民联调中心", "化解成功"),
            _dispute("jiali-major-pending", True, "家理说事室", "化解中"),
            _dispute("village-failed", False, "村级调解室", "未化解"),
            _dispute("grid-ok", False, "网格员", "化解成功"),
            _dispute("sunshine-ok", False, "阳光汇客厅", "化解成功"),
        ],
        ("dispute_screening", YEAR - 1): [_dispute("old", True, "家理说事室", "化解成功")],
    },
)
DISPUTE_IDS = [
    "grid-ok",
    "jiali-major-pending",
    "jiali-major1",
    "jiali-major2",
    "jiali-minor",
    "police-major",
    "sunshine-ok",
    "village-failed",
]


def test_count_disputes_screened_counts_every_row_of_the_year():
    result = figure("disputes_screened", DISPUTES)
    # 8 disputes in 2025; the 2024 table is not read
    assert result.value == 8
    assert counted(result) == DISPUTE_IDS
    assert excluded(result) == {}


def test_dispute_resolution_rate_keeps_pending_disputes_in_the_base():
    result = figure("dispute_resolution_rate", DISPUTES)
    # 6 化解成功 of 8 found (化解中 and 未化解 stay in the base) -> 6/8 = 75%
    assert (result.numerator, result.denominator) == (6, 8)
    assert result.value == Decimal(75)
    assert counted(result) == ["grid-ok", "jiali-major1", "jiali-major2", "jiali-minor", "police-major", "sunshine-ok"]
    assert excluded(result) == {"未化解或化解中": ["jiali-major-pending", "village-failed"]}


def test_count_major_disputes_resolved_by_jiali_needs_all_three_conditions():
    result = figure("major_disputes_resolved", DISPUTES)
    # only jiali-major1 and jiali-major2 are 重大, by 家理说事室 and 化解成功 -> 2
    assert result.value == 2
    assert counted(result) == ["jiali-major1", "jiali-major2"]
    assert excluded(result) == {
        "非重大、非家理说事室化解或未化解成功": sorted(set(DISPUTE_IDS) - {"jiali-major1", "jiali-major2"})
    }


def test_count_major_disputes_with_the_major_flag_missing_is_not_counted():
    data = frame_data(YEAR, {("dispute_screening", YEAR): [_dispute("unknown", None, "家理说事室", "化解成功")]})
    assert figure("major_disputes_resolved", data).value == 0
