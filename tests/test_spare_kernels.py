"""Warm kernels a run leaves for the next (lawreport.run.spare_kernels): adopted only when they are what the run
would have started itself, ending themselves when unused or orphaned, holding nobody's streams, and changing
no output. Real kernels throughout; each test has its own folder of spares."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import SAMPLE_RAW, copy_year, tree_hashes

from lawreport.ledgers.pseudonym import KEY_ENV
from lawreport.params import PROJECT_ROOT, check_params
from lawreport.run import pipeline, spare_kernels
from lawreport.run.pipeline import LANES, run_suite, stop_kernel


@pytest.fixture
def spares(tmp_path, monkeypatch):
    """Spares on (idle 120 s) in a folder of this test's own; every spare left is stopped after the test."""
    folder = tmp_path / "warm"
    monkeypatch.setenv(spare_kernels.IDLE_ENV, "120")
    monkeypatch.setenv(spare_kernels.DIR_ENV, str(folder))
    yield folder
    spare_kernels.stop_all(root=None)


def lane_files(index: int) -> tuple[str, ...]:
    return pipeline.lane_files(LANES[index])


def entries(folder: Path) -> list[str]:
    """What the folder of spares holds, besides its lock file."""
    return sorted(p.name for p in folder.iterdir() if p.name != ".lock") if folder.exists() else []


def files_in(folder: Path, suffix: str) -> list[Path]:
    return sorted(folder.glob(f"*.{suffix}")) if folder.exists() else []


