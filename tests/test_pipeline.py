"""The papermill run with real kernels: parameters checked first, steps in order, failures kept."""

from __future__ import annotations

import json
import shutil
import threading

import pytest
from support import copy_year, ledger_path, suite_said, tree_hashes

from lawreport.params import ParameterError
from lawreport.run.pipeline import StepFailed, run_suite


def _raw(params) -> dict[str, object]:
    return {
        "year": params.year,
        "raw_root": params.raw_root,
        "clean_root": params.clean_root,
        "build_root": params.build_root,
    }


@pytest.fixture(scope="module")
def law_exams_run(tmp_path_factory):
    """One finished run over 2025 with its law_exams ledger only, and a copy of the folder as it left it."""
    folder = tmp_path_factory.mktemp("law_exams_run")
    params = copy_year(folder, 2025, tables=["law_exams"])
    run_suite(_raw(params), say=lambda _: None)
    snapshot = tmp_path_factory.mktemp("law_exams_snapshot") / "run"
    shutil.copytree(folder, snapshot, symlinks=True)
    return folder, snapshot, params


@pytest.fixture
def finished(law_exams_run):
    """The folder of `law_exams_run` as that run left it, for a test that starts from a finished run: put back
    at the path it ran in, since the steps' stamps name their input files by path."""
    folder, snapshot, params = law_exams_run
    shutil.rmtree(folder)
    shutil.copytree(snapshot, folder, symlinks=True)
    return params


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"yaer": 2025}, "未知参数"),
        ({"year": "2025-01-01"}, "四位年份"),
        ({"year": 2025.0}, "四位年份"),
        ({"year": 1999}, "四位年份"),
        ({"year": 2031}, "没有台账目录"),
        ({"year": 2025, "unit": 5}, "应为文本"),
    ],
)
def test_bad_parameters_are_rejected_before_any_kernel_starts(tmp_path, bad, message):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    raw = {**_raw(params), **bad}
    if "yaer" in bad:
        raw.pop("year")
        raw["year"] = 2025
    with pytest.raises(ParameterError, match=message):
        run_suite(raw, say=lambda _: None)
    assert not (tmp_path / "build").exists()


def test_a_full_run_writes_clean_data_validation_and_kept_notebooks(suite_run):
    """The session's run (tests/conftest.py: every sample year, 2025 the year run), read only."""
    params = suite_run
    ran = suite_said(params)
    lines = ran["said"]
    assert ran["steps"] == ["clean", "validate", "figures", "appendix"]
    assert all("完成" in line for line in lines if line.startswith("["))
    assert lines[-1].startswith("附录") and lines[-1].endswith("appendix.html")
    assert (params.clean_dir / "petitions.parquet").exists()
    summary = json.loads((params.build_dir / "validation" / "summary.json").read_text(encoding="utf-8"))
    assert summary
    assert (params.build_dir / "notebooks" / "10_clean.ipynb").exists()
    assert list((params.build_dir / "validation").rglob("index.html"))
    # The appendix's charts and cards were made ahead, in lane 1 once figures was done, while
    # validate still ran (when it did: validate waits for the Great Expectations import).
    timings = json.loads((params.build_dir / "timings.json").read_text(encoding="utf-8"))
    steps = timings["steps"]
    # The validate lane helped clean (Step.help): from when the clean notebook took its kernel.
    helped = timings["warm"]["clean.help"]
    assert steps["clean"]["start"] <= helped["start"] <= steps["validate"]["start"] + steps["validate"]["seconds"]
    figures_end = steps["figures"]["start"] + steps["figures"]["seconds"]
    if steps["validate"]["start"] + steps["validate"]["seconds"] > figures_end + 1:
        warm = timings["warm"]["appendix"]
        # (each of start and seconds rounded to 1 ms: the work ahead now starts within microseconds
        # of the figures' end, its stamp being written in the background)
        assert figures_end - 0.002 <= warm["start"] <= steps["appendix"]["start"], timings
    kept = params.path(params.build_root) / ".cache" / "2025" / "appendix"
    cards = len(json.loads((params.build_dir / "figures.json").read_text(encoding="utf-8"))["figures"])
    charts = (params.build_dir / "appendix.html").read_text(encoding="utf-8").count('<figure class="chart">')
    assert charts == 4, "a full year: every chart of the sample's unit has data"
    assert sorted(p.name.split("-")[0] for p in kept.glob("*.html")) == ["card"] * 2 * cards + ["chart"] * charts


def test_a_steps_notebook_is_scrubbed_in_the_background_and_a_failed_scrub_fails_the_run(tmp_path, monkeypatch):
    """The clean, validate and figures notebooks are scrubbed, and every step's stamp written, while
    the next steps run (`KernelPool.step_job`), all before the run returns; a scrub that fails fails
    the run and takes its step's stamp (written after it), so that the step runs (and its notebook
    is scrubbed) next time."""
    import threading

    from lawreport.appendix import scan
    from lawreport.run import pipeline
    from lawreport.run.pipeline import stamp_path

    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    real = scan.scrub_or_block
    where: dict[str, str] = {}
    stamped: dict[str, str] = {}
    real_stamp = pipeline.write_stamp

    def write_stamp(params, step, print_):
        stamped[step] = threading.current_thread().name
        real_stamp(params, step, print_)

    monkeypatch.setattr(pipeline, "write_stamp", write_stamp)

    def scrub(path, *args, **kwargs):
        where[path.name] = threading.current_thread().name
        if path.name == "20_validate.ipynb" and "fail" in where:
            raise OSError("disk full")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(scan, "scrub_or_block", scrub)
    run_suite(_raw(params), say=lambda _: None)
    assert {name: "scrub" if thread.startswith("scrub") else "its own" for name, thread in where.items()} == {
        "10_clean.ipynb": "scrub",
        "20_validate.ipynb": "scrub",
        "30_figures.ipynb": "scrub",
        "90_appendix.public.ipynb": "its own",  # an edition: in its own thread, before its export
        "90_appendix.internal.ipynb": "its own",
    }, where
    timings = json.loads((params.build_dir / "timings.json").read_text(encoding="utf-8"))
    assert "scrub" in timings["steps"]["clean"]["notebooks"]["clean"], "timed, before the timings are written"
    assert sorted(stamped) == sorted(s.name for s in pipeline.STEPS)
    assert all(thread.startswith("scrub") for thread in stamped.values()), stamped

    where["fail"] = "yes"
    shutil.rmtree(params.build_dir / "stamps")  # every step runs again
    with pytest.raises(OSError, match="disk full"):
        run_suite(_raw(params), say=lambda _: None)
    assert not stamp_path(params, "validate").exists() and stamp_path(params, "figures").exists()


