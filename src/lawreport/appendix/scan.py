"""The pre-publication scan: nothing personal, no error output, no machine detail in a rendered file.

`find_published(html, personal_values)` returns one `Finding` per problem: what kind of thing was
found, the visible text around it (every personal value in it masked), the nearest element id, never
the value itself. `scan_published` gives the same as Chinese lines. `trace_findings` names the ledger
cell a personal value came from (raw ledgers, clean tables, quarantine).

Executed notebooks kept under build/<year>/notebooks/ are internal files: `scan_notebook` applies the
personal-data rules only (ID numbers, mobile and landline numbers, the raw ledgers' personal values;
tracebacks and paths are allowed there), and `scrub_or_block` replaces the outputs of every cell that
holds personal data by a notice, records it in the notebook's metadata (the appendix export refuses
such a notebook) and reports the findings.

Every scan is linear in the text: the personal values are looked for through one compiled anchor
pattern and set lookups (`PrefixIndex`, built once per value set and process), ID numbers only inside
runs of 17 or more digits, the other patterns from their literal first character. Each fast path
finds exactly what its plain rule finds (tests/test_appendix_fast.py).
"""

from __future__ import annotations

import bisect
import getpass
import hashlib
import html as html_lib
import json
import os
import re
import socket
import sys
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any

from ..ledgers.cleaning import find_header
from ..ledgers.manifest import MANIFEST_NAME, read_manifest
from ..ledgers.personal import EDGE_L as _EDGE_L
from ..ledgers.personal import EDGE_R as _EDGE_R
from ..ledgers.personal import ID_NUMBER, LANDLINE, LANDLINE_SCAN, MOBILE, MOBILE_SCAN, finditer_in_runs, id_check_digit
from ..ledgers.reading import read_ledger_grids
from . import scan_memo

if TYPE_CHECKING:
    from ..params import RunParams

DATA_URI = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")
ERROR_MARKERS = (
    (re.compile(r"Traceback"), "程序错误回溯 (Traceback)"),
    (re.compile(r"\b[A-Za-z]*Error:"), "错误输出 (Error:)"),
    (re.compile(r"output_stderr|output_error|application/vnd\.jupyter\.stderr"), "笔记本的错误或警告输出 (stderr)"),
)
# A path under /root, /work, /home or /tmp not inside a longer word or name. The slash comes first
# (the regex engine skips to it) and the left edge is checked after it: the same matches as
# (?<![\w.])/(?:root|work|home|tmp)(?=/|\b), without trying the edge at every character.
MACHINE_PATH = re.compile(r"/(?<![\w.]/)(?:root|work|home|tmp)(?=/|\b)")
PATH_REST = re.compile(r"[^\s<\"']*")
ELEMENT_ID = re.compile(r'\bid="([^"]+)"')
SCRIPT_TAG = re.compile(r"<script\b", re.IGNORECASE)
# https?:// in any case: re.IGNORECASE written out ("s" also folds to "ſ"), so that the engine can
# skip to the first letter instead of trying every character.
OUTSIDE_URL = re.compile(r"[hH][tT][tT][pP][sS\u017f]?://")
STDERR_LITERALS = ("output_stderr", "output_error", "application/vnd.jupyter.stderr")
ASCII_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


ANY_ID = re.compile(_EDGE_L + r"\d{17}[0-9Xx]" + _EDGE_R)  # masked in context even with a wrong check digit
TAG = re.compile(r"<[^>]*>")
HIDDEN_BLOCK = re.compile(r"<(style|script)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
CONTEXT = 24  # visible characters shown on each side of a finding
MAX_PER_KIND = 20
KIND_ID = "身份证号 (ID number)"
KIND_MOBILE = "手机号 (mobile number)"
KIND_LANDLINE = "固定电话 (landline)"
KIND_PERSONAL = "原始台账个人信息列中的值 (raw personal value)"
PLACEHOLDER = {
    KIND_ID: "〔身份证号〕",
    KIND_MOBILE: "〔手机号〕",
    KIND_LANDLINE: "〔固定电话〕",
    KIND_PERSONAL: "〔个人信息〕",
}


@dataclass(frozen=True)
class Finding:
    """One thing that must not be published. `value` is kept for tracing only and is never shown."""

    kind: str  # what was found, Chinese with the English term
    where: str = ""  # the nearest element id, or the notebook cell
    context: str = ""  # the visible text around it, personal data masked
    source: str = ""  # the ledger cell(s) it came from, when traced
    value: str = field(default="", repr=False, compare=False)

    @property
    def personal(self) -> bool:
        return self.kind in PLACEHOLDER

    def message(self) -> str:
        parts = [self.kind]
        if self.context:
            parts.append(f"「{self.context}」")
        if self.where:
            parts.append(self.where)
        text = "：".join(parts[:2]) + ("，" + parts[2] if len(parts) > 2 else "")
        return text + (f"；来源 (source)：{self.source}" if self.source else "")

    def __str__(self) -> str:
        return self.message()


def _where(text: str, offset: int) -> str:
    """The nearest preceding element id, to say where a finding is without quoting it."""
    return _where_in(text)(offset)


def _where_in(text: str) -> Callable[[int], str]:
    """`_where` for many offsets of one text: the element ids are found once (on the first call),
    then each offset is a binary search among their ends (an id counts once it has ended)."""
    ends: list[int] = []
    names: list[str] = []
    done = False

    def where(offset: int) -> str:
        nonlocal done
        if not done:
            for match in ELEMENT_ID.finditer(text):
                ends.append(match.end())
                names.append(match.group(1))
            done = True
        k = bisect.bisect_right(ends, offset)
        return f"位置 (where) #{names[k - 1]} 附近" if k else f"位置 (where) 第 {offset} 字符"

    return where


def _word(value: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])" + re.escape(value) + r"(?![\w])")


