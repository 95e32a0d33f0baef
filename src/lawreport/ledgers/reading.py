"""Reading raw ledger files into a grid of cells, with file-level checks.

Reads .xlsx through python-calamine (the fastest sound reader: Rust, bounded, no formulas run)
and CSV exports through the csv module after an explicit encoding decision. Nothing here writes.

calamine reads a formula cell saved without a cached value, and an Excel error value (`t="e"`), as
'' — the same as an empty cell — and refuses the whole sheet on error values it does not know
(`#GETTING_DATA`, `#SPILL!` …). So the sheet's XML is also scanned once, streaming, for exactly
those cells (`scan_sheet_faults`); they come back in the grid as `CellFault` values, never as ''.

A ledger kept as one sheet per month (一月一表, `sheet: "{month}月"`) is read as one grid per month
present (`read_ledger_grids`); whatever goes back from a clean row to its raw cell reads the sheet the
row names (`read_ledger_sheet`).
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import posixpath
import re
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.parsers import expat

import python_calamine as calamine

from .errors import LedgerFileError, Problem
from .spec import Ledger

# An xlsx whose parts unpack to more than this is refused before any XML is parsed.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The error values python-calamine knows; it refuses a sheet holding any other (`#GETTING_DATA` …).
CALAMINE_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})
SCAN_CHUNK = 1 << 16
# Cheap test on the raw sheet XML: a cell formula element (`<f>`, `<x:f …>`) or an error cell (`t="e"`).
_FAULT_HINT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]|\st\s*=\s*[\"']e[\"']")
_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d+)")


@dataclass(frozen=True)
class CellFault:
    """A cell that holds no usable value: R119 (formula without cached value), R120 (error value)."""

    code: str  # "R119" or "R120"
    text: str  # the formula ("=SUM(B2:B9)") or the error literal ("#N/A")

    def __str__(self) -> str:
        return self.text


@dataclass
class Grid:
    """The cells of one sheet (or CSV), row 1 first, with merged ranges (0-based, inclusive)."""

    file: str
    sheet: str
    rows: list[list[object]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (r0, c0, r1, c1)
    first_row: int = 1  # the sheet row number of rows[0]
    faults: int = 0  # how many cells are CellFault values
    date1904: bool = False  # the workbook counts date serials from 1904-01-01 (Excel for Mac, some WPS files)
    month: int | None = None  # the month of a ledger kept as one sheet per month (一月一表)


def _fail(code: str, file: str, detail: str, sheet: str = "", table: str = "") -> LedgerFileError:
    return LedgerFileError([Problem(code, "file", file, sheet=sheet, detail=detail, table=table)])


def sniff_file_type(path: Path) -> str:
    """What the bytes really are: xlsx, ole-encrypted, xls, csv-text, empty, or unknown."""
    with path.open("rb") as handle:
        head = handle.read(8192)
    if not head:
        return "empty"
    if head.startswith(b"PK"):
        return "zip"
    if head.startswith(OLE_MAGIC):
        data = path.read_bytes()
        # Encrypted OOXML is an OLE container holding an "EncryptedPackage" stream (UTF-16 name).
        if "EncryptedPackage".encode("utf-16-le") in data:
            return "ole-encrypted"
        return "xls"
    if head.lstrip().lower().startswith((b"<html", b"<!doctype html", b"<?xml")):
        return "html-or-xml"
    return "text"


def _check_zip(path: Path, table: str) -> None:
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
                raise _fail("F004", name, "这是一个 zip 压缩包，但不是 Excel 工作簿", table=table)
            total = sum(info.file_size for info in infos)
            packed = sum(info.compress_size for info in infos) or 1
            if total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_COMPRESSION_RATIO and total > 10_000_000:
                raise _fail("F006", name, f"解压后 {total} 字节，超出上限", table=table)
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    with archive.open(info) as part:
                        head = part.read(4096)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise _fail("F006", name, f"{info.filename} 含有 DOCTYPE/ENTITY 声明", table=table)
            bad = archive.testzip()
            if bad is not None:
                raise _fail("F003", name, f"压缩包成员 {bad} 校验失败", table=table)
    except zipfile.BadZipFile as exc:
        raise _fail("F003", name, f"无法作为 zip 打开：{exc}", table=table) from None


def check_xlsx_file(path: Path, table: str = "") -> None:
    """File-level checks before an .xlsx is opened: empty, wrong type, encrypted, corrupt, bomb."""
    kind = sniff_file_type(path)
    name = path.name
    if kind == "empty":
        raise _fail("F002", name, "文件大小为 0 字节", table=table)
    if kind == "ole-encrypted":
        raise _fail("F005", name, "请取消密码后另存为 .xlsx", table=table)
    if kind == "xls":
        raise _fail("F004", name, "实际是旧版 Excel 97-2003 (.xls) 文件，请另存为 .xlsx", table=table)
    if kind == "text":
        raise _fail("F004", name, "实际是文本文件(可能是 CSV)，请用 Excel 另存为 .xlsx", table=table)
    if kind == "html-or-xml":
        raise _fail("F004", name, "实际是 HTML/XML 文本，不是 .xlsx", table=table)
    _check_zip(path, table)


def _local(name: str) -> str:
    """Element name without namespace ("{ns}c", "x:c" -> "c")."""
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _column_index(letters: str) -> int:
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index - 1


def _resolve(base_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def _rels(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, resolved target) of one part."""
    rels_part = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    try:
        root = ET.fromstring(archive.read(rels_part))
    except (KeyError, ET.ParseError):
        return {}
    return {
        rel.get("Id", ""): (rel.get("Type", ""), _resolve(part, rel.get("Target", "")))
        for rel in root
        if _local(rel.tag) == "Relationship" and rel.get("TargetMode") != "External"
    }


