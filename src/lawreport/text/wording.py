"""What a figure's wording promises about the number behind it.

A report writes "6000余件", "约8万人次", "99.85%" or "连续4年…“零”发生"; each form is a claim about the
true value with its own tolerance. `parse_figure` turns the wording into a `Figure`, and the `check_*`
functions decide whether a recomputed value honours that claim. The rules are the project's spec:

- plain N: exactly N.
- N余 / N多: N < x < N + u, u = place value of the last non-zero digit of the scaled N (5万余: u = 10,000).
- 约N / N左右: x rounds half-up to N at that same place value (约8万: 75,000 ≤ x < 85,000).
- 不少于N / N以上: x ≥ N.  超过N: x > N.
- p% with d decimals: round_half_up(100·k/n, d) == p, except that 100% needs k == n and 0% needs k == 0.
- 同比下降/上升 p%: the change relative to the previous year, same rounding rule.
- 零: exactly 0.  连续N年零: each of the N latest years is 0.  位居第一: rank 1 everywhere.
- 持续提升: strictly rising.  持续保持 p%: every year's rate matches p.

The check functions return True/False when the data decide the question, and raise `NotComputable`
when they cannot (a zero denominator, a previous year of 0, too few years): "not verifiable" must never
be confused with "wrong". Asking a check that does not fit the figure's kind raises `FigureError`.

All rounding goes through `decimal` (ROUND_HALF_UP); ratios are kept as exact fractions until the one
rounding step, so no binary floating point ever decides a match.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum
from fractions import Fraction

__all__ = [
    "CHANGE_KINDS",
    "COUNT_KINDS",
    "RATE_KINDS",
    "Figure",
    "FigureError",
    "Kind",
    "NotComputable",
    "POSTFIX_WORDS",
    "PREFIX_WORDS",
    "check_change",
    "check_count",
    "check_points",
    "check_rank",
    "check_rank_first",
    "check_rate",
    "check_rate_series",
    "check_rising",
    "check_series_zero",
    "cn_to_int",
    "parse_figure",
    "rate_matches",
    "rate_percent",
    "round_half_up",
]


class Kind(StrEnum):
    EXACT = "exact"  # 51件
    ABOVE_APPROX = "above_approx"  # 6000余件, 8300多件
    ABOUT = "about"  # 约8万, 8万左右
    AT_LEAST = "at_least"  # 不少于4条, 4条以上
    MORE_THAN = "more_than"  # 超过300
    ROUNDED = "rounded"  # 2.7万元: a number scaled by 万/亿 is rounded at its last written place
    NEAR = "near"  # 近3万: approaching from below, within one unit of the last place
    LESS_THAN = "less_than"  # 不足50, 不到50
    PERCENT = "percent"  # 99.85%
    YOY_DECREASE = "yoy_decrease"  # 同比下降47.31%
    YOY_INCREASE = "yoy_increase"  # 同比上升5%
    ZERO = "zero"  # “零”发生
    ZERO_STREAK = "zero_streak"  # 连续4年…“零”发生
    RANK_FIRST = "rank_first"  # 位居全县第一
    RANK = "rank"  # 位列全县第3: rank N on each listed indicator
    POINTS_UP = "points_up"  # 比上年提高0.05个百分点: this year's rate minus last year's, in points
    POINTS_DOWN = "points_down"  # 比上年下降2个百分点
    PRESENT = "present"  # 天宝社区成功创建全国民主法治示范社区 (qualifier 有记录): at least one matching row
    RISING = "rising"  # 持续提升
    STEADY_PERCENT = "steady_percent"  # 持续保持100%


COUNT_KINDS = frozenset(
    {Kind.EXACT, Kind.ABOVE_APPROX, Kind.ABOUT, Kind.AT_LEAST, Kind.MORE_THAN, Kind.ZERO, Kind.ROUNDED, Kind.NEAR,
     Kind.LESS_THAN, Kind.PRESENT}
)  # fmt: skip
RATE_KINDS = frozenset({Kind.PERCENT, Kind.STEADY_PERCENT})
CHANGE_KINDS = frozenset({Kind.YOY_DECREASE, Kind.YOY_INCREASE})
POINTS_KINDS = frozenset({Kind.POINTS_UP, Kind.POINTS_DOWN})

# Accepted qualifiers, in the cleaned form (quotes and spaces removed, full-width folded).
QUALIFIERS = (
    "", "同比下降", "同比上升", "连续N年零", "位居第一", "持续提升", "持续保持", "比上年提高", "比上年下降", "有记录",
)  # fmt: skip
_POINTS_QUALIFIER = {"比上年提高": Kind.POINTS_UP, "比上年下降": Kind.POINTS_DOWN}


# Longest first, so 人次 wins over 人 and 场次 over 场. 万元 never reaches this list: 万 is read as the
# scale (30余万元 is 300,000 < x < 400,000 in 元), so the unit kept is 元.
UNITS = (
    "人次", "场次", "户次", "万元", "件", "份", "元", "名", "台", "个", "次", "条", "人", "座", "年",
    "场", "户", "起", "家", "所", "处", "项", "篇", "期", "批", "类", "级", "位", "套", "支", "组",
)  # fmt: skip

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_BIG_UNITS = {"万": 10**4, "亿": 10**8}
CN_NUMERAL_CHARS = "".join(CN_DIGITS) + "".join(CN_SMALL_UNITS) + "".join(CN_BIG_UNITS)
SCALES = {"万": Decimal(10**4), "亿": Decimal(10**8)}

_QUOTES = str.maketrans("", "", "“”\"'‘’「」『』")
_ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
_NUMBER_FORM = re.compile(
    r"^(?P<pre>大约|约|不少于|不低于|超过|逾|将近|接近|近|不足|不到)?"
    rf"(?P<num>{_ARABIC}|[{CN_NUMERAL_CHARS}]+)"
    r"(?P<a1>余|多)?(?P<scale>万|亿)?(?P<a2>余|多)?(?P<pct>%)?"
    rf"(?P<unit>{'|'.join(UNITS)})?"
    r"(?P<post>左右|以上)?$"
)
_PREFIX_KIND = {"约": Kind.ABOUT, "大约": Kind.ABOUT, "不少于": Kind.AT_LEAST, "不低于": Kind.AT_LEAST,
                "超过": Kind.MORE_THAN, "逾": Kind.MORE_THAN, "近": Kind.NEAR, "将近": Kind.NEAR, "接近": Kind.NEAR,
                "不足": Kind.LESS_THAN, "不到": Kind.LESS_THAN}  # fmt: skip
_POSTFIX_KIND = {"左右": Kind.ABOUT, "以上": Kind.AT_LEAST}
# The words that bound a figure, before and after its number, longest first (近 after 将近).
PREFIX_WORDS = tuple(sorted(_PREFIX_KIND, key=len, reverse=True))
POSTFIX_WORDS = tuple(sorted(_POSTFIX_KIND, key=len, reverse=True))
_STREAK = re.compile(rf"^(?:连续)?(?P<n>\d+|[{CN_NUMERAL_CHARS}]+)年?(?:零(?:发生)?)?$")
_POINTS = re.compile(r"^(?P<num>\d+(?:\.\d+)?)个?百分点$")
_RANK = re.compile(rf"^(?:位居|位列|排名|排)?\w{{0,4}}?第(?P<n>\d+|[{CN_NUMERAL_CHARS}]+)(?:名|位)?$")
_RANK_FIRST = re.compile(r"^(?:位居|排名|排)?\w{0,4}?第(?:一|1)(?:名|位)?$")
_RISING_WORDS = frozenset({"", "持续提升", "持续上升", "逐年提升", "逐年上升"})

_PLACE_NAMES = {
    -2: "百分位", -1: "十分位", 0: "个位", 1: "十位", 2: "百位", 3: "千位", 4: "万位", 5: "十万位",
    6: "百万位", 7: "千万位", 8: "亿位",
}  # fmt: skip
_DECIMALS_NAMES = {0: "整数", 1: "一位小数", 2: "两位小数", 3: "三位小数", 4: "四位小数"}


class FigureError(ValueError):
    """Wording the rules do not cover, or a check applied to a figure of the wrong kind."""


class NotComputable(ValueError):
    """The data cannot decide the claim (zero denominator, previous year 0, too few years)."""


# --------------------------------------------------------------------------------------------------
# Numbers and rounding


def round_half_up(value: Decimal, decimals: int) -> Decimal:
    """Round to `decimals` places, ties away from zero (the way reports round, not banker's rounding)."""
    value = Decimal(value)
    with localcontext() as ctx:
        # Enough precision that quantize never fails or rounds twice, whatever the magnitude.
        ctx.prec = max(28, len(value.as_tuple().digits) + abs(decimals) + 2)
        return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _fraction(value: int | Decimal | Fraction) -> Fraction:
    if isinstance(value, float):
        # A float already carries a binary rounding error; refuse it rather than check against it.
        raise TypeError("use int or Decimal, not float")
    return Fraction(value)


def rate_percent(numerator: int | Decimal | Fraction, denominator: int | Decimal | Fraction, decimals: int) -> Decimal:
    """100·numerator/denominator rounded half-up to `decimals` places, computed without precision loss.

    The exact ratio is truncated to one more digit than needed and only then rounded by Decimal: the
    first dropped digit alone decides a half-up rounding, so the truncation cannot change the result,
    and no Decimal context precision limit can turn 99.8449…9 into a false tie.
    """
    num, den = _fraction(numerator), _fraction(denominator)
    if den == 0:
        raise NotComputable("分母为 0，比率无法计算")
    scaled = num / den * 100 * 10 ** (decimals + 1)
    truncated = math.trunc(scaled)  # toward zero, so negative changes round symmetrically
    return round_half_up(Decimal(truncated).scaleb(-(decimals + 1)), decimals)


def rate_matches(
    percent: Decimal, decimals: int, numerator: int | Decimal | Fraction, denominator: int | Decimal | Fraction
) -> bool:
    """The percent rule: rounds to `percent` at `decimals` places; 100% only if exact, 0% only if exact."""
    den = _fraction(denominator)
    if den == 0:
        raise NotComputable("分母为 0，比率无法计算")
    ratio = _fraction(numerator) / den
    if percent == 100:
        return ratio == 1
    if percent == 0:
        return ratio == 0
    return rate_percent(numerator, denominator, decimals) == percent


def cn_to_int(text: str) -> int:
    """Chinese numerals to an int: 一 → 1, 十五 → 15, 两万 → 20000, 一百零五 → 105, 二〇二五 → 2025."""
    if not text or any(ch not in CN_NUMERAL_CHARS for ch in text):
        raise FigureError(f"不是中文数字：{text!r}")
    if len(text) > 1 and all(ch in CN_DIGITS for ch in text):
        # Digit-by-digit form (二〇二五) rather than a spoken number.
        return int("".join(str(CN_DIGITS[ch]) for ch in text))
    total = section = digit = 0
    for ch in text:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif ch in CN_SMALL_UNITS:
            # A bare 十 means 一十.
            section += (digit or 1) * CN_SMALL_UNITS[ch]
            digit = 0
        elif ch == "万":
            total += (section + digit or 1) * CN_BIG_UNITS[ch]
            section = digit = 0
        else:  # 亿
            total = (total + section + digit or 1) * CN_BIG_UNITS[ch]
            section = digit = 0
    return total + section + digit


def _to_decimal(number: str) -> Decimal:
    if re.fullmatch(_ARABIC, number):
        return Decimal(number.replace(",", ""))
    return Decimal(cn_to_int(number))


def _last_place(value: Decimal) -> Decimal:
    """Place value of the last non-zero digit: 8300 → 100, 50000 → 10000, 99.85 → 0.01."""
    if value == 0:
        raise FigureError("0 没有末位有效数字，不能与 余/多/约 连用")
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return Decimal(10) ** exponent


def _fmt(value: Decimal | None) -> str:
    """Plain display: integers with thousands separators, decimals without exponent notation."""
    if value is None:
        return "∞"
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return format(value.normalize(), "f")


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(_QUOTES))


