"""Consistency checks that need no ledger: can the report's own numbers be true together?

GRIM-style: a percentage written with d decimals over a known denominator n can only take certain
values, because the numerator is a whole count. "99.7%" of 506 inspections is impossible (504/506 is
99.6%, 505/506 is 99.8%), whatever the ledgers say. The percent rule is the one in `wording`
(half-up rounding; 100% only when k == n; 0% only when k == 0), so both modules always agree.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from lawreport.text.wording import NotComputable, rate_matches, rate_percent

__all__ = [
    "CheckResult",
    "attainable_counts",
    "check_not_greater",
    "check_rate_against_counts",
    "denominators_for",
    "is_attainable",
    "nearest_attainable",
    "written_rate",
]


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one relation check. `computable` is False when the data cannot decide (n == 0)."""

    ok: bool
    message: str
    computable: bool = True


def _percent(percent: str | Decimal) -> tuple[Decimal, int]:
    """The percentage and its written number of decimals; "99.70" keeps two decimals."""
    if isinstance(percent, Decimal):
        value = percent
    else:
        text = unicodedata.normalize("NFKC", str(percent)).strip().removesuffix("%").strip()
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"不是百分比：{percent!r}") from None
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or value < 0:
        raise ValueError(f"百分比应为非负有限数：{percent!r}")
    return value, max(0, -exponent)


def _check_n(n: int) -> None:
    if n < 0:
        raise ValueError(f"分母不能为负数：{n}")


def attainable_counts(percent: str | Decimal, n: int) -> list[int]:
    """Every k in 0..n for which k/n, written like `percent`, gives `percent`. n == 0 gives []."""
    _check_n(n)
    if n == 0:
        return []
    p, d = _percent(percent)
    # Only k with p − h ≤ 100k/n < p + h can round to p (h = half a unit in the last written place);
    # the range is computed exactly, then each candidate goes through the one shared rule.
    half = Fraction(5, 10 ** (d + 1))
    low = max(0, math.ceil((Fraction(p) - half) * n / 100))
    high = min(n, math.ceil((Fraction(p) + half) * n / 100))
    return [k for k in range(low, high + 1) if rate_matches(p, d, k, n)]


def is_attainable(percent: str | Decimal, n: int) -> bool:
    """Could some whole count out of n be written as `percent`?"""
    return bool(attainable_counts(percent, n))


def written_rate(k: int, n: int, decimals: int) -> Decimal:
    """How k/n would honestly be written at `decimals` places.

    Under the percent rule 505/506 may not be written "100%", so a rate that would round to 100 (or
    to 0) without being exact gets more decimals until it no longer does (505/506 at 0 decimals: 99.8).
    """
    if n == 0:
        raise NotComputable("分母为 0，比率无法计算")
    places = decimals
    rate = rate_percent(k, n, places)
    while (rate == 100 and k != n) or (rate == 0 and k != 0):
        places += 1
        rate = rate_percent(k, n, places)
    return rate


def nearest_attainable(percent: str | Decimal, n: int) -> list[tuple[int, Decimal]]:
    """The closest rates that k out of n can give, as (k, rate written with the percent's decimals).

    When `percent` is attainable these are the matching counts themselves; otherwise the nearest count
    below and the nearest above (either may be missing at the ends of 0..n). n == 0 gives [].
    """
    _check_n(n)
    if n == 0:
        return []
    p, d = _percent(percent)
    matching = attainable_counts(p, n)
    if matching:
        return [(k, written_rate(k, n, d)) for k in matching]
    # Not attainable: the k with exact rate just at or under p rounds below p, the next one above it.
    below = min(n, math.floor(Fraction(p) * n / 100))
    pairs = [(k, written_rate(k, n, d)) for k in (below, below + 1) if 0 <= k <= n]
    return pairs


def denominators_for(percent: str | Decimal, max_n: int) -> list[int]:
    """Every n in 1..max_n for which some whole k gives `percent` (useful when n is not stated)."""
    p, _ = _percent(percent)
    return [n for n in range(1, max_n + 1) if is_attainable(p, n)]


def _num(value: int | Decimal) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def check_not_greater(a_name: str, a: int | Decimal, b_name: str, b: int | Decimal) -> CheckResult:
    """a must not exceed b (结案 ≤ 立案, 活跃数 ≤ 执法人员)."""
    if a <= b:
        return CheckResult(True, f"{a_name} {_num(a)} ≤ {b_name} {_num(b)}，符合")
    return CheckResult(False, f"{a_name} {_num(a)} 大于 {b_name} {_num(b)}，不合逻辑：{a_name}不应多于{b_name}")


def check_rate_against_counts(percent: str | Decimal, k: int, n: int, label: str = "比率") -> CheckResult:
    """Does the written rate agree with the counts stated beside it (活跃率100% vs 14/14)?"""
    _check_n(n)
    if k < 0:
        raise ValueError(f"分子不能为负数：{k}")
    p, d = _percent(percent)
    shown = f"{label} {p}%"
    if n == 0:
        return CheckResult(False, f"{shown}：分母为 0，比率无法计算", computable=False)
    actual = f"{k:,}/{n:,} = {rate_percent(k, n, d + 2)}%"
    if rate_matches(p, d, k, n):
        return CheckResult(True, f"{shown} 与 {actual} 相符")
    message = f"{shown} 与 {actual} 不符"
    if k > n:
        message += "；分子大于分母"
    elif p == 100:
        message += "；100% 要求分子等于分母"
    elif p == 0:
        message += "；0% 要求分子为 0"
    matching = attainable_counts(p, n)
    if matching:
        message += f"；n = {n:,} 时写出 {p}% 需要分子为 {'、'.join(f'{m:,}' for m in matching)}"
    else:
        near = "、".join(f"{m:,}/{n:,} = {r}%" for m, r in nearest_attainable(p, n))
        message += f"；n = {n:,} 时任何整数分子都写不出 {p}%（最接近：{near}）"
    return CheckResult(False, message)
