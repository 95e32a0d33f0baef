"""综合行政执法 ledgers: staff, platform events, inspections, penalty cases (综合行政执法大队)."""

from __future__ import annotations

from .spec import Column, Ledger

WORKBOOK = "{year}年综合行政执法台账.xlsx"

ENFORCEMENT_STAFF = Ledger(
    table="enforcement_staff",
    title="执法人员名册",
    file=WORKBOOK,
    sheet="执法人员",
    keeper="综合行政执法大队",
    description="One row per enforcement officer holding a law-enforcement certificate.",
    multi_year=True,
    columns=(
        Column("officer_name", "姓名", "person_name", "执法人员姓名"),
        Column("certificate_no", "执法证号", "code", "行政执法证件号", key=True),
        Column("on_platform", "是否接入执法+监督平台", "flag", "是否接入“执法+监督”数字平台"),
        Column("cases_handled", "年度办案数", "int", "年度在平台办理的案件数", maximum=1000),
        Column("active", "是否活跃", "flag", "平台认定的活跃执法人员"),
    ),
)

PLATFORM_EVENTS = Ledger(
    table="platform_events",
    title="基层智治平台网格事件导出",
    file="基层智治平台事件导出_{year}.csv",
    sheet=None,
    keeper="基层智治平台",
    description="Platform export (CSV, GB18030): one row per grid event received for handling.",
    columns=(
        Column("event_no", "事件编号", "code", "平台事件编号", key=True),
        Column("reported_at", "上报时间", "date", "上报日期", in_year=True),
        Column("event_source", "事件来源", "category", "事件来源", allowed=("网格上报", "141平台", "群众投诉")),
        Column("event_type", "事件类型", "text", "事件类型"),
        Column("event_status", "处置状态", "category", "处置状态", allowed=("已办结", "处置中")),
        Column("reporter_phone", "上报人电话", "phone", "上报人电话", nullable=True),
    ),
)

JOINT_INSPECTIONS = Ledger(
    table="joint_inspections",
    title="“综合查一次”联合检查登记",
    file=WORKBOOK,
    sheet="综合查一次",
    keeper="综合行政执法大队",
    description="One row per joint inspection (综合查一次) the unit led or joined.",
    columns=(
        Column("inspection_id", "编号", "code", "检查编号", key=True),
        Column("inspection_date", "检查日期", "date", "检查日期", in_year=True),
        Column("role", "牵头/参与", "category", "本单位角色", allowed=("牵头", "参与")),
        Column("departments", "联合部门", "text", "参与检查的部门"),
        Column("enterprises", "检查企业数", "int", "检查企业户数", maximum=200),
        Column("trigger", "检查依据", "category", "发起依据", allowed=("年度计划", "投诉举报", "风险预警")),
    ),
)

ENTERPRISE_CHECKS = Ledger(
    table="enterprise_checks",
    title="涉企检查(扫码入企)登记",
    file=WORKBOOK,
    sheet="涉企检查",
    keeper="综合行政执法大队",
    description="One row per enterprise check: whether the QR code was scanned and the credit model used.",
    columns=(
        Column("check_id", "编号", "code", "检查编号", key=True),
        Column("check_date", "检查日期", "date", "检查日期", in_year=True),
        Column("enterprise", "企业名称", "text", "被检查企业"),
        Column("qr_scanned", "是否扫码入企", "flag", "是否扫码入企"),
        Column("credit_model", "是否调用信用模型", "flag", "是否调用信用模型"),
        Column("credit_scenario", "是否实施信用+执法场景", "flag", "是否实施“信用+执法”综合场景"),
    ),
)

ADMIN_INSPECTIONS = Ledger(
    table="admin_inspections",
    title="行政检查登记",
    file=WORKBOOK,
    sheet="行政检查",
    keeper="综合行政执法大队",
    description="One row per administrative inspection (户次), with the platform's 规范 judgement.",
    columns=(
        Column("inspection_no", "检查编号", "code", "检查编号", key=True),
        Column("inspection_date", "检查日期", "date", "检查日期", in_year=True),
        Column("target", "检查对象", "text", "检查对象(企业或个体户)"),
        Column("inspector", "检查人员", "person_name", "主办检查人员"),
        Column("compliant", "是否规范", "flag", "检查程序是否规范"),
    ),
)

PENALTY_CASES = Ledger(
    table="penalty_cases",
    title="行政处罚案件台账",
    file=WORKBOOK,
    sheet="行政处罚",
    keeper="综合行政执法大队",
    description="One row per administrative penalty case filed (立案), with closing and fines.",
    checks=("closed_not_before_filed",),
    columns=(
        Column("case_no", "案件编号", "code", "行政处罚案件编号", key=True),
        Column("filed_date", "立案日期", "date", "立案日期"),
        Column("violation", "违法行为", "text", "违法行为类别"),
        Column("party", "当事人", "person_name", "当事人(个人姓名或企业名称)"),
        Column("closed_date", "结案日期", "date", "结案日期", nullable=True),
        Column("fine_amount", "罚没金额(元)", "amount", "罚没金额(元)", nullable=True, maximum=1_000_000),
    ),
)

LEDGERS = (ENFORCEMENT_STAFF, PLATFORM_EVENTS, JOINT_INSPECTIONS, ENTERPRISE_CHECKS, ADMIN_INSPECTIONS, PENALTY_CASES)
