"""A lane's kernel preloads what its steps import (`pipeline.preload_code`: the notebooks' own imports and each
step's `preload`), so that a warm kernel has it before the run: a step's first run in a fresh process, after
the preload of its lane, imports nothing more of the packages that take time to load. Without the preload of
what the code imports on first use (pyarrow.parquet, the validation page, the text layer, matplotlib), the
validate step's first run took 0.27 s against 0.12 s for the next, on the changed run's critical path."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lawreport.params import PROJECT_ROOT
from lawreport.run.pipeline import PIPELINE_ENV

WATCHED = ("lawreport", "pyarrow.parquet", "pyarrow.dataset", "matplotlib", "great_expectations", "PIL", "noto")

LANE_RUN = """
import json, os, sys
from lawreport.run.pipeline import preload_code
for notebook in {notebooks!r}:
    exec(preload_code(notebook))
before = set(sys.modules)
from lawreport.params import check_params
{run}
print(json.dumps(sorted(set(sys.modules) - before)))
"""

VALIDATE_AND_INTERNAL = """
from lawreport.run.validation import run_validation
from lawreport import appendix
params = check_params({params!r})
os.environ[{env!r}] = "validate"
run_validation(params)
os.environ[{env!r}] = "appendix"
app = appendix.load_appendix(params, "internal")
for section in ("cover", "report_section", "cards_section", "arithmetic_section", "commitments_section",
                "year_over_year_section", "charts_section", "quality_section", "reproducibility_section"):
    getattr(appendix, section)(app)
"""

FIGURES = """
from lawreport.run.figures_step import run_figures
run_figures(check_params({params!r}))
"""


def _new_modules(notebooks: tuple[str, ...], run: str) -> list[str]:
    code = LANE_RUN.format(notebooks=notebooks, run=run)
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    new = json.loads(done.stdout.strip().splitlines()[-1])
    return [name for name in new if name.startswith(WATCHED)]


@pytest.fixture
def run_copy(suite_run, tmp_path: Path) -> dict[str, object]:
    """The session's run with its build folder copied (the validate step and the kept sections write there)."""
    shutil.copytree(suite_run.path(suite_run.build_root), tmp_path / "build")
    return {
        "year": suite_run.year,
        "raw_root": str(suite_run.path(suite_run.raw_root)),
        "clean_root": str(suite_run.path(suite_run.clean_root)),
        "build_root": str(tmp_path / "build"),
    }


def test_the_validate_lane_runs_validate_and_the_internal_edition_with_nothing_more_to_import(run_copy) -> None:
    run = VALIDATE_AND_INTERNAL.format(params=run_copy, env=PIPELINE_ENV)
    assert _new_modules(("20_validate.py", "90_appendix.py"), run) == []


def test_the_figures_lane_computes_every_figure_with_nothing_more_to_import(run_copy) -> None:
    assert _new_modules(("10_clean.py", "30_figures.py", "90_appendix.py"), FIGURES.format(params=run_copy)) == []


def test_the_check_finds_what_a_lane_did_not_preload(run_copy) -> None:
    """Control: with only the clean notebook's imports, the figures step imports the text layer and the rest."""
    new = _new_modules(("10_clean.py",), FIGURES.format(params=run_copy))
    assert "lawreport.text.check" in new and "lawreport.register.compute" in new
