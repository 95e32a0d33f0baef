"""Explicit parsing rules for raw cell values, one function per column kind.

Each parser takes the raw cell (str, int, float, datetime, or None) and returns the clean value,
or raises `ValueProblem` with a stable code. Nothing is coerced to NaN silently: an empty cell is
`None` only by the explicit rule in `is_empty`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from difflib import get_close_matches
from functools import lru_cache

from .personal import id_check_digit  # the check digit lives with the other personal-data shapes

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
# Workbooks with <workbookPr date1904="1"/> count from 1904-01-01 = serial 0 (1462 days later).
EXCEL_EPOCH_1904 = dt.datetime(1904, 1, 1)
# Serials between 1982-02-... and 2064: anything else in a date column is not a plausible serial.
SERIAL_MIN, SERIAL_MAX = 30000, 60000
EMPTY_MARKERS = frozenset({"", "—", "-", "－", "/", "——", "无"})
YES = frozenset({"是", "√", "✓", "✔", "y", "yes", "1", "true", "有"})
NO = frozenset({"否", "×", "✗", "✘", "x", "n", "no", "0", "false"})
UNIT_SUFFIXES = (
    "人次",
    "场次",
    "户次",
    "万元",
    "件",
    "人",
    "次",
    "场",
    "份",
    "户",
    "台",
    "名",
    "条",
    "元",
    "个",
    "座",
    "起",
)
_SPACES = re.compile(r"\s+")
CHINESE_NUMERAL = re.compile(r"^[零〇一二两三四五六七八九十百千万亿]+$")
# Excel's error values (as cached in a cell, or as text in a CSV export or a pasted copy).
EXCEL_ERRORS = frozenset(
    {
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#UNKNOWN!",
        "#BUSY!",
        "#CONNECT!",
        "#EXTERNAL!",
        "#PYTHON!",
        "#TIMEOUT!",
    }
)


# Invisible characters that arrive with copy-paste from web pages, chat and PDF: zero-width space,
# joiners and marks (U+200B-U+200F), word joiner and invisible operators (U+2060-U+2064), BOM /
# zero-width no-break space (U+FEFF), soft hyphen (U+00AD), bidi embeddings and isolates
# (U+202A-U+202E, U+2066-U+2069), Arabic letter mark and Mongolian vowel separator. They make
# "天宝社区\u200b" a second group and defeat duplicate detection, so every text value loses them.
INVISIBLE_NAMES = {
    "\u00ad": "软连字符 soft hyphen",
    "\u061c": "阿拉伯字母标记 ALM",
    "\u180e": "蒙古文元音分隔符 MVS",
    "\u200b": "零宽空格 ZWSP",
    "\u200c": "零宽不连字 ZWNJ",
    "\u200d": "零宽连字 ZWJ",
    "\u200e": "从左到右标记 LRM",
    "\u200f": "从右到左标记 RLM",
    "\u202a": "双向嵌入 LRE",
    "\u202b": "双向嵌入 RLE",
    "\u202c": "双向结束 PDF",
    "\u202d": "双向覆盖 LRO",
    "\u202e": "双向覆盖 RLO",
    "\u2060": "词连接符 WJ",
    "\u2061": "不可见函数应用",
    "\u2062": "不可见乘号",
    "\u2063": "不可见分隔符",
    "\u2064": "不可见加号",
    "\u2066": "双向隔离 LRI",
    "\u2067": "双向隔离 RLI",
    "\u2068": "双向隔离 FSI",
    "\u2069": "双向隔离结束 PDI",
    "\ufeff": "字节顺序标记 BOM/ZWNBSP",
}
INVISIBLE = re.compile("[" + "".join(INVISIBLE_NAMES) + "]")


def strip_invisible(text: str) -> str:
    """The text without invisible characters (the one place they are removed; every parser calls it)."""
    return text if text.isascii() else INVISIBLE.sub("", text)


def invisible_in(text: str) -> list[str]:
    """The invisible characters a text holds, in order (empty for ASCII text)."""
    return [] if text.isascii() else INVISIBLE.findall(text)


class ValueProblem(Exception):
    """A raw value that the rules cannot turn into a clean value."""

    def __init__(self, code: str, detail: str = ""):
        self.code = code
        self.detail = detail
        super().__init__(f"{code}: {detail}")


def nfkc(value: object) -> str:
    """Text form of a raw value, NFKC-normalised (full-width digits and letters to ASCII)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", strip_invisible(str(value)))


def fold_spaces(text: str) -> str:
    """Strip and collapse all whitespace, ideographic space included; invisible characters removed."""
    return _SPACES.sub(" ", strip_invisible(text).replace("\u3000", " ")).strip()


def is_empty(value: object) -> bool:
    """Explicit rule: None, blank text and the conventional dash/无 markers are empty."""
    if value is None:
        return True
    if isinstance(value, str):
        return fold_spaces(value) in EMPTY_MARKERS
    return False


def excel_error(value: object) -> str | None:
    """The Excel error literal a text value consists of (`#N/A`, `＃DIV/0!`), or None."""
    if not isinstance(value, str) or ("#" not in value and "＃" not in value):
        return None
    text = fold_spaces(nfkc(value)).upper()
    return text if text in EXCEL_ERRORS else None


def parse_text(value: object) -> str:
    return fold_spaces(str(value) if not isinstance(value, float) else nfkc(value))


def parse_code(value: object) -> str:
    """Identifiers stay strings; leading zeros are kept. Floats that are whole become ints."""
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueProblem("R104", "编号不应为小数")
        value = int(value)
    return _SPACES.sub("", nfkc(value))


