"""Reading a report document (.txt, .docx, .html/.htm, .pdf) into plain text for `lawreport check`.

Reads one file, never writes. What each format gives:

- `.txt`: exactly the decoded file (offsets are those of the file), its encoding decided by
  `lawreport.ledgers.reading.decide_encoding`, as for ledger CSV exports (BOM, UTF-8, GB18030; no
  `errors="replace"` anywhere).
- `.docx`: body paragraphs and tables in document order, one paragraph per line, a table row per line
  with its cells separated by tabs. Tracked changes are read as if all were accepted (insertions and
  moves kept where they land, deletions dropped, a deleted paragraph mark joins two paragraphs);
  comments, footnotes, headers and footers are not part of the text. Read straight from the XML with
  `zipfile` + `expat`, streaming (bounded memory), DOCTYPE/ENTITY declarations refused.
- `.html`: the article only. Known government-CMS containers first (`div#zoom`, `div.TRS_Editor`,
  `#UCAP-CONTENT`, `div.pages_content`, `div.article-content` …), then a text-density heuristic (the
  block with most Chinese text in its own paragraphs and fewest links). Menus, breadcrumbs, share and
  print buttons, footers, scripts and styles are left out; paragraphs are separated by newlines.
- `.pdf`: the text layer page by page through PDFium; lines that a page merely wrapped are joined
  again (so `95.` + newline + `9%` reads `95.9%`), page numbers at the top or bottom of a page dropped.
  A PDF with no text layer (a scan) is refused, never read as an empty report.

Library choices (for the README):
- docx: the standard library (`zipfile` + `xml.parsers.expat`) instead of python-docx, which has no
  model of tracked changes (`w:ins`, `w:del`, moves, deleted paragraph marks and table rows); reading
  the XML directly resolves them precisely, streams, and adds no dependency.
- html: the standard library `html.parser` with a small tolerant tree builder. Government pages are
  small (10–300 KB), so its speed is enough (a few ms), and it needs no compiled dependency (lxml) or
  a second tree API (BeautifulSoup).
- pdf: pypdfium2 (PDFium, the engine of Chrome's PDF viewer; a self-contained binary wheel, no
  system library). About 20 times faster than pure-Python pypdf at extracting a 20k-character Chinese
  report (≈ 0.02 s against ≈ 0.35 s), tolerant of damaged files, and it gives character boxes, which
  the wrapped-line joining needs. pypdf is used only in the tests, to encrypt a sample PDF.
"""

from __future__ import annotations

import codecs
import io
import os
import posixpath
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from xml.parsers import expat

from ..ledgers.reading import OLE_MAGIC, decide_encoding

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_TEXT_CHARS",
    "SUFFIXES",
    "Document",
    "DocumentError",
    "documents_in",
    "read_document",
]

# A report is 10–100 KB of text; even a PDF with pictures is a few MB. Anything above this is refused
# before it is read, so one wrong file cannot exhaust memory.
MAX_FILE_BYTES = 50 * 1024 * 1024
# The XML of a docx body may unpack to at most this (a zip bomb is refused before parsing).
MAX_DOCX_XML_BYTES = 200 * 1024 * 1024
MAX_PDF_PAGES = 2000
# Characters of extracted text: a year's report is a few tens of thousands; checking two million takes
# about half a minute here, and the time grows with the text.
MAX_TEXT_CHARS = 2_000_000
SUFFIXES = {".txt": "txt", ".docx": "docx", ".html": "html", ".htm": "html", ".pdf": "pdf"}
# A PDF averaging fewer visible characters per page than this has no real text layer (a scan that
# carries at most a page number or a stamp).
SCANNED_CHARS_PER_PAGE = 20
_CHUNK = 1 << 16


@dataclass(frozen=True)
class Document:
    """The text of one report file."""

    path: str  # as given (for a file found in a folder: the folder as given joined with the file name)
    text: str  # for .txt exactly the decoded file; otherwise paragraphs separated by "\n"
    format: str  # "txt" | "docx" | "html" | "pdf"
    problems: tuple[str, ...] = ()  # notices (Chinese with the English term): how the file was read


class DocumentError(Exception):
    """A report file that cannot be read. `str()` is the whole message: file, reason, what to do.

    `kind` is a stable English key for callers: not-found, unreadable, unsupported, too-large, empty,
    wrong-type, encrypted, corrupt, encoding, no-text-layer, no-text, garbled."""

    def __init__(self, file: str, kind: str, reason: str, advice: str = "") -> None:
        self.file = file
        self.kind = kind
        self.reason = reason
        self.advice = advice
        message = f"{file}：{reason}"
        if advice:
            message += f"。{advice}"
        super().__init__(message)


# --------------------------------------------------------------------------------------------------
# What a file really is


