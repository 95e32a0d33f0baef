"""Shapes of personal data inside text, shared by the clean step and the pre-publication scan.

`appendix/scan.py` uses `ID_NUMBER`, `MOBILE`, `LANDLINE` and `id_check_digit` to stop a rendered file
that holds an ID or phone number. The clean step uses `find_personal` / `mask_personal` on values of
columns that are not declared personal (N207): a phone typed into 问题名称, an ID number into 活动地点.

What counts as personal here (full-width digits and letters count as their ASCII forms):
- 居民身份证号: 18 digits (or 17 + X) with the GB 11643 check digit and a real birth date; 15-digit
  legacy numbers with a known province code and a real 19YYMMDD birth date;
- 手机号: 1[3-9] + 9 digits, also written 138 1234 5678, 138-1234-5678, +86 138…;
- 固定电话: area code 0xx(x) + 7-8 digits, with or without a dash, (0571)8888 9999, an extension;
- 银行卡号: 16-19 digits (or groups of four) that pass the Luhn check;
- 电子邮箱: name@domain.tld.
A match must not touch another letter or digit (`EDGE_L`/`EDGE_R`): 12-digit 区划代码 or a ticket
number such as GD2025010100001 are not phone numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from array import array
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

EDGE_L = r"(?<![0-9A-Za-z])"
EDGE_R = r"(?![0-9A-Za-z])"
ID_NUMBER = re.compile(EDGE_L + r"(\d{17}[0-9Xx])" + EDGE_R)
MOBILE = re.compile(EDGE_L + r"(1[3-9]\d{9})" + EDGE_R)
LANDLINE = re.compile(EDGE_L + r"(0\d{2,3}-?\d{7,8})" + EDGE_R)
# Further written forms the clean step masks as well.
ID_NUMBER_15 = re.compile(EDGE_L + r"(\d{15})" + EDGE_R)
MOBILE_WRITTEN = re.compile(EDGE_L + r"((?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2})" + EDGE_R)
LANDLINE_WRITTEN = re.compile(EDGE_L + r"((?:\(0\d{2,3}\) ?|0\d{2,3}[- ]?)\d{3,4} ?\d{4}(?:-\d{1,5})?)" + EDGE_R)
BANK_CARD = re.compile(EDGE_L + r"(\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]\d{1,3})?)" + EDGE_R)
EMAIL = re.compile(r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Full-width digits, letters and the symbols the shapes use, read as ASCII one character for one
# (so a match's span is also its span in the original text, whose other characters are kept).
_HALF_WIDTH = str.maketrans(
    {chr(0xFF01 + i): chr(0x21 + i) for i in range(0x5E) if chr(0x21 + i).isalnum() or chr(0x21 + i) in "+-().@_%"}
    | {"\u3000": " "}
)
# A value without '@' and without ten digits in a row (spaces, dashes, brackets between) holds none of them.
_CANDIDATE = re.compile(r"@|(?:\d[ ()+-]{0,2}){10}")
_DIGIT_OR_AT = re.compile(r"[0-9@\uff10-\uff19\uff20]")

# Twins of MOBILE and LANDLINE with exactly the same matches (tests/test_appendix_fast.py holds them
# equal), for long texts: each starts with its first literal digit, which the regex engine skips to,
# and checks the left edge after it, instead of trying the edge at every character.
MOBILE_SCAN = re.compile(r"(1(?<![0-9A-Za-z]1)[3-9]\d{9})" + EDGE_R)
LANDLINE_SCAN = re.compile(r"(0(?<![0-9A-Za-z]0)\d{2,3}-?\d{7,8})" + EDGE_R)
_DIGIT_BYTES = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))  # an ASCII digit -> "0", else " "
SHORT_TEXT = 4096  # below this, the plain regex is as fast as anything


def _digits_between(first: int, last: int) -> str:
    """Every character from `first` to `last` that `\\d` matches, asked of this Python's own `re`."""
    every = array("I", range(first, last + 1)).tobytes().decode("utf-32-le", "surrogatepass")
    return "".join(re.findall(r"\d", every))


@cache
def _wide_digits() -> re.Pattern[str]:
    """The characters from U+0080 to U+FFFF that `\\d` matches (full-width ０-９, Arabic-Indic and
    the other scripts' digits) as one class, built once per process (a few milliseconds)."""
    return re.compile("[" + _digits_between(0x80, 0xFFFF) + "]")


@cache
def _astral_digits() -> re.Pattern[str]:
    """The same beyond U+FFFF (mathematical and other digits), built only for a text that has such
    characters. A separate class: one that also holds these is checked range by range (slow)."""
    return re.compile("[" + _digits_between(0x10000, 0x10FFFF) + "]")


def digit_runs(text: str, least: int) -> list[tuple[int, int]]:
    """(start, end) of every run of at least `least` characters that `\\d` matches, left to right.
    Linear and in C: one byte per character ("?" for any non-ASCII one, then "0" for digits)."""
    mapped = bytearray(text.encode("ascii", "replace").translate(_DIGIT_BYTES))
    for match in _wide_digits().finditer(text):
        mapped[match.start()] = 48
    if len(text.encode("utf-16-le", "surrogatepass")) > 2 * len(text):  # characters beyond U+FFFF
        for match in _astral_digits().finditer(text):
            mapped[match.start()] = 48
    runs = []
    needle = b"0" * least
    start = mapped.find(needle)
    while start != -1:
        end = start + least
        while end < len(mapped) and mapped[end] == 48:
            end += 1
        runs.append((start, end))
        start = mapped.find(needle, end)
    return runs