@dataclass(frozen=True)
class WorkbookInfo:
    """What calamine does not say about a workbook: its date system and where each sheet's XML is."""

    date1904: bool
    sheet_parts: dict[str, str]  # sheet name -> zip member


def workbook_info(archive: zipfile.ZipFile) -> WorkbookInfo:
    book_part = next(
        (target for kind, target in _rels(archive, "").values() if kind.endswith("/officeDocument")),
        "xl/workbook.xml",
    )
    try:
        root = ET.fromstring(archive.read(book_part))
    except (KeyError, ET.ParseError):
        return WorkbookInfo(False, {})
    rels = _rels(archive, book_part)
    date1904 = False
    parts: dict[str, str] = {}
    for element in root.iter():
        name = _local(element.tag)
        if name == "workbookPr":
            date1904 = element.get("date1904", "").strip().lower() in ("1", "true")
        elif name == "sheet":
            rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), "")
            if rid in rels:
                parts[element.get("name", "")] = rels[rid][1]
    return WorkbookInfo(date1904, parts)


def _may_hold_faults(archive: zipfile.ZipFile, part: str) -> bool:
    """A byte scan for formula elements or error cells, so that sheets without either are not parsed."""
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(SCAN_CHUNK):
            data = tail + chunk
            # Plain substring tests first (fast); the pattern only confirms a candidate chunk.
            if b"<f" in data or b":f" in data or b'"e"' in data or b"'e'" in data:
                if _FAULT_HINT.search(data):
                    return True
            tail = chunk[-64:]
    return False


