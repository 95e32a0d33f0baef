"""How the test run is spread over the cores (pytest-xdist: `-n auto --dist loadfile` in pyproject.toml).

- Each test module runs whole on one worker, so that its module-scoped fixtures (a pipeline run, a browser,
  a regenerated sample) are built once. (`--dist loadgroup` would split the modules without such fixtures, but
  pytest-xdist 3.8 cannot mark a group on pytest 9's node ids: its groups are silently ignored.)
- The modules known to be slow are sent first, longest first, so that no long module starts last and the
  many short ones fill in at the end on whichever worker is free.
- A run of tests/unit alone (tools/mutate_metrics.py runs one such file per mutant) starts no workers: starting
  them costs more than those tests take.
- The end of the run prints the sum of the tests' durations below `--durations=10`: the wall time depends on
  the machine's load, the sum is what the tests cost.

`pytest -n 0` runs everything in one process, in the same order. The fixtures below import what they need when
they run, so that a run of tests/unit alone loads none of it.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

# A run keeps warm kernels for the next (lawreport.run.spare_kernels); the tests' runs keep none, so that each
# starts its own kernels as before and leaves no process behind. tests/test_spare_kernels.py turns them on.
os.environ["LAWREPORT_WARM_SECONDS"] = "0"
UNIT = TESTS / "unit"

# Slowest first: seconds summed over a module's tests in a full run with two workers on 2 cores (runs 260,
# browser 160, pipeline 115, appendix 90, bad_inputs 50, clean_sample 40, bench_scale 35, then 20 and less).
# A module not listed keeps its place after these; the list only orders the work, it never selects it.
SLOW_MODULES = (
    "test_runs.py",
    "test_browser.py",
    "test_pipeline.py",
    "test_appendix.py",
    "test_spare_kernels.py",
    "test_other_runs.py",
    "test_bad_inputs.py",
    "test_clean_sample.py",
    "test_bench_scale.py",
    "test_sample_regeneration.py",
    "test_validation_cache.py",
    "test_notebooks.py",
    "test_figures.py",
    "test_check_page.py",
    "test_preflight.py",
    "test_validation.py",
    "test_universal_run.py",
    "test_terminal.py",
    "test_bad_cells.py",
)


def _unit_only(config: pytest.Config) -> bool:
    """Whether every path the run was given lies in tests/unit (no path: the whole suite)."""
    paths = [Path(arg.split("::", 1)[0]) for arg in config.args if not arg.startswith("-")]
    if not paths:
        return False
    root = Path(config.invocation_params.dir)
    return all((root / path).resolve().is_relative_to(UNIT) for path in paths)


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own hook reads it
    if _unit_only(config):
        return 0
    return len(os.sched_getaffinity(0))


def _rank(item: pytest.Item) -> int:
    name = item.path.name
    return SLOW_MODULES.index(name) if name in SLOW_MODULES else len(SLOW_MODULES)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=_rank)  # stable: the order inside a module, and of the modules not listed, is kept


# ------------------------------------------------------------------ one pipeline run for the whole session


def _run_the_suite(root: Path) -> None:
    from browser_support import MARKUP_PAYLOADS
    from support import SAID, SAMPLE_RAW, copy_year, edit_cells, unresolved_road_office_rows

    from lawreport.run.pipeline import run_suite

    for year in sorted(int(p.name) for p in SAMPLE_RAW.iterdir() if p.name.isdigit()):
        copied = copy_year(root, year)
        if year == 2025:
            rows = unresolved_road_office_rows(copied, len(MARKUP_PAYLOADS))
            edit_cells(
                copied, "road_office", [("location", r, text) for r, text in zip(rows, MARKUP_PAYLOADS, strict=True)]
            )
    said: list[str] = []
    results = run_suite(_folders(root), say=said.append)
    (root / SAID).write_text(json.dumps({"said": said, "steps": [r.step for r in results]}), encoding="utf-8")


def _folders(root: Path) -> dict[str, object]:
    return {
        "year": 2025,
        "raw_root": str(root / "raw"),
        "clean_root": str(root / "clean"),
        "build_root": str(root / "build"),
    }


@pytest.fixture(scope="session")
def suite_run(tmp_path_factory: pytest.TempPathFactory, worker_id: str):
    """A real pipeline run (run_suite, every step with its kernel) for 2025 over copies of every sample year,
    once per session for all workers. The copy of 2025 has MARKUP_PAYLOADS as the location of its first
    unresolved 马路办公 issues (the internal appendix lists those rows in full). Read only: a test that changes
    its files copies the folder first."""
    from support import built_once

    from lawreport.params import check_params

    root = built_once(tmp_path_factory, worker_id, "suite_run", _run_the_suite)
    params = check_params(_folders(root))
    assert (params.build_dir / "appendix.html").exists() and (params.build_dir / "internal" / "appendix.html").exists()
    return params


# ------------------------------------------------------------------ what the run cost

_COST = {"seconds": 0.0, "tests": 0, "started": time.perf_counter()}


def pytest_sessionstart(session: pytest.Session) -> None:
    _COST["started"] = time.perf_counter()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _COST["seconds"] += report.duration
    if report.when == "call":
        _COST["tests"] += 1


@pytest.hookimpl(trylast=True)  # after --durations
def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return
    wall = time.perf_counter() - _COST["started"]
    workers = getattr(config.option, "numprocesses", 0) or 0
    terminalreporter.write_line(
        f"sum of test durations (setup + call + teardown): {_COST['seconds']:.1f} s over {_COST['tests']} tests; "
        f"wall {wall:.1f} s with {workers or 'no'} xdist workers"
    )