def test_a_failing_step_names_notebook_and_cell_and_keeps_the_notebook(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams", "penalty_cases"])
    run_suite(_raw(params), say=lambda _: None)
    clean_before = tree_hashes(params.clean_dir)
    ledger_path(params, "penalty_cases").write_bytes(b"")
    with pytest.raises(StepFailed) as info:
        run_suite(_raw(params), say=lambda _: None)
    error = info.value
    assert error.notebook.name == "10_clean.py" and error.cell is not None
    assert "F002" in str(error) and "LedgerFileError" in str(error)
    kept = json.loads(error.kept.read_text(encoding="utf-8"))
    assert any(o.get("output_type") == "error" for c in kept["cells"] for o in c.get("outputs", []))
    assert tree_hashes(params.clean_dir) == clean_before


def test_a_year_without_a_register_runs_to_the_appendix(tmp_path):
    for year in (2023, 2024):
        params = copy_year(tmp_path, year)
    results = run_suite(_raw(params), say=lambda _: None)
    assert [r.step for r in results] == ["clean", "validate", "figures", "appendix"]
    figures = json.loads((params.build_dir / "figures.json").read_text(encoding="utf-8"))
    assert figures["figures"] == [] and "没有数字登记册" in figures["note"]
    html = (params.build_dir / "appendix.html").read_text(encoding="utf-8")
    assert "2024" in html and "没有报告原文或数字登记册" in html


def test_every_notebook_declares_exactly_the_run_parameters_with_their_defaults():
    # papermill needs literal parameters cells, so each notebook repeats them; this keeps them true.
    import ast
    from dataclasses import MISSING, fields

    import jupytext

    from lawreport.params import RunParams
    from lawreport.run.pipeline import NOTEBOOK_DIR, STEPS

    expected = {f.name: (f.default if f.default is not MISSING else 2025) for f in fields(RunParams)}
    for step in STEPS:
        notebook = jupytext.read(NOTEBOOK_DIR / step.notebook)
        cell = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
        declared = {
            node.target.id: ast.literal_eval(node.value)
            for node in ast.parse(cell.source).body
            if isinstance(node, ast.AnnAssign)
        }
        extra = {"edition": "public"} if step.editions else {}
        assert declared == {**expected, **extra}, step.notebook


@pytest.mark.parametrize("fatal", ["import os\nos._exit(3)", "raise SystemExit(1)"])
def test_a_notebook_that_exits_early_fails_the_run_and_names_it(tmp_path, monkeypatch, fatal):
    from lawreport.run import pipeline

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "10_clean.py").write_text(
        '# %% tags=["parameters"]\nyear: int = 2025  # report year\n\n# %%\n' + fatal + "\n\n# %%\nprint('never')\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(pipeline, "NOTEBOOK_DIR", notebooks)
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    with pytest.raises(StepFailed) as info:
        pipeline.run_step(pipeline.Step("clean", "10_clean.py"), params, force=True, say=lambda _: None)
    assert info.value.notebook.name == "10_clean.py" and "clean" in str(info.value)
    assert not pipeline.stamp_path(params, "clean").exists()


# ------------------------------------------------------------------ kernels launched ahead

PRELOADED = """# %% tags=["parameters"]
year: int = 2025  # report year

# %%
import sys

print("statistics" in sys.modules, "statistics" in dir(), "median" in dir(), "json" in sys.modules)

# %%
import statistics
from json import dumps as median
"""


def _notebook(tmp_path, monkeypatch, source: str) -> None:
    from lawreport.run import pipeline

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "10_clean.py").write_text(source, encoding="utf-8")
    monkeypatch.setattr(pipeline, "NOTEBOOK_DIR", notebooks)


def _printed(output) -> str:
    cells = json.loads(output.read_text(encoding="utf-8"))["cells"]
    return "".join("".join(o.get("text", "")) for c in cells for o in c.get("outputs", []))


def test_a_pool_kernel_has_the_notebooks_modules_loaded_and_no_name_bound(tmp_path, monkeypatch):
    from lawreport.run import pipeline

    _notebook(tmp_path, monkeypatch, PRELOADED)
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    kernels = pipeline.KernelPool(((("clean", ""),),))
    try:
        kernels.open()
        output = pipeline.execute_notebook("clean", "10_clean.py", params, kernels=kernels)
    finally:
        kernels.close()
    # Loaded before the first cell (both later imports), yet the namespace is the notebook's own.
    assert _printed(output).split() == ["True", "False", "False", "True"]

    # Without the preload the same cell sees the modules unloaded: the first check can fail.
    monkeypatch.setattr(pipeline, "preload_code", lambda step_file: "")
    output = pipeline.execute_notebook("clean", "10_clean.py", params)
    assert _printed(output).split()[0] == "False"


