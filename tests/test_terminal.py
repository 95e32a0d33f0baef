"""A quiet, helpful terminal: a good run prints no kernel noise, every error says what to do next."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
from pathlib import Path

import pytest
from support import copy_year

from lawreport.cli import ChineseArgumentParser, main
from lawreport.params import PROJECT_ROOT, ParameterError, check_params
from lawreport.run import pipeline

CJK = re.compile(r"[\u4e00-\u9fff]")


def _error(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    return capsys.readouterr().err


# ------------------------------------------------------------------ argparse in Chinese


@pytest.mark.parametrize(
    "argv, expected",
    [
        ([], ["缺少子命令 (missing command)", "run、clean、explain、check"]),
        (["rn", "--year", "2025"], ["子命令 rn 不存在 (invalid choice)", "是不是想写 (did you mean)：lawreport run"]),
        (["run"], ["缺少必需的参数 (required)：--year", "lawreport run -h"]),
        (["run", "--yeer", "2025"], ["缺少必需的参数 (required)：--year", "--yeer → --year"]),
        (["run", "--year"], ["参数 --year：这个参数后面需要一个值 (expected one argument)"]),
        (["clean", "--year", "2025", "--raw-rot", "x"], ["无法识别的参数 (unrecognized arguments)", "--raw-root"]),
        # Subcommands made by others in the same main() get the class through add_subparsers.
        (["explain"], ["缺少必需的参数 (required)"]),
        (["check"], ["缺少必需的参数 (required)：paths"]),
    ],
)
def test_argparse_errors_are_in_chinese_and_say_what_to_do(capsys, argv, expected):
    err = _error(capsys, argv)
    assert err.startswith("用法 (usage): lawreport")
    for text in expected:
        assert text in err, err
    assert "error:" not in err and "the following arguments" not in err and "usage:" not in err


def test_help_is_in_chinese_for_every_subcommand(capsys):
    for argv in (["-h"], ["run", "-h"], ["clean", "-h"], ["explain", "-h"], ["check", "-h"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith("用法 (usage): lawreport"), argv
        assert "显示本帮助并退出" in out and "show this help message and exit" in out
        assert "\noptions:" not in out and "选项 (options)" in out


def test_subparsers_are_made_of_the_chinese_class():
    parser = ChineseArgumentParser(prog="x")
    sub = parser.add_subparsers(dest="command", required=True)
    assert isinstance(sub.add_parser("any"), ChineseArgumentParser)


# ------------------------------------------------------------------ paths that point at nothing


def test_a_missing_year_lists_the_years_present(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    with pytest.raises(ParameterError) as info:
        check_params({"year": 2030, "raw_root": params.raw_root})
    message = str(info.value)
    assert "2030 年没有台账目录" in message and "下有的年度：2025" in message and "--year 2025" in message


def test_a_wrong_raw_root_names_the_folder_expected(tmp_path):
    with pytest.raises(ParameterError) as info:
        check_params({"year": 2025, "raw_root": str(tmp_path / "nowhere")})
    assert "raw root not found" in str(info.value) and "请检查 --raw-root：它应为存放各年度台账的文件夹" in str(
        info.value
    )
    with pytest.raises(ParameterError) as info:
        check_params({"year": 2025, "raw_root": "no/such/folder"})
    assert f"{PROJECT_ROOT}/no/such/folder" in str(info.value) and "relative to the project root" in str(info.value)


def test_a_year_folder_given_as_raw_root_names_its_parent(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    with pytest.raises(ParameterError) as info:
        check_params({"year": 2025, "raw_root": str(params.raw_dir)})
    assert f"--raw-root 应为它的上一级：{params.raw_dir.parent}" in str(info.value)


def test_the_cli_prints_the_message_and_exits_2(capsys):
    assert main(["run", "--year", "2030"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误 (error)：[P301] 2030 年没有台账目录") and "2025" in err


# ------------------------------------------------------------------ kernels


QUIET = '# %% tags=["parameters"]\nyear: int = 2025\n\n# %%\nimport os\nimport pandas\nprint(os.environ.get("{env}"))\n'


def _tiny_step(tmp_path, monkeypatch):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "10_clean.py").write_text(QUIET.format(env=pipeline.PIPELINE_ENV), encoding="utf-8")
    monkeypatch.setattr(pipeline, "NOTEBOOK_DIR", notebooks)
    return copy_year(tmp_path, 2025, tables=["law_exams"])


def test_a_good_step_prints_nothing_and_marks_the_kernel_as_the_pipelines(tmp_path, monkeypatch, capfd):
    params = _tiny_step(tmp_path, monkeypatch)
    output = pipeline.execute_notebook("clean", "10_clean.py", params)
    out, err = capfd.readouterr()
    assert "without encryption" not in err and "[IPKernelApp]" not in err, err
    assert err.strip() == "" and out.strip() == ""
    cells = json.loads(output.read_text(encoding="utf-8"))["cells"]
    printed = "".join("".join(o.get("text", "")) for c in cells for o in c.get("outputs", []))
    assert printed.strip() == "clean", "the kernel knows it runs the pipeline's clean step"

    # The same capture does see the warning with jupyter_client's own manager (TCP transport).
    from jupyter_client.manager import AsyncKernelManager

    monkeypatch.setattr(pipeline, "kernel_manager_class", lambda env: AsyncKernelManager)
    pipeline.execute_notebook("clean", "10_clean.py", params)
    assert "Kernel is running over TCP without encryption" in capfd.readouterr().err


def test_a_dead_kernel_leaves_no_socket_folder(tmp_path, monkeypatch):
    import shutil
    import tempfile

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "10_clean.py").write_text(
        '# %% tags=["parameters"]\nyear: int = 2025\n\n# %%\nimport os\nos._exit(3)\n', encoding="utf-8"
    )
    monkeypatch.setattr(pipeline, "NOTEBOOK_DIR", notebooks)
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    short = tempfile.mkdtemp(prefix="lk")  # socket paths must stay short
    monkeypatch.setattr(tempfile, "tempdir", short)
    try:
        with pytest.raises(pipeline.StepFailed):
            pipeline.execute_notebook("clean", "10_clean.py", params)
        # (the notebooks' .ipynb texts are kept there too, pipeline.notebook_text: not a kernel's)
        assert [p for p in Path(short).iterdir() if not p.name.startswith("lawreport-notebooks-")] == []
    finally:
        shutil.rmtree(short, ignore_errors=True)


def _signals_at_shutdown(manager_class) -> list[int]:
    """Start a real kernel, shut it down, and record every signal the manager sends it."""

    async def run() -> list[int]:
        manager = manager_class(kernel_name="python3")
        await manager.start_kernel()
        sent: list[int] = []
        original = manager._async_signal_kernel

        async def record(signum: int) -> None:
            sent.append(signum)
            await original(signum)

        manager._async_signal_kernel = record
        await manager.shutdown_kernel()
        return sent

    return asyncio.run(run())


def test_kernels_are_shut_down_without_an_interrupt():
    # jupyter_client's own manager sends SIGINT first; a handler still finishing then logs
    # "KeyboardInterrupt caught in kernel" (papermill's runs showed it now and then).
    from jupyter_client.manager import AsyncKernelManager

    assert signal.SIGINT in _signals_at_shutdown(AsyncKernelManager)
    assert signal.SIGINT not in _signals_at_shutdown(pipeline.kernel_manager_class({}))


# ------------------------------------------------------------------ make help


def test_make_help_is_in_both_languages():
    done = subprocess.run(["make", "-s", "help"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("  make ")]
    assert len(lines) >= 10
    for line in lines:
        assert CJK.search(line) and re.search(r"\([A-Za-z][^)]*\)", line), line


# ------------------------------------------------------------------ the rerun command (appendix, reproducibility)


@pytest.mark.parametrize(
    "given, shown",
    [
        ("data/raw", "data/raw"),
        (str(PROJECT_ROOT / "data" / "raw"), "data/raw"),
        ("/home/alice/台账/raw", "~/台账/raw"),
        ("/root/台账/raw", "~/台账/raw"),
        ("/tmp/run/raw", "〔临时目录〕/run/raw"),
        ("/mnt/share/raw", "/mnt/share/raw"),
    ],
)
def test_roots_are_shown_as_given_with_personal_paths_masked(given, shown):
    from lawreport.appendix.scan import find_published
    from lawreport.appendix.sections import shown_parameter

    params = check_params({"year": 2025})
    assert shown_parameter(params, "raw_root", given) == shown
    assert find_published(f"<td>{shown}</td>", set()) == [], "publishable in either edition"
    assert "secret" not in shown_parameter(params, "key_file", "/root/secret.key")


def test_the_rerun_command_reproduces_the_run(tmp_path, monkeypatch):
    import shlex

    from lawreport.params import rerun_command
    from lawreport.run.pipeline import RunLocked

    params = copy_year(tmp_path / "my ledgers", 2025, tables=["law_exams"])
    assert rerun_command(check_params({"year": 2025})) == "make run YEAR=2025"
    given = {**params.as_dict(), "unit": "某县某街道", "claims_dir": "claims"}
    command = rerun_command(check_params(given))
    assert command.startswith("lawreport run --year 2025 --unit 某县某街道 --raw-root ")
    assert "--claims-dir" not in command and "--expectations-dir" not in command, "defaults are left out"

    seen = {}

    def run_suite(raw, force=False):
        seen.update(raw)
        raise RunLocked("stop here")

    monkeypatch.setattr(pipeline, "run_suite", run_suite)
    assert main(shlex.split(command)[1:]) == 2
    assert check_params(seen) == check_params(given)


def test_the_reproducibility_section_shows_what_was_used(tmp_path):
    from types import SimpleNamespace

    from lawreport.appendix.sections import reproducibility_section

    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    html = reproducibility_section(SimpleNamespace(params=params, year=2025, provenance={}, edition="public"))
    hidden = str(tmp_path).split("/", 2)[1]  # tmp: a machine folder the publishing scan refuses
    assert f"/{hidden}/" not in html
    assert "lawreport run --year 2025 --raw-root 〔" in html and "--build-root 〔" in html
    assert "请换成原运行所用的实际路径" in html and "make run YEAR=2025" not in html
    assert "<td>--raw-root</td>" in html and "<td>非默认</td>" in html


def _marked_processes(mark: str) -> list[int]:
    """Processes whose environment holds `mark` (a run's kernels inherit its environment)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if mark.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_ctrl_c_stops_the_run_with_a_message_not_a_traceback_and_leaves_no_kernel(tmp_path):
    """`lawreport run` interrupted (SIGINT, as Ctrl-C sends it) once the clean notebook has started: exit
    130, a message in Chinese on what was kept, no traceback, no kernel left running, no step marked
    done without its outputs."""
    import os
    import sys
    import time
    import uuid

    params = copy_year(tmp_path, 2025, tables=["law_exams", "petitions"])
    mark = f"LAWREPORT_TEST_MARK={uuid.uuid4().hex}"
    env = {**os.environ, mark.split("=")[0]: mark.split("=")[1]}
    command = [sys.executable, "-m", "lawreport.cli", "run", "--year", "2025", "--raw-root", params.raw_root]
    command += ["--clean-root", params.clean_root, "--build-root", params.build_root]
    # Ctrl-C as in a terminal: SIGINT handled by default in the run, even when this test itself runs
    # where it is ignored (a non-interactive shell's background job ignores SIGINT, and its children
    # inherit that; Python then never raises KeyboardInterrupt).
    run = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    started = params.build_dir / "notebooks" / "10_clean.ipynb"  # saved when the notebook starts
    deadline = time.monotonic() + 60
    while not started.exists() and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert started.exists() and run.poll() is None, "the clean notebook did not start"
    assert _marked_processes(mark), "a kernel is running"
    run.send_signal(signal.SIGINT)
    out, err = run.communicate(timeout=60)
    assert run.returncode == 130, (run.returncode, out, err)
    assert "已中断 (interrupted)" in err and "Traceback" not in err, err
    assert err.strip().endswith("从未完成的步骤继续。"), ("the message is the last word", err)
    time.sleep(0.5)
    assert _marked_processes(mark) == [], "no kernel left running"
    # A step is marked done only with its outputs whole (the clean step may just have finished).
    for step in pipeline.STEPS:
        if pipeline.stamp_path(params, step.name).exists():
            assert all(path.exists() for path in step.outputs(params)), step.name
    assert not pipeline.stamp_path(params, "appendix").exists()
