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
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pandas as pd

from ..ledgers import LEDGERS_BY_TABLE
from ..ledgers.errors import LedgerFileError
from ..ledgers.spec import Column, Ledger
from ..metrics import CleanData, RowSet
from ..params import ParameterError, RunParams
from ..run.clean_step import years_to_clean
from .claims import (
    STATUS_ZH,
    STATUSES,
    FigureEntry,
    Register,
    consistency_problems,
    load_register,
    metric_docstring,
    verify_entry,
    verify_register,
)

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
        from ..ledgers.cleaning import find_header
        from ..ledgers.reading import read_ledger_sheet

        ledger = ledger_of(table)
        path = self.raw_root / str(year) / Path(file).name
        found: tuple[list[list[Any]], int, dict[str, int]] | None = None
        if ledger is None or not path.is_file():
            self.unavailable[file] = "找不到原始文件"
        elif not self._digest_ok(year, path):
            self.unavailable[file] = "原始文件在清洗之后被改动过，不显示原值"
        else:
            try:
                grid = read_ledger_sheet(ledger, path, sheet)  # the row's own sheet (a month's, 一月一表)
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


# ------------------------------------------------------------------ lawreport explain

RAW_NOTE = (
    "注：列名为台账表头；“（原值 …）”是台账文件中该格的原样内容，只在与清洗后的值读法不同时显示；"
    "个人信息列只显示假名 (P-…)，不读原值。"
)


def status_text(status: str) -> str:
    """一致 (match): the Chinese status with the English term."""
    return f"{STATUS_ZH.get(status, status)} ({status})"


def _require_clean(params: RunParams) -> None:
    if not (params.clean_dir / "clean_report.json").exists():
        raise ParameterError(
            f"{params.year} 年没有清洗后的数据 (no clean data)：{params.clean_dir}；"
            f"请先运行 make run YEAR={params.year}，或检查 --clean-root"
        )


def _clean_data(params: RunParams) -> CleanData:
    return CleanData(params.path(params.clean_root), params.year, years_to_clean(params))


def _id_list(register: Register, statuses: dict[str, str] | None = None) -> str:
    headers = ["编号", "名称", *(["状态"] if statuses is not None else []), "报告写法"]
    rows = [
        [e.id, e.name or "—", *([status_text(statuses[e.id])] if statuses is not None else []), e.written]
        for e in register.figures
    ]
    return text_table(headers, rows)


def resolve_figure(register: Register, wanted: str, register_path: Path | str = "") -> FigureEntry:
    """The entry of an id (or of a Chinese name, 罚没金额); otherwise a ParameterError that suggests
    the closest ids and names and lists every id with its name."""
    for entry in register.figures:
        if wanted in (entry.id, entry.name):
            return entry
    ids = [e.id for e in register.figures]
    names = {e.name: e.id for e in register.figures if e.name}
    near = difflib.get_close_matches(wanted, ids, n=3, cutoff=0.6)
    near += [names[n] for n in difflib.get_close_matches(wanted, list(names), n=3, cutoff=0.5)]
    near += [e.id for e in register.figures if e.name and wanted and (wanted in e.name or e.name in wanted)]
    near = list(dict.fromkeys(near))[:5]
    by_id = {e.id: e for e in register.figures}
    suggestion = "；是否应为：" + "、".join(f"{i}({by_id[i].title})" for i in near) if near else ""
    where = f"（登记册 {register_path}）" if register_path else ""
    raise ParameterError(
        f"登记册中没有数字 {wanted!r} (no such figure id){suggestion}\n"
        f"全部 {len(ids)} 个编号{where}：\n{_id_list(register)}"
    )