def _search_word(value: str, text: str) -> re.Match[str] | None:
    """`_word(value).search(text)`, trying the pattern only where the value stands."""
    pattern = _word(value)
    at = text.find(value)
    while at != -1:
        match = pattern.match(text, at)
        if match:
            return match
        at = text.find(value, at + 1)
    return None


def _search_error(text: str) -> re.Match[str] | None:
    """`ERROR_MARKERS[1]` (\\b[A-Za-z]*Error:) searched from each "Error:" back to the start of its
    letters: the same first match, without trying the pattern at every character."""
    pattern = ERROR_MARKERS[1][0]
    at = text.find("Error:")
    while at != -1:
        start = at
        while start > 0 and text[start - 1] in ASCII_LETTERS:
            start -= 1
        match = pattern.match(text, start)
        if match:
            return match
        at = text.find("Error:", at + 1)
    return None


def _search_markers(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """`pattern.search(text)` for one of ERROR_MARKERS, looked for from its literal text."""
    if pattern is ERROR_MARKERS[1][0]:
        return _search_error(text)
    if pattern is ERROR_MARKERS[2][0]:  # three literals: the first of them (no two start alike)
        starts = [at for literal in STDERR_LITERALS if (at := text.find(literal)) != -1]
        return pattern.match(text, min(starts)) if starts else None
    return pattern.search(text)


def _has_outside_url(markup: str) -> bool:
    """OUTSIDE_URL.search(markup) is not None, looked for from each "://"."""
    at = markup.find("://")
    while at != -1:
        if OUTSIDE_URL.match(markup, max(0, at - 5)) or OUTSIDE_URL.match(markup, max(0, at - 4)):
            return True
        at = markup.find("://", at + 1)
    return False


def machine_names() -> dict[str, str]:
    names = {}
    try:
        names["用户名 (user name)"] = getpass.getuser()
    except (KeyError, OSError):
        pass
    host = socket.gethostname()
    if host:
        names["主机名 (host name)"] = host
        names["主机名 (host name) "] = host.split(".")[0]
    return {k: v for k, v in names.items() if v and len(v) >= 2}


class PrefixIndex:
    """The personal values (>= 2 characters), ready to be found in long texts; one per value set.

    `anchor` matches wherever a value may start: a few first characters of each value (`_anchor`,
    never more than one per place to check in ordinary tables and markup). At each
    such place only the value lengths known for those two characters are tried, longest first, as
    set lookups. The result is the one of trying every value at every character (`_personal_spans`)
    in one compiled pass plus a few lookups per candidate.
    """

    __slots__ = ("_digest", "anchor", "crosses_cuts", "lengths", "longest", "values")

    def __init__(self, values: frozenset[str]):
        self.values = frozenset(v for v in values if len(v) >= 2)
        by_prefix: dict[str, set[int]] = defaultdict(set)
        for value in self.values:
            by_prefix[value[:2]].add(len(value))
        self.lengths = {prefix: tuple(sorted(sizes, reverse=True)) for prefix, sizes in by_prefix.items()}
        self.anchor = _anchor_pattern(self.values) if self.values else None
        self.longest = max((len(v) for v in self.values), default=0)
        self.crosses_cuts = any(scan_memo.may_cross_cut(v) for v in self.values)
        self._digest: str | None = None

    def __len__(self) -> int:
        return len(self.values)

    @property
    def digest(self) -> str:
        """The values' digest (a key of the pieces found clean with them: `scan_memo`), never the values."""
        if self._digest is None:
            listed = json.dumps(sorted(self.values), ensure_ascii=False)  # unambiguous, whatever a value holds
            self._digest = hashlib.sha256(listed.encode("utf-8", "surrogatepass")).hexdigest()
        return self._digest


def _anchor(value: str) -> str:
    """Where the search for a value starts: its first six characters when it is long (free text
    that starts with a village or street name found all over the tables), four when it begins with
    an ASCII letter or any digit, else two (a name)."""
    if len(value) >= 8:
        return value[:6]
    first = value[0]
    return value[:4] if (first.isascii() and first.isalnum()) or first.isdecimal() else value[:2]


def _anchor_pattern(values: frozenset[str]) -> re.Pattern[str]:
    """One regex matching every value's anchor: a trie of the anchors (those with a shorter anchor
    as prefix left out), each alternative starting with a literal, so that the regex engine skips
    straight to the characters that can start one."""
    trie: dict[str, Any] = {}
    for anchor in sorted({_anchor(v) for v in values}, key=len):
        node = trie
        for char in anchor[:-1]:
            node = node.setdefault(char, {})
            if node is None:
                break
        else:
            if node is not None:
                node[anchor[-1]] = None  # an anchor ends here; longer ones below it are covered

    def emit(node: dict[str, Any]) -> str:
        inner = [re.escape(c) + emit(child) for c, child in sorted(node.items()) if child is not None]
        ends = [re.escape(c) for c, child in sorted(node.items()) if child is None]
        if ends:
            inner.append(ends[0] if len(ends) == 1 else "[" + "".join(ends) + "]")
        return inner[0] if len(inner) == 1 else "(?:" + "|".join(inner) + ")"

    return re.compile("|".join(re.escape(c) + emit(child) for c, child in sorted(trie.items())))


@lru_cache(maxsize=4)
def _cached_index(values: frozenset[str]) -> PrefixIndex:
    return PrefixIndex(values)


def _prefix_index(values: set[str] | frozenset[str] | PrefixIndex) -> PrefixIndex:
    """The index of a value set, built once per process for each set."""
    if isinstance(values, PrefixIndex):
        return values
    return _cached_index(values if isinstance(values, frozenset) else frozenset(values))


def prepare_index(values: set[str] | frozenset[str]) -> None:
    """Build the values' index (`PrefixIndex`, kept per process) and its digest now, ahead of the scans."""
    _ = _prefix_index(values).digest


def _personal_spans(text: str, index: PrefixIndex) -> list[tuple[int, str]]:
    """(offset, value) of every personal value in text, longest match first, never overlapping:
    left to right, the longest value starting at a character, then on after it."""
    spans: list[tuple[int, str]] = []
    if index.anchor is None:
        return spans
    search, values, lengths = index.anchor.search, index.values, index.lengths
    at = 0
    while (match := search(text, at)) is not None:
        i = match.start()
        for size in lengths.get(text[i : i + 2], ()):
            if text[i : i + size] in values:
                spans.append((i, text[i : i + size]))
                at = i + size
                break
        else:
            at = i + 1
    return spans


def _personal_hits(text: str, values: set[str]) -> list[int]:
    """Offsets of any personal value in text (kept for callers of the earlier API)."""
    return [offset for offset, _ in _personal_spans(text, _prefix_index(values))]


def mask(text: str, index: PrefixIndex) -> str:
    """Text with every ID number, phone number and personal value replaced by a placeholder."""
    text = ANY_ID.sub(PLACEHOLDER[KIND_ID], text)
    text = MOBILE.sub(PLACEHOLDER[KIND_MOBILE], text)
    text = LANDLINE.sub(PLACEHOLDER[KIND_LANDLINE], text)
    spans = _personal_spans(text, index)
    if not spans:
        return text
    parts, last = [], 0
    for offset, value in spans:
        parts += [text[last:offset], PLACEHOLDER[KIND_PERSONAL]]
        last = offset + len(value)
    parts.append(text[last:])
    return "".join(parts)


def _visible(fragment: str, side: str) -> str:
    """The text a reader sees in an HTML fragment cut out of a page (partial tags at the cut dropped,
    style and script content left out)."""
    fragment = HIDDEN_BLOCK.sub(" ", fragment)
    lower = fragment.lower()
    for closing in ("</style", "</script"):  # a block cut open at the fragment's start
        at = lower.rfind(closing)
        if at != -1:
            fragment, lower = fragment[at:], lower[at:]
    for opening in ("<style", "<script"):  # a block cut open at the fragment's end
        at = lower.find(opening)
        if at != -1:
            fragment, lower = fragment[:at], lower[:at]
    first_close, first_open = fragment.find(">"), fragment.find("<")
    if first_close != -1 and (first_open == -1 or first_close < first_open):
        fragment = fragment[first_close + 1 :]
    last_open, last_close = fragment.rfind("<"), fragment.rfind(">")
    if last_open > last_close:
        fragment = fragment[:last_open]
    text = re.sub(r"\s+", " ", TAG.sub(" ", fragment))
    return text.lstrip()[-CONTEXT * 4 :] if side == "before" else text.rstrip()[: CONTEXT * 4]


def _context(text: str, start: int, end: int, kind: str, index: PrefixIndex, markup: bool = True) -> str:
    """The masked visible text around text[start:end], the finding itself marked with 【】."""
    before_raw, after_raw = text[max(0, start - 600) : start], text[end : end + 600]
    if markup:
        before, after = _visible(before_raw, "before"), _visible(after_raw, "after")
    else:
        before = re.sub(r"\s+", " ", before_raw).lstrip()[-CONTEXT * 4 :]
        after = re.sub(r"\s+", " ", after_raw).rstrip()[: CONTEXT * 4]
    # The finding itself in 【】: its placeholder, or (machine data) the masked text as it stands.
    hit = (
        f"【{PLACEHOLDER[kind][1:-1]}】"
        if kind in PLACEHOLDER
        else f"【{mask(' '.join(text[start:end].split()), index)}】"
    )
    before, after = mask(before, index)[-CONTEXT:], mask(after, index)[:CONTEXT]
    return f"…{before}{hit}{after}…"


def _capped(findings: list[Finding]) -> list[Finding]:
    """At most MAX_PER_KIND findings of one kind, then one line counting the rest."""
    seen: dict[str, int] = defaultdict(int)
    kept: list[Finding] = []
    for finding in findings:
        seen[finding.kind] += 1
        if seen[finding.kind] <= MAX_PER_KIND:
            kept.append(finding)
    for kind, count in seen.items():
        if count > MAX_PER_KIND:
            kept.append(Finding(f"……另有 {count - MAX_PER_KIND} 处{kind}"))
    return list(dict.fromkeys(kept))


def _personal_findings(
    text: str, index: PrefixIndex, where: Callable[[int], str], markup: bool = True
) -> list[Finding]:
    """ID numbers (with a right check digit), mobile and landline numbers, personal values."""
    found: list[Finding] = []
    covered = bytearray(len(text))

    def add(kind: str, start: int, end: int) -> None:
        if any(covered[start:end]):
            return  # one finding per place: a phone that is also a personal value is reported once
        covered[start:end] = b"\x01" * (end - start)
        found.append(
            Finding(kind, where(start), _context(text, start, end, kind, index, markup), value=text[start:end])
        )

    # The same matches as ID_NUMBER, MOBILE and LANDLINE.finditer(text), found faster in long texts.
    for match in finditer_in_runs(ID_NUMBER, text, 17):
        number = match.group(1).upper()
        if id_check_digit(number[:17]) == number[17]:
            add(KIND_ID, match.start(1), match.end(1))
    for match in MOBILE_SCAN.finditer(text):
        add(KIND_MOBILE, match.start(1), match.end(1))
    for match in LANDLINE_SCAN.finditer(text):
        add(KIND_LANDLINE, match.start(1), match.end(1))
    for offset, value in _personal_spans(text, index):
        add(KIND_PERSONAL, offset, offset + len(value))
    return found


def find_published(
    html: str, personal_values: set[str] | frozenset[str] | PrefixIndex, memo: Path | None = None, name: str = ""
) -> list[Finding]:
    """Everything in a rendered file that must not be published; empty when it may be written.
    `memo` (a folder, `scan_memo_folder`) and `name` (the document's): a long document's pieces found
    clean before are not scanned again (`scan_memo`), with the same result."""
    # Embedded PNG data is base64 noise, not text: leave it out; scan the markup and its unescaped text.
    markup = DATA_URI.sub("data:image/png;base64,", html)
    index = _prefix_index(personal_values)
    # A cut falls before a tag's "<", which nothing the scan looks for holds but a personal value
    # with a "<" in it from which on it is a start of the cut's tag (and written in entities of any
    # length, beyond any margin): with such a value, the whole text.
    if memo is not None and len(markup) >= scan_memo.LONG_TEXT and not index.crosses_cuts:
        names = machine_names()
        pieces = scan_memo.CleanPieces(memo, f"document-{name}", _memo_key("document", index, names))
        # markup: what is found lies within 8 characters a character (&#x27;) of the value, path or marker
        margin = 8 * max(index.longest, *(len(n) for n in names.values()), 64) + 64
        if scan_memo.clean_in_pieces(
            markup, lambda piece: bool(_document_findings(piece, index, names)), pieces, margin
        ):
            pieces.save()
            return []
    return _capped(_document_findings(markup, index))


def _document_findings(markup: str, index: PrefixIndex, names: dict[str, str] | None = None) -> list[Finding]:
    """`find_published`'s findings in markup (embedded PNG data left out), not yet capped (`names`: the
    machine's, `machine_names()` when not given)."""
    text = html_lib.unescape(markup)
    where = _where_in(text)

    findings = _personal_findings(text, index, where)
    for pattern, label in ERROR_MARKERS:
        match = _search_markers(pattern, text)
        if match:
            findings.append(Finding(label, where(match.start()), _context(text, match.start(), match.end(), "", index)))
    for match in MACHINE_PATH.finditer(text):
        end = PATH_REST.match(text, match.end()).end()  # type: ignore[union-attr]
        findings.append(
            Finding("本机路径 (machine path)", where(match.start()), _context(text, match.start(), end, "", index))
        )
    for label, name in (machine_names() if names is None else names).items():
        match = _search_word(name, text)
        if match:
            findings.append(
                Finding(label.strip(), where(match.start()), _context(text, match.start(), match.end(), "", index))
            )
    if SCRIPT_TAG.search(markup):
        findings.append(Finding("脚本 (<script>)"))
    if _has_outside_url(markup):
        findings.append(Finding("外部链接 (http/https)"))
    return findings


def _read_scan_code() -> str:
    """The scan's own code as this process loaded it, with the Python and Unicode versions its
    patterns (digits, word characters, html.unescape's entities) follow: a memo's pieces were found
    clean by these."""
    from ..ledgers import personal

    digest = hashlib.sha256(f"{sys.version}\0{unicodedata.unidata_version}\0".encode())
    for module in (__file__, scan_memo.__file__, personal.__file__):
        digest.update(Path(module).read_bytes())
    return digest.hexdigest()


_SCAN_CODE = _read_scan_code()  # at import: code edited during a run is not taken for the code that runs


def _scan_code() -> str:
    return _SCAN_CODE


def _memo_key(kind: str, index: PrefixIndex, names: dict[str, str] | None = None) -> str:
    """What a scan of `kind` finds: its code, the personal values (their digest) and the machine's names."""
    return json.dumps([kind, _scan_code(), index.digest, sorted((names or {}).items())], ensure_ascii=False)


def scan_memo_folder(params: RunParams) -> Path:
    """Where a run keeps the digests of the pieces of long texts its scans found clean (`scan_memo`)."""
    return params.path(params.build_root) / ".cache" / str(params.year) / "scan"


def scan_published(html: str, personal_values: set[str]) -> list[str]:
    """Everything in a rendered file that must not be published, as Chinese lines (values masked)."""
    return [finding.message() for finding in find_published(html, personal_values)]


# ------------------------------------------------------------------ where a finding came from


@dataclass(frozen=True)
class Cell:
    file: str
    sheet: str
    row: int | None
    column: str
    text: str
    origin: str = ""  # "" for a raw ledger cell, else the clean table (and column) it was found in

    @property
    def place(self) -> tuple[str, str, int | None, str]:
        return self.file, self.sheet, self.row, self.column

    def describe(self, origins: list[str] | None = None) -> str:
        """The place; `origins` are the clean tables the value was (also) found in."""
        parts = [self.file]
        if self.sheet:
            parts.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"列「{self.column}」")
        found_in = "、".join(o for o in (origins if origins is not None else [self.origin]) if o)
        if not found_in:
            return " / ".join(parts)
        if self.origin:  # first seen in clean data: the raw cell no longer holds it
            return " / ".join(parts) + f"(见清洗结果 {found_in}；原始台账该单元格中未找到)"
        return " / ".join(parts) + f"(清洗结果 {found_in} 中也有)"


