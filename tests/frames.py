"""Small clean tables built by hand, for testing metrics without the sample generator.

`frame_data(year, {(table, year): [row, ...]})` gives a CleanData whose tables are exactly the
rows written in the test: every column of the table's clean contract is present with its clean
dtype; columns a row does not name are empty (NULL). Row ids are "<table>-<year>-<n>" unless the
row gives one, so a test can name the rows a metric must count or leave out.

`figure(figure_id, data)` computes a figure of the register (claims/2025.yaml) from its `compute:`
spec, so that a test of a figure tests the spec the suite runs. The register is read from
$LAWREPORT_TEST_REGISTER when set: tools/mutate_metrics.py points it at a mutated copy.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from lawreport.ledgers import get_ledger
from lawreport.ledgers.spec import clean_dtypes
from lawreport.metrics import CleanData, MetricResult
from lawreport.register import evaluate
from lawreport.register.claims import FigureEntry, load_register

REGISTER_ENV = "LAWREPORT_TEST_REGISTER"
# The repository's own files, also when lawreport is imported from a copy (tools/mutate_metrics.py).
REPOSITORY = Path(__file__).resolve().parents[1]
REGISTER = REPOSITORY / "claims" / "2025.yaml"
REPORT = REPOSITORY / "data" / "raw" / "2025" / "report.txt"


@cache
def _register_entries(path: str) -> dict[str, FigureEntry]:
    return {entry.id: entry for entry in load_register(Path(path), report_path=REPORT).figures}


def register_entries() -> dict[str, FigureEntry]:
    """The entries of the register the tests check (claims/2025.yaml, or a mutant of it), by id."""
    return _register_entries(os.environ.get(REGISTER_ENV) or str(REGISTER))


def spec_entries(*tables: str) -> set[str]:
    """Ids of the register's spec entries that read one of `tables`."""
    return {i for i, e in register_entries().items() if e.compute is not None and e.compute.table in tables}


def figure(figure_id: str, data: CleanData) -> MetricResult:
    """A figure of the register computed on `data` from its compute spec (never its reported value)."""
    entry = register_entries()[figure_id]
    assert entry.compute is not None, f"{figure_id} is not computed by a spec in the register"
    return evaluate(entry.compute, data)


def clean_frame(table: str, year: int, rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """A clean table of `table` holding `rows` (unknown column names are an error)."""
    dtypes = clean_dtypes(get_ledger(table))
    records = []
    for n, row in enumerate(rows, start=1):
        unknown = sorted(set(row) - set(dtypes))
        if unknown:
            raise KeyError(f"{table} has no clean column {unknown}; columns: {sorted(dtypes)}")
        record: dict[str, Any] = dict.fromkeys(dtypes)
        record.update(row_id=f"{table}-{year}-{n}", source_file=f"{table}.xlsx", source_sheet="s", source_row=n + 2)
        record.update(row)
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=list(dtypes))
    for column, dtype in dtypes.items():
        if dtype.startswith("datetime"):
            frame[column] = pd.to_datetime(frame[column].astype(object), errors="raise").astype(dtype)
        else:
            series = frame[column].astype(object)
            frame[column] = series.where(series.notna(), None).astype(dtype)
    return frame


class FrameData(CleanData):
    """CleanData over tables held in memory instead of data/clean/<year>/*.parquet."""

    def __init__(
        self,
        year: int,
        tables: Mapping[tuple[str, int], pd.DataFrame],
        quarantine: Mapping[int, Sequence[Mapping[str, Any]]] | None = None,
    ):
        super().__init__(Path("/nonexistent-clean-root"), year)
        self._cache = dict(tables)
        # quarantine.parquet rows per year: table, file, sheet, row, column, value, code, reason, detail
        self._quarantine = {y: pd.DataFrame(list(rows)) for y, rows in (quarantine or {}).items()}

    def years_with(self, table: str) -> list[int]:
        return sorted(y for (t, y) in self._cache if t == table and y <= self.year)


def frame_data(
    year: int,
    tables: Mapping[tuple[str, int], Sequence[Mapping[str, Any]]],
    quarantine: Mapping[int, Sequence[Mapping[str, Any]]] | None = None,
) -> FrameData:
    """A FrameData from rows written in the test, keyed by (table, year), with optional quarantined rows."""
    return FrameData(year, {(t, y): clean_frame(t, y, rows) for (t, y), rows in tables.items()}, quarantine)


def counted_ids(result: Any) -> list[str]:
    """Row ids a metric counted, sorted."""
    return sorted(i for rows in result.counted for i in rows.row_ids)


def excluded_by_reason(result: Any) -> dict[str, list[str]]:
    """Why -> the sorted row ids a metric left out for that reason."""
    out: dict[str, list[str]] = {}
    for rows in result.excluded:
        out.setdefault(rows.reason, []).extend(rows.row_ids)
    return {reason: sorted(row_ids) for reason, row_ids in out.items()}


def counted_set(result: Any) -> set[str]:
    """Row ids a metric counted, as a set."""
    return set(counted_ids(result))


def excluded_by_row(result: Any) -> dict[str, str]:
    """Row id -> why the metric left it out."""
    return {rid: rows.reason for rows in result.excluded for rid in rows.row_ids}
