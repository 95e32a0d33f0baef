"""普法宣传 ledgers: publicity events, school lectures and demonstration units (kept by 司法所)."""

from __future__ import annotations

from .spec import Column, Ledger

WORKBOOK = "{year}年普法宣传台账.xlsx"

SEVEN_VENUES = ("进机关", "进乡村", "进社区", "进学校", "进企业", "进单位", "进网络")

PUBLICITY_EVENTS = Ledger(
    table="publicity_events",
    title="普法活动登记表",
    file=WORKBOOK,
    sheet="普法活动",
    keeper="司法所",
    description="One row per publicity event (普法活动) with its 七进 venue type.",
    columns=(
        Column("event_id", "活动编号", "code", "活动编号", key=True),
        Column("event_date", "活动日期", "date", "活动日期", in_year=True),
        Column("event_name", "活动名称", "text", "活动名称"),
        Column("venue_type", "七进类别", "category", "法律“七进”类别", allowed=SEVEN_VENUES),
        Column("location", "活动地点", "text", "活动地点"),
        Column("materials", "发放资料|份数", "int", "发放宣传资料份数", maximum=20000),
        Column("people_reached", "覆盖群众|人次", "int", "覆盖群众人次", maximum=20000),
    ),
)

SCHOOL_LECTURES = Ledger(
    table="school_lectures",
    title="法治副校长进校园宣讲记录",
    file=WORKBOOK,
    sheet="法治副校长进校园",
    keeper="司法所",
    description="One row per lecture given in a school by a 法治副校长.",
    columns=(
        Column("lecture_id", "编号", "code", "宣讲编号", key=True),
        Column("lecture_date", "宣讲日期", "date", "宣讲日期", in_year=True),
        Column("school", "学校", "text", "学校名称"),
        Column("lecturer", "法治副校长", "person_name", "宣讲的法治副校长"),
        Column("term", "学期", "category", "开学季", allowed=("春季开学季", "秋季开学季", "其他")),
        Column("form", "形式", "category", "宣讲形式", allowed=("法治课堂", "模拟法庭", "专题讲座")),
        Column("audience", "受众人数", "int", "受众学生人数", maximum=5000),
    ),
)

DEMONSTRATION_UNITS = Ledger(
    table="demonstration_units",
    title="民主法治示范村(社区)创建情况",
    file=WORKBOOK,
    sheet="示范创建",
    keeper="司法所",
    description="One row per 民主法治示范村(社区) title held by a village or community.",
    multi_year=True,
    columns=(
        Column("village", "村(社区)", "text", "村(社区)名称"),
        Column("level", "示范级别", "category", "示范级别", allowed=("全国", "市级", "县级")),
        Column("title_year", "命名年度", "year", "获得命名的年度"),
        Column("status", "创建状态", "category", "创建状态", allowed=("已命名", "创建中")),
    ),
)

LEDGERS = (PUBLICITY_EVENTS, SCHOOL_LECTURES, DEMONSTRATION_UNITS)