def _years(root: Path, year: int) -> list[Path]:
    if not root.is_dir():
        return []
    return [p for p in sorted(root.iterdir()) if p.is_dir() and p.name.isdigit() and int(p.name) <= year]


def _raw_cells(raw_root: Path, year: int) -> Iterator[Cell]:
    """Every non-empty data cell of the raw ledgers of `year` and earlier, with its header."""
    for folder in _years(raw_root, year):
        try:
            manifest = read_manifest(folder)
        except Exception:  # noqa: BLE001 - tracing is best effort: an unreadable year is skipped
            continue
        for ledger in manifest.ledgers:
            path = folder / ledger.file_name(manifest.year)
            try:
                grids = read_ledger_grids(ledger, path)  # one grid per month for a ledger kept by month
            except Exception:  # noqa: BLE001
                continue
            for grid in grids:
                try:
                    header_idx, found, labels = find_header(grid, ledger)
                except Exception:  # noqa: BLE001
                    continue
                headers = {hits[0]: c.header for c in ledger.columns if (hits := found.get(c.name))}
                for i, row in enumerate(grid.rows[header_idx + 1 :]):
                    sheet_row = header_idx + 1 + i + grid.first_row
                    for j, value in enumerate(row):
                        if value in (None, ""):
                            continue
                        label = headers.get(j) or ("/".join(sorted(labels[j])) if j < len(labels) and labels[j] else "")
                        yield Cell(grid.file, grid.sheet, sheet_row, label or f"第{j + 1}列", str(value).strip())