def test_a_notebooks_client_is_closed_after_it_and_a_collection_then_ends(tmp_path, monkeypatch):
    """nbclient leaves its client connected after a notebook on a kernel it did not start (a lane's): its
    sockets stayed open in a zmq context of its own, and a garbage collection that met one blocked in the
    context's end for good (a `gc.collect()` after a run never returned). Each notebook's client is now closed
    after it, the lane's kernel still alive, while a client in another thread (`run_silently`: preloads, work
    ahead) is its own caller's to close."""
    import gc

    import zmq

    from lawreport.run import pipeline

    def open_contexts() -> set[int]:
        return {id(o) for o in gc.get_objects() if isinstance(o, zmq.Context) and not o.closed and o._sockets}

    _notebook(tmp_path, monkeypatch, POOLED)
    (tmp_path / "notebooks" / "30_figures.py").write_text(POOLED, encoding="utf-8")
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    before = open_contexts()
    kernels = pipeline.KernelPool(((("clean", ""), ("figures", "")),))
    try:
        kernels.open()
        pipeline.execute_notebook("clean", "10_clean.py", params, kernels=kernels)
        manager = kernels._kernels[0]
        before.add(id(manager.context))  # the manager's own (its control socket), ended when the kernel stops
        for job in kernels._background.get(0, []):  # the lane's later imports, in a client of their own meanwhile
            job.result()
        left = open_contexts() - before
        assert not left, f"{len(left)} zmq contexts left open by the notebook's client"
        assert not manager.__dict__.get("clients_made")
        pipeline.run_silently(manager, "x = 1", timeout=30)  # the lane's kernel, still there, answers
        pipeline.execute_notebook("figures", "30_figures.py", params, kernels=kernels)
        for job in kernels._background.get(0, []):
            job.result()
        assert not open_contexts() - before
    finally:
        kernels.close()
    collected = threading.Thread(target=gc.collect, daemon=True)
    collected.start()
    collected.join(30)
    assert not collected.is_alive(), "gc.collect() blocked in a zmq context's end"


POOLED = """# %% tags=["parameters"]
year: int = 2025  # report year

# %%
import os

print("statistics" in dir(), get_ipython().execution_count, os.environ["LAWREPORT_PIPELINE_RUN"], os.getpid())

# %%
import statistics
"""


def _pooled_run(tmp_path, monkeypatch, source: str) -> list[list[str]]:
    """The same notebook run twice in one pool lane (as clean, then as figures): what each printed."""
    from lawreport.run import pipeline

    _notebook(tmp_path, monkeypatch, source)
    (tmp_path / "notebooks" / "30_figures.py").write_text(source, encoding="utf-8")
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    kernels = pipeline.KernelPool(((("clean", ""), ("figures", "")),))
    printed = []
    try:
        kernels.open()
        for step, step_file in (("clean", "10_clean.py"), ("figures", "30_figures.py")):
            try:
                output = pipeline.execute_notebook(step, step_file, params, kernels=kernels)
            except StepFailed as failed:
                output = failed.kept
            printed.append(_printed(output).split())
    finally:
        kernels.close()
    return printed


def test_a_lanes_next_notebook_reuses_its_kernel_with_an_empty_namespace(tmp_path, monkeypatch):
    from lawreport.run import pipeline

    first, second = _pooled_run(tmp_path, monkeypatch, POOLED)
    # The same kernel process; the first notebook's names are gone, the execution count starts
    # again, and the kernel knows which step it runs.
    assert first[3] == second[3], (first, second)
    assert first[:3] == ["False", first[1], "clean"] and second[:3] == ["False", first[1], "figures"], (first, second)

    # Without the reset the second notebook would see the first one's names and count on.
    monkeypatch.setattr(pipeline, "reset_code", lambda step: "pass")
    (tmp_path / "again").mkdir()
    first, second = _pooled_run(tmp_path / "again", monkeypatch, POOLED)
    assert second[0] == "True" and second[1] != first[1], (first, second)


def test_a_kernels_imports_are_frozen_and_its_reset_still_collects_what_a_notebook_left():
    """The objects a kernel's imports made are frozen before any notebook (FREEZE: no garbage collection scans
    them again); what a notebook leaves as cyclic garbage is still collected by the reset between notebooks."""
    from lawreport.run import pipeline

    manager = pipeline.start_kernel("clean")
    leave_garbage = (
        "import gc, sys, weakref\n"
        "assert gc.get_freeze_count() > 10000, gc.get_freeze_count()\n"
        "gc.disable()  # (no automatic collection until the check)\n"
        "class Node:\n"
        "    pass\n"
        "a, b = Node(), Node()\n"
        "a.other, b.other = b, a\n"
        "sys.probe = weakref.ref(a)\n"
        "del a, b\n"
        "x = 1\n"
    )
    check = (
        "import gc, os, sys\n"
        "gc.enable()\n"
        "assert sys.probe() is None, 'the garbage a notebook left is still there'\n"
        "assert 'x' not in dir(), dir()\n"
        "assert os.environ['LAWREPORT_PIPELINE_RUN'] == 'figures'\n"
    )
    try:
        pipeline.run_silently(manager, leave_garbage)
        pipeline.run_silently(manager, pipeline.reset_code("figures"))
        pipeline.run_silently(manager, check)
        # a reset that did not collect would leave it
        pipeline.run_silently(manager, leave_garbage)
        pipeline.run_silently(manager, "import os; os.environ['LAWREPORT_PIPELINE_RUN'] = 'figures'; del x")
        with pytest.raises(RuntimeError, match="still there"):
            pipeline.run_silently(manager, check)
    finally:
        pipeline.stop_kernel(manager)


