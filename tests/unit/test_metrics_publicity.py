"""Figures of 普法宣传 on small clean tables written by hand, computed from their compute specs in
claims/2025.yaml (frames.figure)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from frames import counted_ids as counted
from frames import excluded_by_reason as excluded
from frames import figure, frame_data, spec_entries

from lawreport.metrics import NoData

YEAR = 2025


def test_every_spec_figure_of_these_tables_is_tested_here():
    assert spec_entries("publicity_events", "school_lectures") == {
        "publicity_events",
        "publicity_materials",
        "publicity_reach",
        "school_lectures",
    }


def _event(row_id: str, venue: str, materials: int | None, people: int | None) -> dict:
    return {
        "row_id": row_id,
        "event_date": "2025-05-20",
        "event_name": "宪法宣传",
        "venue_type": venue,
        "location": "一村",
        "materials": materials,
        "people_reached": people,
    }


EVENTS = frame_data(
    YEAR,
    {
        ("publicity_events", YEAR): [
            _event("village", "进乡村", 200, 120),
            _event("school", "进学校", 350, None),  # 覆盖人次 empty: counts as 0 in the reach
            _event("company", "进企业", None, 80),  # 发放份数 empty: counts as 0 in the materials
            _event("online", "进网络", 0, 1500),
        ],
        # another year's events are never read
        ("publicity_events", YEAR - 1): [_event("old", "进机关", 9999, 9999)],
    },
)


def test_count_publicity_events_counts_every_event_of_the_year():
    result = figure("publicity_events", EVENTS)
    # 4 events in 2025, of any 七进 type
    assert result.value == 4
    assert counted(result) == ["company", "online", "school", "village"]
    assert excluded(result) == {}
    assert result.sources == {"publicity_events/2025": 4}


def test_sum_publicity_materials_counts_empty_as_zero():
    result = figure("publicity_materials", EVENTS)
    # 200 + 350 + (empty -> 0) + 0 = 550
    assert result.kind == "amount"
    assert result.value == Decimal(550)
    assert counted(result) == ["company", "online", "school", "village"]
    assert excluded(result) == {"「materials」为空，按 0 计": ["company"]}


def test_sum_publicity_reach_adds_person_times():
    result = figure("publicity_reach", EVENTS)
    # 120 + (empty -> 0) + 80 + 1500 = 1700 person-times
    assert result.value == Decimal(1700)
    assert excluded(result) == {"「people_reached」为空，按 0 计": ["school"]}


def test_publicity_metrics_without_the_year_table_are_no_data():
    data = frame_data(YEAR, {("publicity_events", YEAR - 1): [_event("old", "进机关", 1, 1)]})
    for figure_id in ("publicity_events", "publicity_materials", "publicity_reach"):
        with pytest.raises(NoData):
            figure(figure_id, data)


def test_count_school_lectures_in_term_start_leaves_out_other_terms():
    data = frame_data(
        YEAR,
        {
            ("school_lectures", YEAR): [
                {"row_id": "spring1", "term": "春季开学季", "form": "法治课堂", "audience": 300},
                {"row_id": "spring2", "term": "春季开学季", "form": "模拟法庭", "audience": 120},
                {"row_id": "autumn1", "term": "秋季开学季", "form": "专题讲座", "audience": 450},
                {"row_id": "other1", "term": "其他", "form": "法治课堂", "audience": 200},
                {"row_id": "other2", "term": "其他", "form": "专题讲座", "audience": 80},
            ],
            ("school_lectures", YEAR - 1): [{"row_id": "old", "term": "秋季开学季"}],
        },
    )
    result = figure("school_lectures", data)
    # 2 春季开学季 + 1 秋季开学季 = 3; the 2 其他 are left out
    assert result.value == 3
    assert counted(result) == ["autumn1", "spring1", "spring2"]
    assert excluded(result) == {"不在春秋开学季": ["other1", "other2"]}