class _FaultScanner:
    """Streaming (expat) pass over a sheet's XML that keeps only the cells calamine reads as ''."""

    def __init__(self) -> None:
        self.faults: dict[tuple[int, int], CellFault] = {}
        self.shared: dict[str, str] = {}  # shared formula id -> the master formula's text
        self.row = -1
        self.col = -1
        self.cell: tuple[int, int] | None = None
        self.cell_type = "n"
        self.formula: list[str] | None = None
        self.shared_id: str | None = None
        self.value: list[str] | None = None
        self.capture: list[str] | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        name = _local(name)
        if name == "row":
            number = attrs.get("r", "")
            self.row = int(number) - 1 if number.isdigit() else self.row + 1
            self.col = -1
        elif name == "c":
            match = _CELL_REF.fullmatch(attrs.get("r", ""))
            if match:
                self.row, self.col = int(match.group(2)) - 1, _column_index(match.group(1))
            else:
                self.col += 1
            self.cell = (self.row, self.col)
            self.cell_type = attrs.get("t", "n")
            self.formula = self.value = self.shared_id = None
        elif self.cell is not None and name == "f":
            self.formula = self.capture = []
            self.shared_id = attrs.get("si") if attrs.get("t") == "shared" else None
        elif self.cell is not None and name == "v":
            self.value = self.capture = []

    def end(self, name: str) -> None:
        name = _local(name)
        if name in ("f", "v"):
            self.capture = None
            if name == "f" and self.formula and self.shared_id is not None:
                self.shared.setdefault(self.shared_id, "".join(self.formula))
        elif name == "c" and self.cell is not None:
            value = None if self.value is None else "".join(self.value).strip()
            fault = None
            if self.cell_type == "e" and value:
                fault = CellFault("R120", value)
            elif self.formula is not None and (value is None or (value == "" and self.cell_type != "str")):
                text = "".join(self.formula).strip() or self.shared.get(self.shared_id or "", "").strip()
                fault = CellFault("R119", f"={text}" if text else "=(公式)")
            elif self.cell_type == "e":
                fault = CellFault("R120", "#(未知错误值)")
            if fault is not None:
                self.faults[self.cell] = fault
            self.cell = None

    def data(self, text: str) -> None:
        if self.capture is not None:
            self.capture.append(text)


def _refuse_doctype(*_args: object) -> None:
    raise ValueError("DOCTYPE")


_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet\b")
_R_ATTR = re.compile(rb"\br\s*=\s*[\"']([A-Za-z]{1,3})(\d+)[\"']")
_T_ATTR = re.compile(rb"\bt\s*=\s*[\"'](\w+)[\"']")
_SI_ATTR = re.compile(rb"\bsi\s*=\s*[\"'](\d+)[\"']")
_T_IS_E = re.compile(rb"\bt\s*=\s*$")


@dataclass(frozen=True)
class _SheetPatterns:
    """Byte patterns for the elements of one sheet part, spelt with its namespace prefix: a pattern
    that starts with a literal ("<f", "<x:f") lets `re` skip ahead fast to the few places that matter."""

    formula_without_value: re.Pattern[bytes]  # <f …>…</f> then no value (or an empty one), then </c>
    shared_master: re.Pattern[bytes]
    cell_start: re.Pattern[bytes]
    cell_end: bytes
    value: re.Pattern[bytes]
    value_start: re.Pattern[bytes]
    formula_start: re.Pattern[bytes]


@lru_cache(maxsize=8)
def _sheet_patterns(prefix: bytes) -> _SheetPatterns:
    ns = re.escape(prefix + b":") if prefix else b""
    return _SheetPatterns(
        formula_without_value=re.compile(
            b"<" + ns + rb"f\b([^>]*?)(?:/>|>([^<]*)</" + ns + rb"f>)\s*"
            rb"(?:<" + ns + rb"v\s*/>|<" + ns + rb"v>\s*</" + ns + rb"v>)?\s*</" + ns + rb"c>"
        ),
        shared_master=re.compile(b"<" + ns + rb"f\b[^>]*?\bsi\s*=\s*[\"'](\d+)[\"'][^>]*>([^<]+)</" + ns + rb"f>"),
        cell_start=re.compile(b"<" + ns + rb"c\b([^>]*)>"),
        cell_end=b"</" + (prefix + b":" if prefix else b"") + b"c>",
        value=re.compile(b"<" + ns + rb"v>([^<]*)</" + ns + rb"v>"),
        value_start=re.compile(b"<" + ns + rb"v[\s/>]"),
        formula_start=re.compile(b"<" + ns + rb"f[\s/>]"),
    )


def _text(data: bytes) -> str:
    return html.unescape(data.decode("utf-8", "replace")).strip()


