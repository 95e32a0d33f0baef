"""Every number mention of a report, with its role: a figure the report asserts, or what else it is.

Built on `lawreport.text.scan.scan_numbers` (which guarantees that nothing numeric is skipped) and on
`lawreport.text.wording.parse_figure` (the one place that decides what a written form means). This module
adds what a reader without ledgers needs: the role of each mention (`figure`, `date`, `period`,
`time`, `doc_number`, `heading`, `name`, `commitment`), the interval a figure's wording allows, the
words around it that set its meaning (共, 其中, 分别, 同比下降, 占比 …), and the counting period the text
states (全年, 今年以来, 截至10月 …). Offsets are those of the text as given: nothing is normalised
in a way that shifts them.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from .scan import FOLD, NumberMention, scan_numbers
from .wording import POSTFIX_WORDS, PREFIX_WORDS, FigureError, parse_figure

ROLES = ("figure", "date", "period", "time", "doc_number", "heading", "name", "commitment")

_CN = "[一二三四五六七八九十百千零〇两]"
_CN_SMALL = "[一二三四五六七八九十]"
# Spans that are not figures, found before the numbers: (role, pattern). Applied to the folded text
# (full-width digits and brackets as ASCII), so one pattern serves both widths.
_NOT_FIGURES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # 〔2024〕12号, [2024]3号, (2023)第5号, 垫委发〔2024〕12号
    ("doc_number", re.compile(r"[〔\[【(]\s*(?:19|20)\d{2}\s*[〕\]】)]\s*第?\s*\d+\s*号")),
    ("doc_number", re.compile(r"第\s*\d+\s*号(?:令|文|公告)?")),
    # 2021—2025年, 2021-2025年, 2021年至2025年
    ("period", re.compile(r"(?<!\d)(?:19|20)\d{2}\s*年?\s*(?:—|–|-|~|至|到)\s*(?:19|20)\d{2}\s*年(?:度)?")),
    ("period", re.compile(r"近(?:[一二两三四五六七八九十]|\d{1,2})(?:个)?(?:年|月)")),
    # 开州委法20239, 开州府办发〔202526号: document numbers whose brackets were lost in copying
    (
        "doc_number",
        re.compile(r"(?<=[发法办字函])\s*[〔\[(]?\s*(?:19|20)\d{2}\s*[〕\])]?\s*\d{1,4}\s*号?(?=[)）,，、]|$)"),
    ),
    # 11:30:01, 农历十月初七, 第一季度
    ("time", re.compile(r"(?<!\d)\d{1,2}:\d{2}:\d{2}(?!\d)")),
    ("date", re.compile(rf"农历{_CN_SMALL}+月(?:初|廿)?{_CN_SMALL}*")),
    ("period", re.compile(r"第[一二三四1-4]季度|[一二三四]季度|上半年|下半年")),
    # 88903728C/2026-00068, sm09901-1800-2025-00003 (索引号): index numbers
    ("doc_number", re.compile(r"(?<![A-Z0-9])[A-Z0-9]{4,}/(?:19|20)\d{2}-\d{3,}")),
    ("doc_number", re.compile(r"(?<=索)\s*引\s*号\s*[:：]?\s*[A-Za-z0-9\-/]+|(?<=文号)[:：]?\s*[A-Za-z0-9\-/]+")),
    ("doc_number", re.compile(r"[A-Za-z]{1,6}\d{3,}(?:-\d+){2,}")),
    # Contact details: 电话 027-83785453, 邮编 323000, 地址 …路1号
    ("name", re.compile(r"(?<!\d)0\d{2,3}\s*[-—–]\s*\d{7,8}(?!\d)")),
    ("name", re.compile(r"(?<=邮编)[:：]?\s*\d{6}|(?<=邮政编码)[:：]?\s*\d{6}")),
    ("name", re.compile(r"[\u4e00-\u9fff]{1,8}(?:路|街|巷|里|道)\d{1,5}号")),
    # 1+3+N, 1+X: a team or model named by numbers
    # (from a run's first digit only: tried from every digit, a long run took time growing with its square)
    ("name", re.compile(r"(?<!\d)\d+(?:\s*\+\s*(?:\d+|[A-Za-z]))+")),
    # 2021-2025 (without 年) inside a title's brackets
    ("period", re.compile(r"(?<=[(（])\s*(?:19|20)\d{2}\s*[-—–~]\s*(?:19|20)\d{2}\s*(?=[)）])")),
    ("period", re.compile(rf"{_CN_SMALL}年(?=来|以来|行动|计划|规划)")),
    # (20212025年): a period whose dash was lost in copying
    ("period", re.compile(r"(?<!\d)(?:19|20)\d{2}(?:19|20)\d{2}年")),
    # 二十届三中全会, 六届七次全会, 党的二十大, 十四五, 八五普法, 法律N进, 第一次(扩大)会议, 第四卷
    ("name", re.compile(rf"{_CN_SMALL}+届{_CN_SMALL}+中全会")),
    ("name", re.compile(rf"{_CN_SMALL}+届(?:{_CN_SMALL}+次、?)+(?:全会|全体会议|会议)")),
    ("name", re.compile(rf"(?<=、)(?:{_CN_SMALL}+次、?)+(?:全会|全体会议)")),
    ("name", re.compile(rf"第[{_CN_SMALL[1:-1]}\d]+次(?=[（(]?[^，。；]{{0,6}}会议)")),
    ("name", re.compile(rf"第[{_CN_SMALL[1:-1]}\d]+(?:卷|册|辑|编|版|届)")),
    ("name", re.compile(r"(?:党的)?(?:十[一二三四五六七八九]|二十)大(?:精神|报告|代表)?")),
    ("name", re.compile(r"[“\"]?(?:十[一二三四五]|[一二三四五六七八九])五[”\"]?(?:普法|规划|时期|期间)")),
    ("name", re.compile(r"十[一二三四五]五")),
    ("name", re.compile(rf"(?:法律|普法|法治){_CN_SMALL}进")),
    ("name", re.compile(rf"(?<![\d{_CN[1:-1]}]){_CN_SMALL}{{1,2}}进(?=[“”\"」]?(?:活动|工作|宣传))")),
    ("name", re.compile(r"第一(?:责任人|书记|议题|时间|现场|课|要务|生产力|动力|资源)")),
    ("name", re.compile(rf"{_CN_SMALL}+(?:级|方|位)(?:联动|协同|共治|一体|同步|书记)")),
    ("name", re.compile(rf"{_CN_SMALL}+(?:个|张|项)?(?:清单|机制|体系|工程|行动|计划)(?=[”」\"]|$)")),
    # Place names built on a numeral: 五星乡, 三合镇, 二郎村 (not 三个村: a measure word there).
    (
        "name",
        re.compile(
            rf"(?<![\d{_CN[1:-1]}]){_CN_SMALL}{{1,2}}(?![个名家所处座条项次人件户])[\u4e00-\u9fff]{{1,2}}"
            r"(?:乡|镇|村|社区|街道|大道|路|街|组)(?![\u4e00-\u9fff]{0,1}(?:个|名))"
        ),
    ),
    # Headings and list markers: 一、 （二） 1. 一是 第三章, and 1 glued to a year at a line's start (12020年)
    ("heading", re.compile(r"(?m)^\s*\d(?=(?:19|20)\d{2}年)")),
    ("heading", re.compile(r"(?m)^\s*0\d\s*$")),
    ("heading", re.compile(rf"(?m)(?:^|(?<=[。；;！!？?\n]))\s*{_CN_SMALL}+、")),
    ("heading", re.compile(rf"[(]\s*(?:{_CN_SMALL}+|\d{{1,2}})\s*[)]")),
    ("heading", re.compile(r"(?m)^\s*\d{1,2}\s*[.、](?!\d)")),
    ("heading", re.compile(rf"(?:^|(?<=[。；;，,、：:！!？?\s]))\s*{_CN_SMALL}+是")),
    ("heading", re.compile(rf"第{_CN_SMALL}+(?:章|节|部分|条)")),
)
# Where a text turns to plans: the numbers after these, to the end of the paragraph, are commitments.
_COMMITMENT = re.compile(
    r"下一步|下步|明年|今后|来年|(?:19|20)\d{2}年(?:将|计划|力争|要|拟)|力争|拟于|拟在|"
    # 到2025年 sets a target, but 下降到2023年的38件 states where a count came to
    r"(?<!下降|减少|降低|增长|增加|上升|提高|提升)(?<![降升增减])到(?:19|20)\d{2}年|"
    r"[一二三四五两\d]年后"
)
_TOP_HEADING = re.compile(r"(?m)^\s*[一二三四五六七八九十]+、")
# A standing rule (每月召开1次, 每季度开展1次) states what will be done, not what was counted; so does
# a time limit (20个工作日内, 7日内).
_FREQUENCY = re.compile(r"每[一二两三四五六七八九十\d]*(?:个)?(?:年|半年|季度?|月|周|旬|天|日)")
_TIME_LIMIT = re.compile(r"\s*(?:个)?(?:工作日|自然日|日|天|小时|个月)(?:内|以内|之内)")
# 以上六市, 共八类, 五個類型: a Chinese numeral counting the things it names.
_MEASURE_CHARS = "余多万亿件宗例起次场个家所名位条项份篇期批套台辆座处元册户人天年月日项"
_COUNTED_NAMES = re.compile(r"(?:以上|上述|共|这|全部|等)$")
_PERIOD = re.compile(
    r"全年|今年以来|去年以来|年初以来|上半年|下半年|(?:第?[一二三四1-4]|前三)季度|截至\s*(?:(?:19|20)\d{2}年)?\s*\d{1,2}\s*月(?:底|末)?"
    r"|(?<![—–\-~至到\d])(?:19|20)\d{2}\s*年(?:度|以来)?(?!\s*(?:—|–|-|~|至|到))"
)
# Words before a figure that set its meaning; the nearest ones within its clause are kept.
WORDING = (
    "共计", "合计", "总计", "累计", "共", "总数", "全年", "其中", "包括", "分别为", "分别是", "分别", "其他", "其余",
    "同比", "比上年", "较上年", "较去年", "比去年", "环比", "增长", "上升", "提高", "提升", "增加", "下降", "减少",
    "降低", "个百分点", "百分点", "倍", "翻番", "占比", "占", "率", "排名", "位居", "前列", "全覆盖", "全部", "全员",
    "未发生", "无一", "零",
)  # fmt: skip
_WORDING_PATTERN = re.compile("|".join(map(re.escape, sorted(WORDING, key=len, reverse=True))))
_NEAR = re.compile(r"(?:将近|接近|近|不足|不到)$")
_CLAUSE_END = re.compile(r"[，,。；;！!？?：:\n]")
_FIGURE_KINDS = {
    "number",
    "percent",
    "points",
    "above_approx",
    "about",
    "at_least",
    "more_than",
    "streak",
    "range",
    "rank",
    "zero",
}


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    role: str
    kind: str = ""  # the scanner's kind: number, percent, points, above_approx, about, range, …
    value: Decimal | None = None
    low: Decimal | None = None  # the interval the wording allows (figures); None = unbounded
    high: Decimal | None = None
    low_closed: bool = True
    high_closed: bool = True
    unit: str = ""
    decimals: int | None = None  # written decimals of a percentage or points
    wording: tuple[str, ...] = ()
    period: str | None = None
    chinese: bool = False
    qualifier: str = ""  # of a percentage or points: 以上, 超过, 近, 约 … (its interval says what it allows)
    negative: bool = False  # a percentage or points written with a minus sign (同比增长-12.5%): value < 0

    @property
    def is_figure(self) -> bool:
        return self.role == "figure"

    @property
    def exact(self) -> bool:
        return self.low is not None and self.low == self.high

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "role": self.role,
            "kind": self.kind,
            "value": _str(self.value),
            "low": _str(self.low),
            "high": _str(self.high),
            "unit": self.unit,
            "wording": list(self.wording),
            "period": self.period,
        }


def _str(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))


def fold(text: str) -> str:
    return text.translate(FOLD)


def _spans(folded: str) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    taken = [False] * len(folded)
    for role, pattern in _NOT_FIGURES:
        for m in pattern.finditer(folded):
            start, end = m.span()
            while start < end and folded[start].isspace():
                start += 1
            if start >= end or any(taken[start:end]):
                continue
            if not re.search(rf"\d|{_CN}", folded[start:end]):
                continue
            spans.append((start, end, role))
            taken[start:end] = [True] * (end - start)
    return sorted(spans)


def _commitment_ranges(text: str) -> list[tuple[int, int]]:
    """From a plan word to the end of its paragraph; from a heading such as 三、下一步工作打算 to the
    next heading of the same level (or the end of the text)."""
    ranges = []
    for m in _COMMITMENT.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        if line_end - line_start <= 30 and _TOP_HEADING.match(text, line_start):
            following = _TOP_HEADING.search(text, line_end)
            ranges.append((m.start(), following.start() if following else len(text)))
        elif m.group(0) in ("下一步", "下步", "明年", "今后", "来年"):
            ranges.append((m.start(), line_end))
        else:
            # 确保…, 力争…, 到2020年…: a target within its own sentence.
            stops = [p for p in (text.find(c, m.end(), line_end) for c in "。；;") if p >= 0]
            ranges.append((m.start(), min(stops) if stops else line_end))
    return ranges


def _is_frequency(text: str, start: int) -> bool:
    left = text[max(0, start - 16) : start]
    cut = max((m.end() for m in _CLAUSE_END.finditer(left)), default=0)
    return bool(_FREQUENCY.search(left[cut:]))


def _wording_before(text: str, start: int, limit: int = 24) -> tuple[str, ...]:
    """The wording words in the clause before a mention (and a few characters after it)."""
    left = text[max(0, start - limit) : start]
    cut = max((m.end() for m in _CLAUSE_END.finditer(left)), default=0)
    return tuple(_WORDING_PATTERN.findall(left, cut))


_SENTENCE_LONGEST = 500  # characters: the farthest back a mention's period is looked for


def _period_before(text: str, start: int) -> str | None:
    """The counting period stated before a mention in the same sentence or the paragraph's start."""
    floor = max(0, start - _SENTENCE_LONGEST)  # (text without sentence ends: not a scan per mention)
    sentence_start = max(max(text.rfind(c, floor, start) for c in "。！？\n") + 1, floor)
    found = None
    for m in _PERIOD.finditer(text, sentence_start, start):
        found = m.group(0)
    return found