def _clean_cells(clean_root: Path, year: int) -> Iterator[Cell]:
    """Every text cell of the clean tables and quarantine of `year` and earlier, with the raw cell
    it came from (source_file, source_sheet, source_row)."""
    import pandas as pd

    from ..ledgers import LEDGERS_BY_TABLE

    lineage = {"row_id", "source_file", "source_sheet", "source_row"}
    for folder in _years(clean_root, year):
        for path in sorted(folder.glob("*.parquet")):
            try:
                frame = pd.read_parquet(path)
            except Exception:  # noqa: BLE001
                continue
            origin = f"{folder.name}/{path.name}"
            if path.stem == "quarantine":
                for record in frame.to_dict("records"):
                    if isinstance(record.get("value"), str) and record["value"]:
                        row = record.get("row")
                        yield Cell(
                            str(record.get("file") or ""),
                            str(record.get("sheet") or ""),
                            int(row) if row is not None and not pd.isna(row) else None,
                            str(record.get("column") or ""),
                            record["value"],
                            origin,
                        )
                continue
            if not lineage <= set(frame.columns):
                continue
            ledger = LEDGERS_BY_TABLE.get(path.stem)
            headers = {c.clean_name: c.header for c in ledger.columns} if ledger else {}
            # Plain lists, not a pandas look-up per cell (~75 µs each: a blocked publish traced every
            # clean cell of every year in ~10 s).
            files = [str(v) for v in frame["source_file"].tolist()]
            sheets = [str(v or "") for v in frame["source_sheet"].tolist()]
            rows = [int(v) if not pd.isna(v) else None for v in frame["source_row"].tolist()]
            for name in frame.columns:
                if name in lineage or frame[name].dtype.kind not in "OUS" and str(frame[name].dtype) != "string":
                    continue
                header, where = headers.get(name, name), f"{origin} 列 {name}"
                for i, value in enumerate(frame[name].tolist()):
                    if isinstance(value, str) and value:
                        yield Cell(files[i], sheets[i], rows[i], header, value, where)