def _cell_position(attrs: bytes) -> tuple[int, int] | None:
    match = _R_ATTR.search(attrs)
    if match is None:
        return None
    return int(match.group(2)) - 1, _column_index(match.group(1).decode("ascii"))


def _cell_start(data: bytes, pos: int, pattern: re.Pattern[bytes]) -> re.Match[bytes] | None:
    """The start tag of the cell that holds position `pos` (in the tag or after it)."""
    window, stop = 256, min(len(data), pos + 256)
    while True:
        starts = [m for m in pattern.finditer(data, max(0, pos - window), stop) if m.start() < pos]
        if starts or window > pos:
            return starts[-1] if starts else None
        window *= 4


def _error_cells(data: bytes, patterns: _SheetPatterns) -> list[re.Match[bytes]]:
    """Start tags of the cells with t="e" (found by plain substring search: error cells are rare)."""
    found = []
    for needle in (b'"e"', b"'e'"):
        pos = data.find(needle)
        while pos >= 0:
            if _T_IS_E.search(data, max(0, pos - 16), pos):
                cell = _cell_start(data, pos, patterns.cell_start)
                if cell is not None and cell.start() < pos < cell.end():
                    found.append(cell)
            pos = data.find(needle, pos + 3)
    return found


def _faults_in(
    data: bytes, patterns: _SheetPatterns, shared: dict[bytes, str], faults: dict[tuple[int, int], CellFault]
) -> bool:
    """Record the faults of whole rows of sheet XML; False when a fault cell has no `r` reference."""
    for match in patterns.shared_master.finditer(data):
        shared.setdefault(match.group(1), _text(match.group(2)))
    for cell in _error_cells(data, patterns):
        position = _cell_position(cell.group(1))
        if position is None:
            return False
        if cell.group(1).rstrip().endswith(b"/"):
            body = b""  # <c r="A1" t="e"/>
        else:
            close = data.find(patterns.cell_end, cell.end())
            body = data[cell.end() : close if close >= 0 else len(data)]
        value = patterns.value.search(body)
        if value is not None and value.group(1).strip():
            faults[position] = CellFault("R120", _text(value.group(1)))
        elif not patterns.formula_start.search(body):  # (a formula without its value is R119, below)
            faults[position] = CellFault("R120", "#(未知错误值)")
    for match in patterns.formula_without_value.finditer(data):
        cell = _cell_start(data, match.start(), patterns.cell_start)
        position = _cell_position(cell.group(1)) if cell else None
        if cell is None or position is None:
            return False
        cell_type = _T_ATTR.search(cell.group(1))
        if (
            cell_type is not None
            and cell_type.group(1) == b"str"
            and patterns.value_start.search(data, match.start(), match.end())
        ):
            continue  # t="str" with an empty <v></v>: the formula's cached result is an empty string
        text = _text(match.group(2) or b"")
        if not text:
            si = _SI_ATTR.search(match.group(1))
            text = shared.get(si.group(1), "") if si else ""
        faults[position] = CellFault("R119", f"={text}" if text else "=(公式)")
    return True


def scan_sheet_faults(archive: zipfile.ZipFile, part: str) -> dict[tuple[int, int], CellFault]:
    """(row, column), 0-based, of every formula cell without a cached value and every error cell.

    Skips the part when a byte scan finds neither a formula nor an error cell (the common case).
    Otherwise reads it in chunks cut at row ends (bounded memory) and finds just the fault cells with
    byte patterns, so that sheets full of formulas with cached values cost little; a fault cell
    without an `r` reference (allowed, rare) sends the sheet through the expat scanner instead."""
    if not _may_hold_faults(archive, part):
        return {}
    faults: dict[tuple[int, int], CellFault] = {}
    shared: dict[bytes, str] = {}
    complete = True
    patterns: _SheetPatterns | None = None
    with archive.open(part) as stream:
        carry = b""
        while complete:
            chunk = stream.read(SCAN_CHUNK)
            data = carry + chunk
            if patterns is None:
                root = _ROOT.search(data)
                if root is None and chunk:
                    carry = data
                    continue
                patterns = _sheet_patterns(root.group(1) or b"" if root else b"")
            if not chunk:
                complete = _faults_in(data, patterns, shared, faults)
                break
            cut = data.rfind(b"row>")
            if cut < 0:
                carry = data
                continue
            complete = _faults_in(data[: cut + 4], patterns, shared, faults)
            carry = data[cut + 4 :]
    if complete:
        return faults
    return _scan_with_expat(archive, part)


