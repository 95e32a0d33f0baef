"""Sections of the appendix made once and kept under a key of everything they are made from.

Only in the pipeline's kernels (`kept_here`): each starts afresh for a run and loads the data it
renders when it renders it. A session run by hand may hold modules or tables loaded before they
changed on disk, and what it made would then be kept under the key of what is on disk now; there,
every section is made in place and nothing is kept or read.

The two editions run side by side in two kernels and share their charts; the pipeline also renders
the charts and the figure cards ahead of the appendix step, in a kernel that would otherwise wait
for the validate step (`lawreport.appendix.prerender`). Whoever gets to a section first makes it
under a file lock and keeps it in <build_root>/.cache/<year>/appendix/; the others wait for it, then
read it. A section's key covers every input it is made from, so a kept section is byte-identical to
one made afresh; only the latest key of each section is kept.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path

from ..run.pipeline import PIPELINE_ENV, package_source_digest

# The package source this process loaded (the modules that make the sections import this one):
# keys take it rather than the files as they are when a key is computed, so that what code edited
# since makes is never kept under the edited code's key.
LOADED_SOURCE = package_source_digest()


def kept_here() -> bool:
    """Whether this process keeps and reads kept sections: a kernel of a pipeline run."""
    return bool(os.environ.get(PIPELINE_ENV))


def plain_name(figure_id: str) -> str:
    """A figure's id as part of a kept file's name: as it is when a plain name, else hashed."""
    if not re.fullmatch(r"[A-Za-z0-9_.]{1,80}", figure_id):
        return hashlib.sha256(figure_id.encode()).hexdigest()[:16]
    return figure_id


def folder_of(build_root: Path, year: int) -> Path:
    return build_root / ".cache" / str(year) / "appendix"


def shared(
    folder: Path, name: str, key: str | Callable[[], str], make: Callable[[], str], lock: str | None = None
) -> str:
    """`make()` for `key`, made once: the first to get here makes it under a lock (<lock or
    name>.lock: the charts share one) and keeps it in `folder` as <name>-<key>.html;
    the others wait, then read it. A callable key is computed under the lock (the charts' key reads
    matplotlib's live settings, which a drawing in another thread changes while it draws)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{lock or name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        kept = folder / f"{name}-{key() if callable(key) else key}.html"
        if kept.exists():  # bytes, not text: a carriage return in a ledger cell is kept as it is
            return kept.read_bytes().decode("utf-8")
        made = make()
        # The older keys, and temporaries left by a maker that was stopped (a kernel killed when a
        # run stopped): under the lock, no one else is writing one.
        for old in [*folder.glob(f"{name}-*.html"), *folder.glob(f".{name}-*.tmp")]:
            old.unlink(missing_ok=True)
        temporary = folder / f".{kept.stem}.{os.getpid()}.tmp"
        temporary.write_bytes(made.encode("utf-8"))
        os.replace(temporary, kept)
        return made


def prune(folder: Path, prefix: str, keep: set[str], lock: str | None = None) -> None:
    """Remove what was kept under names starting with `prefix` that are not in `keep`, and the
    temporaries of a maker stopped mid-write. With `lock`, all under that one lock, the lock their
    makers share (the charts'). Without, each name under its own lock (the cards'): a name not in
    `keep` loses its lock file too; a name in `keep` only its temporaries, and only if no one holds
    its lock (another kernel may be making it now)."""
    if not folder.is_dir():
        return
    found: dict[str, list[Path]] = {}
    for path in [*folder.glob(f"{prefix}*.html"), *folder.glob(f".{prefix}*.tmp")]:
        stem = path.name[: -len(".html")] if path.suffix == ".html" else path.name[1:].rsplit(".", 2)[0]
        found.setdefault(stem.rsplit("-", 1)[0], []).append(path)
    if lock is None:
        for path in folder.glob(f"{prefix}*.lock"):
            found.setdefault(path.stem, [])
    for name, paths in sorted(found.items()):
        stale = name not in keep
        if not stale:
            paths = [path for path in paths if path.suffix == ".tmp"]
            if not paths:
                continue
        with (folder / f"{lock or name}.lock").open("w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX if stale or lock else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # being made now: its maker removes its own temporaries
            for path in paths:
                path.unlink(missing_ok=True)
            if stale and lock is None:
                (folder / f"{name}.lock").unlink(missing_ok=True)
