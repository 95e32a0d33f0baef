"""The explicit value rules: each accepted form, and each rejected one with its code."""

import datetime as dt

import pytest

from lawreport.ledgers import values as V


@pytest.mark.parametrize(
    "raw, expected",
    [
        (dt.datetime(2025, 3, 5), dt.date(2025, 3, 5)),
        (45721, dt.date(2025, 3, 5)),
        (45721.0, dt.date(2025, 3, 5)),
        ("45721", dt.date(2025, 3, 5)),
        ("2025-03-05", dt.date(2025, 3, 5)),
        ("2025/3/5", dt.date(2025, 3, 5)),
        ("2025.3.5", dt.date(2025, 3, 5)),
        ("2025年3月5日", dt.date(2025, 3, 5)),
        ("２０２５年３月５日", dt.date(2025, 3, 5)),
        ("2025-03-05 14:22:10", dt.date(2025, 3, 5)),
        (" 2025-03-05 ", dt.date(2025, 3, 5)),
    ],
)
def test_dates_in_every_office_style(raw, expected):
    assert V.parse_date(raw) == expected


@pytest.mark.parametrize(
    "raw, code",
    [("2025-02-30", "R102"), ("2025年13月1日", "R102"), ("三月五日", "R101"), (12, "R101"), ("2025-3", "R101")],
)
def test_bad_dates_are_reported(raw, code):
    with pytest.raises(V.ValueProblem) as info:
        V.parse_date(raw)
    assert info.value.code == code


@pytest.mark.parametrize(
    "raw, expected", [(3, 3), (3.0, 3), ("3件", 3), ("１２", 12), ("12人次", 12), ("1,200", 1200), (" 7 ", 7)]
)
def test_counts(raw, expected):
    assert V.parse_int(raw) == expected


@pytest.mark.parametrize(
    "raw, code", [("三", "R118"), ("十二", "R118"), ("3.5", "R104"), ("abc", "R104"), (2.5, "R104"), (True, "R104")]
)
def test_bad_counts(raw, code):
    with pytest.raises(V.ValueProblem) as info:
        V.parse_int(raw)
    assert info.value.code == code


@pytest.mark.parametrize("raw, expected", [("1,200元", 1200.0), ("1200.00", 1200.0), (50, 50.0), ("-5", -5.0)])
def test_amounts(raw, expected):
    assert V.parse_amount(raw) == expected


def test_amount_in_wan_yuan_is_reported_not_guessed():
    with pytest.raises(V.ValueProblem):
        V.parse_amount("2万元")


@pytest.mark.parametrize("raw", [None, "", " ", "\u3000", "—", "-", "/", "无"])
def test_empty_markers(raw):
    assert V.is_empty(raw)


@pytest.mark.parametrize("raw", ["NA", "None", "0", 0, "N/A"])
def test_literal_na_and_none_are_values_not_missing(raw):
    assert not V.is_empty(raw)


def test_categories_fold_spaces_and_width_and_suggest_the_closest():
    allowed = ("来信", "来访", "村(社区)工作人员")
    assert V.parse_category(" 来访\u3000", allowed) == "来访"
    assert V.parse_category("村（社区）工作人员", allowed) == "村(社区)工作人员"
    for raw in ("來訪", "NA", "None", "来访x"):
        with pytest.raises(V.ValueProblem) as info:
            V.parse_category(raw, allowed)
        assert info.value.code == "R108"
    with pytest.raises(V.ValueProblem) as info:
        V.parse_category("來訪", allowed)
    assert "来访" in info.value.detail


@pytest.mark.parametrize(
    "raw, expected", [("是", True), ("√", True), ("✓", True), ("Y", True), ("否", False), ("×", False), (0, False)]
)
def test_flags(raw, expected):
    assert V.parse_flag(raw) is expected


def _valid_id(first17: str) -> str:
    return first17 + V.id_check_digit(first17)


def test_id_numbers():
    good = _valid_id("99010119800101001")
    assert V.parse_id_number(good) == good
    assert V.parse_id_number(good.lower()) == good.upper()
    assert V.parse_id_number("".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in good)) == good  # full-width
    cases = {
        "R111": [1.10105e17, "1.10105E+17"],
        "R113": ["990101800101001"],
        "R110": ["99010119800101", "9901011980010100AB"],
        "R112": [good[:17] + ("0" if good[17] != "0" else "1")],
        "R114": [_valid_id("99010120990101001"), _valid_id("99010119800230001")],
    }
    for code, raws in cases.items():
        for raw in raws:
            with pytest.raises(V.ValueProblem) as info:
                V.parse_id_number(raw, today=dt.date(2026, 1, 1))
            assert info.value.code == code, raw


def test_check_digit_x():
    # A check digit of X, written lower-case, is accepted and upper-cased.
    first17 = next(f"99010119800101{i:03d}" for i in range(1000) if V.id_check_digit(f"99010119800101{i:03d}") == "X")
    assert V.parse_id_number(first17 + "x") == first17 + "X"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("17000001234", "17000001234"),
        ("１７０００００１２３４", "17000001234"),
        ("023-70001234", "02370001234"),
        (17000001234.0, "17000001234"),
    ],
)
def test_phones(raw, expected):
    assert V.parse_phone(raw) == expected


@pytest.mark.parametrize("raw", ["1700000123", "12345", "2370001234"])
def test_bad_phones(raw):
    with pytest.raises(V.ValueProblem) as info:
        V.parse_phone(raw)
    assert info.value.code == "R115"


def test_codes_keep_leading_zeros():
    assert V.parse_code("007") == "007"
    assert V.parse_code(" ＸＦ2025-001 ") == "XF2025-001"