_KIND_NAMES = {
    "pdf": "PDF 文件",
    "docx": "Word 文档 (.docx)",
    "xlsx": "Excel 工作簿 (.xlsx)",
    "pptx": "PowerPoint 演示文稿 (.pptx)",
    "odt": "OpenDocument 文档 (.odt)",
    "ods": "OpenDocument 表格 (.ods)",
    "ofd": "OFD 版式文件 (.ofd)",
    "zip": "zip 压缩包",
    "zip-corrupt": "损坏或不完整的 zip 压缩包 (corrupt zip)",
    "ole-encrypted": "加密的 Office 文件 (password-protected)",
    "doc": "旧版 Word 97-2003 (.doc) 或 WPS 文档",
    "xls": "旧版 Excel 97-2003 工作簿 (.xls)",
    "ppt": "旧版 PowerPoint 97-2003 演示文稿 (.ppt)",
    "ole": "旧版 Office 文件 (OLE)",
    "rtf": "RTF 文档 (.rtf)",
    "mht": "网页存档 (MHTML, .mht)",
    "html": "网页 (HTML)",
    "xml": "XML 文件",
    "word-xml": "Word XML 文档 (.xml)",
    "png": "PNG 图片",
    "jpeg": "JPEG 图片",
    "gif": "GIF 图片",
    "tiff": "TIFF 图片",
    "text": "纯文本",
}
# Where the real content is one this module reads, the fix is to rename the file.
_RENAME_TO = {"pdf": ".pdf", "docx": ".docx", "html": ".html", "text": ".txt"}
_HTML_HINTS = (b"<html", b"<!doctype html", b"<head", b"<body", b"<meta ", b"<title", b"<div", b"<p>", b"<table")


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100]
                if b"opendocument.text" in mimetype:
                    return "odt"
                if b"opendocument.spreadsheet" in mimetype:
                    return "ods"
            if "OFD.xml" in names:
                return "ofd"
            main = _main_part(archive)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError):
        return "zip-corrupt"
    if main.startswith("word/") or "word/document.xml" in names:
        return "docx"
    if main.startswith("xl/") or any(n.startswith("xl/") for n in names):
        return "xlsx"
    if main.startswith("ppt/") or any(n.startswith("ppt/") for n in names):
        return "pptx"
    return "zip"


def _ole_kind(data: bytes) -> str:
    # Stream names in an OLE directory are UTF-16LE. Encrypted OOXML keeps an "EncryptedPackage".
    if "EncryptedPackage".encode("utf-16-le") in data:
        return "ole-encrypted"
    if "WordDocument".encode("utf-16-le") in data:
        return "doc"
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "xls"
    if "PowerPoint Document".encode("utf-16-le") in data:
        return "ppt"
    return "ole"


