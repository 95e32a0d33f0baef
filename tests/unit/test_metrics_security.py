"""Each figure of 社会治安 on small clean tables built by hand: the compute specs of claims/2025.yaml
(frames.figure) and the Python metric of metrics/security.py.

Every filter of a spec or metric meets at least one row that only this filter leaves out, so a filter
replaced by "keep every row" (or an isin list missing one value) changes the asserted result.
The expected values are worked out by hand in the comments.
"""

from __future__ import annotations

import pytest
from frames import counted_set as counted
from frames import excluded_by_row as excluded
from frames import figure, frame_data, spec_entries

from lawreport.metrics import METRICS, NoData
from lawreport.metrics import security as S

Y = 2025
TABLES = ("villages", "patrol_cars", "police_stations", "street_incidents", "case_records")


def compute(name: str, data):
    """A Python metric by its name, or a spec figure of the register by its id."""
    return METRICS[name](data) if name in METRICS else figure(name, data)


def test_every_metric_of_the_module_and_every_spec_figure_is_covered_here():
    names = {name for name, function in METRICS.items() if function.__module__ == S.__name__}
    assert names | spec_entries(*TABLES) == set(COVERED)


# --------------------------------------------------------------------------------------------------
# villages: count_villages


def test_count_villages_counts_villages_and_communities():
    data = frame_data(
        Y,
        {
            ("villages", Y): [
                {"row_id": "v1", "village_code": "331021001001", "village": "江口村", "village_type": "村"},
                {"row_id": "v2", "village_code": "331021001002", "village": "城南社区", "village_type": "社区"},
                {"row_id": "v3", "village_code": "331021001003", "village": "白沙社区", "village_type": "社区"},
                {"row_id": "v4", "village_code": "331021001004", "village": "新塘村", "village_type": None},
            ],
            # last year's list: not read
            ("villages", Y - 1): [{"row_id": "old1", "village": "江口村", "village_type": "村"}],
        },
    )
    result = figure("villages", data)
    # 村 v1 + 社区 v2, v3 = 3; v4 has no type -> left out
    assert result.value == 3
    assert counted(result) == {"v1", "v2", "v3"}
    assert excluded(result) == {"v4": "类型不符"}
    assert result.sources == {f"villages/{Y}": 4}


# --------------------------------------------------------------------------------------------------
# patrol_cars: count_patrol_cars


def test_count_patrol_cars_delivered_in_the_year():
    data = frame_data(
        Y,
        {
            ("patrol_cars", Y): [
                {"row_id": "k1", "car_type": "电动巡逻车", "delivered_date": "2025-01-01"},
                {"row_id": "k2", "car_type": "巡逻汽车", "delivered_date": "2025-12-31"},
                {"row_id": "k3", "car_type": "巡逻摩托车", "delivered_date": "2024-12-31"},
                {"row_id": "k4", "car_type": "电动巡逻车", "delivered_date": "2026-01-01"},
                {"row_id": "k5", "car_type": "电动巡逻车", "delivered_date": None},
            ],
            ("patrol_cars", Y - 1): [{"row_id": "old1", "delivered_date": "2024-05-01"}],
        },
    )
    result = figure("patrol_cars", data)
    # delivered in 2025: k1 (1 Jan), k2 (31 Dec) -> 2; k3 2024, k4 2026, k5 no date are left out
    assert result.value == 2
    assert counted(result) == {"k1", "k2"}
    assert excluded(result) == dict.fromkeys(["k3", "k4", "k5"], "不在报告年度配发")
    assert result.sources == {f"patrol_cars/{Y}": 5}


# --------------------------------------------------------------------------------------------------
# police_stations: police_stations_built_by_community


