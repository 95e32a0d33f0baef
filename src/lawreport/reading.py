"""Reading raw ledger files into a grid of cells, with file-level checks.

Reads .xlsx through python-calamine (the fastest sound reader: Rust, bounded, no formulas run)
and CSV exports through the csv module after an explicit encoding decision. Nothing here writes.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine as calamine

from .errors import LedgerFileError, Problem

# An xlsx whose parts unpack to more than this is refused before any XML is parsed.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Grid:
    """The cells of one sheet (or CSV), row 1 first, with merged ranges (0-based, inclusive)."""

    file: str
    sheet: str
    rows: list[list[object]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (r0, c0, r1, c1)
    first_row: int = 1  # the sheet row number of rows[0]


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


def normalise_name(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).lower()


def read_xlsx_sheet(path: Path, sheet: str, table: str = "") -> Grid:
    """Read one sheet as a grid of Python values. Refuses hidden, missing or ambiguous sheets."""
    check_xlsx_file(path, table)
    name = path.name
    try:
        workbook = calamine.CalamineWorkbook.from_path(str(path))
    except calamine.PasswordError:
        raise _fail("F005", name, "请取消密码后另存为 .xlsx", table=table) from None
    except Exception as exc:  # calamine raises several error types for broken files
        raise _fail("F003", name, f"无法读取：{type(exc).__name__}", table=table) from None
    try:
        metadata = {m.name: m for m in workbook.sheets_metadata}
        wanted = normalise_name(sheet)
        similar = [
            n
            for n in metadata
            if n != sheet and (normalise_name(n).startswith(wanted) or wanted.startswith(normalise_name(n)))
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
            sheet_obj = workbook.get_sheet_by_name(sheet)
            rows = sheet_obj.to_python(skip_empty_area=False)
            merged_raw = sheet_obj.merged_cell_ranges or []
        except Exception as exc:
            raise _fail("F003", name, f"工作表无法读取：{type(exc).__name__}", sheet=sheet, table=table) from None
    finally:
        workbook.close()
    merged = [(a[0], a[1], b[0], b[1]) for a, b in merged_raw]
    return Grid(file=name, sheet=sheet, rows=[list(r) for r in rows], merged=merged, first_row=1)


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