def _text_head(data: bytes) -> bytes:
    """The first bytes as lower-case ASCII-compatible bytes (UTF-16 re-encoded), for sniffing only."""
    head = data[:4096]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head.count(b"\x00") > len(head) // 4:
        encoding = "utf-16"
        if not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
        head = head[: len(head) // 2 * 2]
        try:
            head = head.decode(encoding).encode("utf-8")
        except UnicodeDecodeError:
            return b""
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    return head.lstrip().lower()


def sniff(data: bytes) -> str:
    """What the bytes really are, by content (a key of `_KIND_NAMES`)."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data)
    if data.startswith(OLE_MAGIC):
        return _ole_kind(data)
    if data.startswith(b"{\\rtf"):
        return "rtf"
    if data.startswith(b"\x89PNG"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    head = _text_head(data)
    if head.startswith(b"mime-version:") or b"\nmime-version:" in head[:1024] and b"multipart/related" in head:
        return "mht"
    if head.startswith(b"<?xml"):
        if b"<html" in head:
            return "html"
        if b"w:worddocument" in head or b"<pkg:package" in head:
            return "word-xml"
        return "xml"
    if head.startswith(b"<") and any(hint in head for hint in _HTML_HINTS):
        return "html"
    return "text"


def _is_blank(data: bytes) -> bool:
    """Nothing but whitespace (in any of the encodings read here) or a bare BOM."""
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if data.startswith(bom):
            data = data[len(bom) :]
            break
    return not data.translate(None, b" \t\r\n\x0b\x0c\x00")


# --------------------------------------------------------------------------------------------------
# Entry points


def read_document(path: Path, shown: str | None = None) -> Document:
    """Read one report file; raise `DocumentError` (naming `shown`, or the path) when it cannot be read."""
    path = Path(path)
    shown = shown if shown is not None else str(path)
    suffix = path.suffix.lower()
    fmt = SUFFIXES.get(suffix)
    if fmt is None:
        what = f"扩展名 {path.suffix}" if path.suffix else "没有扩展名"
        raise DocumentError(
            shown,
            "unsupported",
            f"不支持的文件类型 (unsupported file type)：{what}",
            "请提供 .txt、.docx、.html/.htm 或 .pdf 文件",
        )
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DocumentError(shown, "not-found", "文件不存在 (file not found)", "请检查路径") from None
    except OSError as exc:
        raise DocumentError(shown, "unreadable", f"无法读取文件 (unreadable): {exc.strerror}") from None
    if path.is_dir():
        raise DocumentError(shown, "unreadable", "这是一个文件夹，不是文件 (a folder, not a file)")
    if size > MAX_FILE_BYTES:
        raise DocumentError(
            shown,
            "too-large",
            f"文件过大 (file too large)：{size / 1048576:.1f} MB，上限 {MAX_FILE_BYTES / 1048576:.1f} MB",
            "报告正文通常不超过几 MB，请确认文件是否正确，或去掉图片后另存",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(shown, "unreadable", f"无法读取文件 (unreadable): {exc.strerror}") from None
    if _is_blank(data):
        raise DocumentError(shown, "empty", "文件为空 (empty file)", "请提供有内容的报告文件")
    kind = sniff(data)
    expected = {"txt": ("text",), "html": ("html", "text"), "docx": ("docx",), "pdf": ("pdf",)}[fmt]
    if kind not in expected:
        if fmt == "docx" and kind == "ole-encrypted":
            raise DocumentError(
                shown,
                "encrypted",
                "文件已加密 (password-protected docx)",
                "请在 Word/WPS 中取消密码后另存为 .docx 再检查",
            )
        if fmt == "docx" and kind == "zip-corrupt":
            raise DocumentError(
                shown,
                "corrupt",
                "文件已损坏或不完整 (corrupt or truncated docx)：无法作为 zip 打开",
                "请重新保存或重新下载该文件",
            )
        raise _wrong_type(shown, suffix, kind)
    reader = {"txt": _read_txt, "docx": _read_docx, "html": _read_html, "pdf": _read_pdf}[fmt]
    document = reader(data, shown)
    if len(document.text) > MAX_TEXT_CHARS:
        raise DocumentError(
            shown,
            "too-large",
            f"文字过多 (text too long)：{len(document.text):,} 字，上限 {MAX_TEXT_CHARS:,} 字",
            "一份年度报告通常几万字；请确认文件只含一份报告，多份报告请分开存放后检查整个文件夹",
        )
    return document


def _wrong_type(shown: str, suffix: str, kind: str) -> DocumentError:
    real = _KIND_NAMES.get(kind, kind)
    spacer = " " if real[:1].isascii() else ""
    if kind in _RENAME_TO:
        advice = f"请把扩展名改为 {_RENAME_TO[kind]} 后再检查"
    elif kind == "ole-encrypted":
        advice = "请取消密码后另存为 .docx 或 .pdf"
    else:
        advice = "请用原程序另存为 .docx、.pdf 或 .txt 后再检查"
    return DocumentError(
        shown,
        "wrong-type",
        f"文件扩展名与实际格式不符 (file type does not match its extension)：扩展名是 {suffix}，实际是{spacer}{real}",
        advice,
    )


def documents_in(paths: list[Path], skipped: list[str] | None = None) -> list[Path | tuple[Path, str]]:
    """The report files named by `paths`, folders expanded.

    A file given directly is returned as it is (even with an unsupported extension or when it does not
    exist, so that `read_document` names the problem). A folder is walked recursively in sorted order
    (symbolic links to folders are not followed); its files with a supported extension come back as
    `(path, shown)` where `shown` is the folder as given joined with the file's relative path. Other
    files found in folders (other extensions, hidden files, Office lock files `~$*.docx`) are left
    out, and one line per folder and reason saying which is appended to `skipped` when given. A
    folder with no readable file adds a line too: the caller must not report such a folder as checked.
    """
    found: list[Path | tuple[Path, str]] = []
    notes: list[str] = []
    for given in paths:
        given = Path(given)
        if not given.is_dir():
            found.append(given)
            continue
        unsupported: list[str] = []
        hidden: list[str] = []
        count = 0
        for root, dirs, files in os.walk(given):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            rel_root = Path(root).relative_to(given)
            for name in sorted(files):
                rel = str(rel_root / name) if str(rel_root) != "." else name
                if name.startswith((".", "~$", "~WRL")):
                    hidden.append(rel)
                elif Path(name).suffix.lower() not in SUFFIXES:
                    unsupported.append(rel)
                else:
                    found.append((Path(root) / name, os.path.join(str(given), rel)))
                    count += 1
        if unsupported:
            notes.append(
                f"{given}：跳过 {len(unsupported)} 个不支持的文件 (unsupported files skipped)：{_some(unsupported)}"
            )
        if hidden:
            notes.append(
                f"{given}：跳过 {len(hidden)} 个隐藏文件或 Office 临时文件 (hidden or lock files skipped)："
                f"{_some(hidden)}"
            )
        if count == 0:
            notes.append(
                f"{given}：文件夹中没有可读的报告文件 (no report file in folder)：只读取 .txt .docx .html .htm .pdf"
            )
    if skipped is not None:
        skipped.extend(notes)
    return found


def _some(names: list[str], limit: int = 10) -> str:
    shown = "、".join(names[:limit])
    return shown + (f" 等 {len(names)} 个" if len(names) > limit else "")


# --------------------------------------------------------------------------------------------------
# .txt


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _decode(data: bytes, shown: str, reason: str, advice: str) -> tuple[str, str]:
    """(text, encoding) decided as the ledger reader decides it, never with replacement characters."""
    try:
        encoding = decide_encoding(data)
        return data.decode(encoding), encoding
    except (ValueError, UnicodeDecodeError):
        raise DocumentError(shown, "encoding", reason, advice) from None


def _read_txt(data: bytes, shown: str) -> Document:
    text, encoding = _decode(
        data,
        shown,
        "无法确定文本编码 (undecidable text encoding)：既不是 UTF-8/UTF-16，也不是 GB18030",
        "请用记事本或 WPS 另存为 UTF-8 编码",
    )
    if not text.strip():
        raise DocumentError(shown, "empty", "文件为空 (empty file)：只有空白字符", "请提供有内容的报告文件")
    controls = len(_CONTROLS.findall(text))
    if controls > max(10, len(text) // 100):
        raise DocumentError(
            shown,
            "wrong-type",
            "文件扩展名与实际格式不符 (file type does not match its extension)：内容含大量控制字符，不像文本文件",
            "请确认这是报告的文字版",
        )
    problems = ()
    if encoding == "gb18030":
        problems = ("文本按 GB18030 编码读取 (read as GB18030)",)
    elif encoding.startswith("utf-16"):
        problems = ("文本按 UTF-16 编码读取 (read as UTF-16)",)
    return Document(path=shown, text=text, format="txt", problems=problems)


# --------------------------------------------------------------------------------------------------
# .docx

_W_NAMESPACES = frozenset(
    {
        "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        "http://purl.oclc.org/ooxml/wordprocessingml/main",  # Strict OOXML
    }
)
_MC_NAMESPACE = "http://schemas.openxmlformats.org/markup-compatibility/2006"
# Elements whose content is not part of the accepted text.
_DOCX_SKIP = frozenset({"del", "moveFrom", "instrText", "delInstrText", "delText", "pPrChange", "rPrChange"})
_DOCX_SKIP_COUNTED = {"del": "deletions"}  # a move is counted once, where it lands (moveTo)
_STRIP = " \t\u3000\u00a0"


def _main_part(archive: zipfile.ZipFile) -> str:
    """The package's main part (from `_rels/.rels`), "" when the relationships are missing."""
    try:
        rels = archive.read("_rels/.rels")
    except KeyError:
        return ""
    for match in re.finditer(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
        tag = match.group(0)
        if b"/officeDocument" in tag:
            target = re.search(rb'Target\s*=\s*["\']([^"\']*)["\']', tag)
            if target:
                value = target.group(1).decode("utf-8", "strict").lstrip("/")
                return posixpath.normpath(value)
    return ""


class _DocxBody:
    """expat handlers that collect the accepted text of a WordprocessingML body."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.skip = 0
        self.in_text = False
        self.paragraphs: list[list[str]] = []  # open paragraphs (text boxes nest inside paragraphs)
        self.mark_deleted: list[bool] = []
        self.rows: list[list[str]] = []  # open table rows: their finished cells
        self.row_deleted: list[bool] = []
        self.cells: list[list[str]] = []  # open cells: their finished paragraphs
        self.lines: list[str] = []
        self.carry = ""  # text of body paragraphs whose mark was deleted, joined to the next one
        self.counts = {"insertions": 0, "deletions": 0, "moves": 0, "paragraph marks": 0, "rows": 0}
        self.comments = 0
        self.notes = 0
        self.chunks = 0  # w:altChunk: imported HTML/RTF/MHT kept as a separate part, not as paragraphs

    def _name(self, tag: str) -> str:
        namespace, _, local = tag.rpartition("}")
        if namespace in _W_NAMESPACES:
            return local
        if namespace == _MC_NAMESPACE:
            return "mc:" + local
        return "?" + local

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        name = self._name(tag)
        parent = self.stack[-1] if self.stack else ""
        self.stack.append(name)
        if self.skip:
            self.skip += 1
            return
        if name in _DOCX_SKIP or name == "mc:Fallback":
            self.skip = 1
            if name == "del" and parent == "rPr" and len(self.stack) >= 3 and self.stack[-3] == "pPr":
                if self.mark_deleted:
                    self.mark_deleted[-1] = True
                self.counts["paragraph marks"] += 1
            elif name == "del" and parent == "trPr":
                if self.row_deleted:
                    self.row_deleted[-1] = True
                self.counts["rows"] += 1
            elif name in _DOCX_SKIP_COUNTED and parent != "rPr":
                self.counts[_DOCX_SKIP_COUNTED[name]] += 1
            return
        if name == "t":
            self.in_text = True
        elif name == "p":
            self.paragraphs.append([])
            self.mark_deleted.append(False)
        elif name in ("ins", "moveTo") and parent not in ("rPr", "trPr", "tcPr"):
            self.counts["insertions" if name == "ins" else "moves"] += 1
        elif name == "tr":
            self.rows.append([])
            self.row_deleted.append(False)
        elif name == "tc":
            self.cells.append([])
        elif name in ("tab", "ptab") and parent == "r":
            self._add("\t")
        elif name in ("br", "cr") and parent == "r":
            self._add("\n")
        elif name == "noBreakHyphen":
            self._add("-")
        elif name == "commentReference":
            self.comments += 1
        elif name in ("footnoteReference", "endnoteReference"):
            self.notes += 1
        elif name == "altChunk":
            self.chunks += 1

    def _add(self, text: str) -> None:
        if self.paragraphs:
            self.paragraphs[-1].append(text)

    def data(self, text: str) -> None:
        if self.in_text and not self.skip:
            self._add(text)

    def end(self, tag: str) -> None:
        name = self.stack.pop()
        if self.skip:
            self.skip -= 1
            return
        if name == "t":
            self.in_text = False
        elif name == "p" and self.paragraphs:
            text = "".join(self.paragraphs.pop())
            deleted_mark = self.mark_deleted.pop()
            if self.cells:
                self.cells[-1].append(text.replace("\n", " ").strip(_STRIP))
            elif deleted_mark:
                self.carry += text
            else:
                self._line(self.carry + text)
                self.carry = ""
        elif name == "tc" and self.cells:
            cell = " ".join(p for p in self.cells.pop() if p)
            if self.rows:
                self.rows[-1].append(cell.replace("\t", " "))
        elif name == "tr" and self.rows:
            cells = self.rows.pop()
            if not self.row_deleted.pop() and any(cells):
                row = "\t".join(cells)
                if self.cells:
                    self.cells[-1].append(row.replace("\t", " "))
                else:
                    self._line(row)

    def _line(self, text: str) -> None:
        for line in text.split("\n"):
            line = line.strip(_STRIP)
            if line:
                self.lines.append(line)


def _refuse_declaration(*_args: object) -> None:
    raise ValueError("DOCTYPE")


def _read_docx(data: bytes, shown: str) -> Document:
    def corrupt(detail: str) -> DocumentError:
        return DocumentError(
            shown, "corrupt", f"文件已损坏或不完整 (corrupt docx)：{detail}", "请用 Word/WPS 打开后重新保存"
        )

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise corrupt(f"无法作为 zip 打开 ({exc})") from None
    with archive:
        main = _main_part(archive) or "word/document.xml"
        try:
            info = archive.getinfo(main)
        except KeyError:
            raise corrupt(f"缺少正文部件 {main}") from None
        if info.file_size > MAX_DOCX_XML_BYTES:
            raise DocumentError(
                shown,
                "too-large",
                f"文件异常 (oversized docx)：正文解压后 {info.file_size // 1024 // 1024} MB，超出上限",
                "请确认文件是否正确",
            )
        body = _DocxBody()
        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.StartElementHandler = body.start
        parser.EndElementHandler = body.end
        parser.CharacterDataHandler = body.data
        parser.StartDoctypeDeclHandler = _refuse_declaration
        parser.EntityDeclHandler = _refuse_declaration
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
        except ValueError:
            raise DocumentError(
                shown,
                "corrupt",
                "文件异常 (docx with XML entities)：正文含有 DOCTYPE/ENTITY 声明",
                "请用 Word/WPS 打开后重新保存",
            ) from None
        except expat.ExpatError as exc:
            raise corrupt(f"正文 XML 无法解析 ({expat.ErrorString(exc.code)}，第 {exc.lineno} 行)") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise corrupt(f"压缩数据损坏 ({exc})") from None
    if body.carry:
        body._line(body.carry)
    if not body.lines and body.chunks:
        raise DocumentError(
            shown,
            "no-text",
            "正文全部在嵌入的外部内容 (altChunk) 中，无法读取",
            "请在 Word/WPS 中打开后另存为 .docx 再检查",
        )
    if not body.lines:
        raise DocumentError(shown, "empty", "文件为空 (empty document)：文档中没有文字", "请提供有内容的报告文件")
    problems: list[str] = []
    counts = body.counts
    if any(counts.values()):
        parts = []
        if counts["insertions"]:
            parts.append(f"保留插入 {counts['insertions']} 处 (insertions kept)")
        if counts["deletions"]:
            parts.append(f"舍去删除 {counts['deletions']} 处 (deletions dropped)")
        if counts["moves"]:
            parts.append(f"移动 {counts['moves']} 处按移动后的位置读取 (moves)")
        if counts["paragraph marks"]:
            parts.append(f"合并被删除段落标记的段落 {counts['paragraph marks']} 处")
        if counts["rows"]:
            parts.append(f"舍去被删除的表格行 {counts['rows']} 行")
        problems.append(
            "文档含未处理的修订 (tracked changes)：已按“接受全部修订”读取 (read as accepted)，"
            + "，".join(parts)
            + "；请确认定稿后再发布"
        )
    if body.comments:
        problems.append(f"文档含批注 (comments) {body.comments} 条：批注内容不计入正文 (not part of the text)")
    if body.notes:
        problems.append(f"文档含脚注/尾注 (footnotes/endnotes) {body.notes} 处：其内容不计入正文")
    if body.chunks:
        problems.append(
            f"文档含嵌入的外部内容 (altChunk) {body.chunks} 处：未读取，请在 Word/WPS 中打开后另存为 .docx 再检查"
        )
    return Document(path=shown, text="\n".join(body.lines), format="docx", problems=tuple(problems))


# --------------------------------------------------------------------------------------------------
# .html

_VOID = frozenset("area base br col embed hr img input keygen link meta param source track wbr basefont frame".split())
# Elements whose content is never article text.
_HTML_SKIP = frozenset(
    "script style noscript template svg math iframe object embed canvas head title nav footer header aside "
    "form button select option textarea input label audio video map".split()
)
_BLOCKS = frozenset(
    "address article aside blockquote body html center dd details dialog dir div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hr li main menu nav ol p pre section summary table tbody thead tfoot "
    "tr ul caption".split()
)
_CELLS = frozenset({"td", "th"})
# A block start closes an open <p>, as browsers do.
_CLOSES_P = _BLOCKS - {"body", "center"}
# Article containers of common government CMSs (TRS WCM, 大汉 Hanweb, 拓尔思, UCAP, 政府网站集约化平台 …),
# most specific first. Each tier: (ids, class tokens, tags). Matching is case-insensitive.
_CONTAINER_TIERS: tuple[tuple[frozenset[str], frozenset[str], frozenset[str]], ...] = (
    (
        frozenset({"zoom", "ucap-content", "ucapcontent", "fontzoom", "zoomcon", "art_content", "info_content"}),
        frozenset(
            {
                "trs_editor",
                "trs_ueditor",
                "pages_content",
                "article-content",
                "article_content",
                "articlecontent",
                "news_content",
                "newscontent",
                "zwnr",
                "view_content",
                "detail-content",
                "detail_content",
                "xxgk_content",
                "bt_content",
            }
        ),
        frozenset(),
    ),
    (
        frozenset({"content", "article", "main-content", "maincontent", "detail", "con", "text"}),
        frozenset({"content", "view", "article", "detail", "main-content", "text", "con", "wzy_content"}),
        frozenset({"article", "main"}),
    ),
)
# Parts of a page that are never the article, recognised by a word in their id or class.
_BOILERPLATE = re.compile(
    r"nav|menu|breadcrumb|crumb|footer|header|share|bdshare|print|close|toolbar|sidebar|related|comment|"
    r"position|location|dqwz|weizhi|copyright|banner|fenxiang|jiathis|qrcode|erweima|search|login|topbar|"
    r"pagination|pager|prevnext|sxp|xgwz|xgxx",
    re.IGNORECASE,
)
_BUTTON_LINES = re.compile(
    r"^(?:[【\[]?\s*(?:打印本页|打印|关闭窗口|关闭|返回顶部|收藏|保存|加入收藏|分享到)\s*[】\]]?\s*[:：]?\s*)+$"
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WIDE = r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
# A source line break between two Chinese characters renders as nothing (CSS Text 3 segment breaks).
_CJK_BREAK = re.compile(rf"(?<={_WIDE})[ \t\r\f]*\n[ \t\r\n\f]*(?={_WIDE})")
_SPACES = re.compile(r"[ \t\r\n\f\u00a0]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


class _Node:
    __slots__ = ("tag", "ident", "classes", "hidden", "children", "cjk", "links")

    def __init__(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tag = tag
        self.ident = ""
        self.classes: tuple[str, ...] = ()
        self.hidden = False
        for key, value in attrs:
            if key == "hidden" or key == "aria-hidden" and value == "true":
                self.hidden = True
            elif value is None:
                continue
            elif key == "id":
                self.ident = value.strip().lower()
            elif key == "class":
                self.classes = tuple(value.lower().split())
            elif key == "style" and _HIDDEN_STYLE.search(value):
                self.hidden = True
        self.children: list[_Node | str] = []
        self.cjk = 0  # Chinese characters in the element's readable text
        self.links = 0  # … of which inside links

    def boilerplate(self) -> bool:
        return bool(_BOILERPLATE.search(self.ident) or any(_BOILERPLATE.search(c) for c in self.classes))


class _TreeBuilder(HTMLParser):
    """A tolerant tree: unknown end tags are ignored, unclosed elements close with their parent."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root", [])
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        top = self.stack[-1].tag
        if tag in _CLOSES_P and top == "p":
            self.stack.pop()
        elif tag == "li" and top == "li" or tag in ("dt", "dd") and top in ("dt", "dd"):
            self.stack.pop()
        elif tag in _CELLS or tag == "tr":
            stop = ("table", "tbody", "thead", "tfoot") if tag == "tr" else ("table", "tr")
            names = [node.tag for node in self.stack]
            if any(name in stop for name in names):
                while self.stack[-1].tag not in stop and len(self.stack) > 1:
                    self.stack.pop()
        node = _Node(tag, attrs)
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, attrs)
        self.stack[-1].children.append(node)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return
            if tag == "p" and self.stack[depth].tag in _BLOCKS | _CELLS:
                return  # a stray </p> inside another block is ignored

    def handle_data(self, data: str) -> None:
        children = self.stack[-1].children
        if children and isinstance(children[-1], str):
            children[-1] += data
        else:
            children.append(data)


