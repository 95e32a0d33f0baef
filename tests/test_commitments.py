"""Last year's 下一步 commitments checked on this year's ledgers (lawreport.register.commitments), on
small clean frames built by hand: met, not_met naming the periods that miss, no_data (absent table,
declared, quarantined rows), period boundaries, targets, and spec problems named like figure specs."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from frames import frame_data

from lawreport.register.claims import RegisterError, load_register
from lawreport.register.commitments import Commitment, evaluate_commitment, read_commitments
from lawreport.register.spec import parse_commitment_data
from lawreport.run.figures_step import FiguresReport

REPOSITORY = Path(__file__).resolve().parents[1]
REGISTER = REPOSITORY / "claims" / "2025.yaml"
REPORT = REPOSITORY / "data" / "raw" / "2025" / "report.txt"
YEAR = 2026

POSTS = {
    "count": {"table": "publicity_events", "where": {"venue_type": "进网络"}, "excluded_as": "不是网上推送"},
    "per": "month",
    "date": "event_date",
    "at_least": 4,
}


def check(spec: dict, tables: dict, quarantine: dict | None = None):
    commitment = Commitment("c", "承诺", "", parse_commitment_data(spec))
    return evaluate_commitment(commitment, frame_data(YEAR, tables, quarantine))


def posts(per_month: list[int], year: int = YEAR) -> list[dict]:
    rows = []
    for month, n in enumerate(per_month, start=1):
        rows += [{"event_date": dt.date(year, month, 1 + i), "venue_type": "进网络"} for i in range(n)]
    return rows


def dated(*days: str, table: str = "publicity_events", column: str = "event_date") -> dict:
    return {(table, YEAR): [{column: dt.date.fromisoformat(d), "venue_type": "进网络"} for d in days]}


def by_period(result) -> dict[str, object]:
    return {p.period: p.value for p in result.periods}


def test_met_when_every_month_reaches_the_target_with_its_rows():
    rows = posts([4] * 12) + [{"event_date": dt.date(YEAR, 5, 9), "venue_type": "进社区"}]
    result = check(POSTS, {("publicity_events", YEAR): rows})
    assert result.status == "met" and result.reasons == []
    assert list(by_period(result).values()) == [4] * 12
    assert [p.period for p in result.periods][:2] == ["2026-01", "2026-02"]
    assert result.periods[0].row_ids == [f"publicity_events-{YEAR}-{n}" for n in range(1, 5)]
    assert len(result.counted[0].row_ids) == 48
    # the 进社区 event is left out with the spec's excluded_as
    assert [(r.reason, r.row_ids) for r in result.excluded] == [("不是网上推送", [f"publicity_events-{YEAR}-49"])]
    assert "每个月" in result.definition and "不少于 4" in result.definition and "「活动日期」" in result.definition


def test_not_met_names_the_month_that_misses_and_its_value():
    result = check(POSTS, {("publicity_events", YEAR): posts([4, 3, 4, 5, 4, 4, 4, 4, 5, 4, 4, 5])})
    assert result.status == "not_met"
    assert [(p.period, p.value) for p in result.missed] == [("2026-02", 3)]
    assert result.reasons == ["2026年2月：3，未达到不少于 4 (misses the target)"]
    data = result.to_json()
    assert data["status"] == "not_met" and data["status_zh"] == "未落实"
    february = data["periods"][1]
    assert february == {
        "period": "2026-02",
        "label": "2026年2月",
        "value": 3,
        "target": "≥ 4",
        "ok": False,
        "row_ids": [f"publicity_events-{YEAR}-{n}" for n in range(5, 8)],
    }


def test_a_month_with_no_row_at_all_misses_as_zero():
    result = check(POSTS, {("publicity_events", YEAR): posts([4] * 11)})  # no December
    assert [(p.period, p.value) for p in result.missed] == [("2026-12", 0)]


def test_rows_with_no_date_or_another_year_belong_to_no_period():
    rows = posts([4] * 12) + [{"venue_type": "进网络"}, {"event_date": dt.date(2025, 12, 31), "venue_type": "进网络"}]
    result = check(POSTS, {("publicity_events", YEAR): rows})
    assert result.status == "met"
    left_out = {r.reason: r.row_ids for r in result.excluded}
    assert left_out == {
        "「活动日期」为空或不在 2026 年内，不属于任何期间": [f"publicity_events-{YEAR}-{n}" for n in (49, 50)]
    }


def test_no_data_when_the_table_was_not_cleaned_that_year():
    result = check(POSTS, {("publicity_events", 2025): posts([4] * 12, 2025)})
    assert result.status == "no_data" and result.periods == [] and result.counted == []
    assert "2026 年的清洗数据中没有「普法活动登记表」表" in result.reasons[0]


def test_no_data_when_the_register_says_no_ledger_records_it():
    result = check({"no_data": "没有会议台账"}, {("publicity_events", YEAR): posts([4] * 12)})
    assert result.status == "no_data" and result.periods == []
    assert result.reasons == ["没有台账记录 (no ledger records it)：没有会议台账"]
    assert result.definition == "没有台账记录这项承诺，不能用台账核对：没有会议台账。"


def test_no_data_when_rows_of_the_table_were_quarantined():
    quarantine = {YEAR: [{"table": "publicity_events", "file": "普法.xlsx", "sheet": "普法活动", "row": 9}]}
    result = check(POSTS, {("publicity_events", YEAR): posts([4] * 12)}, quarantine)
    assert result.status == "no_data" and "[P306]" in result.reasons[-1] and "第9行" in result.reasons[-1]
    assert all(p.ok for p in result.periods)  # the periods are still shown


QUARTERLY = {**POSTS, "per": "quarter", "at_least": 1}


def test_a_row_on_march_31_is_in_the_first_quarter_and_april_1_in_the_second():
    met = check(QUARTERLY, dated("2026-03-31", "2026-04-01", "2026-09-30", "2026-10-01"))
    assert met.status == "met"
    assert by_period(met) == {"2026-Q1": 1, "2026-Q2": 1, "2026-Q3": 1, "2026-Q4": 1}
    assert met.periods[0].row_ids == [f"publicity_events-{YEAR}-1"]
    missed = check(QUARTERLY, dated("2026-04-01", "2026-04-01", "2026-09-30", "2026-10-01"))
    assert missed.status == "not_met" and [p.label for p in missed.missed] == ["2026年第一季度"]


def test_a_row_on_june_30_is_in_the_first_half_and_july_1_in_the_second():
    spec = {**QUARTERLY, "per": "half_year"}
    met = check(spec, dated("2026-06-30", "2026-07-01"))
    assert met.status == "met" and by_period(met) == {"2026-H1": 1, "2026-H2": 1}
    missed = check(spec, dated("2026-07-01", "2026-12-31"))
    assert [(p.label, p.value) for p in missed.missed] == [("2026年上半年", 0)]


SITES = {
    "count": {"table": "demonstration_units", "where": {"status": "已命名"}},
    "per": "year",
    "date": "title_year",
    "between": [2, 3],
}


def sites(*years: int, status: str = "已命名") -> list[dict]:
    return [{"village": f"村{i}", "level": "县级", "title_year": y, "status": status} for i, y in enumerate(years)]


@pytest.mark.parametrize(
    ("named", "status"),
    [((2026, 2026), "met"), ((2026, 2026, 2026), "met"), ((2026,), "not_met"), ((2026,) * 4, "not_met")],
)
def test_between_two_and_three_new_sites_counts_only_this_years_titles(named, status):
    rows = sites(2021, 2023, *named) + sites(2026, status="创建中")
    result = check(SITES, {("demonstration_units", YEAR): rows})
    assert result.status == status
    assert by_period(result) == {"2026": len(named)}
    assert result.to_json()["periods"][0]["target"] == "2~3"
    reasons = {r.reason: len(r.row_ids) for r in result.excluded}
    assert reasons == {"不满足条件：「创建状态」为“已命名”": 1, "「命名年度」为空或不在 2026 年内，不属于任何期间": 2}


def test_at_most_sum_and_count_distinct_per_month():
    rows = [
        {"event_date": dt.date(YEAR, m, 1), "venue_type": "进网络", "materials": 10, "location": loc}
        for m in range(1, 13)
        for loc in ("甲", "乙")
    ]
    rows[0]["materials"] = 30  # January: 30 + 10 = 40
    tables = {("publicity_events", YEAR): rows}
    summed = check({"sum": {"table": "publicity_events", "column": "materials"}, "per": "month",
                    "date": "event_date", "at_least": 20}, tables)  # fmt: skip
    assert summed.status == "met" and by_period(summed)["2026-01"] == 40
    capped = check({"sum": {"table": "publicity_events", "column": "materials"}, "per": "month",
                    "date": "event_date", "at_most": 20}, tables)  # fmt: skip
    assert capped.status == "not_met" and [p.period for p in capped.missed] == ["2026-01"]
    distinct = check({"count_distinct": {"table": "publicity_events", "column": "location"}, "per": "quarter",
                      "date": "event_date", "at_least": 2}, tables)  # fmt: skip
    assert distinct.status == "met" and set(by_period(distinct).values()) == {2}


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ({**POSTS, "count": {"table": "publicity_events", "where": {"venue_typ": "进网络"}}}, "是否应为 'venue_type'"),
        ({**POSTS, "count": {"table": "publicity_event"}}, "是否应为 'publicity_events'"),
        ({**POSTS, "per": "mont"}, "是否应为 'month'"),
        ({**POSTS, "date": "event_dat"}, "是否应为 'event_date'"),
        ({**POSTS, "date": "venue_type"}, "date 应为日期列"),
        ({**SITES, "per": "month"}, "列 title_year 是 year"),
        ({**POSTS, "at_least": -1}, "at_least 应为不小于 0 的数"),
        ({**SITES, "between": [3, 2]}, "between 应为 [a, b]"),
        ({k: v for k, v in POSTS.items() if k != "at_least"}, "缺少目标"),
        ({**POSTS, "at_most": 9}, "只能有一个目标"),
        ({**POSTS, "years": "all"}, "next_year 不能用 years"),
        ({"rate": {"of": {"table": "law_exams"}}, "per": "year", "date": "x", "at_least": 1}, "不能用 rate"),
        ({**POSTS, "no_data": "没有台账"}, "no_data stands alone"),
    ],
)
def test_a_broken_spec_is_refused_with_what_to_write(spec, words):
    spec = {k: v for k, v in spec.items() if v is not None}
    with pytest.raises(ValueError, match=re.escape(words)):
        parse_commitment_data(spec)


def test_a_misspelt_column_in_the_register_is_p302_with_line_entry_and_closest_name(tmp_path):
    text = REGISTER.read_text(encoding="utf-8")
    broken = text.replace("where: {venue_type: 进网络}", "where: {venue_typ: 进网络}")
    assert broken != text
    line = broken[: broken.index("venue_typ:")].count("\n") + 1
    path = tmp_path / "claims" / "2025.yaml"
    path.parent.mkdir()
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(RegisterError) as caught:
        load_register(path, report_path=REPORT)
    message = str(caught.value)
    assert f"[P302] {path} 第{line}行 条目「monthly_publicity_posts」：next_year：" in message
    assert "没有列 (unknown column) 'venue_typ'；是否应为 'venue_type'" in message
    _, problems = read_commitments(path)
    assert [(p.line, p.entry) for p in problems] == [(line, "monthly_publicity_posts")]


def test_the_2025_registers_commitments_each_have_a_spec_or_a_reason():
    commitments, problems = read_commitments(REGISTER)
    assert problems == []
    specs = {c.id: c.check for c in commitments}
    assert len(specs) == 6 and all(s is not None for s in specs.values())
    assert {i for i, s in specs.items() if not s.no_data} == {"monthly_publicity_posts", "demonstration_sites"}
    posts_spec, sites_spec = specs["monthly_publicity_posts"], specs["demonstration_sites"]
    assert (posts_spec.per, posts_spec.date, posts_spec.target.low) == ("month", "event_date", 4)
    assert (sites_spec.per, sites_spec.target.low, sites_spec.target.high) == ("year", 2, 3)
    # the register's own spec, on hand-built rows: February short by one
    commitment = next(c for c in commitments if c.id == "monthly_publicity_posts")
    result = evaluate_commitment(commitment, frame_data(YEAR, {("publicity_events", YEAR): posts([4, 3] + [4] * 10)}))
    assert [p.period for p in result.missed] == ["2026-02"]


def test_figures_json_gains_previous_commitments_only_when_last_years_register_has_them():
    report = FiguresReport(None, [], "单位", True, 2025)
    assert "previous_commitments" not in report.to_json()
    commitment = Commitment("c", "承诺", "", parse_commitment_data({"no_data": "没有台账"}))
    report.previous_commitments = [evaluate_commitment(commitment, frame_data(YEAR, {}))]
    data = report.to_json()
    assert [c["status"] for c in data["previous_commitments"]] == ["no_data"]
    assert report.commitment_counts() == {"met": 0, "not_met": 0, "no_data": 1}


def test_figures_json_lists_this_years_commitments_without_their_next_year_spec():
    register = load_register(REGISTER, report_path=REPORT)
    assert any("next_year" in c for c in register.commitments)
    report = FiguresReport(register, [], "单位", True, 2025)
    assert all(set(c) == {"id", "text", "check_next_year"} for c in report.to_json()["commitments"])


def test_the_appendix_section_shows_status_words_and_symbols_and_row_ids_only_internally():
    from types import SimpleNamespace

    from lawreport.appendix.sections import commitments_section

    result = check(POSTS, {("publicity_events", YEAR): posts([4, 3] + [4] * 10)})
    result.commitment = Commitment("posts", "每月推送<b>普法资讯</b>", "")
    figures = {"previous_commitments": [result.to_json()]}
    public = commitments_section(SimpleNamespace(figures=figures, year=YEAR, internal=False))
    internal = commitments_section(SimpleNamespace(figures=figures, year=YEAR, internal=True))
    for page in (public, internal):
        assert "✗ 未落实" in page and "2026年2月" in page and "✗ 未达到" in page and "✓ 达到" in page
        assert "&lt;b&gt;普法资讯" in page and "<b>" not in page
    assert "publicity_events-2026-5" in internal and "publicity_events-2026" not in public
    none = commitments_section(SimpleNamespace(figures={}, year=2025, internal=False))
    assert "2024 年没有数字登记册或其中没有下一步承诺" in none
