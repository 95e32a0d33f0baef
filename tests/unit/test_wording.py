"""The wording rules: what each way of writing a figure promises, at and around its boundaries."""

from decimal import Decimal

import pytest

from lawreport.text import wording as W
from lawreport.text.wording import Kind, parse_figure


@pytest.mark.parametrize(
    "written, qualifier, kind, value, unit",
    [
        ("51", "", Kind.EXACT, 51, ""),
        ("51件", "", Kind.EXACT, 51, "件"),
        ("１２件", "", Kind.EXACT, 12, "件"),
        ("1,200人次", "", Kind.EXACT, 1200, "人次"),
        ("100%", "", Kind.PERCENT, 100, "%"),
        ("99.85%", "", Kind.PERCENT, Decimal("99.85"), "%"),
        ("47.31%", "同比下降", Kind.YOY_DECREASE, Decimal("47.31"), "%"),
        ("48%", "同比下降", Kind.YOY_DECREASE, 48, "%"),
        ("12", "同比上升", Kind.YOY_INCREASE, 12, "%"),
        ("100%", "持续保持", Kind.STEADY_PERCENT, 100, "%"),
        ("50余", "", Kind.ABOVE_APPROX, 50, ""),
        ("50余场次", "", Kind.ABOVE_APPROX, 50, "场次"),
        ("6000余件", "", Kind.ABOVE_APPROX, 6000, "件"),
        ("5万余", "", Kind.ABOVE_APPROX, 50000, ""),
        ("5万余份", "", Kind.ABOVE_APPROX, 50000, "份"),
        ("30余万元", "", Kind.ABOVE_APPROX, 300000, "元"),
        ("8300多", "", Kind.ABOVE_APPROX, 8300, ""),
        ("8300多件", "", Kind.ABOVE_APPROX, 8300, "件"),
        ("300余人次", "", Kind.ABOVE_APPROX, 300, "人次"),
        ("约8万", "", Kind.ABOUT, 80000, ""),
        ("约8万人次", "", Kind.ABOUT, 80000, "人次"),
        ("8万左右", "", Kind.ABOUT, 80000, ""),
        ("约120", "", Kind.ABOUT, 120, ""),
        ("不少于4", "", Kind.AT_LEAST, 4, ""),
        ("不少于4条", "", Kind.AT_LEAST, 4, "条"),
        ("4以上", "", Kind.AT_LEAST, 4, ""),
        ("4条以上", "", Kind.AT_LEAST, 4, "条"),
        ("超过300", "", Kind.MORE_THAN, 300, ""),
        ("零", "", Kind.ZERO, 0, ""),
        ("“零”", "", Kind.ZERO, 0, ""),
        ("“零”发生", "", Kind.ZERO, 0, ""),
        ("一座", "", Kind.EXACT, 1, "座"),
        ("两个", "", Kind.EXACT, 2, "个"),
        ("十五名", "", Kind.EXACT, 15, "名"),
        ("1.5亿元", "", Kind.ROUNDED, 150000000, "元"),
        ("第一", "位居第一", Kind.RANK_FIRST, 1, ""),
        ("位居全县第一", "", Kind.RANK_FIRST, 1, ""),
    ],
)
def test_parse_figure(written, qualifier, kind, value, unit):
    fig = parse_figure(written, qualifier)
    assert fig.kind == kind
    assert fig.value == Decimal(value)
    assert fig.unit == unit
    assert fig.written == written


@pytest.mark.parametrize(
    "written, qualifier, years",
    [
        ("连续4年", "", 4),
        ("4", "连续N年零", 4),
        ("连续4年", "连续N年零", 4),
        ("四", "连续4年“零”", 4),
        ("连续三年", "", 3),
    ],
)
def test_zero_streak_parses_the_year_count(written, qualifier, years):
    fig = parse_figure(written, qualifier)
    assert fig.kind == Kind.ZERO_STREAK
    assert fig.years == years