def _measure(node: _Node, in_link: bool = False) -> None:
    """Fill `cjk` and `links` of every readable element, bottom-up (iterative: pages can nest deeply)."""
    order: list[tuple[_Node, bool]] = []
    todo = [(node, in_link)]
    while todo:
        current, linked = todo.pop()
        order.append((current, linked))
        for child in current.children:
            if isinstance(child, _Node) and child.tag not in _HTML_SKIP and not child.hidden:
                todo.append((child, linked or child.tag == "a"))
    for current, linked in reversed(order):
        cjk = links = 0
        for child in current.children:
            if isinstance(child, str):
                count = len(_CJK.findall(child))
                cjk += count
                links += count if linked else 0
            elif child.tag not in _HTML_SKIP and not child.hidden:
                cjk += child.cjk
                links += child.links
        current.cjk, current.links = cjk, links


def _elements(node: _Node):
    todo = [node]
    while todo:
        current = todo.pop()
        yield current
        todo.extend(
            child
            for child in reversed(current.children)
            if isinstance(child, _Node) and child.tag not in _HTML_SKIP and not child.hidden
        )


def _known_container(root: _Node) -> _Node | None:
    """The first tier's container that holds the article: of the matches with enough Chinese text and
    not mostly links, the smallest that still holds 80 % of the largest (a generic `div.content` may
    wrap the whole page around another one that holds only the article)."""
    for ids, classes, tags in _CONTAINER_TIERS:
        found = [
            element
            for element in _elements(root)
            if (element.ident in ids or element.tag in tags or not classes.isdisjoint(element.classes))
            and element.cjk >= 20
            and element.links <= element.cjk * 0.5
        ]
        if found:
            largest = max(element.cjk for element in found)
            return min((e for e in found if e.cjk >= 0.8 * largest), key=lambda element: element.cjk)
    return None


