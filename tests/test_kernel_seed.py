"""lawreport.kernel_seed: kernels forked from a seed with every import loaded.

A forked kernel must be the kernel a usual start makes (same environment, folder, path, signals, modules),
end when what started it ends, take an interrupt, and never be used where a usual start would differ. Real
kernels, real seeds: the test process's own (tests/conftest.py) and three started here."""

from __future__ import annotations

import ast
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lawreport import kernel_launch, kernel_seed, pipeline


def _gone(pid: int, within: float = 10) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


def _value(manager, expression: str):
    reply = pipeline.run_silently(manager, "", expressions={"v": expression})
    return json.loads(ast.literal_eval(reply["user_expressions"]["v"]["data"]["text/plain"]))


STATE = """__import__('json').dumps({
    'cwd': __import__('os').getcwd(),
    'path': __import__('sys').path,
    'argv': __import__('sys').argv[1:2] + __import__('sys').argv[3:],
    'environ': {k: v for k, v in __import__('os').environ.items() if k != 'JPY_SESSION_NAME'},
    'signals': {s.name: str(__import__('signal').getsignal(s)) for s in (
        __import__('signal').SIGINT, __import__('signal').SIGTERM, __import__('signal').SIGCHLD,
        __import__('signal').SIGPIPE, __import__('signal').SIGHUP, __import__('signal').SIGUSR1)},
    'umask': __import__('os').umask(0o22),
    'nice': __import__('os').getpriority(__import__('os').PRIO_PROCESS, 0),
    'affinity': sorted(__import__('os').sched_getaffinity(0)),
    'mpl': __import__('os').environ.get('MPLBACKEND'),
    'modules': sorted(__import__('sys').modules),
    'executable': __import__('sys').executable,
})"""


@pytest.fixture
def seed() -> str:
    path = os.environ[kernel_seed.SEED_ENV]
    assert kernel_seed.wait_ready(Path(path), timeout=180), "the test process's kernel seed (tests/conftest.py)"
    assert kernel_seed.available() == path
    return path


def _start(step: str = "validate") -> object:
    manager = pipeline.start_kernel(step, "20_validate.py")
    pipeline.run_silently(manager, "")  # up and answering
    return manager


def test_a_forked_kernel_is_the_kernel_a_usual_start_makes(seed, monkeypatch):
    forked = _start()
    try:
        pid, was_forked = pipeline.kernel_pid(forked)
        assert was_forked and pid != forked.provisioner.pid
        seed_pid = json.loads(kernel_seed.descriptor_path(seed).read_text())["pid"]
        assert int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]) == seed_pid  # its parent
        a = _value(forked, STATE)
    finally:
        pipeline.stop_kernel(forked)
    assert _gone(pid)
    monkeypatch.delenv(kernel_seed.SEED_ENV)
    usual = _start()
    try:
        assert pipeline.kernel_pid(usual) == (usual.provisioner.pid, False)
        b = _value(usual, STATE)
    finally:
        pipeline.stop_kernel(usual)
    a["environ"].pop(kernel_seed.SEED_ENV)
    # Loaded: what the usual start loads (its lane's imports), and the other lane's (the seed loads every lane's).
    modules_a, modules_b = set(a.pop("modules")), set(b.pop("modules"))
    assert modules_b <= modules_a and {"great_expectations", "pandas", "lawreport.clean_step"} <= modules_a
    assert "lawreport.clean_step" not in modules_b  # (the validate lane's kernel does not load the clean step's)
    assert a == b
    assert a["mpl"] == "module://matplotlib_inline.backend_inline"


