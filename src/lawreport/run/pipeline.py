"""The ordered papermill run: clean -> validate -> figures -> appendix.

Parameters are checked before any kernel starts (papermill itself only warns on unknown ones).
Each executed notebook is kept under build/<year>/notebooks/, also when it fails, for inspection.

Incremental: each step records a fingerprint of what it was made from (input file hashes, notebook
source, package source, parameters) in build/<year>/stamps/<step>.json after it succeeds; a rerun
whose fingerprint is unchanged skips the step. Inside a step that runs, the clean and validate steps
reuse their per-ledger and per-table results whose inputs are unchanged, and the appendix its charts
(caches keyed by everything they read; `cache_folders`). `force=True` removes those caches and reruns
everything. One run at a time: a second run of the same build root refuses while the first holds
the lock.

Speed: a run uses two kernels, one per core (`LANES`, `KernelPool`), both started once the
preflight has passed, with imports preloaded; each runs its notebooks in turn, its namespace reset
between them. A step runs as soon as the steps it reads from have finished, so validate and figures
run side by side, then the appendix's two editions. A kernel whose next notebook waits does other
work in the background: another step's help (`Step.help`: the validate lane cleans ledgers while
clean runs) or its next step's work ahead (`Step.warm`: the appendix's charts and cards while
validate runs). Where the time of a run went is written to build/<year>/timings.json.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..params import PROJECT_ROOT, RunParams, check_params

if TYPE_CHECKING:
    from concurrent.futures import Future

NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # src/lawreport: every source of the package


class StepFailed(RuntimeError):
    """A notebook failed: names the notebook and cell, and where the executed copy is kept."""

    def __init__(self, step: str, notebook: Path, cell: int | None, error: str, kept: Path):
        self.step, self.notebook, self.cell, self.error, self.kept = step, notebook, cell, error, kept
        where = f"第 {cell} 个单元格 (cell {cell})" if cell is not None else "执行中"
        super().__init__(
            f"步骤「{step}」失败 (step failed)：{notebook.name} {where}\n{error}\n"
            f"已保留执行到出错处的笔记本 (kept for inspection)：{kept}"
        )


class RunLocked(RuntimeError):
    """Another run holds the build root's lock."""


class RunStopped(RuntimeError):
    """A notebook asked for a kernel after the run began to stop (an interrupt, or a failed step
    whose dependents are cancelled): it does not start."""


@dataclass
class StepResult:
    step: str
    output: Path
    seconds: float
    skipped: bool = False
    notebooks: dict[str, dict[str, Any]] = field(default_factory=dict)  # per executed notebook (timings)
    phases: dict[str, float] = field(default_factory=dict)  # other timed parts of the step (export)
    started: float = 0.0  # time.perf_counter() when the step began (timings.json: since the run began)


# ------------------------------------------------------------------ fingerprints


def _hash_files(paths: list[Path], root: Path) -> dict[str, str]:
    hashes = {}
    for path in sorted(paths):
        if path.is_file():
            hashes[str(path.relative_to(root)) if path.is_relative_to(root) else str(path)] = hashlib.sha256(
                path.read_bytes()
            ).hexdigest()
    return hashes


def _tree(folder: Path, pattern: str = "*") -> list[Path]:
    return [p for p in folder.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts] if folder.exists() else []


def _years(params: RunParams) -> list[int]:
    root = params.path(params.raw_root)
    return sorted(int(p.name) for p in root.iterdir() if p.name.isdigit() and int(p.name) <= params.year)


def step_inputs(step: str, params: RunParams) -> list[Path]:
    """The files a step reads. A change in any of them reruns the step: the unit's configuration
    (ledger layouts, vocabularies, charts) is read by every step."""
    from ..ledgers import config_files

    return config_files(params.path(params.raw_root)) + _step_files(step, params)


def _step_files(step: str, params: RunParams) -> list[Path]:
    clean_root = params.path(params.clean_root)
    clean_all = [p for y in _years(params) for p in _tree(clean_root / str(y))]
    if step == "clean":
        return [p for y in _years(params) for p in _tree(params.path(params.raw_root) / str(y))]
    if step == "validate":
        previous = _tree(params.previous_clean_dir)
        return _tree(params.clean_dir) + previous + _tree(params.path(params.expectations_dir), "*.json")
    # Last year's register: its 下一步 commitments are checked on this year's ledgers (figures.json).
    previous_register = params.path(params.claims_dir) / f"{params.year - 1}.yaml"
    if step == "figures":
        return clean_all + [params.register_path, params.report_path, previous_register]
    if step == "appendix":
        build = params.build_dir
        return clean_all + [
            build / "figures.json",
            build / "validation" / "summary.json",
            *_tree(build / "validation" / "results"),
            params.register_path,
            params.report_path,
            *_tree(build / "lineage"),
        ]
    raise KeyError(step)


def key_identities(params: RunParams) -> dict[str, str]:
    """Year -> identity of the pseudonymisation key its clean step uses (never the key itself).
    A changed key changes every pseudonym, so it must rerun the clean step. Raises LedgerFileError
    (F015-F020) for a bad manifest or key: called before any kernel starts."""
    from dataclasses import replace

    from ..ledgers.manifest import read_manifest, years_to_clean
    from ..ledgers.pseudonym import key_identity, run_key

    identities = {}
    for year in years_to_clean(params):
        one = replace(params, year=year)
        identities[str(year)] = key_identity(run_key(one, read_manifest(one.raw_dir)))
    return identities


