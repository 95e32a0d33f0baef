"""Metrics of 人民调解, the legal adviser, 阳光管家 and dispute screening."""

from __future__ import annotations

from .base import CleanData, MetricResult, count_rows, metric, rate, sum_column


def _service(kind: str):
    return lambda f: f.service_type == kind


@metric
def count_mediation_pivots(data: CleanData) -> MetricResult:
    """口径: mediation_orgs rows whose 网络定位 is 支点 (the networks around the 中心 家理说事室)."""
    return count_rows(data, "mediation_orgs", lambda f: f.role == "支点", "网络中心，不计为支点")


@metric
def count_full_time_mediators(data: CleanData) -> MetricResult:
    """口径: mediators rows whose 身份 is 专职调解员."""
    return count_rows(data, "mediators", lambda f: f.member_role == "专职调解员", "身份不是专职调解员")


@metric
def count_legal_literates(data: CleanData) -> MetricResult:
    """口径: mediators rows whose 身份 is 法律明白人."""
    return count_rows(data, "mediators", lambda f: f.member_role == "法律明白人", "身份不是法律明白人")


@metric
def count_legal_advisers(data: CleanData) -> MetricResult:
    """口径: mediators rows whose 身份 is 法律顾问."""
    return count_rows(data, "mediators", lambda f: f.member_role == "法律顾问", "身份不是法律顾问")


@metric
def sum_adviser_consultations(data: CleanData) -> MetricResult:
    """口径: sum of 服务人次 over legal_adviser_log rows of type 法律咨询."""
    return sum_column(data, "legal_adviser_log", "people_served", _service("法律咨询"), "不是法律咨询")


@metric
def sum_adviser_documents(data: CleanData) -> MetricResult:
    """口径: sum of 件(份)数 over legal_adviser_log rows of type 代书法律文书."""
    return sum_column(data, "legal_adviser_log", "items", _service("代书法律文书"), "不是代书")


@metric
def sum_adviser_contract_reviews(data: CleanData) -> MetricResult:
    """口径: sum of 件(份)数 over legal_adviser_log rows of type 合同审查."""
    return sum_column(data, "legal_adviser_log", "items", _service("合同审查"), "不是合同审查")


@metric
def count_legal_aid_cases(data: CleanData) -> MetricResult:
    """口径: legal_adviser_log rows of type 法律援助 (one row per case)."""
    return count_rows(data, "legal_adviser_log", _service("法律援助"), "不是法律援助")


@metric
def sum_amount_recovered(data: CleanData) -> MetricResult:
    """口径: sum of 挽回经济损失(元) over all legal_adviser_log rows of the year (empty counts as 0)."""
    return sum_column(
        data, "legal_adviser_log", "amount_recovered", lambda f: f.amount_recovered.notna(), "未挽回经济损失(空)"
    )


@metric
def count_adviser_lectures(data: CleanData) -> MetricResult:
    """口径: legal_adviser_log rows of type 普法讲座 (one row per lecture)."""
    return count_rows(data, "legal_adviser_log", _service("普法讲座"), "不是普法讲座")


@metric
def count_litigation_cases(data: CleanData) -> MetricResult:
    """口径: legal_adviser_log rows of type 代理诉讼."""
    return count_rows(data, "legal_adviser_log", _service("代理诉讼"), "不是代理诉讼")


@metric
def count_adviser_mediations(data: CleanData) -> MetricResult:
    """口径: legal_adviser_log rows of type 调解纠纷."""
    return count_rows(data, "legal_adviser_log", _service("调解纠纷"), "不是调解纠纷")


@metric
def count_stewards(data: CleanData) -> MetricResult:
    """口径: stewards (阳光管家名册, a cumulative roster) rows joined on or before the end of the report year."""
    return count_rows(data, "stewards", lambda f: f.joined_date.dt.year <= data.year, "吸纳日期晚于报告年度")


@metric
def count_steward_reports(data: CleanData) -> MetricResult:
    """口径: steward_reports rows of the report year (网格事件 and 矛盾纠纷)."""
    return count_rows(data, "steward_reports", lambda f: f.report_type.isin(["网格事件", "矛盾纠纷"]), "事件类型不符")


@metric
def count_disputes_screened(data: CleanData) -> MetricResult:
    """口径: dispute_screening rows of the report year (one row per dispute found)."""
    return count_rows(data, "dispute_screening", lambda f: f.row_id.notna(), "全部计入")


@metric
def dispute_resolution_rate(data: CleanData) -> MetricResult:
    """口径: dispute_screening rows with 化解结果 = 化解成功 ÷ all disputes found (化解中 stays in the base)."""
    return rate(data, "dispute_screening", lambda f: f.result == "化解成功", "未化解或化解中")


@metric
def count_major_disputes_resolved_by_jiali(data: CleanData) -> MetricResult:
    """口径: dispute_screening rows that are 重大, handled by 家理说事室 and 化解成功."""
    return count_rows(
        data,
        "dispute_screening",
        lambda f: f.major & (f.handler == "家理说事室") & (f.result == "化解成功"),
        "非重大、非家理说事室化解或未化解成功",
    )