def _dense_container(root: _Node) -> _Node | None:
    """The block whose own paragraphs hold most Chinese text, links discounted (readability's idea)."""
    scores: dict[int, float] = {}
    nodes: dict[int, _Node] = {}
    parents: dict[int, _Node] = {}
    for element in _elements(root):
        for child in element.children:
            if isinstance(child, _Node):
                parents[id(child)] = element
    for element in _elements(root):
        if element.boilerplate() or element.tag == "a":
            continue
        own = sum(len(_CJK.findall(child)) for child in element.children if isinstance(child, str))
        own += sum(
            child.cjk - child.links
            for child in element.children
            if isinstance(child, _Node) and child.tag not in _BLOCKS and child.tag not in _CELLS
        )
        if element.tag in ("p", "pre", "blockquote", "li", "td") or own:
            parent = parents.get(id(element), root)
            target = element if element.tag in ("div", "td", "section", "article", "main") else parent
            weight = max(own, element.cjk - element.links if element.tag == "p" else own)
            scores[id(target)] = scores.get(id(target), 0) + weight
            nodes[id(target)] = target
            grand = parents.get(id(target))
            if grand is not None and grand is not root:
                scores[id(grand)] = scores.get(id(grand), 0) + weight / 2
                nodes[id(grand)] = grand
    best = None
    best_score = 0.0
    for key, score in scores.items():
        node = nodes[key]
        if node.cjk == 0 or node.boilerplate():
            continue
        score *= 1 - node.links / node.cjk
        if score > best_score:
            best, best_score = node, score
    return best