def trace_values(values: set[str], raw_root: Path, clean_root: Path, year: int, limit: int = 3) -> dict[str, list[str]]:
    """For each value, up to `limit` ledger cells holding it: exact cells first, then cells that
    contain it; raw ledger cells first, then clean tables and quarantine. Best effort, never raises."""
    wanted = {v: unicodedata.normalize("NFKC", v).strip() for v in values if v and v.strip()}
    if not wanted:
        return {}
    # value -> place -> (exact?, first cell seen, clean tables it was also found in)
    places: dict[str, dict[tuple[str, str, int | None, str], tuple[bool, Cell, list[str]]]] = defaultdict(dict)
    for cells in (_raw_cells(raw_root, year), _clean_cells(clean_root, year)):
        try:
            for cell in cells:
                text = unicodedata.normalize("NFKC", cell.text)
                for value, needle in wanted.items():
                    if needle not in text:
                        continue
                    known = places[value].get(cell.place)
                    if known is None and len(places[value]) < 4 * limit:
                        known = (text.strip() == needle, cell, [])
                        places[value][cell.place] = known
                    if known is not None and cell.origin and cell.origin not in known[2]:
                        known[2].append(cell.origin)
        except Exception:  # noqa: BLE001 - a broken table must not hide the findings themselves
            continue
    traced = {}
    for value, found in places.items():
        ranked = sorted(found.values(), key=lambda item: (not item[0], item[1].origin != ""))[:limit]
        traced[value] = [cell.describe(origins) for _, cell, origins in ranked]
    return traced


def trace_findings(findings: list[Finding], params: RunParams) -> list[Finding]:
    """The findings with the ledger cell(s) each personal value came from, where it can be traced."""
    values = {f.value for f in findings if f.personal and f.value}
    if not values:
        return findings
    traced = trace_values(values, params.path(params.raw_root), params.path(params.clean_root), params.year)
    return [replace(f, source="；".join(traced[f.value])) if f.personal and f.value in traced else f for f in findings]


# ------------------------------------------------------------------ executed notebooks (internal files)

SCRUB_NOTICE = (
    "本单元格的输出含个人信息（{kinds}），已在保存前移除 (outputs removed: personal data found)。"
    "请在运行日志中查看位置，修正台账或笔记本后重新运行。"
)
SCRUB_KEY = "lawreport_scrubbed"  # notebook metadata: the findings for which outputs were removed


