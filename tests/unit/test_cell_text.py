"""values.py text rules shared by every parser: invisible characters and Excel error literals."""

from __future__ import annotations

import pytest

from lawreport.ledgers import values as V

INVISIBLE = "\u00ad\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"


def test_every_invisible_character_is_removed_by_every_parser():
    assert V.strip_invisible(f"天{INVISIBLE}宝社区") == "天宝社区"
    assert V.invisible_in("a\u200bb\ufeff") == ["\u200b", "\ufeff"]
    assert V.invisible_in("plain ascii") == [] and V.strip_invisible("plain") == "plain"
    assert V.parse_text("天宝社区\u200b") == "天宝社区"
    assert V.parse_code("\ufeffXF-2025-001\u200b") == "XF-2025-001"
    assert V.parse_category("来\u200d访", ("来信", "来访")) == "来访"
    assert V.parse_int("1\u200b2件") == 12
    assert V.parse_date("2025-03-05\u200e").isoformat() == "2025-03-05"
    assert V.parse_flag("是\u2060") is True
    assert V.parse_phone("138\u200b0013\u20608000") == "13800138000"
    assert V.is_empty("\u200b\u200b") and V.is_empty("\ufeff —")


def test_visible_format_characters_are_kept():
    # Ideographic space and ordinary spaces are folded, not counted as invisible; CJK text is kept.
    assert V.invisible_in("天宝\u3000社区 x") == []
    assert V.parse_text("天宝\u3000社区") == "天宝 社区"


@pytest.mark.parametrize(
    "text", ["#N/A", " #n/a ", "＃Ｎ／Ａ", "#DIV/0!", "#REF!", "#VALUE!", "#NAME?", "#GETTING_DATA"]
)
def test_excel_error_literals(text):
    assert V.excel_error(text) is not None


@pytest.mark.parametrize("value", ["N/A", "#1号楼", "#", "无", 3, None, "#N/A 待补"])
def test_not_excel_error_literals(value):
    assert V.excel_error(value) is None
