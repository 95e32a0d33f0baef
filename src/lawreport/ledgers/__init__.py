"""The ledgers the suite reads: those of the active unit, configured as data under its raw root.

A run uses one unit: `lawreport.params.check_params` makes the unit whose ledgers are under the run's
raw root the active one (`use_unit`). Until then, and in code that has no run parameters, the active
unit is the bundled sample unit under data/raw/. `ALL_LEDGERS` and `LEDGERS_BY_TABLE` are live views
of the active unit's ledgers, in cleaning order; `get_ledger` finds one by table name.

    spec.py, config.py   a ledger's columns and rules, and the unit's configuration that holds them
    manifest.py          the raw folder's manifest: unit, year, synthetic flag, file hashes
    reading.py           raw files into grids of cells; values.py the parsing rule of each column kind
    cleaning.py          one year's raw ledgers into tidy tables, every problem located (errors.py: codes)
    personal.py          shapes of personal data in text; pseudonym.py keyed pseudonyms for it
    suites.py            the Great Expectations suites derived from the specs, as JSON
    datadict.py          docs/data-dictionary.md, rendered from the specs
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import overload

from .config import LEDGER_FOLDER, UNIT_FILE, ChartSpec, Unit, UnitConfigError, config_files, copy_config, load_unit
from .spec import KIND_DTYPES, PERSONAL_KINDS, ROW_RULES, SOURCE_COLUMNS, Column, Ledger, clean_dtypes

_loaded: dict[Path, tuple[tuple[tuple[str, int, int], ...], Unit]] = {}
_active: Unit | None = None


def _signature(raw_root: Path) -> tuple[tuple[str, int, int], ...]:
    out = []
    for path in config_files(raw_root):
        try:
            stat = path.stat()
        except OSError:
            continue
        out.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(out)


def unit_at(raw_root: Path) -> Unit:
    """The unit configured under raw_root, read once and reread when a file of it changes."""
    raw_root = Path(raw_root).resolve()
    signature = _signature(raw_root)
    cached = _loaded.get(raw_root)
    if cached is None or cached[0] != signature:
        _loaded[raw_root] = (signature, load_unit(raw_root))
    return _loaded[raw_root][1]


def default_raw_root() -> Path:
    from ..params import PROJECT_ROOT, RunParams

    return PROJECT_ROOT / RunParams.raw_root


def use_unit(raw_root: Path) -> Unit:
    """Make the unit under raw_root the active one (raises UnitConfigError, P307, if it is invalid)."""
    global _active
    _active = unit_at(raw_root)
    return _active


def active_unit() -> Unit:
    """The active unit (the bundled sample unit until `use_unit` names another)."""
    return _active if _active is not None else use_unit(default_raw_root())


class _AllLedgers(Sequence[Ledger]):
    """The active unit's ledgers, in cleaning order (a live view)."""

    @overload
    def __getitem__(self, index: int) -> Ledger: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Ledger, ...]: ...
    def __getitem__(self, index: int | slice) -> Ledger | tuple[Ledger, ...]:
        return active_unit().ledgers[index]

    def __len__(self) -> int:
        return len(active_unit().ledgers)

    def __iter__(self) -> Iterator[Ledger]:
        return iter(active_unit().ledgers)

    def __repr__(self) -> str:
        return f"ALL_LEDGERS({[x.table for x in self]})"


class _LedgersByTable(Mapping[str, Ledger]):
    """Table name -> ledger of the active unit (a live view)."""

    def __getitem__(self, table: str) -> Ledger:
        return active_unit().by_table[table]

    def __len__(self) -> int:
        return len(active_unit().ledgers)

    def __iter__(self) -> Iterator[str]:
        return iter([x.table for x in active_unit().ledgers])


ALL_LEDGERS: Sequence[Ledger] = _AllLedgers()
LEDGERS_BY_TABLE: Mapping[str, Ledger] = _LedgersByTable()


def get_ledger(table: str) -> Ledger:
    """Return the active unit's ledger spec for a clean table name."""
    try:
        return LEDGERS_BY_TABLE[table]
    except KeyError:
        raise KeyError(f"unknown ledger table {table!r}; known: {sorted(LEDGERS_BY_TABLE)}") from None


__all__ = [
    "ALL_LEDGERS",
    "ChartSpec",
    "KIND_DTYPES",
    "LEDGERS_BY_TABLE",
    "LEDGER_FOLDER",
    "PERSONAL_KINDS",
    "ROW_RULES",
    "SOURCE_COLUMNS",
    "UNIT_FILE",
    "Column",
    "Ledger",
    "Unit",
    "UnitConfigError",
    "active_unit",
    "clean_dtypes",
    "config_files",
    "copy_config",
    "get_ledger",
    "unit_at",
    "use_unit",
]