def _output_texts(output: Any) -> Iterator[tuple[str, bool]]:
    """(text, is_html) of one notebook output; images are left out."""
    kind = output.get("output_type")
    if kind == "stream":
        yield _join(output.get("text", "")), False
    elif kind in ("display_data", "execute_result", "update_display_data"):
        for mime, data in (output.get("data") or {}).items():
            if mime.startswith("image/") and mime != "image/svg+xml":
                continue
            text = data if isinstance(data, str) else _join(data) if isinstance(data, list) else None
            if text is None:
                text = json.dumps(data, ensure_ascii=False, sort_keys=True)
            if mime in ("text/html", "image/svg+xml"):
                yield html_lib.unescape(DATA_URI.sub("data:image/png;base64,", text)), True
            else:
                yield text, False
    elif kind == "error":
        yield ANSI.sub("", "\n".join([str(output.get("ename", "")), str(output.get("evalue", ""))])), False
        yield ANSI.sub("", "\n".join(str(line) for line in output.get("traceback") or [])), False


def _join(text: Any) -> str:
    return "".join(text) if isinstance(text, list) else str(text)


def _notebook_places(notebook: Any) -> Iterator[tuple[int | None, bool, str, str, bool]]:
    """(cell index or None for metadata, in the outputs?, where, text, is markup) of each text of a
    notebook that the scan for personal data reads."""
    papermill = (notebook.get("metadata") or {}).get("papermill") or {}
    if papermill.get("parameters"):
        yield (
            None,
            False,
            "笔记本元数据 (notebook metadata)",
            json.dumps(papermill["parameters"], ensure_ascii=False, sort_keys=True),  # as the file has them
            False,
        )
    for n, cell in enumerate(notebook.get("cells") or [], 1):
        label = f"第 {n} 个单元格 (cell {n})"
        yield n - 1, False, f"{label}源码 (source)", _join(cell.get("source", "")), False
        for output in cell.get("outputs") or []:
            for text, is_html in _output_texts(output):
                yield n - 1, True, f"{label}输出 (output)", text, is_html


def _notebook_texts(notebook: Any) -> Iterator[tuple[str, bool]]:
    """(text, is markup) of each text of a notebook that the scan for personal data reads."""
    for _, _, _, text, markup in _notebook_places(notebook):
        yield text, markup


def _notebook_findings(notebook: Any, index: PrefixIndex) -> list[tuple[int | None, bool, Finding]]:
    """(cell index or None for metadata, in the outputs?, finding) of a notebook's personal data."""
    found: list[tuple[int | None, bool, Finding]] = []
    for cell, in_outputs, label, text, markup in _notebook_places(notebook):
        for f in _personal_findings(text, index, lambda _o, label=label: label, markup):
            found.append((cell, in_outputs, f))
    return found


_NOTEBOOKS: dict[tuple[str, int, int, int], Any] = {}  # the last notebooks read, by file identity
_NOTEBOOKS_LOCK = threading.Lock()  # the editions' notebooks are scrubbed in two threads


def notebook_json(path: Path) -> Any:
    """An executed notebook's JSON (None if unreadable), read once while the file is unchanged
    (same inode, mtime and size): the scrub after each execution and the appendix export read the
    same 6 MB. Shared: do not modify it."""
    key = _notebook_key(path)
    if key is None:
        return None
    with _NOTEBOOKS_LOCK:
        if key in _NOTEBOOKS:
            return _NOTEBOOKS[key]
    try:
        notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    _keep_notebook(key, notebook)
    return notebook


def _notebook_key(path: Path) -> tuple[str, int, int, int] | None:
    """A notebook file as it is now (`file_identity`), None if it cannot be read."""
    try:
        return (str(Path(path).resolve()), *file_identity(path))
    except OSError:
        return None


def _keep_notebook(key: tuple[str, int, int, int], notebook: Any) -> None:
    with _NOTEBOOKS_LOCK:
        while len(_NOTEBOOKS) >= 4:
            _NOTEBOOKS.pop(next(iter(_NOTEBOOKS)))
        _NOTEBOOKS[key] = notebook


def remember_notebook(path: Path, notebook: Any) -> None:
    """Keep `notebook`, the notebook object that was just written to `path` (papermill's result), as
    `notebook_json` would read it back from the file as it is now: the internal edition's 6 MB are
    not read again (0.04 s). Multi-line strings stand as one string where the file splits them into a
    list of lines; every reader here takes either (`_join`, `nbhtml`)."""
    key = _notebook_key(path)
    if key is not None and isinstance(notebook, dict) and notebook.get("nbformat") == 4:
        _keep_notebook(key, notebook)


def forget_notebook(path: Path) -> None:
    """Drop a notebook's JSON kept by `notebook_json`."""
    name = str(Path(path).resolve())
    with _NOTEBOOKS_LOCK:
        for key in [k for k in _NOTEBOOKS if k[0] == name]:
            del _NOTEBOOKS[key]


def _read_for_scan(path: Path) -> Any:
    """The notebook as plain JSON when it is nbformat 4 (all the scan reads: cells, outputs,
    metadata), else through nbformat (which converts older versions). The scan needs no schema
    validation; a notebook that must be rewritten is read again with nbformat."""
    notebook = notebook_json(path)
    if isinstance(notebook, dict) and notebook.get("nbformat") == 4:
        return notebook
    import nbformat

    return nbformat.read(str(path), as_version=4)


Identity = tuple[int, int, int]


