"""Find every number mentioned in the report text, so none escapes the figure register.

`scan_numbers` reports each mention once, with its span in the original text, a value where one makes
sense, and a `kind` that tells the caller what it looks like: a plain count, a percentage, a figure
with 余/多/约/不少于/超过, a range, a date, a rank, a Chinese numeral, a set phrase, or a number that is
part of a name (“141”平台, “八五”普法, 12345 热线, H5). The scanner does not decide which mentions are
statistics; it only guarantees that nothing numeric is silently skipped, except pure enumerators
(一是/二是, (一)/（二）, a heading's 一、) and ordinary words that merely contain a numeral character
(进一步, 一定, 于一体 …).

`text` of a mention is the figure as written, in the form `wording.parse_figure` reads ("6000余",
"5万余", "约8万", "30余万", "连续4年"); a following unit is reported separately in `unit` and is not part
of the span, except where the unit word belongs to the form (连续4年, 4条以上). A percentage is reported
as "percent" on its own ("超过90%" gives "90%"): a bound before a rate is left to the caller's reading.

The scan works on a copy of the text in which full-width digits and signs are folded one-for-one to
ASCII (so offsets stay those of the original), and each accepted or excluded span is masked, so later,
looser patterns can never report a piece of something already claimed: mentions never overlap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from lawreport.text.wording import CN_NUMERAL_CHARS, SCALES, cn_to_int

__all__ = ["FOLD", "KINDS", "NumberMention", "scan_numbers"]

KINDS = (
    "number",  # 51件, 14名: a plain Arabic or Chinese count (see `chinese`)
    "percent",  # 99.85%
    "points",  # 2.3个百分点
    "above_approx",  # 6000余, 8300多, 5万余
    "about",  # 约8万, 8万左右
    "at_least",  # 不少于4, 4条以上
    "more_than",  # 超过300
    "streak",  # 连续4年
    "range",  # 2~3, 2至3
    "date",  # 2025年, 4·15, 2025年3月5日
    "time",  # 14:30
    "rank",  # 第一, 第3
    "zero",  # “零”
    "phrase",  # 一人多岗: a set phrase built on numerals
    "in_name",  # “141”平台, “八五”普法, 12345, 110警情, H5
)


@dataclass(frozen=True)
class NumberMention:
    start: int
    end: int
    text: str
    value: Decimal | None
    kind: str
    unit: str = ""
    low: Decimal | None = None  # ranges only
    high: Decimal | None = None  # ranges only
    chinese: bool = False  # written with Chinese numerals (一座, 两个, “零”)


_MASK = "\x00"
# One-for-one folding keeps offsets: only characters whose ASCII twin is a single character.
_FOLD = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９％．～－（）"}
_FOLD.update({ord(c): ord(c) - 0xFEE0 for c in map(chr, range(0xFF21, 0xFF3B))})  # Ａ-Ｚ
_FOLD.update({ord(c): ord(c) - 0xFEE0 for c in map(chr, range(0xFF41, 0xFF5B))})  # ａ-ｚ
_FOLD.update({ord("〜"): ord("~"), ord("～"): ord("~")})
FOLD = _FOLD  # public: the one-for-one folding, for callers that match patterns on the same offsets

_CN = f"[{CN_NUMERAL_CHARS}]"
_CN_DIGIT = "[零〇一二两三四五六七八九]"
_ENUM_CN = "[一二三四五六七八九十]+"
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_DOTS = "·・•‧∙"

# Longest first, so 人次 wins over 人. Measure words too, so 一座/两个/九类 carry their unit.
UNITS = sorted(
    (
        "人次", "场次", "户次", "件次", "家次", "学时", "课时", "宗", "例", "册", "封", "幅",
        "件", "份", "元", "名", "台", "个", "次", "条", "人", "座", "年", "场", "户",
        "起", "家", "所", "处", "项", "篇", "期", "批", "类", "级", "位", "套", "支", "组", "天", "月", "周",
        "小时", "季度", "岁", "米", "公里", "亩", "平方米", "辆", "间", "张", "本", "册", "块", "种", "道",
    ),
    key=len,
    reverse=True,
)  # fmt: skip

# Service and emergency numbers: a plain mention of one of these, not followed by a unit, is a name.
HOTLINES = frozenset(
    {"110", "112", "114", "119", "120", "122", "12306", "12309", "12315", "12319", "12321", "12328", "12333",
     "12338", "12345", "12348", "12351", "12355", "12356", "12358", "12365", "12366", "12368", "12369", "12377",
     "12380", "12388", "12123", "96110"}
)  # fmt: skip

# Set phrases built on numerals: reported whole, as "phrase", for the caller to list as non-statistics.
PHRASES = (
    "一人多岗", "三位一体", "一岗双责", "一站式", "一网通办", "一网统管", "一件事", "一窗通办", "一窗受理",
    "一次办", "一把手", "一张网", "一盘棋", "一条龙", "一事一议", "一户一策", "一对一", "两学一做",
    "三会一课", "一带一路", "两个维护", "两个确立", "四个意识", "四个自信", "四议两公开",
)  # fmt: skip

# Ordinary words that contain a numeral character but state no number; masked before the numeral scan.
STOP_WORDS = (
    "进一步", "下一步", "一些", "一定", "统一", "一直", "一般", "一致", "一切", "一起", "一同", "一旦",
    "一向", "一样", "同一", "唯一", "一律", "逐一", "万一", "一贯", "一方面", "一系列", "一体化", "于一体",
    "一体", "一线", "一流", "一道", "一并", "一再", "一举", "一心", "一番", "一味", "一概", "不一", "一一",
    "之一", "十分", "万分", "千万", "千方百计", "万无一失", "千家万户", "五花八门", "七上八下", "三令五申",
    "一丝不苟", "百姓", "零星", "零散", "零售", "零距离", "零容忍", "零部件", "一时", "一刀切", "一言堂",
    "一目了然", "独一无二", "一以贯之", "一抓到底", "百分之百",
)  # fmt: skip

_PREFIXES = (("大约", "about"), ("约", "about"), ("不少于", "at_least"), ("不低于", "at_least"),
             ("超过", "more_than"), ("逾", "more_than"))  # fmt: skip
_POSTFIXES = (("左右", "about"), ("以上", "at_least"))

_QUOTED = re.compile(r"“([^“”\n]{1,20})”|「([^「」\n]{1,20})」")
_ENUM_SHI = re.compile(rf"(?m)(?:^|(?<=[。；;，,、：:！!？?\s]))\s*({_ENUM_CN})是")
_ENUM_PAREN = re.compile(rf"[(]\s*(?:{_ENUM_CN}|\d{{1,2}})\s*[)]")
_ENUM_HEAD = re.compile(rf"(?m)^\s*({_ENUM_CN}|\d{{1,2}})\s*[、.](?!\d)")
_LATIN = re.compile(r"(?<![A-Za-z0-9.])(?:[A-Za-z][A-Za-z0-9]*\d[A-Za-z0-9]*|\d+[A-Za-z][A-Za-z0-9]*)")
_DATE_PATTERNS = (
    re.compile(r"(?<![\d.])(?:19|20)\d{2}年\d{1,2}月\d{1,2}[日号]"),
    re.compile(r"(?<![\d.])(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}(?![\d.])"),
    re.compile(r"(?<![\d.])(?:19|20)\d{2}年\d{1,2}月"),
    re.compile(r"(?<![\d.])\d{1,2}月\d{1,2}[日号]"),
    re.compile(rf"(?<![\d.])(?P<m>\d{{1,2}})[{_DOTS}](?P<d>\d{{1,2}})(?![\d.])"),
    re.compile(r"(?<![\d.])(?P<y>(?:19|20)\d{2})年"),
)
_TIME = re.compile(r"(?<![\d.:])(?:[01]?\d|2[0-3]):[0-5]\d(?![\d:])")
_RANGE = re.compile(
    rf"(?<![\d.])(?P<a>{_NUM})(?P<sa>万|亿)?(?P<pa>%)?\s*(?P<sep>~|-|—|–|至|到)\s*"
    rf"(?P<b>{_NUM})(?P<sb>万|亿)?(?P<pb>%)?(?![\d.])"
)
_ARABIC = re.compile(rf"(?<![\d.])(?P<num>{_NUM})(?![\d])(?:(?P<a1>余|多)?(?P<scale>万|亿)?(?P<a2>余|多)?)")
_CN_RUN = re.compile(rf"{_CN}+")
_RANK_CN = re.compile(rf"第({_CN}+)")


def _decimal(number: str) -> Decimal:
    return Decimal(number.replace(",", ""))


_UNIT_LONGEST = max(map(len, UNITS))
_STOP_PATTERN = re.compile("|".join(map(re.escape, sorted(STOP_WORDS, key=len, reverse=True))))


class _Scanner:
    def __init__(self, text: str):
        self.text = text
        self.work = list(text.translate(_FOLD))
        self.found: list[NumberMention] = []
        self.stop_pattern = _STOP_PATTERN
        self._current: str | None = None

    @property
    def current(self) -> str:
        # Joined when read after a change: each phase reads it once, and `unit_at` reads `work` itself.
        if self._current is None:
            self._current = "".join(self.work)
        return self._current

    def is_free(self, start: int, end: int) -> bool:
        return _MASK not in self.work[start:end]

    def block(self, start: int, end: int) -> None:
        self.work[start:end] = _MASK * (end - start)
        self._current = None  # joined again when next read: once per phase, not once per mention

    def take(
        self,
        start: int,
        end: int,
        value: Decimal | None,
        kind: str,
        *,
        unit: str = "",
        low: Decimal | None = None,
        high: Decimal | None = None,
        chinese: bool = False,
    ) -> None:
        """Record a mention unless part of its span was already claimed or excluded."""
        if start >= end or not self.is_free(start, end):
            return
        self.found.append(NumberMention(start, end, self.text[start:end], value, kind, unit, low, high, chinese))
        self.block(start, end)

    def unit_at(self, pos: int) -> str:
        s = "".join(self.work[pos : pos + _UNIT_LONGEST])  # the masked text there, as it is now
        return next((u for u in UNITS if s.startswith(u)), "")

    # ---------------------------------------------------------------------------------------------

    def quotes(self) -> None:
        """A quoted string holding a numeral is a name (“141”, “八五”, “三见四巡”), a date, or “零”."""
        s = self.current
        for m in _QUOTED.finditer(s):
            group = 1 if m.group(1) is not None else 2
            start, end = m.span(group)
            content = m.group(group)
            if content == "零":
                self.take(start, end, Decimal(0), "zero", chinese=True)
            elif _date_value(content) is not False:
                value = _date_value(content)
                self.take(start, end, value if isinstance(value, Decimal) else None, "date")
            elif re.search(r"\d", content) or re.search(_CN_DIGIT + "|十", self.stop_pattern.sub("", content)):
                value = _decimal(content) if re.fullmatch(r"\d+", content) else None
                self.take(start, end, value, "in_name", chinese=bool(re.search(_CN, content)))

    def enumerators(self) -> None:
        """一是/二是, (一)/（二）/(1), and a heading's 一、/1. are labels, not numbers: excluded."""
        s = self.current
        for m in _ENUM_SHI.finditer(s):
            self.block(*m.span(1))
        for m in _ENUM_PAREN.finditer(s):
            self.block(*m.span())
        for m in _ENUM_HEAD.finditer(s):
            self.block(*m.span(1))

    def latin(self) -> None:
        for m in _LATIN.finditer(self.current):
            self.take(m.start(), m.end(), None, "in_name")

    def dates(self) -> None:
        for pattern in _DATE_PATTERNS:
            for m in pattern.finditer(self.current):
                if "m" in pattern.groupindex and not _plausible_day(int(m["m"]), int(m["d"])):
                    continue
                value = Decimal(m["y"]) if "y" in pattern.groupindex else None
                self.take(m.start(), m.end(), value, "date")
        for m in _TIME.finditer(self.current):
            self.take(m.start(), m.end(), None, "time")

    def ranges(self) -> None:
        for m in _RANGE.finditer(self.current):
            if m["pa"] and not m["pb"]:
                continue  # "10%-20" mixes kinds; leave the pieces to the number scan
            scale_b = SCALES.get(m["sb"] or "", Decimal(1))
            # "2~3万" means 2万–3万: a scale written once applies to both ends.
            scale_a = SCALES[m["sa"]] if m["sa"] else scale_b
            low, high = _decimal(m["a"]) * scale_a, _decimal(m["b"]) * scale_b
            if low >= high:
                continue  # not an ascending range (a date fragment, a code): scan the numbers singly
            unit = "%" if m["pb"] else self.unit_at(m.end())
            self.take(m.start(), m.end(), None, "range", unit=unit, low=low, high=high)

    def arabic(self) -> None:
        s = self.current
        for m in _ARABIC.finditer(s):
            start, end = m.start(), m.end()
            value = _decimal(m["num"])
            if m["scale"]:
                value *= SCALES[m["scale"]]
            if s.startswith("%", end):
                self.take(start, end + 1, value, "percent", unit="%")
                continue
            if s.startswith("个百分点", end):
                self.take(start, end, value, "points", unit="个百分点")
                continue
            if s.startswith("第", start - 1) and not (m["a1"] or m["a2"] or m["scale"]):
                self.take(start - 1, end, value, "rank")
                continue
            plain = not (m["a1"] or m["a2"] or m["scale"])
            unit = self.unit_at(end)
            if plain and m["num"] in HOTLINES and not unit:
                self.take(start, end, value, "in_name")
                continue
            if plain and s.startswith("连续", start - 2) and unit == "年":
                self.take(start - 2, end + 1, value, "streak", unit="年")
                continue
            kind = "above_approx" if (m["a1"] or m["a2"]) else "number"
            start, end, kind, unit = self._bounds(s, start, end, kind, unit)
            self.take(start, end, value, kind, unit=unit)

    def _bounds(self, s: str, start: int, end: int, kind: str, unit: str) -> tuple[int, int, str, str]:
        """Widen a plain figure over 约/不少于/超过 before it and 左右/以上 after it (past a unit)."""
        if kind != "number":
            return start, end, kind, unit
        for word, prefix_kind in _PREFIXES:
            if s.startswith(word, start - len(word)):
                return start - len(word), end, prefix_kind, unit
        for word, post_kind in _POSTFIXES:
            if s.startswith(word, end):
                return start, end + len(word), post_kind, self.unit_at(end + len(word))
            if unit and s.startswith(word, end + len(unit)):
                return start, end + len(unit) + len(word), post_kind, unit
        return start, end, kind, unit

    def phrases(self) -> None:
        pattern = re.compile("|".join(map(re.escape, PHRASES)))
        for m in pattern.finditer(self.current):
            self.take(m.start(), m.end(), None, "phrase", chinese=True)

    def stop_words(self) -> None:
        for m in self.stop_pattern.finditer(self.current):
            self.block(*m.span())

    def chinese(self) -> None:
        s = self.current
        for m in _RANK_CN.finditer(s):
            self.take(m.start(), m.end(), _cn_value(m.group(1)), "rank", chinese=True)
        s = self.current
        for m in _CN_RUN.finditer(s):
            run = m.group()
            if not re.search(_CN_DIGIT, run) and run != "十":
                continue  # 百/千/万 alone (千方百计, 万家) are words, not numbers
            start, end = m.span()
            value = _cn_value(run)
            if run == "零":
                self.take(start, end, Decimal(0), "zero", chinese=True)
                continue
            if s.startswith("连续", start - 2) and s.startswith("年", end):
                self.take(start - 2, end + 1, value, "streak", unit="年", chinese=True)
                continue
            kind = "number"
            if s.startswith("余", end) or s.startswith("多", end):
                # 十余/二十多: approximate; but 一人多岗-like words were taken as phrases already.
                if run not in ("一", "两"):
                    end, kind = end + 1, "above_approx"
            unit = self.unit_at(end)
            start, end, kind, unit = self._bounds(s, start, end, kind, unit)
            self.take(start, end, value, kind, unit=unit, chinese=True)


def _cn_value(run: str) -> Decimal | None:
    try:
        return Decimal(cn_to_int(run))
    except ValueError:
        return None


def _plausible_day(month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= 31


def _date_value(content: str) -> Decimal | None | bool:
    """For quoted content: False if not a date; else the year for a bare year, None for other dates."""
    folded = content.translate(_FOLD)
    for pattern in _DATE_PATTERNS:
        m = pattern.fullmatch(folded)
        if m:
            if "m" in pattern.groupindex and not _plausible_day(int(m["m"]), int(m["d"])):
                return False
            return Decimal(m["y"]) if "y" in pattern.groupindex else None
    return False


def scan_numbers(text: str) -> list[NumberMention]:
    """Every numeric mention in `text`, sorted by position and non-overlapping."""
    scanner = _Scanner(text)
    # Order matters: each stage masks what it claims, so the strict readings win over the loose ones.
    scanner.quotes()
    scanner.enumerators()
    scanner.latin()
    scanner.dates()
    scanner.ranges()
    scanner.arabic()
    scanner.phrases()
    scanner.stop_words()
    scanner.chinese()
    return sorted(scanner.found, key=lambda mention: mention.start)
