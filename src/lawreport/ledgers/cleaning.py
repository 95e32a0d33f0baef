"""Clean one year's raw ledgers into tidy tables, row by row, with every problem located.

Reads `data/raw/<year>/` (never writes there); returns tables whose rows keep their raw file,
sheet and row; quarantines rows that break a rule; counts every dropped row with its reason.
`rows read = rows kept + rows quarantined + rows dropped` holds for every ledger. A ledger kept as
one sheet per month (`sheet: "{month}月"`) is each month's sheet cleaned the same way, the rows put
together in month order (ids `<table>-<month>-<row>`; a single sheet keeps `<table>-<row>`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import KIND_DTYPES, ROW_RULES, SOURCE_COLUMNS, Column, Ledger, personal
from . import values as V
from .errors import LedgerFileError, Problem
from .pseudonym import Pseudonymiser
from .reading import CellFault, Grid, read_ledger_grids

if TYPE_CHECKING:
    import pandas as pd  # imported where a frame is made: reading headers (the scrub) needs no pandas

HEADER_SCAN_ROWS = 20
FOOTER_PREFIXES = (
    "填表人",
    "审核人",
    "制表人",
    "填报人",
    "负责人",
    "合计",
    "总计",
    "小计",  # a subtotal inside the sheet is not a row of data either
    "本月合计",
    "本月小计",
    "本季合计",
    "本年合计",
    "本页合计",
    "本页小计",
    "备注",
    "说明",
    "填报日期",
    "制表日期",
    "统计人",
)
INDEX_HEADERS = frozenset({"序号", "编号序", "no", "no."})


def norm_header(text: object) -> str:
    if text is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", V.strip_invisible(str(text))))


@dataclass
class LedgerResult:
    """What cleaning one ledger produced."""

    ledger: Ledger
    file: str
    sheet: str
    header_row: int
    table: pd.DataFrame
    quarantine: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    rows_quarantined: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    ignored_columns: list[str] = field(default_factory=list)
    parquet: Path | None = None  # the clean step's cache file holding `table` as written, if any
    sheets: list[dict[str, object]] = field(default_factory=list)  # one sheet per month: each sheet read

    @property
    def rows_kept(self) -> int:
        return len(self.table)

    def report(self) -> dict[str, object]:
        report: dict[str, object] = {
            "title": self.ledger.title,
            "file": self.file,
            "sheet": self.sheet,
            "header_row": self.header_row,
            "rows_read": self.rows_read,
            "rows_kept": self.rows_kept,
            "rows_quarantined": self.rows_quarantined,
            "rows_dropped": dict(sorted(self.dropped.items())),
            "ignored_columns": self.ignored_columns,
        }
        if self.sheets:  # one sheet per month: where each month's header was and how many rows it had
            report["sheets"] = self.sheets
        return report


def grid_width(grid: Grid) -> int:
    """The widest row's length (a pass over every row: measured once per grid, not per header row)."""
    return max((len(r) for r in grid.rows), default=0)


def _fill_merged_header(grid: Grid, header_idx: int, width: int | None = None) -> tuple[list[str], list[str]]:
    """Leaf and parent header rows, with merged header cells spread over their range; `width`, the
    grid's (`grid_width`), when the caller has it."""
    width = grid_width(grid) if width is None else width
    rows = {
        i: [norm_header(v) for v in grid.rows[i]] + [""] * (width - len(grid.rows[i]))
        for i in (header_idx - 1, header_idx)
        if 0 <= i < len(grid.rows)
    }
    for r0, c0, r1, c1 in grid.merged:
        value = norm_header(grid.rows[r0][c0]) if r0 < len(grid.rows) and c0 < len(grid.rows[r0]) else ""
        for r in range(r0, r1 + 1):
            if r in rows:
                for c in range(c0, min(c1, width - 1) + 1):
                    rows[r][c] = value
    leaf = rows.get(header_idx, [""] * width)
    parent = rows.get(header_idx - 1, [""] * width)
    return leaf, parent


