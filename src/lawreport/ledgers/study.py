"""学法与法治考试 ledgers: study sessions and the law exam roster (kept by 党政办)."""

from __future__ import annotations

from .spec import Column, Ledger

WORKBOOK = "{year}年学法考试台账.xlsx"

STUDY_SESSIONS = Ledger(
    table="study_sessions",
    title="党工委中心组学法记录",
    file=WORKBOOK,
    sheet="中心组学法",
    keeper="党政办",
    description="One row per study session of the Party working committee's theory group.",
    columns=(
        Column("session_id", "编号", "code", "学法记录编号", key=True),
        Column("session_date", "学习日期", "date", "学习日期", in_year=True),
        Column(
            "session_type", "学习形式", "category", "学习形式", allowed=("专题学法", "领导干部法治专题讲座", "集中学习")
        ),
        Column("topic", "学习内容", "text", "学习主题"),
        Column("attendees", "参学人数", "int", "参学人数", maximum=500),
    ),
)

LAW_EXAMS = Ledger(
    table="law_exams",
    title="年度法治考试参考名册",
    file=WORKBOOK,
    sheet="法治考试",
    keeper="党政办",
    description="One row per person required to sit the yearly law exam.",
    columns=(
        Column("staff_name", "姓名", "person_name", "应考人员姓名"),
        Column("staff_id_number", "身份证号", "id_number", "应考人员身份证号", key=True),
        Column("work_unit", "所在单位", "text", "所在科室或村(社区)"),
        Column(
            "staff_type", "人员类别", "category", "人员类别", allowed=("街道干部职工", "村(社区)工作人员", "法律明白人")
        ),
        Column("sat_exam", "是否参考", "flag", "是否参加考试"),
        Column("score", "考试成绩", "int", "考试成绩(百分制)", nullable=True, maximum=100),
        Column("passed", "是否合格", "flag", "成绩是否合格(≥60分)"),
    ),
)

LEDGERS = (STUDY_SESSIONS, LAW_EXAMS)