def _scan_with_expat(archive: zipfile.ZipFile, part: str) -> dict[tuple[int, int], CellFault]:
    """The same scan through expat, cell by cell: slower, but follows cells without `r` references."""
    scanner = _FaultScanner()
    parser = expat.ParserCreate()
    parser.StartElementHandler = scanner.start
    parser.EndElementHandler = scanner.end
    parser.CharacterDataHandler = scanner.data
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    with archive.open(part) as stream:
        while chunk := stream.read(SCAN_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    return scanner.faults


def _without_unknown_errors(path: Path, part: str) -> io.BytesIO:
    """An in-memory copy of the workbook whose error cells calamine refuses read `#N/A` instead
    (the real literal is kept as a CellFault). The raw file is not touched."""
    pattern = re.compile(rb"(<(?:[\w.-]+:)?v>)\s*(#[^<]{1,40}?)\s*(</(?:[\w.-]+:)?v>)")

    def known(match: re.Match[bytes]) -> bytes:
        literal = match.group(2).decode("utf-8", "backslashreplace")
        return match.group(0) if literal in CALAMINE_ERRORS else match.group(1) + b"#N/A" + match.group(3)

    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, pattern.sub(known, data) if info.filename == part else data)
    buffer.seek(0)
    return buffer


def _place_faults(rows: list[list[object]], faults: dict[tuple[int, int], CellFault]) -> None:
    """Put the faults into calamine's grid; calamine leaves value-less cells out of its range."""
    for (r, c), fault in faults.items():
        while len(rows) <= r:
            rows.append([])
        if len(rows[r]) <= c:
            rows[r].extend([""] * (c + 1 - len(rows[r])))
        rows[r][c] = fault


def normalise_name(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).lower()


def _open_workbook(path: Path, table: str) -> calamine.CalamineWorkbook:
    check_xlsx_file(path, table)
    try:
        return calamine.CalamineWorkbook.from_path(str(path))
    except calamine.PasswordError:
        raise _fail("F005", path.name, "请取消密码后另存为 .xlsx", table=table) from None
    except Exception as exc:  # calamine raises several error types for broken files
        raise _fail("F003", path.name, f"无法读取：{type(exc).__name__}", table=table) from None


def read_xlsx_sheet(path: Path, sheet: str, table: str = "") -> Grid:
    """Read one sheet as a grid of Python values. Refuses hidden, missing or ambiguous sheets."""
    workbook = _open_workbook(path, table)
    try:
        metadata = {m.name: m for m in workbook.sheets_metadata}
        return _read_sheet(path, workbook, metadata, sheet, table)
    finally:
        workbook.close()


_MONTH_LIKE = re.compile(r"^(?:\d{1,2}|[一二三四五六七八九十]{1,3})月")


def month_sheets(ledger: Ledger, names: list[str]) -> dict[int, list[str]]:
    """Month (1..12) -> the sheets among `names` that are that month's sheet of a monthly ledger:
    the pattern with 3, 03 or 三 put in, compared after NFKC and without spaces (「３月」「3 月」)."""
    wanted = {normalise_name(form): month for month in range(1, 13) for form in ledger.month_sheet_names(month)}
    found: dict[int, list[str]] = {}
    for name in names:
        month = wanted.get(normalise_name(name))
        if month is not None:
            found.setdefault(month, []).append(name)
    return dict(sorted(found.items()))