def test_police_stations_built_by_community():
    data = frame_data(
        Y,
        {
            ("police_stations", Y): [
                {"row_id": "w1", "station_name": "城南一号站", "village": "城南社区", "built_date": "2025-03-01"},
                {"row_id": "w2", "station_name": "城南二号站", "village": "城南社区", "built_date": "2025-12-31"},
                {"row_id": "w3", "station_name": "江口站", "village": "江口村", "built_date": "2025-01-01"},
                # built before the report year (the ledger lists every station ever built)
                {"row_id": "w4", "station_name": "白沙站", "village": "白沙村", "built_date": "2024-12-31"},
                {"row_id": "w5", "station_name": "城南老站", "village": "城南社区", "built_date": "2023-05-01"},
                # no build date
                {"row_id": "w6", "station_name": "江口二号站", "village": "江口村", "built_date": None},
            ],
        },
    )
    result = figure("police_stations_each", data)
    # built in 2025: 城南社区 w1, w2 -> 2; 江口村 w3 -> 1; 白沙村 only w4 (2024) -> no key;
    # w5 (2023) would make 城南社区 3 and w6 (no date) 江口村 2
    assert result.kind == "by_key"
    assert result.value == {"城南社区": 2, "江口村": 1}
    assert counted(result) == {"w1", "w2", "w3"}
    assert excluded(result) == dict.fromkeys(["w4", "w5", "w6"], "不在报告年度建成")


def test_police_stations_none_built_in_the_year_is_empty():
    rows = [{"row_id": "w1", "village": "城南社区", "built_date": "2024-06-01"}]
    result = figure("police_stations_each", frame_data(Y, {("police_stations", Y): rows}))
    assert result.value == {}


# --------------------------------------------------------------------------------------------------
# street_incidents: street_incidents_by_year


def incident(row_id, month, category, incidents):
    return {"row_id": row_id, "month": month, "incident_category": category, "incidents": incidents}


STREET = {
    Y - 2: [incident("i23-1", 1, "盗窃", 100)],  # two years back: not read
    Y - 1: [
        incident("i24-1", 1, "盗窃", 5),
        incident("i24-2", 2, "诈骗", 3),
        incident("i24-3", 12, "街面纠纷", 0),
    ],
    Y: [
        incident("i25-1", 1, "盗窃", 4),
        incident("i25-2", 6, "抢劫", 1),
        incident("i25-3", 12, "街面纠纷", 2),
        incident("i25-4", 7, "寻衅滋事", 0),
    ],
}


def test_street_incidents_by_year_sums_incidents():
    data = frame_data(Y, {("street_incidents", year): rows for year, rows in STREET.items()})
    result = S.street_incidents_by_year(data)
    # 2024: 5 + 3 + 0 = 8 (sum of 警情数, not 3 rows); 2025: 4 + 1 + 2 + 0 = 7 (not 4 rows);
    # every month and category counts (also 街面纠纷 in December)
    assert result.kind == "by_year"
    assert result.by_year == {Y - 1: 8, Y: 7}
    assert result.value == {str(Y - 1): 8, str(Y): 7}
    assert counted(result) == {"i24-1", "i24-2", "i24-3", "i25-1", "i25-2", "i25-3", "i25-4"}
    assert excluded(result) == {}
    assert result.sources == {f"street_incidents/{Y - 1}": 3, f"street_incidents/{Y}": 4}


# --------------------------------------------------------------------------------------------------
# case_records: juvenile_crime_by_year and the 3 counts of one case type


def case(row_id, case_type):
    return {"row_id": row_id, "case_type": case_type, "village": "江口村"}


JUVENILE = {
    Y - 2: [case("c23-1", "未成年人犯罪")],  # two years back: not read
    Y - 1: [case("c24-1", "未成年人犯罪"), case("c24-2", "扒窃"), case("c24-3", "未成年人犯罪")],
    Y: [
        case("c25-1", "盗窃机动车"),
        case("c25-2", "未成年人犯罪"),
        case("c25-3", "其他刑事案件"),
        case("c25-4", None),
    ],
}


