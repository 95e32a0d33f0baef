"""The rows the cards list, worked out once per run of a notebook however many cards list them.

The internal edition lists every counted and excluded row of every figure: 37 000 rows in the
sample, many of them in several cards. `TableRows` holds one clean table of one year and, for each
row the first time a card needs it, its cells as `explain.shown_rows` gives them (a row's cells
depend on that row alone), the cells as text with the raw value beside (`with_raw`), their display
widths and the row's <tr>. `RowSet` is one card's rows (positions in the table, in the lineage's
order), with the table's rows in that order as a frame (made when first needed) and its breakdowns,
computed once. Raw cells are read through RawCells' own per-sheet reading; tests hold every row
equal to explain.shown_rows and every page equal to explain.text_table.

The caches live on the AppendixData object (`app_cache`), so they last one edition's run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..metrics import NoData
from ..register.explain import (
    EMPTY,
    SOURCE_LABELS,
    Breakdown,
    RawCells,
    _is_missing,
    _plain_texts,
    amount_text,
    breakdown,
    column_label,
    column_of,
    differs,
    display_width,
    ledger_of,
    raw_text,
)
from .html import el, esc, text_el

_WIDTHS: dict[str, int] = {}
_WIDTHS_KEPT = 1_000_000  # texts whose width is remembered, at most (a long-lived process starts over)


def width(text: str) -> int:
    """explain.display_width, remembered (the same values fill the columns of many rows)."""
    known = _WIDTHS.get(text)
    if known is None:
        if len(_WIDTHS) >= _WIDTHS_KEPT:
            _WIDTHS.clear()
        known = _WIDTHS[text] = len(text) if text.isascii() else display_width(text)
    return known


def column_texts(series: pd.Series) -> list[str]:
    """explain._plain_texts(series), faster for text columns (their values as they are, "" where
    missing) and date columns (each distinct date written once)."""
    if str(series.dtype) == "string":
        return series.fillna("").tolist()
    if series.dtype.kind == "M":
        codes, distinct = pd.factorize(series)
        texts = _plain_texts(pd.Series(distinct, dtype=series.dtype))
        return [texts[code] if code >= 0 else "" for code in codes]
    return _plain_texts(series)


def app_cache(app: Any) -> dict[Any, Any]:
    """A dict kept on the appendix data (any object that takes attributes) for this module's caches."""
    cache = getattr(app, "_rows_cache", None)
    if cache is None:
        cache = {}
        app._rows_cache = cache
    return cache


class TableRows:
    """One clean table of one year as the cards show its rows (see the module)."""

    def __init__(self, table: str, year: int, frame: pd.DataFrame, raw: RawCells | None):
        self.table, self.year, self.frame, self.raw = table, year, frame, raw
        self._by_id: dict[str, list[int]] | None = None
        self._columns: tuple[list[str], list[list[str]], list[tuple[str, ...]], list[tuple[Any, ...]] | None] | None
        self._columns = None
        self._names: list[str] = []
        self._reads: dict[tuple[str, str], tuple[list[list[Any]], int, list[tuple[int, int]]] | None] = {}
        self._olds: dict[int, dict[int, str]] = {}  # position -> column -> raw text, where it reads differently
        self._cells: dict[int, list[tuple[str, str]]] = {}
        self._texts: dict[int, tuple[list[str], list[int]]] = {}
        self._trs: dict[int, str] = {}

    @property
    def headers(self) -> list[str]:
        return self._table_columns()[0]

    def _table_columns(self) -> tuple[list[str], list[list[str]], list[tuple[str, ...]], list[tuple[Any, ...]] | None]:
        """explain.shown_rows' column work done once for the whole table: (headers, each column's
        plain texts, each row's texts as shown, each row's source file, sheet and row (None without
        raw cells)), the columns in shown_rows' order: source columns, the ledger's, the rest."""
        if self._columns is None:
            frame, ledger = self.frame, ledger_of(self.table)
            source = [c for c in SOURCE_LABELS if c in frame.columns]
            ordered = [c.clean_name for c in ledger.columns if c.clean_name in frame.columns] if ledger else []
            rest = [c for c in frame.columns if c not in source and c not in ordered]
            columns = [*source, *ordered, *rest]
            plain, shown = [], []
            for name in columns:
                texts = column_texts(frame[name])
                column = column_of(ledger, name) if name not in SOURCE_LABELS else None
                plain.append(texts)
                shown.append(
                    [amount_text(v) for v in frame[name]] if column is not None and column.kind == "amount" else texts
                )
            places = None
            if self.raw is not None and {"source_file", "source_sheet", "source_row"} <= set(frame.columns):
                places = list(
                    zip(*(frame[c].tolist() for c in ("source_file", "source_sheet", "source_row")), strict=True)
                )
            rows = list(zip(*shown, strict=True)) if columns else [() for _ in range(len(frame))]
            self._columns = ([column_label(ledger, c) for c in columns], plain, rows, places)
            self._names = columns
        return self._columns

    def _raw_row(self, place: tuple[Any, Any, Any]) -> tuple[list[Any], list[tuple[int, int]]] | None:
        """RawCells.row for one source row, as the raw row's cells and (column position here, cell
        position there) of the columns it holds; the sheet's column mapping is worked out once."""
        file, sheet, row = place
        if _is_missing(row) or not file:
            return None
        key = (str(file), "" if _is_missing(sheet) else str(sheet))
        if key not in self._reads:
            read = self.raw._sheet(self.table, self.year, *key) if self.raw is not None else None
            if read is None:
                self._reads[key] = None
            else:
                rows, first_row, mapping = read
                ledger = ledger_of(self.table)
                assert ledger is not None
                at = {c.clean_name: mapping[c.name] for c in ledger.columns if c.name in mapping}
                pairs = [(i, at[name]) for i, name in enumerate(self._names) if name in at]
                self._reads[key] = (rows, first_row, pairs)
        read = self._reads[key]
        if read is None:
            return None
        rows, first_row, pairs = read
        index = int(row) - first_row
        return (rows[index], pairs) if 0 <= index < len(rows) else None

    def _old(self, position: int) -> dict[int, str]:
        """The raw texts beside a row's cells (explain.shown_rows' "old"), by column, only where the
        raw cell reads differently from the clean one."""
        olds = self._olds.get(position)
        if olds is None:
            olds = self._olds[position] = {}
            _, plain, _, places = self._table_columns()
            found = self._raw_row(places[position]) if places is not None else None
            if found is not None:
                raw_cells, pairs = found
                for i, j in pairs:
                    value = raw_cells[j] if j < len(raw_cells) else None
                    text = value if type(value) is str else raw_text(value)
                    clean = plain[i][position]
                    if text != clean and differs(text, clean):
                        olds[i] = text or EMPTY
        return olds

    def cells(self, position: int) -> list[tuple[str, str]]:
        """One row as explain.shown_rows gives it: (clean text as shown, raw text when it reads differently)."""
        known = self._cells.get(position)
        if known is None:
            olds = self._old(position)
            known = self._cells[position] = [
                (text, olds.get(i, "")) for i, text in enumerate(self._table_columns()[2][position])
            ]
        return known

    @property
    def by_id(self) -> dict[str, list[int]]:
        """Positions of the rows by row_id (as text, like the lineage)."""
        if self._by_id is None:
            self._by_id = defaultdict(list)
            for position, row_id in enumerate(self.frame["row_id"].astype(str).tolist()):
                self._by_id[row_id].append(position)
        return self._by_id

    def shown(self, positions: list[int]) -> tuple[list[str], list[list[tuple[str, str]]]]:
        """explain.shown_rows(table, year, frame.take(positions), raw), each row worked out once
        (tests/test_appendix_rows.py holds the two equal)."""
        return self.headers, [self.cells(p) for p in positions]

    def texts(self, position: int) -> tuple[list[str], list[int]]:
        """A shown row's cells as text with the raw text beside (explain.with_raw) and their display widths."""
        known = self._texts.get(position)
        if known is None:
            texts = list(self._table_columns()[2][position])
            for i, old in self._old(position).items():
                texts[i] = f"{texts[i]}（原值 {old}）"
            known = self._texts[position] = (texts, [_WIDTHS.get(t) or width(t) for t in texts])
        return known

    def tr(self, position: int) -> str:
        """A shown row as a table row: each cleaned cell, and beside it in small type the raw one."""
        known = self._trs.get(position)
        if known is None:
            known = self._trs[position] = (
                "<tr>"
                + "".join(
                    el("td", esc(clean) + (text_el("small", f"（原值 {old}）", class_="raw") if old else ""))
                    for clean, old in self.cells(position)
                )
                + "</tr>"
            )
        return known


