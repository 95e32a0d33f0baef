"""The rows the cards list, worked out once per run of a notebook however many cards list them.

The internal edition lists every counted and excluded row of every figure: 37 000 rows in the
sample, many of them in several cards. `TableRows` holds one clean table of one year and, for each
row the first time a card needs it, its cells as `explain.shown_rows` gives them (a row's cells
depend on that row alone), the cells as text with the raw value beside (`with_raw`), their display
widths and the row's <tr>. `RowSet` is one card's rows (positions in the table, in the lineage's
order), with the table's rows in that order as a frame and its breakdowns, computed once.

The caches live on the AppendixData object (`app_cache`), so they last one edition's run.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..explain import (
    EMPTY,
    SOURCE_LABELS,
    Breakdown,
    RawCells,
    _plain_texts,
    amount_text,
    breakdown,
    column_label,
    column_of,
    differs,
    display_width,
    ledger_of,
    raw_text,
    with_raw,
)
from ..metrics import NoData
from .html import el, esc, text_el

_WIDTHS: dict[str, int] = {}


def width(text: str) -> int:
    """explain.display_width, remembered (the same values fill the columns of many rows)."""
    known = _WIDTHS.get(text)
    if known is None:
        known = _WIDTHS[text] = len(text) if text.isascii() else display_width(text)
    return known


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
        self._columns: tuple[list[str], list[list[str]], list[list[str]], list[tuple[Any, ...]] | None] | None = None
        self._names: list[str] = []
        self.cells: dict[int, list[tuple[str, str]]] = {}
        self._texts: dict[int, tuple[list[str], list[int]]] = {}
        self._trs: dict[int, str] = {}

    @property
    def headers(self) -> list[str]:
        return self._table_columns()[0]

    def _table_columns(self) -> tuple[list[str], list[list[str]], list[list[str]], list[tuple[Any, ...]] | None]:
        """explain.shown_rows' column work done once for the whole table: (headers, each column's
        plain texts, each column's texts as shown, each row's source file, sheet and row (None
        without raw cells)), the columns in shown_rows' order: source columns, the ledger's, the rest."""
        if self._columns is None:
            frame, ledger = self.frame, ledger_of(self.table)
            source = [c for c in SOURCE_LABELS if c in frame.columns]
            ordered = [c.clean_name for c in ledger.columns if c.clean_name in frame.columns] if ledger else []
            rest = [c for c in frame.columns if c not in source and c not in ordered]
            columns = [*source, *ordered, *rest]
            plain, shown = [], []
            for name in columns:
                texts = _plain_texts(frame[name])
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
            self._columns = ([column_label(ledger, c) for c in columns], plain, shown, places)
            self._names = columns
        return self._columns

    def _row(self, position: int) -> list[tuple[str, str]]:
        """One row as explain.shown_rows gives it: (clean text as shown, raw text when it reads differently)."""
        _, plain, shown, places = self._table_columns()
        raw_row = self.raw.row(self.table, self.year, *places[position]) if self.raw is not None and places else {}
        if not raw_row:
            return [(texts[position], "") for texts in shown]
        cells = []
        for name, clean, texts in zip(self._names, plain, shown, strict=True):
            old = ""
            if name in raw_row:
                value = raw_row[name]
                text = value if type(value) is str else raw_text(value)
                if text != clean[position] and differs(text, clean[position]):
                    old = text or EMPTY
            cells.append((texts[position], old))
        return cells

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
        cells = self.cells
        for p in positions:
            if p not in cells:
                cells[p] = self._row(p)
        return self.headers, [cells[p] for p in positions]

    def texts(self, position: int) -> tuple[list[str], list[int]]:
        """A shown row's cells as text (with the raw value beside) and their display widths."""
        known = self._texts.get(position)
        if known is None:
            texts = [with_raw(cell) for cell in self.cells[position]]
            known = self._texts[position] = (texts, [width(t) for t in texts])
        return known

    def tr(self, position: int) -> str:
        """A shown row as a table row: each cleaned cell, and beside it in small type the raw one."""
        known = self._trs.get(position)
        if known is None:
            known = self._trs[position] = (
                "<tr>"
                + "".join(
                    el("td", esc(clean) + (text_el("small", f"（原值 {old}）", class_="raw") if old else ""))
                    for clean, old in self.cells[position]
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
    """One card's rows of one table and year: their positions in the lineage's order and as a frame."""

    rows: TableRows
    positions: list[int]
    frame: pd.DataFrame
    breakdowns: dict[str, Breakdown | None] = field(default_factory=dict)

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
            ranked = sorted((i, p) for row_id, i in order.items() for p in rows.by_id.get(row_id, ()))
            positions = [p for _, p in ranked]
            cache[key] = RowSet(rows, positions, rows.frame.take(positions))
    return cache[key]


def text_table(headers: list[str], texts: list[list[str]], widths: list[list[int]], gap: str = "  ") -> str:
    """explain.text_table(headers, texts) given each text's display width: rows as aligned plain
    text (CJK counted double), each line without trailing spaces."""
    header_widths = [width(h) for h in headers]
    columns = list(map(max, header_widths, *widths)) if widths else header_widths

    def line(cells: list[str], sizes: list[int]) -> str:
        return gap.join([c + " " * (w - s) for c, s, w in zip(cells, sizes, columns, strict=True)]).rstrip()

    return "\n".join([line(headers, header_widths), *(line(t, s) for t, s in zip(texts, widths, strict=True))])