def _html_lines(container: _Node) -> list[str]:
    """The text of `container` as lines: blocks end lines, table cells are separated by tabs."""
    pieces: list[str] = []

    def walk(node: _Node) -> None:
        for child in node.children:
            if isinstance(child, str):
                pieces.append(child)
                continue
            tag = child.tag
            if tag in _HTML_SKIP or child.hidden or child is not container and child.boilerplate():
                continue
            if tag in _BLOCKS and child.cjk >= 4 and child.links > 0.6 * child.cjk:
                continue  # a list of links (related articles, a menu) inside the article
            if tag == "br":
                pieces.append("\x00")
            elif tag in _CELLS:
                pieces.append("\x01")
                walk(child)
            elif tag in _BLOCKS:
                pieces.append("\x00")
                walk(child)
                pieces.append("\x00")
            else:
                walk(child)

    walk(container)
    text = _CJK_BREAK.sub("", "".join(pieces))
    lines = []
    for line in text.split("\x00"):
        cells = [_SPACES.sub(" ", cell).strip(_STRIP) for cell in line.split("\x01")]
        line = "\t".join(cell for cell in cells if cell)
        if line and not _BUTTON_LINES.match(line):
            lines.append(line)
    return lines


def _html_charset(data: bytes) -> str | None:
    head = data[:4096]
    match = _XML_ENCODING.match(head.lstrip()) or _META_CHARSET.search(head)
    if not match:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    # GB2312 and GBK pages often hold characters outside their set; GB18030 is the superset.
    return "gb18030" if name in ("gb2312", "gbk", "cp936", "hz", "iso2022_jp_2") else name


