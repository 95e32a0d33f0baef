"""Figures kept from the run before, each under what it was computed from.

After one ledger is corrected, most figures read none of its table: the figures step takes those
from the run before instead of computing them again (~0.4 s of the step's ~0.5 s on the sample).
Each figure is kept in <build_root>/.cache/<year>/figures/<id>.pickle with:

- a key of what every computation depends on: the package source this process loaded, Python's
  and the data libraries' versions, the clean folder, the report year and the years this run
  cleaned, the register entry and the consistency problems found for it;
- the clean data it read, as `CleanData.recording` noted it (tables, quarantined rows, the unit's
  name, which years hold a table), each with the digest of the file, or the years found, when it
  was read.

It is taken only while the key is the same and each of those reads still gives the same digest;
otherwise it is computed again and kept anew. Only in the pipeline's kernels (as the appendix's
kept sections, `lawreport.appendix.kept`): a session run by hand may hold code loaded before it
changed on disk. `tests/test_figures_kept.py` checks that a figure opens no clean file other than
through those reads, and that kept figures are the figures computed afresh.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..appendix.kept import LOADED_SOURCE, kept_here, plain_name
from ..storage import replace_bytes

if TYPE_CHECKING:
    from ..metrics import CleanData
    from ..params import RunParams
    from ..register.claims import FigureEntry, FigureResult

# LOADED_SOURCE: the package source this process loaded (`appendix.kept`, imported with the figures
# step, before any figure is computed); kept_here: only in the pipeline's kernels.
FORMAT = 1  # of a kept figure's file: a change of its layout changes every key


def folder_of(params: RunParams) -> Path:
    return params.path(params.build_root) / ".cache" / str(params.year) / "figures"


def _libraries() -> list[str]:
    import numpy
    import pandas
    import pyarrow

    return [sys.version, f"pandas={pandas.__version__}", f"numpy={numpy.__version__}", f"pyarrow={pyarrow.__version__}"]


def _file_name(figure_id: str) -> str:
    return f"{plain_name(figure_id)}.pickle"


class KeptFigures:
    """The kept figures of one figures step (`verify`), or none outside the pipeline's kernels."""

    def __init__(self, params: RunParams, data: CleanData) -> None:
        self.folder = folder_of(params)
        self.data = data
        self.enabled = kept_here()
        years = sorted(data.years) if data.years is not None else None
        common = [FORMAT, LOADED_SOURCE, *_libraries(), str(data.clean_root), data.year, years]
        self.common = hashlib.sha256(json.dumps(common).encode()).hexdigest()
        self._digests: dict[tuple[object, ...], str] = {}
        self.made: list[str] = []  # ids of the figures computed (not taken from the run before)

    def key(self, entry: FigureEntry, inconsistent: list[str]) -> str:
        # A frozen dataclass's repr shows every field, nested ones too: equal only for equal entries.
        return hashlib.sha256("\0".join([self.common, repr(entry), json.dumps(inconsistent)]).encode()).hexdigest()

    def digest(self, read: tuple[object, ...]) -> str:
        """What a read gives now: a file's digest ("missing" if there is none), or the years found."""
        if read not in self._digests:
            kind, *args = read
            root = self.data.clean_root
            if kind == "years_with":  # (called outside `verify`'s recording: not noted as a read)
                self._digests[read] = json.dumps(self.data.years_with(str(args[0])))
            else:
                name = {"table": f"{args[0]}.parquet", "quarantine": "quarantine.parquet", "unit": "clean_report.json"}
                year = args[1] if kind == "table" else args[0]
                path = root / str(year) / name[str(kind)]
                try:
                    self._digests[read] = hashlib.sha256(path.read_bytes()).hexdigest()
                except OSError:
                    self._digests[read] = "missing"
        return self._digests[read]

    def verify(self, entry: FigureEntry, inconsistent: list[str], compute: Callable[[], FigureResult]) -> FigureResult:
        """The entry's result: the kept one, if still current, else `compute()`, kept."""
        if not self.enabled:
            return compute()
        key = self.key(entry, inconsistent)
        path = self.folder / _file_name(entry.id)
        kept = self._load(path)
        if kept is not None and kept.get("key") == key and all(self.digest(tuple(r)) == d for r, d in kept["reads"]):
            return replace(kept["result"], entry=entry)
        with self.data.recording() as reads:
            result = compute()
        self.made.append(entry.id)
        self._keep(path, {"key": key, "reads": [(read, self.digest(read)) for read in reads], "result": result})
        return result

    def _load(self, path: Path) -> dict[str, Any] | None:
        try:
            kept = pickle.loads(path.read_bytes())  # noqa: S301 - this run's own cache, under its build folder
        except Exception:  # noqa: BLE001 - missing, damaged or from another version: computed again
            return None
        return kept if isinstance(kept, dict) and isinstance(kept.get("reads"), list) else None

    def _keep(self, path: Path, kept: dict[str, Any]) -> None:
        try:
            replace_bytes(path, pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass  # no room or no right to write there: computed again next time

    def forget_others(self, ids: list[str]) -> None:
        """Remove the kept figures of ids the register no longer has, and temporaries left."""
        if not self.enabled or not self.folder.is_dir():
            return
        keep = {_file_name(figure_id) for figure_id in ids}
        for path in self.folder.iterdir():
            if path.name not in keep:
                path.unlink(missing_ok=True)