def read_month_sheets(path: Path, ledger: Ledger) -> list[Grid]:
    """Every month's sheet of a ledger kept as one sheet per month, in month order, each checked as
    read_xlsx_sheet checks one sheet (hidden, similar names). No month at all: F008 naming the
    pattern and the sheets the file has; two sheets for one month (3月 and 03月): F010."""
    assert ledger.sheet is not None
    table, name = ledger.table, path.name
    workbook = _open_workbook(path, table)
    try:
        metadata = {m.name: m for m in workbook.sheets_metadata}
        found = month_sheets(ledger, list(metadata))
        if not found:
            examples = "、".join(ledger.month_sheet_names(1))
            raise _fail(
                "F008",
                name,
                f"应有每月一个工作表「{ledger.sheet}」(如 {examples})，一个也没有找到；现有工作表：{'、'.join(metadata)}",
                sheet=ledger.sheet,
                table=table,
            )
        problems = [
            Problem(
                "F010",
                "file",
                name,
                sheet=sheets[0],
                detail=f"{month}月有 {len(sheets)} 个工作表：「{'」「'.join(sheets)}」，请删除或改名多余的工作表",
                table=table,
            )
            for month, sheets in found.items()
            if len(sheets) > 1
        ]
        # A sheet named like a month's (4月份, 4月（补录）) that the pattern does not take would be
        # left out silently, and with it a month of rows: the analyst renames it or moves it out.
        taken = {sheet for sheets in found.values() for sheet in sheets}
        for other in metadata:
            if other not in taken and _MONTH_LIKE.match(normalise_name(other)):
                problems.append(
                    Problem(
                        "F010",
                        "file",
                        name,
                        sheet=other,
                        detail=f"工作表「{other}」像某月的台账，但不符合「{ledger.sheet}」，不会被读取："
                        f"请改名为 {'、'.join(ledger.month_sheet_names(1)[:2])} 这样的名称，或移出工作簿",
                        table=table,
                    )
                )
        if problems:
            raise LedgerFileError(problems)
        siblings = frozenset(sheets[0] for sheets in found.values())
        grids = []
        for month, (sheet,) in found.items():
            try:
                grid = _read_sheet(path, workbook, metadata, sheet, table, siblings)
            except LedgerFileError as error:
                problems.extend(error.problems)
                continue
            grid.month = month
            grids.append(grid)
        if problems:
            raise LedgerFileError(problems)
        return grids
    finally:
        workbook.close()


def read_ledger_grids(ledger: Ledger, path: Path) -> list[Grid]:
    """The grids a ledger's table is read from: the CSV, its one sheet, or each month's sheet."""
    if ledger.fmt == "csv":
        return [read_csv_export(path, ledger.table)]
    assert ledger.sheet is not None
    if ledger.monthly:
        return read_month_sheets(path, ledger)
    return [read_xlsx_sheet(path, ledger.sheet, ledger.table)]


def read_ledger_sheet(ledger: Ledger, path: Path, sheet: str) -> Grid:
    """The one grid a clean row's `source_sheet` names (the CSV for a CSV export): for a ledger kept as
    one sheet per month, that month's sheet, read as the cleaner read it (its sibling months are not
    taken for copies of it)."""
    if ledger.fmt == "csv":
        return read_csv_export(path, ledger.table)
    if not ledger.monthly:
        return read_xlsx_sheet(path, sheet, ledger.table)
    workbook = _open_workbook(path, ledger.table)
    try:
        metadata = {m.name: m for m in workbook.sheets_metadata}
        found = month_sheets(ledger, list(metadata))
        siblings = frozenset(name for names in found.values() for name in names)
        grid = _read_sheet(path, workbook, metadata, sheet, ledger.table, siblings)
        grid.month = next((month for month, names in found.items() if sheet in names), None)
        return grid
    finally:
        workbook.close()