def _decode_html(data: bytes, shown: str) -> tuple[str, list[str]]:
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8"), []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), []
    declared = _html_charset(data)
    if declared:
        try:
            return data.decode(declared), []
        except UnicodeDecodeError:
            pass
    text, encoding = _decode(
        data,
        shown,
        "无法确定网页编码 (undecidable text encoding)：既不是声明的编码，也不是 UTF-8 或 GB18030",
        "请在浏览器中重新另存网页",
    )
    if declared:
        return text, [f"网页声明的编码 {declared} 与内容不符 (charset mismatch)，已按 {encoding} 读取"]
    return text, []


def _read_html(data: bytes, shown: str) -> Document:
    source, problems = _decode_html(data, shown)
    source = source.replace("\x00", "").replace("\x01", "")  # the line and cell marks of _html_lines
    builder = _TreeBuilder()
    builder.feed(source)
    builder.close()
    root = builder.root
    _measure(root)
    container = _known_container(root)
    if container is None:
        container = _dense_container(root)
        if container is not None:
            problems.append(
                "未找到已知的正文容器 (article container)，按文字密度 (text density) 选取正文，请核对是否完整"
            )
    lines = _html_lines(container) if container is not None else []
    if sum(len(_CJK.findall(line)) for line in lines) < 10:
        raise DocumentError(
            shown,
            "no-text",
            "网页中没有找到正文文字 (no article text)：可能是由脚本动态加载的页面",
            "请复制网页正文另存为 .txt，或提供报告的 .docx/.pdf",
        )
    return Document(path=shown, text="\n".join(lines), format="html", problems=tuple(problems))


# --------------------------------------------------------------------------------------------------
# .pdf

_PAGE_NUMBER = re.compile(
    r"^(?:[-－—–_\s]*\d{1,4}[-－—–_\s]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|page\s*\d+(?:\s*of\s*\d+)?)$",
    re.IGNORECASE,
)
_SENTENCE_END = tuple("。！？!?；;：:")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass
class _PdfLine:
    text: str
    left: float | None = None  # left edge of its first visible character (None: no geometry)
    right: float | None = None  # right edge of its last visible character
    bottom: float = 0.0
    size: float = 0.0  # height of the characters' font box
    margin_left: float = 0.0  # where the page's lines start and end
    margin_right: float = 0.0
    pitch: float = 0.0  # the page's usual distance from one line to the next