def descriptor(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def gone(pid: int, within: float = 10) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not spare_kernels._alive(pid):
            return True
        time.sleep(0.1)
    return False


def kept_and_ready(folder: Path) -> list[dict]:
    assert spare_kernels.keep(True, say=lambda _: None) == len(LANES)
    assert spare_kernels.wait_ready(timeout=120)
    ready = [descriptor(p) for p in files_in(folder, "ready")]
    assert len(ready) == len(LANES)
    return ready


# ------------------------------------------------------------------ a whole run adopts them, outputs unchanged


RUN_TIME = re.compile(rb'<time id="run-time"[^>]*>.*?</time>', re.S)


def all_years(root: Path) -> dict[str, str]:
    for year in sorted(int(p.name) for p in SAMPLE_RAW.iterdir() if p.name.isdigit()):
        copy_year(root, year)
    return {k: str(root / k.split("_")[0]) for k in ("raw_root", "clean_root", "build_root")} | {"year": 2025}


def test_a_run_adopts_the_warm_kernels_the_run_before_left_and_writes_the_same_outputs(spares, tmp_path, monkeypatch):
    """The first run in a process of its own, which has ended when the second starts (`make run` twice). The
    second reads the same raw ledgers: the personal values the spare of `VALUES_LANE` read ahead are handed to
    it (the raw files are not read again), the same as it would read them itself."""
    from lawreport.appendix import scan

    first = all_years(tmp_path / "a")
    second = first | {k: str(tmp_path / "b" / k.split("_")[0]) for k in ("clean_root", "build_root")}
    command = [sys.executable, "-m", "lawreport.cli", "run", "--year", "2025", "--fail-on", "none"]
    command += [f"--{k.replace('_', '-')}={first[k]}" for k in ("raw_root", "clean_root", "build_root")]
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "预热内核" in done.stdout  # the analyst is told, with how to stop them
    build_a = check_params(first).build_dir
    timings_a = json.loads((build_a / "timings.json").read_text())
    assert timings_a["kernels"] == {"started": len(LANES), "adopted": 0}
    assert "clean.first" not in timings_a["warm"]  # a kernel it started: no first work (`Step.first`)
    assert spare_kernels.wait_ready(timeout=120)
    adopted = [descriptor(p)["pid"] for p in files_in(spares, "ready")]
    assert len(adopted) == len(LANES)
    raw_root = str(check_params(first).path(first["raw_root"]))
    ahead = {tuple(descriptor(p)["files"]): descriptor(p)["values"] for p in files_in(spares, "ready")}
    assert ahead == {
        lane_files(i): ([raw_root, 2025] if i == pipeline.VALUES_LANE else None) for i in range(len(LANES))
    }
    given: list[bytes] = []
    real_values_from = pipeline.values_from
    monkeypatch.setattr(pipeline, "values_from", lambda *a: given.append(real_values_from(*a)) or given[-1])
    read_here: list[str] = []
    real_read = scan.read_ledger_grids
    monkeypatch.setattr(
        scan, "read_ledger_grids", lambda ledger, path: read_here.append(path.name) or real_read(ledger, path)
    )

    run_suite(second, say=lambda _: None)  # the same inputs, other outputs' folders
    build_b = check_params(second).build_dir
    timings_b = json.loads((build_b / "timings.json").read_text())
    assert timings_b["kernels"] == {"started": 0, "adopted": len(LANES)}
    assert "clean.first" in timings_b["warm"]  # the warm clean kernel's first work
    assert all(gone(pid) for pid in adopted)  # stopped at the end of the run that used them
    assert not list(spares.glob("*.claimed-*"))
    assert len(files_in(spares, "ready") + files_in(spares, "starting")) == len(LANES)  # new ones for the next
    assert len(given) == 1 and not read_here
    stamp, values = json.loads(given[0])
    scan._FILE_VALUES.clear()
    scan._cached_personal_values.cache_clear()
    assert set(values) == scan.personal_values(Path(raw_root), 2025) != set()

    assert (build_a / "figures.json").read_bytes() == (build_b / "figures.json").read_bytes()
    for year in sorted(int(p.name) for p in SAMPLE_RAW.iterdir() if p.name.isdigit()):
        assert tree_hashes(tmp_path / "a" / "clean" / str(year)) == tree_hashes(tmp_path / "b" / "clean" / str(year))
    from lawreport.appendix.sections import shown_parameter

    params = check_params(first)
    folders = [
        (shown_parameter(params, k, second[k]).encode(), shown_parameter(params, k, first[k]).encode())
        for k in ("raw_root", "clean_root", "build_root")
    ]
    for edition in ("appendix.html", "internal/appendix.html"):
        a, b = (build_a / edition).read_bytes(), (build_b / edition).read_bytes()
        for theirs, ours in folders:
            b = b.replace(theirs, ours)
        assert RUN_TIME.sub(b"", a) == RUN_TIME.sub(b"", b), edition


# ------------------------------------------------------------------ only what the run would have started


def test_a_spare_made_under_another_pseudonym_key_is_stopped_not_adopted(spares, monkeypatch):
    """The key may come from the environment: a kernel started before it changed would pseudonymise with the
    old one."""
    monkeypatch.delenv(KEY_ENV, raising=False)
    ready = kept_and_ready(spares)
    monkeypatch.setenv(KEY_ENV, "another key, set after the spares were made")
    assert spare_kernels.claim(lane_files(0)) is None
    assert all(gone(d["pid"]) for d in ready) and not entries(spares)


def test_a_spare_made_from_other_package_code_is_not_adopted(spares, monkeypatch):
    ready = kept_and_ready(spares)
    real = spare_kernels._digest_tree
    monkeypatch.setattr(spare_kernels, "_digest_tree", lambda folder: real(folder) + "edited")
    assert spare_kernels.claim(lane_files(1)) is None
    assert all(gone(d["pid"]) for d in ready)


def test_a_spare_is_adopted_once_and_only_for_the_notebooks_it_loaded(spares):
    kept_and_ready(spares)
    assert spare_kernels.keep(True, say=lambda _: None) == 0  # none more while those are there
    assert spare_kernels.claim(("no_such_notebook.py",)) is None
    manager = spare_kernels.claim(lane_files(0)[:1])  # a run's lane may hold fewer notebooks
    try:
        assert manager is not None and spare_kernels.claim(lane_files(0)) is None  # the lane's only spare
        from lawreport.run.pipeline import run_silently

        run_silently(manager, "assert 'pandas' in __import__('sys').modules")  # its imports are loaded
    finally:
        stop_kernel(manager)
    assert gone(manager.provisioner.pid) and not list(spares.glob("*.claimed-*"))
    assert spare_kernels.claim(lane_files(1)) is not None  # the other lane's, still there


def test_no_spare_is_kept_when_turned_off_or_when_the_run_used_no_kernel(spares, monkeypatch):
    said: list[str] = []
    assert spare_kernels.keep(False, say=said.append) == 0
    monkeypatch.setenv(spare_kernels.IDLE_ENV, "0")
    assert spare_kernels.keep(True, say=said.append) == 0 and said == []
    monkeypatch.setenv(spare_kernels.IDLE_ENV, "ten minutes")
    assert spare_kernels.keep(True, say=said.append) == 0
    assert len(said) == 1 and spare_kernels.IDLE_ENV in said[0]
    assert not files_in(spares, "starting") and not files_in(spares, "ready")


# ------------------------------------------------------------------ they end themselves


def test_an_unclaimed_spare_ends_after_its_idle_time(spares, monkeypatch):
    monkeypatch.setenv(spare_kernels.IDLE_ENV, "2")
    assert spare_kernels.keep(True, say=lambda _: None) == len(LANES)
    ready = [descriptor(p) for p in files_in(spares, "starting")]
    assert len(ready) == len(LANES)
    assert all(gone(d["pid"], within=30) for d in ready)
    assert not entries(spares)
    assert not any(Path(d["socket_dir"]).exists() for d in ready)


def test_stop_kernels_ends_the_idle_spares(spares):
    ready = kept_and_ready(spares)
    done = subprocess.run(
        [sys.executable, "-m", "lawreport.cli", "stop-kernels"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ},
    )
    assert done.returncode == 0 and f"已停止 {len(LANES)} 个预热内核" in done.stdout
    assert all(gone(d["pid"]) for d in ready) and not entries(spares)


def test_a_claimed_spare_ends_when_the_run_that_claimed_it_is_killed(spares):
    kept_and_ready(spares)
    claimer = (
        "import os, signal, sys\n"
        "from lawreport.run import spare_kernels\n"
        f"manager = spare_kernels.claim({lane_files(0)!r})\n"
        "print(manager.provisioner.pid, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run([sys.executable, "-c", claimer], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGKILL
    pid = int(done.stdout.split()[0])
    assert gone(pid, within=20)
    assert not list(spares.glob("*.claimed-*"))


@pytest.mark.parametrize("connection_file", ["/nonexistent/kernel-gone.json", "", None])
def test_a_process_that_took_a_dead_spares_pid_is_left_alone(spares, connection_file):
    """A spare killed from outside leaves its file: its pid may by now be another process's (here a process
    group leader, as a kernel is)."""
    other = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        spare_kernels.spare_dir()
        fake = {"pid": other.pid, "root": str(PROJECT_ROOT), "files": list(lane_files(0)), "fingerprint": "x"}
        fake |= {"connection": {}, "socket_dir": str(spares / "none"), "made": time.time()}
        if connection_file is not None:
            fake["connection_file"] = connection_file
        (spares / "gone.ready").write_text(json.dumps(fake), encoding="utf-8")
        spare_kernels.stop_all()
        assert spare_kernels.claim(lane_files(0)) is None
        assert other.poll() is None and not (spares / "gone.ready").exists()
    finally:
        other.kill()
        other.wait()


def test_a_spare_left_by_another_process_is_reachable_and_holds_none_of_its_streams(spares):
    """The process that starts the spares ends before any run adopts them (make run, then make run again).
    A caller reading that process's output to its end (make, CI, the scale bench) is not kept waiting."""
    keeper = "import gc\nfrom lawreport.run import spare_kernels\nspare_kernels.keep(True, say=print)\ngc.collect()\n"
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", keeper], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert time.monotonic() - started < 30  # the spares live on (idle 120 s), the pipes are closed
    assert spare_kernels.wait_ready(timeout=120)
    for index in range(len(LANES)):
        manager = spare_kernels.claim(lane_files(index))
        assert manager is not None
        from lawreport.run.pipeline import run_silently

        run_silently(manager, "assert 1 + 1 == 2", timeout=10)
        files = [manager.connection_file, manager._socket_dir]
        stop_kernel(manager)
        assert not any(Path(f).exists() for f in files)  # its connection file and sockets removed with it
    assert not entries(spares)


def test_a_spare_that_does_not_answer_is_stopped_and_the_run_starts_its_own(spares, monkeypatch):
    monkeypatch.setattr(spare_kernels, "ANSWER", 1)
    ready = kept_and_ready(spares)
    for item in ready:
        for socket in Path(item["socket_dir"]).iterdir():
            socket.unlink()  # (what happened when a kernel listened elsewhere than its file said)
    assert spare_kernels.claim(lane_files(0)) is None
    (pid,) = [item["pid"] for item in ready if tuple(item["files"]) == lane_files(0)]
    assert gone(pid) and not list(spares.glob("*.claimed-*"))


def test_what_cannot_keep_spares_does_not_fail_the_run(tmp_path, monkeypatch):
    monkeypatch.setenv(spare_kernels.IDLE_ENV, "120")
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)  # others could put a descriptor of their making there
    for folder in (not_a_folder, shared):
        monkeypatch.setenv(spare_kernels.DIR_ENV, str(folder))
        said: list[str] = []
        assert spare_kernels.keep(True, say=said.append) == 0
        assert len(said) == 1 and "未能留下预热内核" in said[0]
        assert spare_kernels.claim(lane_files(0)) is None


def test_a_file_that_is_not_a_spares_is_removed_not_followed(spares):
    spare_kernels.spare_dir()
    (spares / "junk.ready").write_text("[]", encoding="utf-8")
    (spares / "half.ready").write_text(json.dumps({"pid": "1"}), encoding="utf-8")
    assert spare_kernels.claim(lane_files(0)) is None and spare_kernels.stop_all() == 0
    assert not (spares / "junk.ready").exists() and not (spares / "half.ready").exists()


def test_the_fingerprint_follows_what_a_kernel_reads_and_not_what_differs_between_shells(monkeypatch):
    files = lane_files(0)
    before = spare_kernels.fingerprint(files)
    for name, value in (("YEAR", "2024"), ("FAIL_ON", "none"), ("SSH_AUTH_SOCK", "/x"), ("MAKEOVERRIDES", "x")):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv(spare_kernels.IDLE_ENV, "5")
    assert spare_kernels.fingerprint(files) == before
    changed = (
        (KEY_ENV, "k"),
        ("TZ", "Asia/Shanghai"),
        ("PYTHONHASHSEED", "1"),
        ("LC_ALL", "C"),
        ("MATPLOTLIBRC", "/elsewhere/matplotlibrc"),  # read when a spare imports matplotlib: its rc file
        ("TQDM_DISABLE", "1"),  # read when it imports tqdm (through GX): the bars' defaults
    )
    for name, value in changed:
        monkeypatch.setenv(name, value)
        assert spare_kernels.fingerprint(files) != before, name
        monkeypatch.delenv(name)


def test_a_spare_whose_code_changed_while_it_loaded_its_imports_ends(spares, monkeypatch):
    """Its fingerprint is taken before its imports: a package or notebook edited in between would be loaded
    under the fingerprint of the code before. The kernel compares after its imports, and ends."""
    monkeypatch.setattr(spare_kernels, "code_digest", lambda files: "the code before the edit")
    assert spare_kernels.keep(True, say=lambda _: None) == len(LANES)
    starting = [descriptor(p) for p in files_in(spares, "starting")]
    assert all(gone(d["pid"], within=60) for d in starting)
    assert not entries(spares)


def test_one_look_at_the_spares_reads_the_package_distributions_and_settings_once(monkeypatch):
    """A run fingerprints each lane several times (its claims, then the next spares): within one look
    (`looking_once`) the files are read once, and the fingerprints are the same as read each time."""
    reads = []
    for name in ("_read_tree", "_read_distributions", "_read_settings"):
        real = getattr(spare_kernels, name)
        monkeypatch.setattr(spare_kernels, name, lambda *a, real=real, name=name: reads.append(name) or real(*a))
    apart = [spare_kernels.fingerprint(lane_files(i)) for i in range(len(LANES))]
    assert len(reads) == 3 * len(LANES)
    reads.clear()
    with spare_kernels.looking_once():
        together = [spare_kernels.fingerprint(lane_files(i)) for i in range(len(LANES))]
        spare_kernels.code_digest(lane_files(0))
    assert together == apart and sorted(reads) == ["_read_distributions", "_read_settings", "_read_tree"]
    reads.clear()
    spare_kernels.fingerprint(lane_files(0))
    assert len(reads) == 3, "the next look reads again"
