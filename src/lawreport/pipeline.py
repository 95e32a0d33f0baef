"""The ordered papermill run: clean -> validate (-> figures -> appendix as they exist).

Parameters are checked before any kernel starts (papermill itself only warns on unknown ones).
Each executed notebook is kept under build/<year>/notebooks/, also when it fails, for inspection.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .params import PROJECT_ROOT, RunParams, check_params

NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
STEPS: tuple[tuple[str, str], ...] = (
    ("clean", "10_clean.py"),
    ("validate", "20_validate.py"),
    ("figures", "30_figures.py"),
)


class StepFailed(RuntimeError):
    """A notebook failed: names the notebook and cell, and where the executed copy is kept."""

    def __init__(self, step: str, notebook: Path, cell: int | None, error: str, kept: Path):
        self.step, self.notebook, self.cell, self.error, self.kept = step, notebook, cell, error, kept
        where = f"第 {cell} 个单元格 (cell {cell})" if cell is not None else "执行中"
        super().__init__(
            f"步骤「{step}」失败 (step failed)：{notebook.name} {where}\n{error}\n"
            f"已保留执行到出错处的笔记本 (kept for inspection)：{kept}"
        )


@dataclass
class StepResult:
    step: str
    output: Path
    seconds: float


def notebook_for(step_file: str) -> Any:
    import jupytext

    notebook = jupytext.read(NOTEBOOK_DIR / step_file)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def run_step(step: str, step_file: str, params: RunParams, say: Callable[[str], None] = print) -> StepResult:
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    out_dir = params.build_dir / "notebooks"
    out_dir.mkdir(parents=True, exist_ok=True)
    source = out_dir / f"{Path(step_file).stem}.source.ipynb"
    output = out_dir / f"{Path(step_file).stem}.ipynb"
    nbformat.write(notebook_for(step_file), source)
    started = time.perf_counter()
    env_before = os.environ.get("GX_ANALYTICS_ENABLED")
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    try:
        papermill.execute_notebook(
            str(source), str(output), parameters=params.as_dict(), kernel_name="python3",
            cwd=str(PROJECT_ROOT), progress_bar=False, log_output=False, report_mode=False,
        )
    except PapermillExecutionError as exc:
        raise StepFailed(step, NOTEBOOK_DIR / step_file, exc.exec_count, f"{exc.ename}: {exc.evalue}", output) from None
    finally:
        source.unlink(missing_ok=True)
        if env_before is None:
            os.environ.pop("GX_ANALYTICS_ENABLED", None)
    seconds = time.perf_counter() - started
    say(f"[{step}] 完成 (done) {seconds:.1f}s → {output.relative_to(PROJECT_ROOT) if output.is_relative_to(PROJECT_ROOT) else output}")
    return StepResult(step, output, seconds)


def run_suite(raw_params: dict[str, Any], say: Callable[[str], None] = print) -> list[StepResult]:
    """Run every step in order for one year; the first failing step stops the run."""
    params = check_params(raw_params)
    say(f"运行 {params.year} 年 (running year {params.year})：{' → '.join(s for s, _ in STEPS)}")
    results = []
    for step, step_file in STEPS:
        results.append(run_step(step, step_file, params, say))
    return results