def test_rising_takes_no_number():
    assert parse_figure("", "持续提升").kind == Kind.RISING
    assert parse_figure("持续提升").kind == Kind.RISING
    with pytest.raises(W.FigureError):
        parse_figure("5", "持续提升")


@pytest.mark.parametrize("written, decimals", [("100%", 0), ("99.85%", 2), ("99.7%", 1), ("99.70%", 2), ("47.31", 2)])
def test_percent_decimals_are_as_written(written, decimals):
    qualifier = "" if written.endswith("%") else "同比下降"
    assert parse_figure(written, qualifier).decimals == decimals


@pytest.mark.parametrize(
    "written, qualifier",
    [("abc", ""), ("5", "随便说说"), ("约50余", ""), ("约99%", ""), ("99.85", "持续保持"), ("约0", ""), ("0余", "")],
)
def test_unparseable_wording_is_an_error(written, qualifier):
    with pytest.raises(W.FigureError):
        parse_figure(written, qualifier)


@pytest.mark.parametrize(
    "text, expected",
    [("零", 0), ("一", 1), ("两", 2), ("十", 10), ("十五", 15), ("二十", 20), ("一百零五", 105), ("三千", 3000),
     ("两万", 20000), ("十万", 100000), ("一亿二千万", 120000000), ("二〇二五", 2025)],
)  # fmt: skip
def test_chinese_numerals(text, expected):
    assert W.cn_to_int(text) == expected


# ---------------------------------------------------------------------------------------------- counts


@pytest.mark.parametrize(
    "written, passing, failing",
    [
        ("51件", [51], [50, 52]),
        ("50余", [51, 55, 59, Decimal("50.5")], [50, 60, 49, 61]),
        ("320余条", [321, 329], [320, 330]),
        ("300余", [301, 399], [300, 400]),
        ("800余件", [801, 899], [800, 900]),
        ("6000余件", [6001, 6999], [6000, 7000]),
        ("5万余", [50001, 59999], [50000, 60000]),
        ("5万余份", [50001, 59999], [50000, 60000]),
        ("30余万元", [300001, 399999, Decimal("300000.01")], [300000, 400000, 30]),
        ("30余场次", [31, 39], [30, 40]),
        ("8300多", [8301, 8399], [8300, 8400]),
        ("约8万", [75000, 80000, 84999, Decimal("84999.99")], [74999, 85000]),
        ("8万左右", [75000, 84999], [74999, 85000]),
        ("约120", [115, 124], [114, 125]),
        ("不少于4", [4, 5, 100], [3]),
        ("4以上", [4, 5], [3]),
        ("超过300", [301], [300, 299]),
        ("零", [0], [1]),
        ("一座", [1], [0, 2]),
    ],
)
def test_check_count(written, passing, failing):
    fig = parse_figure(written)
    for x in passing:
        assert W.check_count(fig, x), f"{x} should satisfy {written}"
    for x in failing:
        assert not W.check_count(fig, x), f"{x} should not satisfy {written}"


@pytest.mark.parametrize(
    "written, interval",
    [
        ("51", (51, 51, True, True)),
        ("50余", (50, 60, False, False)),
        ("5万余", (50000, 60000, False, False)),
        ("30余万元", (300000, 400000, False, False)),
        ("8300多", (8300, 8400, False, False)),
        ("约8万", (75000, 85000, True, False)),
        ("不少于4", (4, None, True, False)),
        ("超过300", (300, None, False, False)),
    ],
)
def test_interval(written, interval):
    low, high, low_in, high_in = parse_figure(written).interval()
    exp_low, exp_high, exp_low_in, exp_high_in = interval
    assert low == Decimal(exp_low)
    assert high == (None if exp_high is None else Decimal(exp_high))
    assert (low_in, high_in) == (exp_low_in, exp_high_in)


def test_interval_is_only_for_counts():
    with pytest.raises(W.FigureError):
        parse_figure("99.85%").interval()


