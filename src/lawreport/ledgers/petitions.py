"""信访 ledgers: petition register, legacy cases, escalated petitions (kept by 信访办)."""

from __future__ import annotations

from .spec import Column, Ledger

WORKBOOK = "{year}年信访事项登记台账.xlsx"

PETITION_CATEGORIES = ("城乡建设", "劳动社保", "农村农业", "自然资源", "民政", "政法", "卫生健康", "其他")
SATISFACTION = ("满意", "基本满意", "不满意", "未评价")

PETITIONS = Ledger(
    table="petitions",
    title="信访事项登记台账",
    file=WORKBOOK,
    sheet="信访登记",
    keeper="信访办",
    description="One row per petition (信访事项) received in the year.",
    checks=("closed_not_before_received", "deadline_not_before_received"),
    columns=(
        Column("case_no", "信访件编号", "code", "信访件编号", key=True),
        Column("received_date", "受理|日期", "date", "受理日期", in_year=True),
        Column(
            "channel", "受理|方式", "category", "来信/来访/网上信访", allowed=("来信", "来访", "网上信访", "领导接访")
        ),
        Column("petitioner", "信访人|姓名", "person_name", "信访人姓名"),
        Column("petitioner_id_number", "信访人|身份证号", "id_number", "信访人身份证号"),
        Column("petitioner_phone", "信访人|联系电话", "phone", "信访人联系电话"),
        Column("petitioner_address", "信访人|住址", "address", "信访人住址"),
        Column("category", "问题类别", "category", "信访问题类别", allowed=PETITION_CATEGORIES),
        Column("summary", "主要诉求", "narrative", "诉求摘要(自由文本，含个人信息)"),
        Column("deadline", "办理期限", "date", "按期办结的期限"),
        Column("closed_date", "办结|日期", "date", "办结日期", nullable=True),
        Column("on_time", "办结|是否按期", "flag", "是否在期限内办结"),
        Column("satisfaction", "群众评价", "category", "信访人评价", allowed=SATISFACTION),
    ),
)

LEGACY_CASES = Ledger(
    table="legacy_cases",
    title="历史遗留问题化解台账",
    file=WORKBOOK,
    sheet="历史遗留问题",
    keeper="信访办",
    description="One row per long-standing case (历史遗留问题) tracked this year.",
    columns=(
        Column("legacy_id", "编号", "code", "问题编号", key=True),
        Column("title", "问题名称", "text", "问题名称"),
        Column("first_year", "形成年度", "year", "问题形成年度"),
        Column("status", "化解状态", "category", "化解状态", allowed=("已化解", "化解中")),
        Column("resolved_date", "化解日期", "date", "化解日期", nullable=True, in_year=True),
    ),
)

ESCALATED_PETITIONS = Ledger(
    table="escalated_petitions",
    title="越级上访登记(到市集访、进京上访)",
    file=WORKBOOK,
    sheet="越级上访",
    keeper="信访办",
    description="One row per escalated petition: a group visit to the city or a visit to Beijing.",
    columns=(
        Column("event_id", "编号", "code", "登记编号", key=True),
        Column("event_date", "发生日期", "date", "发生日期", in_year=True),
        Column("escalation", "类型", "category", "越级类型", allowed=("到市集访", "进京上访")),
        Column("people", "人数", "int", "涉及人数", maximum=500),
        Column("leader", "带头人", "person_name", "带头人姓名", nullable=True),
    ),
)

LEDGERS = (PETITIONS, LEGACY_CASES, ESCALATED_PETITIONS)
