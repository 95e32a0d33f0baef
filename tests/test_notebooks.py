"""Notebooks for analysts: JupyterLab opens the .py notebooks as notebooks, a notebook run by hand
keeps the run lock and the stamps, says which step to run first, and papermill run directly rejects
a misspelt parameter."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from support import copy_year

from lawreport.params import (
    PROJECT_ROOT,
    MissingInput,
    ParameterError,
    check_injected,
    guess_step,
    injected_parameters,
    params_from_namespace,
)
from lawreport.run import pipeline

BIN = Path(sys.executable).parent
LAB_CONFIG = PROJECT_ROOT / "jupyter-config"


# ------------------------------------------------------------------ papermill run directly (as the README says)


def _papermill(notebook: str, tmp_path: Path, *parameters: str) -> subprocess.CompletedProcess:
    """jupytext → papermill, exactly the README's command line; the kernel's environment is not the pipeline's."""
    env = {k: v for k, v in os.environ.items() if k != pipeline.PIPELINE_ENV}
    command = (
        f"{BIN}/jupytext --to ipynb -o - notebooks/{notebook} | "
        f"{BIN}/papermill - {tmp_path / 'out.ipynb'} " + " ".join(parameters)
    )
    return subprocess.run(command, shell=True, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)


def _roots(params) -> list[str]:
    return [f"-p {k} {getattr(params, k)}" for k in ("raw_root", "clean_root", "build_root")]


