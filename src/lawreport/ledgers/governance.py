"""Governance ledgers: deputies' proposals, hotline complaints, 马路办公, county comparison."""

from __future__ import annotations

from .spec import Column, Ledger

DEPUTY_PROPOSALS = Ledger(
    table="deputy_proposals",
    title="人大代表、政协委员提(议)案及议事代表建议办理台账",
    file="{year}年代表建议办理台账.xlsx",
    sheet="建议提案",
    keeper="党政办",
    description="One row per proposal or suggestion the unit handled as lead (主办) or co-handler (协办).",
    columns=(
        Column("proposal_no", "编号", "code", "建议(提案)编号", key=True),
        Column("assigned_date", "交办日期", "date", "交办日期", in_year=True),
        Column("source", "来源", "category", "提出人身份", allowed=("人大代表", "政协委员", "议事代表")),
        Column("handling_role", "办理方式", "category", "主办或协办", allowed=("主办", "协办")),
        Column("subject", "建议(提案)名称", "text", "名称"),
        Column("replied", "是否答复", "flag", "是否已答复"),
    ),
)

HOTLINE_COMPLAINTS = Ledger(
    table="hotline_complaints",
    title="12345/12319/网络问政工单导出",
    file="12345热线工单导出_{year}.csv",
    sheet=None,
    keeper="12345热线平台",
    description="Platform export (CSV, GB18030): one row per complaint ticket assigned to the unit.",
    columns=(
        Column("ticket_no", "工单编号", "code", "工单编号", key=True),
        Column("received_at", "受理时间", "date", "受理日期", in_year=True),
        Column("hotline", "来源渠道", "category", "来源渠道", allowed=("12345", "12319", "网络问政")),
        Column("caller_name", "诉求人", "person_name", "诉求人姓名", nullable=True),
        Column("caller_phone", "联系电话", "phone", "诉求人电话", nullable=True),
        Column("complaint", "诉求内容", "narrative", "诉求内容(自由文本)"),
        Column("replied_at", "回复时间", "date", "回复日期", nullable=True),
        Column("ticket_status", "办理状态", "category", "办理状态", allowed=("已回复", "办理中")),
    ),
)

ROAD_OFFICE = Ledger(
    table="road_office",
    title="“马路办公”问题清单",
    file="{year}年马路办公台账.xlsx",
    sheet="问题清单",
    keeper="城市管理办",
    description="One row per issue found and handled during 马路办公 (street-side office hours).",
    columns=(
        Column("issue_no", "编号", "code", "问题编号", key=True),
        Column("found_date", "发现日期", "date", "发现日期", in_year=True),
        Column("location", "地点", "text", "地点(道路或小区)"),
        Column(
            "issue_type",
            "问题类型",
            "category",
            "问题类型",
            allowed=("占道经营", "乱堆乱放", "违规停车", "设施损坏", "环境卫生", "违规广告", "其他"),
        ),
        Column("resolved", "是否解决", "flag", "是否已解决"),
    ),
)

COUNTY_COMPARISON = Ledger(
    table="county_comparison",
    title="全县“大综合一体化”行政执法改革指标通报",
    file="{year}年大综合一体化指标通报.xlsx",
    sheet="指标通报",
    keeper="县综合行政执法局(通报)",
    description="One row per unit of the county and indicator, as published by the county bureau.",
    columns=(
        Column("unit", "街镇", "text", "街道或镇"),
        Column(
            "indicator",
            "指标",
            "category",
            "指标名称",
            allowed=(
                "综合行政执法活跃数",
                "活跃率",
                "行政检查户次",
                "行政处罚立案数",
                "行政处罚结案数",
                "行政检查规范率",
                "罚没金额",
            ),
        ),
        Column("value", "指标值", "amount", "指标值(率以百分数计)", maximum=100_000_000),
        Column("rank", "全县排名", "int", "县通报的排名", maximum=100),
    ),
)

LEDGERS = (DEPUTY_PROPOSALS, HOTLINE_COMPLAINTS, ROAD_OFFICE, COUNTY_COMPARISON)
