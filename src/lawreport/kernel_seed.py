"""A kernel seed: one process with every import of a run's notebooks loaded, which forks kernels.

A run starts two kernels, and each imports pandas, Great Expectations, matplotlib and the package:
~6 s of CPU of a ~20 s cold run on the 2-core machine, paid again by every run. Where many runs
follow one another in one place (a county's batch of units, the test suite), a seed pays it once:
each kernel is then a fork of the seed, ready in a fraction of a second, sharing the seed's loaded
modules until it writes to them.

Used only when asked for: `LAWREPORT_KERNEL_SEED` names the seed's socket (`lawreport kernel-seed`
starts one and prints the line to set it). A run then starts each kernel through `kernel_launch`,
which asks the seed to fork it and falls back to the kernel spec's own command when the seed does
not answer. The seed is used only when its fingerprint is the run's (`spare_kernels.fingerprint`
of no notebook: the Python, the project folder, every file of the package, the installed
distributions, the settings and the environment variables a kernel's work may depend on); else the
run starts its kernels as usual and says nothing: a seed is an optimisation, never a condition.

What a forked kernel is, is what a kernel started as usual is when its first notebook starts: the
same modules loaded by the same code (`pipeline.preload_code` of every lane's notebooks, as a
run's kernels preload them), with the same environment, working folder, arguments, standard streams
and `sys.path`; only its loaded modules were loaded before the fork, in another process, with the
seed's environment, which the fingerprint holds to the run's. The seed starts no thread of its own
before it forks, and imports nothing that does (checked by tests/test_kernel_seed.py): a fork keeps
only the thread that forks.

The seed ends after `idle` seconds without a request, when its descriptor (`<socket>.json`) is
removed (`stop`), and when the process it serves (`--owner`) ends. Its kernels do not end with it:
each ends with its launcher (`kernel_launch`), which is what jupyter_client started, signals and
kills."""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from .params import PROJECT_ROOT

SEED_ENV = "LAWREPORT_KERNEL_SEED"
LAUNCHER = Path(__file__).with_name("kernel_launch.py")
DEFAULT_IDLE = 900  # seconds without a request before the seed ends
STARTING_WAIT = 120  # seconds a run waits for a seed still loading its imports before it starts its own kernels
KERNEL_MODULE = "ipykernel_launcher"


def descriptor_path(path: Path | str) -> Path:
    return Path(f"{path}.json")


def wrapped(command: list[str], path: str) -> list[str]:
    """The command that starts the kernel `command` by the seed at `path` (`kernel_launch`)."""
    return [command[0], "-I", "-S", str(LAUNCHER), path, *command]


def available(wait: float = STARTING_WAIT) -> str | None:
    """The socket of the seed this process's runs may fork their kernels from: the one
    `LAWREPORT_KERNEL_SEED` names, when its fingerprint is this process's. One still loading its
    imports is waited for (up to `wait` seconds): its imports are what the run's own kernels would
    load in the same time."""
    from . import spare_kernels

    path = os.environ.get(SEED_ENV, "").strip()
    if not path:
        return None
    descriptor = _descriptor(Path(path))
    if descriptor is None:
        return None
    with spare_kernels.looking_once():
        if descriptor.get("fingerprint") != spare_kernels.fingerprint(()):
            return None
    deadline = time.monotonic() + wait
    while not descriptor.get("ready"):
        if time.monotonic() > deadline:
            return None
        time.sleep(0.05)
        descriptor = _descriptor(Path(path)) or {}
        if not descriptor:
            return None
    return path


def _descriptor(path: Path) -> dict[str, Any] | None:
    """A seed's descriptor (ready or still loading), None when there is none or its process has ended."""
    try:
        descriptor = json.loads(descriptor_path(path).read_text(encoding="utf-8"))
        pid = descriptor["pid"]
        os.kill(pid, 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return descriptor if descriptor.get("socket") == str(path) else None


def _write_descriptor(path: Path, **fields: Any) -> None:
    staged = descriptor_path(path).with_suffix(".json.new")
    staged.write_text(json.dumps({"pid": os.getpid(), "socket": str(path), **fields}), encoding="utf-8")
    os.chmod(staged, 0o600)
    os.replace(staged, descriptor_path(path))


# ------------------------------------------------------------------------------ starting and stopping


def start(path: Path, owner: int | None = None, idle: int = DEFAULT_IDLE, stderr: Any = None) -> subprocess.Popen:
    """Launch a seed serving at `path` (a socket path, ~100 bytes at most), in a session of its own;
    returns at once (`wait_ready`). `stderr`: where its errors go (default: nowhere)."""
    command = [sys.executable, "-m", "lawreport.kernel_seed", str(path), "--idle", str(idle)]
    if owner is not None:
        command += ["--owner", str(owner)]
    return subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=stderr if stderr is not None else subprocess.DEVNULL,
    )


