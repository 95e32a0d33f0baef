"""GRIM-style checks: which percentages a whole count over n can give, and simple relations between counts."""

from decimal import Decimal

import pytest

from lawreport.register import consistency as C
from lawreport.text.wording import NotComputable


@pytest.mark.parametrize(
    "percent, n, expected",
    [
        ("99.7", 506, []),  # 504/506 = 99.60%, 505/506 = 99.80%
        ("99.7%", 506, []),
        (Decimal("99.7"), 506, []),
        ("99.8", 506, [505]),
        ("99.85", 6667, [6657]),
        ("100", 14, [14]),
        ("100%", 51, [51]),
        ("100.00", 7, [7]),
        ("0", 14, [0]),
        ("0.0", 3, [0]),
        ("50", 2, [1]),
        ("50", 3, []),
        ("33", 3, [1]),  # 1/3 = 33.33…% rounds to 33 at 0 decimals
        ("33.3", 3, [1]),
        ("33.4", 3, []),
        ("66.67", 3, [2]),
        ("13", 8, [1]),  # 12.5 rounds half up
        ("12", 8, []),
        ("101", 10, []),
        ("99.85", 0, []),
        ("0", 0, []),
        ("100", 0, []),
    ],
)
def test_attainable_counts(percent, n, expected):
    assert C.attainable_counts(percent, n) == expected
    assert C.is_attainable(percent, n) is bool(expected)


def test_hundred_and_zero_are_exact_only():
    # 9999/10000 is 99.99% and would round to 100 at 0 decimals, but "100%" needs k == n.
    assert C.attainable_counts("100", 10000) == [10000]
    assert C.attainable_counts("0", 10000) == [0]
    assert C.attainable_counts("100", 1) == [1]


def test_attainable_counts_agree_with_brute_force():
    from lawreport.text.wording import rate_matches

    for percent in ("99.7", "99.85", "66.67", "12.5", "13", "50", "0.1", "99.9"):
        p = Decimal(percent)
        d = max(0, -p.as_tuple().exponent)
        for n in range(1, 120):
            brute = [k for k in range(n + 1) if rate_matches(p, d, k, n)]
            assert C.attainable_counts(percent, n) == brute, (percent, n)


def test_nearest_attainable():
    assert C.nearest_attainable("99.7", 506) == [(504, Decimal("99.6")), (505, Decimal("99.8"))]
    assert C.nearest_attainable("100", 14) == [(14, Decimal("100"))]
    assert C.nearest_attainable("99.85", 6667) == [(6657, Decimal("99.85"))]
    assert C.nearest_attainable("0.1", 5) == [(0, Decimal("0")), (1, Decimal("20"))]
    assert C.nearest_attainable("99.7", 0) == []


def test_written_rate_never_claims_a_false_hundred_or_zero():
    assert C.written_rate(505, 506, 0) == Decimal("99.8")
    assert C.written_rate(1, 25000, 2) == Decimal("0.004")
    assert C.written_rate(14, 14, 0) == Decimal("100")
    with pytest.raises(NotComputable):
        C.written_rate(0, 0, 0)


def test_denominators_for():
    found = C.denominators_for("99.85", 700)
    assert found[0] == 646  # 645/646 = 99.845% is the smallest way to write 99.85%
    assert 645 not in found
    assert C.denominators_for("100", 5) == [1, 2, 3, 4, 5]
    assert C.denominators_for("50", 6) == [2, 4, 6]
    assert C.denominators_for("99.7", 0) == []


def test_bad_inputs():
    with pytest.raises(ValueError):
        C.attainable_counts("abc", 5)
    with pytest.raises(ValueError):
        C.attainable_counts("-5", 5)
    with pytest.raises(ValueError):
        C.attainable_counts("50", -1)


def test_check_not_greater():
    ok = C.check_not_greater("结案", 389, "立案", 390)
    assert ok.ok and "389" in ok.message and "390" in ok.message
    assert C.check_not_greater("活跃数", 14, "执法人员", 14).ok
    bad = C.check_not_greater("结案", 391, "立案", 390)
    assert not bad.ok and "大于" in bad.message and "结案" in bad.message
    assert C.check_not_greater("罚没", Decimal("20400.5"), "上限", Decimal("20400")).ok is False


def test_check_rate_against_counts():
    good = C.check_rate_against_counts("100", 14, 14, "活跃率")
    assert good.ok and good.computable and "活跃率" in good.message
    hundred = C.check_rate_against_counts("100%", 505, 506)
    assert not hundred.ok and "分子等于分母" in hundred.message
    grim = C.check_rate_against_counts("99.7", 505, 506, "行政检查规范率")
    assert not grim.ok
    assert "写不出" in grim.message and "504/506 = 99.6%" in grim.message and "505/506 = 99.8%" in grim.message
    wrong_k = C.check_rate_against_counts("99.8", 504, 506)
    assert not wrong_k.ok and "505" in wrong_k.message
    zero = C.check_rate_against_counts("0", 0, 14)
    assert zero.ok
    assert not C.check_rate_against_counts("0", 1, 25000).ok
    too_many = C.check_rate_against_counts("100", 15, 14)
    assert not too_many.ok and "分子大于分母" in too_many.message


def test_rate_with_zero_denominator_is_not_computable():
    result = C.check_rate_against_counts("100", 0, 0)
    assert not result.ok and not result.computable and "分母为 0" in result.message