def file_identity(path: Path) -> Identity:
    """A file as it is now: inode, modification time and size (OSError if it is gone)."""
    stat = Path(path).stat()
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def notebook_verdict(
    path: Path,
    identity: Identity,
    personal_values: set[str] | frozenset[str] | PrefixIndex,
    memo: Path | None = None,
) -> str:
    """What the scrub's scan (`scrub_or_block`) would find in the executed notebook at `path`, if it
    is still the file `identity` names: "clean" (nothing), "found" (something: the scrub must run)
    or "changed" (another file now). Used by the run's forked scanner (`lawreport.run.pipeline.fork_scanner`).
    `memo` (a folder, `scan_memo_folder`): a long output's pieces found clean before are not scanned
    again (`scan_memo`), with the same verdict."""
    if file_identity(path) != tuple(identity):
        return "changed"
    notebook = _read_for_scan(path)
    if file_identity(path) != tuple(identity):
        return "changed"
    index = _prefix_index(personal_values)
    pieces = (
        None if memo is None else scan_memo.CleanPieces(memo, f"notebook-{path.stem}", _memo_key("notebook", index))
    )
    for text, markup in _notebook_texts(notebook):
        if pieces is not None and scan_memo.clean_in_pieces(
            text,
            lambda piece, markup=markup: bool(_personal_findings(piece, index, _nowhere, markup)),
            pieces,
            index.longest + 64,
        ):
            continue
        if _personal_findings(text, index, _nowhere, markup):
            return "found"
    if pieces is not None:
        pieces.save()
    return "clean"


def _nowhere(_offset: int) -> str:
    return ""


def scan_notebook(path: Path, personal_values: set[str] | frozenset[str]) -> list[str]:
    """Personal data in an executed notebook's outputs, sources and parameters, as Chinese lines
    (values masked). Tracebacks, warnings and paths are allowed here: it is an internal file."""
    notebook = _read_for_scan(path)
    findings = [f for _, _, f in _notebook_findings(notebook, _prefix_index(personal_values))]
    return [f.message() for f in _capped(findings)]


def scrubbed_findings(path: Path) -> list[str]:
    """The findings `scrub_or_block` recorded in a notebook whose outputs it removed (empty if none)."""
    notebook = notebook_json(path)
    metadata = (notebook.get("metadata") if isinstance(notebook, dict) else None) or {}
    return [str(line) for line in metadata.get(SCRUB_KEY) or []]


def scrub_or_block(
    path: Path,
    params: RunParams | None = None,
    personal_values: set[str] | frozenset[str] | None = None,
    block: bool = False,
    say: Callable[[str], None] | None = print,
) -> list[str]:
    """The second gate for an executed notebook: when it holds personal data, replace the outputs of
    each cell holding it by a notice, mask it in sources and parameters, record the findings in the
    notebook's metadata (so the appendix export refuses it), rewrite the file atomically, and report
    the findings (traced to their ledger cells when `params` is given) through `say`.

    Returns the report lines (empty when the notebook is clean). With block=True, raise
    PublishBlocked (P305) after scrubbing instead. Personal values default to those of the run's raw
    ledgers; when they cannot be read, only ID and phone numbers are looked for (and that is said).
    """
    lines: list[str] = []
    if personal_values is None:
        personal_values = set()
        if params is not None:
            try:
                personal_values = personal_values_of(params)
            except Exception as error:  # noqa: BLE001 - e.g. a broken manifest: still check the patterns
                lines.append(
                    f"个人信息列的值无法读取 ({type(error).__name__})，笔记本只按身份证号和电话号码规则检查："
                    f"{Path(path).name}"
                )
    index = _prefix_index(personal_values)
    found = _notebook_findings(_read_for_scan(path), index)
    if not found:
        if lines and say:
            for line in lines:
                say(line)
        return lines
    import nbformat

    notebook = nbformat.read(str(path), as_version=4)
    findings = [f for _, _, f in found]
    if params is not None:
        findings = trace_findings(findings, params)
    shown = _capped(findings)
    kinds_by_cell: dict[int, set[str]] = defaultdict(set)
    masked_sources: set[int] = set()
    for cell_index, in_output, finding in found:
        if cell_index is None:
            continue
        if in_output:
            kinds_by_cell[cell_index].add(finding.kind.split(" (")[0])
        else:
            masked_sources.add(cell_index)
    for cell_index in masked_sources:
        cell = notebook.cells[cell_index]
        cell.source = mask(_join(cell.source), index)
    for cell_index, kinds in kinds_by_cell.items():
        notice = SCRUB_NOTICE.format(kinds="、".join(sorted(kinds)))
        notebook.cells[cell_index].outputs = [
            nbformat.v4.new_output("display_data", data={"text/plain": notice, "text/markdown": f"**{notice}**"})
        ]
    papermill = notebook.metadata.get("papermill") or {}
    if papermill.get("parameters"):
        papermill["parameters"] = json.loads(mask(json.dumps(papermill["parameters"], ensure_ascii=False), index))
    notebook.metadata[SCRUB_KEY] = [f.message() for f in shown]
    temporary = Path(path).with_name(f".{Path(path).name}.{os.getpid()}.scrub.tmp")
    try:
        nbformat.write(notebook, str(temporary))
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    lines.append(
        f"[P305] 执行后的笔记本 {Path(path).name} 含个人信息 (personal data in an executed notebook)："
        f"{len(kinds_by_cell)} 个单元格的输出已替换为说明，共 {len(findings)} 处："
    )
    lines.extend(f"  - {f.message()}" for f in shown)
    if say:
        for line in lines:
            say(line)
    if block:
        from .export import PublishBlocked

        raise PublishBlocked({Path(path).name: shown}, executed={Path(path).name: Path(path)})
    return lines


# ------------------------------------------------------------------ the raw ledgers' personal values