def test_a_kernel_whose_notebook_failed_is_not_used_again(tmp_path, monkeypatch):
    failing = POOLED.replace("import statistics", "raise ValueError('stop')")
    first, second = _pooled_run(tmp_path, monkeypatch, failing)
    assert first[3] != second[3], ("a fresh kernel for the lane's next notebook", first, second)
    assert second[:3] == ["False", first[1], "figures"], (first, second)


WARMED = """# %% tags=["parameters"]
year: int = 2025  # report year

# %%
import os

print(os.environ.get("WARMED_FOR", "none"), os.getpid())
"""

WARM_PROBE = """import os


def mark(params):
    os.environ["WARMED_FOR"] = str(params["year"]) + ":" + os.environ["LAWREPORT_PIPELINE_RUN"]


def mark_then_fail(params):
    mark(params)
    raise RuntimeError("a help that fails")


def slow(params):
    import time

    time.sleep(8)
"""


def _warmed_pool(tmp_path, monkeypatch, warm: str):
    """A pool whose first lane runs clean then figures, figures with work ahead `warm` due once clean
    is done; the parameters."""
    from lawreport.run import pipeline

    _notebook(tmp_path, monkeypatch, WARMED)
    (tmp_path / "notebooks" / "30_figures.py").write_text(WARMED, encoding="utf-8")
    (tmp_path / "probe").mkdir()
    (tmp_path / "probe" / "warm_probe.py").write_text(WARM_PROBE, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "probe"))  # the kernels' environment
    (tmp_path / "notebooks" / "20_validate.py").write_text(WARMED, encoding="utf-8")
    # figures waits for validate too (never run here), as the appendix waits for validate: work ahead
    # is done only while a step still waits for another.
    step = pipeline.Step("figures", "30_figures.py", after=("clean", "validate"), warm=warm, warm_after=("clean",))
    monkeypatch.setitem(pipeline.STEP_BY_NAME, "figures", step)
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    return pipeline.KernelPool(((("clean", ""), ("figures", "")), (("validate", ""),))), params


def _warmed_run(tmp_path, monkeypatch, warm: str) -> list[list[str]]:
    """What each notebook printed, clean then figures, in `_warmed_pool`."""
    from lawreport.run import pipeline

    kernels, params = _warmed_pool(tmp_path, monkeypatch, warm)
    printed = []
    try:
        kernels.open(params)
        printed.append(_printed(pipeline.execute_notebook("clean", "10_clean.py", params, kernels=kernels)).split())
        kernels.step_done("clean")
        printed.append(_printed(pipeline.execute_notebook("figures", "30_figures.py", params, kernels=kernels)).split())
    finally:
        kernels.close()
    return printed


def test_a_steps_work_ahead_runs_in_its_lanes_kernel_before_its_notebook(tmp_path, monkeypatch):
    clean, figures = _warmed_run(tmp_path, monkeypatch, "warm_probe:mark")
    # Done in the lane's kernel, once clean was done, with the run's parameters; the figures notebook
    # (same kernel, reset) then sees what it left in the process (here an environment variable).
    assert clean[0] == "none" and figures == ["2025:clean", clean[1]], (clean, figures)


def test_a_failing_work_ahead_is_ignored_and_the_notebook_runs(tmp_path, monkeypatch):
    clean, figures = _warmed_run(tmp_path, monkeypatch, "warm_probe:no_such_function")
    assert figures == ["none", clean[1]], ("the same kernel, not replaced", clean, figures)


def _helped_run(tmp_path, monkeypatch, help_target: str) -> list[list[str]]:
    """What clean then validate printed, clean having `help_target` as its help (Step.help), each
    in its own lane."""
    from lawreport.run import pipeline

    _notebook(tmp_path, monkeypatch, WARMED)
    (tmp_path / "notebooks" / "20_validate.py").write_text(WARMED, encoding="utf-8")
    (tmp_path / "probe").mkdir()
    (tmp_path / "probe" / "warm_probe.py").write_text(WARM_PROBE, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "probe"))
    monkeypatch.setitem(pipeline.STEP_BY_NAME, "clean", pipeline.Step("clean", "10_clean.py", help=help_target))
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    kernels = pipeline.KernelPool(((("clean", ""),), (("validate", ""),)))
    printed = []
    try:
        kernels.open(params)
        printed.append(_printed(pipeline.execute_notebook("clean", "10_clean.py", params, kernels=kernels)).split())
        kernels.step_done("clean")
        printed.append(
            _printed(pipeline.execute_notebook("validate", "20_validate.py", params, kernels=kernels)).split()
        )
    finally:
        kernels.close()
    return printed


def test_a_steps_help_runs_in_the_other_lanes_kernel_before_that_lanes_notebook(tmp_path, monkeypatch):
    clean, validate = _helped_run(tmp_path, monkeypatch, "warm_probe:mark")
    # Not in clean's kernel (it printed nothing left by the help), in the validate lane's, with the
    # run's parameters, and done before its notebook started.
    assert clean[0] == "none" and validate[0] == "2025:validate" and validate[1] != clean[1], (clean, validate)


def test_a_failing_help_is_ignored_and_the_notebooks_run(tmp_path, monkeypatch):
    clean, validate = _helped_run(tmp_path, monkeypatch, "warm_probe:mark_then_fail")
    # validate ran, in the kernel the help failed in (what it marked before failing is there)
    assert clean[0] == "none" and validate[0] == "2025:validate", (clean, validate)


