"""What a metric returns, how it reads clean data, and the registry of metrics by name.

A metric reads only clean tables (data/clean/<year>/), never the register's reported values, and
returns its value with the ids of the rows that make it and of the rows it left out, with why.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pandas as pd

Kind = Literal["count", "amount", "rate", "by_year", "rate_by_year", "by_key", "ranks"]


@dataclass
class RowSet:
    """Rows of one clean table of one year that a metric counted or left out."""

    table: str
    year: int
    row_ids: list[str]
    reason: str = ""  # for left-out rows: why

    def to_dict(self) -> dict[str, object]:
        return {
            "table": self.table,
            "year": self.year,
            "rows": len(self.row_ids),
            "row_ids": self.row_ids,
            **({"reason": self.reason} if self.reason else {}),
        }


@dataclass
class MetricResult:
    """A computed value with its lineage."""

    kind: Kind
    value: int | Decimal | dict[str, object]
    numerator: int | None = None  # for rates
    denominator: int | None = None
    by_year: dict[int, object] = field(default_factory=dict)  # for multi-year figures: year -> value or (k, n)
    counted: list[RowSet] = field(default_factory=list)
    excluded: list[RowSet] = field(default_factory=list)
    sources: dict[str, int] = field(default_factory=dict)  # "table/year" -> rows in the clean table
    note: str = ""

    def add_source(self, table: str, year: int, frame: pd.DataFrame) -> None:
        self.sources[f"{table}/{year}"] = len(frame)


class NoData(Exception):
    """The clean data a metric needs is not there (ledger not kept that year, or not cleaned)."""


class CleanData:
    """Read-only access to clean tables of the report year and of earlier years.

    `years`: the years this run cleaned from raw ledgers. Clean data of any other year (left by an
    earlier run whose raw folder is gone) is never read: it has no source to trace back to.

    A metric reads clean data only through these methods (`table`, `years_with`, `quarantine`,
    `unit`) and the attributes `year` and `years`: the figures step keeps each figure under what it
    read (`recording`, `lawreport.run.figures_kept`), and a test checks that no figure opens a file
    another way.
    """

    def __init__(self, clean_root: Path, year: int, years: Iterable[int] | None = None):
        self.clean_root = clean_root
        self.year = year
        self.years = None if years is None else frozenset(int(y) for y in years)
        self._cache: dict[tuple[str, int], pd.DataFrame] = {}
        self._quarantine: dict[int, pd.DataFrame] = {}
        self._reads: list[tuple[object, ...]] | None = None

    @contextmanager
    def recording(self) -> Iterator[list[tuple[object, ...]]]:
        """Within: each read of clean data is noted in the list yielded, as (kind, *arguments):
        ("table", table, year), ("years_with", table), ("quarantine", year), ("unit", year)."""
        reads: list[tuple[object, ...]] = []
        before, self._reads = self._reads, reads
        try:
            yield reads
        finally:
            self._reads = before

    def _note(self, *read: object) -> None:
        if self._reads is not None and read not in self._reads:
            self._reads.append(read)

    def unit(self) -> str:
        """The unit's name, as the clean step recorded it for the report year."""
        self._note("unit", self.year)
        report = json.loads((self.clean_root / str(self.year) / "clean_report.json").read_text(encoding="utf-8"))
        return str(report["unit"])

    def allowed(self, year: int) -> bool:
        return self.years is None or year in self.years

    def years_with(self, table: str) -> list[int]:
        """Years up to the report year whose clean folder holds this table, oldest first."""
        self._note("years_with", table)
        years = []
        for folder in sorted(self.clean_root.iterdir()) if self.clean_root.exists() else []:
            if folder.name.isdigit() and int(folder.name) <= self.year and (folder / f"{table}.parquet").exists():
                if self.allowed(int(folder.name)):
                    years.append(int(folder.name))
        return years

    def table(self, table: str, year: int | None = None) -> pd.DataFrame:
        year = self.year if year is None else year
        self._note("table", table, year)
        key = (table, year)
        if key not in self._cache:
            path = self.clean_root / str(year) / f"{table}.parquet"
            if not self.allowed(year):
                raise NoData(
                    f"[P304] {year} 年的清洗数据没有对应的原始台账，未使用 (clean data without a raw source ignored)"
                )
            if not path.exists():
                raise NoData(f"{year} 年没有清洗后的「{table}」表 (no clean table {table} for {year})")
            self._cache[key] = pd.read_parquet(path)
        return self._cache[key]

    def quarantine(self, year: int) -> pd.DataFrame:
        """The rows of `year` that the clean step quarantined (empty when none or not cleaned)."""
        self._note("quarantine", year)
        if year not in self._quarantine:
            path = self.clean_root / str(year) / "quarantine.parquet"
            frame = pd.read_parquet(path) if path.exists() and self.allowed(year) else pd.DataFrame()
            self._quarantine[year] = frame
        return self._quarantine[year]

    def quarantined_rows(self, sources: Iterable[str]) -> list[dict[str, object]]:
        """Quarantined rows of the tables named in a result's sources ("table/year"), one dict each
        with table, year, file, sheet, row, column, code and reason (values are not repeated here)."""
        rows: list[dict[str, object]] = []
        for source in sorted(sources):
            table, _, year_text = source.rpartition("/")
            frame = self.quarantine(int(year_text))
            if frame.empty or "table" not in frame:
                continue
            for record in frame[frame["table"] == table].to_dict("records"):
                row = record.get("row")
                rows.append(
                    {
                        "table": table,
                        "year": int(year_text),
                        "file": str(record.get("file") or ""),
                        "sheet": str(record.get("sheet") or ""),
                        "row": None if row is None or pd.isna(row) else int(row),
                        "column": str(record.get("column") or ""),
                        "code": str(record.get("code") or ""),
                        "reason": str(record.get("reason") or ""),
                    }
                )
        return rows


