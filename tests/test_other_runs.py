"""Issue 9 end to end, with real kernels: next year's report of the sample unit (2026) and a second,
fictional unit (examples/qinghe) run with parameters only — no code of their own.

Each synthetic report holds one figure planted wrong on purpose (2026: adviser_documents, see
docs/data-log.md; the fictional unit: letters_visits_yoy, see the README walkthrough): the runs must
find that one and no other."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from support import SAMPLE_RAW, copy_year, seed_clean_cache

from lawreport.appendix.export import output_path
from lawreport.ledgers import use_unit
from lawreport.params import PROJECT_ROOT, check_params
from lawreport.run.pipeline import run_suite

QINGHE = PROJECT_ROOT / "examples" / "qinghe"


def _statuses(build: Path, year: int) -> tuple[dict, dict[str, str]]:
    figures = json.loads((build / str(year) / "figures.json").read_text(encoding="utf-8"))
    return figures, {f["id"]: f["status"] for f in figures["figures"]}


def test_the_2026_cycle_checks_last_years_commitments_and_shows_the_year_over_year_view(suite_run, tmp_path):
    for year in sorted(int(p.name) for p in SAMPLE_RAW.iterdir() if p.name.isdigit()):
        copy_year(tmp_path, year)
    shutil.copytree(PROJECT_ROOT / "claims", tmp_path / "claims")
    folders = {k: str(tmp_path / k) for k in ("raw", "clean", "build")}
    # The earlier years' ledgers as the session's 2025 run cleaned them (but for the 马路办公 locations it changed);
    # 2026's are cleaned here.
    seed_clean_cache(suite_run, check_params({"year": 2026, **{f"{k}_root": v for k, v in folders.items()}}))
    run_suite(
        {"year": 2026, "raw_root": folders["raw"], "clean_root": folders["clean"], "build_root": folders["build"],
         "claims_dir": str(tmp_path / "claims")},
        say=lambda _: None,
    )  # fmt: skip
    figures, statuses = _statuses(tmp_path / "build", 2026)
    assert [i for i, s in statuses.items() if s != "match"] == ["adviser_documents"]  # the planted one
    commitments = {c["id"]: c["status"] for c in figures["previous_commitments"]}
    assert commitments["monthly_publicity_posts"] == "not_met" and commitments["demonstration_sites"] == "met"
    assert sorted(commitments) == sorted(
        c["id"] for c in json.loads((PROJECT_ROOT / "published/2025/figures.json").read_text("utf-8"))["commitments"]
    )
    page = (tmp_path / "build" / "2026" / "appendix.html").read_text(encoding="utf-8")
    assert 'id="years"' in page and "删去 2 个" in page and 'id="commitments"' in page


def test_the_fictional_unit_runs_with_parameters_only(tmp_path):
    folders = {
        "raw_root": str(QINGHE / "raw"),
        "claims_dir": str(QINGHE / "claims"),
        "expectations_dir": str(QINGHE / "expectations"),
        "clean_root": str(tmp_path / "clean"),
        "build_root": str(tmp_path / "build"),
    }
    try:
        run_suite({**folders, "year": 2025}, say=lambda _: None)
        figures, statuses = _statuses(tmp_path / "build", 2025)
        assert figures["unit"] == "岚溪县青禾镇"
        assert [i for i, s in statuses.items() if s != "match"] == ["letters_visits_yoy"]  # the planted one
        params = check_params({**folders, "year": 2025})
        assert all(output_path(params, edition).is_file() for edition in ("public", "internal"))
    finally:
        use_unit(SAMPLE_RAW)
