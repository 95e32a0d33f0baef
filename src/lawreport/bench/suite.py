"""`make bench`: how long the suite takes, printed and written to build/bench.json.

Measures, on a temporary copy of the sample ledgers (the working tree is never touched):
- cold: the whole suite for a year from nothing (no clean data, no build);
- unchanged: a rerun with nothing changed (every step should skip);
- one ledger changed: a rerun after one cell of one ledger changed;
- bare: the same figures computed from the raw ledgers in one plain Python process (clean every
  year, compute figures; no Jupyter, no Great Expectations, no appendix), run as a subprocess so
  imports count as they do for the suite.
Each is repeated and the median is reported, with the ratios from the same run: suite ÷ bare
(target ≤ 3), one ledger changed ÷ cold (target ≤ 0.30), and the unchanged rerun (target ≤ 1 s).

The profile: after each suite run the pipeline's build/<year>/timings.json (per step, per notebook:
time outside the cells, each cell, the scrub, the kernel's peak memory; the appendix export) and the
validate step's validation/stats.json (expectations evaluated, failing rows found, tables validated
and reused, its phases) are kept in build/bench.json; the median profile of the cold runs is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from ..params import PROJECT_ROOT

BARE_SCRIPT = """
import sys
from lawreport.run.clean_step import run_clean_years
from lawreport.run.figures_step import compute_figures
from lawreport.params import check_params
params = check_params({"year": int(sys.argv[1]), "raw_root": sys.argv[2], "clean_root": sys.argv[3],
                       "build_root": sys.argv[4]})