def _labels(leaf: list[str], parent: list[str]) -> list[set[str]]:
    labels = []
    for lf, pa in zip(leaf, parent, strict=True):
        forms = set()
        if lf:
            forms.add(lf)
            if pa and pa != lf:
                forms.add(f"{pa}|{lf}")
        elif pa:
            forms.add(pa)
        labels.append(forms)
    return labels


def _wanted(column: Column) -> set[str]:
    forms = {norm_header(column.header)} | {norm_header(a) for a in column.aliases}
    return forms


def _match(columns: tuple[Column, ...], labels: list[set[str]]) -> dict[str, list[int]]:
    """Grid columns matching each spec column. Two-level columns ("组|列") match first, with their
    group, so that two "日期" leaves under 受理 and 办结 stay apart; single-level columns then match
    the remaining grid columns by their own label (a title row above the header does not matter)."""
    found: dict[str, list[int]] = {}
    claimed: set[int] = set()
    for column in columns:
        if column.group is not None:
            wanted = _wanted(column)
            found[column.name] = [j for j, forms in enumerate(labels) if wanted & forms]
            claimed.update(found[column.name])
    for column in columns:
        if column.group is None:
            wanted = _wanted(column)
            found[column.name] = [j for j, forms in enumerate(labels) if j not in claimed and wanted & forms]
    return {column.name: found[column.name] for column in columns}