def test_step_is_the_place_of_the_last_nonzero_digit():
    assert parse_figure("8300多").step == 100
    assert parse_figure("5万余").step == 10000
    assert parse_figure("30余万元").step == 100000
    assert parse_figure("约1.5万").step == 1000


# ---------------------------------------------------------------------------------------------- rates


@pytest.mark.parametrize(
    "value, decimals, expected",
    [
        (Decimal("66.666"), 2, Decimal("66.67")),
        (Decimal("12.5"), 0, Decimal("13")),
        (Decimal("99.845"), 2, Decimal("99.85")),
        (Decimal("99.8449999"), 2, Decimal("99.84")),
        (Decimal("2.5"), 0, Decimal("3")),  # not banker's rounding
        (Decimal("-2.5"), 0, Decimal("-3")),
    ],
)
def test_round_half_up(value, decimals, expected):
    assert W.round_half_up(value, decimals) == expected


@pytest.mark.parametrize(
    "k, n, decimals, expected",
    [(2, 3, 2, "66.67"), (1, 8, 0, "13"), (1, 8, 1, "12.5"), (19969, 20000, 2, "99.85"), (6657, 6667, 2, "99.85")],
)
def test_rate_percent_is_exact(k, n, decimals, expected):
    assert W.rate_percent(k, n, decimals) == Decimal(expected)


@pytest.mark.parametrize(
    "written, k, n, expected",
    [
        ("66.67%", 2, 3, True),
        ("66.66%", 2, 3, False),
        ("13%", 1, 8, True),  # 12.5 rounds half up
        ("12%", 1, 8, False),
        ("99.85%", 19969, 20000, True),  # exactly 99.845
        ("99.84%", 19969, 20000, False),
        ("99.85%", 6657, 6667, True),
        ("100%", 51, 51, True),
        ("100%", 14, 14, True),
        ("100%", 2499, 2500, False),  # 99.96% is not 100%
        ("100%", 24999, 25000, False),  # 99.996% does not make "100%" either
        ("99.96%", 2499, 2500, True),
        ("0%", 0, 14, True),
        ("0%", 1, 25000, False),  # 0.004% is not 0%
        ("0.00%", 1, 25000, False),
        ("99.7%", 505, 506, False),
        ("99.8%", 505, 506, True),
    ],
)
def test_check_rate(written, k, n, expected):
    assert W.check_rate(parse_figure(written), k, n) is expected


def test_rate_with_zero_denominator_is_not_computable():
    with pytest.raises(W.NotComputable):
        W.check_rate(parse_figure("100%"), 0, 0)


def test_check_rate_refuses_floats_and_wrong_kinds():
    with pytest.raises(TypeError):
        W.rate_percent(0.5, 1, 2)
    with pytest.raises(W.FigureError):
        W.check_rate(parse_figure("51件"), 51, 51)
    with pytest.raises(W.FigureError):
        W.check_count(parse_figure("99.85%"), 1)


# ---------------------------------------------------------------------------------------------- change


@pytest.mark.parametrize(
    "written, qualifier, previous, current, expected",
    [
        ("47.31%", "同比下降", 1300, 685, True),
        ("47.31%", "同比下降", 1300, 686, False),
        ("48%", "同比下降", 25, 13, True),
        ("48%", "同比下降", 25, 14, False),
        ("48%", "同比下降", 13, 25, False),  # an increase is not a decrease
        ("100%", "同比下降", 25, 0, True),
        ("25%", "同比上升", 100, 125, True),
        ("25%", "同比上升", 125, 100, False),
        ("25%", "同比上升", Decimal("100"), Decimal("125.4"), True),
    ],
)
def test_check_change(written, qualifier, previous, current, expected):
    assert W.check_change(parse_figure(written, qualifier), previous, current) is expected


def test_change_from_zero_is_not_computable():
    with pytest.raises(W.NotComputable):
        W.check_change(parse_figure("48%", "同比下降"), 0, 3)