# (personal, public) values of one ledger file, by its ledger, path and state (`_state`): a file
# read before and unchanged since is not read again. A warm kernel reads them ahead, after the run that
# started it (`read_ahead`), and hands them to the next run (`values_for`): one changed ledger, one file read.
FileKey = tuple[Any, str, tuple[int, int, int, int]]
_FILE_VALUES: dict[FileKey, tuple[frozenset[str], frozenset[str]]] = {}
_FILE_VALUES_LOCK = threading.Lock()  # a scrub and an edition may read the same file at once
Stamp = tuple[tuple[str, int, int, int, int], ...]


def _state(stat: os.stat_result) -> tuple[int, int, int, int]:
    """A file's state: inode, size, modification and status change times (an edit that keeps the
    size and the modification time still changes the last; so does a copy, `cp -p`)."""
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def _ledger_values(ledger: Any, path: Path) -> tuple[frozenset[str], frozenset[str]]:
    """(personal, public) values of one ledger file, read with the project's readers; kept by the
    file's state taken before it is read (a file changed while read is read again next time)."""
    key = (ledger, str(path), _state(path.stat()))
    found = _FILE_VALUES.get(key)
    if found is not None:
        return found
    personal: set[str] = set()
    public: set[str] = set()
    for grid in read_ledger_grids(ledger, path):  # every month's sheet of a ledger kept by month
        header_idx, columns, _ = find_header(grid, ledger)
        rows = grid.rows[header_idx + 1 :]
        for column in ledger.columns:
            if not columns.get(column.name):
                continue
            j = columns[column.name][0]
            texts = (str(row[j]).strip() for row in rows if j < len(row) and row[j] not in (None, ""))
            (personal if column.personal else public).update(value for value in texts if len(value) >= 2)
    found = (frozenset(personal), frozenset(public))
    with _FILE_VALUES_LOCK:
        for old in [k for k in _FILE_VALUES if k[:2] == key[:2]]:
            _FILE_VALUES.pop(old, None)  # the file's earlier state
        _FILE_VALUES[key] = found
    return found


def _raw_values(raw_dir: Path) -> tuple[set[str], set[str]]:
    """(personal, public) values of one raw year, read with the project's readers."""
    personal: set[str] = set()
    public: set[str] = set()
    manifest = read_manifest(raw_dir)
    for ledger in manifest.ledgers:
        path = raw_dir / ledger.file_name(manifest.year)
        if not path.exists():
            continue
        p, q = _ledger_values(ledger, path)
        personal |= p
        public |= q
    return personal, public


@lru_cache(maxsize=8)
def _cached_personal_values(raw_root: str, year: int, stamp: Stamp) -> frozenset[str]:
    personal: set[str] = set()
    public: set[str] = set()
    root = Path(raw_root)
    for folder in sorted(root.iterdir()):
        if folder.name.isdigit() and int(folder.name) <= year and (folder / MANIFEST_NAME).exists():
            p, q = _raw_values(folder)
            personal |= p
            public |= q
    return frozenset(personal - public)


# Personal values read by another process (`remember_personal_values`), by raw root, year and stamp.
_GIVEN: dict[tuple[str, int, Stamp], frozenset[str]] = {}


def raw_stamp(raw_root: Path) -> Stamp:
    """Every file under raw_root with its state (`_state`): the personal values read are those of
    these very files (a warm kernel keeps values across runs)."""
    found = []
    for path in raw_root.rglob("*"):
        try:
            stat = path.stat()
        except OSError:  # a broken link: not a file
            continue
        if S_ISREG(stat.st_mode):
            found.append((str(path), *_state(stat)))
    return tuple(sorted(found))


def personal_values(raw_root: Path, year: int) -> set[str]:
    """Every value (>= 2 characters) of the personal columns of the raw ledgers of `year` and the
    earlier years under raw_root, less values that also stand in non-personal columns."""
    stamp = raw_stamp(raw_root)
    given = _GIVEN.get((str(raw_root), year, stamp))
    return set(given if given is not None else _cached_personal_values(str(raw_root), year, stamp))


def remember_personal_values(raw_root: Path, year: int, stamp: Stamp, values: list[str]) -> None:
    """Keep the personal values another process read from the raw files as `stamp` describes them
    (`lawreport.run.pipeline.fork_scanner`); used only while the files are still so."""
    if len(_GIVEN) >= 8:
        _GIVEN.clear()
    _GIVEN[(str(raw_root), year, stamp)] = frozenset(values)


def personal_values_of(params: RunParams) -> set[str]:
    """The personal values of a run: its raw ledgers' personal columns, this year and earlier."""
    return personal_values(params.path(params.raw_root), params.year)


def values_for(raw_root: str, year: int) -> str:
    """(In a warm kernel, asked by a run: `lawreport.run.pipeline.KernelPool.give_values`.) The personal
    values of the raw ledgers under raw_root for `year`, as JSON [stamp, values] in base64 (its repr
    is itself, quoted: nothing to unescape): the files' stamp (`raw_stamp`) taken first, then the
    values, read again only from the files changed since they were read (`read_ahead`)."""
    import base64

    from ..ledgers import use_unit

    root = Path(raw_root)
    use_unit(root)  # the ledgers as that unit configures them (as a run's parameters make them)
    stamp = raw_stamp(root)
    listed = json.dumps([stamp, sorted(_cached_personal_values(str(root), year, stamp))], ensure_ascii=False)
    return base64.b64encode(listed.encode("utf-8")).decode("ascii")


def read_ahead(raw_root: str, year: int) -> None:
    """(In a warm kernel left by a run, before it is ready.) Read the personal values of that run's raw
    ledgers, for the next run to ask for (`values_for`). Anything wrong: nothing read (the next run
    reads them itself)."""
    try:
        values_for(raw_root, year)
    except Exception:  # noqa: BLE001 - a run that asks reads the files again and meets the error itself
        pass
