"""与上年对照: kept, new and dropped figures, last year's statuses only from a run of the same unit."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from lawreport.appendix.year_over_year import year_over_year, year_over_year_section
from lawreport.params import RunParams

PREVIOUS = """\
unit: 测试街道
year: 2025
figures:
  - {id: petitions, name: 信访件数, quote: 受理信访51件, written: 51件}
  - {id: patrol_cars, name: 巡逻车台数, quote: 添置巡逻车17台, written: 17台}
"""


def app(tmp_path: Path, results_unit: str | None = "测试街道", script: str = "") -> SimpleNamespace:
    (tmp_path / "claims").mkdir(exist_ok=True)
    (tmp_path / "claims" / "2025.yaml").write_text(PREVIOUS, encoding="utf-8")
    if results_unit is not None:
        folder = tmp_path / "build" / "2025"
        folder.mkdir(parents=True, exist_ok=True)
        figures = [{"id": "petitions", "status": "match"}, {"id": "patrol_cars", "status": "mismatch"}]
        (folder / "figures.json").write_text(
            json.dumps({"unit": results_unit, "year": 2025, "figures": figures}), encoding="utf-8"
        )
    params = RunParams(year=2026, claims_dir=str(tmp_path / "claims"), build_root=str(tmp_path / "build"))
    results = [
        {"id": "petitions", "name": "信访件数", "reported": "47件", "status": "match"},
        {"id": "posts", "name": f"推送条数{script}", "reported": "50条", "status": "mismatch"},
    ]
    return SimpleNamespace(params=params, year=2026, unit="测试街道", results=results)


def test_kept_new_and_dropped_with_last_years_statuses(tmp_path):
    view = year_over_year(app(tmp_path))
    rows = {r["id"]: r for r in view.rows}
    assert [rows[i]["change"] for i in ("petitions", "posts", "patrol_cars")] == ["kept", "new", "dropped"]
    assert rows["petitions"]["previous"] == {"written": "51件", "status": "match"}
    assert rows["patrol_cars"]["previous"]["status"] == "mismatch" and rows["patrol_cars"]["current"] is None
    assert rows["posts"]["previous"] is None
    html = year_over_year_section(app(tmp_path))
    assert "保留 1 个，新增 1 个，删去 1 个" in html and "51件" in html and "47件" in html


def test_a_run_of_another_unit_is_not_used_for_last_years_statuses(tmp_path):
    view = year_over_year(app(tmp_path, results_unit="别的街道"))
    assert view.previous_results is None and any("核对状态未知" in n for n in view.notes)
    assert {r["id"]: r for r in view.rows}["petitions"]["previous"]["status"] is None


def test_without_last_years_register_the_view_says_so(tmp_path):
    a = app(tmp_path)
    (tmp_path / "claims" / "2025.yaml").unlink()
    html = year_over_year_section(a)
    assert "没有 2025 年的数字登记册" in html and "<table" not in html


def test_text_from_the_register_is_escaped(tmp_path):
    html = year_over_year_section(app(tmp_path, script="<script>x</script>"))
    assert "<script>x" not in html and "&lt;script&gt;" in html