def test_a_run_stopped_while_a_notebook_waits_for_work_ahead_starts_nothing_more(tmp_path, monkeypatch):
    """Ctrl-C (the pool closed) while the next notebook waits for its lane's work ahead: it does not
    run, no kernel is started for it, and every kernel the pool started is stopped."""
    import os
    import threading
    import time

    from lawreport.run import pipeline
    from lawreport.run.pipeline import RunStopped

    kernels, params = _warmed_pool(tmp_path, monkeypatch, "warm_probe:slow")
    started = []
    real = pipeline.start_kernel
    monkeypatch.setattr(pipeline, "start_kernel", lambda *args: started.append(real(*args)) or started[-1])
    outcome = []

    def next_notebook():
        try:
            kernels.take("figures", "", "30_figures.py")
            outcome.append("taken")
        except RunStopped:
            outcome.append("stopped")

    kernels.open(params)
    pids = [manager.provisioner.pid for manager in started]
    try:
        pipeline.execute_notebook("clean", "10_clean.py", params, kernels=kernels)
        kernels.step_done("clean")  # the work ahead (8 s) starts in the lane's kernel
        waiting = threading.Thread(target=next_notebook)
        waiting.start()
        time.sleep(1)
    finally:
        kernels.close()
    waiting.join(30)
    assert outcome == ["stopped"] and len(started) == 2, ("the two lanes' kernels only", outcome, started)
    for pid in pids:  # killed and reaped
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_a_failing_preload_is_silent_and_the_notebooks_own_import_fails_at_its_cell(tmp_path, monkeypatch, capfd):
    from lawreport.run import pipeline

    source = '# %% tags=["parameters"]\nyear: int = 2025  # report year\n\n# %%\nprint("first")\n\n# %%\nimport no_such_module_here\n'
    _notebook(tmp_path, monkeypatch, source)
    assert "no_such_module_here" in pipeline.preload_code("10_clean.py")
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    capfd.readouterr()
    with pytest.raises(StepFailed) as info:
        pipeline.execute_notebook("clean", "10_clean.py", params)
    # cells: parameters, papermill's injected parameters, print, import
    assert info.value.cell == 4 and "ModuleNotFoundError" in info.value.error
    assert "no_such_module_here" not in capfd.readouterr().err, "the preload's own failure prints nothing"


def test_an_unchanged_rerun_starts_no_kernel(finished, monkeypatch):
    from lawreport.run import pipeline

    params = finished
    started: list[str] = []
    real = pipeline.start_kernel
    monkeypatch.setattr(pipeline, "start_kernel", lambda step, *files: started.append(step) or real(step, *files))
    run_suite(_raw(params), say=lambda _: None)
    assert started == []
    (params.raw_dir / "MANIFEST.yaml").write_text(
        (params.raw_dir / "MANIFEST.yaml").read_text(encoding="utf-8") + "\n", encoding="utf-8"
    )
    run_suite(_raw(params), say=lambda _: None)
    # Every step runs, its five notebooks in the two lanes' kernels: two kernels started, no more.
    assert started == ["clean", "validate"], started


def test_force_removes_every_cache_and_reruns_from_scratch(finished):
    """A finished run with nothing changed: --force reruns every step all the same."""
    from lawreport.run import pipeline

    params = finished
    present = [folder for folder in pipeline.cache_folders(params) if folder.exists()]
    assert present, "a run leaves its caches"
    said: list[str] = []
    results = run_suite(_raw(params), force=True, say=said.append)
    assert [r.step for r in results if not r.skipped] == ["clean", "validate", "figures", "appendix"]
    assert any("--force" in line and "缓存" in line for line in said)
    from lawreport.run.validation import CACHE_DIR

    stats = json.loads((params.build_dir / "validation" / "stats.json").read_text(encoding="utf-8"))
    assert stats["reused_tables"] == [] and (params.build_dir / "validation" / CACHE_DIR).exists()


NO_OP_PROBE = """
import sys
from lawreport.cli import main
code = main(["run", "--year", "2025", "--raw-root", sys.argv[1], "--clean-root", sys.argv[2],
             "--build-root", sys.argv[3], "--fail-on", "none"])
print("LOADED", sorted(m for m in ("pandas", "jupyter_client", "papermill", "great_expectations") if m in sys.modules))
sys.exit(code)
"""


def test_a_run_with_nothing_to_do_reads_stamps_only_and_imports_no_heavy_module(finished):
    import subprocess
    import sys

    params = finished
    roots = [params.raw_root, params.clean_root, params.build_root]

    def probe() -> str:
        done = subprocess.run([sys.executable, "-c", NO_OP_PROBE, *roots], capture_output=True, text=True, check=True)
        return done.stdout

    out = probe()
    assert "LOADED []" in out and out.count("输入未变，跳过") == 4, out
    timings = json.loads((params.build_dir / "timings.json").read_text(encoding="utf-8"))
    assert all(step["skipped"] for step in timings["steps"].values())
    # One changed input and the same command runs the changed steps (and imports what they need).
    manifest = params.raw_dir / "MANIFEST.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    out = probe()
    assert "[clean] 完成 (done)" in out and "[appendix] 完成 (done)" in out, out
    # The data work is the kernels': this process (papermill, the scrub, the export of the editions)
    # loads neither pandas nor Great Expectations.
    assert "LOADED ['jupyter_client', 'papermill']" in out, out


