"""阳光管家 ledgers: the roster of sunshine stewards and what they report (综治中心)."""

from __future__ import annotations

from .spec import Column, Ledger

WORKBOOK = "{year}年阳光管家台账.xlsx"

STEWARDS = Ledger(
    table="stewards",
    title="阳光管家名册",
    file=WORKBOOK,
    sheet="阳光管家名册",
    keeper="综治中心",
    description="One row per recruited 阳光管家 (couriers, riders, ride-hail and taxi drivers).",
    multi_year=True,
    columns=(
        Column("steward_no", "管家编号", "code", "阳光管家编号", key=True),
        Column("steward_name", "姓名", "person_name", "姓名"),
        Column("steward_phone", "联系电话", "phone", "联系电话"),
        Column("occupation", "职业", "category", "职业", allowed=("快递员", "外卖小哥", "网约车司机", "出租车司机")),
        Column("joined_date", "吸纳日期", "date", "吸纳日期"),
    ),
)

STEWARD_REPORTS = Ledger(
    table="steward_reports",
    title="阳光管家反馈事件登记",
    file=WORKBOOK,
    sheet="反馈事件",
    keeper="综治中心",
    description="One row per grid event or dispute reported by a steward.",
    columns=(
        Column("report_id", "事件编号", "code", "事件编号", key=True),
        Column("report_date", "反馈日期", "date", "反馈日期", in_year=True),
        Column("steward_no", "管家编号", "code", "反馈人的管家编号"),
        Column("report_channel", "反馈渠道", "category", "反馈渠道", allowed=("渝快办", "微信群", "电话")),
        Column("report_type", "事件类型", "category", "事件类型", allowed=("网格事件", "矛盾纠纷")),
        Column("description", "事件描述", "narrative", "事件描述(自由文本)"),
    ),
)

LEDGERS = (STEWARDS, STEWARD_REPORTS)