def test_killing_the_launcher_or_the_process_that_started_it_ends_a_forked_kernel(seed):
    manager = _start()
    pid, forked = pipeline.kernel_pid(manager)
    assert forked
    os.kill(manager.provisioner.pid, signal.SIGKILL)  # the launcher: what jupyter_client kills
    try:
        assert _gone(pid)
    finally:
        pipeline.stop_kernel(manager)

    # A run's process killed (SIGKILL: nothing of it runs after): its launchers end, and their kernels.
    code = (
        "from lawreport import pipeline\n"
        "m = pipeline.start_kernel('validate', '20_validate.py')\n"
        "pipeline.run_silently(m, '')\n"
        "print('pids', m.provisioner.pid, pipeline.kernel_pid(m)[0], pipeline.kernel_pid(m)[1], flush=True)\n"
        "__import__('time').sleep(600)\n"
    )
    run = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        before = []
        for line in run.stdout:  # (the kernel writes here too)
            if line.startswith("pids "):
                break
            before.append(line)
        launcher, kernel, was_forked = line.split()[1:]
        assert was_forked == "True"
        run.kill()
        rest = "".join(before) + run.communicate(timeout=30)[0]
        assert _gone(int(launcher)) and _gone(int(kernel))
        # The kernel wrote nothing on the standard output it shares (a kernel that does not know the process that
        # started it prints how to connect to it, as `ipython kernel` does).
        assert "ipython kernel" not in rest and "--existing" not in rest
    finally:
        run.kill()


def test_an_interrupt_reaches_a_forked_kernel(seed):
    from jupyter_core.utils import run_sync

    manager = _start()
    try:
        assert pipeline.kernel_pid(manager)[1]
        client = manager.client()
        client.start_channels()
        try:
            asked = client.execute("import time; time.sleep(120)")
            time.sleep(1)
            run_sync(manager.interrupt_kernel)()
            reply = run_sync(client._async_get_shell_msg)(timeout=30)
            assert reply["parent_header"]["msg_id"] == asked
            assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
        finally:
            client.stop_channels()
    finally:
        pipeline.stop_kernel(manager)


def test_the_seed_is_not_used_where_a_usual_start_would_differ(seed, monkeypatch, tmp_path):
    # Another value of an environment variable a kernel's work may depend on: another fingerprint.
    monkeypatch.setenv("LAWREPORT_SOMETHING_ELSE", "1")
    assert kernel_seed.available() is None
    monkeypatch.delenv("LAWREPORT_SOMETHING_ELSE")
    assert kernel_seed.available() == seed
    # A descriptor whose process has ended, one for another socket; the same descriptor for this socket is taken.
    descriptor = json.loads(kernel_seed.descriptor_path(seed).read_text())
    fake = tmp_path / "fake"
    monkeypatch.setenv(kernel_seed.SEED_ENV, str(fake))
    for broken in ({**descriptor, "socket": str(fake), "pid": 2**22 + 1}, descriptor):
        kernel_seed.descriptor_path(fake).write_text(json.dumps(broken))
        assert kernel_seed.available() is None
    kernel_seed.descriptor_path(fake).write_text(json.dumps({**descriptor, "socket": str(fake)}))
    assert kernel_seed.available() == str(fake)
    monkeypatch.setenv(kernel_seed.SEED_ENV, str(tmp_path / "none"))
    assert kernel_seed.available() is None

    # What the seed refuses to fork: not an ipykernel of its Python, and a launcher in another network
    # namespace (a fork would run in the seed's, with the network the run was denied).
    with pytest.raises(RuntimeError, match="not a kernel of this Python"):
        kernel_launch.ask(seed, [sys.executable, "-c", "pass"])
    version = [sys.executable, "-m", "ipykernel_launcher", "--version"]
    assert kernel_launch.ask(seed, version) > 1  # forked: it prints its version and ends
    if shutil.which("unshare") and os.geteuid() == 0:
        code = f"import sys; sys.path.insert(0, {str(Path(kernel_launch.__file__).parent)!r}); import kernel_launch; kernel_launch.ask({seed!r}, {version!r})"
        done = subprocess.run(["unshare", "--net", sys.executable, "-c", code], capture_output=True, text=True)
        assert done.returncode != 0 and "another namespace" in done.stderr, done.stderr[-2000:]