# --------------------------------------------------------------------------------------------------
# The figure


@dataclass(frozen=True)
class Figure:
    """A figure as written and what it claims.

    `value` is the number already scaled (5万余 → 50000; 47.31% → 47.31); `step` is the place value
    that sets the tolerance of 余/多/约 forms; `decimals` is the count of written decimals of a percent;
    `years` is the N of a 连续N年 streak. Fields that do not apply to a kind are None.
    """

    written: str
    qualifier: str
    kind: Kind
    value: Decimal | None = None
    unit: str = ""
    decimals: int | None = None
    step: Decimal | None = None
    years: int | None = None

    @property
    def universal(self) -> bool:
        """A claim about every row or every year (零, 连续N年零, 100%/0%, 第一, 持续…): one row that
        could not be read could break it, so it holds only on complete evidence."""
        if self.kind in (Kind.ZERO, Kind.ZERO_STREAK, Kind.RANK_FIRST, Kind.RANK, Kind.RISING, Kind.STEADY_PERCENT):
            return True
        if self.kind == Kind.PERCENT and self.value is not None:
            return self.value in (Decimal(0), Decimal(100))
        return self.kind == Kind.EXACT and self.value == 0

    def interval(self) -> tuple[Decimal | None, Decimal | None, bool, bool]:
        """(low, high, low_inclusive, high_inclusive) for the count kinds; None is an open end."""
        v = self.value
        if self.kind not in COUNT_KINDS or v is None:
            raise FigureError(f"{self.kind} 不是计数类表述，没有取值区间")
        if self.kind in (Kind.EXACT, Kind.ZERO):
            return v, v, True, True
        if self.kind == Kind.ABOVE_APPROX:
            assert self.step is not None
            return v, v + self.step, False, False
        if self.kind in (Kind.ABOUT, Kind.ROUNDED):
            assert self.step is not None
            half = self.step / 2
            return v - half, v + half, True, False
        if self.kind == Kind.NEAR:
            assert self.step is not None
            return v - self.step, v, True, True
        if self.kind == Kind.LESS_THAN:
            return Decimal(0), v, True, False
        if self.kind in (Kind.AT_LEAST, Kind.PRESENT):
            return v, None, True, False
        return v, None, False, False  # MORE_THAN

    def contains(self, x: int | Decimal) -> bool:
        low, high, low_in, high_in = self.interval()
        d = Decimal(x)
        if low is not None and (d < low or (d == low and not low_in)):
            return False
        return not (high is not None and (d > high or (d == high and not high_in)))

    def describe_zh(self) -> str:
        """The rule in words, for reports to readers who check the figure by hand."""
        tag = "（" + "，".join(part for part in (self.written, self.qualifier) if part) + "）"
        if self.kind in COUNT_KINDS:
            return self._describe_count() + tag
        if self.kind in RATE_KINDS or self.kind in CHANGE_KINDS:
            return self._describe_rate() + tag
        if self.kind == Kind.ZERO_STREAK:
            return f"最近连续 {self.years} 年（逐年）每年均为 0，且须有至少 {self.years} 年的数据" + tag
        if self.kind == Kind.RANK_FIRST:
            return "所列每项指标均排名第 1" + tag
        if self.kind == Kind.RANK:
            return f"所列每项指标均排名第 {_fmt(self.value)}" + tag
        if self.kind in POINTS_KINDS:
            places = _DECIMALS_NAMES.get(self.decimals or 0, f"{self.decimals}位小数")
            change = "本年比率 − 上年比率" if self.kind == Kind.POINTS_UP else "上年比率 − 本年比率"
            return (
                f"{change}（百分点）四舍五入到{places}等于 {_fmt(self.value)}，"
                f"或两年比率各四舍五入到{places}后相减等于它；任一年分母为 0 时无法计算"
            ) + tag
        return "逐年严格上升（后一年大于前一年，持平不算），至少需要两年数据" + tag

    def _describe_count(self) -> str:
        v = self.value
        assert v is not None
        if self.kind in (Kind.EXACT, Kind.ZERO):
            return f"x = {_fmt(v)}"
        if self.kind == Kind.PRESENT:
            return "台账中至少有 1 行符合所述事项 (x ≥ 1)"
        if self.kind == Kind.AT_LEAST:
            return f"x ≥ {_fmt(v)}"
        if self.kind == Kind.MORE_THAN:
            return f"x > {_fmt(v)}"
        if self.kind == Kind.LESS_THAN:
            return f"x < {_fmt(v)}"
        low, high, low_in, high_in = self.interval()
        assert low is not None and high is not None and self.step is not None
        text = f"{_fmt(low)} {'≤' if low_in else '<'} x {'≤' if high_in else '<'} {_fmt(high)}"
        if self.kind in (Kind.ABOUT, Kind.ROUNDED):
            exponent = self.step.normalize().as_tuple().exponent
            place = _PLACE_NAMES.get(exponent, f"10^{exponent} 位") if isinstance(exponent, int) else ""
            text = f"四舍五入到{place}等于 {_fmt(v)}：{text}"
        lo_int = math.ceil(low) if low_in else math.floor(low) + 1
        hi_int = math.floor(high) if high_in else math.ceil(high) - 1
        if lo_int <= hi_int:
            text += f"，即整数 {lo_int:,}–{hi_int:,}"
        return text

    def _describe_rate(self) -> str:
        assert self.value is not None and self.decimals is not None
        places = _DECIMALS_NAMES.get(self.decimals, f"{self.decimals}位小数")
        p = f"{self.value}%"
        if self.value == 100:
            core = "分子等于分母（比值恰为 1）才写作 " + p + "，99.996% 之类不算"
        elif self.value == 0:
            core = "分子恰为 0 才写作 " + p
        else:
            core = f"四舍五入到{places}等于 {p}"
        if self.kind == Kind.YOY_DECREASE:
            return f"（上年 − 本年）/ 上年：{core}；上年为 0 时无法计算"
        if self.kind == Kind.YOY_INCREASE:
            return f"（本年 − 上年）/ 上年：{core}；上年为 0 时无法计算"
        if self.kind == Kind.STEADY_PERCENT:
            return f"每一年的比率都满足：{core}"
        return f"k / n：{core}"


