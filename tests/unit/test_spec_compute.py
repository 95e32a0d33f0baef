"""The spec language (lawreport.register) on small clean tables built by hand: each filter kind, each
aggregate, years and per-year series, ratio and difference, empty tables, empty values, quarantined
rows. Every expected value is worked out by hand in the comments."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml
from frames import counted_ids as counted
from frames import excluded_by_reason as excluded
from frames import frame_data

from lawreport.metrics import NoData
from lawreport.register import evaluate
from lawreport.register.claims import FigureEntry, verify_entry
from lawreport.register.spec import Operand, parse_compute_data

Y = 2025


def spec(text: str):
    return parse_compute_data(yaml.safe_load(text))


def run(text: str, data):
    return evaluate(spec(text), data)


# --- filters ------------------------------------------------------------------------------------

PETITIONS = [
    # received, deadline, closed, on_time, satisfaction, channel
    {"row_id": "p1", "received_date": "2025-01-10", "deadline": "2025-02-10", "closed_date": "2025-02-01",
     "on_time": True, "satisfaction": "满意", "channel": "来信"},
    {"row_id": "p2", "received_date": "2025-03-10", "deadline": "2025-04-10", "closed_date": "2025-04-10",
     "on_time": True, "satisfaction": "基本满意", "channel": "来访"},
    {"row_id": "p3", "received_date": "2025-06-10", "deadline": "2025-07-10", "closed_date": "2025-07-11",
     "on_time": False, "satisfaction": "不满意", "channel": "网上信访"},
    {"row_id": "p4", "received_date": "2025-11-10", "deadline": "2025-12-10", "closed_date": None,
     "on_time": None, "satisfaction": "未评价", "channel": None},
]  # fmt: skip
PETITION_DATA = frame_data(Y, {("petitions", Y): PETITIONS, ("petitions", Y - 1): [{"row_id": "old"}]})


@pytest.mark.parametrize(
    ("where", "ids"),
    [
        # equality with a category value; p4's empty channel satisfies nothing
        ("{channel: 来信}", ["p1"]),
        ("{channel: {not: 来信}}", ["p2", "p3"]),
        ("{channel: {in: [来信, 来访]}}", ["p1", "p2"]),
        ("{channel: {not_in: [来信, 来访]}}", ["p3"]),
        # a flag: true / false; the empty flag of p4 is neither
        ("{on_time: true}", ["p1", "p2"]),
        ("{on_time: false}", ["p3"]),
        ("{closed_date: {empty: true}}", ["p4"]),
        ("{closed_date: {empty: false}}", ["p1", "p2", "p3"]),
        # a date against another column of the row: p2 closed on its deadline, p3 a day late
        ("{closed_date: {<=: {column: deadline}}}", ["p1", "p2"]),
        ("{closed_date: {<: {column: deadline}}}", ["p1"]),
        ("{closed_date: {'>': {column: deadline}}}", ["p3"]),
        ("{closed_date: {'>=': {column: deadline}}}", ["p2", "p3"]),
        # a period of the year: 截至 6 月 (01-01 .. 06-30; p3 on 06-10), to 06-09, from 03-10 on
        ("{received_date: {from: '01-01', to: '06-30'}}", ["p1", "p2", "p3"]),
        ("{received_date: {to: '06-09'}}", ["p1", "p2"]),
        ("{received_date: {from: '03-10'}}", ["p2", "p3", "p4"]),
        ("{received_date: in_year}", ["p1", "p2", "p3", "p4"]),
        ("{closed_date: in_year}", ["p1", "p2", "p3"]),
        # several conditions: all must hold
        ("{on_time: true, channel: 来访}", ["p2"]),
        ("{closed_date: {empty: false, <=: {column: deadline}}, satisfaction: {in: [满意, 不满意]}}", ["p1"]),
    ],
)
def test_each_filter_keeps_exactly_its_rows(where, ids):
    result = run(f"{{count: {{table: petitions, where: {where}}}}}", PETITION_DATA)
    assert result.kind == "count" and result.value == len(ids)
    assert counted(result) == ids
    assert sorted(i for rows in result.excluded for i in rows.row_ids) == sorted({"p1", "p2", "p3", "p4"} - set(ids))
    assert result.sources == {f"petitions/{Y}": 4}, "only the report year's table is read"


def test_numbers_compare_with_literals_and_to_year_end_with_the_year():
    rows = [{"row_id": f"e{n}", "score": score} for n, score in enumerate([59, 60, 100, None], start=1)]
    data = frame_data(Y, {("law_exams", Y): rows})
    # 60 and 100 are >= 60; the empty score is not
    assert counted(run("{count: {table: law_exams, where: {score: {'>=': 60}}}}", data)) == ["e2", "e3"]
    assert counted(run("{count: {table: law_exams, where: {score: 59}}}", data)) == ["e1"]
    stewards = [
        {"row_id": "s1", "joined_date": "2023-05-01"},
        {"row_id": "s2", "joined_date": "2025-12-31"},
        {"row_id": "s3", "joined_date": "2026-01-01"},
    ]
    data = frame_data(Y, {("stewards", Y): stewards})
    # 截至年末: 2023 and the last day of 2025 count, 2026 does not
    assert counted(run("{count: {table: stewards, where: {joined_date: to_year_end}}}", data)) == ["s1", "s2"]


def test_left_out_rows_carry_the_spec_reason_or_one_written_from_the_conditions():
    stated = run("{count: {table: petitions, where: {on_time: true}, excluded_as: 未按期}}", PETITION_DATA)
    assert excluded(stated) == {"未按期": ["p3", "p4"]}
    written = run("{count: {table: petitions, where: {on_time: true}}}", PETITION_DATA)
    assert excluded(written) == {"不满足条件：「办结是否按期」为“是”": ["p3", "p4"]}


# --- aggregates ---------------------------------------------------------------------------------

LOG = [
    {"row_id": "a1", "service_type": "法律咨询", "village": "一村", "people_served": 10, "amount_recovered": 100.1},
    {"row_id": "a2", "service_type": "法律咨询", "village": "二村", "people_served": 5, "amount_recovered": 200.2},
    {"row_id": "a3", "service_type": "法律咨询", "village": "一村", "people_served": None, "amount_recovered": None},
    {"row_id": "a4", "service_type": "合同审查", "village": "三村", "people_served": 7, "amount_recovered": 50.0},
]
LOG_DATA = frame_data(Y, {("legal_adviser_log", Y): LOG})
CONSULT = "where: {service_type: 法律咨询}, excluded_as: 不是咨询"


def test_sum_adds_exactly_and_lists_empty_values_as_zero():
    result = run(f"{{sum: {{table: legal_adviser_log, column: amount_recovered, {CONSULT}}}}}", LOG_DATA)
    # 100.1 + 200.2 + (empty -> 0) = 300.3 exactly, not 300.29999…
    assert result.kind == "amount" and result.value == Decimal("300.3")
    assert counted(result) == ["a1", "a2", "a3"]
    assert excluded(result) == {"不是咨询": ["a4"], "「amount_recovered」为空，按 0 计": ["a3"]}
    whole = run("{sum: {table: legal_adviser_log, column: people_served}}", LOG_DATA)
    # 10 + 5 + 0 + 7 = 22, an integral Decimal
    assert whole.value == Decimal(22) and str(whole.value) == "22"


def test_count_distinct_counts_values_not_rows():
    result = run(f"{{count_distinct: {{table: legal_adviser_log, column: village, {CONSULT}}}}}", LOG_DATA)
    # 法律咨询 rows a1, a2, a3 in 一村, 二村, 一村 -> 2 villages
    assert result.kind == "count" and result.value == 2
    assert counted(result) == ["a1", "a2", "a3"]
    many = run("{count_distinct: {table: legal_adviser_log, column: people_served}}", LOG_DATA)
    # 10, 5, 7 (a3 empty, listed and not counted)
    assert many.value == 3 and counted(many) == ["a1", "a2", "a4"]
    assert excluded(many) == {"「people_served」为空，不计": ["a3"]}


def test_min_and_max_of_a_column():
    assert run("{max: {table: legal_adviser_log, column: people_served}}", LOG_DATA).value == Decimal(10)
    assert run("{min: {table: legal_adviser_log, column: people_served}}", LOG_DATA).value == Decimal(5)
    low = run(f"{{min: {{table: legal_adviser_log, column: amount_recovered, {CONSULT}}}}}", LOG_DATA)
    assert low.value == Decimal("100.1") and low.kind == "amount"
    none = frame_data(Y, {("legal_adviser_log", Y): [LOG[2]]})
    with pytest.raises(NoData):  # only an empty value: no minimum to give
        run("{min: {table: legal_adviser_log, column: people_served}}", none)


def test_count_by_a_column():
    result = run(f"{{count: {{table: legal_adviser_log, by: village, {CONSULT}}}}}", LOG_DATA)
    # 法律咨询: 一村 a1, a3; 二村 a2
    assert result.kind == "by_key" and result.value == {"一村": 2, "二村": 1}


def test_rate_with_and_without_a_base():
    plain = run("{rate: {of: {table: petitions, where: {on_time: true}, excluded_as: 未按期}}}", PETITION_DATA)
    # 2 of 4
    assert (plain.kind, plain.numerator, plain.denominator, plain.value) == ("rate", 2, 4, Decimal(50))
    assert counted(plain) == ["p1", "p2"] and excluded(plain) == {"未按期": ["p3", "p4"]}
    based = run(
        """
        rate:
          base: {table: petitions, where: {satisfaction: {not: 未评价}}, excluded_as: 未评价}
          of: {where: {satisfaction: {in: [满意, 基本满意]}}, excluded_as: 不满意}
        """,
        PETITION_DATA,
    )
    # base p1, p2, p3 (p4 未评价); 满意 + 基本满意 = 2 of 3
    assert (based.numerator, based.denominator) == (2, 3)
    assert excluded(based) == {"未评价": ["p4"], "不满意": ["p3"]}


# --- empty tables, missing tables ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("{count: {table: petitions, where: {on_time: true}}}", 0),
        ("{sum: {table: legal_adviser_log, column: people_served}}", Decimal(0)),
        ("{count_distinct: {table: legal_adviser_log, column: village}}", 0),
        ("{rate: {of: {table: petitions, where: {on_time: true}}}}", Decimal(0)),
    ],
)
def test_an_empty_table_gives_zero_and_a_missing_table_no_data(text, value):
    table = yaml.safe_load(text)
    name = next(iter(table.values()))
    name = name.get("table") or name["of"]["table"]
    result = run(text, frame_data(Y, {(name, Y): []}))
    assert result.value == value and counted(result) == []
    if result.kind == "rate":
        assert (result.numerator, result.denominator) == (0, 0)
    with pytest.raises(NoData):
        run(text, frame_data(Y, {(name, Y - 1): []}))


# --- years and series ---------------------------------------------------------------------------


def cases(year: int, types: list[str | None]) -> list[dict]:
    return [{"row_id": f"c{year}-{n}", "case_type": t} for n, t in enumerate(types, start=1)]


CASES = frame_data(
    Y,
    {
        ("case_records", 2022): cases(2022, ["扒窃"]),
        ("case_records", 2024): cases(2024, ["扒窃", "扒窃", "其他刑事案件"]),
        ("case_records", 2025): cases(2025, ["扒窃", None]),
        ("case_records", 2026): cases(2026, ["扒窃"]),  # after the report year: never read
    },
)
PICKPOCKET = "count: {table: case_records, where: {case_type: 扒窃}, excluded_as: 不是扒窃}"


def test_per_year_over_every_cleaned_year_up_to_the_report_year():
    result = run(f"{{{PICKPOCKET}, years: all, per_year: true}}", CASES)
    # 2022: 1, 2024: 2, 2025: 1 (2023 was not cleaned: absent, never zero)
    assert result.kind == "by_year" and result.by_year == {2022: 1, 2024: 2, 2025: 1}
    assert result.value == {"2022": 1, "2024": 2, "2025": 1}
    assert set(result.sources) == {"case_records/2022", "case_records/2024", "case_records/2025"}


def test_the_last_n_years_summed_or_per_year_and_a_missing_year_is_no_data():
    summed = run(f"{{{PICKPOCKET}, years: {{last: 2}}}}", CASES)
    # 2024: 2 + 2025: 1 = 3
    assert (summed.kind, summed.value, summed.by_year) == ("count", 3, {2024: 2, 2025: 1})
    assert excluded(summed) == {"不是扒窃": ["c2024-3", "c2025-2"]}
    series = run(f"{{{PICKPOCKET}, years: {{last: 2}}, per_year: true}}", CASES)
    assert series.by_year == {2024: 2, 2025: 1}
    with pytest.raises(NoData, match="需要 2023 年的「case_records」表"):
        run(f"{{{PICKPOCKET}, years: {{last: 3}}}}", CASES)
    with pytest.raises(NoData, match="报告年度 2025 没有"):
        run(f"{{{PICKPOCKET}, years: all}}", frame_data(Y, {("case_records", 2024): []}))


def test_a_rate_per_year_gives_k_and_n_of_each_year():
    data = frame_data(
        Y,
        {
            ("law_exams", 2024): [{"row_id": "x1", "passed": True}, {"row_id": "x2", "passed": False}],
            ("law_exams", 2025): [{"row_id": "y1", "passed": True}],
        },
    )
    result = run("{rate: {of: {table: law_exams, where: {passed: true}}}, years: all, per_year: true}", data)
    assert result.kind == "rate_by_year" and result.by_year == {2024: (1, 2), 2025: (1, 1)}
    assert (result.numerator, result.denominator, result.value) == (1, 1, Decimal(100))


def test_a_sum_per_year():
    data = frame_data(
        Y,
        {
            ("street_incidents", 2024): [{"row_id": "i1", "incidents": 5}, {"row_id": "i2", "incidents": 3}],
            ("street_incidents", 2025): [{"row_id": "j1", "incidents": 4}, {"row_id": "j2", "incidents": None}],
        },
    )
    result = run("{sum: {table: street_incidents, column: incidents}, years: {last: 2}, per_year: true}", data)
    # 2024: 8; 2025: 4 + (empty -> 0) = 4
    assert result.kind == "by_year" and result.by_year == {2024: 8, 2025: 4}


# --- ratio and difference of two figures --------------------------------------------------------

STAFF = frame_data(
    Y,
    {
        ("enforcement_staff", Y): [
            {"row_id": "s1", "active": True, "on_platform": True},
            {"row_id": "s2", "active": False, "on_platform": True},
            {"row_id": "s3", "active": True, "on_platform": True},
            {"row_id": "s4", "active": True, "on_platform": False},
        ]
    },
)
ACTIVE = Operand("active", "活跃人数", spec("{count: {table: enforcement_staff, where: {active: true}}}"))
ON_PLATFORM = Operand("platform", "接入人数", spec("{count: {table: enforcement_staff, where: {on_platform: true}}}"))


def test_ratio_of_two_counted_figures_is_a_rate_with_both_counts():
    ratio = spec("{ratio: {of: active, to: platform}}")
    from dataclasses import replace

    result = evaluate(replace(ratio, left=ACTIVE, right=ON_PLATFORM), STAFF)
    # active s1, s3, s4 = 3; on the platform s1, s2, s3 = 3 -> 3/3
    assert (result.kind, result.numerator, result.denominator, result.value) == ("rate", 3, 3, Decimal(100))
    assert counted(result) == ["s1", "s3", "s4"]
    assert excluded(result)["作为分母「接入人数」计入"] == ["s1", "s2", "s3"]
    difference = evaluate(replace(spec("{difference: {of: a, to: b}}"), left=ACTIVE, right=ON_PLATFORM), STAFF)
    assert (difference.kind, difference.value) == ("count", 0)
    nobody = Operand(
        "none", "无", spec("{count: {table: enforcement_staff, where: {active: false, on_platform: false}}}")
    )
    with pytest.raises(NoData, match="为 0"):
        evaluate(replace(ratio, left=ACTIVE, right=nobody), STAFF)


def test_difference_of_a_spec_and_a_python_metric():
    from dataclasses import replace

    rows = [
        {"row_id": "f1", "filed_date": "2025-01-02", "closed_date": "2025-02-01"},
        {"row_id": "f2", "filed_date": "2025-03-01"},
    ]
    data = frame_data(Y, {("penalty_cases", Y): rows})
    filed = Operand("filed", "立案数", metric="count_penalty_cases_filed")
    closed = Operand("closed", "结案数", spec("{count: {table: penalty_cases, where: {closed_date: in_year}}}"))
    # 2 filed − 1 closed = 1 case still open
    result = evaluate(replace(spec("{difference: {of: filed, to: closed}}"), left=filed, right=closed), data)
    assert result.value == 1 and result.sources == {f"penalty_cases/{Y}": 2}


# --- through verification: statuses, quarantined rows ------------------------------------------


def entry(written: str, text: str, **extra) -> FigureEntry:
    compute = spec(text)
    return FigureEntry("f", f"共{written}", written, compute.label, "由规格生成", compute=compute, **extra)


def quarantined(table: str, row: int) -> dict:
    return {"table": table, "file": f"{table}.xlsx", "sheet": "登记", "row": row, "column": "类别",
            "value": "扒窍", "code": "R108", "reason": "类别不在取值范围内", "detail": ""}  # fmt: skip


def test_a_spec_figure_is_verified_like_a_metric_one():
    data = frame_data(Y, {("case_records", Y): cases(Y, ["其他刑事案件"])})
    zero = entry("“零”", "{count: {table: case_records, where: {case_type: 扒窃}}}", qualifier="")
    assert verify_entry(zero, data, []).status == "match"
    one = frame_data(Y, {("case_records", Y): cases(Y, ["扒窃"])})
    assert verify_entry(zero, one, []).status == "mismatch"


def test_a_universal_spec_figure_on_quarantined_rows_is_no_data_and_others_keep_their_status():
    data = frame_data(
        Y, {("case_records", Y): cases(Y, ["其他刑事案件"])}, quarantine={Y: [quarantined("case_records", 7)]}
    )
    zero = verify_entry(entry("“零”", "{count: {table: case_records, where: {case_type: 扒窃}}}"), data, [])
    assert zero.status == "no_data" and "[P306]" in zero.reasons[0]
    assert zero.quarantined[0]["row"] == 7
    count = verify_entry(entry("1件", "{count: {table: case_records}}"), data, [])
    assert count.status == "match" and "1 行被隔离" in count.reasons[0]


def test_a_series_spec_drives_the_series_wordings():
    data = frame_data(
        Y,
        {
            ("case_records", 2024): cases(2024, ["未成年人犯罪", "未成年人犯罪"]),
            ("case_records", 2025): cases(2025, ["未成年人犯罪"]),
        },
    )
    text = "{count: {table: case_records, where: {case_type: 未成年人犯罪}}, years: {last: 2}, per_year: true}"
    # 2 -> 1 is a 50% fall
    assert verify_entry(entry("50%", text, qualifier="同比下降"), data, []).status == "match"
    assert verify_entry(entry("40%", text, qualifier="同比下降"), data, []).status == "mismatch"
