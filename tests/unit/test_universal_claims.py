"""A universal claim (零, 连续N年零, 100%, 第一, 持续…) never passes on evidence it did not see."""

from __future__ import annotations

import pytest
from frames import frame_data

from lawreport.metrics import NoData
from lawreport.register.claims import FigureEntry, verify_entry
from lawreport.text.wording import parse_figure

STREAK = FigureEntry(
    id="zero_escalated",
    quote="连续4年实现越级上访“零”发生",
    written="连续4年",
    metric="escalated_petitions_by_year",
    definition="越级上访登记",
    qualifier="连续N年零",
)
COUNT = FigureEntry(
    id="petitions", quote="受理信访3件", written="3件", metric="count_petitions_received", definition="信访登记"
)


def quarantined(table: str, row: int, code: str = "R108") -> dict[str, object]:
    return {
        "table": table,
        "file": f"{table}.xlsx",
        "sheet": "登记",
        "row": row,
        "column": "类型",
        "value": "进京上仿",
        "code": code,
        "reason": "类别不在取值范围内",
        "detail": "",
    }


def streak_data(quarantine=None):
    # Four years with no escalated petition at all: the streak holds on the rows that were read.
    return frame_data(2025, {("escalated_petitions", y): [] for y in range(2022, 2026)}, quarantine)


@pytest.mark.parametrize(
    ("written", "qualifier", "universal"),
    [
        ("连续4年", "连续N年零", True),
        ("零", "", True),
        ("100%", "", True),
        ("0%", "", True),
        ("第一", "位居第一", True),
        ("持续提升", "", True),
        ("100%", "持续保持", True),
        ("0件", "", True),
        ("99.85%", "", False),
        ("51件", "", False),
        ("6000余件", "", False),
        ("47.31%", "同比下降", False),
    ],
)
def test_which_wordings_are_universal(written, qualifier, universal):
    assert parse_figure(written, qualifier).universal is universal


def test_a_zero_streak_matches_when_nothing_was_set_aside():
    result = verify_entry(STREAK, streak_data(), [])
    assert result.status == "match"
    assert result.quarantined == []


@pytest.mark.parametrize("year", [2023, 2025])
def test_a_quarantined_row_of_any_covered_year_makes_a_zero_streak_no_data(year):
    result = verify_entry(STREAK, streak_data({year: [quarantined("escalated_petitions", 7)]}), [])
    assert result.status == "no_data"
    assert any("[P306]" in r and f"{year}年 escalated_petitions.xlsx" in r and "第7行" in r for r in result.reasons)
    assert result.quarantined[0]["year"] == year and result.quarantined[0]["row"] == 7
    assert result.to_json()["quarantined_rows"][0]["code"] == "R108"


def test_quarantine_in_another_table_does_not_touch_the_claim():
    result = verify_entry(STREAK, streak_data({2024: [quarantined("petitions", 3)]}), [])
    assert result.status == "match"


def test_an_ordinary_count_keeps_its_status_but_says_rows_were_set_aside():
    rows = [{"received_date": "2025-03-01"}] * 3
    data = frame_data(2025, {("petitions", 2025): rows}, {2025: [quarantined("petitions", 9, "R102")]})
    result = verify_entry(COUNT, data, [])
    assert result.status == "match" and result.computed == "3"
    assert any("另有 1 行被隔离" in r and "第9行" in r for r in result.reasons)


def test_an_inconsistent_report_stays_inconsistent():
    result = verify_entry(STREAK, streak_data({2025: [quarantined("escalated_petitions", 2)]}), ["报告自身矛盾"])
    assert result.status == "inconsistent"


def test_clean_data_of_a_year_the_run_did_not_clean_is_never_read(tmp_path):
    from lawreport.metrics import CleanData

    # Clean tables of four years on disk, as an earlier run left them; this run cleaned only two.
    for (table, year), frame in streak_data()._cache.items():
        (tmp_path / str(year)).mkdir(exist_ok=True)
        frame.to_parquet(tmp_path / str(year) / f"{table}.parquet")
    assert CleanData(tmp_path, 2025).years_with("escalated_petitions") == [2022, 2023, 2024, 2025]
    assert verify_entry(STREAK, CleanData(tmp_path, 2025), []).status == "match"
    restricted = CleanData(tmp_path, 2025, years=[2024, 2025])
    assert restricted.years_with("escalated_petitions") == [2024, 2025]
    assert verify_entry(STREAK, restricted, []).status == "no_data"  # 2 years cannot show a 4-year streak
    with pytest.raises(NoData, match="P304"):
        restricted.table("escalated_petitions", 2022)