def parse_figure(written: str, qualifier: str = "") -> Figure:
    """Parse a figure as written ("6000余件", "约8万", "99.85%", "一座") plus an optional qualifier."""
    w, q = _clean(written), _clean(qualifier)
    q = re.sub(r"^连续(?:N|\d+|[" + CN_NUMERAL_CHARS + r"]+)年零(?:发生)?$", "连续N年零", q)
    if q not in QUALIFIERS:
        raise FigureError(f"未知限定语：{qualifier!r}；可用：{'、'.join(x for x in QUALIFIERS if x)}")

    if q == "连续N年零" or (not q and w.startswith("连续")):
        # "连续4年" alone is read as the zero streak: it is the only streak form the report uses.
        m = _STREAK.match(w)
        if not m:
            raise FigureError(f"连续N年 需要年数，得到 {written!r}")
        years = int(m["n"]) if m["n"].isdigit() else cn_to_int(m["n"])
        if years < 1:
            raise FigureError("连续年数至少为 1")
        return Figure(written, qualifier, Kind.ZERO_STREAK, value=Decimal(0), unit="年", years=years)

    if q == "位居第一" or (not q and _RANK_FIRST.match(w)):
        if not _RANK_FIRST.match(w) and w not in ("", "位居第一"):
            raise FigureError(f"位居第一 的写法应为“第一”，得到 {written!r}")
        return Figure(written, qualifier, Kind.RANK_FIRST, value=Decimal(1))

    if q == "有记录":
        # A categorical claim (a title won, a body set up): the written words are a name, not a number.
        if not w:
            raise FigureError("有记录 需要写出所称的事项，如 全国民主法治示范社区")
        if re.search(rf"\d|[{CN_NUMERAL_CHARS}]+[{''.join(UNITS)}]", w):
            raise FigureError(
                f"有记录 只用于不带数字的判断（称号、全覆盖），{written!r} 含数字：请去掉 qualifier，按数字核对"
            )
        return Figure(written, qualifier, Kind.PRESENT, value=Decimal(1))

    if q in _POINTS_QUALIFIER:
        m = _POINTS.match(w)
        if not m:
            raise FigureError(f"{q} 的写法应为“N个百分点”，得到 {written!r}")
        exponent = Decimal(m["num"]).as_tuple().exponent
        decimals = max(0, -exponent) if isinstance(exponent, int) else 0
        return Figure(
            written, qualifier, _POINTS_QUALIFIER[q], value=Decimal(m["num"]), unit="个百分点", decimals=decimals
        )

    if not q and _RANK.match(w):
        n = _RANK.match(w)["n"]  # type: ignore[index]
        rank = int(n) if n.isdigit() else cn_to_int(n)
        if rank < 1:
            raise FigureError(f"名次至少为 1，得到 {written!r}")
        return Figure(written, qualifier, Kind.RANK, value=Decimal(rank))

    if q == "持续提升" or (not q and w in _RISING_WORDS - {""}):
        if w not in _RISING_WORDS:
            raise FigureError(f"持续提升 不带数字，得到 {written!r}")
        return Figure(written, qualifier, Kind.RISING)

    if not q and w in ("零", "零发生"):
        return Figure(written, qualifier, Kind.ZERO, value=Decimal(0))

    m = _NUMBER_FORM.match(w)
    if not m:
        raise FigureError(f"无法解析的数字写法：{written!r}")
    value = _to_decimal(m["num"])
    if m["a1"] and m["a2"]:
        raise FigureError(f"余/多 重复：{written!r}")
    if m["scale"]:
        value *= SCALES[m["scale"]]
    unit = m["unit"] or ""
    approx = m["a1"] or m["a2"]
    bounds = {k for k in (_PREFIX_KIND.get(m["pre"] or ""), _POSTFIX_KIND.get(m["post"] or "")) if k}

    if m["pct"] or q in ("同比下降", "同比上升", "持续保持"):
        if approx or bounds or unit or m["scale"]:
            raise FigureError(f"百分比只支持精确写法（如 99.85%），得到 {written!r}")
        # The written number keeps its trailing zeros, so "99.70%" means two decimals.
        exponent = value.as_tuple().exponent
        decimals = max(0, -exponent) if isinstance(exponent, int) else 0
        kind = {"同比下降": Kind.YOY_DECREASE, "同比上升": Kind.YOY_INCREASE, "持续保持": Kind.STEADY_PERCENT}.get(
            q, Kind.PERCENT
        )
        if kind in (Kind.PERCENT, Kind.STEADY_PERCENT) and not m["pct"]:
            raise FigureError(f"{q or '比率'} 需要百分号：{written!r}")
        return Figure(written, qualifier, kind, value=value, unit="%", decimals=decimals)

    if approx and bounds:
        raise FigureError(f"余/多 不能与 约/不少于/超过 同用：{written!r}")
    if len(bounds) > 1:
        raise FigureError(f"区间限定语相互矛盾：{written!r}")
    if approx:
        return Figure(written, qualifier, Kind.ABOVE_APPROX, value=value, unit=unit, step=_last_place(value))
    if bounds:
        kind = bounds.pop()
        step = _last_place(value) if kind in (Kind.ABOUT, Kind.NEAR) else None
        return Figure(written, qualifier, kind, value=value, unit=unit, step=step)
    if value == 0 and m["num"] in ("零", "〇"):
        return Figure(written, qualifier, Kind.ZERO, value=value, unit=unit)
    if m["scale"] and value != 0:
        # 2.7万元 is not 27,000 exactly: written to 0.1万, it is [26,500, 27,500) yuan.
        return Figure(written, qualifier, Kind.ROUNDED, value=value, unit=unit, step=_last_place(value))
    return Figure(written, qualifier, Kind.EXACT, value=value, unit=unit)