def _read_sheet(
    path: Path,
    workbook: calamine.CalamineWorkbook,
    metadata: dict[str, Any],
    sheet: str,
    table: str,
    siblings: frozenset[str] = frozenset(),
) -> Grid:
    """One sheet of an open workbook; `siblings` are the other month sheets of the same ledger, which
    may look alike (月1, 月10) without being taken for a stray copy."""
    name = path.name
    wanted = normalise_name(sheet)
    similar = [
        n
        for n in metadata
        if n != sheet
        and n not in siblings
        and (normalise_name(n).startswith(wanted) or wanted.startswith(normalise_name(n)))
    ]
    if sheet not in metadata:
        hint = f"；名称相近的工作表：{'、'.join(similar)}" if similar else f"；现有工作表：{'、'.join(metadata)}"
        raise _fail("F008", name, f"应有工作表「{sheet}」{hint}", sheet=sheet, table=table)
    if similar:
        raise _fail(
            "F010",
            name,
            f"「{sheet}」与「{'、'.join(similar)}」名称相近，请删除或改名多余的工作表",
            sheet=sheet,
            table=table,
        )
    if str(metadata[sheet].visible) != str(calamine.SheetVisibleEnum.Visible):
        raise _fail("F009", name, "请确认该表是否为当年在用台账，取消隐藏后重试", sheet=sheet, table=table)
    try:
        with zipfile.ZipFile(path) as archive:
            info = workbook_info(archive)
            part = info.sheet_parts.get(sheet)
            faults = scan_sheet_faults(archive, part) if part else {}
    except (ValueError, KeyError, zipfile.BadZipFile, expat.ExpatError) as exc:
        raise _fail("F003", name, f"工作表 XML 无法解析：{type(exc).__name__}", sheet=sheet, table=table) from None
    try:
        rows, merged_raw = _calamine_sheet(workbook, sheet)
    except Exception as exc:
        unknown = part and any(f.code == "R120" and f.text not in CALAMINE_ERRORS for f in faults.values())
        if not unknown:
            raise _fail("F003", name, f"工作表无法读取：{type(exc).__name__}", sheet=sheet, table=table) from None
        # calamine refuses error values it does not know (#GETTING_DATA, #SPILL! …): read a copy
        # in which they say #N/A; the real literals are in `faults`.
        patched = calamine.CalamineWorkbook.from_filelike(_without_unknown_errors(path, str(part)))
        try:
            rows, merged_raw = _calamine_sheet(patched, sheet)
        except Exception as exc2:
            raise _fail("F003", name, f"工作表无法读取：{type(exc2).__name__}", sheet=sheet, table=table) from None
        finally:
            patched.close()
    merged = [(a[0], a[1], b[0], b[1]) for a, b in merged_raw]
    grid_rows = [list(r) for r in rows]
    _place_faults(grid_rows, faults)
    return Grid(
        file=name,
        sheet=sheet,
        rows=grid_rows,
        merged=merged,
        first_row=1,
        faults=len(faults),
        date1904=info.date1904,
    )


def _calamine_sheet(workbook: calamine.CalamineWorkbook, sheet: str) -> tuple[list, list]:
    sheet_obj = workbook.get_sheet_by_name(sheet)
    return sheet_obj.to_python(skip_empty_area=False), sheet_obj.merged_cell_ranges or []


def decide_encoding(data: bytes) -> str:
    """BOMs first, then UTF-8 (strict), then GB18030 (strict). Never decode with errors='replace'."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = data[:4096]
    if sample and sample.count(b"\x00") > len(sample) // 4:
        # UTF-16 without a BOM: ASCII characters leave every other byte zero.
        return "utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be"
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ValueError("undecidable")


def read_csv_export(path: Path, table: str = "") -> Grid:
    """Read a platform CSV export as a grid of strings."""
    name = path.name
    data = path.read_bytes()
    if not data:
        raise _fail("F002", name, "文件大小为 0 字节", table=table)
    if data.startswith(b"PK") or data.startswith(OLE_MAGIC):
        raise _fail("F004", name, "实际是 Excel 文件，不是 CSV 文本", table=table)
    try:
        encoding = decide_encoding(data)
        text = data.decode(encoding)
    except (ValueError, UnicodeDecodeError):
        raise _fail("F007", name, "既不是 UTF-8/UTF-16，也不是 GB18030，请从平台重新导出", table=table) from None
    delimiter = "\t" if encoding.startswith("utf-16") and "\t" in text.splitlines()[0] else ","
    rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    return Grid(file=name, sheet="", rows=rows, merged=[], first_row=1)
