"""“这个数字从哪里来？” — one figure's definition, computation and rows, without a kernel.

`lawreport explain <figure-id> --year 2025` recomputes the figure from clean data and prints its
quote, wording rule, 口径, metric, computed value, status, and the contributing clean rows (with
their raw file, sheet and row; personal columns are pseudonyms), then the rows left out and why.

The helpers below say a figure's rows the way the ledgers say them, for `explain` and for the
appendix alike: ledger titles and column headers (Ledger.title, Column.header) instead of table and
column names, flags as 是/否, amounts as 352,600 元, months in calendar order and categories in
their vocabulary's order, breakdowns that add up to the figure (the quantity it sums, 警情数 or 元,
not rows), and beside a cleaned cell the raw cell it came from when the two read differently.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import math
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pandas as pd

from .claims import consistency_problems, load_register, metric_docstring, verify_entry
from .clean_step import years_to_clean
from .errors import LedgerFileError
from .ledgers import LEDGERS_BY_TABLE
from .ledgers.spec import Column, Ledger
from .metrics import CleanData, RowSet
from .params import ParameterError, RunParams

SOURCE_LABELS = {"row_id": "行标识", "source_file": "原始文件", "source_sheet": "工作表", "source_row": "原始行号"}
EMPTY = "（空）"

# ------------------------------------------------------------------ the ledgers' own words


def ledger_of(table: str) -> Ledger | None:
    return LEDGERS_BY_TABLE.get(table)


def ledger_title(table: str) -> str:
    ledger = ledger_of(table)
    return ledger.title if ledger else table


def header_text(column: Column) -> str:
    """The column's header as the ledger writes it; a two-level header "受理|日期" reads 受理日期."""
    return column.header.replace("|", "")


def column_of(ledger: Ledger | None, name: str) -> Column | None:
    """The spec column behind a clean column name (personal columns are `<name>_key` there)."""
    if ledger is None:
        return None
    return next((c for c in ledger.columns if name in (c.clean_name, c.name)), None)


def column_label(ledger: Ledger | None, name: str) -> str:
    """What a reviewer calls a clean column: its ledger header (or 行标识/原始文件/… for the source columns)."""
    if name in SOURCE_LABELS:
        return SOURCE_LABELS[name]
    column = column_of(ledger, name)
    return header_text(column) if column else name


def ledger_words(table: str, text: str) -> str:
    """A metric's reason with clean column names in 「」 replaced by their headers:
    「fine_amount」为空 -> 「罚没金额(元)」为空."""
    ledger = ledger_of(table)
    for column in ledger.columns if ledger else ():
        for name in {column.clean_name, column.name}:
            text = text.replace(f"「{name}」", f"「{header_text(column)}」")
    return text


# ------------------------------------------------------------------ values


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def plain_value(value: Any) -> str:
    """A clean value as text: 是/否 for flags, ISO dates, whole numbers without .0, "" for empty."""
    if _is_missing(value):
        return ""
    if isinstance(value, (bool,)) or type(value).__name__ == "bool_":
        return "是" if bool(value) else "否"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat(sep=" ")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    return str(value)


def amount_text(value: Any, unit: str = "元") -> str:
    """An amount with thousands separators and its unit: 352600 -> 352,600 元; 1200.5 -> 1,200.5 元."""
    if _is_missing(value) or value == "":
        return ""
    try:
        number = Decimal(repr(float(value))) if isinstance(value, float) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    number = number.normalize()
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    return f"{number:,f} {unit}".strip()


def cell_text(column: Column | None, value: Any) -> str:
    """A clean cell as a reviewer reads it: amounts as 1,200 元, flags 是/否, dates ISO."""
    if column is not None and column.kind == "amount" and not _is_missing(value):
        return amount_text(value)
    return plain_value(value)