# --------------------------------------------------------------------------------------------------
# Checks


def _require(fig: Figure, kinds: frozenset[Kind] | set[Kind], check: str) -> None:
    if fig.kind not in kinds:
        raise FigureError(f"{check} 不适用于 {fig.kind} 类表述（{fig.written}）")


def _non_negative(**values: int | Decimal) -> None:
    for name, v in values.items():
        if v < 0:
            raise ValueError(f"{name} 不能为负数：{v}")


def check_count(fig: Figure, x: int | Decimal) -> bool:
    """Does the recomputed count x honour the wording (exact, 余/多, 约/左右, 不少于/以上, 超过, 零)?"""
    _require(fig, COUNT_KINDS, "check_count")
    return fig.contains(x)


def check_rate(fig: Figure, k: int, n: int) -> bool:
    """Does k out of n make the written percentage? n == 0 raises NotComputable."""
    _require(fig, RATE_KINDS, "check_rate")
    _non_negative(k=k, n=n)
    assert fig.value is not None and fig.decimals is not None
    return rate_matches(fig.value, fig.decimals, k, n)


def check_change(fig: Figure, previous: int | Decimal, current: int | Decimal) -> bool:
    """同比下降/上升 p%: relative change from previous to current. previous == 0 raises NotComputable."""
    _require(fig, CHANGE_KINDS, "check_change")
    _non_negative(previous=previous, current=current)
    assert fig.value is not None and fig.decimals is not None
    if previous == 0:
        raise NotComputable(f"上年为 0，同比变化无法计算（{fig.written}）")
    prev, cur = _fraction(previous), _fraction(current)
    change = prev - cur if fig.kind == Kind.YOY_DECREASE else cur - prev
    return rate_matches(fig.value, fig.decimals, change, prev)


