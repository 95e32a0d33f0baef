"""Atomic replacement of an output folder: readers see the old folder or the complete new one."""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only for annotations: a run with nothing to do never imports pandas
    import pandas as pd


@contextmanager
def staged_dir(final: Path) -> Iterator[Path]:
    """Yield an empty staging folder beside `final`; on success swap it in, on error remove it."""
    final.parent.mkdir(parents=True, exist_ok=True)
    _recover(final)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.staging-", dir=final.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = final.parent / f".{final.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    shutil.rmtree(old, ignore_errors=True)


def _recover(final: Path) -> None:
    """A run killed between the two renames leaves `.name.old` and no `name`: put it back."""
    old = final.parent / f".{final.name}.old"
    if old.exists() and not final.exists():
        os.replace(old, final)
    for leftover in final.parent.glob(f".{final.name}.staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def replace_text(target: Path, text: str) -> Path:
    """Write `text` to `target` atomically: a temporary file beside it, then os.replace."""
    return replace_bytes(target, text.encode("utf-8"))


def replace_bytes(target: Path, data: bytes) -> Path:
    """Write `data` to `target` atomically: a temporary file beside it, then os.replace."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


def write_json(path: Path, data: Any) -> None:
    path.write_text(
        json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False, default=str) + "\n", encoding="utf-8"
    )


def write_parquet(path: Path, frame: pd.DataFrame) -> None:
    # No index, fixed compression: the same frame always gives the same bytes.
    frame.to_parquet(path, index=False, compression="zstd", engine="pyarrow")


def private_folder(folder: Path) -> Path:
    """`folder` (absolute), made if missing, that only this user can enter and write: owned by this
    user, mode 700, not a symlink. Raises PermissionError otherwise — a folder of a known name in a
    shared /tmp may have been made by someone else first."""
    folder = folder.absolute()
    folder.mkdir(mode=0o700, exist_ok=True)
    info = folder.lstat()
    if folder.is_symlink() or not folder.is_dir() or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise PermissionError(f"{folder} 不是只属于本用户的文件夹 (not a folder of this user's only, mode 700)")
    return folder


def read_private_text(path: Path) -> str | None:
    """The text of `path` if it is a regular file of this user's, not a symlink (checked on the open
    file); None otherwise."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(handle, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
            return None
        try:
            return file.read().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None


def write_private_text(folder: Path, name: str, text: str) -> None:
    """Write `text` as folder/name (mode 600) through a new temporary file, replaced atomically."""
    handle, staging = tempfile.mkstemp(dir=folder, prefix=f".{name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(staging, folder / name)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise


def older_than(path: Path, seconds: float) -> bool:
    """Whether `path` was last changed more than `seconds` ago (False when it is gone)."""
    try:
        return time.time() - path.stat().st_mtime > seconds
    except OSError:
        return False