# ---------------------------------------------------------------------------------------------- series


def test_zero_streak():
    fig = parse_figure("连续4年")
    assert W.check_series_zero(fig, {2021: 2, 2022: 0, 2023: 0, 2024: 0, 2025: 0})
    assert not W.check_series_zero(fig, {2021: 0, 2022: 0, 2023: 1, 2024: 0, 2025: 0})
    assert W.check_series_zero(fig, {2022: 0, 2023: 0, 2024: 0, 2025: 0})
    with pytest.raises(W.NotComputable):
        W.check_series_zero(fig, {2023: 0, 2024: 0, 2025: 0})
    with pytest.raises(W.NotComputable):  # 2023 missing inside the window
        W.check_series_zero(fig, {2020: 0, 2021: 0, 2022: 0, 2024: 0, 2025: 0})


def test_rising_is_strict():
    assert W.check_rising({2023: Decimal("90.1"), 2024: Decimal("92"), 2025: Decimal("95.5")})
    assert W.check_rising({2025: 3, 2024: 2})  # order of the dict does not matter
    assert not W.check_rising({2023: Decimal(90), 2024: Decimal(92), 2025: Decimal(92)})
    assert not W.check_rising({2024: Decimal(92), 2025: Decimal(91)})
    with pytest.raises(W.NotComputable):
        W.check_rising({2025: Decimal(95)})


def test_rank_first():
    assert W.check_rank_first({"活跃率": 1, "规范率": 1})
    assert not W.check_rank_first({"活跃率": 1, "规范率": 2})
    with pytest.raises(W.NotComputable):
        W.check_rank_first({})


def test_steady_percent():
    fig = parse_figure("100%", "持续保持")
    assert W.check_rate_series(fig, {2024: (40, 40), 2025: (52, 52)})
    assert not W.check_rate_series(fig, {2024: (40, 40), 2025: (51, 52)})
    with pytest.raises(W.NotComputable):
        W.check_rate_series(fig, {2024: (40, 40), 2025: (0, 0)})


# ---------------------------------------------------------------------------------------------- words


@pytest.mark.parametrize(
    "written, qualifier, fragments",
    [
        ("50余", "", ["50 < x < 60", "51–59", "50余"]),
        ("约8万", "", ["75,000 ≤ x < 85,000", "75,000–84,999", "万位"]),
        ("99.85%", "", ["四舍五入到两位小数等于 99.85%"]),
        ("13%", "", ["四舍五入到整数等于 13%"]),
        ("100%", "", ["分子等于分母"]),
        ("47.31%", "同比下降", ["上年", "47.31%"]),
        ("连续4年", "", ["连续 4 年"]),
        ("第一", "位居第一", ["排名第 1"]),
        ("", "持续提升", ["严格上升"]),
        ("不少于4条", "", ["x ≥ 4"]),
        ("超过300", "", ["x > 300"]),
    ],
)
def test_describe_zh(written, qualifier, fragments):
    text = parse_figure(written, qualifier).describe_zh()
    for fragment in fragments:
        assert fragment in text


@pytest.mark.parametrize(
    ("written", "kind", "low", "high", "low_in", "high_in"),
    [
        # A number scaled by 万/亿 is rounded at its last written place (issue 8): 2.7万元 is [26,500, 27,500).
        ("2.7万元", Kind.ROUNDED, 26500, 27500, True, False),
        ("30万元", Kind.ROUNDED, 250000, 350000, True, False),
        ("1.5亿元", Kind.ROUNDED, 145000000, 155000000, True, False),
        ("近3万", Kind.NEAR, 20000, 30000, True, True),
        ("将近300件", Kind.NEAR, 200, 300, True, True),
        ("不足50人", Kind.LESS_THAN, 0, 50, True, False),
        ("不到5起", Kind.LESS_THAN, 0, 5, True, False),
    ],
)
def test_scaled_near_and_less_than_forms_are_intervals(written, kind, low, high, low_in, high_in):
    figure = parse_figure(written)
    assert figure.kind == kind
    assert figure.interval() == (Decimal(low), Decimal(high), low_in, high_in)
    assert figure.contains(Decimal(low)) is low_in and figure.contains(Decimal(high)) is high_in