def test_a_dead_kernels_notebook_is_kept_with_the_cells_it_ran_and_saved_only_at_start_and_end(tmp_path, monkeypatch):
    import papermill.iorw

    from lawreport.run import pipeline

    source = (
        '# %% tags=["parameters"]\nyear: int = 2025  # report year\n\n# %%\nprint("before the end")\n\n'
        "# %%\nprint(1)\n\n# %%\nimport os\nos._exit(3)\n"
    )
    _notebook(tmp_path, monkeypatch, source)
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    saves: list[str] = []
    real = papermill.iorw.write_ipynb
    monkeypatch.setattr(papermill.engines, "write_ipynb", lambda nb, path: saves.append(path) or real(nb, path))
    with pytest.raises(StepFailed) as info:
        pipeline.execute_notebook("clean", "10_clean.py", params)
    assert info.value.kept.exists() and "before the end" in _printed(info.value.kept)
    assert len(saves) == 2, "saved when the notebook starts and when it ends, not at every cell"


@pytest.mark.parametrize("last", ['print("the end")', 'raise ValueError("the end")'])
def test_a_notebook_that_runs_to_its_end_or_a_failing_cell_is_written_twice_its_final_state_once(
    tmp_path, monkeypatch, last
):
    """Papermill writes the final state after the engine's end (with the error marker when a cell failed): the
    engine does not write the same state just before it (the internal appendix: 6 MB, 0.06-0.1 s a write)."""
    import papermill.execute
    import papermill.iorw

    from lawreport.run import pipeline

    source = f'# %% tags=["parameters"]\nyear: int = 2025  # report year\n\n# %%\nprint(1)\n\n# %%\n{last}\n'
    _notebook(tmp_path, monkeypatch, source)
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    saves: list[str] = []
    real = papermill.iorw.write_ipynb

    def counted(nb, path):
        saves.append(json.dumps(nb, sort_keys=True))
        return real(nb, path)

    monkeypatch.setattr(papermill.engines, "write_ipynb", counted)
    monkeypatch.setattr(papermill.execute, "write_ipynb", counted)
    failing = "raise" in last
    if failing:
        with pytest.raises(StepFailed) as info:
            pipeline.execute_notebook("clean", "10_clean.py", params)
        output = info.value.kept
    else:
        output = pipeline.execute_notebook("clean", "10_clean.py", params)
    assert len(saves) == 2 and saves[0] != saves[1], "written when it starts and once when it ends"
    final = json.loads(output.read_text(encoding="utf-8"))
    assert json.loads(saves[1])["metadata"]["papermill"] == final["metadata"]["papermill"]
    assert final["metadata"]["papermill"]["end_time"] and bool(final["metadata"]["papermill"]["exception"]) is failing
    assert ("papermill-error-cell-tag" in json.dumps(final["cells"][0])) is failing
    assert "1" in _printed(output)


def test_a_failing_validation_stops_the_appendix_while_figures_beside_it_finishes(tmp_path):
    """validate and figures both read only the clean data and run side by side: a failing check stops
    the run before the appendix (which reads both) and names the validate notebook; figures, already
    running, finishes and keeps its stamp."""
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    expectations = tmp_path / "expectations"
    shutil.copytree(params.path(params.expectations_dir), expectations)
    suite = json.loads((expectations / "law_exams.json").read_text(encoding="utf-8"))
    suite["expectations"].append(
        {"type": "expect_column_values_to_be_null", "kwargs": {"column": "row_id"}, "meta": {"zh": "故意失败"}}
    )
    (expectations / "law_exams.json").write_text(json.dumps(suite, ensure_ascii=False), encoding="utf-8")
    said: list[str] = []
    with pytest.raises(StepFailed) as info:
        run_suite({**_raw(params), "expectations_dir": str(expectations)}, say=said.append)
    assert info.value.notebook.name == "20_validate.py"
    assert (params.build_dir / "figures.json").exists() and any(line.startswith("[figures] 完成") for line in said)
    assert not (params.build_dir / "appendix.html").exists()
    assert not any(line.startswith("[appendix]") for line in said)


def test_a_notebooks_ipynb_text_is_kept_by_its_source_and_read_back_without_jupytext(tmp_path, monkeypatch):
    """notebook_text: what nbformat writes of jupytext's reading, kept by a key of the source; an edited
    notebook is converted again, and a process that finds it kept does not import jupytext."""
    import re
    import subprocess
    import sys
    import tempfile

    import nbformat

    from lawreport.run import pipeline

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "10_clean.py").write_text((pipeline.NOTEBOOK_DIR / "10_clean.py").read_text(encoding="utf-8"))
    monkeypatch.setattr(pipeline, "NOTEBOOK_DIR", notebooks)

    def without_ids(text: str) -> str:
        return re.sub(r'"id": "[0-9a-f]+"', '"id": ""', text)

    kept = pipeline.notebook_text("10_clean.py")
    assert pipeline.notebook_text("10_clean.py") == kept  # the same text, ids included
    assert without_ids(kept) == without_ids(nbformat.writes(pipeline.notebook_for("10_clean.py")) + "\n")
    assert len(list((tmp_path / "tmp").glob("lawreport-notebooks-*/*.ipynb"))) == 1

    edited = (notebooks / "10_clean.py").read_text(encoding="utf-8") + "\n# %%\nprint('edited')\n"
    (notebooks / "10_clean.py").write_text(edited, encoding="utf-8")
    again = pipeline.notebook_text("10_clean.py")
    assert "print('edited')" in again and "print('edited')" not in kept

    probe = (
        "import sys, tempfile\n"
        f"tempfile.tempdir = {str(tmp_path / 'tmp')!r}\n"
        "from lawreport.run import pipeline\n"
        "from pathlib import Path\n"
        f"pipeline.NOTEBOOK_DIR = Path({str(notebooks)!r})\n"
        "text = pipeline.notebook_text('10_clean.py')\n"
        "print('jupytext' in sys.modules, \"print('edited')\" in text)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True"], done.stdout + done.stderr

    # What is kept is used only if it is a notebook, from a file of this user's (not a symlink), in a folder
    # of this user's only: otherwise the notebook is converted again.
    (kept_file,) = [p for p in (tmp_path / "tmp").glob("lawreport-notebooks-*/*.ipynb") if "edited" in p.read_text()]
    kept_file.write_text("{not json", encoding="utf-8")
    assert without_ids(pipeline.notebook_text("10_clean.py")) == without_ids(again)
    assert without_ids(kept_file.read_text(encoding="utf-8")) == without_ids(again)  # and kept again
    planted = again.replace("print('edited')", "print('planted')")
    foreign = tmp_path / "foreign.ipynb"
    foreign.write_text(planted, encoding="utf-8")
    kept_file.unlink()
    kept_file.symlink_to(foreign)
    assert "planted" not in pipeline.notebook_text("10_clean.py")
    kept_file.unlink(missing_ok=True)
    kept_file.write_text(planted, encoding="utf-8")
    assert "planted" in pipeline.notebook_text("10_clean.py")  # (the test's own planting is read...)
    kept_file.parent.chmod(0o777)
    assert "planted" not in pipeline.notebook_text("10_clean.py")  # (... but not from a folder others may write in)


