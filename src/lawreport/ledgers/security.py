"""社会治安 ledgers: street police incidents by month and category, case records (派出所通报)."""

from __future__ import annotations

from .spec import Column, Ledger

WORKBOOK = "{year}年社会治安台账.xlsx"

NINE_STREET_CATEGORIES = (
    "抢劫",
    "抢夺",
    "盗窃",
    "诈骗",
    "故意伤害",
    "寻衅滋事",
    "聚众斗殴",
    "强制猥亵",
    "街面纠纷",
)
CASE_TYPES = ("未成年人犯罪", "扒窃", "盗窃机动车", "在校学生非正常死亡", "电信网络诈骗", "其他刑事案件")

STREET_INCIDENTS = Ledger(
    table="street_incidents",
    title="九类街面110警情月报",
    file=WORKBOOK,
    sheet="街面警情",
    keeper="派出所",
    description="One row per month and category: count of 九类街面110警情 in the unit's area.",
    columns=(
        Column("month", "月份", "month", "月份(1-12)"),
        Column("incident_category", "警情类别", "category", "九类街面警情类别", allowed=NINE_STREET_CATEGORIES),
        Column("incidents", "警情数", "int", "警情起数", maximum=10000),
    ),
)

CASE_RECORDS = Ledger(
    table="case_records",
    title="重点案(事)件登记",
    file=WORKBOOK,
    sheet="案件登记",
    keeper="派出所",
    description="One row per case of the kinds the report counts (未成年人犯罪, 扒窃, ...).",
    columns=(
        Column("case_no", "案件编号", "code", "案件编号", key=True),
        Column("case_date", "发案日期", "date", "发案日期", in_year=True),
        Column("case_type", "案件类别", "category", "案件类别", allowed=CASE_TYPES),
        Column("village", "发案地", "text", "发案村(社区)"),
    ),
)

LEDGERS = (STREET_INCIDENTS, CASE_RECORDS)
