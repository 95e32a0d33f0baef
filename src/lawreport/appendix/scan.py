"""The pre-publication scan: nothing personal, no error output, no machine detail in a rendered file.

`scan_published(html, personal_values)` returns one Chinese finding per problem, naming what kind
of thing was found and where (character offset and the nearest element id), never the value.
"""

from __future__ import annotations

import getpass
import html as html_lib
import re
import socket
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from ..cleaning import find_header
from ..manifest import MANIFEST_NAME, read_manifest
from ..reading import read_csv_export, read_xlsx_sheet
from ..values import id_check_digit

_EDGE_L = r"(?<![0-9A-Za-z])"
_EDGE_R = r"(?![0-9A-Za-z])"
ID_NUMBER = re.compile(_EDGE_L + r"(\d{17}[0-9Xx])" + _EDGE_R)
MOBILE = re.compile(_EDGE_L + r"(1[3-9]\d{9})" + _EDGE_R)
LANDLINE = re.compile(_EDGE_L + r"(0\d{2,3}-?\d{7,8})" + _EDGE_R)
DATA_URI = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")
ERROR_MARKERS = (
    (re.compile(r"Traceback"), "程序错误回溯 (Traceback)"),
    (re.compile(r"\b[A-Za-z]*Error:"), "错误输出 (Error:)"),
    (re.compile(r"output_stderr|output_error|application/vnd\.jupyter\.stderr"), "笔记本的错误或警告输出 (stderr)"),
)
MACHINE_PATH = re.compile(r"(?<![\w.])/(?:root|work|home|tmp)(?=/|\b)")
ELEMENT_ID = re.compile(r'\bid="([^"]+)"')


def _where(text: str, offset: int) -> str:
    """The nearest preceding element id, to say where a finding is without quoting it."""
    ids = list(ELEMENT_ID.finditer(text, 0, offset))
    near = f"，附近元素 #{ids[-1].group(1)}" if ids else ""
    return f"第 {offset} 字符{near}"


def _word(value: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])" + re.escape(value) + r"(?![\w])")


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


def _personal_hits(text: str, values: set[str]) -> list[int]:
    """Offsets of any personal value in text: values indexed by their first two characters, one pass."""
    by_prefix: dict[str, list[str]] = defaultdict(list)
    for value in values:
        if len(value) >= 2:
            by_prefix[value[:2]].append(value)
    hits = []
    for i in range(len(text) - 1):
        candidates = by_prefix.get(text[i : i + 2])
        if candidates and any(text.startswith(v, i) for v in candidates):
            hits.append(i)
    return hits


def scan_published(html: str, personal_values: set[str]) -> list[str]:
    """Everything in a rendered file that must not be published; empty when it may be written."""
    findings: list[str] = []
    # Embedded PNG data is base64 noise, not text: leave it out; scan the markup and its unescaped text.
    markup = DATA_URI.sub("data:image/png;base64,", html)
    text = html_lib.unescape(markup)
    for match in ID_NUMBER.finditer(text):
        number = match.group(1).upper()
        if id_check_digit(number[:17]) == number[17]:
            findings.append(f"身份证号 (ID number)：{_where(text, match.start())}")
    for match in MOBILE.finditer(text):
        findings.append(f"手机号 (mobile number)：{_where(text, match.start())}")
    for match in LANDLINE.finditer(text):
        findings.append(f"固定电话 (landline)：{_where(text, match.start())}")
    hits = _personal_hits(text, personal_values)
    for offset in hits[:20]:
        findings.append(f"原始台账个人信息列中的值 (personal value)：{_where(text, offset)}")
    if len(hits) > 20:
        findings.append(f"……另有 {len(hits) - 20} 处个人信息列中的值")
    for pattern, label in ERROR_MARKERS:
        for match in pattern.finditer(text):
            findings.append(f"{label}：{_where(text, match.start())}")
            break
    for match in MACHINE_PATH.finditer(text):
        findings.append(f"本机路径 (machine path) {match.group(0)}…：{_where(text, match.start())}")
    for label, name in machine_names().items():
        match = _word(name).search(text)
        if match:
            findings.append(f"{label.strip()}：{_where(text, match.start())}")
    if re.search(r"<script\b", markup, re.IGNORECASE):
        findings.append("脚本 (<script>)")
    if re.search(r"https?://", markup, re.IGNORECASE):
        findings.append("外部链接 (http/https)")
    return list(dict.fromkeys(findings))


# ------------------------------------------------------------------ the raw ledgers' personal values


def _raw_values(raw_dir: Path) -> tuple[set[str], set[str]]:
    """(personal, public) values of one raw year, read with the project's readers."""
    personal: set[str] = set()
    public: set[str] = set()
    manifest = read_manifest(raw_dir)
    for ledger in manifest.ledgers:
        path = raw_dir / ledger.file_name(manifest.year)
        if not path.exists():
            continue
        grid = (
            read_csv_export(path, ledger.table)
            if ledger.fmt == "csv"
            else read_xlsx_sheet(path, ledger.sheet or "", ledger.table)
        )
        header_idx, found, _ = find_header(grid, ledger)
        for column in ledger.columns:
            if not found.get(column.name):
                continue
            j = found[column.name][0]
            for row in grid.rows[header_idx + 1 :]:
                if j < len(row) and row[j] not in (None, ""):
                    value = str(row[j]).strip()
                    if len(value) >= 2:
                        (personal if column.personal else public).add(value)
    return personal, public


@lru_cache(maxsize=8)
def _cached_personal_values(raw_root: str, year: int, stamp: tuple[tuple[str, int, int], ...]) -> frozenset[str]:
    personal: set[str] = set()
    public: set[str] = set()
    root = Path(raw_root)
    for folder in sorted(root.iterdir()):
        if folder.name.isdigit() and int(folder.name) <= year and (folder / MANIFEST_NAME).exists():
            p, q = _raw_values(folder)
            personal |= p
            public |= q
    return frozenset(personal - public)


def personal_values(raw_root: Path, year: int) -> set[str]:
    """Every value (>= 2 characters) of the personal columns of the raw ledgers of `year` and the
    earlier years under raw_root, less values that also stand in non-personal columns."""
    stamp = tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in raw_root.rglob("*") if p.is_file()))
    return set(_cached_personal_values(str(raw_root), year, stamp))
