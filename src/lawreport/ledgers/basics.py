"""基础信息 ledgers: villages and communities, patrol cars, police stations (kept by 平安办)."""

from __future__ import annotations

from .spec import Column, Ledger

WORKBOOK = "{year}年基础信息台账.xlsx"

VILLAGES = Ledger(
    table="villages",
    title="村(社区)基本情况",
    file=WORKBOOK,
    sheet="村社区",
    keeper="党政办",
    description="One row per village (村) or community (社区) of the unit.",
    multi_year=True,
    columns=(
        Column("village_code", "区划代码", "code", "统计用区划代码(12位，保留前导零)", key=True),
        Column("village", "村(社区)名称", "text", "村(社区)名称"),
        Column("village_type", "类型", "category", "村或社区", allowed=("村", "社区")),
        Column("households", "户数", "int", "户籍户数", maximum=50000),
    ),
)

PATROL_CARS = Ledger(
    table="patrol_cars",
    title="巡逻车配备台账",
    file=WORKBOOK,
    sheet="巡逻车",
    keeper="平安办",
    description="One row per patrol car handed to the subdistrict or a village/community.",
    columns=(
        Column("car_id", "车辆编号", "code", "车辆编号", key=True),
        Column("holder", "配备单位", "text", "配备给的街道或村(社区)"),
        Column("car_type", "车型", "category", "车型", allowed=("电动巡逻车", "巡逻摩托车", "巡逻汽车")),
        Column("delivered_date", "配发日期", "date", "配发日期", in_year=True),
    ),
)

POLICE_STATIONS = Ledger(
    table="police_stations",
    title="治安巡逻警务站建设台账",
    file=WORKBOOK,
    sheet="警务站",
    keeper="平安办",
    description="One row per 治安巡逻警务站 built.",
    multi_year=True,
    columns=(
        Column("station_name", "警务站名称", "text", "警务站名称", key=True),
        Column("village", "所在社区", "text", "所在村(社区)"),
        Column("built_date", "建成日期", "date", "建成日期"),
        Column("functions", "功能", "text", "集成功能"),
    ),
)

LEDGERS = (VILLAGES, PATROL_CARS, POLICE_STATIONS)
