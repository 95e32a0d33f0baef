"""人民调解 ledgers: organisations, mediators, legal-adviser log, dispute screening (司法所)."""

from __future__ import annotations

from .spec import Column, Ledger

WORKBOOK = "{year}年人民调解台账.xlsx"

ADVISER_SERVICES = ("法律咨询", "代书法律文书", "合同审查", "法律援助", "普法讲座", "代理诉讼", "调解纠纷")
DISPUTE_RESULTS = ("化解成功", "化解中", "未化解")
DISPUTE_HANDLERS = ("家理说事室", "警民联调中心", "阳光汇客厅", "渝事好商量", "村级调解室", "网格员")

MEDIATION_ORGS = Ledger(
    table="mediation_orgs",
    title="调解组织网络",
    file=WORKBOOK,
    sheet="调解组织",
    keeper="司法所",
    description="One row per mediation organisation: the centre and its pivots (支点).",
    multi_year=True,
    columns=(
        Column("org_name", "组织名称", "text", "调解组织名称", key=True),
        Column("role", "网络定位", "category", "中心或支点", allowed=("中心", "支点")),
        Column("village", "所在地", "text", "所在村(社区)或街道", fill_down=True),
    ),
)

MEDIATORS = Ledger(
    table="mediators",
    title="调解队伍花名册",
    file=WORKBOOK,
    sheet="调解队伍",
    keeper="司法所",
    description="One row per member of the mediation team.",
    multi_year=True,
    columns=(
        Column("member_name", "姓名", "person_name", "姓名"),
        Column("member_phone", "联系电话", "phone", "联系电话", key=True),
        Column("member_role", "身份", "category", "队伍身份", allowed=("专职调解员", "法律明白人", "法律顾问")),
        Column("village", "所在村(社区)", "text", "所在村(社区)", fill_down=True),
    ),
)

LEGAL_ADVISER_LOG = Ledger(
    table="legal_adviser_log",
    title="法律顾问服务台账",
    file=WORKBOOK,
    sheet="法律顾问服务",
    keeper="司法所",
    description="One row per service given by the legal adviser to villages and residents.",
    columns=(
        Column("service_id", "编号", "code", "服务编号", key=True),
        Column("service_date", "服务日期", "date", "服务日期", in_year=True),
        Column("service_type", "服务类型", "category", "服务类型", allowed=ADVISER_SERVICES),
        Column("village", "服务村(居)", "text", "服务的村(居)"),
        Column("people_served", "服务人次", "int", "服务人次", maximum=500),
        Column("items", "件(份)数", "int", "文书、合同或案件件数", maximum=100),
        Column(
            "amount_recovered",
            "挽回经济损失(元)",
            "amount",
            "为当事人挽回的经济损失(元)",
            nullable=True,
            maximum=5_000_000,
        ),
        Column("client", "当事人", "person_name", "当事人姓名", nullable=True),
    ),
)

DISPUTE_SCREENING = Ledger(
    table="dispute_screening",
    title="矛盾纠纷排查化解台账",
    file=WORKBOOK,
    sheet="矛盾纠纷排查",
    keeper="综治中心",
    description="One row per dispute found by grid workers' screening (矛盾纠纷排查).",
    columns=(
        Column("dispute_id", "纠纷编号", "code", "纠纷编号", key=True),
        Column("found_date", "排查日期", "date", "排查发现日期", in_year=True),
        Column("village", "村(社区)", "text", "所在村(社区)"),
        Column(
            "dispute_type",
            "纠纷类型",
            "category",
            "纠纷类型",
            allowed=("婚姻家庭", "邻里纠纷", "劳动争议", "物业纠纷", "债权债务", "土地山林", "其他"),
        ),
        Column("party", "当事人", "person_name", "当事人姓名"),
        Column("handler", "化解主体", "category", "化解主体", allowed=DISPUTE_HANDLERS),
        Column("major", "是否重大", "flag", "是否重大矛盾纠纷"),
        Column("result", "化解结果", "category", "化解结果", allowed=DISPUTE_RESULTS),
    ),
)

LEDGERS = (MEDIATION_ORGS, MEDIATORS, LEGAL_ADVISER_LOG, DISPUTE_SCREENING)