def check_series_zero(fig: Figure, values_by_year: dict[int, int]) -> bool:
    """连续N年零: the N latest years, which must be N consecutive calendar years all present, are all 0.

    A missing year inside the window is missing data, not a zero, so it makes the claim unverifiable.
    """
    _require(fig, {Kind.ZERO_STREAK}, "check_series_zero")
    assert fig.years is not None
    if len(values_by_year) < fig.years:
        raise NotComputable(f"只有 {len(values_by_year)} 年数据，不足以核对连续 {fig.years} 年")
    latest = max(values_by_year)
    window = range(latest - fig.years + 1, latest + 1)
    missing = [y for y in window if y not in values_by_year]
    if missing:
        raise NotComputable(f"缺少 {'、'.join(map(str, missing))} 年的数据，无法核对连续 {fig.years} 年")
    return all(values_by_year[y] == 0 for y in window)


def check_rising(values_by_year: dict[int, Decimal] | dict[int, int]) -> bool:
    """持续提升: strictly rising in year order over all the years given (an equal step fails)."""
    if len(values_by_year) < 2:
        raise NotComputable("持续提升 至少需要两年数据")
    ordered = [values_by_year[y] for y in sorted(values_by_year)]
    return all(a < b for a, b in zip(ordered, ordered[1:], strict=False))