def test_the_launcher_starts_the_kernel_as_usual_when_no_seed_answers(tmp_path):
    """The kernel's own command replaces the launcher: same process, same output."""
    command = [sys.executable, "-c", "import os; print('usual', os.getpid())"]
    launch = [sys.executable, "-I", "-S", str(kernel_seed.LAUNCHER), str(tmp_path / "no-seed"), *command]
    done = subprocess.Popen(launch, stdout=subprocess.PIPE, text=True)
    out, _ = done.communicate(timeout=60)
    assert done.returncode == 0 and out.split() == ["usual", str(done.pid)]


def test_a_seed_ends_when_its_owner_ends_when_stopped_and_when_idle_and_a_run_waits_for_one_loading(
    tmp_path, monkeypatch
):
    owner = subprocess.Popen(["sleep", "600"])
    seeds = {
        "owned": kernel_seed.start(tmp_path / "owned", owner=owner.pid, idle=3600),
        "stopped": kernel_seed.start(tmp_path / "stopped", idle=3600),
        "idle": kernel_seed.start(tmp_path / "idle", idle=3),
    }
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(kernel_seed._descriptor(tmp_path / n) is None for n in seeds):
            time.sleep(0.01)
        assert kernel_seed._descriptor(tmp_path / "stopped") == {
            "pid": seeds["stopped"].pid,
            "socket": str(tmp_path / "stopped"),
            "fingerprint": kernel_seed._descriptor(tmp_path / "stopped")["fingerprint"],
            "ready": False,
        }
        kernel_seed.stop(tmp_path / "stopped")  # while it loads its imports
        # A run finds the seed it names still loading: it waits for it rather than load the same imports itself.
        monkeypatch.setenv(kernel_seed.SEED_ENV, str(tmp_path / "idle"))
        assert kernel_seed._descriptor(tmp_path / "idle")["ready"] is False
        assert kernel_seed.available() == str(tmp_path / "idle")
        assert kernel_seed._descriptor(tmp_path / "idle")["ready"] is True
        assert kernel_seed.wait_ready(tmp_path / "owned", timeout=180)
        owner.kill()
        owner.wait()
        for name, process in seeds.items():
            assert process.wait(timeout=60) == 0, name
        for name in seeds:  # its socket and descriptor are gone
            assert not (tmp_path / name).exists() and not kernel_seed.descriptor_path(tmp_path / name).exists()
    finally:
        owner.kill()
        for process in seeds.values():
            process.kill()


def test_the_command_starts_a_seed_for_a_shell_and_stop_kernels_ends_it(tmp_path, monkeypatch):
    """`eval "$(lawreport kernel-seed)"`: stdout is the one line a shell evaluates; the seed is ready when it
    returns, and `lawreport stop-kernels` ends it."""
    monkeypatch.setenv("LAWREPORT_WARM_DIR", str(tmp_path / "warm"))
    command = [sys.executable, "-m", "lawreport.cli", "kernel-seed", "--idle", "600"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "内核种子已就绪" in done.stderr and "make stop-kernels" in done.stderr
    (line,) = done.stdout.splitlines()
    name, _, path = line.removeprefix("export ").partition("=")
    assert name == kernel_seed.SEED_ENV and Path(path).parent == tmp_path / "warm"
    pid = kernel_seed._descriptor(Path(path))["pid"]
    monkeypatch.setenv(kernel_seed.SEED_ENV, path)
    assert kernel_seed.available(wait=0) == path
    stopped = subprocess.run(
        [sys.executable, "-m", "lawreport.cli", "stop-kernels"], capture_output=True, text=True, timeout=60
    )
    assert stopped.returncode == 0 and "1 个内核种子" in stopped.stdout
    assert _gone(pid) and not Path(path).exists() and kernel_seed.available(wait=0) is None
    done = subprocess.run([*command[:-1], "0"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and not done.stdout