@pytest.mark.parametrize(
    "written, qualifier, kind, value, decimals",
    [
        ("0.05个百分点", "比上年提高", Kind.POINTS_UP, Decimal("0.05"), 2),
        ("2个百分点", "比上年下降", Kind.POINTS_DOWN, 2, 0),
        ("1.0百分点", "比上年提高", Kind.POINTS_UP, 1, 1),
    ],
)
def test_points_forms(written, qualifier, kind, value, decimals):
    fig = parse_figure(written, qualifier)
    assert (fig.kind, fig.value, fig.decimals, fig.unit) == (kind, value, decimals, "个百分点")


def test_points_need_the_points_form():
    with pytest.raises(W.FigureError, match="个百分点"):
        parse_figure("0.05%", "比上年提高")


@pytest.mark.parametrize(
    "written, previous, current, expected",
    [
        # 99.85% -> 99.90%: exact change 0.0502 points rounds to 0.05
        ("0.05个百分点", (6657, 6667), (7005, 7012), True),
        ("0.06个百分点", (6657, 6667), (7005, 7012), False),
        # exact change 0.042 rounds to 0.04, but the published rates 99.45% and 99.50% differ by 0.05:
        # offices subtract the published rates, so both are accepted
        ("0.05个百分点", (99454, 100000), (99496, 100000), True),
        ("0.04个百分点", (99454, 100000), (99496, 100000), True),
        ("0.03个百分点", (99454, 100000), (99496, 100000), False),
        ("1个百分点", (90, 100), (91, 100), True),
        ("1个百分点", (91, 100), (90, 100), False),  # it fell: 提高 does not hold
    ],
)
def test_check_points_up(written, previous, current, expected):
    assert W.check_points(parse_figure(written, "比上年提高"), previous, current) is expected


def test_check_points_down_and_zero_base():
    assert W.check_points(parse_figure("1个百分点", "比上年下降"), (91, 100), (90, 100))
    with pytest.raises(W.NotComputable):
        W.check_points(parse_figure("1个百分点", "比上年下降"), (0, 0), (90, 100))


@pytest.mark.parametrize("written, rank", [("第3", 3), ("位列全县第3", 3), ("第三名", 3), ("排名第12位", 12)])
def test_rank_forms(written, rank):
    fig = parse_figure(written)
    assert (fig.kind, fig.value) == (Kind.RANK, rank) and fig.universal
    assert W.check_rank(fig, {"行政检查规范率": rank}) and not W.check_rank(fig, {"行政检查规范率": rank + 1})
    assert parse_figure("第一").kind == Kind.RANK_FIRST  # first keeps its own form
    with pytest.raises(W.NotComputable):
        W.check_rank(fig, {})


def test_a_categorical_claim_holds_on_one_matching_row():
    fig = parse_figure("全国民主法治示范社区", "有记录")
    assert fig.kind == Kind.PRESENT and not fig.universal
    assert W.check_count(fig, 1) and W.check_count(fig, 2) and not W.check_count(fig, 0)
    assert "至少有 1 行" in fig.describe_zh()
    with pytest.raises(W.FigureError):
        parse_figure("", "有记录")


@pytest.mark.parametrize("written", ["90件", "9个法治示范点", "三个示范点"])
def test_a_claim_with_a_number_cannot_be_judged_by_presence(written):
    with pytest.raises(W.FigureError, match="不带数字"):
        parse_figure(written, "有记录")


def test_points_keep_their_direction():
    # 99.85% -> 99.90%: it rose, so 下降0个百分点 (rounded to 0) is not what happened
    assert not W.check_points(parse_figure("0个百分点", "比上年下降"), (6657, 6667), (7005, 7012))