def finditer_in_runs(pattern: re.Pattern[str], text: str, least: int, tail: int = 1) -> list[re.Match[str]]:
    """`list(pattern.finditer(text))` for a pattern each of whose matches lies inside one run of at
    least `least` digits and at most `tail` characters after it (ID_NUMBER: 17 digits and [0-9Xx]),
    and whose look-arounds see at most one character on either side. Only the runs are searched."""
    if len(text) < SHORT_TEXT:
        return list(pattern.finditer(text))
    found: list[re.Match[str]] = []
    for start, end in digit_runs(text, least):
        found.extend(pattern.finditer(text, start, min(len(text), end + tail + 1)))
    return found


ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# First two digits of a 居民身份证号: the provinces (GB/T 2260), Hong Kong, Macao and Taiwan.
PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)

ID_LABEL = "身份证号"
PHONE_LABEL = "电话"
BANK_LABEL = "银行卡号"
EMAIL_LABEL = "电子邮箱"


def id_check_digit(first17: str) -> str:
    """GB 11643 check digit of an 18-digit 居民身份证号."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def is_id_number(number: str, today: dt.date | None = None, born_by: dt.date | None = None) -> bool:
    """An 18-character ID number with a right check digit and a birth date between 1900 and `today`
    (and no later than `born_by` when given)."""
    number = number.upper()
    if not re.fullmatch(r"\d{17}[\dX]", number) or id_check_digit(number[:17]) != number[17]:
        return False
    birth = _date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    latest = min(today or dt.date.today(), born_by or dt.date.max)
    return birth is not None and dt.date(1900, 1, 1) <= birth <= latest


def is_legacy_id_number(number: str) -> bool:
    """A 15-digit ID number (before 1999): no check digit, so a province code and a 19YYMMDD birth date."""
    return (
        len(number) == 15
        and number.isdigit()
        and number[:2] in PROVINCES
        and _date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12])) is not None
    )


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def may_hold_personal(text: str) -> bool:
    """A cheap first test: False when the text surely holds none of the shapes."""
    if text.isascii():
        return _CANDIDATE.search(text) is not None
    return _DIGIT_OR_AT.search(text) is not None


@dataclass(frozen=True)
class Hit:
    """One piece of personal data in a text: its span and what it is."""

    start: int
    end: int
    label: str
    value: str


def find_personal(
    text: str, *, ids_only: bool = False, today: dt.date | None = None, born_by: dt.date | None = None
) -> list[Hit]:
    """The personal data in `text`, left to right, without overlaps; full-width digits count.
    `ids_only`: 18-digit ID numbers only (for code columns); `born_by`: their latest birth date."""
    if not may_hold_personal(text):
        return []
    if not text.isascii():
        text = text.translate(_HALF_WIDTH)
        if not _CANDIDATE.search(text):
            return []
    found: list[tuple[int, int, int, str]] = []  # (start, priority, end, label)
    for match in ID_NUMBER.finditer(text):
        if is_id_number(match.group(1), today, born_by):
            found.append((match.start(1), 1, match.end(1), ID_LABEL))
    if not ids_only:
        for match in EMAIL.finditer(text):
            found.append((match.start(), 0, match.end(), EMAIL_LABEL))
        for match in ID_NUMBER_15.finditer(text):
            if is_legacy_id_number(match.group(1)):
                found.append((match.start(1), 2, match.end(1), ID_LABEL))
        for match in BANK_CARD.finditer(text):
            if luhn_ok(re.sub(r"\D", "", match.group(1))):
                found.append((match.start(1), 3, match.end(1), BANK_LABEL))
        for pattern in (MOBILE_WRITTEN, LANDLINE_WRITTEN):
            for match in pattern.finditer(text):
                found.append((match.start(1), 4, match.end(1), PHONE_LABEL))
    hits: list[Hit] = []
    for start, _, end, label in sorted(found):
        if not hits or start >= hits[-1].end:
            hits.append(Hit(start, end, label, text[start:end]))
    return hits


def mask_text(label: str, _value: str) -> str:
    return f"[已遮蔽:{label}]"


def mask_personal(
    text: str,
    *,
    ids_only: bool = False,
    today: dt.date | None = None,
    born_by: dt.date | None = None,
    mask: Callable[[str, str], str] = mask_text,
) -> tuple[str, Counter[str]]:
    """`text` with every piece of personal data replaced by `mask(label, value)`, and what was found."""
    hits = find_personal(text, ids_only=ids_only, today=today, born_by=born_by)
    if not hits:
        return text, Counter()
    parts, last = [], 0
    for hit in hits:
        parts += [text[last : hit.start], mask(hit.label, hit.value)]
        last = hit.end
    parts.append(text[last:])
    return "".join(parts), Counter(hit.label for hit in hits)
