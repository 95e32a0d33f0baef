"""Figures of 信访 on small clean tables written by hand: the compute specs of claims/2025.yaml
(frames.figure) and the Python metrics of metrics/petitions.py.

Every filter clause of every spec or metric has a row that only this clause leaves out, so that a
filter replaced by "keep every row" (or a dropped clause) changes the asserted value or row ids.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from frames import clean_frame, figure, frame_data, register_entries, spec_entries
from frames import counted_ids as counted
from frames import excluded_by_reason as excluded

from lawreport.metrics import METRICS, CleanData, NoData
from lawreport.metrics import petitions as M
from lawreport.register.claims import verify_entry

YEAR = 2025


def test_every_metric_of_the_module_is_tested_here():
    assert {name for name, f in METRICS.items() if f.__module__ == M.__name__} == {
        "count_petitions_received",
        "escalated_petitions_by_year",
    }


def test_every_spec_figure_of_these_tables_is_tested_here():
    assert spec_entries("petitions", "legacy_cases", "escalated_petitions") == {
        "petitions_on_time_rate",
        "petition_satisfaction_rising",
        "legacy_cases_resolved",
    }


# --- count_petitions_received -------------------------------------------------------------


def test_count_petitions_received_counts_every_row_of_the_report_year_table():
    data = frame_data(
        YEAR,
        {
            ("petitions", YEAR): [
                {"row_id": "p1", "received_date": "2025-01-02", "channel": "来信"},
                {"row_id": "p2", "received_date": "2025-06-30", "channel": "来访"},
                {"row_id": "p3", "received_date": "2025-12-31", "channel": "网上信访"},
            ],
            # the previous year's register must not be counted
            ("petitions", YEAR - 1): [{"row_id": "old1", "received_date": "2024-05-05"}],
        },
    )
    result = M.count_petitions_received(data)
    # 3 rows in the 2025 table; the 2024 table is not read
    assert result.kind == "count"
    assert result.value == 3
    assert counted(result) == ["p1", "p2", "p3"]
    assert excluded(result) == {}
    assert result.sources == {"petitions/2025": 3}


def test_count_petitions_received_without_a_register_is_no_data():
    data = frame_data(YEAR, {("petitions", YEAR - 1): [{"row_id": "old1"}]})
    with pytest.raises(NoData):
        M.count_petitions_received(data)


# --- petitions_on_time_rate -----------------------------------------------------------------

ON_TIME_ROWS = [
    # counted: closed before the deadline and flagged 按期
    {"row_id": "ok1", "deadline": "2025-03-31", "closed_date": "2025-03-20", "on_time": True},
    {"row_id": "ok2", "deadline": "2025-05-31", "closed_date": "2025-05-01", "on_time": True},
    {"row_id": "ok3", "deadline": "2025-08-15", "closed_date": "2025-07-01", "on_time": True},
    # counted: closed ON the deadline (<= is inclusive)
    {"row_id": "on-deadline", "deadline": "2025-09-30", "closed_date": "2025-09-30", "on_time": True},
    # clause 1 (closed_date present): not closed, though wrongly flagged 按期
    {"row_id": "open", "deadline": "2025-12-31", "closed_date": None, "on_time": True},
    # clause 2 (closed <= deadline): closed one day late, though wrongly flagged 按期
    {"row_id": "late", "deadline": "2025-04-01", "closed_date": "2025-04-02", "on_time": True},
    # clause 3 (flagged 按期): closed in time but flagged 否, or the flag missing
    {"row_id": "not-flagged", "deadline": "2025-06-30", "closed_date": "2025-06-01", "on_time": False},
    {"row_id": "flag-missing", "deadline": "2025-06-30", "closed_date": "2025-06-01", "on_time": None},
]


def test_petitions_on_time_rate_needs_closed_in_time_and_flagged():
    data = frame_data(YEAR, {("petitions", YEAR): ON_TIME_ROWS})
    result = figure("petitions_on_time_rate", data)
    # 8 petitions received; ok1, ok2, ok3, on-deadline on time -> 4/8 = 50%
    assert result.kind == "rate"
    assert (result.numerator, result.denominator) == (4, 8)
    assert result.value == Decimal(50)
    assert counted(result) == ["ok1", "ok2", "ok3", "on-deadline"]
    assert excluded(result) == {"未办结、超期办结或未标记按期": ["flag-missing", "late", "not-flagged", "open"]}


def test_petitions_on_time_rate_of_an_empty_register_is_zero_of_zero():
    result = figure("petitions_on_time_rate", frame_data(YEAR, {("petitions", YEAR): []}))
    assert (result.numerator, result.denominator, result.value) == (0, 0, Decimal(0))


# --- petition_satisfaction_by_year --------------------------------------------------------


def _satisfaction_rows(year: int, values: list[str]) -> list[dict]:
    return [{"row_id": f"s{year}-{n}", "satisfaction": v} for n, v in enumerate(values, start=1)]


def test_petition_satisfaction_by_year_leaves_unevaluated_out_of_the_base():
    data = frame_data(
        YEAR,
        {
            # every petition 未评价 -> 0 of 0, shown as "—"
            ("petitions", 2023): _satisfaction_rows(2023, ["未评价", "未评价"]),
            # 满意 + 基本满意 = 2 of 3 evaluated (未评价 out of the base) -> 66.666.. -> "66.67"
            ("petitions", 2024): _satisfaction_rows(2024, ["满意", "基本满意", "不满意", "未评价"]),
            # 3 满意 of 4 evaluated (2 未评价 out) -> 75 -> "75.00"
            ("petitions", 2025): _satisfaction_rows(2025, ["满意", "满意", "满意", "不满意", "未评价", "未评价"]),
            # a year after the report year is never read
            ("petitions", 2026): _satisfaction_rows(2026, ["不满意"]),
        },
    )
    result = figure("petition_satisfaction_rising", data)
    assert result.kind == "rate_by_year"
    assert result.by_year == {2023: (0, 0), 2024: (2, 3), 2025: (3, 4)}
    # the report year's rate: 3 of 4 = 75%
    assert (result.numerator, result.denominator, result.value) == (3, 4, Decimal(75))
    assert counted(result) == ["s2024-1", "s2024-2", "s2025-1", "s2025-2", "s2025-3"]
    assert excluded(result) == {
        "未评价，不计入满意度分母": ["s2023-1", "s2023-2", "s2024-4", "s2025-5", "s2025-6"],
        "评价为不满意": ["s2024-3", "s2025-4"],
    }
    assert set(result.sources) == {"petitions/2023", "petitions/2024", "petitions/2025"}


def _rising_status(data) -> tuple[str, list[str]]:
    result = verify_entry(register_entries()["petition_satisfaction_rising"], data, [])
    return result.status, result.reasons


def test_petition_satisfaction_by_year_needs_two_years():
    only_one = frame_data(YEAR, {("petitions", YEAR): _satisfaction_rows(YEAR, ["满意"])})
    # one year is a series of one: 持续提升 cannot be judged, whatever the rate
    assert figure("petition_satisfaction_rising", only_one).by_year == {YEAR: (1, 1)}
    assert _rising_status(only_one) == ("no_data", ["持续提升 至少需要两年数据"])


def test_petition_satisfaction_rising_holds_only_when_strictly_rising():
    rising = frame_data(
        YEAR,
        {
            # 1 of 2 = 50% -> 2 of 3 = 66.7%: rising
            ("petitions", 2024): _satisfaction_rows(2024, ["满意", "不满意"]),
            ("petitions", 2025): _satisfaction_rows(2025, ["满意", "基本满意", "不满意"]),
        },
    )
    assert _rising_status(rising)[0] == "match"
    flat = frame_data(
        YEAR,
        {
            # 1 of 2 = 50% -> 2 of 4 = 50%: an equal step is not 提升
            ("petitions", 2024): _satisfaction_rows(2024, ["满意", "不满意"]),
            ("petitions", 2025): _satisfaction_rows(2025, ["满意", "基本满意", "不满意", "不满意"]),
        },
    )
    assert _rising_status(flat)[0] == "mismatch"


def test_petition_satisfaction_by_year_does_not_count_a_later_year_as_the_second_year():
    # 2025 and 2026 registers, report year 2025 -> only one year up to the report year
    data = frame_data(
        YEAR,
        {
            ("petitions", 2025): _satisfaction_rows(2025, ["满意"]),
            ("petitions", 2026): _satisfaction_rows(2026, ["满意"]),
        },
    )
    assert _rising_status(data) == ("no_data", ["持续提升 至少需要两年数据"])


# --- count_legacy_cases_resolved ----------------------------------------------------------


def test_count_legacy_cases_resolved_needs_status_and_date_in_the_year():
    data = frame_data(
        YEAR,
        {
            ("legacy_cases", YEAR): [
                # counted: 已化解 with 化解日期 in 2025 (both ends of the year)
                {"row_id": "done-jan1", "status": "已化解", "resolved_date": "2025-01-01"},
                {"row_id": "done-jun", "status": "已化解", "resolved_date": "2025-06-15"},
                {"row_id": "done-dec31", "status": "已化解", "resolved_date": "2025-12-31"},
                # status clause only: 化解中 although a date in the year was written
                {"row_id": "pending-dated", "status": "化解中", "resolved_date": "2025-05-01"},
                {"row_id": "pending", "status": "化解中", "resolved_date": None},
                # year clause only: 已化解 but in another year, or no date
                {"row_id": "done-2024", "status": "已化解", "resolved_date": "2024-12-31"},
                {"row_id": "done-2026", "status": "已化解", "resolved_date": "2026-01-01"},
                {"row_id": "done-undated", "status": "已化解", "resolved_date": None},
            ]
        },
    )
    result = figure("legacy_cases_resolved", data)
    # 8 cases; 3 are 已化解 in 2025
    assert result.value == 3
    assert counted(result) == ["done-dec31", "done-jan1", "done-jun"]
    assert excluded(result) == {"尚在化解中": ["done-2024", "done-2026", "done-undated", "pending", "pending-dated"]}


# --- escalated_petitions_by_year ----------------------------------------------------------


def _escalations(year: int, kinds: list[str]) -> list[dict]:
    return [
        {"row_id": f"e{year}-{n}", "event_date": f"{year}-03-0{n}", "escalation": kind, "people": 3}
        for n, kind in enumerate(kinds, start=1)
    ]


def test_escalated_petitions_by_year_counts_rows_per_cleaned_year():
    data = frame_data(
        YEAR,
        {
            ("escalated_petitions", 2023): _escalations(2023, ["到市集访", "进京上访"]),
            # 2024 not cleaned: absent from by_year, not 0
            ("escalated_petitions", 2025): _escalations(2025, ["到市集访"]),
            ("escalated_petitions", 2026): _escalations(2026, ["到市集访", "到市集访", "进京上访"]),
        },
    )
    result = M.escalated_petitions_by_year(data)
    # 2023: 1 到市集访 + 1 进京上访 = 2; 2025: 1; 2026 is after the report year
    assert result.kind == "by_year"
    assert result.by_year == {2023: 2, 2025: 1}
    assert result.value == {"2023": 2, "2025": 1}
    assert counted(result) == ["e2023-1", "e2023-2", "e2025-1"]
    assert result.sources == {"escalated_petitions/2023": 2, "escalated_petitions/2025": 1}


def test_escalated_petitions_by_year_an_empty_cleaned_register_is_zero():
    data = frame_data(
        YEAR,
        {("escalated_petitions", 2024): _escalations(2024, ["进京上访"]), ("escalated_petitions", YEAR): []},
    )
    result = M.escalated_petitions_by_year(data)
    assert result.by_year == {2024: 1, 2025: 0}


def test_escalated_petitions_by_year_without_the_report_year_is_no_data():
    data = frame_data(
        YEAR,
        {
            ("escalated_petitions", 2023): _escalations(2023, ["到市集访"]),
            ("escalated_petitions", 2024): [],
            ("escalated_petitions", 2026): _escalations(2026, ["到市集访"]),
        },
    )
    with pytest.raises(NoData):
        M.escalated_petitions_by_year(data)


def test_escalated_petitions_by_year_on_parquet_folders(tmp_path):
    # the real CleanData (not the in-memory FrameData): years come from data/clean/<year>/ folders
    for year, kinds in {2024: ["到市集访", "进京上访"], 2025: ["进京上访"], 2026: ["到市集访"]}.items():
        (tmp_path / str(year)).mkdir()
        clean_frame("escalated_petitions", year, _escalations(year, kinds)).to_parquet(
            tmp_path / str(year) / "escalated_petitions.parquet"
        )
    (tmp_path / "2023").mkdir()  # a folder without the table is not a year of this register
    result = M.escalated_petitions_by_year(CleanData(tmp_path, YEAR))
    # 2024: 2, 2025: 1; 2023 has no table, 2026 is after the report year
    assert result.by_year == {2024: 2, 2025: 1}
    assert counted(result) == ["e2024-1", "e2024-2", "e2025-1"]