def test_a_misspelt_papermill_parameter_fails_loudly(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    done = _papermill("10_clean.py", tmp_path, *_roots(params), "-p yaer 2024")
    assert done.returncode != 0
    assert "Passed unknown parameter: yaer" in done.stderr, "papermill only warns"
    assert "ParameterError: 未知参数 (unknown parameter)：yaer" in done.stderr
    assert "yaer → year" in done.stderr
    assert not params.clean_dir.exists(), "nothing was cleaned with the default year"


def test_a_notebook_without_its_input_says_which_step_to_run_first(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    done = _papermill("30_figures.py", tmp_path, *_roots(params))
    assert done.returncode != 0
    assert "MissingInput: 缺少 2025 年的清洗数据 (clean data)" in done.stderr
    assert "请先运行「clean」步骤" in done.stderr and "lawreport run --year 2025 --raw-root" in done.stderr
    assert "10_clean.py → 20_validate.py" in done.stderr
    assert "FileNotFoundError" not in done.stderr


def test_a_notebook_run_by_hand_takes_the_lock_and_writes_the_pipelines_stamp(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    clean = next(s for s in pipeline.STEPS if s.name == "clean")
    pipeline.run_step(clean, params, say=lambda _: None)
    by_pipeline = pipeline.stamp_path(params, "clean").read_text(encoding="utf-8")

    # While a run holds the lock, the notebook refuses before writing anything.
    before = (params.clean_dir / "clean_report.json").stat().st_mtime_ns
    with pipeline.run_lock(params):
        done = _papermill("10_clean.py", tmp_path, *_roots(params))
    assert done.returncode != 0 and "RunLocked: 另一个运行正在使用" in done.stderr
    assert (params.clean_dir / "clean_report.json").stat().st_mtime_ns == before

    done = _papermill("10_clean.py", tmp_path, *_roots(params))
    assert done.returncode == 0, done.stderr
    executed = json.loads((tmp_path / "out.ipynb").read_text(encoding="utf-8"))
    printed = "".join("".join(o.get("text", "")) for c in executed["cells"] for o in c.get("outputs", []))
    assert "交互运行 (interactive run" in printed and "已更新步骤记录 (stamp updated)" in printed
    assert (params.clean_dir / "clean_report.json").stat().st_mtime_ns != before, "the step ran"
    assert pipeline.stamp_path(params, "clean").read_text(encoding="utf-8") == by_pipeline
    lines: list[str] = []
    assert pipeline.run_step(clean, params, say=lines.append).skipped, "the pipeline trusts the stamp"


def test_a_failing_cell_leaves_no_stamp_and_no_lock(tmp_path, monkeypatch):
    from types import SimpleNamespace

    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    pipeline.stamp_path(params, "clean").parent.mkdir(parents=True)
    pipeline.stamp_path(params, "clean").write_text("{}", encoding="utf-8")
    callbacks = []
    shell = SimpleNamespace(
        events=SimpleNamespace(register=lambda e, f: callbacks.append(f), unregister=lambda e, f: callbacks.remove(f))
    )
    monkeypatch.setattr("IPython.get_ipython", lambda: shell)
    monkeypatch.delenv(pipeline.PIPELINE_ENV, raising=False)
    pipeline.notebook_step(params, "clean", say=lambda _: None)
    assert not pipeline.stamp_path(params, "clean").exists(), "removed while the cell runs"
    with pytest.raises(pipeline.RunLocked), pipeline.run_lock(params):
        pass
    callbacks[0](SimpleNamespace(success=False))
    assert not pipeline.stamp_path(params, "clean").exists() and not callbacks
    with pipeline.run_lock(params):  # released
        pass


# ------------------------------------------------------------------ the setup cell's checks


INJECTED = "# Parameters\nyaer = 2024\nraw_root = 'x'\n"


def test_injected_parameters_come_from_papermills_cell():
    assert injected_parameters({"In": ["", "year: int = 2025", INJECTED, "print(1)"]}) == ["yaer", "raw_root"]
    assert injected_parameters({"In": ["", "# Parameter notes\nyaer = 1"]}) == []
    with pytest.raises(ParameterError, match="yaer → year"):
        check_injected({"In": ["", INJECTED]})
    check_injected({"In": ["", "# Parameters\nyear = 2024\nedition = 'internal'\n"]}, extra=("edition",))
    with pytest.raises(ParameterError, match="edition"):
        check_injected({"In": ["", "# Parameters\nedition = 'internal'\n"]})


def test_the_step_is_known_in_the_pipeline_in_jupyterlab_and_from_the_cell(monkeypatch):
    monkeypatch.delenv(pipeline.PIPELINE_ENV, raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert (
        guess_step({"In": ["", "params = params_from_namespace(globals())\nreport = run_figures(params)"]}) == "figures"
    )
    assert guess_step({"In": ["", "x = 1"]}) is None
    monkeypatch.setenv("JPY_SESSION_NAME", "/work/main/notebooks/20_validate.py")
    assert guess_step({"In": ["", "x = 1"]}) == "validate"
    monkeypatch.setenv(pipeline.PIPELINE_ENV, "appendix")
    assert guess_step({}) == "appendix"


def test_the_pipeline_run_is_left_to_the_pipeline(tmp_path, monkeypatch):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    monkeypatch.setenv(pipeline.PIPELINE_ENV, "validate")
    namespace = {"year": 2025, "raw_root": params.raw_root, "clean_root": params.clean_root}
    with pytest.raises(MissingInput, match="请先运行「clean」步骤"):
        params_from_namespace({**namespace, "build_root": params.build_root})
    params.clean_dir.mkdir(parents=True)
    (params.clean_dir / "clean_report.json").write_text("{}", encoding="utf-8")
    with pipeline.run_lock(params):  # the pipeline holds the lock: the notebook does not take it
        params_from_namespace({**namespace, "build_root": params.build_root}, step="validate")


# ------------------------------------------------------------------ JupyterLab


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _lab(tmp_path: Path, with_config: bool) -> tuple[subprocess.Popen, str]:
    """JupyterLab started headless as `make lab` starts it (settings and workspaces kept in tmp)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("JUPYTER_CONFIG_PATH", "JUPYTER_CONFIG_DIR")}
    env["JUPYTER_CONFIG_DIR"] = str(tmp_path / "user-config")  # no personal settings in the way
    if with_config:
        env["JUPYTER_CONFIG_PATH"] = str(LAB_CONFIG)
    server = subprocess.Popen(
        [
            f"{BIN}/jupyter",
            "lab",
            "--no-browser",
            "--allow-root",
            f"--port={port}",
            "--IdentityProvider.token=test",
            f"--ServerApp.root_dir={tmp_path / 'root'}",
            f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
            f"--LabApp.user_settings_dir={tmp_path / 'settings'}",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{base}/api/status?token=test", timeout=2)
            return server, base
        except OSError:
            time.sleep(0.25)
    server.terminate()
    raise AssertionError("JupyterLab did not start")


def _get(url: str) -> dict:
    return json.load(urllib.request.urlopen(url, timeout=10))


def test_make_lab_uses_the_projects_jupyter_settings():
    recipe = subprocess.run(["make", "-n", "lab"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True).stdout
    assert f'JUPYTER_CONFIG_PATH="{LAB_CONFIG}' in recipe
    assert f'--ServerApp.root_dir="{PROJECT_ROOT}"' in recipe, "jupytext.toml at the root must be in reach"
    overrides = json.loads((LAB_CONFIG / "labconfig" / "default_setting_overrides.json").read_text(encoding="utf-8"))
    assert overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]["python"] == "Jupytext Notebook"


@pytest.mark.parametrize("with_config", [True, False])
def test_jupyterlab_opens_python_files_as_notebooks_and_saves_them_unchanged(tmp_path, with_config):
    root = tmp_path / "root"
    (root / "notebooks").mkdir(parents=True)
    (root / "jupytext.toml").write_bytes((PROJECT_ROOT / "jupytext.toml").read_bytes())
    for name in ("10_clean.py", "20_validate.py"):
        (root / "notebooks" / name).write_bytes((PROJECT_ROOT / "notebooks" / name).read_bytes())
    server, base = _lab(tmp_path, with_config)
    try:
        plugin = _get(f"{base}/lab/api/settings/@jupyterlab/docmanager-extension:plugin?token=test")
        viewers = {
            **plugin["schema"]["properties"]["defaultViewers"].get("default", {}),
            **plugin["settings"].get("defaultViewers", {}),
        }
        assert (viewers.get("python") == "Jupytext Notebook") is with_config
        if not with_config:
            return
        news = _get(f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification?token=test")
        assert news["schema"]["properties"]["fetchNews"]["default"] == "false", "offline machine: no news fetching"
        for name in ("10_clean.py", "20_validate.py"):
            url = f"{base}/api/contents/notebooks/{name}?token=test"
            model = _get(url + "&type=notebook&content=1")
            assert model["type"] == "notebook" and model["content"]["cells"]
            # JupyterLab sets the running kernel's spec into the notebook before it saves.
            model["content"]["metadata"]["kernelspec"] = {
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
                "name": "python3",
            }
            body = json.dumps({"type": "notebook", "format": "json", "content": model["content"]}).encode()
            request = urllib.request.Request(url, data=body, method="PUT", headers={"Content-Type": "application/json"})
            urllib.request.urlopen(request, timeout=10)
            saved = (root / "notebooks" / name).read_text(encoding="utf-8")
            assert saved == (PROJECT_ROOT / "notebooks" / name).read_text(encoding="utf-8"), name
    finally:
        server.terminate()
        server.wait(20)
