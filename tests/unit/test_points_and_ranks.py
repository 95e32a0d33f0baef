"""比上年提高N个百分点 and 位列第N, judged on figures built by hand (never the sample's generator)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from frames import frame_data

from lawreport.metrics.base import MetricResult
from lawreport.register.claims import _judge, load_register, verify_entry
from lawreport.text.wording import NotComputable

REGISTER = """\
unit: 测试街道
year: 2026
report: report.txt
figures:
  - id: resolution_rate_change
    name: 化解成功率比上年提高
    quote: 比上年提高{points}个百分点
    written: {points}个百分点
    qualifier: 比上年提高
    compute:
      rate:
        of: {{table: dispute_screening, where: {{result: 化解成功}}}}
      years: {{last: 2}}
      per_year: true
  - id: inspection_rank
    name: 规范率名次
    quote: 规范率位列全县第3
    written: 第3
    each: [规范率]
    metric: county_ranks
    definition: 县通报中本单位在所列指标上的名次。
"""


def register(tmp_path: Path, points: str):
    (tmp_path / "report.txt").write_text(f"化解成功率比上年提高{points}个百分点。规范率位列全县第3。", "utf-8")
    (tmp_path / "2026.yaml").write_text(REGISTER.format(points=points), encoding="utf-8")
    return {e.id: e for e in load_register(tmp_path / "2026.yaml", report_path=tmp_path / "report.txt").figures}


def disputes(year: int, resolved: int, total: int) -> list[dict]:
    return [
        {
            "dispute_id": f"D{year}-{i}",
            "found_date": f"{year}-03-01",
            "result": "化解成功" if i < resolved else "化解中",
        }
        for i in range(total)
    ]


def test_a_rise_in_points_is_computed_from_both_years(tmp_path):
    data = frame_data(
        2026,
        {("dispute_screening", 2025): disputes(2025, 18, 20), ("dispute_screening", 2026): disputes(2026, 19, 20)},
    )
    assert verify_entry(register(tmp_path, "5")["resolution_rate_change"], data, []).status == "match"  # 90% → 95%
    assert verify_entry(register(tmp_path, "6")["resolution_rate_change"], data, []).status == "mismatch"


def test_a_fall_is_not_a_rise(tmp_path):
    data = frame_data(
        2026,
        {("dispute_screening", 2025): disputes(2025, 19, 20), ("dispute_screening", 2026): disputes(2026, 18, 20)},
    )
    assert verify_entry(register(tmp_path, "5")["resolution_rate_change"], data, []).status == "mismatch"


def test_a_rank_is_judged_on_the_listed_indicators_only(tmp_path):
    entry = register(tmp_path, "5")["inspection_rank"]
    ranks = {"规范率": {"recomputed": 3, "published": 3}, "立案数": {"recomputed": 1, "published": 1}}
    holds, shown, value = _judge(entry, entry.figure, MetricResult("ranks", ranks))
    assert holds and list(value) == ["规范率"] and "规范率 第3" in shown
    ranks["规范率"] = {"recomputed": 2, "published": 3}  # the county's notice says 3, the values say 2
    assert not _judge(entry, entry.figure, MetricResult("ranks", ranks))[0]


def test_an_indicator_of_each_missing_from_the_notice_is_no_data_naming_the_closest(tmp_path):
    entry = register(tmp_path, "5")["inspection_rank"]
    entry = replace(entry, each=("规范律",))  # a typo for 规范率
    ranks = {"规范率": {"recomputed": 3, "published": 3}}
    try:
        _judge(entry, entry.figure, MetricResult("ranks", ranks))
    except NotComputable as reason:
        assert "规范律" in str(reason) and "是否应为「规范率」" in str(reason)
    else:
        raise AssertionError("a missing indicator must not be skipped")