def _interval(m: NumberMention, written: str) -> tuple[Decimal | None, Decimal | None, bool, bool, int | None]:
    """(low, high, low_closed, high_closed, decimals) of a figure mention."""
    if m.kind == "range":
        return m.low, m.high, True, True, None
    if m.kind in ("percent", "points"):
        value = m.value
        if value is None:
            return None, None, True, True, None
        exponent = value.as_tuple().exponent
        decimals = max(0, -exponent) if isinstance(exponent, int) else 0
        return value, value, True, True, decimals
    if m.kind in ("rank", "streak", "zero") or m.value is None:
        return m.value, m.value, True, True, None
    try:
        figure = parse_figure(written + (m.unit if m.unit and m.unit not in written else ""))
        low, high, low_in, high_in = figure.interval()
        return low, high, low_in, high_in, None
    except FigureError:
        return m.value, m.value, True, True, None


# Words that bound a percentage but that `parse_figure` does not read (for a count either): such a
# percentage allows no check (95%以下, 低于5%).
_UNREAD_BOUNDS_AFTER = ("以下", "以内", "上下")
_UNREAD_BOUNDS_BEFORE = ("不超过", "未超过", "没有超过", "不高于", "未高于", "低于", "高于", "最多", "至少")


def _percent_bounds(
    text: str, start: int, end: int, value: Decimal
) -> tuple[str, Decimal | None, Decimal | None, bool, bool]:
    """(qualifier, low, high, low_closed, high_closed) of a percentage as the words around it bound it,
    read by `parse_figure`'s rules for a number so worded: 95%以上 allows [95, ∞), 超过95% (95, ∞),
    近25% [24, 25], 约19.2% [19.15, 19.25); no such word: exactly the value."""
    end += len("个百分点") if text.startswith("个百分点", end) else 0  # (5个百分点以上)
    after, before = text[end : end + 3], text[max(0, start - 4) : start]
    # The longest word that ends right before the number: 不超过 is not 超过.
    pre = max((w for w in (*PREFIX_WORDS, *_UNREAD_BOUNDS_BEFORE) if before.endswith(w)), key=len, default="")
    post = next((w for w in (*POSTFIX_WORDS, *_UNREAD_BOUNDS_AFTER) if after.startswith(w)), "")
    if pre in _UNREAD_BOUNDS_BEFORE or post in _UNREAD_BOUNDS_AFTER:
        return pre or post, None, None, True, True
    if not pre and not post:
        return "", value, value, True, True
    try:
        low, high, low_closed, high_closed = parse_figure(f"{pre}{format(value, 'f')}{post}").interval()
    except FigureError:
        return pre or post, None, None, True, True
    return pre or post, low, high, low_closed, high_closed