@lru_cache(maxsize=256)
def _vocabulary(allowed: tuple[str, ...]) -> dict[str, str]:
    """Vocabularies are compared in NFKC form, so full-width brackets and letters match."""
    forms: dict[str, str] = {}
    for item in allowed:
        forms.setdefault(nfkc(item).replace(" ", ""), item)
    return forms


def parse_category(value: object, allowed: tuple[str, ...]) -> str:
    text = _SPACES.sub("", nfkc(value))
    item = _vocabulary(allowed).get(text)
    if item is not None:
        return item
    close = get_close_matches(text, allowed, n=1, cutoff=0.0)
    hint = f"最接近的取值：{close[0]}" if close else ""
    raise ValueProblem("R108", f"允许取值 {'、'.join(allowed)}；{hint}")


def _strip_number_text(value: object) -> str:
    text = _SPACES.sub("", nfkc(value))
    for suffix in UNIT_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            if suffix == "万元":
                raise ValueProblem("R104", "金额以“万元”书写，请换算为元")
            text = text[: -len(suffix)]
            break
    return text


def parse_int(value: object) -> int:
    """Counts: ints, whole floats, "12", "１２", "3件", "1,200". Chinese numerals are reported."""
    if isinstance(value, bool):
        raise ValueProblem("R104", "不是数值")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueProblem("R104", "计数不应为小数")
    text = _strip_number_text(value)
    if CHINESE_NUMERAL.match(text):
        raise ValueProblem("R118", "请改写为阿拉伯数字")
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+|-?\d+", text):
        return int(text.replace(",", ""))
    if re.fullmatch(r"-?\d+\.0+", text):
        return int(float(text))
    raise ValueProblem("R104", "无法识别为整数")


def parse_amount(value: object) -> float:
    """Amounts in yuan: numbers, "1,200元", "1200.00". Negative values are reported by the caller."""
    if isinstance(value, bool):
        raise ValueProblem("R104", "不是数值")
    if isinstance(value, (int, float)):
        return float(value)
    text = _strip_number_text(value)
    if CHINESE_NUMERAL.match(text):
        raise ValueProblem("R118", "请改写为阿拉伯数字")
    if re.fullmatch(r"-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?", text):
        return float(text.replace(",", ""))
    raise ValueProblem("R104", "无法识别为金额")


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?: \d{1,2}:\d{2}(?::\d{2})?)?$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value: object, date1904: bool = False) -> dt.date:
    """Dates: datetime cells, Excel serials, 2025-03-05, 2025/3/5, 2025.3.5, 2025年3月5日, 20250305.

    A serial (a number, or a number written as text) counts from the workbook's epoch: 1899-12-30
    in the 1900 date system, 1904-01-01 when the workbook says date1904. Date-formatted cells arrive
    as dates already converted by python-calamine, which reads the date system itself."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if SERIAL_MIN <= value <= SERIAL_MAX:
            return ((EXCEL_EPOCH_1904 if date1904 else EXCEL_EPOCH) + dt.timedelta(days=int(value))).date()
        raise ValueProblem("R101", "数值不是有效的 Excel 日期序列号")
    text = re.sub(r"\s+", " ", nfkc(value)).strip()
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return parse_date(float(text), date1904)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            y, m, d = (int(g) for g in match.groups())
            try:
                return dt.date(y, m, d)
            except ValueError:
                raise ValueProblem("R102", f"{y}年{m}月{d}日不存在") from None
    raise ValueProblem("R101", "可用格式：2025-03-05、2025/3/5、2025.3.5、2025年3月5日")


def parse_month(value: object) -> int:
    text = nfkc(value).strip()
    text = text[:-1] if text.endswith("月") else text
    month = parse_int(text)
    if not 1 <= month <= 12:
        raise ValueProblem("R104", "月份应为 1-12")
    return month


def parse_year(value: object) -> int:
    text = nfkc(value).strip()
    text = text[:-1] if text.endswith("年") else text
    year = parse_int(text)
    if not 1949 <= year <= 2100:
        raise ValueProblem("R104", "年度应为四位年份")
    return year


def parse_flag(value: object) -> bool:
    text = nfkc(value).strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueProblem("R116", "可用：是/否、√/×、Y/N、1/0")


def parse_id_number(value: object, today: dt.date | None = None) -> str:
    """Checks an ID number and returns it normalised (upper-case X). The caller pseudonymises it."""
    if isinstance(value, float) or (isinstance(value, str) and re.fullmatch(r"\s*\d(\.\d+)?[eE]\+?\d+\s*", value)):
        raise ValueProblem("R111", "请将该列设为文本格式后重新录入完整号码")
    if isinstance(value, int):
        value = str(value)
    text = re.sub(r"\s+", "", nfkc(value)).upper()
    if re.fullmatch(r"\d{15}", text):
        raise ValueProblem("R113", "请核对并换用18位号码")
    if not re.fullmatch(r"\d{17}[\dX]", text):
        raise ValueProblem("R110", "应为17位数字加1位校验位")
    try:
        birth = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise ValueProblem("R114", "出生日期不存在") from None
    if birth > (today or dt.date.today()) or birth.year < 1900:
        raise ValueProblem("R114", "出生日期不合理")
    if id_check_digit(text[:17]) != text[17]:
        raise ValueProblem("R112", "校验位与前17位不符")
    return text


def parse_phone(value: object) -> str:
    """Mobile (11 digits, 1[3-9]...) or landline (area code 0xx(x) + 7-8 digits)."""
    if isinstance(value, float):
        value = int(value)
    text = re.sub(r"[\s()()]", "", nfkc(value))
    digits = text.replace("-", "")
    if re.fullmatch(r"1[3-9]\d{9}", digits) or re.fullmatch(r"0\d{2,3}\d{7,8}", digits):
        return digits
    raise ValueProblem("R115", "应为11位手机号或带区号的固定电话")