def package_source_digest() -> str:
    """One digest of every .py file of the package: a change in any of them reruns what it made.
    Hashed again only when a file's status changed (`_SOURCE_DIGESTS`: its inode, size, modification
    and change times; any write changes its change time): the clean step alone asked twice a year."""
    files = _tree(PACKAGE_DIR, "*.py")
    status = []
    for path in sorted(files):
        try:
            st = path.stat()
        except OSError:
            status = None
            break
        status.append((str(path), st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
    key = tuple(status) if status is not None else None
    if key is not None and key in _SOURCE_DIGESTS:
        return _SOURCE_DIGESTS[key]
    digest = hashlib.sha256(json.dumps(_hash_files(files, PACKAGE_DIR), sort_keys=True).encode()).hexdigest()
    if key is not None:
        _SOURCE_DIGESTS.clear()
        _SOURCE_DIGESTS[key] = digest
    return digest


_SOURCE_DIGESTS: dict[tuple[tuple[str, int, int, int, int], ...], str] = {}


def fingerprint(step: str, notebook: Path, params: RunParams) -> dict[str, Any]:
    extra = {"keys": key_identities(params)} if step == "clean" else {}
    return {
        **extra,
        "step": step,
        "parameters": params.as_dict(),
        "notebook": hashlib.sha256(notebook.read_bytes()).hexdigest(),
        "package": {"version": __version__, "source": package_source_digest()},
        "inputs": _hash_files(step_inputs(step, params), PROJECT_ROOT),
    }


def stamp_path(params: RunParams, step: str) -> Path:
    return params.build_dir / "stamps" / f"{step}.json"


def is_current(params: RunParams, step: str, print_: dict[str, Any], outputs: list[Path]) -> bool:
    path = stamp_path(params, step)
    if not path.exists() or not all(o.exists() for o in outputs):
        return False
    return json.loads(path.read_text(encoding="utf-8")) == print_


def changed_inputs(params: RunParams, step: str, print_: dict[str, Any]) -> int | float:
    """How many of the step's input files differ (changed, added or removed) between `print_` and the
    step's stamp; infinity when anything else differs, or there is no readable stamp."""
    try:
        stamped = json.loads(stamp_path(params, step).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return float("inf")
    if not isinstance(stamped, dict) or {k: v for k, v in stamped.items() if k != "inputs"} != {
        k: v for k, v in print_.items() if k != "inputs"
    }:
        return float("inf")
    old, new = stamped.get("inputs") or {}, print_.get("inputs") or {}
    return sum(1 for name in set(old) | set(new) if old.get(name) != new.get(name))


def write_stamp(params: RunParams, step: str, print_: dict[str, Any]) -> None:
    from ..storage import replace_text

    replace_text(stamp_path(params, step), json.dumps(print_, ensure_ascii=False, indent=1, sort_keys=True))


# ------------------------------------------------------------------ steps


@dataclass(frozen=True)
class Step:
    name: str
    notebook: str
    editions: tuple[str, ...] = ()  # run once per edition, with `edition` as an extra parameter
    # Modules its notebook reaches only through a package's attributes (not in its import lines),
    # preloaded too by its lane's kernel (`preload_code`); "module:function": the module imported and
    # the function called with no argument (work that needs no run, e.g. compiling templates).
    preload: tuple[str, ...] = ()
    after: tuple[str, ...] = ()  # the steps whose outputs it reads: it runs once they have finished
    # Work ahead of the step: "module:function", called with the run's parameters in the background in
    # the kernel of one of its lanes (with `warm_in`: the lane of that edition) once the steps in
    # `warm_after` (those of this run) have run there or in the other lane, unless that lane's
    # notebook of the step has started: while the step still waits for the rest of `after`, and, when
    # the step has a notebook in another lane, also while that one runs. What it makes is kept where
    # the step's notebooks find it by a key of its inputs; a failure is ignored (a notebook then makes
    # it itself). `KernelPool._warm_if_due`.
    warm: str = ""
    warm_after: tuple[str, ...] = ()
    warm_in: str = ""
    # Help with the step: "module:function", called with the run's parameters in the background in
    # an idle kernel of another lane (one whose notebooks wait for this step) while the step's own
    # notebook runs. It does part of the step's work into the step's cache, from the other end; the
    # notebook takes what it finds there. A failure is ignored. `KernelPool._help`. Only when at
    # least `help_from` of the step's input files changed since its last run (or there is no record
    # of it): the help leaves the first thing to redo to the notebook, so with one changed ledger file
    # it would only spend a core on its look (~0.2 s of CPU) beside the notebook. (A changed unit
    # configuration file counts as one, though it changes every ledger's key: the help then does not
    # start and the notebook cleans them all, as before there was any help.)
    help: str = ""
    help_from: int = 2
    # The step's first work: "module:function", called with the run's parameters in the background in
    # its lane's warm kernel as soon as the run has adopted it (`KernelPool.start_first`), when the step
    # is the lane's first notebook and can start at once: the kernel would otherwise wait while this process
    # makes the notebook ready (imports papermill, writes the notebook with its parameters; ~0.3-1 s).
    # Into the step's cache, where the notebook takes it. The notebook waits for it; a failure is ignored.
    first: str = ""

    def outputs(self, params: RunParams) -> list[Path]:
        build = params.build_dir
        return {
            "clean": [params.clean_dir / "clean_report.json"],
            "validate": [build / "validation" / "summary.json", build / "validation" / "index.html"],
            "figures": [build / "figures.json"],
            "appendix": [build / "appendix.html", build / "internal" / "appendix.html"],
        }[self.name]


# What each step's code imports when it first runs, not at the top of its modules (pandas reads parquet
# through pyarrow.parquet; the figures read the report through lawreport.text; the appendix draws with
# matplotlib): preloaded with the notebook's own imports, so that a warm kernel has them before the run
# (tests/test_preload.py checks that a lane's steps, first run after its preload, import nothing more of them).
LATER = ("pyarrow.parquet", "pyarrow.dataset")

STEPS: tuple[Step, ...] = (
    # The other lane waits for clean once its imports are done: it cleans ledgers from the last one.
    Step(
        "clean",
        "10_clean.py",
        preload=LATER,
        help="lawreport.run.clean_step:clean_ahead",
        first="lawreport.run.clean_step:clean_first",
    ),
    # lawreport.run.gx (Great Expectations): imported by run_validation on use.
    Step(
        "validate",
        "20_validate.py",
        preload=(
            "lawreport.run.gx:compile_data_docs_templates",
            *LATER,
            "lawreport.appendix.validation_page",
            "lawreport.appendix.export",
        ),
        after=("clean",),
    ),
    Step(
        "figures",
        "30_figures.py",
        preload=(*LATER, "lawreport.text.check", "lawreport.register.compute", "lawreport.register.commitments"),
        after=("clean",),
    ),
    Step(
        "appendix",
        "90_appendix.py",
        editions=("public", "internal"),
        preload=(
            "lawreport.appendix.data",
            "lawreport.appendix.sections",
            *LATER,
            "lawreport.appendix.charts",
            "noto_cjk_sans_otc",
            "lawreport.appendix.scan",
            "lawreport.appendix.validation_page",
            "lawreport.appendix.year_over_year",
            "lawreport.register.commitments",
        ),
        after=("clean", "validate", "figures"),
        # The charts and the figure cards need no validation results: made while validate runs, and
        # the internal edition's cards from the other end while its notebook runs in the other lane.
        warm="lawreport.appendix.prerender:prerender",
        warm_after=("clean", "figures"),
        warm_in="public",
    ),
)
STEP_BY_NAME = {step.name: step for step in STEPS}


def notebook_for(step_file: str) -> Any:
    import jupytext

    notebook = jupytext.read(NOTEBOOK_DIR / step_file)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def notebook_text(step_file: str) -> str:
    """`notebook_for(step_file)` as .ipynb text, kept by a key of the notebook's source, the
    package's source (`notebook_for` among it) and the converting libraries' versions: importing
    jupytext costs the run's process ~0.25 s, on the critical path once the kernels are warm
    (`spare_kernels`). Kept in a folder of this user's only (`storage.private_folder`; otherwise
    nothing is kept), read only from a regular file of this user's, and only if it is a notebook."""
    import nbformat

    from ..storage import private_folder, read_private_text, write_private_text

    source = (NOTEBOOK_DIR / step_file).read_bytes()
    key = hashlib.sha256(
        json.dumps([step_file, source.hex(), package_source_digest(), _converter_versions()]).encode()
    ).hexdigest()
    try:
        folder: Path | None = private_folder(Path(tempfile.gettempdir()) / f"lawreport-notebooks-{os.getuid()}")
    except OSError:
        folder = None
    if folder is not None:
        text = read_private_text(folder / f"{key}.ipynb")
        if text is not None and _is_notebook(text):
            return text
    text = nbformat.writes(notebook_for(step_file))
    text += "" if text.endswith("\n") else "\n"  # (as nbformat.write writes it)
    if folder is not None:
        try:
            write_private_text(folder, f"{key}.ipynb", text)
        except OSError:
            pass  # not kept: converted again next time
    return text


def _is_notebook(text: str) -> bool:
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return isinstance(data, dict) and isinstance(data.get("cells"), list) and data.get("nbformat") == 4


@functools.cache
def _converter_versions() -> list[str]:
    import importlib.metadata

    return [f"{name}={importlib.metadata.version(name)}" for name in ("jupytext", "nbformat")]


# Set in the environment of every kernel the pipeline starts: the notebook then knows that the
# pipeline holds the run lock and writes the stamps (params_from_namespace), and leaves both alone.
PIPELINE_ENV = "LAWREPORT_PIPELINE_RUN"


def kernel_manager_class(env: dict[str, str]) -> type:
    """The kernel manager papermill uses for a step: quiet, local and with `env` added.

    - IPC transport (Unix sockets in a private temporary folder) instead of TCP: no port is opened
      on the machine, and ipykernel has no reason to warn "Kernel is running over TCP without
      encryption" (it did, once per kernel, five times a run).
    - A session of its own for each client (`client`).
    - No SIGINT on shutdown: jupyter_client interrupts a kernel before asking it to shut down. When
      papermill has finished, nothing is running, but a handler may still be finishing (e.g. after
      the last reply), and the signal then logs "KeyboardInterrupt caught in kernel" (sometimes). The
      shutdown request alone ends the kernel; one that does not stop in time is still killed.
    - Its clients are `ready_client_class()`'s: no 0.2 s wait before each notebook.
    - The kernel spec looked up once per process (`kernel_spec_of`), not once per manager.
    - A stopped kernel's end noticed within 5 ms (`_async_wait`).
    """
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class StepKernelManager(AsyncKernelManager):
        _socket_dir = ""

        @property
        def kernel_spec(self) -> Any:
            if self._kernel_spec is None and self.kernel_name != "":
                self._kernel_spec = kernel_spec_of(self.kernel_name)
            return self._kernel_spec

        @default("client_factory")
        def _ready_client(self) -> type:
            return ready_client_class()

        socket_dirs: list[str] = []  # noqa: RUF012 (one class per kernel; removed by stop_kernel)

        async def _async_pre_start_kernel(self, **kw: Any) -> Any:
            if not self._socket_dir:
                # Short and absolute: a socket path holds ~100 bytes, and the kernel runs in another cwd.
                self._socket_dir = tempfile.mkdtemp(prefix="lawreport-kernel-")
                self.socket_dirs.append(self._socket_dir)
                self.transport = "ipc"
                self.ip = os.path.join(self._socket_dir, "ipc")
            kw["env"] = {**kw.get("env", os.environ), **env}
            return await super()._async_pre_start_kernel(**kw)

        def client(self, **kwargs: Any) -> Any:
            """A client with a session of its own. A client's zmq identity on the kernel's shell
            socket is its session id, and the manager hands every client its own session: two
            clients alive at once (papermill leaves its client connected after a notebook, and a
            lane's kernel runs several) would share one identity, and the kernel's ROUTER socket
            ignores the second, whose requests then never get a reply (seen: a reset waiting 120 s)."""
            from jupyter_client.session import Session

            if "session" not in kwargs:
                kwargs["session"] = Session(key=self.session.key, signature_scheme=self.session.signature_scheme)
            made = super().client(**kwargs)
            self.__dict__.setdefault("clients_made", []).append(made)
            return made

        def own_client(self, made: Any) -> None:
            """The caller closes `made` itself (`run_silently`, perhaps in another thread than the
            notebooks'): `close_clients` leaves it alone."""
            clients = self.__dict__.get("clients_made", [])
            if made in clients:
                clients.remove(made)

        def close_clients(self) -> None:
            """Close the channels of the clients made for the notebook that has just run
            (`execute_notebook`). nbclient leaves its client connected after a notebook on a kernel it
            did not start: each left its sockets open, in a zmq context of its own, never ended, and
            a garbage collection that met one blocked in the context's end for good (seen: a
            `gc.collect()` after a run)."""
            for made in self.__dict__.pop("clients_made", []):
                try:
                    made.stop_channels()
                except Exception:  # noqa: BLE001 - closing what is left; a failure leaves it to the exit
                    pass

        async def _async_interrupt_kernel(self) -> None:
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

        async def _async_wait(self, pollinterval: float = 0.1) -> None:
            """Until the kernel's process has ended (after the kill, `stop_kernel`), polled every
            5 ms: it ends within a few, and jupyter_client's 0.1 s poll made each run's end wait
            0.1 s more."""
            import asyncio

            while await self._async_is_alive():
                await asyncio.sleep(0.005)

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            await super()._async_cleanup_resources(restart=restart)
            if not restart and self._socket_dir:
                shutil.rmtree(self._socket_dir, ignore_errors=True)
                self._socket_dir = ""

    return StepKernelManager


@functools.cache
def kernel_spec_of(name: str) -> Any:
    """Jupyter's kernel spec `name`: ~25 ms to look up (the kernel folders searched, the provisioners'
    entry points read), four times a run (a manager for each kernel a run adopts, and for each spare
    it leaves). Read once per process: a run is short, and a kernel spec is installed with the
    environment, whose change (`make install`) also changes every fingerprint."""
    from jupyter_client.kernelspec import KernelSpecManager

    return KernelSpecManager().get_kernel_spec(name)


@functools.cache
def ready_client_class() -> type:
    """jupyter_client's asynchronous kernel client, except how it waits for the kernel to be ready
    (nbclient does so before every notebook). The handshake is the same: a kernel_info request,
    sent again until it is answered on the shell channel and a message has arrived on IOPub (the
    subscription is then up). jupyter_client then drains IOPub until 0.2 s pass with no message:
    0.2 s of nothing before each notebook, three times on a run's critical path. Here what IOPub
    already holds is drained without waiting. A message that arrives later (the kernel's idle
    status after the request) is ignored as before: nbclient reads only the messages whose parent
    is its own request."""
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient

    class ReadyClient(AsyncKernelClient):
        def start_channels(
            self, shell: bool = True, iopub: bool = True, stdin: bool = True, hb: bool = True, control: bool = True
        ) -> None:
            super().start_channels(shell, iopub, stdin, False, control)

        async def wait_for_ready(self, timeout: float | None = None) -> None:  # type: ignore[override]
            deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
            while True:
                self.kernel_info()
                try:
                    reply = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    pass
                else:
                    if reply["msg_type"] == "kernel_info_reply":
                        try:  # the kernel's busy status for this request, published before its reply
                            await self.iopub_channel.get_msg(timeout=0.2)
                        except Empty:
                            pass
                        else:
                            self._handle_kernel_info_reply(reply)
                            break
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
            while True:
                try:
                    await self.iopub_channel.get_msg(timeout=0)
                except Empty:
                    return

    return ReadyClient


def step_env(step: str) -> dict[str, str]:
    """Added to the environment of the kernel that runs `step`."""
    return {"GX_ANALYTICS_ENABLED": "false", PIPELINE_ENV: step}


def preload_code(step_file: str) -> str:
    """The notebook's own top-level imports, as code that binds no name in the kernel's namespace.

    A kernel started at the beginning of a run runs this while the steps before its notebook work (the
    other core), so the notebook does not wait for its imports (Great Expectations alone takes ~3 s;
    `KernelPool`). The notebook then runs unchanged in a fresh namespace: its import cells find the
    modules loaded. A failing preload is ignored; the notebook's own import then fails where a
    reader expects it."""
    import ast

    try:
        # A percent-format notebook is a Python file (its markdown cells are comments): read its
        # top-level imports at once, without jupytext (~0.3 s to import, before the kernels start).
        sources = [(NOTEBOOK_DIR / step_file).read_text(encoding="utf-8")]
        ast.parse(sources[0])
    except SyntaxError:  # a magic or a shell escape somewhere: cell by cell
        sources = [cell.source for cell in notebook_for(step_file).cells if cell.cell_type == "code"]
    statements = []
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:  # a magic or a shell escape: that cell has nothing to preload
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                statements += [f"__import__({alias.name!r})" for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [alias.name for alias in node.names if alias.name != "*"]
                statements.append(f"__import__({node.module!r}, fromlist={names!r})")
    for step in STEPS:
        if step.notebook == step_file:
            for target in step.preload:  # a module, or "module:function" called with no argument
                module, _, function = target.partition(":")
                call = f"__import__({module!r}, fromlist=[{function!r}]).{function}()" if function else ""
                statements.append(call or f"__import__({module!r})")
    return "\n".join(f"try:\n    {line}\nexcept Exception:\n    pass" for line in statements)


# Run in a kernel once its first imports are loaded, before any notebook: the objects they made
# (≈ 270 000 with pandas and Great Expectations) move to the permanent generation, which no garbage
# collection scans again (each full collection cost 70–140 ms). Only then: an object a notebook made
# and left as garbage is still collected (a freeze after a notebook would keep it for good).
FREEZE = "__import__('gc').freeze()"


def start_kernel(step: str, *step_files: str) -> Any:
    """Launch a kernel for `step` and return its manager at once: the kernel starts and loads the
    imports of `step_files` (the notebooks it will run, in order) in its own process while this one
    goes on."""
    from jupyter_core.utils import run_sync

    manager = kernel_manager_class(step_env(step))(kernel_name="python3")
    preload = "\n".join([*(code for code in map(preload_code, step_files) if code), FREEZE])
    run_sync(manager.start_kernel)(cwd=str(PROJECT_ROOT), extra_arguments=[f"--IPKernelApp.exec_lines={preload}"])
    return manager


def peak_rss_mib(manager: Any) -> float | None:
    """The kernel process's peak resident memory so far (Linux VmHWM), in MiB; None where unknown."""
    pid = getattr(getattr(manager, "provisioner", None), "pid", None)
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return None


def cell_seconds(executed: Path, notebook: Any = None) -> list[dict[str, Any]]:
    """Per code cell of an executed notebook (`notebook`: its JSON, if already read): its first line
    and papermill's duration."""
    if not isinstance(notebook, dict):
        notebook = json.loads(executed.read_text(encoding="utf-8"))
    cells = notebook.get("cells", [])
    timed = []
    for number, cell in enumerate(cells, start=1):
        duration = cell.get("metadata", {}).get("papermill", {}).get("duration")
        if cell.get("cell_type") == "code" and duration is not None:
            source = "".join(cell.get("source", "")).strip().splitlines()
            lines = [line for line in source if line.strip() and not line.lstrip().startswith("#")]
            timed.append({"cell": number, "code": (lines[-1] if lines else "")[:80], "seconds": round(duration, 3)})
    return timed


def stop_kernel(manager: Any) -> None:
    """Stop a kernel whose notebooks have finished (also a dead one) and remove its socket folder.
    Killed, not asked to shut down: nothing is left in it to save (every output was written by a
    cell that has finished), and a shutdown request costs ~1 s of waiting for the kernel to exit
    where a kill takes ~0.1 s (measured)."""
    from jupyter_core.utils import run_sync

    try:
        run_sync(manager.shutdown_kernel)(now=True)
    except Exception:  # already gone: the kernel died, or was never fully started
        pass
    finally:
        for folder in getattr(manager, "socket_dirs", []):
            shutil.rmtree(folder, ignore_errors=True)
        if getattr(manager, "spare_file", ""):  # an adopted spare (`spare_kernels.adopt`): its file too
            Path(manager.spare_file).unlink(missing_ok=True)


# Which kernel runs which notebook, in run order: two kernels a run, one per core. A lane's kernel
# starts once the preflight has passed and runs its notebooks one after the other; before each, its
# namespace is reset (`reset_code`), so that every notebook still starts from an empty namespace and
# execution count 1. Only the namespace: process state (working folder, environment, warnings
# filters, logging, pandas and matplotlib options) carries over, so a notebook must not change it.
# A lane's steps follow one another by their dependencies (clean -> figures -> appendix;
# validate -> appendix), so its kernel is never asked for two notebooks at once; validate and
# figures, then the two editions, run side by side in the two lanes. (One kernel per notebook cost
# ~0.8 s CPU each to start, five a run.) Imports are preloaded (`preload_code`): a lane's kernel
# starts with the imports of its first notebook expected to run (`expected_to_run`; Great
# Expectations alone is ~2 s of CPU, and validate waits for it), and loads the others' in the
# background as soon as that notebook has run (the appendix's while figures runs or validate
# finishes). The internal edition, the longer one, runs in the validate lane: the figures lane is
# busy meanwhile making the internal edition's cards from the other end (`Step.warm_in`), then runs
# the public edition, the shorter one.
LANES: tuple[tuple[tuple[str, str], ...], ...] = (
    (("clean", ""), ("figures", ""), ("appendix", "public")),
    (("validate", ""), ("appendix", "internal")),
)


# The lane whose kernel waits at a run's start (its first step reads another step's outputs): its spare
# reads the raw ledgers' personal values before it is ready (`spare_kernels.keep`), and the run asks it
# for them while its first steps run elsewhere (`KernelPool.give_values`).
VALUES_LANE = next(i for i, lane in enumerate(LANES) if STEP_BY_NAME[lane[0][0]].after)


def lane_files(lane: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """The notebooks a lane runs, in order, each once (the two editions share one)."""
    return tuple(dict.fromkeys(STEP_BY_NAME[step].notebook for step, _ in lane if step in STEP_BY_NAME))


def lanes_of(steps: tuple[Step, ...]) -> tuple[tuple[tuple[str, str], ...], ...]:
    """The lanes for a run of `steps`: each lane keeps its notebooks of those steps; an empty lane
    starts no kernel."""
    names = {step.name for step in steps}
    lanes = (tuple(item for item in lane if item[0] in names) for lane in LANES)
    return tuple(lane for lane in lanes if lane)


def reset_code(step: str) -> str:
    """Run silently in a lane's kernel before its next notebook (`reset_kernel`). Binds no name."""
    return f"__import__('lawreport.run.pipeline', fromlist=['reset_kernel']).reset_kernel({step!r})"


def reset_kernel(step: str) -> None:
    """(In a lane's kernel, before its next notebook.) An empty namespace and a new history session
    (execution count 1), no figure left open, the kernel marked as running `step`. Imported modules
    stay loaded: that is the point of keeping the kernel.

    IPython's reset runs a full garbage collection (DisplayHook.flush). The objects the kernel's
    imports made are frozen first (`FREEZE`, at its start), so that collection, like every automatic
    one while a notebook runs, looks only at what the notebooks made: 70–140 ms → a few ms, three
    times on a run's critical path."""
    import sys

    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        raise RuntimeError("not in an IPython kernel")
    shell.reset(new_session=True)
    os.environ[PIPELINE_ENV] = step
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


def run_silently(
    manager: Any, code: str, timeout: float | None = 120, expressions: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run code in a kernel without output or history and wait for it; raise if it fails, if the
    kernel dies (checked every second: a kernel stopped meanwhile ends the wait) or after `timeout`
    seconds (None: as long as the kernel lives). Returns the reply's content: with `expressions`
    (name: expression), their values (`user_expressions`).

    The shell channel only. It is first made sure to reach the kernel, as jupyter_client's
    wait_for_ready does: a kernel_info request every second until one is answered (a request sent
    before the connection is up can be lost; a kernel still loading its preload answers late). An
    iopub subscription is not used: made just now, it can miss the kernel's idle message (zmq's late
    subscriber)."""
    from queue import Empty

    from jupyter_core.utils import ensure_async, run_sync

    async def run() -> dict[str, Any]:
        client = manager.client()
        own = getattr(manager, "own_client", None)
        if own is not None:
            own(client)
        client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        deadline = time.monotonic() + timeout if timeout is not None else float("inf")

        async def reply_to(request: str, resend: Callable[[], str] | None = None) -> dict[str, Any]:
            msg_id = resend() if resend else request
            while True:
                try:
                    reply = await client.get_shell_msg(timeout=1)
                except Empty:
                    if time.monotonic() > deadline or not await ensure_async(manager.is_alive()):
                        raise RuntimeError("kernel did not answer") from None
                    if resend:
                        msg_id = resend()
                    continue
                if reply["parent_header"].get("msg_id") == msg_id or (
                    resend and reply["msg_type"] == "kernel_info_reply"
                ):
                    return reply

        try:
            await reply_to("", resend=client.kernel_info)
            return await reply_to(
                client.execute(code, silent=True, store_history=False, user_expressions=expressions or {})
            )
        finally:
            client.stop_channels()
            client.context.destroy(linger=0)

    reply = run_sync(run)()
    if reply["content"].get("status") != "ok":
        raise RuntimeError(f"kernel code failed: {reply['content'].get('evalue', '')}")
    return reply["content"]


def values_from(manager: Any, raw_root: Path, year: int) -> bytes:
    """The personal values a warm kernel read ahead (`scan.values_for`: JSON [stamp, values]), brought
    up to date with the raw files as they are now; raises if it cannot say."""
    import base64
    import binascii

    call = f"__import__('lawreport.appendix.scan', fromlist=['values_for']).values_for({str(raw_root)!r}, {year!r})"
    found = run_silently(manager, "pass", expressions={"values": call}).get("user_expressions", {}).get("values", {})
    shown = found.get("data", {}).get("text/plain", "") if found.get("status") == "ok" else ""
    try:  # the repr of a base64 text: the text, quoted
        if len(shown) < 2 or shown[0] != shown[-1] or shown[0] not in "'\"":
            raise ValueError(shown[:40])
        return base64.b64decode(shown[1:-1], validate=True)
    except (ValueError, binascii.Error) as error:
        raise RuntimeError(f"values not read: {found.get('evalue', error)}") from None


def _preload_quietly(manager: Any, code: str, timeout: float | None = 120) -> None:
    """A lane's later imports or a step's work ahead (`Step.warm`), in the background: a failure is
    the notebook's to meet (its own import cell, or the section it then makes itself), or the next
    reset's (a dead kernel)."""
    try:
        run_silently(manager, code, timeout)
    except Exception:
        pass


def call_code(target: str, params: RunParams) -> str:
    """`target` ("module:function", a `Step.warm` or `Step.help`) called with the run's parameters,
    as code that binds no name in the kernel."""
    module, function = target.split(":")
    arguments = json.dumps(params.as_dict(), ensure_ascii=False, default=str)
    return f"__import__({module!r}, fromlist=[{function!r}]).{function}(__import__('json').loads({arguments!r}))"


def prepare_kernel(manager: Any, step: str) -> None:
    """Reset a kernel for its next notebook (`reset_code`); raise if it cannot be reset."""
    run_silently(manager, reset_code(step))


class ForkedScanner:
    """A child process forked at the preflight's end (`fork_scanner`): it gets the raw ledgers'
    personal values (`give`: from this process, which asked a warm kernel that read them ahead, or
    word to read them itself and hand them over: `receive`), then checks the run's executed
    notebooks for personal data with them (`check`) on the other core while this process goes on
    (an edition: rendering and scanning its document meanwhile)."""

    def __init__(
        self, pid: int, values: int, requests: int, replies: int, raw_root: Path, year: int, given: int = -1
    ) -> None:
        import threading

        self.pid, self._values, self._raw_root, self._year = pid, values, raw_root, year
        self._given = given
        self._word_lock = threading.Lock()
        self._requests = os.fdopen(requests, "wb")
        self._replies = os.fdopen(replies, "rb")
        self._lock = threading.Lock()  # one question at a time: the scrub thread's and the editions'

    def give(self, data: bytes = b"") -> None:
        """Hand the child the values (JSON [stamp, values], as `scan.values_for` makes them), or, with
        nothing, word to read them itself. Once; the child waits for it before it answers a check
        (`check` holds `_lock` meanwhile: the two pipes of the values have a lock of their own)."""
        with self._word_lock:
            given, self._given = self._given, -1
        if given < 0:
            return
        try:
            with os.fdopen(given, "wb") as stream:
                stream.write(data)
        except OSError:
            pass  # the child is gone: its checks fail, and the run scrubs itself

    def receive(self, given: bytes | None = None, wanted: Callable[[], object] = lambda: None) -> None:
        """Wait for the values the child read (first telling it to, unless it was given some: `give`),
        or take those `given` to it; keep them where the scan finds them
        (`scan.remember_personal_values`, with the files' stamp as they were read), once `wanted`
        returns. A child that failed, or was stopped, gives nothing (and is reaped). The
        child's values are read at once: it answers no check before they are all sent."""
        from ..appendix import scan

        if given is None:
            self.give()  # word to read them itself, unless given already
        with self._word_lock:
            values, self._values = self._values, -1
        if values < 0:
            return  # stopped first
        if given is None:
            with os.fdopen(values, "rb") as stream:
                data = stream.read()
        else:
            os.close(values)  # the child sends nothing back
            data = given
        wanted()
        try:
            stamp, values = json.loads(data)
        except ValueError:  # nothing, or cut short: the child failed or was stopped
            self._reap()
            return
        scan.remember_personal_values(self._raw_root, self._year, tuple(tuple(entry) for entry in stamp), values)
        scan.prepare_index(set(values))  # here, in the background, not in the editions' scans

    def check(self, path: Path) -> bool:
        """True only if the child found no personal data in the executed notebook at `path`, as the
        file is now and still is after (`scan.notebook_verdict`): what the scrub would find is then
        nothing. False whenever it cannot say so (it found some, failed, ended, or the file changed):
        the caller then scrubs the notebook itself."""
        from ..appendix.scan import file_identity

        try:
            asked = [str(path), *file_identity(path)]
            with self._lock:
                self._requests.write((json.dumps(asked) + "\n").encode("utf-8"))
                self._requests.flush()
                reply = json.loads(self._replies.readline())
            return bool(reply == [*asked, "clean"] and list(file_identity(path)) == asked[1:])
        except (OSError, ValueError):
            return False

    def _reap(self) -> None:
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass  # reaped already

    def stop(self) -> None:
        """The run is over (its scrubs are done, or it failed): the child ends."""
        import signal

        try:
            os.kill(self.pid, signal.SIGKILL)  # first: a question waiting for its answer then gets its end
        except OSError:
            pass  # ended already
        for stream in (self._requests, self._replies):
            try:
                stream.close()
            except OSError:
                pass
        self._reap()
        with self._word_lock:
            values, self._values = self._values, -1
            given, self._given = self._given, -1
        for end in (values, given):
            if end >= 0:  # never received, never given
                os.close(end)


def _serve_checks(
    requests: int, replies: int, values: set[str], raw_root: Path, stamp: Any, memo: Path | None = None
) -> None:
    """(In the forked scanner.) Answer each request line, [path, *identity], with [path, *identity,
    verdict] (`scan.notebook_verdict`, with the pieces found clean before in `memo`; "error" if it
    failed; "stale" once a raw file is no longer as it was when the values were read: `stamp`),
    until the run closes its end."""
    from ..appendix import scan

    index = scan._prefix_index(values)
    with os.fdopen(requests, "rb") as asked, os.fdopen(replies, "wb") as answers:
        for line in asked:
            try:
                path, *identity = json.loads(line)
                if scan.raw_stamp(raw_root) != stamp:
                    verdict = "stale"  # a ledger saved since: the run scans with the values as they are now
                else:
                    verdict = scan.notebook_verdict(Path(path), tuple(identity), index, memo)  # type: ignore[arg-type]
                answer = [path, *identity, verdict]
            except Exception:  # noqa: BLE001 - the run scrubs the notebook itself
                answer = ["error"]
            answers.write((json.dumps(answer) + "\n").encode("utf-8"))
            answers.flush()


def fork_scanner(params: RunParams) -> ForkedScanner | None:
    """Fork the run's scanner (`ForkedScanner`) now, before this process has any other thread; None
    where a process cannot be forked. The child reads files and talks through its pipes only, then
    ends without running any of this process's exit handlers: when the run stops it, or when the run
    is gone (its end of the pipe closed). Ctrl-C is blocked across the fork and ignored in the child."""
    import signal

    from ..appendix import scan

    raw_root = params.path(params.raw_root)
    if not hasattr(os, "fork"):
        return None
    # values (child -> run), requests (run -> child), replies, the values given (run -> child)
    pipes = [os.pipe() for _ in range(4)]
    (values_in, values_out), (requests_in, requests_out), (replies_in, replies_out), (given_in, given_out) = pipes
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pid = os.fork()
    except OSError:
        for end in (end for pipe in pipes for end in pipe):
            os.close(end)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        return None
    if pid == 0:  # the child
        status = 1
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
            for end in (values_in, requests_out, replies_in, given_out):
                os.close(end)
            with os.fdopen(given_in, "rb") as word:  # the run's word: the values, or to read them
                given = word.read()
            if given:
                listed, found = json.loads(given)
                stamp, values = tuple(tuple(entry) for entry in listed), set(found)
                os.close(values_out)  # the run has them
            else:
                stamp = scan.raw_stamp(raw_root)
                values = scan.personal_values(raw_root, params.year)
                with os.fdopen(values_out, "wb") as out:
                    out.write(json.dumps([stamp, sorted(values)], ensure_ascii=False).encode("utf-8"))
            _serve_checks(requests_in, replies_out, values, raw_root, stamp, scan.scan_memo_folder(params))
            status = 0
        finally:
            os._exit(status)
    for end in (values_out, requests_in, replies_out, given_in):
        os.close(end)
    forked = ForkedScanner(pid, values_in, requests_out, replies_in, raw_root, params.year, given_out)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    return forked


class KernelPool:
    """The run's kernels (`LANES`): all started once the preflight has passed (`open`), each used for
    its lane's notebooks in turn, stopped at the end of the run. A kernel whose notebook failed, or
    that cannot be reset, is not used again: the lane's next notebook gets a fresh kernel. Jobs on a
    lane's kernel in the background (later imports, a step's work ahead, another step's help) finish
    before its next notebook starts. An unchanged rerun opens no pool, so starts no kernel."""

    def __init__(self, lanes: tuple[tuple[tuple[str, str], ...], ...] = LANES) -> None:
        import threading
        from concurrent.futures import ThreadPoolExecutor

        self._lanes = lanes
        self._lock = threading.Lock()  # the step threads take and give back kernels concurrently
        self._closed = False
        self._kernels: dict[int, Any] = {}  # lane -> its kernel
        self._strays: list[Any] = []  # kernels of notebooks with no lane, running
        self._later: dict[int, list[str]] = {}  # lane -> notebooks whose imports are still to preload
        self._in_run = {step for lane in lanes for step, _ in lane}
        self._taken: set[int] = set()  # lanes whose kernel runs a notebook now
        self._finished: set[str] = set()  # steps of this run done (`step_done`)
        self._warmed: set[str] = set()  # steps whose work ahead was started, or is too late to start
        self._background: dict[int, list[Any]] = {}  # lane -> its kernel's background jobs (futures)
        self._helped: set[str] = set()  # steps whose help was started, or is not to start (`no_help`)
        # step (work ahead) or "<step>.help" (help) -> start (perf_counter), seconds
        self.warm_timings: dict[str, dict[str, float]] = {}
        self._params: RunParams | None = None
        # Background jobs: mostly waiting on a kernel (preloads, work ahead, stops) or on files.
        self._jobs = ThreadPoolExecutor(max_workers=4, thread_name_prefix="kernel-bg")
        self._stops: list[Any] = []
        self._personal: Any = None
        self._values_wanted = threading.Event()  # this process's copy of the given values (`give_values`)
        self._values_thread: threading.Thread | None = None
        self._forked: ForkedScanner | None = None
        self._step_jobs: list[tuple[str, Any]] = []  # (step, future): scrubs and stamps (`step_job`)
        # The steps' scrubs and stamps (`step_job`), one at a time, apart from the kernels' jobs: a scrub
        # may wait for the personal values.
        self._scrubber = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scrub")
        self.adopted = 0  # kernels of the run that were spares (`spare_kernels`)
        self._adopted_lanes: set[int] = set()
        self.started = 0  # and that it started at open

    def _lane(self, step: str, suffix: str) -> int | None:
        return next((i for i, lane in enumerate(self._lanes) if (step, suffix) in lane), None)

    def open(self, params: RunParams | None = None) -> None:
        """Start each lane's kernel with its first notebook's imports preloaded (`LANES`). With the
        run's parameters, steps' work ahead (`Step.warm`) is done when due; without, never."""
        self._params = params
        from . import spare_kernels

        with spare_kernels.looking_once():
            spares = [
                spare_kernels.claim(lane_files(lane)) if params is not None and index not in self._kernels else None
                for index, lane in enumerate(self._lanes)
            ]
        for index, lane in enumerate(self._lanes):
            if index in self._kernels:
                continue
            files = lane_files(lane)
            spare = spares[index]
            if spare is not None:  # a warm kernel left by an earlier run, every import of the lane loaded
                self._later[index] = []
                self._kernels[index] = spare
                self._adopted_lanes.add(index)
                self.adopted += 1
                continue
            self._later[index] = list(files[1:])
            self._kernels[index] = start_kernel(lane[0][0], *files[:1])
            self.started += 1

    def start_first(self, params: RunParams) -> None:
        """Start the first work (`Step.first`) of each lane's first step of this run that can start at
        once, in the lane's kernel, in the background, where that kernel is a warm one (adopted: ready
        now; a kernel the run started is still loading its imports when the notebook is ready, and
        the work would only be done twice over). The notebook waits for it."""
        with self._lock:
            for index, lane in enumerate(self._lanes):
                step = STEP_BY_NAME.get(lane[0][0]) if lane else None
                if step is None or not step.first or index not in self._adopted_lanes or self._closed:
                    continue
                if any(a in self._in_run for a in step.after):
                    continue  # it waits for another step: the lane's kernel has time for it then
                self._on_lane(index, self._call, self._kernels[index], step.first, f"{step.name}.first", params)

    def fork_scanner(self, params: RunParams) -> None:
        """Read the personal values in a child process from the preflight's end, which then checks
        the executed notebooks (`ForkedScanner`), when the run is to adopt warm kernels
        (`spare_kernels.any_ready`): none of them is starting, so a core is free until the clean
        notebook's help begins, and this process has its own work to do meanwhile (the preflight,
        taking the kernels). Else (the kernels start, and take both cores) the values are read in a
        thread once the first notebook has started (`prefetch_personal_values`), and this process
        checks the notebooks."""
        from . import spare_kernels

        if self._personal is None and spare_kernels.any_ready():
            self._forked = fork_scanner(params)

    def give_values(self, params: RunParams, force: bool = False) -> None:
        """(After `open`.) Give the forked scanner the personal values: those an adopted kernel read
        ahead for this run's raw root and year (the spare of `VALUES_LANE`), brought up to date there
        (`values_from`: only the files changed since are read), else word at once to read them itself.
        That kernel's notebook waits for it (it is one that waits at the run's start). In a thread of
        its own, not among the pool's jobs: the child waits for the word before it answers a check,
        and checks wait in those jobs. `force` (`--force`, which trusts no cache): the child reads
        them itself."""
        import threading
        from concurrent.futures import Future

        forked = self._forked
        if forked is None or self._personal is not None:
            return
        raw_root = params.path(params.raw_root)
        wanted = (str(raw_root), params.year)
        with self._lock:
            lane, manager = next(
                ((i, m) for i, m in self._kernels.items() if getattr(m, "values_ahead", None) == wanted and not force),
                (None, None),
            )
            fetched: Future[bytes | None] = Future()
            received: Future[None] = Future()
            self._personal = received
            if lane is not None:
                self._background.setdefault(lane, []).append(fetched)
        if manager is None:
            forked.give(b"")
            fetched.set_result(None)

        def values() -> None:
            if manager is not None:
                data = None
                try:
                    data = values_from(manager, raw_root, params.year)
                except Exception:  # noqa: BLE001 - the child reads them itself
                    pass
                finally:
                    forked.give(data or b"")
                    fetched.set_result(data)
            # This process's copy, parsed and indexed (~0.3 s here) once wanted: by the editions, when
            # their notebooks start (this process then mostly waits for the kernels), or by a scrub;
            # not while this process makes the steps' notebooks ready, which the run waits for (the
            # interpreter lock).
            try:
                forked.receive(fetched.result(), self._values_wanted.wait)
                received.set_result(None)
            except BaseException as error:  # noqa: BLE001 - the scrub reads the values itself
                received.set_exception(error)

        self._values_thread = threading.Thread(target=values, name="personal-values", daemon=True)
        self._values_thread.start()

    def scanned_clean(self, path: Path) -> bool:
        """Whether the forked scanner, if any, found no personal data in the executed notebook at
        `path` (`ForkedScanner.check`); False: the caller scrubs it."""
        return self._forked is not None and self._forked.check(path)

    def check_in_background(self, path: Path) -> Future[bool] | None:
        """`scanned_clean` in the background, where there is a forked scanner and the pool is open;
        else None."""
        with self._lock:
            if self._forked is None or self._closed:
                return None
            return self._jobs.submit(self._forked.check, path)

    def step_job(self, step: str, job: Callable[[], None]) -> bool:
        """Do a finished step's `job` in the background, one job at a time in the order given: the
        scrub of its executed notebook (`execute_notebook`), then its stamp (`run_step`). The steps
        after it read its outputs, not its notebook nor its stamp, and need not wait for the raw
        ledgers' personal values or the hashing of its inputs. False once the pool is closing (the
        caller does the job now)."""
        with self._lock:
            if self._closed:
                return False
            self._step_jobs.append((step, self._scrubber.submit(job)))
        return True

    def finish_step_jobs(self) -> None:
        """Wait for the steps' jobs done in the background (`step_job`). A step whose job failed
        loses its stamp (it runs again next time, and its notebook is scrubbed then); the first
        failure is raised."""
        done = [(step, future.exception()) for step, future in self._step_jobs]  # every job ended first:
        errors = []  # a step's stamp, written after its scrub, then goes for good
        for step, error in done:
            if error is not None:
                if self._params is not None:
                    stamp_path(self._params, step).unlink(missing_ok=True)
                errors.append(error)
        self._step_jobs.clear()
        if errors:
            raise errors[0]

    def prefetch_personal_values(self, params: RunParams, step: str = "") -> None:
        """Read the raw ledgers' personal values (what the scrub of every executed notebook looks
        for) and build their index in a background thread while the first kernel works, instead of
        after it; importing the scan there too, so that it does not hold up the step that is starting.
        Given values (`give_values`) are parsed here once a step with editions starts its notebooks:
        the editions' scans need them, and this process mostly waits while they run."""
        if STEP_BY_NAME.get(step) is not None and STEP_BY_NAME[step].editions:
            self._values_wanted.set()
        if self._personal is None:

            def prefetch() -> None:
                from ..appendix.scan import personal_values_of, prepare_index

                # Kept in the scan's cache, with their index (~0.07 s to build): built here while the
                # kernels work, not in the editions' scans beside the internal edition's notebook.
                prepare_index(personal_values_of(params))

            with self._lock:
                if not self._closed:
                    self._personal = self._jobs.submit(prefetch)

    def wait_personal_values(self) -> None:
        """Wait for the prefetch (its result is kept where the scrub finds it); its errors are the
        scrub's to meet."""
        self._values_wanted.set()
        if self._personal is not None:
            try:
                self._personal.result()
            except Exception:  # noqa: BLE001 - the scrub reads the values itself and reports what fails
                pass

    def _refuse_if_closed(self, step: str) -> None:
        """(Under the lock.) The run is ending (an interrupt): no notebook starts any more."""
        if self._closed:
            raise RunStopped(f"{step}: the run is stopping")

    def take(self, step: str, suffix: str = "", step_file: str = "") -> Any:
        """The lane's kernel for this notebook, reset and marked as running `step` (also on its first
        use: a lane whose first step was skipped starts with a later one), once its background jobs
        (preloads, work ahead) are done. A notebook with no lane, or whose lane's kernel is gone or
        cannot be reset, gets a fresh kernel, which the pool also stops at close. Raises RunStopped
        once the pool is closed, also when the close came while this waited."""
        lane = self._lane(step, suffix)
        with self._lock:
            self._refuse_if_closed(step)
            manager = self._kernels.get(lane) if lane is not None else None
            self._warmed.add(step)  # its notebook starts: work ahead would come too late
            if lane is not None:
                self._taken.add(lane)
            background = self._background.pop(lane, []) if lane is not None else []
            self._help(step, lane)
        if manager is not None:
            for job in background:  # the kernel's preloads and work ahead, finished first
                try:
                    job.result()
                except Exception:  # noqa: BLE001 - ignored there too (_preload_quietly)
                    pass
            try:
                with self._lock:
                    self._refuse_if_closed(step)
                prepare_kernel(manager, step)
                return manager
            except RunStopped:
                raise
            except Exception:  # died while waiting, or cannot be reset: a fresh kernel instead
                with self._lock:
                    if self._kernels.get(lane) is manager:
                        del self._kernels[lane]
                self.stop(manager)
        fresh = start_kernel(step, step_file or STEP_BY_NAME[step].notebook)
        with self._lock:
            if not self._closed:
                if lane is not None:
                    self._kernels[lane] = fresh
                else:
                    self._strays.append(fresh)
                return fresh
        stop_kernel(fresh)
        raise RunStopped(f"{step}: the run is stopping")

    def give_back(self, manager: Any, failed: bool) -> None:
        """After a notebook: keep the kernel for its lane's next one (preloading their imports in the
        background now, if not yet done), or stop it (a failed notebook, or a kernel that is not the
        pool's)."""
        with self._lock:
            lane = next((i for i, m in self._kernels.items() if m is manager), None)
            if lane is None and manager in self._strays:
                self._strays.remove(manager)
            if lane is not None and failed:
                del self._kernels[lane]
            later = self._later.pop(lane, []) if lane is not None and not failed else []
            self._taken.discard(lane)
        if lane is None or failed:
            self.stop(manager)
            return
        if later:
            code = "\n".join(preload_code(step_file) for step_file in later)
            self._in_background(lane, manager, _preload_quietly, manager, code)
        self._warm_if_due()

    def step_done(self, step: str) -> None:
        """A step of this run has finished: the work ahead waiting for it may start."""
        with self._lock:
            self._finished.add(step)
        self._warm_if_due()

    def _warm_if_due(self) -> None:
        """Start each step's work ahead (`Step.warm`) once the steps it waits for have finished, in
        the first of its lanes whose kernel is idle; none idle: at the next give back."""
        with self._lock:
            if self._params is None or self._closed:
                return
            for name in sorted(self._in_run - self._warmed):
                step = STEP_BY_NAME.get(name)
                if step is None or not step.warm:
                    continue
                if any(w in self._in_run and w not in self._finished for w in step.warm_after):
                    continue
                ours = [i for i, lane in enumerate(self._lanes) if any(s == name for s, _ in lane)]
                lanes = [i for i in ours if not step.warm_in or (name, step.warm_in) in self._lanes[i]]
                can_start = all(a not in self._in_run or a in self._finished for a in step.after)
                if can_start and set(ours) <= set(lanes):
                    self._warmed.add(name)  # the step can start now, in no other lane: nothing to do ahead
                    continue
                lane = next((i for i in lanes if i in self._kernels and i not in self._taken), None)
                if lane is not None:
                    self._warmed.add(name)
                    self._on_lane(lane, self._call, self._kernels[lane], step.warm, name, self._params)

    def no_help(self, step: str) -> None:
        """The step's help is not to start (`Step.help_from`)."""
        with self._lock:
            self._helped.add(step)

    def _help(self, name: str, lane: int | None) -> None:
        """(Under the lock.) The step's notebook is about to start: its help (`Step.help`) starts in
        the first other lane whose kernel is idle, after that kernel's own background jobs."""
        step = STEP_BY_NAME.get(name)
        if step is None or not step.help or self._params is None or name in self._helped:
            return
        other = next((i for i in sorted(self._kernels) if i != lane and i not in self._taken), None)
        if other is not None:
            self._helped.add(name)
            self._on_lane(other, self._call, self._kernels[other], step.help, f"{name}.help", self._params)

    def _call(self, manager: Any, target: str, label: str, params: RunParams) -> None:
        """A step's work ahead or help in a kernel (a failure ignored), timed under `label`."""
        started = time.perf_counter()
        _preload_quietly(manager, call_code(target, params), timeout=None)
        self.warm_timings[label] = {"start": started, "seconds": round(time.perf_counter() - started, 3)}

    def _in_background(self, lane: int, manager: Any, function: Callable[..., None], *args: Any) -> None:
        """A job on a lane's kernel, in the background, unless the kernel is no longer the lane's."""
        with self._lock:
            if not self._closed and self._kernels.get(lane) is manager:
                self._on_lane(lane, function, *args)

    def _on_lane(self, lane: int, function: Callable[..., None], *args: Any) -> None:
        """(Under the lock that `take` holds.) Start a job on a lane's kernel; the lane's next notebook
        waits for it."""
        self._background.setdefault(lane, []).append(self._jobs.submit(function, *args))

    def _submit(self, function: Callable[..., None], *args: Any) -> None:
        """Run in the background; after close (a step thread still finishing), at once instead."""
        with self._lock:
            if not self._closed:
                self._stops.append(self._jobs.submit(function, *args))
                return
        function(*args)

    def stop(self, manager: Any) -> None:
        self._submit(stop_kernel, manager)

    def close(self) -> None:
        self._values_wanted.set()  # a job still waiting for it ends
        with self._lock:
            self._closed = True
            managers = [*self._kernels.values(), *self._strays]
            self._kernels.clear()
            self._strays.clear()
            for manager in managers:
                self._stops.append(self._jobs.submit(stop_kernel, manager))
        for future in self._stops:
            future.result()
        self._scrubber.shutdown()  # a run that failed or was stopped: its scrubs still end
        if self._forked is not None:
            self._forked.stop()
        if self._values_thread is not None:
            self._values_thread.join()  # its child is stopped: it ends
        self._jobs.shutdown()
        try:
            self.finish_step_jobs()
        except Exception:  # noqa: BLE001 - the run's own failure is the one raised; the stamp is gone
            pass


ENGINE = "lawreport"


def import_papermill() -> Any:
    """papermill, imported without its optional HDFS support. papermill.iorw tries `pyarrow.fs` for
    hdfs:// paths, and so loads pyarrow and numpy into this process: 0.12 s of the 0.38 s import,
    measured, which a run that adopts warm kernels waits for before its first notebook. A run reads
    and writes local notebooks only. pyarrow is kept out only while papermill itself is imported,
    and only if nothing has loaded it already; it imports as usual afterwards."""
    import importlib.abc
    import sys

    if "papermill.execute" in sys.modules or "pyarrow" in sys.modules:
        import papermill

        return papermill

    class NoPyarrow(importlib.abc.MetaPathFinder):
        def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
            if name == "pyarrow" or name.startswith("pyarrow."):
                raise ImportError(f"{name}: not while papermill is imported (lawreport.run.pipeline.import_papermill)")
            return None

    finder = NoPyarrow()
    sys.meta_path.insert(0, finder)
    try:
        import papermill
        import papermill.engines
        import papermill.exceptions
    finally:
        sys.meta_path.remove(finder)
    return papermill


def register_engine() -> str:
    """Papermill's nbclient engine, saving the executed notebook when it starts and once when it ends
    instead of before and after every cell: the internal appendix notebook is ~6 MB, written ~15
    times a run. When the cells ran (a failing cell stops them without an exception), papermill's
    `execute_notebook` writes the final state itself (with its error marker if a cell failed), so
    its `notebook_complete` does not write it first; when the execution raised (a dead kernel),
    `notebook_complete`, called in papermill's `finally`, saves what ran."""
    import_papermill()
    from papermill.engines import NBClientEngine, papermill_engines

    class SaveAtEndEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> Any:
            save = nb_man.save
            nb_man.save = lambda **_: None
            ran = False
            try:
                result = super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
                ran = True
                return result
            finally:
                if not ran:
                    nb_man.save = save

    if ENGINE not in papermill_engines._engines:
        papermill_engines.register(ENGINE, SaveAtEndEngine)
    return ENGINE


def execute_notebook(
    step: str,
    step_file: str,
    params: RunParams,
    extra: dict[str, Any] | None = None,
    suffix: str = "",
    kernels: KernelPool | None = None,
    timings: dict[str, Any] | None = None,
    deferred: dict[str, Any] | None = None,
) -> Path:
    """Execute one notebook with papermill into build/<year>/notebooks/; raise StepFailed on error.
    Uses its lane's kernel in `kernels` (`KernelPool`), if any, and gives it back after; else
    starts a kernel for this notebook alone and shuts it down after. `timings`, when given, receives
    the execution's seconds, the time spent outside the cells (kernel start and imports not hidden by
    the pool, the reset, papermill), the scrub's seconds and the kernel's peak memory so far (a
    lane's kernel: the peak of the notebooks it has run). `deferred`, when given (an edition), may
    receive instead of a scrub done: "verdict", the forked scanner's answer to come (a future: True
    if it found nothing), and "scrub", to be called with that answer once the caller has rendered
    the notebook: it scrubs the notebook unless the answer was True (`run_step`)."""
    papermill = import_papermill()
    from papermill.exceptions import PapermillExecutionError

    out_dir = params.build_dir / "notebooks"
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = Path(step_file).stem + (f".{suffix}" if suffix else "")
    source = out_dir / f"{stem}.source.ipynb"
    output = out_dir / f"{stem}.ipynb"
    source.write_text(notebook_text(step_file), encoding="utf-8")
    started = time.perf_counter()
    manager = kernels.take(step, suffix, step_file) if kernels is not None else start_kernel(step, step_file)
    if kernels is not None:
        # Now, not earlier: this process has done its imports and from here mostly waits for the
        # kernel, so the prefetch thread does not compete with them for the interpreter lock.
        kernels.prefetch_personal_values(params, step)
    failed = True
    try:
        executed = papermill.execute_notebook(
            str(source),
            str(output),
            parameters={**params.as_dict(), **(extra or {})},
            kernel_name="python3",
            cwd=str(PROJECT_ROOT),
            progress_bar=False,
            log_output=False,
            report_mode=False,
            engine_name=register_engine(),
            km=manager,
        )
        failed = False
        from ..appendix.scan import remember_notebook

        remember_notebook(output, executed)  # what was just written: the scrub and the export read it
    except PapermillExecutionError as exc:
        raise StepFailed(step, NOTEBOOK_DIR / step_file, exc.exec_count, f"{exc.ename}: {exc.evalue}", output) from None
    except Exception as exc:  # the kernel died or the notebook exited early: no cell error to read
        raise StepFailed(
            step,
            NOTEBOOK_DIR / step_file,
            None,
            f"内核异常退出或笔记本提前结束 (kernel died or notebook exited early): {type(exc).__name__}",
            output,
        ) from None
    finally:
        executed_at = time.perf_counter()
        source.unlink(missing_ok=True)
        close_clients = getattr(manager, "close_clients", None)
        if close_clients is not None:
            close_clients()
        peak = peak_rss_mib(manager)
        if kernels is not None:
            kernels.give_back(manager, failed)
        else:
            stop_kernel(manager)

        # Executed notebooks kept under build/ obey the publishing rules: personal data found in
        # one (a second gate; the clean step masks it first) is scrubbed and reported. Also for a
        # notebook kept after a failure. A step's notebook that ran is scrubbed in the background
        # (`KernelPool.step_job`): the steps after it read its tables, not its notebook, and need
        # not wait for the raw ledgers' personal values. An edition is scrubbed now, or, with a
        # forked scanner, rendered while the scanner checks it, then scrubbed (`run_step`).
        def scrub(checked: bool | None = None) -> None:
            """(`checked`: the forked scanner's answer, already asked for; None: ask it now.)"""
            scrub_began = time.perf_counter()
            if checked is None:
                checked = kernels is not None and kernels.scanned_clean(output)
            if output.exists() and not checked:
                from ..appendix.scan import scrub_or_block

                if kernels is not None:
                    kernels.wait_personal_values()
                scrub_or_block(output, params)
            if timings is not None:
                from ..appendix.scan import notebook_json

                # the notebook as kept when it was written (`scan.remember_notebook`) or as the scrub read it
                cells = cell_seconds(output, notebook_json(output)) if output.exists() else []
                timings.update(
                    {
                        "seconds": round(executed_at - started, 3),
                        "outside_cells": round(executed_at - started - sum(c["seconds"] for c in cells), 3),
                        "cells": cells,
                        "scrub": round(time.perf_counter() - scrub_began, 3),
                        "peak_rss_mib": peak,
                    }
                )

        # An edition, with a forked scanner: checked there while the caller renders it (`deferred`).
        verdict = kernels.check_in_background(output) if deferred is not None and kernels and not failed else None
        if verdict is not None and deferred is not None:
            deferred.update(verdict=verdict, scrub=scrub)
        elif failed or suffix or kernels is None or not kernels.step_job(step, scrub):
            scrub()
    return output


def run_step(
    step: Step,
    params: RunParams,
    force: bool = False,
    say: Callable[[str], None] = print,
    kernels: KernelPool | None = None,
) -> StepResult:
    """Run one step unless its fingerprint is current, in its lanes' kernels of `kernels` if given."""
    notebook = NOTEBOOK_DIR / step.notebook
    before = fingerprint(step.name, notebook, params)
    outputs = step.outputs(params)
    if not force and is_current(params, step.name, before, outputs):
        say(f"[{step.name}] 输入未变，跳过 (unchanged, skipped)")
        return StepResult(step.name, outputs[0], 0.0, skipped=True)
    if kernels is not None and step.help and not force and changed_inputs(params, step.name, before) < step.help_from:
        kernels.no_help(step.name)
    stamp_path(params, step.name).unlink(missing_ok=True)
    started = time.perf_counter()
    notebooks: dict[str, dict[str, Any]] = {}
    phases: dict[str, float] = {}
    if step.editions:
        from concurrent.futures import ThreadPoolExecutor

        # The editions are independent notebooks, each in its own lane's kernel: run them side by
        # side (two cores), each rendered and scanned as soon as it has run (the other one still
        # running), then written together only if both scans pass.
        def run_edition(edition: str) -> Any:
            deferred: dict[str, Any] = {}
            executed = execute_notebook(
                step.name,
                step.notebook,
                params,
                {"edition": edition},
                suffix=edition,
                kernels=kernels,
                timings=notebooks.setdefault(edition, {}),
                deferred=deferred,
            )
            from ..appendix import prepare_edition

            began = time.perf_counter()
            clean = True
            try:
                prepared = prepare_edition(executed, params, edition)
            finally:
                phases[f"export.{edition}"] = round(time.perf_counter() - began, 3)
                if deferred:  # checked by the forked scanner meanwhile; scrubbed also if the render failed
                    try:
                        clean = bool(deferred["verdict"].result())
                    except Exception:  # noqa: BLE001 - no answer: scrubbed here
                        clean = False
                    deferred["scrub"](checked=clean)
            if not clean:  # scrubbed here: rendered again from the scrubbed notebook (PublishBlocked)
                prepared = prepare_edition(executed, params, edition)
            return prepared

        with ThreadPoolExecutor(max_workers=len(step.editions)) as pool:
            prepared = list(pool.map(run_edition, step.editions))
        from ..appendix import write_editions

        written = time.perf_counter()
        write_editions(prepared, params)
        phases["write"] = round(time.perf_counter() - written, 3)
    else:
        execute_notebook(step.name, step.notebook, params, kernels=kernels, timings=notebooks.setdefault(step.name, {}))
    seconds = time.perf_counter() - started

    def stamp() -> None:
        # Recomputed after the step (a step's own outputs may be another step's inputs, never its own,
        # so the steps that start meanwhile change none of them), and written only if its inputs are
        # still those it started from: an input saved while it ran makes it run again next time.
        after = fingerprint(step.name, notebook, params)
        if after == before:
            write_stamp(params, step.name, after)

    if kernels is None or not kernels.step_job(step.name, stamp):
        stamp()
    if kernels is not None:
        kernels.step_done(step.name)
    shown = outputs[0].relative_to(PROJECT_ROOT) if outputs[0].is_relative_to(PROJECT_ROOT) else outputs[0]
    say(f"[{step.name}] 完成 (done) {seconds:.1f}s → {shown}")
    return StepResult(step.name, outputs[0], seconds, notebooks=notebooks, phases=phases, started=started)


def run_steps(
    steps: tuple[Step, ...], params: RunParams, force: bool, say: Callable[[str], None], kernels: KernelPool
) -> list[StepResult]:
    """Run each step once the steps it reads from (`Step.after`, those of this run) have finished:
    validate and figures side by side. A failed step keeps the steps after it from running; the
    first failure in step order is raised once every step already running has finished."""
    import threading
    from concurrent.futures import ThreadPoolExecutor, wait

    class NotRun(Exception):
        """A step whose input step failed, or that was to start after an interrupt."""

    stopping = threading.Event()

    def when_done(needs: list[Future[StepResult]], step: Step) -> StepResult:
        for need in needs:
            if need.exception() is not None:
                raise NotRun(step.name)
        if stopping.is_set():
            raise NotRun(step.name)
        return run_step(step, params, force=force, say=say, kernels=kernels)

    futures: dict[str, Future[StepResult]] = {}
    pool = ThreadPoolExecutor(max_workers=max(len(steps), 1), thread_name_prefix="step")
    try:
        for step in steps:
            needs = [futures[name] for name in step.after if name in futures]
            futures[step.name] = pool.submit(when_done, needs, step)
        pending = set(futures.values())
        while pending:
            # Timed: Ctrl-C is raised here however long a step runs. The kernel may deliver SIGINT to
            # another of this process's threads; an untimed wait here would then only see it once
            # every step had finished (seen: a run interrupted in its clean step that went on to
            # its appendix).
            _, pending = wait(pending, timeout=0.1)
    except BaseException:
        # Interrupted (Ctrl-C): no step starts any more; the caller's KernelPool.close stops the
        # kernels, which ends the notebooks still running.
        stopping.set()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    for step in steps:
        error = futures[step.name].exception()
        if error is not None and not isinstance(error, NotRun):
            raise error
    return [futures[step.name].result() for step in steps]


def expected_to_run(params: RunParams, steps: tuple[Step, ...]) -> tuple[Step, ...]:
    """The steps a run will execute, as far as can be told before it starts: a step whose
    fingerprint is not current, or that reads from a step that runs (its inputs will change). Reads
    stamps and hashes files only: a run with nothing to do imports neither pandas nor Jupyter. The
    kernels preload for these (`lanes_of`); a step that runs all the same gets a kernel of its own."""
    running: set[str] = set()
    for step in steps:
        if any(name in running for name in step.after) or not is_current(
            params, step.name, fingerprint(step.name, NOTEBOOK_DIR / step.notebook, params), step.outputs(params)
        ):
            running.add(step.name)
    return tuple(step for step in steps if step.name in running)


def timings_path(params: RunParams) -> Path:
    return params.build_dir / "timings.json"


def write_timings(
    params: RunParams,
    results: list[StepResult],
    preflight: float,
    began: float,
    kernels: KernelPool | None = None,
) -> None:
    """build/<year>/timings.json: where the run's time went (read by `make bench`; no step reads it).
    Per step: start (seconds since the run began; validate and figures overlap), seconds, skipped;
    per executed notebook: seconds, outside_cells (kernel start not hidden by the pool, its reset,
    papermill), cells (papermill's duration of each code cell), scrub, peak_rss_mib (the kernel's
    peak resident memory so far); phases: other timed parts (export.<edition>: its render and scan;
    write: both editions written). From the run's `kernels`: warm: per step whose work ahead ran (`Step.warm`), its start and
    seconds (the appendix's charts and cards, made while validate ran); "<step>.help" likewise for a
    step's help from another kernel (`Step.help`: the ledgers the validate lane cleaned). kernels: how
    many the run started, and how many it adopted (warm kernels an earlier run left, `spare_kernels`)."""
    data = {
        "year": params.year,
        "total": round(time.perf_counter() - began, 3),
        "preflight": round(preflight, 3),
        "steps": {
            r.step: {
                "start": round(r.started - began, 3) if r.started else None,
                "seconds": round(r.seconds, 3),
                "skipped": r.skipped,
                "notebooks": r.notebooks,
                "phases": r.phases,
            }
            for r in results
        },
        "warm": {
            step: {"start": round(w["start"] - began, 3), "seconds": w["seconds"]}
            for step, w in (kernels.warm_timings if kernels else {}).items()
        },
        "kernels": {"started": kernels.started if kernels else 0, "adopted": kernels.adopted if kernels else 0},
    }
    from ..storage import replace_text

    replace_text(timings_path(params), json.dumps(data, ensure_ascii=False, indent=1))


@contextmanager
def run_lock(params: RunParams) -> Iterator[None]:
    """One run at a time per build root: the second refuses at once with a clear message."""
    root = params.path(params.build_root)
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".run.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunLocked(f"另一个运行正在使用 {root} (another run is in progress)；请等它结束后再运行") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# ------------------------------------------------------------------ notebooks run by hand


def require_inputs(params: RunParams, step: str) -> None:
    """A step's notebook started before the step that makes its input: say which to run first
    (instead of a FileNotFoundError deep in the step)."""
    from ..params import MissingInput, rerun_command

    needed = {
        "validate": [("clean", params.clean_dir / "clean_report.json", "清洗数据 (clean data)")],
        "figures": [("clean", params.clean_dir / "clean_report.json", "清洗数据 (clean data)")],
        "appendix": [
            ("clean", params.clean_dir / "clean_report.json", "清洗数据 (clean data)"),
            ("figures", params.build_dir / "figures.json", "数字核对结果 (figures.json)"),
        ],
    }.get(step, [])
    for before, path, what in needed:
        if path.exists():
            continue
        order = [s.notebook for s in STEPS[: [s.name for s in STEPS].index(step)]]
        raise MissingInput(
            f"缺少 {params.year} 年的{what}：{path}\n"
            f"请先运行「{before}」步骤 (run the {before} step first)：在终端运行 {rerun_command(params)}，"
            f"或在 JupyterLab 中依次运行 {' → '.join(order)}。"
        )


_HELD: dict[str, Any] = {}  # the run lock an interactive cell holds until it has finished


def _release_interactive() -> None:
    handle = _HELD.pop("lock", None)
    if handle is not None:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def notebook_step(params: RunParams, step: str, say: Callable[[str], None] = print) -> None:
    """Called by a step notebook's setup cell (params_from_namespace) before the step runs.

    Its input must exist. Run by the pipeline (PIPELINE_ENV in the kernel's environment), nothing
    else: the pipeline holds the run lock and writes the stamps. Run by hand — JupyterLab, papermill
    directly — the step writes the same outputs as the pipeline, so it must not do that behind the
    pipeline's back: the cell takes the run lock (refusing while a run holds it), removes the step's
    stamp, and once the cell has succeeded writes the stamp the pipeline would write, then lets the
    lock go. The next `make run` then skips what is current and reruns what depends on the new
    outputs. (Outside IPython the stamp stays removed, so the next run redoes the step.)"""
    from ..params import rerun_command

    require_inputs(params, step)
    if os.environ.get(PIPELINE_ENV):
        return
    if step == "appendix":
        say(
            "交互运行 (interactive run)：本笔记本只在这里显示附录的各部分，不写入 appendix.html；"
            f"要生成附录文件请运行 {rerun_command(params)}"
        )
        return
    _release_interactive()
    root = params.path(params.build_root)
    root.mkdir(parents=True, exist_ok=True)
    handle = (root / ".run.lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise RunLocked(
            f"另一个运行正在使用 {root} (another run is in progress)：make run、lawreport run 或另一个笔记本"
            "正在写入同一目录；请等它结束后再运行本单元格"
        ) from None
    _HELD["lock"] = handle
    stamp = stamp_path(params, step)
    stamp.unlink(missing_ok=True)
    step_of = next(s for s in STEPS if s.name == step)
    outputs = "、".join(str(o) for o in step_of.outputs(params))
    say(
        f"交互运行 (interactive run，不是由 make run 启动)：已取得运行锁 (run lock) {root / '.run.lock'}；"
        f"「{step}」步骤的结果照常写入 {outputs}。"
    )
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is None:
        import atexit

        atexit.register(_release_interactive)
        say(f"步骤记录 (stamp) {stamp} 已删除：下次 make run 会重新运行「{step}」步骤。")
        return

    def after_cell(result: Any) -> None:
        shell.events.unregister("post_run_cell", after_cell)
        try:
            if result.success:
                write_stamp(params, step, fingerprint(step, NOTEBOOK_DIR / step_of.notebook, params))
                say(f"已更新步骤记录 (stamp updated)：{stamp}；下次 make run 据此跳过本步骤、重跑依赖它的步骤。")
            else:
                say(f"本单元格出错，步骤记录 (stamp) 已删除：下次 make run 会重新运行「{step}」步骤。")
        finally:
            _release_interactive()

    shell.events.register("post_run_cell", after_cell)


def preflight(params: RunParams, say: Callable[[str], None] = print) -> None:
    """Everything that can be checked without a kernel, checked before the first one starts: the
    register in full (RegisterError lists every problem with file, line and entry id)."""
    from ..ledgers.errors import RUN_CODES
    from ..register.check import metric_names
    from ..register.claims import load_register
    from .summary import stale_clean_years

    key_identities(params)  # every year's manifest and the key, F015-F020 before any kernel
    if params.register_path.exists():
        # The metric names read from the metrics' source: importing them would import pandas (~0.5 s).
        known = metric_names()
        load_register(params.register_path, report_path=params.report_path, year=params.year, known_metrics=known)
    else:
        label = RUN_CODES["P303"][0]
        more = f"；报告原文 {params.report_path.name} 存在，但不会被核对" if params.report_path.exists() else ""
        say(f"[P303] {label}：{params.register_path}{more}")
    stale = stale_clean_years(params)
    if stale:
        years = "、".join(str(y) for y in stale)
        say(f"[P304] {RUN_CODES['P304'][0]}：{params.path(params.clean_root)} 下的 {years} 年")


def nothing_to_do(
    params: RunParams, steps: tuple[Step, ...], to_run: tuple[Step, ...], say: Callable[[str], None] = print
) -> list[StepResult] | None:
    """When no step is to run (`to_run`, from `expected_to_run`, is empty: every step is current),
    the skipped results (said as each step would say them); None otherwise. Then the preflight is
    not needed either: the run that wrote those stamps passed it on these very inputs (the
    fingerprints cover the raw files, keys, register, report, notebooks, package source and
    parameters)."""
    if to_run:
        return None
    say(f"运行 {params.year} 年 (running year {params.year})：{' → '.join(s.name for s in steps)}")
    for step in steps:
        say(f"[{step.name}] 输入未变，跳过 (unchanged, skipped)")
    final = params.build_dir / "appendix.html"
    if final.exists():
        say(f"附录 (appendix)：{final}")
    return [StepResult(step.name, step.outputs(params)[0], 0.0, skipped=True) for step in steps]


def cache_folders(params: RunParams) -> list[Path]:
    """Every cache a run keeps beside its outputs (each keyed by its inputs; see the step modules):
    the clean step's per ledger, the validate step's per table (in validation/ and
    validation-failed/), and under <build_root>/.cache/<year>/ the figures, the appendix's charts and
    cards, and the scans' memo of clean pieces."""
    from .clean_step import CACHE_DIR as CLEAN_CACHE
    from .validation import CACHE_DIR as VALIDATION_CACHE

    build = params.build_dir
    return [
        params.path(params.clean_root) / CLEAN_CACHE,
        build / "validation" / VALIDATION_CACHE,
        build / "validation-failed" / VALIDATION_CACHE,
        params.path(params.build_root) / ".cache",
    ]


def clear_caches(params: RunParams, say: Callable[[str], None] = print) -> None:
    """`--force`: recompute everything, trusting no cache either."""
    removed = [folder for folder in cache_folders(params) if folder.exists()]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    if removed:
        say(f"--force：已删除缓存 (caches removed)，全部重新计算：{'、'.join(str(f) for f in removed)}")


def run_suite(
    raw_params: dict[str, Any], force: bool = False, say: Callable[[str], None] = print, steps: tuple[Step, ...] = STEPS
) -> list[StepResult]:
    """Run every step for one year, each after the steps it reads from; a failing step stops those
    that depend on it (`run_steps`)."""
    began = time.perf_counter()
    params = check_params(raw_params)
    to_run = steps
    if not force and steps:  # (no steps: the preflight alone is asked for)
        with run_lock(params):
            to_run = expected_to_run(params, steps)
        done = nothing_to_do(params, steps, to_run, say)
        if done is not None:
            write_timings(params, done, 0.0, began)
            return done
    kernels = KernelPool(lanes_of(to_run))
    interrupted = True  # until the steps have ended, in success or failure
    try:
        with run_lock(params):
            preflight(params, say)  # before any kernel starts
            preflight_seconds = time.perf_counter() - began
            kernels.fork_scanner(params)
            kernels.open(params)
            kernels.give_values(params, force)
            say(f"运行 {params.year} 年 (running year {params.year})：{' → '.join(s.name for s in steps)}")
            if force:
                clear_caches(params, say)
            kernels.start_first(params)
            try:
                results = run_steps(steps, params, force, say, kernels)
                kernels.finish_step_jobs()
            except Exception:
                interrupted = False  # a failed step: the analyst corrects and runs again
                raise
            interrupted = False
    finally:
        kernels.close()
        if not interrupted:
            from .spare_kernels import keep

            keep(kernels.adopted + kernels.started > 0, say, (str(params.path(params.raw_root)), params.year))
    write_timings(params, results, preflight_seconds, began, kernels)
    final = params.build_dir / "appendix.html"
    if final.exists():
        say(f"附录 (appendix)：{final}")
    return results
