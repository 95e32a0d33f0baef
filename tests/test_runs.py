"""Issue 4 and BAD-INPUTS "Runs": incremental reruns, one run at a time, killed runs, no network,
and same inputs giving the same outputs."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from support import SAMPLE_RAW, copy_year, edit_cells, tree_hashes, values_in

from lawreport.params import PROJECT_ROOT, check_params
from lawreport.run.pipeline import RunLocked, run_suite, stamp_path
from lawreport.storage import staged_dir


def all_years(root: Path, claims: bool = False) -> dict[str, str]:
    for year in sorted(int(p.name) for p in SAMPLE_RAW.iterdir() if p.name.isdigit()):
        copy_year(root, year)
    raw = {
        "year": 2025,
        "raw_root": str(root / "raw"),
        "clean_root": str(root / "clean"),
        "build_root": str(root / "build"),
    }
    if claims:
        shutil.copytree(PROJECT_ROOT / "claims", root / "claims")
        raw["claims_dir"] = str(root / "claims")
    return raw


def ran(raw: dict[str, str], force: bool = False) -> list[str]:
    results = run_suite(raw, force=force, say=lambda _: None)
    return [r.step for r in results if not r.skipped]


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    raw = all_years(root, claims=True)
    assert ran(raw) == ["clean", "validate", "figures", "appendix"]
    return root, raw


def test_an_unchanged_rerun_skips_every_step_and_is_fast(first_run):
    _, raw = first_run
    started = time.perf_counter()
    assert ran(raw) == []
    assert time.perf_counter() - started < 10


def cli_command(raw: dict[str, str], *extra: str) -> list[str]:
    """`lawreport run` as a user types it, with the run's parameters as options."""
    options = [f"--{k.replace('_', '-')}={v}" for k, v in raw.items() if k != "year"]
    return [sys.executable, "-m", "lawreport.cli", "run", "--year", str(raw["year"]), *options, *extra]


def cli_run(raw: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cli_command(raw, *extra), cwd=PROJECT_ROOT, capture_output=True, text=True)


def test_the_run_ends_with_a_summary_and_an_exit_code_a_scheduler_can_act_on(first_run):
    root, raw = first_run
    # The sample's one 报告自身矛盾 figure is acknowledged in its register, with the reason: it is shown
    # and does not fail the run.
    accepted = cli_run(raw)
    assert accepted.returncode == 0, accepted.stderr[-2000:]
    assert "报告自身矛盾 1" in accepted.stdout and "已在登记册中确认 (acknowledged)" in accepted.stdout
    path = root / "claims" / "2025.yaml"
    kept = path.read_text(encoding="utf-8")
    data = yaml.safe_load(kept)
    for figure in data["figures"]:
        figure.pop("acknowledged", None)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    try:
        strict = cli_run(raw)  # default --fail-on: without the acknowledgement the figure fails the run
        assert strict.returncode == 1, strict.stderr[-2000:]
        assert "运行小结" in strict.stdout and "报告自身矛盾 1" in strict.stdout
        assert "inspection_compliance_rate" in strict.stdout  # the figure that is not `match` is named
        assert "inconsistent×1" in strict.stderr and "被隔离的行 (quarantined rows)：无" in strict.stdout
        lenient = cli_run(raw, "--fail-on", "mismatch,no_data,quarantine,unchecked")
        assert lenient.returncode == 0 and "exit 0" in lenient.stdout
        assert cli_run(raw, "--fail-on", "none").returncode == 0
        wrong = cli_run(raw, "--fail-on", "mismatches")
        assert wrong.returncode == 2 and "--fail-on" in wrong.stderr
    finally:
        path.write_text(kept, encoding="utf-8")


def test_a_changed_register_reruns_only_figures_and_appendix(first_run):
    root, raw = first_run
    path = root / "claims" / "2025.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["figures"][0]["name"] += "(复核)"  # (a spec entry's 口径 is generated: its name is the register's own text)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert ran(raw) == ["figures", "appendix"]


def test_a_changed_ledger_reruns_the_steps_downstream_of_it(first_run):
    root, raw = first_run
    params = check_params(raw)
    edit_cells(params, "penalty_cases", [("violation", 0, "占道经营(更正)")])
    assert ran(raw) == ["clean", "validate", "figures", "appendix"]
    assert ran(raw) == []