def test_juvenile_crime_by_year():
    data = frame_data(Y, {("case_records", year): rows for year, rows in JUVENILE.items()})
    result = figure("juvenile_crime_yoy", data)
    # 2024: c24-1, c24-3 -> 2 (扒窃 left out); 2025: c25-2 -> 1 (盗窃机动车, 其他, empty left out)
    assert result.kind == "by_year"
    assert result.by_year == {Y - 1: 2, Y: 1}
    assert result.value == {str(Y - 1): 2, str(Y): 1}
    assert counted(result) == {"c24-1", "c24-3", "c25-2"}
    assert excluded(result) == dict.fromkeys(["c24-2", "c25-1", "c25-3", "c25-4"], "类别不符")
    assert set(result.sources) == {f"case_records/{Y - 1}", f"case_records/{Y}"}


BY_YEAR = {
    "street_incidents_by_year": ("street_incidents", STREET),
    "juvenile_crime_yoy": ("case_records", JUVENILE),
}
# NoData says which years are missing (the clean-data reader would also raise NoData, without saying why)
MISSING = {
    "street_incidents_by_year": lambda table, missing: f"同比需要 {Y - 1} 和 {Y} 两年的「{table}」",
    "juvenile_crime_yoy": lambda table, missing: f"需要 {missing} 年的「{table}」表",
}


@pytest.mark.parametrize("name", sorted(BY_YEAR))
@pytest.mark.parametrize("missing", [Y - 1, Y])
def test_by_year_needs_both_years(name, missing):
    table, rows_by_year = BY_YEAR[name]
    data = frame_data(Y, {(table, year): rows for year, rows in rows_by_year.items() if year != missing})
    with pytest.raises(NoData, match=MISSING[name](table, missing)):
        compute(name, data)


# One case of each type of the report year (plus 2 扒窃) and cases of last year that must not count.
CASES = [
    case("c1", "未成年人犯罪"),
    case("c2", "扒窃"),
    case("c3", "盗窃机动车"),
    case("c4", "在校学生非正常死亡"),
    case("c5", "电信网络诈骗"),
    case("c6", "其他刑事案件"),
    case("c7", "扒窃"),
    case("c8", None),
]
CASES_BEFORE = [case("old1", "扒窃"), case("old2", "盗窃机动车"), case("old3", "在校学生非正常死亡")]
ONE_TYPE = {
    # 扒窃: c2, c7 -> 2
    "pickpocketing_zero": ("扒窃", {"c2", "c7"}),
    # 盗窃机动车: c3 -> 1
    "vehicle_theft_zero": ("盗窃机动车", {"c3"}),
    # 在校学生非正常死亡: c4 -> 1
    "student_deaths_zero": ("在校学生非正常死亡", {"c4"}),
}


@pytest.mark.parametrize("name", sorted(ONE_TYPE))
def test_count_of_one_case_type(name):
    kind, ids = ONE_TYPE[name]
    data = frame_data(Y, {("case_records", Y): CASES, ("case_records", Y - 1): CASES_BEFORE})
    result = compute(name, data)
    assert result.kind == "count"
    assert result.value == len(ids)
    assert counted(result) == ids
    # the 8 rows of the year minus the counted ones, each other type and the empty type
    assert excluded(result) == dict.fromkeys({f"c{n}" for n in range(1, 9)} - ids, f"类别不是{kind}")
    assert result.sources == {f"case_records/{Y}": 8}


@pytest.mark.parametrize("name", sorted(ONE_TYPE))
def test_count_of_one_case_type_is_zero_without_such_cases(name):
    kind, _ = ONE_TYPE[name]
    rows = [c for c in CASES if c["case_type"] != kind]
    # the year's other cases and last year's cases of this type do not make it non-zero
    data = frame_data(Y, {("case_records", Y): rows, ("case_records", Y - 1): CASES_BEFORE})
    assert compute(name, data).value == 0


# --------------------------------------------------------------------------------------------------
# No clean table, no figure

COVERED = [
    "villages",
    "patrol_cars",
    "police_stations_each",
    "street_incidents_by_year",
    "juvenile_crime_yoy",
    "pickpocketing_zero",
    "vehicle_theft_zero",
    "student_deaths_zero",
]


@pytest.mark.parametrize("name", COVERED)
def test_missing_table_is_no_data(name):
    with pytest.raises(NoData):
        compute(name, frame_data(Y, {}))
