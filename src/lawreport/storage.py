"""Atomic replacement of an output folder: readers see the old folder or the complete new one."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
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
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
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