def _pool_deciding_work_ahead(monkeypatch, warm_in: str, finished: set[str]):
    """A KernelPool with the appendix's two lanes (editions in both) and stand-in kernels, the steps
    in `finished` done: where would the appendix's work ahead start? (lane, label) of each start."""
    from lawreport.run import pipeline

    step = pipeline.Step(
        "appendix",
        "90_appendix.py",
        editions=("public", "internal"),
        after=("clean", "validate", "figures"),
        warm="somewhere:ahead",
        warm_after=("clean", "figures"),
        warm_in=warm_in,
    )
    monkeypatch.setitem(pipeline.STEP_BY_NAME, "appendix", step)
    lanes = ((("clean", ""), ("figures", ""), ("appendix", "public")), (("validate", ""), ("appendix", "internal")))
    pool = pipeline.KernelPool(lanes)
    started: list[tuple[int, str]] = []
    monkeypatch.setattr(
        pool, "_on_lane", lambda lane, function, manager, target, label, params: started.append((lane, label))
    )
    pool._kernels = {0: object(), 1: object()}
    pool._params = object()
    pool._finished = set(finished)
    return pool, started


def test_work_ahead_in_an_editions_lane_starts_also_when_the_step_can_start(monkeypatch):
    """The appendix's work ahead (the internal cards, from the last) runs in the public edition's lane
    (`Step.warm_in`) while the internal edition runs in the other: also once validate is done."""
    for finished in ({"clean", "figures"}, {"clean", "figures", "validate"}):
        pool, started = _pool_deciding_work_ahead(monkeypatch, "public", finished)
        try:
            pool._warm_if_due()
            assert started == [(0, "appendix")], finished
            pool._warm_if_due()
            assert started == [(0, "appendix")], "once"
        finally:
            pool.close()
    pool, started = _pool_deciding_work_ahead(monkeypatch, "public", {"clean"})
    try:
        pool._warm_if_due()
        assert started == [], "not before the figures"
        pool._taken.add(0)  # the public lane busy: not there, nor in the internal edition's lane
        pool._finished.add("figures")
        pool._warm_if_due()
        assert started == []
    finally:
        pool.close()
    # Without a lane named: work ahead only while the step still waits (it would hold up its own
    # notebook otherwise), in whichever of its lanes is idle.
    pool, started = _pool_deciding_work_ahead(monkeypatch, "", {"clean", "figures", "validate"})
    try:
        pool._warm_if_due()
        assert started == []
    finally:
        pool.close()
    pool, started = _pool_deciding_work_ahead(monkeypatch, "", {"clean", "figures"})
    try:
        pool._taken.add(0)
        pool._warm_if_due()
        assert started == [(1, "appendix")]
    finally:
        pool.close()


def test_the_kernel_spec_is_looked_up_once_per_process(monkeypatch):
    from jupyter_client.kernelspec import KernelSpecManager

    from lawreport.run import pipeline

    looked = []
    real = KernelSpecManager.get_kernel_spec
    monkeypatch.setattr(
        KernelSpecManager, "get_kernel_spec", lambda self, name: looked.append(name) or real(self, name)
    )
    pipeline.kernel_spec_of.cache_clear()
    try:
        specs = [pipeline.kernel_manager_class({})(kernel_name="python3").kernel_spec for _ in range(3)]
        assert looked == ["python3"] and specs[0] is specs[1] is specs[2]
        assert specs[0].argv and specs[0].language == "python"
    finally:
        pipeline.kernel_spec_of.cache_clear()


def test_a_stopped_kernels_end_is_noticed_within_milliseconds(monkeypatch):
    """jupyter_client polls a killed kernel every 0.1 s; a run's end waited that long for each."""
    import asyncio

    from lawreport.run import pipeline

    manager = pipeline.kernel_manager_class({})(kernel_name="python3")
    answers = iter([True, True, True, False])
    slept = []

    async def is_alive() -> bool:
        return next(answers)

    real_sleep = asyncio.sleep

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr(manager, "_async_is_alive", is_alive)
    monkeypatch.setattr(asyncio, "sleep", sleep)
    asyncio.run(manager._async_wait())
    assert len(slept) == 3 and max(slept) <= 0.01, slept