def find_header(grid: Grid, ledger: Ledger) -> tuple[int, dict[str, list[int]], list[set[str]]]:
    """The header row (0-based index into grid.rows): the row whose labels match most columns."""
    best: tuple[int, int, dict[str, list[int]], list[set[str]]] | None = None
    width = grid_width(grid)
    for idx in range(min(HEADER_SCAN_ROWS, len(grid.rows))):
        leaf, parent = _fill_merged_header(grid, idx, width)
        labels = _labels(leaf, parent)
        found = _match(ledger.columns, labels)
        score = sum(1 for hits in found.values() if hits)
        if best is None or score > best[0]:
            best = (score, idx, found, labels)
    needed = max(2, (len(ledger.columns) + 1) // 2)
    if best is None or best[0] < needed:
        raise LedgerFileError(
            [
                Problem(
                    "F011",
                    "file",
                    grid.file,
                    sheet=grid.sheet,
                    table=ledger.table,
                    detail=f"前{HEADER_SCAN_ROWS}行中没有一行包含足够的列名(应有：{'、'.join(c.header for c in ledger.columns)})",
                )
            ]
        )
    return best[1], best[2], best[3]


def _is_footer(cells: list[object]) -> bool:
    first = next((c for c in cells if not V.is_empty(c)), None)
    return isinstance(first, str) and norm_header(first).startswith(FOOTER_PREFIXES)


def _mask(column: Column, raw: object) -> str:
    """How a raw value may appear in a quarantine report: personal values never appear."""
    if raw is None:
        return ""
    if isinstance(raw, CellFault):
        if column.personal and raw.code == "R119":
            return f"[已隐藏 公式，{len(raw.text)}字符]"
        return personal.mask_personal(raw.text)[0][:80]
    if column.personal:
        return f"[已隐藏 {column.kind}，{len(V.nfkc(raw).strip())}字符]"
    # A phone or ID number typed into a column that is not personal is masked here too (N207).
    return personal.mask_personal(V.nfkc(raw))[0][:80]


def _personal_notice(
    grid: Grid, ledger: Ledger, column: Column, sheet_row: int, masked: str, found: Counter[str]
) -> Problem:
    """N207: the cell, and the clean value already masked (the raw value never appears)."""
    kinds = "、".join(f"{label}×{n}" for label, n in found.items())
    return Problem(
        "N207",
        "notice",
        grid.file,
        grid.sheet,
        sheet_row,
        column.header,
        masked[:80],
        f"发现{kinds}，清洗结果中已遮蔽；请在原始台账中删除，或移到个人信息列",
        ledger.table,
    )


def row_id(table: str, sheet_row: int, month: int | None = None) -> str:
    """A clean row's id: `<table>-<row:05d>`, or `<table>-<month:02d>-<row:05d>` for a ledger kept as
    one sheet per month (row numbers repeat from sheet to sheet). Stable while the raw rows stay put."""
    return f"{table}-{sheet_row:05d}" if month is None else f"{table}-{month:02d}-{sheet_row:05d}"


@dataclass
class _SheetPass:
    """What cleaning one sheet of a ledger produced, before the sheets are put together."""

    grid: Grid
    header_row: int  # 1-based
    header: tuple[tuple[str, ...], tuple[tuple[str, int], ...]]  # header cells and column mapping
    rows_read: int
    ignored: list[str]
    file_problems: list[Problem]
    records: list[dict[str, object]] = field(default_factory=list)
    quarantine: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    bad_rows: set[tuple[str, int]] = field(default_factory=set)  # (sheet, row)


def _header_cells(sheet: _SheetPass) -> list[str]:
    cells = list(sheet.header[0])
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _month_header_problems(ledger: Ledger, passes: list[_SheetPass]) -> list[Problem]:
    """A month sheet whose header differs from the first month's (another column, a column missing or
    moved) is a file problem naming that sheet: the months are one table split by month."""
    if not ledger.monthly or len(passes) < 2:
        return []
    first = passes[0]
    if first.file_problems:
        return []
    cells = _header_cells(first)
    problems = []
    for sheet in passes[1:]:
        if sheet.file_problems or (_header_cells(sheet), sheet.header[1]) == (cells, first.header[1]):
            continue
        own = _header_cells(sheet)
        extra = [c for c in own if c and c not in cells]
        missing = [c for c in cells if c and c not in own]
        what = "；".join(
            [
                *([f"多出列「{'」「'.join(extra)}」"] if extra else []),
                *([f"缺少列「{'」「'.join(missing)}」"] if missing else []),
            ]
        )
        problems.append(
            Problem(
                "F011",
                "file",
                sheet.grid.file,
                sheet.grid.sheet,
                sheet.header_row,
                table=ledger.table,
                detail=f"表头与「{first.grid.sheet}」不同 (header differs)：{what or '列的顺序或分组不同'}；"
                f"每月一个工作表的台账，各月表头须与「{first.grid.sheet}」相同",
            )
        )
    return problems


def _missing_months(ledger: Ledger, grids: list[Grid]) -> list[Problem]:
    """N208: the months of a monthly ledger without a sheet (fine mid-year, named all the same)."""
    have = {g.month for g in grids}
    missing = [m for m in range(1, 13) if m not in have]
    if not missing:
        return []
    last = max(m for m in have if m is not None)
    names = [ledger.month_sheet_names(m)[0] for m in missing]
    gaps = [ledger.month_sheet_names(m)[0] for m in missing if m < last]
    detail = f"按「{ledger.sheet}」找到 {'、'.join(g.sheet for g in grids)}，没有 {'、'.join(names)} 的工作表"
    detail += (
        f"；其中 {'、'.join(gaps)} 在已有月份之间，请核对是否漏了该月的台账"
        if gaps
        else "；年中运行时以后的月份尚无工作表，年度报告前请补齐"
    )
    return [Problem("N208", "notice", grids[0].file, value="、".join(names), detail=detail, table=ledger.table)]


class LedgerCleaner:
    """Cleans ledgers of one report year with one pseudonymiser."""

    def __init__(self, year: int, pseudonymiser: Pseudonymiser, today: dt.date | None = None):
        self.year = year
        self.pseudonymiser = pseudonymiser
        self.today = today or dt.date(year + 1, 12, 31)

    def read_grids(self, ledger: Ledger, path: Path) -> list[Grid]:
        return read_ledger_grids(ledger, path)

    def clean(self, ledger: Ledger, path: Path) -> LedgerResult:
        """Clean one ledger: its one sheet (or CSV), or, kept as one sheet per month, each month's
        sheet cleaned the same way and the rows put together in month order. Every file-level
        problem of every sheet is raised at once."""
        return self.clean_grids(ledger, self.read_grids(ledger, path))

    def clean_grids(self, ledger: Ledger, grids: list[Grid]) -> LedgerResult:
        """`clean` of the grids read from the ledger's file: the result depends on nothing else
        (the ledger's layout, the year and the pseudonym key aside), which the clean step's cache
        relies on (`lawreport.run.clean_step.ledger_content_key`)."""
        seen: set[tuple[object, ...]] = set()  # exact duplicates are dropped across months too
        passes = [self._clean_sheet(ledger, grid, seen, first=k == 0) for k, grid in enumerate(grids)]
        file_problems = [p for sheet in passes for p in sheet.file_problems]
        file_problems.extend(_month_header_problems(ledger, passes))
        if file_problems:
            raise LedgerFileError(file_problems)
        records = [r for sheet in passes for r in sheet.records]
        quarantine = [p for sheet in passes for p in sheet.quarantine]
        bad_rows = {b for sheet in passes for b in sheet.bad_rows}
        notices = [p for sheet in passes for p in sheet.notices]
        dropped: Counter[str] = Counter()
        for sheet in passes:
            dropped.update(sheet.dropped)
        if ledger.monthly:
            notices[:0] = _missing_months(ledger, grids)

        key = ledger.key_column
        if key is not None and records:
            by_key: dict[object, list[dict[str, object]]] = {}
            for record in records:
                by_key.setdefault(record[key.clean_name], []).append(record)
            conflicts = {k for k, group in by_key.items() if len(group) > 1}
            if conflicts:
                kept = []
                for record in records:
                    value = record[key.clean_name]
                    if value in conflicts:
                        others = [r for r in by_key[value] if r is not record]
                        if ledger.monthly:
                            where = "、".join(f"「{r['source_sheet']}」第{r['source_row']}行" for r in others)
                        else:
                            where = f"第{'、'.join(str(r['source_row']) for r in others)}行"
                        quarantine.append(
                            Problem(
                                "R109",
                                "row",
                                str(record["source_file"]),
                                str(record["source_sheet"]),
                                int(record["source_row"]),  # type: ignore[arg-type]
                                key.header,
                                str(value) if not key.personal else "[已隐藏]",
                                f"与{where}编号相同但内容不同",
                                ledger.table,
                            )
                        )
                        bad_rows.add((str(record["source_sheet"]), int(record["source_row"])))  # type: ignore[arg-type]
                    else:
                        kept.append(record)
                records = kept

        table = self.to_frame(ledger, records)
        first = passes[0]
        sheets = (
            [
                {"sheet": x.grid.sheet, "month": x.grid.month, "header_row": x.header_row, "rows_read": x.rows_read}
                for x in passes
            ]
            if ledger.monthly
            else []
        )
        return LedgerResult(
            ledger=ledger,
            file=first.grid.file,
            sheet="、".join(x.grid.sheet for x in passes),
            header_row=first.header_row,
            table=table,
            quarantine=quarantine,
            notices=notices,
            rows_read=sum(x.rows_read for x in passes),
            rows_quarantined=len(bad_rows),
            dropped=dropped,
            ignored_columns=first.ignored,
            sheets=sheets,
        )

    def _clean_sheet(self, ledger: Ledger, grid: Grid, seen: set[tuple[object, ...]], first: bool) -> _SheetPass:
        """One sheet (or CSV) of a ledger: header, dropped rows, merged cells, parsed records and the
        rows' problems. File-level problems are returned, not raised, so that every sheet is seen."""
        header_idx, found, labels = find_header(grid, ledger)
        file_problems: list[Problem] = []
        mapping: dict[str, int] = {}
        for column in ledger.columns:
            hits = found[column.name]
            if len(hits) > 1:
                file_problems.append(
                    Problem(
                        "F013",
                        "file",
                        grid.file,
                        grid.sheet,
                        header_idx + grid.first_row,
                        column.header,
                        table=ledger.table,
                        detail=f"该列名出现 {len(hits)} 次(第{'、'.join(str(h + 1) for h in hits)}列)",
                    )
                )
            elif hits:
                mapping[column.name] = hits[0]
            elif column.required:
                file_problems.append(
                    Problem(
                        "F012",
                        "file",
                        grid.file,
                        grid.sheet,
                        header_idx + grid.first_row,
                        column.header,
                        table=ledger.table,
                        detail="请恢复该列或核对列名",
                    )
                )
        used = set(mapping.values())
        ignored = sorted(
            {
                "/".join(sorted(forms))
                for j, forms in enumerate(labels)
                if forms and j not in used and not (forms & INDEX_HEADERS)
            }
        )
        data_start = header_idx + 1
        rows = grid.rows[data_start:]
        width = max((len(r) for r in grid.rows), default=0)
        sheet = _SheetPass(
            grid=grid,
            header_row=header_idx + grid.first_row,
            header=(tuple(_fill_merged_header(grid, header_idx)[0]), tuple(sorted(mapping.items()))),
            rows_read=len(rows),
            ignored=ignored,
            file_problems=file_problems,
        )
        dropped, notices = sheet.dropped, sheet.notices
        # The month sheets of one ledger share their header (checked): its unknown columns are said once.
        notices.extend(
            Problem(
                "N204",
                "notice",
                grid.file,
                grid.sheet,
                header_idx + grid.first_row,
                col,
                table=ledger.table,
                detail="该列不在数据字典中，未进入清洗结果",
            )
            for col in (ignored if first else [])
        )
        notices.extend(self.remove_invisible(grid, ledger, mapping, data_start))
        keep_idx: list[int] = []
        for i, row in enumerate(rows):
            sheet_row = data_start + i + grid.first_row
            cells = list(row) + [None] * (width - len(row))
            if all(V.is_empty(c) for c in cells):
                dropped["N201"] += 1
                continue
            if _is_footer(cells):
                dropped["N202"] += 1
                notices.append(Problem("N202", "notice", grid.file, grid.sheet, sheet_row, table=ledger.table))
                continue
            signature = tuple(cells)
            if signature in seen:
                dropped["N203"] += 1
                notices.append(Problem("N203", "notice", grid.file, grid.sheet, sheet_row, table=ledger.table))
                continue
            seen.add(signature)
            keep_idx.append(i)

        # Merged cells in the data area need an explicit fill rule for their column.
        kept_set = set(keep_idx)
        col_by_index = {j: ledger.column(name) for name, j in mapping.items()}
        fills: list[tuple[int, int, int, int]] = []
        for r0, c0, r1, c1 in grid.merged:
            rows_in = [r - data_start for r in range(max(r0, data_start), r1 + 1) if r - data_start in kept_set]
            if r1 < data_start or not rows_in:
                continue
            for c in range(c0, c1 + 1):
                column = col_by_index.get(c)
                if column is None:
                    continue
                if column.fill_down and c0 == c1:
                    fills.append((r0, c0, r1, c1))
                else:
                    file_problems.append(
                        Problem(
                            "F014",
                            "file",
                            grid.file,
                            grid.sheet,
                            r0 + grid.first_row,
                            column.header,
                            table=ledger.table,
                            detail=f"合并区域 第{r0 + grid.first_row}-{r1 + grid.first_row}行；请取消合并并逐行填写",
                        )
                    )
        if file_problems:
            return sheet
        for r0, c0, r1, _ in fills:
            value = grid.rows[r0][c0] if c0 < len(grid.rows[r0]) else None
            for r in range(r0 + 1, r1 + 1):
                while len(grid.rows[r]) <= c0:
                    grid.rows[r].append(None)
                grid.rows[r][c0] = value

        records, quarantine = sheet.records, sheet.quarantine
        for i in keep_idx:
            sheet_row = data_start + i + grid.first_row
            row = grid.rows[data_start + i]
            record: dict[str, object] = {
                "row_id": row_id(ledger.table, sheet_row, grid.month),
                "source_file": grid.file,
                "source_sheet": grid.sheet,
                "source_row": sheet_row,
            }
            row_problems = []
            for column in ledger.columns:
                j = mapping.get(column.name)
                raw = row[j] if j is not None and j < len(row) else None
                try:
                    value = self.parse(column, raw, ledger, grid.date1904)
                    if value.__class__ is str and (
                        (column.kind == "text" and personal.may_hold_personal(value))
                        or (column.kind == "code" and len(value) >= 18)  # an ID number has 18 characters
                    ):
                        value, found_personal = self.mask_personal(column, value)
                        if found_personal:
                            notices.append(_personal_notice(grid, ledger, column, sheet_row, value, found_personal))
                    record[column.clean_name] = value
                except V.ValueProblem as problem:
                    row_problems.append(
                        Problem(
                            problem.code,
                            "row",
                            grid.file,
                            grid.sheet,
                            sheet_row,
                            column.header,
                            _mask(column, raw),
                            problem.detail,
                            ledger.table,
                        )
                    )
            for rule in ledger.checks:
                later, earlier = ROW_RULES[rule]
                a, b = record.get(later), record.get(earlier)
                if isinstance(a, dt.date) and isinstance(b, dt.date) and a < b:
                    col = ledger.column(later)
                    row_problems.append(
                        Problem(
                            "R117",
                            "row",
                            grid.file,
                            grid.sheet,
                            sheet_row,
                            col.header,
                            a.isoformat(),
                            f"早于「{ledger.column(earlier).header}」{b.isoformat()}",
                            ledger.table,
                        )
                    )
            if row_problems:
                quarantine.extend(row_problems)
                sheet.bad_rows.add((grid.sheet, sheet_row))
            else:
                records.append(record)
        return sheet

    def mask_personal(self, column: Column, value: str) -> tuple[str, Counter[str]]:
        """Personal data typed into a column that is not declared personal, masked in the clean value.

        - `text` columns: every shape of `lawreport.ledgers.personal` (ID numbers with a right check digit or
          15-digit legacy numbers, mobiles, landlines, bank cards passing Luhn, e-mail addresses) is
          replaced by `[已遮蔽:身份证号]`, `[已遮蔽:电话]` … The rest of the text is kept as it was.
        - `code` columns: only 18-digit ID numbers with a right check digit whose holder is at least
          16 at the end of the report year. Codes legitimately look like phones (an 11-digit ticket
          number), landlines (a 0-led 区划代码) or bank cards (long serials), so those shapes are left
          alone; an ID number typed as a code is the one shape that is surely personal. The age bound
          keeps serials built as 区划代码 + date + sequence (330102 20250305 0001, a date of the report
          year) from being taken for ID numbers; an ID number of a child typed into a code column is
          therefore not caught. The mask carries the keyed pseudonym (`[已遮蔽:身份证号:ID-…]`), so
          that the key column's duplicate check still sees equal numbers as equal.
        - `category` values come from a closed vocabulary (anything else is quarantined, R108, with the
          value masked in the report); personal kinds are pseudonymised; the other kinds are numbers,
          dates and flags.
        """
        if column.kind == "code":
            born_by = dt.date(self.year - 16, 12, 31)
            return personal.mask_personal(
                value,
                ids_only=True,
                today=self.today,
                born_by=born_by,
                mask=lambda label, number: f"[已遮蔽:{label}:{self.pseudonymiser.token('id_number', number.upper())}]",
            )
        return personal.mask_personal(value, today=self.today)

    @staticmethod
    def remove_invisible(grid: Grid, ledger: Ledger, mapping: dict[str, int], data_start: int) -> list[Problem]:
        """Remove invisible characters from every text cell of the data area, before blank, footer and
        duplicate rows are told apart, so that an id with a zero-width space still matches its twin.
        One N206 notice per ledger column, with the number of cells, characters and rows affected."""
        header_of = {j: ledger.column(name).header for name, j in mapping.items()}
        found: dict[int, tuple[list[int], Counter[str]]] = {}
        search = V.INVISIBLE.search
        for i in range(data_start, len(grid.rows)):
            row = grid.rows[i]
            for j, cell in enumerate(row):
                if cell.__class__ is str and not cell.isascii() and search(cell):
                    row[j] = V.strip_invisible(cell)
                    rows, counts = found.setdefault(j, ([], Counter()))
                    rows.append(i + grid.first_row)
                    counts.update(V.invisible_in(cell))
        notices = []
        for j, (rows, counts) in sorted(found.items()):
            if j not in header_of:
                continue  # a column that never reaches the clean table (see N204)
            kinds = "、".join(f"U+{ord(c):04X} {V.INVISIBLE_NAMES[c]}×{n}" for c, n in counts.most_common())
            where = "、".join(str(r) for r in rows[:10]) + ("…" if len(rows) > 10 else "")
            notices.append(
                Problem(
                    "N206",
                    "notice",
                    grid.file,
                    grid.sheet,
                    None,
                    header_of[j],
                    str(len(rows)),
                    f"{len(rows)} 个单元格共删除 {counts.total()} 个不可见字符({kinds})；第{where}行",
                    ledger.table,
                )
            )
        return notices

    def parse(self, column: Column, raw: object, ledger: Ledger, date1904: bool = False) -> object:
        """One cell to its clean value; raises ValueProblem. Personal values come back pseudonymised.

        A formula without a cached value (R119) and an Excel error value (R120) are problems in every
        column, nullable or not: they are not empty cells, whatever the value would have been."""
        if isinstance(raw, CellFault):
            if raw.code == "R119":
                raise V.ValueProblem("R119", "公式保存时没有计算结果；请在 Excel/WPS 中重新计算后保存，或改为粘贴数值")
            raise V.ValueProblem("R120", f"单元格的值是错误值 {raw.text}；请修正公式或改填数值")
        error = V.excel_error(raw)
        if error is not None:
            raise V.ValueProblem("R120", f"文本「{error}」是 Excel 错误值(导出时公式出错)；请修正源数据后重新导出")
        if V.is_empty(raw):
            if column.nullable:
                return None
            raise V.ValueProblem("R107", "该列不允许为空")
        kind = column.kind
        if kind == "text":
            return V.parse_text(raw)
        if kind == "code":
            return V.parse_code(raw)
        if kind == "category":
            return V.parse_category(raw, column.allowed)
        if kind in ("int", "amount"):
            number: float = V.parse_int(raw) if kind == "int" else V.parse_amount(raw)
            if number < 0:
                raise V.ValueProblem("R105", "数值不应为负")
            if column.maximum is not None and number > column.maximum:
                raise V.ValueProblem("R106", f"超过上限 {column.maximum:g}")
            return number
        if kind == "date":
            date = V.parse_date(raw, date1904)
            if column.in_year and not ledger.multi_year and date.year != self.year:
                raise V.ValueProblem("R103", f"应在 {self.year} 年内，实为 {date.isoformat()}")
            return date
        if kind == "month":
            return V.parse_month(raw)
        if kind == "year":
            return V.parse_year(raw)
        if kind == "flag":
            return V.parse_flag(raw)
        if kind == "id_number":
            return self.pseudonymiser.token(kind, V.parse_id_number(raw, self.today))
        if kind == "phone":
            return self.pseudonymiser.token(kind, V.parse_phone(raw))
        if kind in ("person_name", "address", "narrative"):
            return self.pseudonymiser.token(kind, V.fold_spaces(V.nfkc(raw) if kind != "narrative" else str(raw)))
        raise AssertionError(f"unknown kind {kind}")

    @staticmethod
    def to_frame(ledger: Ledger, records: list[dict[str, object]]) -> pd.DataFrame:
        import pandas as pd

        columns = [*SOURCE_COLUMNS, *(c.clean_name for c in ledger.columns)]
        frame = pd.DataFrame.from_records(records, columns=columns)
        frame["source_row"] = frame["source_row"].astype("Int64")
        for name in ("row_id", "source_file", "source_sheet"):
            frame[name] = frame[name].astype("string")
        for column in ledger.columns:
            dtype = KIND_DTYPES.get(column.kind, "string")
            series = frame[column.clean_name]
            if column.kind == "date":
                frame[column.clean_name] = pd.to_datetime(series.astype(object), errors="raise").astype(dtype)
            else:
                frame[column.clean_name] = series.astype(object).where(series.notna(), None).astype(dtype)
        return frame