def wait_ready(path: Path, timeout: float = 120, process: subprocess.Popen | None = None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (_descriptor(path) or {}).get("ready"):
            return True
        if process is not None and process.poll() is not None:
            return False
        time.sleep(0.05)
    return False


def launch_for_shell(idle: int) -> int:
    """`lawreport kernel-seed`: start a seed in this user's folder of warm kernels and wait until it is
    ready; print the line that makes a shell's runs use it on stdout (for `eval`), the rest on stderr."""
    import shlex
    import uuid

    from .spare_kernels import spare_dir

    if idle <= 0:
        print("--idle 须为正整数秒数 (a positive number of seconds)", file=sys.stderr)
        return 2
    folder = spare_dir()
    path = folder / f"seed-{uuid.uuid4().hex[:12]}"
    log = folder / f"{path.name}.log"
    with open(log, "wb") as errors:
        process = start(path, idle=idle, stderr=errors)
    if not wait_ready(path, timeout=300, process=process):
        process.kill()
        stop(path)
        print(f"内核种子未能启动 (the kernel seed did not start)；见 {log}", file=sys.stderr)
        return 1
    log.unlink(missing_ok=True)
    print(
        f"内核种子已就绪 (kernel seed ready)，进程 {process.pid}，闲置 {idle // 60} 分钟后自行退出；"
        f"立即停止：make stop-kernels。设置下面的环境变量后，本终端的运行从它派生内核：",
        file=sys.stderr,
    )
    print(f"export {SEED_ENV}={shlex.quote(str(path))}")
    return 0


def stop_all() -> int:
    """Stop every seed in this user's folder of warm kernels (`lawreport stop-kernels`); returns how many."""
    from .spare_kernels import spare_dir

    stopped = 0
    for descriptor in spare_dir().glob("seed-*.json"):
        path = descriptor.with_suffix("")
        if _descriptor(path) is not None:
            stop(path)
            stopped += 1
    return stopped


def stop(path: Path) -> None:
    """Ask the seed at `path` to end (its descriptor removed: it looks every second)."""
    descriptor_path(path).unlink(missing_ok=True)


# ------------------------------------------------------------------------------ the seed's process


def preload() -> None:
    """Load what every lane's kernel would load before its first notebook, as it would."""
    import gc

    # What a kernel has loaded before it runs the preload: code that looks at import whether it runs in a
    # kernel (tqdm.autonotebook, through Great Expectations) sees the same as in a kernel started as usual.
    import ipykernel.ipkernel  # noqa: F401
    import ipykernel.kernelapp  # noqa: F401
    import ipykernel.zmqshell  # noqa: F401

    from .pipeline import LANES, lane_files, preload_code

    for lane in LANES:
        for name in lane_files(lane):
            code = preload_code(name)
            if code:
                exec(compile(code, f"<preload {name}>", "exec"), {})  # noqa: S102 - the package's own code
    gc.freeze()


def serve(path: Path, idle: float, owner: int | None) -> None:
    from . import spare_kernels
    from .pipeline import step_env

    with spare_kernels.looking_once():
        print_ = spare_kernels.fingerprint(())  # from the environment as the runs see it
    path.unlink(missing_ok=True)
    _write_descriptor(path, fingerprint=print_, ready=False)  # runs wait for it (`available`)
    environment = dict(os.environ)
    os.environ.update(step_env(""))
    # ipykernel sets this before a kernel runs any code (IPKernelApp.init_gui_pylab)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    if sys.path and Path(sys.path[0] or ".").resolve() == Path.cwd().resolve():
        del sys.path[0]  # as ipykernel_launcher does before it imports anything
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        preload()
        owner_fd = os.pidfd_open(owner) if owner else None
        listener.bind(str(path))
        os.chmod(path, 0o600)
        listener.listen(16)
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forked kernels are reaped by the system
        # The package as it was before the imports, or no seed: code edited meanwhile may have been loaded.
        current = dict(os.environ)
        os.environ.clear()
        os.environ.update(environment)
        with spare_kernels.looking_once():
            same = spare_kernels.fingerprint(()) == print_
        os.environ.clear()
        os.environ.update(current)
        if not same or not descriptor_path(path).exists():  # changed, or stopped while it loaded
            return
        _write_descriptor(path, fingerprint=print_, ready=True)
        last = time.monotonic()
        while time.monotonic() - last < idle and descriptor_path(path).exists():
            waiting = [listener] + ([owner_fd] if owner_fd is not None else [])
            ready = select.select(waiting, [], [], 1.0)[0]
            if owner_fd is not None and owner_fd in ready:
                break
            if listener in ready:
                last = time.monotonic()
                connection, _ = listener.accept()
                _answer(listener, connection)
    finally:
        listener.close()
        path.unlink(missing_ok=True)
        descriptor_path(path).unlink(missing_ok=True)


def _answer(listener: socket.socket, connection: socket.socket) -> None:
    """Read one request, fork its kernel and answer with the kernel's pid, or with why not."""
    fds: list[int] = []
    try:
        connection.settimeout(10)
        data = b""
        while True:
            part, received, _flags, _address = socket.recv_fds(connection, 1 << 20, 3)
            fds += received
            if not part:
                break
            data += part
        request = json.loads(data.decode())
        argv = request["argv"]
        if len(fds) != 3 or argv[:3] != [sys.executable, "-m", KERNEL_MODULE]:
            raise ValueError("not a kernel of this Python")
        if threading.active_count() != 1:  # a fork keeps only the thread that forks
            raise RuntimeError("the seed runs threads")
        _same_place(request["launcher"])
        if request["nice"] < os.getpriority(os.PRIO_PROCESS, 0) and os.geteuid() != 0:
            raise ValueError("the launcher runs at a higher priority than the seed may give")
        pid = os.fork()
        if pid == 0:
            _child(listener, connection, request, fds)
        reply: dict[str, Any] = {"pid": pid}
    except Exception as error:  # noqa: BLE001 - the launcher then starts the kernel as usual
        reply = {"error": f"{type(error).__name__}: {error}"}
    finally:
        for fd in fds:
            os.close(fd)
    try:
        connection.sendall(json.dumps(reply).encode())
    except OSError:
        pass
    connection.close()


# What a process inherits from the one that starts it and a fork would take from the seed instead: where the
# launcher's differ from the seed's, the kernel is started as usual (a run in a network namespace of its own,
# under other limits, in another control group).
PLACE = ("ns/net", "ns/mnt", "ns/pid_for_children", "ns/ipc", "ns/uts", "ns/user", "ns/cgroup", "cgroup", "limits")


def _place(pid: int | str) -> list[str]:
    found = []
    for name in PLACE:
        path = Path(f"/proc/{pid}/{name}")
        try:
            found.append(os.readlink(path) if name.startswith("ns/") else path.read_text())
        except OSError:
            found.append("")
    return found


def _same_place(launcher: int) -> None:
    if not isinstance(launcher, int) or _place(launcher) != _place("self"):
        raise ValueError("the launcher runs in another namespace, control group or under other limits")


def _child(listener: socket.socket, connection: socket.socket, request: dict[str, Any], fds: list[int]) -> None:
    """(The forked kernel.) Become the kernel the request's command would have started. Never returns."""
    code = 1
    try:
        listener.close()
        connection.close()
        os.setsid()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        ignored = set(request["ignored"])
        for signum in signal.valid_signals():
            if signum in (signal.SIGKILL, signal.SIGSTOP):
                continue
            if signum in ignored:
                signal.signal(signum, signal.SIG_IGN)
            elif signum == signal.SIGINT:
                signal.signal(signum, signal.default_int_handler)  # as Python sets it at its start
            elif signum not in (signal.SIGPIPE, signal.SIGXFSZ):  # (Python ignores these at its start)
                try:
                    signal.signal(signum, signal.SIG_DFL)
                except (OSError, ValueError):
                    pass
        os.umask(request["umask"])
        os.sched_setaffinity(0, request["affinity"])
        os.setpriority(os.PRIO_PROCESS, 0, request["nice"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        _end_with(request["launcher"])
        argv = request["argv"]
        sys.argv = [argv[0], *argv[3:]]
        from ipykernel import kernelapp

        # ipykernel's watch of the process that started it (JPY_PARENT_PID) looks at this process's
        # parent, which is the seed: the launcher watches that process instead, and this one the
        # launcher (`_end_with`).
        kernelapp.IPKernelApp.init_poller = lambda self: None
        # The process that started the kernel, as ipykernel reads it: from the environment, but when its module
        # is imported, which was in the seed.
        parent = os.environ.get("JPY_PARENT_PID", "")
        given = [f"--IPKernelApp.parent_handle={int(parent)}"] if parent.isdigit() else []
        kernelapp.launch_new_instance(argv=[*given, *argv[3:]])
        code = 0
    except SystemExit as end:
        code = end.code if isinstance(end.code, int) else 0
    except BaseException:  # noqa: BLE001 - said on the kernel's stderr, as a kernel's own failure is
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _end_with(launcher: int) -> None:
    """End this process when the launcher's ends (it is what jupyter_client kills)."""
    handle = os.pidfd_open(launcher)

    def watch() -> None:
        select.select([handle], [], [])
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="lawreport-launcher-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m lawreport.kernel_seed")
    parser.add_argument("socket", type=Path)
    parser.add_argument("--idle", type=float, default=DEFAULT_IDLE)
    parser.add_argument("--owner", type=int, default=None)
    arguments = parser.parse_args(argv)
    serve(arguments.socket.absolute(), arguments.idle, arguments.owner)


if __name__ == "__main__":
    main()