# A minus sign written before a percentage (增长-12.5%, 增长－12.5%, 增长负12.5%, and the en or em dash a
# word processor makes of it: 增长–12.5%); not the dash of a range or a date (2024-12.5%, 10%—20%: a
# digit, letter or percent sign before the dash).
_MINUS = re.compile(r"(?<![0-9A-Za-z.%０-９％])(?<![0-9A-Za-z.%０-９％]\s)(?:[-－−﹣–—]|负)\s*$")


def _signed(text: str, m: NumberMention) -> int | None:
    """Where a percentage's minus sign starts, if one is written right before it."""
    if m.kind not in ("percent", "points"):
        return None
    sign = _MINUS.search(text, max(0, m.start - 3), m.start)
    return sign.start() if sign else None


def _role_of(m: NumberMention, text: str) -> str:
    if m.kind in ("date",):
        return "date"
    if m.kind == "time":
        return "time"
    if m.kind in ("in_name", "phrase"):
        return "name"
    if m.kind == "rank" and re.match(r"(?:责任人|书记|议题|时间)", text[m.end : m.end + 3]):
        return "name"
    if m.kind == "number" and m.chinese and m.unit in ("", "级", "类", "方", "位", "支", "個"):
        # 三级, 两新, 双百: a bare Chinese numeral without a measure word names something; but 以上六市,
        # 共八类 count what they name.
        if _COUNTED_NAMES.search(text, max(0, m.start - 2), m.start) and re.match(
            r"[市县区乡镇村类个個项种]", text[m.end : m.end + 1]
        ):
            return "figure"
        return "name"
    if (
        m.kind == "number"
        and not m.chinese
        and not m.unit
        and re.fullmatch(r"\d{3,5}", m.text)
        and re.match(r"[\u4e00-\u9fff]", text[m.end : m.end + 1])
        and text[m.end : m.end + 1] not in _MEASURE_CHARS
    ):
        return "name"  # 710政务督办, 8890诉求: a platform named by its number
    if m.kind == "number" and not m.unit and m.value is not None and re.fullmatch(r"(?:19|20)\d{2}", m.text):
        return "date"  # a bare year: 2024版, 2024 修订
    return "figure" if m.kind in _FIGURE_KINDS else "name"