def list_figures(params: RunParams, say: Callable[[str], None] = print) -> dict[str, str]:
    """`lawreport explain --list`: every id with its Chinese name and (when clean data exists) status."""
    register = load_register(params.register_path, report_path=params.report_path, year=params.year)
    statuses: dict[str, str] | None = None
    if (params.clean_dir / "clean_report.json").exists():
        statuses = {r.entry.id: r.status for r in verify_register(register, _clean_data(params))}
    say(f"{register.unit} {register.year} 年报告登记的 {len(register.figures)} 个数字 (figures)：")
    say(_id_list(register, statuses))
    if statuses is None:
        say(f"(没有 {params.year} 年的清洗数据，未计算状态；请先运行 make run YEAR={params.year}，或检查 --clean-root)")
    else:
        counts = Counter(statuses.values())
        say("合计：" + "，".join(f"{status_text(s)} {counts.get(s, 0)} 个" for s in STATUSES))
    say(f"查看其中一个：lawreport explain <编号> --year {params.year}")
    return statuses or {}


def _rows_of(data: CleanData, rowset: RowSet) -> pd.DataFrame:
    frame = data.table(rowset.table, rowset.year)
    order = {row_id: i for i, row_id in enumerate(rowset.row_ids)}
    chosen = frame[frame["row_id"].astype(str).isin(order)]
    return chosen.assign(_order=chosen["row_id"].astype(str).map(order)).sort_values("_order").drop(columns="_order")


def _place_of(table: str, year: int) -> str:
    ledger = ledger_of(table)
    file = ledger.file_name(year) if ledger else ""
    if ledger and ledger.monthly:
        sheet = f"，{ledger.sheet_label}"
    else:
        sheet = f"，工作表「{ledger.sheet}」" if ledger and ledger.sheet else ""
    return f"「{ledger_title(table)}」({file}{sheet}，{year} 年)"


def _rows_text(table: str, year: int, frame: pd.DataFrame, raw: RawCells | None) -> list[str]:
    """The rows as aligned text: 原始行号 and the ledger's columns (file and sheet said once)."""
    headers, rows = shown_rows(table, year, frame, raw)
    drop = {SOURCE_LABELS["row_id"]}
    lines = []
    files = frame["source_file"].dropna().unique().tolist() if "source_file" in frame else []
    sheets = frame["source_sheet"].dropna().unique().tolist() if "source_sheet" in frame else []
    if len(files) == 1 and len(sheets) <= 1:
        drop |= {SOURCE_LABELS["source_file"], SOURCE_LABELS["source_sheet"]}
        lines.append(f"  原始文件 {files[0]}" + (f"，工作表「{sheets[0]}」" if sheets and sheets[0] else ""))
    keep = [i for i, h in enumerate(headers) if h not in drop]
    table_text = text_table([headers[i] for i in keep], [[with_raw(r[i]) for i in keep] for r in rows])
    return lines + ["  " + line for line in table_text.splitlines()]


def _breakdown_text(made: Breakdown) -> list[str]:
    headers = [made.label, "行数"] + ([f"{made.quantity}合计"] if made.sums is not None else [])
    rows = [
        [k, str(v)] + ([made.quantity_text(made.sums[k])] if made.sums is not None else [])
        for k, v in made.rows.items()
    ]
    rows.append(["合计", str(made.total_rows)] + ([made.quantity_text(made.total)] if made.sums is not None else []))
    return ["  " + line for line in text_table(headers, rows).splitlines()]


def _last_run(params: RunParams, figure_id: str) -> dict[str, Any] | None:
    path = params.build_dir / "figures.json"
    try:
        figures = json.loads(path.read_text(encoding="utf-8")).get("figures", [])
    except (OSError, ValueError):
        return None
    return next((f for f in figures if f.get("id") == figure_id), None)


