"""Warm kernels kept for the next run ("spares").

A run's kernels take ~1 s each to start and ~2 s of CPU to import pandas and Great Expectations;
after one ledger is corrected, that is half of the rerun. So, at the end of a run that used kernels
(also a failed one, not an interrupted one), one spare kernel per lane (`pipeline.LANES`) is started
in the background with every import of that lane's notebooks loaded, and left running for the next
run, which adopts it instead of starting its own (`claim`, from `KernelPool.open`). A spare has run
no notebook: only imports, like a run's own kernel before its first notebook, and the run resets it
before each notebook as usual (`pipeline.reset_code`).

Safe to adopt only what the run would have started itself, so a spare is taken only when its
fingerprint is this run's: the Python, the project folder, every file of the package, the lane's
notebooks, the installed distributions, IPython's, Jupyter's and matplotlib's settings, and the
environment variables a kernel's work may depend on (`ENVIRONMENT`; the pseudonym key may come from
one). A spare of this project with another fingerprint is stopped when a run looks, and so is one
that does not answer at once.

Each spare stops itself: a watchdog thread in the kernel (`serve`) ends it after `idle_seconds()`
unclaimed (`LAWREPORT_WARM_SECONDS`, default 900; 0 keeps none), once its file is removed
(`stop_all`: `make stop-kernels`), and, once claimed, when the run that claimed it is gone (killed
before it could stop the kernel). A spare holds none of the terminal's or the caller's streams and
is in a session of its own, so nothing waits for it to end.

Files, in a folder of this user's only (`spare_dir`): `<name>.starting` (launched, loading its
imports), `<name>.ready` (idle), `<name>.claimed-<pid>` (a run uses it). Each holds the spare's
descriptor (JSON): its process, connection, lane's notebooks and fingerprint. A rename moves a spare
from one state to the next, so two runs never adopt the same kernel, and a spare never ends while a
run takes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from ..params import PROJECT_ROOT

IDLE_ENV = "LAWREPORT_WARM_SECONDS"
DIR_ENV = "LAWREPORT_WARM_DIR"
DEFAULT_IDLE = 900  # seconds: time enough to correct a ledger and run again
ANSWER = 5  # seconds: a spare that does not answer a request within this is not adopted
STUCK = 300  # seconds: a spare still loading its imports after this never got ready (and never will)

# The environment variables a kernel's work may depend on (by name, or by the start of a name): only
# these enter the fingerprint. Others differ between two terminals, or two make invocations (make
# exports its command-line variables), and no notebook reads them. The pseudonym key may come from
# LAWREPORT_PSEUDONYM_KEY (LAWREPORT_).
ENVIRONMENT = (
    "LAWREPORT_",
    "PYTHON",
    "PATH",
    "HOME",
    "LANG",
    "LC_",
    "TZ",
    "TMPDIR",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "XDG_DATA_HOME",
    "JUPYTER",
    "IPYTHON",
    "MPL",
    "MATPLOTLIBRC",  # read when matplotlib is imported (its rc file)
    "TQDM_",  # read when tqdm is imported (Great Expectations imports it): its bars' defaults
    "GX_",
    "OMP_",
    "MKL_",
    "OPENBLAS_",
    "NUMEXPR_",
    "NUMPY_",
    "PANDAS_",
    "ARROW_",
    "PYARROW_",
    "SOURCE_DATE_EPOCH",
    "LD_",
    "MALLOC_",
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
)
# Read by the run, not by a kernel, or set by it in the kernel: left out.
NOT_READ = frozenset({IDLE_ENV, DIR_ENV, "LAWREPORT_PIPELINE_RUN", "GX_ANALYTICS_ENABLED"})

# Processes this process launched (pid -> Popen): polled through Popen, which also reaps them.
_CHILDREN: dict[int, Any] = {}


def idle_seconds() -> int:
    """How long a spare waits unclaimed (`LAWREPORT_WARM_SECONDS`); 0: no spares. A value that is
    not a whole number of seconds keeps none either (`keep` says so)."""
    text = os.environ.get(IDLE_ENV, "").strip()
    if not text:
        return DEFAULT_IDLE
    try:
        return max(int(text), 0)
    except ValueError:
        return 0


def spare_dir() -> Path:
    """This user's folder of spares (private: a spare's file holds its connection key);
    `LAWREPORT_WARM_DIR` names another (the tests: each its own)."""
    from ..storage import private_folder

    # (absolute: the kernels run in the project's folder)
    return private_folder(
        Path(os.environ.get(DIR_ENV) or Path(tempfile.gettempdir()) / f"lawreport-warm-{os.getuid()}")
    )


# ------------------------------------------------------------------------------------ fingerprint


# What the fingerprints of one look at the spares share (`looking_once`), read once; per thread.
_LOOK: ContextVar[dict[str, Any] | None] = ContextVar("lawreport_spare_look", default=None)


@contextmanager
def looking_once() -> Iterator[None]:
    """Within: the package's files, the installed distributions and the settings are read once for
    every fingerprint (a run claims a spare per lane, each claim checks every spare's, and the run
    then fingerprints each lane again for the next spares: ~25 ms each time). Only for one look at
    the spares: files read at its start stand for the whole of it."""
    token = _LOOK.set({})
    try:
        yield
    finally:
        _LOOK.reset(token)


def _once(name: str, read: Callable[[], Any]) -> Any:
    look = _LOOK.get()
    if look is None:
        return read()
    if name not in look:
        look[name] = read()
    return look[name]


def _digest_tree(folder: Path) -> str:
    """Every file under `folder` (not caches, hidden files or editors' backups), by content."""
    return _once(f"tree:{folder}", lambda: _read_tree(folder))


def _read_tree(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part == "__pycache__" or part.startswith(".") for part in relative.parts):
            continue
        if path.name.endswith(("~", ".swp", ".swo", ".orig", ".rej")) or not path.is_file():
            continue
        digest.update(str(relative).encode() + b"\0" + _digest_file(path).encode() + b"\0")
    return digest.hexdigest()


def _settings() -> dict[str, str]:
    return _once("settings", _read_settings)  # type: ignore[no-any-return]


def _read_settings() -> dict[str, str]:
    """The configuration a kernel reads when it starts: IPython's profile and startup files, Jupyter's
    and matplotlib's. Only those files: the same folders hold what kernels write as they run (the
    history database, font caches)."""
    home = Path.home()
    ipython = Path(os.environ.get("IPYTHONDIR") or home / ".ipython") / "profile_default"
    jupyter = Path(os.environ.get("JUPYTER_CONFIG_DIR") or home / ".jupyter")
    matplotlib = Path(os.environ.get("MPLCONFIGDIR") or home / ".config" / "matplotlib")
    patterns = [
        (ipython, "*.py"),
        (ipython / "startup", "*"),
        (jupyter, "*.py"),
        (jupyter, "*.json"),
        (matplotlib, "matplotlibrc"),
        (matplotlib / "stylelib", "*"),
        (PROJECT_ROOT, "matplotlibrc"),
    ]
    return {str(path): _digest_file(path) for folder, pattern in patterns for path in sorted(folder.glob(pattern))}


def _digest_file(path: Path) -> str:
    from ..ledgers.manifest import sha256_file

    try:
        return sha256_file(path)
    except OSError:
        return "unreadable"


def _distributions() -> list[str]:
    return _once("distributions", _read_distributions)  # type: ignore[no-any-return]


def _read_distributions() -> list[str]:
    """The installed distributions: their metadata folders' names (with the versions) and when each
    was installed (a reinstall of the same version too), and the .pth files' contents."""
    found: list[str] = []
    for entry in sys.path:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:
            continue
        for name in names:
            path = Path(entry or ".") / name
            if name.endswith((".dist-info", ".egg-info")):
                try:
                    found.append(f"{path}:{path.stat().st_mtime_ns}")
                except OSError:
                    found.append(f"{path}:gone")
            elif name.endswith(".pth"):
                found.append(f"{path}:{_digest_file(path)}")
    return found


def code_digest(files: tuple[str, ...]) -> str:
    """Every file of the package and the lane's notebooks `files`, by content."""
    from .pipeline import NOTEBOOK_DIR, PACKAGE_DIR

    notebooks = {name: _digest_file(NOTEBOOK_DIR / name) for name in files}
    return hashlib.sha256(json.dumps([_digest_tree(PACKAGE_DIR), notebooks], sort_keys=True).encode()).hexdigest()


def fingerprint(files: tuple[str, ...]) -> str:
    """What a spare for the lane of notebooks `files` was made from (see the module's docstring)."""
    parts = {
        "python": [sys.executable, sys.version],
        "root": str(PROJECT_ROOT),
        "code": code_digest(files),
        "distributions": _distributions(),
        "environment": sorted((k, v) for k, v in os.environ.items() if k.startswith(ENVIRONMENT) and k not in NOT_READ),
        "settings": _settings(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


# ------------------------------------------------------------------------------------ processes


def _alive(pid: int) -> bool:
    """Whether process `pid` runs (a zombie does not)."""
    child = _CHILDREN.get(pid)
    if child is not None:
        return child.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def _is_the_spare(descriptor: dict[str, Any]) -> bool:
    """Whether the descriptor's process is still that kernel (not a later process with its pid): one
    of its arguments is the kernel's own connection file."""
    pid, connection = descriptor.get("pid"), descriptor.get("connection_file")
    if not isinstance(pid, int) or pid <= 1 or not isinstance(connection, str) or not os.path.isabs(connection):
        return False
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return connection.encode() in command and _alive(pid)


class SpareProcess:
    """A spare's process as jupyter_client's LocalProvisioner uses a Popen, for a kernel that this
    process may not have started (`adopt`). A signal goes to the kernel's process group only while
    the process is still that kernel: not being this process's child, its pid is free for another
    process as soon as it ends."""

    stdin = stdout = stderr = None

    def __init__(self, descriptor: dict[str, Any]) -> None:
        self.descriptor = descriptor
        self.pid: int = descriptor["pid"]
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and not _alive(self.pid):
            child = _CHILDREN.pop(self.pid, None)
            self.returncode = child.returncode if child is not None else -signal.SIGKILL
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = time.monotonic() + timeout if timeout is not None else float("inf")
        while self.poll() is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"process {self.pid} still runs")
            time.sleep(0.05)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, signum: int) -> None:
        if self.poll() is None and _is_the_spare(self.descriptor):
            os.killpg(self.pid, signum)  # (a session leader: its group is the kernel and its children)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


# ------------------------------------------------------------------------------------ descriptors


def _descriptors(folder: Path, suffix: str, root: Path | None = PROJECT_ROOT) -> list[tuple[Path, dict[str, Any]]]:
    """The spares in state `suffix` of the project at `root` (None: of every project); a file that
    is not a spare's is removed, whatever its project."""
    found = []
    for path in sorted(folder.glob(f"*.{suffix}")):
        try:
            descriptor = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # being renamed or written: not a spare to use now
        if _well_formed(descriptor):
            if root is None or descriptor["root"] == str(root):
                found.append((path, descriptor))
        else:
            path.unlink(missing_ok=True)  # not a spare's file: nothing to stop, nothing to adopt
    return found


def _well_formed(descriptor: Any) -> bool:
    kinds = {"pid": int, "files": list, "fingerprint": str, "root": str, "connection_file": str}
    kinds |= {"connection": dict, "socket_dir": str, "made": float, "code": str}
    return isinstance(descriptor, dict) and all(isinstance(descriptor.get(k), t) for k, t in kinds.items())


def _remove_kernel_files(descriptor: dict[str, Any]) -> None:
    import shutil

    try:
        os.unlink(descriptor.get("connection_file", ""))
    except OSError:
        pass
    if descriptor.get("socket_dir"):
        shutil.rmtree(descriptor["socket_dir"], ignore_errors=True)


def _stop(path: Path, descriptor: dict[str, Any]) -> bool:
    """Take a spare's file (a rename: nobody adopts it meanwhile) and end its kernel; False when
    another process took it first."""
    taken = path.with_name(f"{path.name}.stopping-{os.getpid()}")
    try:
        os.rename(path, taken)
    except OSError:
        return False
    try:
        SpareProcess(descriptor).kill()
    except OSError:
        pass
    _remove_kernel_files(descriptor)
    taken.unlink(missing_ok=True)
    return True


def _reap() -> None:
    """Forget (and reap) the spares this process launched that have ended."""
    for pid, child in list(_CHILDREN.items()):
        if child.poll() is not None:
            del _CHILDREN[pid]


def _leftovers(folder: Path) -> None:
    """Files of spares that ended without removing them: a stop or an expiry cut short, a run
    killed after its spare; and half-written descriptors."""
    from ..storage import older_than

    for path in folder.iterdir():
        name = path.name
        if ".stopping-" in name or ".claimed-" in name:
            try:
                owner = int(name.rsplit("-", 1)[1])
            except ValueError:
                owner = 0
            if owner != os.getpid() and not _alive(owner):
                path.unlink(missing_ok=True)
        elif name.endswith(".expired") or (name.startswith(".") and name != ".lock" and older_than(path, 60)):
            path.unlink(missing_ok=True)


def stop_all(root: Path | None = PROJECT_ROOT) -> int:
    """End the idle and starting spares (of the project at `root`; None: of every project); returns
    how many. Kernels that runs have claimed are theirs to stop."""
    folder = spare_dir()
    stopped = 0
    with _locked(folder):
        for suffix in ("ready", "starting"):
            for path, descriptor in _descriptors(folder, suffix, root):
                stopped += _stop(path, descriptor)
        _leftovers(folder)
    _reap()
    return stopped


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One look-then-act at a time over the folder (`keep`, `stop_all`): two runs ending together
    do not each start spares for the same lanes."""
    import fcntl

    with open(folder / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


# ------------------------------------------------------------------------------------ in the kernel


def serve(name: str, idle: float, folder: str) -> None:
    """(In a spare kernel, after its imports.) Mark the spare ready and watch it: end the kernel
    after `idle` seconds unclaimed, when its file is removed, or once the run that claimed it is
    gone. Binds nothing in the kernel's namespace."""
    try:
        _serve(name, idle, Path(folder))
    except Exception:  # noqa: BLE001 - a spare that cannot watch itself must not stay
        os._exit(0)


def _connected_as(descriptor: dict[str, Any]) -> bool:
    """(In the kernel.) Whether it listens where its descriptor says, with the descriptor's key."""
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    connection = descriptor.get("connection", {})
    key = app.session.key.decode() if isinstance(app.session.key, bytes) else str(app.session.key)
    return (
        app.transport == connection.get("transport")
        and app.ip == connection.get("ip")
        and app.shell_port == connection.get("shell_port")
        and key == connection.get("key")
    )


def _serve(name: str, idle: float, spares: Path) -> None:
    starting, ready = spares / f"{name}.starting", spares / f"{name}.ready"
    for _ in range(200):  # the launcher writes `starting` just after the launch
        if starting.exists():
            break
        time.sleep(0.05)
    try:
        descriptor = json.loads(starting.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        os._exit(0)  # stopped while it loaded its imports
    # Not reachable where its file says, or the package or a notebook changed between its
    # fingerprint and its imports: of no use to a run.
    if not _connected_as(descriptor) or code_digest(tuple(descriptor.get("files", ()))) != descriptor.get("code"):
        starting.unlink(missing_ok=True)
        _remove_kernel_files(descriptor)
        os._exit(0)
    try:
        os.rename(starting, ready)
    except OSError:
        os._exit(0)
    deadline = time.monotonic() + idle

    def end(*paths: Path) -> None:
        for path in paths:
            path.unlink(missing_ok=True)
        _remove_kernel_files(descriptor)
        os._exit(0)

    def claimant() -> tuple[Path, int] | None:
        for path in spares.glob(f"{name}.claimed-*"):
            try:
                return path, int(path.name.rsplit("-", 1)[1])
            except ValueError:
                continue
        return None

    def watch() -> None:
        claimed: tuple[Path, int] | None = None
        while True:
            time.sleep(0.5)
            if claimed is not None:
                if not _alive(claimed[1]):
                    end(claimed[0])
                continue
            if ready.exists():  # (first: a rename to claimed happens between the two looks)
                if time.monotonic() > deadline:
                    expired = spares / f"{name}.expired"
                    try:
                        os.rename(ready, expired)  # not while a run claims it
                    except OSError:
                        continue
                    end(expired)
                continue
            claimed = claimant()
            if claimed is None:
                end()  # stopped: its file was taken

    threading.Thread(target=watch, name="lawreport-spare", daemon=True).start()


# ------------------------------------------------------------------------------------ in a run


def _launch(files: tuple[str, ...], print_: str, idle: int, folder: Path, ahead: tuple[str, int] | None = None) -> None:
    import subprocess

    from jupyter_core.utils import run_sync

    from ..storage import write_private_text
    from .pipeline import FREEZE, kernel_manager_class, preload_code, step_env

    name = uuid.uuid4().hex
    # `ahead`: the raw root and year whose personal values it reads before it is ready (`scan.read_ahead`)
    read = (
        [
            f"try:\n    __import__('lawreport.appendix.scan', fromlist=['read_ahead']).read_ahead{ahead!r}\nexcept Exception:\n    pass"
        ]
        if ahead
        else []
    )
    code = "\n".join([*(code for code in map(preload_code, files) if code), *read, FREEZE])
    # A spare that cannot start its watchdog must not stay: it ends at once.
    code += (
        "\ntry:\n"
        f"    __import__('lawreport.run.spare_kernels', fromlist=['serve']).serve({name!r}, {idle!r}, {str(folder)!r})\n"
        "except BaseException:\n"
        "    __import__('os')._exit(0)"
    )
    manager = kernel_manager_class(step_env(""))(kernel_name="python3")
    run_sync(manager.start_kernel)(
        cwd=str(PROJECT_ROOT),
        extra_arguments=[f"--IPKernelApp.exec_lines={code}"],
        independent=True,  # no parent poller: it outlives this process
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    process = manager.provisioner.process
    _CHILDREN[process.pid] = process
    write_private_text(
        folder,
        f"{name}.starting",
        json.dumps(
            {
                "pid": process.pid,
                "files": list(files),
                "fingerprint": print_,
                "code": code_digest(files),
                "root": str(PROJECT_ROOT),
                "connection_file": manager.connection_file,
                "connection": {
                    k: (v.decode() if isinstance(v, bytes) else v) for k, v in manager.get_connection_info().items()
                },
                "socket_dir": manager._socket_dir,
                "made": time.time(),
                "values": list(ahead) if ahead else None,
            }
        ),
    )
    # This manager lets the kernel go: it is the spare's now. Not even its connection file is removed
    # when the manager is collected (KernelManager.__del__): the kernel may not have read it yet, and
    # would then make another, on TCP, with a key of its own.
    manager._connection_file_written = False
    manager.provisioner.process = None
    manager._close_control_socket()


def keep(used: bool, say: Callable[[str], None] = print, ahead: tuple[str, int] | None = None) -> int:
    """After a run: start a spare for each lane that has none ready or starting with this run's
    fingerprint (`used`: the run used kernels; a run that used none leaves things as they are), and
    stop this project's spares whose fingerprint is out of date. Returns how many were started.
    `ahead` (the run's raw root and year): the spare of the lane whose kernel waits at a run's start
    (`pipeline.VALUES_LANE`) reads their personal values before it is ready, for the next run."""

    if not used:
        return 0
    idle = idle_seconds()
    if idle <= 0:
        if os.environ.get(IDLE_ENV, "").strip() not in ("", "0"):
            say(f"[{IDLE_ENV}] 不是整数秒数 (not a whole number of seconds)：未留预热内核 (no warm kernels kept)")
        return 0
    try:
        started = _keep(idle, ahead)
    except Exception as error:  # noqa: BLE001 - the run itself is done; the next only starts its own kernels
        say(f"未能留下预热内核 (no warm kernels kept)：{type(error).__name__}: {error}")
        return 0
    if started:
        say(
            f"已留 {started} 个预热内核 (warm kernels) 供下次运行，闲置 {idle // 60} 分钟后自行退出；"
            "立即停止：make stop-kernels"
        )
    return started


def _keep(idle: int, ahead: tuple[str, int] | None = None) -> int:
    from .pipeline import LANES, VALUES_LANE, lane_files

    folder = spare_dir()
    lanes = [lane_files(lane) for lane in LANES]
    present: set[tuple[str, ...]] = set()
    started = 0
    with _locked(folder), looking_once():
        prints = {files: fingerprint(files) for files in lanes}
        _reap()
        for suffix in ("starting", "ready"):
            for path, descriptor in _descriptors(folder, suffix):
                files = tuple(descriptor["files"])
                stuck = suffix == "starting" and time.time() - descriptor["made"] > STUCK
                if prints.get(files) == descriptor["fingerprint"] and _is_the_spare(descriptor) and not stuck:
                    present.add(files)
                else:
                    _stop(path, descriptor)  # out of date, or dead, or never got ready
        for index, files in enumerate(lanes):
            if files not in present:
                _launch(files, prints[files], idle, folder, ahead if index == VALUES_LANE else None)
                started += 1
    return started


def claim(files: tuple[str, ...]) -> Any | None:
    """A ready spare whose lane preloaded `files` (a run's lane: the same notebooks or fewer), with
    this run's fingerprint, that answers a request, adopted as a kernel manager for this run; None
    if there is none. The run stops the kernel as it stops its own (`pipeline.stop_kernel`), which
    also removes its file."""
    from .pipeline import run_silently, stop_kernel

    if idle_seconds() <= 0:
        return None
    try:
        folder = spare_dir()
    except OSError:
        return None
    prints: dict[tuple[str, ...], str] = {}
    try:
        descriptors = _descriptors(folder, "ready")
    except Exception:  # noqa: BLE001 - whatever is wrong with the spares, the run starts its own kernels
        return None
    for path, descriptor in descriptors:
        try:
            spare_files = tuple(descriptor["files"])
            if spare_files not in prints:
                prints[spare_files] = fingerprint(spare_files)
            if descriptor["fingerprint"] != prints[spare_files] or not _is_the_spare(descriptor):
                _stop(path, descriptor)  # out of date (any lane's), or no longer running
                continue
            if not set(files) <= set(spare_files):
                continue
            claimed = path.with_name(f"{path.name[: -len('.ready')]}.claimed-{os.getpid()}")
            try:
                os.rename(path, claimed)
            except OSError:
                continue  # another run took it first, or it expired
        except Exception:  # noqa: BLE001 - this spare is not to be used; the next may be
            continue
        manager = None
        try:
            manager = adopt(descriptor, claimed)
            run_silently(manager, "pass", timeout=ANSWER)
            return manager
        except Exception:  # noqa: BLE001 - alive but not answering (its sockets gone): not to be used
            if manager is not None:
                stop_kernel(manager)
            else:
                _stop(claimed, descriptor)
    return None


def adopt(descriptor: dict[str, Any], claimed: Path) -> Any:
    """A kernel manager for a running spare, as if this process had started it."""
    from jupyter_client.provisioning import LocalProvisioner

    from .pipeline import kernel_manager_class

    manager = kernel_manager_class({})(kernel_name="python3")
    manager.load_connection_info(descriptor["connection"])
    manager.connection_file = descriptor["connection_file"]
    manager._connection_file_written = True  # removed when the run stops the kernel
    manager._socket_dir = descriptor["socket_dir"]
    values = descriptor.get("values")  # the raw root and year whose personal values it read ahead
    manager.values_ahead = (str(values[0]), int(values[1])) if isinstance(values, list) and len(values) == 2 else None
    manager.socket_dirs.append(descriptor["socket_dir"])
    manager.spare_file = str(claimed)
    provisioner = LocalProvisioner(kernel_id=manager.kernel_id, kernel_spec=manager.kernel_spec, parent=manager)
    provisioner.process = SpareProcess(descriptor)
    provisioner.pid = descriptor["pid"]
    provisioner.pgid = None  # signals through SpareProcess, which checks the process is still the kernel
    provisioner.connection_info = manager.get_connection_info()
    manager.provisioner = provisioner
    manager._connect_control_socket()
    return manager


def any_ready() -> bool:
    """Whether a spare of this project is ready to be claimed (its fingerprint not checked here)."""
    if idle_seconds() <= 0:
        return False
    try:
        return bool(_descriptors(spare_dir(), "ready"))
    except Exception:  # noqa: BLE001 - no spares to be found: none to adopt
        return False


def wait_ready(timeout: float = 120) -> bool:
    """Wait until no spare of this project is still loading its imports (the bench: a measurement
    does not share the machine with them); True if none is left starting."""
    deadline = time.monotonic() + timeout
    folder = spare_dir()
    while time.monotonic() < deadline:
        starting = [d for _, d in _descriptors(folder, "starting") if _alive(d["pid"])]
        if not starting:
            return True
        time.sleep(0.1)
    return False