def _both_editions_scrubbed_here(params, scrubbed_here: list[str]) -> None:
    """Both editions' notebooks scrubbed by the command (not the forked scanner's "clean")."""
    from lawreport.appendix import scan

    assert sorted(scrubbed_here) == ["90_appendix.internal.ipynb", "90_appendix.public.ipynb"]
    for edition in ("public", "internal"):
        notebook = json.loads(
            (params.build_dir / "notebooks" / f"90_appendix.{edition}.ipynb").read_text(encoding="utf-8")
        )
        assert notebook["metadata"].get(scan.SCRUB_KEY), edition


def test_a_run_with_a_forked_scanner_scrubs_only_what_it_found_and_still_blocks_personal_data(tmp_path, monkeypatch):
    """A run that adopts warm kernels forks a scanner at the preflight's end (`fork_scanner`): it
    checks each executed notebook on the other core. What it finds nothing in, the run does not scan
    again; an edition holding personal data (a name from a ledger written into the report) is
    scrubbed by the run itself, and nothing is published (P305)."""
    from test_publish_scan import _raw_person

    from lawreport.appendix import PublishBlocked, scan
    from lawreport.run import spare_kernels

    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    name, _, _ = _raw_person(params)
    params.report_path.write_text(
        params.report_path.read_text(encoding="utf-8") + f"\n联系人：{name}。\n", encoding="utf-8"
    )
    monkeypatch.setattr(spare_kernels, "any_ready", lambda: True)  # as if warm kernels were waiting
    scrubbed_here = []
    real = scan.scrub_or_block
    monkeypatch.setattr(
        scan, "scrub_or_block", lambda path, *a, **k: scrubbed_here.append(path.name) or real(path, *a, **k)
    )
    said: list[str] = []
    with pytest.raises(PublishBlocked, match=r"\[P305\]"):
        run_suite(_raw(params), say=said.append)
    _both_editions_scrubbed_here(params, scrubbed_here)
    assert not (params.build_dir / "appendix.html").exists()
    assert all(name not in line for line in said)

    # An edition whose render fails is scrubbed all the same (its notebook is kept).
    import lawreport.appendix as appendix_package

    def broken(*args, **kwargs):
        raise OSError("render failed")

    monkeypatch.setattr(appendix_package, "prepare_edition", broken)
    scrubbed_here.clear()
    with pytest.raises(OSError, match="render failed"):
        run_suite(_raw(params), say=said.append)
    _both_editions_scrubbed_here(params, scrubbed_here)


def test_the_clean_steps_help_starts_only_when_more_than_one_input_file_changed(tmp_path, monkeypatch):
    """`Step.help_from`: the help leaves the first ledger to redo to the notebook, so with one changed
    ledger it would only look (~0.2 s of CPU beside the notebook): it does not start then."""
    from lawreport.run import pipeline

    params = copy_year(tmp_path, 2025, tables=["law_exams", "petitions", "penalty_cases"])
    step = pipeline.STEP_BY_NAME["clean"]
    monkeypatch.setattr(pipeline, "execute_notebook", lambda *args, **kwargs: None)

    class Pool:
        def __init__(self) -> None:
            self.refused: list[str] = []

        def no_help(self, name: str) -> None:
            self.refused.append(name)

        def step_done(self, name: str) -> None:
            pass

        def step_job(self, name: str, job) -> bool:
            job()
            return True

    def helped() -> bool:
        pool = Pool()
        pipeline.run_step(step, params, say=lambda _: None, kernels=pool)  # writes the stamp
        return not pool.refused

    def touch(*tables: str) -> None:
        for table in tables:
            path = ledger_path(params, table)
            path.write_bytes(path.read_bytes() + b"\0")

    assert helped(), "no record of a run before"
    touch("petitions")
    assert not helped()
    touch("petitions", "penalty_cases")
    assert helped()
    (params.raw_dir / "notes.txt").write_text("新文件", encoding="utf-8")
    assert not helped(), "one file added"
    assert pipeline.changed_inputs(params, "clean", {"step": "another"}) == float("inf")


def test_ctrl_c_that_reaches_another_thread_still_stops_the_run_at_once(monkeypatch):
    """The kernel may deliver a Ctrl-C (SIGINT) to any thread of the run: the steps' waits must still
    see it at once, not once every step has finished."""
    import signal
    import threading
    import time
    from pathlib import Path

    from lawreport.run import pipeline

    def slow_step(step, params, force=False, say=print, kernels=None):
        time.sleep(4)
        return pipeline.StepResult(step.name, Path("nothing"), 4.0)

    monkeypatch.setattr(pipeline, "run_step", slow_step)

    def interrupt() -> None:
        time.sleep(0.3)
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)  # to this thread, not the main one

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    helper = threading.Thread(target=interrupt)
    try:
        helper.start()
        began = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            pipeline.run_steps(pipeline.STEPS[:1], None, False, lambda _: None, None)
        assert time.monotonic() - began < 2
    finally:
        signal.signal(signal.SIGINT, previous)
        helper.join()


def test_a_step_whose_input_changed_while_it_ran_is_not_marked_done(tmp_path, monkeypatch):
    """Its stamp is written (in the background, after its scrub) only if its inputs are still those
    it started from: a ledger saved while the clean step ran makes it run again next time."""
    from lawreport.run import pipeline

    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    step = pipeline.STEP_BY_NAME["clean"]
    saved: list[bool] = []

    def notebook(*args, **kwargs):
        if saved:
            path = ledger_path(params, "law_exams")
            path.write_bytes(path.read_bytes() + b"\0")

    monkeypatch.setattr(pipeline, "execute_notebook", notebook)
    pipeline.run_step(step, params, say=lambda _: None)
    assert pipeline.stamp_path(params, "clean").exists()
    pipeline.stamp_path(params, "clean").unlink()
    saved.append(True)
    pipeline.run_step(step, params, say=lambda _: None)
    assert not pipeline.stamp_path(params, "clean").exists()