run_clean_years(params)
report = compute_figures(params)
print(report.counts())
"""


def _copy_raw(target: Path) -> Path:
    raw = target / "raw"
    shutil.copytree(PROJECT_ROOT / "data" / "raw", raw)
    return raw


def _profile(year: int, root: Path) -> dict[str, object]:
    """What the run just made said about its own time (see the module docstring)."""
    found: dict[str, object] = {}
    for name, path in (
        ("timings", root / "build" / str(year) / "timings.json"),
        ("validation", root / "build" / str(year) / "validation" / "stats.json"),
    ):
        try:
            found[name] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            found[name] = None
    return found


def suite_command(year: int, root: Path) -> list[str]:
    """`lawreport run` of one year on root/raw, root/clean, root/build, as a benchmark runs it."""
    return [
        sys.executable,
        "-m",
        "lawreport.cli",
        "run",
        "--year",
        str(year),
        "--raw-root",
        str(root / "raw"),
        "--clean-root",
        str(root / "clean"),
        "--build-root",
        str(root / "build"),
        "--fail-on",
        "none",  # time and memory only: findings (the sample's inconsistent figure) are not a benchmark's concern
    ]


def _suite(year: int, root: Path, force: bool = False) -> float:
    command = suite_command(year, root) + (["--force"] if force else [])
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _bare(year: int, root: Path) -> float:
    command = [
        sys.executable,
        "-c",
        BARE_SCRIPT,
        str(year),
        str(root / "raw"),
        str(root / "bare-clean"),
        str(root / "bare-build"),
    ]
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _touch_one_ledger(root: Path, year: int) -> None:
    """Change one fine amount (罚没金额) of the penalty ledger, as an analyst's correction would: a
    value that reaches the clean table, so the change flows through every step."""
    import openpyxl

    from ..ledgers import get_ledger
    from ..ledgers.cleaning import norm_header

    ledger = get_ledger("penalty_cases")
    header = next(c.header for c in ledger.columns if c.name == "fine_amount")
    path = root / "raw" / str(year) / ledger.file_name(year)
    book = openpyxl.load_workbook(path)
    sheet = book[ledger.sheet]
    column = None
    for row in sheet.iter_rows(min_row=1, max_row=60):
        for cell in row:
            if column is None and norm_header(cell.value) == norm_header(header):
                column = cell.column
            elif column is not None and cell.column == column and isinstance(cell.value, int | float):
                if not isinstance(cell.value, bool) and cell.value > 0:
                    cell.value = cell.value + 1
                    book.save(path)
                    return
    raise RuntimeError(f"no {header} found to change in {path.name}")


# Medians of five: the shared 2-core machine's speed drifts by 20-25% within minutes, and one slow repeat
# in three moved the median of a changed run by 0.4 s.
REPEATS = 5


def run_bench(year: int = 2025, repeats: int = REPEATS) -> dict[str, object]:
    """Per repeat, in a fresh copy of the sample: a cold run (no warm kernel left by an earlier run:
    `spare_kernels.stop_all` first), a rerun with nothing changed, a rerun with one ledger changed
    (adopting the warm kernels the previous run left, as an analyst's rerun after a correction does),
    the same with no warm kernel, and the bare computation. Each measurement starts once the warm
    kernels a previous run left have loaded their imports (`spare_kernels.wait_ready`): none shares
    the machine with them."""
    from ..run import spare_kernels

    cold, unchanged, changed, changed_cold, bare = [], [], [], [], []
    profiles: dict[str, list[dict[str, object]]] = {
        "cold": [],
        "unchanged": [],
        "one_ledger_changed": [],
        "one_ledger_changed_no_warm_kernels": [],
    }
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="lawreport-bench-") as folder:
            root = Path(folder)
            _copy_raw(root)
            spare_kernels.stop_all()
            cold.append(_suite(year, root))
            profiles["cold"].append(_profile(year, root))
            spare_kernels.wait_ready()
            unchanged.append(_suite(year, root))
            profiles["unchanged"].append(_profile(year, root))
            _touch_one_ledger(root, year)
            changed.append(_suite(year, root))
            profiles["one_ledger_changed"].append(_profile(year, root))
            _touch_one_ledger(root, year)
            spare_kernels.stop_all()
            changed_cold.append(_suite(year, root))
            profiles["one_ledger_changed_no_warm_kernels"].append(_profile(year, root))
            spare_kernels.wait_ready()
            bare.append(_bare(year, root))
    spare_kernels.stop_all()
    medians = {
        name: statistics.median(values)
        for name, values in (
            ("cold", cold),
            ("unchanged", unchanged),
            ("one_ledger_changed", changed),
            ("one_ledger_changed_no_warm_kernels", changed_cold),
            ("bare", bare),
        )
    }
    return {
        "year": year,
        "repeats": repeats,
        "seconds": {
            "cold": cold,
            "unchanged": unchanged,
            "one_ledger_changed": changed,
            "one_ledger_changed_no_warm_kernels": changed_cold,
            "bare": bare,
        },
        "median_seconds": {k: round(v, 2) for k, v in medians.items()},
        "ratio_suite_over_bare": round(medians["cold"] / medians["bare"], 2),
        # each repeat's cold run over its own bare run (measured minutes apart: less of the machine's drift)
        "ratio_suite_over_bare_per_repeat": [round(c / b, 2) for c, b in zip(cold, bare, strict=True)],
        "ratio_changed_over_cold": round(medians["one_ledger_changed"] / medians["cold"], 2),
        # each repeat's changed run over its own cold run (seconds apart in one folder)
        "ratio_changed_over_cold_per_repeat": [round(c / k, 2) for c, k in zip(changed, cold, strict=True)],
        "ratio_changed_no_warm_kernels_over_cold": round(
            medians["one_ledger_changed_no_warm_kernels"] / medians["cold"], 2
        ),
        "profile_median": {name: median_profile(runs) for name, runs in profiles.items()},
        "profiles": profiles,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
    }


def _leaves(data: object, prefix: str = "") -> dict[str, float]:
    """Numeric leaves of nested dicts (cells as "cell <n>"), keyed by their path."""
    if isinstance(data, bool) or data is None:
        return {}
    if isinstance(data, int | float):
        return {prefix: float(data)}
    found: dict[str, float] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            found.update(_leaves(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(data, list):
        for item in data:
            if isinstance(item, dict) and "cell" in item and "seconds" in item:
                found[f"{prefix}.cell {item['cell']}"] = float(item["seconds"])
    return found


def median_profile(runs: list[dict[str, object]]) -> dict[str, float]:
    """Per profile figure (a path such as timings.steps.clean.seconds), its median over the runs."""
    values: dict[str, list[float]] = {}
    for run in runs:
        for key, value in _leaves(run).items():
            values.setdefault(key, []).append(value)
    return {key: round(statistics.median(found), 3) for key, found in values.items()}


def _timeline(label: str, profile: dict[str, float], base: str) -> str:
    """One line: seconds, and from when to when since the run began."""
    seconds, start = profile.get(base + ".seconds", float("nan")), profile.get(base + ".start", float("nan"))
    return f"    {label:<32}{seconds:6.2f}   {start:5.2f} → {start + seconds:5.2f}"


def print_profile(profile: dict[str, float]) -> None:
    steps = ("clean", "validate", "figures", "appendix")
    print("  profile of the cold run (median seconds; 各步骤耗时)")
    print(f"    preflight 运行前检查            {profile.get('timings.preflight', float('nan')):6.2f}")
    print("    (step: seconds, and from when to when since the run began: validate and figures overlap)")
    for step in steps:
        base = f"timings.steps.{step}"
        print(_timeline(step, profile, base))
        for key, value in sorted(profile.items()):
            if key.startswith(base + ".notebooks.") and not key.endswith((".seconds",)) and ".cells." not in key:
                print(f"      {key[len(base) + 11 :]:<34} {value:8.2f}")
            elif key.startswith(base + ".notebooks.") and ".cells." in key and value >= 0.1:
                print(f"      {key[len(base) + 11 :]:<34} {value:8.2f}")
            elif key.startswith(base + ".phases."):
                print(f"      {key[len(base) + 8 :]:<34} {value:8.2f}")
    _print_helpers(profile, steps)
    checks = {k: v for k, v in profile.items() if k.startswith("validation.")}
    for key in (
        "checks",
        "expectations_total",
        "expectations_evaluated",
        "failing_rows",
        "tables_validated",
        "tables_reused",
    ):
        if f"validation.{key}" in checks:
            print(f"    validation {key:<24} {checks[f'validation.{key}']:8.0f}")


def _print_helpers(profile: dict[str, float], steps: Iterable[str]) -> None:
    """A step's first work in its own kernel (Step.first), its help from another kernel (Step.help) and
    its work ahead (Step.warm): when they ran."""
    for step in steps:
        if f"timings.warm.{step}.first.seconds" in profile:
            print(_timeline(f"{step} first work (own kernel)", profile, f"timings.warm.{step}.first"))
        if f"timings.warm.{step}.help.seconds" in profile:
            print(_timeline(f"{step} helped (other kernel)", profile, f"timings.warm.{step}.help"))
        if f"timings.warm.{step}.seconds" in profile:
            print(_timeline(f"{step} made ahead (work ahead)", profile, f"timings.warm.{step}"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the suite (not a test).")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    args = parser.parse_args(argv)
    result = run_bench(args.year, args.repeats)
    out = PROJECT_ROOT / "build" / "bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    m = result["median_seconds"]
    assert isinstance(m, dict)
    print(f"year {result['year']}, median of {result['repeats']} runs on {result['machine']}")
    print(f"  cold run of the whole suite     {m['cold']:6.1f} s")
    print(f"  rerun, nothing changed          {m['unchanged']:6.1f} s   (target ≤ 1 s)")
    print(f"  rerun, one ledger changed       {m['one_ledger_changed']:6.1f} s   (warm kernels from the run before)")
    print(f"    the same, no warm kernel      {m['one_ledger_changed_no_warm_kernels']:6.1f} s")
    print(f"  bare figures from raw, no Jupyter {m['bare']:4.1f} s")
    print(f"  suite ÷ bare                    {result['ratio_suite_over_bare']:6.2f}     (target ≤ 3)")
    per_repeat = result["ratio_suite_over_bare_per_repeat"]
    assert isinstance(per_repeat, list)
    print(f"    each repeat's cold ÷ its bare   {', '.join(f'{r:.2f}' for r in per_repeat)}")
    print(f"  one ledger changed ÷ cold       {result['ratio_changed_over_cold']:6.2f}     (target ≤ 0.30)")
    per_repeat = result["ratio_changed_over_cold_per_repeat"]
    assert isinstance(per_repeat, list)
    print(f"    each repeat's changed ÷ its cold {', '.join(f'{r:.2f}' for r in per_repeat)}")
    print(f"    the same, no warm kernel      {result['ratio_changed_no_warm_kernels_over_cold']:6.2f}")
    profile = result["profile_median"]
    assert isinstance(profile, dict)
    print_profile(profile["cold"])
    for name, label in (
        ("one_ledger_changed", "the one-ledger-changed run"),
        ("one_ledger_changed_no_warm_kernels", "the same with no warm kernel"),
    ):
        changed = profile[name]
        adopted = changed.get("timings.kernels.adopted", 0)
        print(f"  {label} (median seconds since the run began; warm kernels adopted: {adopted:.0f})")
        for step in ("clean", "validate", "figures", "appendix"):
            if f"timings.steps.{step}.seconds" in changed:
                print(_timeline(step, changed, f"timings.steps.{step}"))
        _print_helpers(changed, ("clean", "validate", "figures", "appendix"))
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