def test_a_second_run_refuses_while_the_first_holds_the_lock(first_run):
    root, raw = first_run
    with (root / "build" / ".run.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(RunLocked, match="另一个运行"):
            run_suite(raw, say=lambda _: None)
        done = cli_run(raw)
        assert done.returncode == 2 and "另一个运行" in done.stderr


def test_a_run_killed_midway_leaves_old_or_complete_outputs(first_run):
    root, raw = first_run
    before_clean = tree_hashes(root / "clean" / "2025")
    before_figures = (root / "build" / "2025" / "figures.json").read_bytes()
    command = cli_command(raw, "--force")
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    # Killed once its clean step has begun (the step's stamp removed), not at a fixed time: on a loaded machine
    # the command could still be importing after six seconds, leave everything as it was, and the next run would
    # rightly have nothing to repair.
    stamp = stamp_path(check_params(raw), "clean")
    deadline = time.monotonic() + 300
    while stamp.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not stamp.exists() and process.poll() is None, "the forced run did not start its clean step"
    time.sleep(2)  # into the step: its notebook running
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    # Whatever moment the kill hit, each output folder is the old one or a complete new one.
    assert tree_hashes(root / "clean" / "2025") == before_clean  # deterministic: complete new == old
    assert (root / "build" / "2025" / "figures.json").read_bytes() == before_figures
    assert ran(raw)  # the next run repairs what the killed one left undone
    assert ran(raw) == []


def test_staged_folder_swap_recovers_from_a_kill_between_renames(tmp_path):
    final = tmp_path / "out"
    with staged_dir(final) as staging:
        (staging / "a.txt").write_text("old")
    os.replace(final, tmp_path / ".out.old")  # as if killed after the first rename
    (tmp_path / ".out.staging-x").mkdir()
    with staged_dir(final) as staging:
        assert (final / "a.txt").read_text() == "old"  # recovered before the new write starts
        (staging / "a.txt").write_text("new")
    assert (final / "a.txt").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


RUN_TIME = re.compile(rb'<time id="run-time"[^>]*>.*?</time>', re.S)


def test_same_inputs_same_outputs_even_without_network(first_run, tmp_path):
    if shutil.which("unshare") is None or shutil.which("ip") is None or os.geteuid() != 0:
        message = "needs root, unshare and ip (iproute2) for a network namespace"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: .ci/run installs them and runs as root")
        pytest.skip(message)
    root, raw = first_run
    other = all_years(tmp_path / "again", claims=True)
    shutil.copytree(root / "claims", tmp_path / "again" / "claims", dirs_exist_ok=True)
    for year in range(2021, 2026):  # the first run's raw data had one cell changed above
        shutil.copytree(root / "raw" / str(year), tmp_path / "again" / "raw" / str(year), dirs_exist_ok=True)
    # A network namespace with only loopback up: Jupyter kernels talk over 127.0.0.1, nothing else exists.
    run = [
        sys.executable,
        "-m",
        "lawreport.cli",
        "run",
        "--year",
        "2025",
        "--raw-root",
        other["raw_root"],
        "--clean-root",
        other["clean_root"],
        "--build-root",
        other["build_root"],
        "--claims-dir",
        other["claims_dir"],
        "--fail-on",
        "mismatch,no_data,quarantine,unchecked",  # the sample's one inconsistent figure is expected
    ]
    command = ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *run]
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    build_a, build_b = root / "build" / "2025", tmp_path / "again" / "build" / "2025"
    assert (build_a / "figures.json").read_bytes() == (build_b / "figures.json").read_bytes()
    for year in range(2021, 2026):
        assert tree_hashes(root / "clean" / str(year)) == tree_hashes(tmp_path / "again" / "clean" / str(year))
    # The reproducibility section shows the folders each run was given (as far as they may be
    # published): the two runs differ in those and in the run time, in nothing else.
    from lawreport.appendix.sections import shown_parameter

    params = check_params(raw)
    folders = [
        (shown_parameter(params, k, other[k]).encode(), shown_parameter(params, k, raw[k]).encode())
        for k in ("raw_root", "clean_root", "build_root", "claims_dir")
    ]
    for edition in ("appendix.html", "internal/appendix.html"):
        a, b = (build_a / edition).read_bytes(), (build_b / edition).read_bytes()
        for theirs, ours in folders:
            b = b.replace(theirs, ours)
        assert RUN_TIME.sub(b"", a) == RUN_TIME.sub(b"", b), edition
    summary = json.loads((build_b / "figures.json").read_text(encoding="utf-8"))["summary"]
    assert summary["match"] >= 50


def test_no_personal_data_anywhere_under_build(first_run):
    from lawreport.appendix.scan import personal_values

    root, _ = first_run
    personal = {v for v in personal_values(root / "raw", 2025) if len(v) >= 3}
    id_or_phone = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|1[3-9]\d{9})(?![0-9A-Za-z])")
    checked = 0
    for path in sorted((root / "build").rglob("*")):
        if not path.is_file() or path.suffix not in (".json", ".html", ".ipynb", ".txt", ".csv"):
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)
        assert not id_or_phone.search(text), path
        leaked = values_in(text, personal)
        assert not leaked, (path, len(leaked))
        checked += 1
    assert checked > 50