def table_rows(app: Any, table: str, year: int) -> TableRows | None:
    """The table's rows for this edition's cards; None when the clean table does not exist."""
    raw = getattr(app, "raw_cells", None)
    key = ("table", table, year, id(raw))
    cache = app_cache(app)
    if key not in cache:
        try:
            cache[key] = TableRows(table, year, app.data.table(table, year), raw)
        except NoData:
            cache[key] = None
    return cache[key]


@dataclass
class RowSet:
    """One card's rows of one table and year: their positions in the lineage's order and (made when
    first asked for) as a frame."""

    rows: TableRows
    positions: list[int]
    _frame: pd.DataFrame | None = None
    breakdowns: dict[str, Breakdown | None] = field(default_factory=dict)

    @property
    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            self._frame = self.rows.frame.take(self.positions)
        return self._frame

    def breakdown(self, summed: str = "") -> Breakdown | None:
        """explain.breakdown(table, frame, summed), once per summed column."""
        if summed not in self.breakdowns:
            self.breakdowns[summed] = breakdown(self.rows.table, self.frame, summed)
        return self.breakdowns[summed]

    def shown(self) -> tuple[list[str], list[list[tuple[str, str]]]]:
        return self.rows.shown(self.positions)


def rowset(app: Any, table: str, year: int, row_ids: list[Any]) -> RowSet | None:
    """The rows of the clean table whose row_id (as text) is listed, in the order of the list (a
    row_id listed twice counts at its last place); None when the clean table does not exist."""
    key = ("rowset", table, year, tuple(row_ids))
    cache = app_cache(app)
    if key not in cache:
        rows = table_rows(app, table, year)
        if rows is None:
            cache[key] = None
        else:
            order = {row_id: i for i, row_id in enumerate(row_ids)}
            by_id = rows.by_id
            ranked = sorted((i, p) for row_id, i in order.items() for p in by_id.get(row_id, ()))
            positions = [p for _, p in ranked]
            cache[key] = RowSet(rows, positions)
    return cache[key]


def text_table(
    headers: Sequence[str], texts: Sequence[Sequence[str]], widths: Sequence[Sequence[int]], gap: str = "  "
) -> str:
    """explain.text_table(headers, texts) given each text's display width: rows as aligned plain
    text (CJK counted double), each line without trailing spaces."""
    header_widths = [width(h) for h in headers]
    columns = list(map(max, header_widths, *widths)) if widths else header_widths

    def line(cells: Sequence[str], sizes: Sequence[int]) -> str:
        return gap.join([c + " " * (w - s) for c, s, w in zip(cells, sizes, columns, strict=True)]).rstrip()

    return "\n".join([line(headers, header_widths), *(line(t, s) for t, s in zip(texts, widths, strict=True))])