def check_rank_first(ranks: dict[str, int]) -> bool:
    """位居第一: rank 1 on each listed indicator."""
    if not ranks:
        raise NotComputable("没有任何指标的排名数据")
    return all(r == 1 for r in ranks.values())


def check_rank(fig: Figure, ranks: dict[str, int]) -> bool:
    """位列第N: rank N on each listed indicator."""
    _require(fig, {Kind.RANK}, "check_rank")
    if not ranks:
        raise NotComputable("没有任何指标的排名数据")
    return all(Decimal(r) == fig.value for r in ranks.values())


def check_points(fig: Figure, previous: tuple[int, int], current: tuple[int, int]) -> bool:
    """比上年提高/下降 N个百分点: the change of a rate k/n between two years, in percentage points,
    rounded half up at the written places. Offices subtract the two published (rounded) rates, so
    that difference is accepted too. A year with n == 0 raises NotComputable."""
    _require(fig, POINTS_KINDS, "check_points")
    (k0, n0), (k1, n1) = previous, current
    _non_negative(k0=k0, n0=n0, k1=k1, n1=n1)
    if not n0 or not n1:
        raise NotComputable("分母为 0，比率无法计算")
    assert fig.value is not None and fig.decimals is not None
    sign = 1 if fig.kind == Kind.POINTS_UP else -1
    exact = (_fraction(k1) / _fraction(n1) - _fraction(k0) / _fraction(n0)) * 100 * sign
    if exact < 0:  # it moved the other way: 提高 is not said of a fall, nor 下降 of a rise
        return False
    exact_points = round_half_up(Decimal(exact.numerator) / Decimal(exact.denominator), fig.decimals)
    rounded = (rate_percent(k1, n1, fig.decimals) - rate_percent(k0, n0, fig.decimals)) * sign
    return fig.value in (exact_points, rounded)


def check_rate_series(fig: Figure, counts_by_year: dict[int, tuple[int, int]]) -> bool:
    """持续保持 p%: every year's k/n matches p by the percent rule. A year with n == 0 is NotComputable."""
    _require(fig, RATE_KINDS, "check_rate_series")
    if not counts_by_year:
        raise NotComputable("没有任何年度数据")
    assert fig.value is not None and fig.decimals is not None
    for year in sorted(counts_by_year):
        k, n = counts_by_year[year]
        _non_negative(k=k, n=n)
        if n == 0:
            raise NotComputable(f"{year} 年分母为 0，比率无法计算")
    return all(rate_matches(fig.value, fig.decimals, k, n) for k, n in counts_by_year.values())