def explain(params: RunParams, figure_id: str, limit: int = 20, say: Callable[[str], None] = print) -> str:
    """Say where one figure comes from, in the ledgers' words; returns its status (match, …)."""
    register = load_register(params.register_path, report_path=params.report_path, year=params.year)
    entry = resolve_figure(register, figure_id, params.register_path)
    _require_clean(params)
    data = _clean_data(params)
    result = verify_entry(entry, data, consistency_problems(register).get(entry.id, []))
    metric = result.metric_result
    first_table = next(iter(sorted(metric.sources)), "").rpartition("/")[0] if metric else ""
    summed = column_of(ledger_of(first_table), result.summed_column) if result.summed_column else None
    say(f"数字：{entry.title}（{entry.id}）")
    say(f"引文：{entry.quote}")
    say(f"报告写法：{entry.written}")
    say(f"写法含义：{result.rule}")
    say(f"口径：{entry.definition}")
    say(f"计算方法：lawreport.metrics.{entry.metric}；代码中的说明 (metric docstring)：")
    for line in metric_docstring(entry.metric).splitlines():
        say(f"    {line}")
    computed = figure_value_text(result.computed, result.summed_column, first_table)
    say(f"计算值：{computed}" + (f"（计入行「{header_text(summed)}」之和，不是行数）" if summed else ""))
    if metric is not None and metric.numerator is not None and metric.denominator is not None:
        say(f"  分子 k = {metric.numerator}(计入的行)，分母 n = {metric.denominator}")
    say(f"状态 (status)：{status_text(result.status)}")
    for reason in result.reasons:
        say(f"  原因：{ledger_words(first_table, reason)}")
    last = _last_run(params, entry.id)
    if last is not None and last.get("status") != result.status:
        say(
            f"  注意：上次运行 ({params.build_dir / 'figures.json'}) 的状态是 {status_text(str(last.get('status')))}，"
            "与本次重新计算不同：清洗数据或登记册在那之后变了，请重新运行 make run"
        )
    if metric is None:
        return result.status
    say("来源 (sources)：")
    for key, rows in sorted(metric.sources.items()):
        table, _, year = key.rpartition("/")
        say(f"  {_place_of(table, int(year))}：台账共 {rows} 行")
    raw = RawCells(params.path(params.raw_root), params.path(params.clean_root))
    counted_ids = {(r.table, r.year): set(r.row_ids) for r in metric.counted}
    for rowset in metric.counted:
        frame = _rows_of(data, rowset)
        made = breakdown(rowset.table, frame, result.summed_column)
        total = f"，{made.quantity}合计 {made.quantity_text(made.total)}" if made and made.sums is not None else ""
        say(
            f"\n计入的行 (rows counted)：「{ledger_title(rowset.table)}」{rowset.year} 年，{len(rowset.row_ids)} 行{total}"
        )
        _say_rows(say, rowset, frame, made, raw, limit)
    for rowset in metric.excluded:
        frame = _rows_of(data, rowset)
        reason = ledger_words(rowset.table, rowset.reason)
        if rowset.row_ids and set(rowset.row_ids) <= counted_ids.get((rowset.table, rowset.year), set()):
            head = f"计入的行中 (rows counted, noted)：{reason}"
        else:
            head = f"未计入的行 (rows left out)，原因：{reason}"
        say(f"\n{head} —「{ledger_title(rowset.table)}」{rowset.year} 年，{len(rowset.row_ids)} 行")
        _say_rows(say, rowset, frame, breakdown(rowset.table, frame), raw, limit)
    say("\n" + RAW_NOTE)
    for file, why in sorted(raw.unavailable.items()):
        say(f"  {file}：{why}")
    return result.status


def _say_rows(
    say: Callable[[str], None], rowset: RowSet, frame: pd.DataFrame, made: Breakdown | None, raw: RawCells, limit: int
) -> None:
    shown = frame if limit <= 0 else frame.head(limit)
    if made is not None and len(shown) < len(frame):
        say(f"  按「{made.label}」汇总(合计即上面的数)：")
        for line in _breakdown_text(made):
            say(line)
        say(f"  前 {len(shown)} 行(全部行：--rows 0)：")
    if len(shown):
        for line in _rows_text(rowset.table, rowset.year, shown, raw):
            say(line)