def raw_text(value: Any) -> str:
    """A raw cell as read from the file (calamine values: text, numbers, dates, error literals)."""
    if _is_missing(value):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.date, dt.datetime)):
        return plain_value(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def differs(raw: str, clean: str) -> bool:
    """Whether the raw cell reads differently from the clean one (whitespace alone does not count)."""
    return " ".join(raw.split()) != " ".join(clean.split())


# ------------------------------------------------------------------ raw cells behind clean rows


class RawCells:
    """The raw ledger cells behind clean rows, read only for rows shown, one read per sheet.

    A clean row knows its source_file, source_sheet and source_row; the column is found the way the
    cleaner found it (cleaning.find_header). Personal columns are never read back: they stay
    pseudonyms. A file that is gone, unreadable, or no longer the file the clean step read (its
    SHA-256 differs from provenance.json) gives no raw values rather than wrong ones.
    """

    def __init__(self, raw_root: Path, clean_root: Path | None = None):
        self.raw_root = raw_root
        self.clean_root = clean_root
        self._sheets: dict[tuple[str, int, str, str], tuple[list[list[Any]], int, dict[str, int]] | None] = {}
        self._inputs: dict[int, dict[str, str]] = {}
        self.unavailable: dict[str, str] = {}  # file -> why no raw values were shown

    def _digest_ok(self, year: int, path: Path) -> bool:
        if self.clean_root is None:
            return True
        if year not in self._inputs:
            provenance = self.clean_root / str(year) / "provenance.json"
            try:
                self._inputs[year] = json.loads(provenance.read_text(encoding="utf-8")).get("inputs", {})
            except (OSError, ValueError):
                self._inputs[year] = {}
        expected = self._inputs[year].get(path.name)
        return expected is None or hashlib.sha256(path.read_bytes()).hexdigest() == expected

    def _sheet(
        self, table: str, year: int, file: str, sheet: str
    ) -> tuple[list[list[Any]], int, dict[str, int]] | None:
        key = (table, year, file, sheet)
        if key in self._sheets:
            return self._sheets[key]
        from .cleaning import find_header
        from .reading import read_csv_export, read_xlsx_sheet

        ledger = ledger_of(table)
        path = self.raw_root / str(year) / Path(file).name
        found: tuple[list[list[Any]], int, dict[str, int]] | None = None
        if ledger is None or not path.is_file():
            self.unavailable[file] = "找不到原始文件"
        elif not self._digest_ok(year, path):
            self.unavailable[file] = "原始文件在清洗之后被改动过，不显示原值"
        else:
            try:
                grid = read_csv_export(path, table) if ledger.fmt == "csv" else read_xlsx_sheet(path, sheet, table)
                _, hits, _ = find_header(grid, ledger)
            except (LedgerFileError, OSError, ValueError):
                self.unavailable[file] = "原始文件无法读取"
            else:
                mapping = {
                    name: where[0]
                    for name, where in hits.items()
                    if len(where) == 1 and not ledger.column(name).personal
                }
                found = (grid.rows, grid.first_row, mapping)
        self._sheets[key] = found
        return found

    def row(self, table: str, year: int, file: str, sheet: str, row: Any) -> dict[str, Any]:
        """Clean column name -> raw value of one source row (non-personal columns only); {} if unknown."""
        if _is_missing(row) or not file:
            return {}
        read = self._sheet(table, year, str(file), "" if _is_missing(sheet) else str(sheet))
        if read is None:
            return {}
        rows, first_row, mapping = read
        index = int(row) - first_row
        if not 0 <= index < len(rows):
            return {}
        cells = rows[index]
        ledger = ledger_of(table)
        assert ledger is not None
        return {
            column.clean_name: cells[mapping[column.name]] if mapping[column.name] < len(cells) else None
            for column in ledger.columns
            if column.name in mapping
        }


def _plain_texts(series: pd.Series) -> list[str]:
    """plain_value of every value of a clean column, vectorised for the common dtypes."""
    missing = series.isna().to_numpy()
    kind = series.dtype.kind if hasattr(series.dtype, "kind") else "O"
    if str(series.dtype) == "boolean" or kind == "b":
        texts = ["是" if bool(v) else "否" if not m else "" for v, m in zip(series.fillna(False), missing, strict=True)]
    elif kind == "M":
        day = series.dt.strftime("%Y-%m-%d")
        full = series.dt.strftime("%Y-%m-%d %H:%M:%S")
        midnight = (series == series.dt.normalize()).fillna(False).to_numpy()
        texts = [d if n else f for d, f, n in zip(day, full, midnight, strict=True)]
    elif str(series.dtype) in ("Int64", "string") or kind in "iuU":
        texts = [str(v) for v in series.astype(object)]
    else:
        return [plain_value(v) for v in series]
    return ["" if m else text for text, m in zip(texts, missing, strict=True)]


def shown_rows(
    table: str, year: int, frame: pd.DataFrame, raw: RawCells | None = None
) -> tuple[list[str], list[list[tuple[str, str]]]]:
    """Headers and, per row, (clean text, raw text if it reads differently) for every column of `frame`:
    the source columns first, then the ledger's columns in the ledger's order. Amounts read 1,200 元,
    flags 是/否; a raw cell is looked up only for these rows (RawCells caches one read per sheet)."""
    ledger = ledger_of(table)
    source = [c for c in SOURCE_LABELS if c in frame.columns]
    ordered = [c.clean_name for c in ledger.columns if c.clean_name in frame.columns] if ledger else []
    rest = [c for c in frame.columns if c not in source and c not in ordered]
    columns = [*source, *ordered, *rest]
    headers = [column_label(ledger, c) for c in columns]
    plain = {name: _plain_texts(frame[name]) for name in columns}
    shown = {}
    for name in columns:
        column = column_of(ledger, name) if name not in SOURCE_LABELS else None
        if column is not None and column.kind == "amount":
            shown[name] = [amount_text(v) for v in frame[name]]
        else:
            shown[name] = plain[name]
    places = (
        list(zip(*(frame[c].tolist() for c in ("source_file", "source_sheet", "source_row")), strict=True))
        if raw is not None and {"source_file", "source_sheet", "source_row"} <= set(frame.columns)
        else [None] * len(frame)
    )
    rows = []
    for i, place in enumerate(places):
        raw_row = raw.row(table, year, *place) if raw is not None and place is not None else {}
        cells = []
        for name in columns:
            old = ""
            if name in raw_row:
                text = raw_text(raw_row[name])
                if differs(text, plain[name][i]):
                    old = text or EMPTY
            cells.append((shown[name][i], old))
        rows.append(cells)
    return headers, rows


def display_width(text: str) -> int:
    """Columns a text takes in a monospace font: CJK and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def text_table(headers: list[str], rows: list[list[str]], gap: str = "  ") -> str:
    """Rows as aligned plain text (for a terminal or a <pre>): CJK counted double width."""
    widths = [display_width(h) for h in headers]
    for row in rows:
        widths = [max(w, display_width(c)) for w, c in zip(widths, row, strict=True)]

    def line(cells: list[str]) -> str:
        return gap.join(c + " " * (w - display_width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(headers), *(line(r) for r in rows)])


def with_raw(cell: tuple[str, str]) -> str:
    clean, old = cell
    return f"{clean}（原值 {old}）" if old else clean


# ------------------------------------------------------------------ breakdowns that add up to the figure


@dataclass
class Breakdown:
    """Counted rows of one table and year by one column, in the column's own order."""

    label: str  # the column's header, e.g. 月份, 纠纷类型, 立案日期(月份)
    rows: dict[str, int]  # category -> rows
    sums: dict[str, Decimal] | None = None  # category -> sum of the summed column (None: the figure counts rows)
    quantity: str = ""  # the summed column's header, e.g. 警情数, 罚没金额(元)
    amount: bool = False  # the summed column is money: shown as 1,200 元

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def total(self) -> Decimal | int:
        """What the breakdown adds up to: the figure (or this year's part of it)."""
        return sum(self.sums.values(), Decimal(0)) if self.sums is not None else self.total_rows

    def quantity_text(self, value: Decimal | int) -> str:
        return amount_text(value) if self.amount else plain_value(value)


def _month_label(month: Any) -> str:
    return f"{int(month)}月" if not _is_missing(month) else EMPTY


def breakdown_labels(ledger: Ledger | None, frame: pd.DataFrame) -> tuple[str, pd.Series, list[str]] | None:
    """The column to break rows down by, as (header, each row's label, the labels' natural order):
    the first category or month column with 2–20 values, else the first category column, else the
    month of the first date column. Months run 1月…12月; categories in their vocabulary's order
    (Column.allowed); anything else after them, most rows first; （空） last."""
    if ledger is None or frame.empty:
        return None
    candidates = [c for c in ledger.columns if c.kind in ("category", "month") and c.clean_name in frame]
    chosen = next((c for c in candidates if 2 <= frame[c.clean_name].nunique(dropna=True) <= 20), None)
    chosen = chosen or (candidates[0] if candidates else None)
    if chosen is not None:
        values = frame[chosen.clean_name]
        if chosen.kind == "month":
            labels = values.map(_month_label)
            order = [f"{m}月" for m in range(1, 13)]
        else:
            labels = values.map(lambda v: EMPTY if _is_missing(v) or v == "" else str(v))
            order = list(chosen.allowed)
        return header_text(chosen), labels, order
    dates = [c for c in ledger.columns if c.kind == "date" and c.clean_name in frame]
    if dates:
        months = pd.to_datetime(frame[dates[0].clean_name], errors="coerce").dt.month
        return f"{header_text(dates[0])}(月份)", months.map(_month_label), [f"{m}月" for m in range(1, 13)]
    return None


def ordered_counts(
    labels: pd.Series, order: Iterable[str], weights: pd.Series | None = None
) -> tuple[dict[str, int], dict[str, Decimal] | None]:
    """Rows (and sums of `weights`) per label: labels of `order` first in that order, then the others
    by most rows (ties by label), （空） last. Never code-point order of the labels alone."""
    counts = labels.value_counts()
    known = [k for k in order if k in counts.index]
    others = sorted((k for k in counts.index if k not in known and k != EMPTY), key=lambda k: (-int(counts[k]), k))
    keys = known + others + ([EMPTY] if EMPTY in counts.index else [])
    rows = {str(k): int(counts[k]) for k in keys}
    if weights is None:
        return rows, None
    sums = {str(k): Decimal(0) for k in keys}
    for label, value in zip(labels, weights, strict=True):
        if not _is_missing(value):
            sums[str(label)] += Decimal(repr(float(value)))
    return rows, {k: (v.quantize(Decimal(1)) if v == v.to_integral_value() else v.normalize()) for k, v in sums.items()}


def breakdown(table: str, frame: pd.DataFrame, summed_column: str = "") -> Breakdown | None:
    """Counted rows of one table and year broken down so that they add up to the figure: by rows when
    the figure counts rows, by the sum of `summed_column` (警情数, 罚没金额) when it sums one."""
    ledger = ledger_of(table)
    chosen = breakdown_labels(ledger, frame)
    if chosen is None:
        return None
    label, labels, order = chosen
    summed = column_of(ledger, summed_column) if summed_column else None
    weights = frame[summed.clean_name] if summed is not None and summed.clean_name in frame else None
    rows, sums = ordered_counts(labels, order, weights)
    if weights is None or summed is None:
        return Breakdown(label, rows)
    return Breakdown(label, rows, sums, header_text(summed), summed.kind == "amount")


def figure_value_text(computed: str, summed_column: str, table: str) -> str:
    """The computed value as shown: an amount with its unit and separators (352,600 元)."""
    column = column_of(ledger_of(table), summed_column) if summed_column else None
    if column is not None and column.kind == "amount":
        try:
            return amount_text(Decimal(computed))
        except InvalidOperation:
            return computed
    return computed


def explain_command(figure_id: str, year: int) -> str:
    return f"lawreport explain {figure_id} --year {year}"


def _rows(data: CleanData, rowset: RowSet, limit: int) -> pd.DataFrame:
    frame = data.table(rowset.table, rowset.year)
    chosen = frame[frame.row_id.isin(rowset.row_ids)]
    return chosen if limit <= 0 else chosen.head(limit)


def explain(params: RunParams, figure_id: str, limit: int = 20, say: Callable[[str], None] = print) -> str:
    if not (params.clean_dir / "clean_report.json").exists():
        raise ParameterError(
            f"{params.year} 年没有清洗后的数据 (no clean data)：{params.clean_dir}；"
            f"请先运行 make run YEAR={params.year}，或检查 --clean-root"
        )
    register = load_register(params.register_path, report_path=params.report_path, year=params.year)
    if figure_id not in {e.id for e in register.figures}:
        ids = [e.id for e in register.figures]
        near = difflib.get_close_matches(figure_id, ids, n=3, cutoff=0.4)
        raise ParameterError(
            f"登记册中没有数字 {figure_id!r} (no such figure id)"
            + (f"；是否应为：{'、'.join(near)}" if near else "")
            + f"；全部编号见 {params.register_path}"
        )
    entry = register.entry(figure_id)
    data = CleanData(params.path(params.clean_root), params.year, years_to_clean(params))
    result = verify_entry(entry, data, consistency_problems(register).get(entry.id, []))
    say(f"数字 (figure)：{entry.id}")
    say(f"引文 (quote)：{entry.quote}")
    say(f"报告写法 (reported)：{entry.written}")
    say(f"写法含义 (rule)：{result.rule}")
    say(f"口径 (definition)：{entry.definition}")
    say(f"计算方法 (metric)：lawreport.metrics.{entry.metric}")
    for line in metric_docstring(entry.metric).splitlines():
        say(f"    {line}")
    say(f"计算值 (computed)：{result.computed}")
    say(f"状态 (status)：{result.status}")
    for reason in result.reasons:
        say(f"  原因：{reason}")
    metric = result.metric_result
    if metric is None:
        return result.status
    say("来源 (sources)：" + "，".join(f"{k} 共 {v} 行" for k, v in sorted(metric.sources.items())))
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 20)
    for rowset in metric.counted:
        shown = _rows(data, rowset, limit)
        say(
            f"\n计入的行 (rows counted)：{rowset.table}/{rowset.year}，{len(rowset.row_ids)} 行"
            + (f"，显示前 {len(shown)} 行" if len(shown) < len(rowset.row_ids) else "")
        )
        if len(shown):
            say(shown.to_string(index=False))
    for rowset in metric.excluded:
        shown = _rows(data, rowset, limit)
        say(
            f"\n未计入的行 (rows left out)：{rowset.table}/{rowset.year}，{len(rowset.row_ids)} 行，原因：{rowset.reason}"
            + (f"，显示前 {len(shown)} 行" if len(shown) < len(rowset.row_ids) else "")
        )
        if len(shown):
            say(shown.to_string(index=False))
    return result.status