MetricFunction = Callable[[CleanData], MetricResult]
METRICS: dict[str, MetricFunction] = {}


def metric(function: MetricFunction) -> MetricFunction:
    """Register a metric under its function name."""
    METRICS[function.__name__] = function
    return function


def ids(frame: pd.DataFrame) -> list[str]:
    return [str(v) for v in frame["row_id"].tolist()]


def select(
    data: CleanData,
    table: str,
    keep: Callable[[pd.DataFrame], pd.Series],
    left_out: str,
    year: int | None = None,
    result: MetricResult | None = None,
) -> tuple[pd.DataFrame, MetricResult]:
    """Rows of `table` for which `keep` is true; the others are recorded as excluded with `left_out`."""
    year = data.year if year is None else year
    frame = data.table(table, year)
    mask = keep(frame).fillna(False).astype(bool) if len(frame) else pd.Series([], dtype=bool)
    kept, dropped = frame[mask], frame[~mask]
    result = result or MetricResult(kind="count", value=0)
    result.add_source(table, year, frame)
    result.counted.append(RowSet(table, year, ids(kept)))
    if len(dropped):
        result.excluded.append(RowSet(table, year, ids(dropped), left_out))
    return kept, result


def count_rows(data: CleanData, table: str, keep: Callable[[pd.DataFrame], pd.Series], left_out: str) -> MetricResult:
    kept, result = select(data, table, keep, left_out)
    result.value = len(kept)
    return result


def sum_column(
    data: CleanData, table: str, column: str, keep: Callable[[pd.DataFrame], pd.Series], left_out: str
) -> MetricResult:
    kept, result = select(data, table, keep, left_out)
    # Each amount as the decimal it was written as (a float's shortest repr), summed exactly:
    # 100.10 + 200.20 is 300.30 yuan, not the binary float 300.29999999999995.
    total = sum((Decimal(repr(float(v))) for v in kept[column].dropna()), Decimal(0))
    result.kind = "amount"
    result.value = total.normalize()
    if result.value == result.value.to_integral_value():
        result.value = result.value.quantize(Decimal(1))
    empty = kept[kept[column].isna()]
    if len(empty):
        result.excluded.append(RowSet(table, data.year, ids(empty), f"「{column}」为空，按 0 计"))
    return result


def rate(
    data: CleanData,
    table: str,
    numerator: Callable[[pd.DataFrame], pd.Series],
    label: str,
    year: int | None = None,
    base: Callable[[pd.DataFrame], pd.Series] | None = None,
    base_left_out: str = "",
) -> MetricResult:
    """k/n over the rows of `table` (optionally restricted by `base`); rows not in k are excluded with `label`."""
    year = data.year if year is None else year
    frame = data.table(table, year)
    result = MetricResult(kind="rate", value=0)
    result.add_source(table, year, frame)
    if base is not None and len(frame):
        in_base = base(frame).fillna(False).astype(bool)
        if (~in_base).any():
            result.excluded.append(RowSet(table, year, ids(frame[~in_base]), base_left_out))
        frame = frame[in_base]
    hit = numerator(frame).fillna(False).astype(bool) if len(frame) else pd.Series([], dtype=bool)
    result.numerator, result.denominator = int(hit.sum()), len(frame)
    result.value = (Decimal(result.numerator) / Decimal(result.denominator) * 100) if result.denominator else Decimal(0)
    result.counted.append(RowSet(table, year, ids(frame[hit])))
    if (~hit).any():
        result.excluded.append(RowSet(table, year, ids(frame[~hit]), label))
    return result