def _clean_pdf_text(text: str) -> str:
    # PDFium marks hyphenation points and unknown glyphs with control characters.
    return "".join(ch for ch in text if ch == "\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))


def _page_lines(textpage, page_height: float) -> list[_PdfLine]:
    """The page's lines in PDFium's reading order, with the geometry that `_wrapped` needs."""
    text = textpage.get_text_range()
    geometry = len(text) == textpage.count_chars()  # indices agree (no character outside the BMP)
    lines: list[_PdfLine] = []
    start = 0
    for match in [*_LINE_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        raw = text[start:end]
        start = match.end() if match else len(text)
        if not raw.strip():
            continue
        line = _PdfLine(_clean_pdf_text(raw).strip(_STRIP))
        if geometry:
            first = end - len(raw) + len(raw) - len(raw.lstrip())
            last = end - len(raw) + len(raw.rstrip()) - 1
            line.left, line.bottom, _, top = textpage.get_charbox(first, loose=True)
            line.right = textpage.get_charbox(last, loose=True)[2]
            line.size = max(top - line.bottom, 1.0)
            # Page numbers sit in the top or bottom eighth of a page.
            if _PAGE_NUMBER.match(line.text) and not page_height * 0.12 < line.bottom < page_height * 0.88:
                continue
        if line.text:
            lines.append(line)
    placed = [line for line in lines if line.left is not None]
    if placed:
        margin_left = min(line.left for line in placed)
        margin_right = max(line.right for line in placed)
        steps = sorted(a.bottom - b.bottom for a, b in zip(placed, placed[1:], strict=False) if a.bottom > b.bottom)
        pitch = steps[len(steps) // 2] if steps else 0.0
        for line in lines:
            line.margin_left, line.margin_right, line.pitch = margin_left, margin_right, pitch
    return lines


def _indented(line: _PdfLine) -> bool:
    return line.left is not None and line.left > line.margin_left + 0.8 * max(line.size, 4.0)


def _ends_sentence(text: str) -> bool:
    return text.endswith(_SENTENCE_END) or text.endswith(".") and not text[-2:-1].isdigit()


def _spaced(line: _PdfLine, following: _PdfLine) -> bool:
    """More space than usual between the two lines (negative on the next page): a paragraph break."""
    return bool(line.pitch) and line.bottom - following.bottom > 1.35 * line.pitch


def _wrapped(line: _PdfLine, following: _PdfLine, paragraphs_marked: bool) -> bool:
    """`following` continues `line`: `line` runs to the right margin, `following` starts at the left
    margin right below it. Where paragraphs are marked neither by an indented first line nor by space
    between them, a line that ends a sentence is taken to end its paragraph too (a newline at a sentence
    end costs nothing; a paragraph break lost could join two paragraphs)."""
    if line.right is None or following.left is None or _indented(following) or _spaced(line, following):
        return False
    if not paragraphs_marked and _ends_sentence(line.text):
        return False
    return line.right >= line.margin_right - 1.5 * max(line.size, 4.0)


def _ascii_word(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _join_pdf_lines(lines: list[_PdfLine]) -> str:
    enough = max(2, len(lines) // 30)
    paragraphs_marked = (
        sum(map(_indented, lines)) >= enough
        or sum(_spaced(a, b) for a, b in zip(lines, lines[1:], strict=False)) >= enough
    )
    out: list[str] = []
    for index, line in enumerate(lines):
        out.append(line.text)
        if index + 1 < len(lines):
            following = lines[index + 1]
            if not _wrapped(line, following, paragraphs_marked):
                out.append("\n")
            elif _ascii_word(before := line.text[-1:]) and _ascii_word(after := following.text[:1]):
                # A wrapped English phrase broke where there was a space; two digits stay together, as a
                # layout that breaks words may split a number ("9" / "5.9%").
                if not (before.isdigit() and after.isdigit()):
                    out.append(" ")
    return "".join(out)


def _read_pdf(data: bytes, shown: str) -> Document:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise DocumentError(
                shown,
                "encrypted",
                "PDF 已加密 (password-protected PDF)：需要密码才能打开",
                "请提供未加密的 PDF 或报告的 .docx/.txt",
            ) from None
        raise DocumentError(
            shown,
            "corrupt",
            "PDF 文件已损坏或不完整 (corrupt PDF)：无法打开",
            "请重新导出或重新下载该文件",
        ) from None
    problems: list[str] = []
    with pdf:
        if pdfium_c.FPDF_GetSecurityHandlerRevision(pdf.raw) != -1:
            if not pdfium_c.FPDF_GetDocPermissions(pdf.raw) & 0x10:
                raise DocumentError(
                    shown,
                    "encrypted",
                    "PDF 已加密且禁止复制文字 (encrypted PDF, text extraction not permitted)",
                    "请提供未加密的 PDF 或报告的 .docx/.txt",
                )
            problems.append("PDF 已加密但无需打开密码 (encrypted, empty user password)，允许提取文字，已读取")
        if not pdfium_c.FPDF_DocumentHasValidCrossReferenceTable(pdf.raw):
            problems.append("PDF 交叉引用表损坏 (damaged cross-reference table)，已修复后读取，请核对是否完整")
        pages = len(pdf)
        if pages == 0:
            raise DocumentError(shown, "corrupt", "PDF 文件已损坏 (corrupt PDF)：没有页面", "请重新导出该文件")
        if pages > MAX_PDF_PAGES:
            raise DocumentError(
                shown, "too-large", f"PDF 页数过多 (too many pages)：{pages} 页，上限 {MAX_PDF_PAGES} 页"
            )
        lines: list[_PdfLine] = []
        visible = 0
        scanned_pages: list[int] = []
        for number in range(pages):
            page = pdf[number]
            textpage = page.get_textpage()
            try:
                page_lines = _page_lines(textpage, page.get_height())
                count = sum(len(line.text) - line.text.count(" ") for line in page_lines)
                # A page that is only a picture is a scanned page; a blank page is no loss.
                if count < 5 and any(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3)):
                    scanned_pages.append(number + 1)
            finally:
                textpage.close()
                page.close()
            visible += count
            lines.extend(page_lines)
    if visible < SCANNED_CHARS_PER_PAGE * pages:
        raise DocumentError(
            shown,
            "no-text-layer",
            "扫描件，没有文字层 (no text layer)",
            "请提供文字版或 OCR 后的文件",
        )
    text = _join_pdf_lines(lines)
    unknown = sum(1 for ch in text if "\ue000" <= ch <= "\uf8ff" or ch == "\ufffd")
    if unknown > len(text) * 0.3:
        raise DocumentError(
            shown,
            "garbled",
            "PDF 文字无法正确提取 (no Unicode mapping for the fonts)：提取出的多为乱码",
            "请提供报告的 .docx/.txt，或重新导出 PDF",
        )
    if scanned_pages:
        problems.append(
            f"第 {'、'.join(map(str, scanned_pages[:20]))} 页是图片，没有文字层 (no text layer)，这些页的内容未能检查"
        )
    return Document(path=shown, text=text, format="pdf", problems=tuple(problems))