_LIST_JOIN = re.compile(r"\s*(?:、|和|及|与)\s*")


def _share_list_bounds(text: str, mentions: list[Mention]) -> list[Mention]:
    """分别达到60%、70%、80%以上: a word after the last percentage of a list bounds each of them. An
    earlier one written with no word of its own takes the interval that word gives its value."""
    out = list(mentions)
    for i in range(len(out) - 1, 0, -1):
        last = out[i]
        if last.kind != "percent" or last.qualifier not in POSTFIX_WORDS or last.negative:
            continue
        j = i - 1
        while j >= 0:
            m = out[j]
            if m.kind != "percent" or m.role != last.role or not _LIST_JOIN.fullmatch(text, m.end, out[j + 1].start):
                break
            if m.qualifier or m.negative or m.value is None:
                break
            try:
                low, high, low_closed, high_closed = parse_figure(f"{format(m.value, 'f')}{last.qualifier}").interval()
            except FigureError:
                break
            out[j] = replace(
                m, low=low, high=high, low_closed=low_closed, high_closed=high_closed, qualifier=last.qualifier
            )
            j -= 1
    return out


def find_mentions(text: str) -> list[Mention]:
    """Every number mention of `text` with its role, sorted by position and non-overlapping."""
    folded = fold(text)
    spans = _spans(folded)
    commitments = _commitment_ranges(text)
    mentions: list[Mention] = []
    used_spans: set[int] = set()
    span_starts = [a for a, _, _ in spans]
    for m in scan_numbers(text):
        # Spans do not overlap: only the last one starting before the mention's end can hold it.
        last = bisect_left(span_starts, m.end) - 1
        inside = last if last >= 0 and spans[last][1] > m.start else None
        if inside is not None:
            if inside not in used_spans:
                a, b, role = spans[inside]
                mentions.append(Mention(a, b, text[a:b], role, kind=m.kind))
                used_spans.add(inside)
            continue
        role = _role_of(m, text)
        if role == "figure" and (
            any(a <= m.start < b for a, b in commitments)
            or _is_frequency(text, m.start)
            or _TIME_LIMIT.match(text, m.end)
        ):
            role = "commitment"
        if role not in ("figure", "commitment"):
            mentions.append(Mention(m.start, m.end, m.text, role, kind=m.kind, value=m.value, chinese=m.chinese))
            continue
        # 近/将近/接近/不足/不到 before a number belong to its form (the scanner leaves them out).
        prefix = _NEAR.search(text, max(0, m.start - 2), m.start) if m.kind == "number" else None
        form_start = prefix.start() if prefix else m.start
        sign = _signed(text, m)  # (a minus sign belongs to the mention's text, not to its form)
        start = form_start if sign is None else sign
        low, high, low_closed, high_closed, decimals = _interval(m, text[form_start : m.end])
        qualifier = ""
        value = m.value
        if m.kind in ("percent", "points") and low is not None:
            qualifier, low, high, low_closed, high_closed = _percent_bounds(text, start, m.end, low)
            if sign is not None and m.value is not None:
                # A negative change: exact when no word bounds it, and then read only by the rules of
                # changes (`relations._change`); with a bound, no rule reads it.
                value = -m.value
                low, high = (None, None) if qualifier else (value, value)
        mentions.append(
            Mention(
                start,
                m.end,
                text[start : m.end],
                role,
                kind=m.kind,
                value=value,
                low=low,
                high=high,
                low_closed=low_closed,
                high_closed=high_closed,
                unit=m.unit,
                decimals=decimals,
                wording=_wording_before(text, m.start),
                period=_period_before(text, m.start),
                chinese=m.chinese,
                qualifier=qualifier,
                negative=sign is not None,
            )
        )
    mentions.sort(key=lambda x: x.start)
    mentions = _share_list_bounds(text, mentions)
    # Headings and names the scanner excludes (enumerators) still get a mention with their role.
    starts = [x.start for x in mentions]
    extra = []
    for i, (a, b, role) in enumerate(spans):
        if i in used_spans:
            continue
        j = bisect_left(starts, b) - 1  # the last mention starting before this span ends
        if j >= 0 and mentions[j].end > a:
            continue
        extra.append(Mention(a, b, text[a:b], role))
    return sorted(mentions + extra, key=lambda x: x.start)
