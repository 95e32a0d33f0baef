"""lawreport.ledgers.personal: the personal-data shapes shared by the clean step (N207) and the publishing scan."""

from __future__ import annotations

import datetime as dt

import pytest

from lawreport.appendix import scan
from lawreport.ledgers import personal as P


def with_check(first17: str) -> str:
    return first17 + P.id_check_digit(first17)


def luhn_number(prefix: str) -> str:
    return next(prefix + d for d in "0123456789" if P.luhn_ok(prefix + d))


ADULT_ID = with_check("11010519491231002")


def test_the_publishing_scan_uses_the_same_patterns():
    assert scan.ID_NUMBER is P.ID_NUMBER and scan.MOBILE is P.MOBILE and scan.LANDLINE is P.LANDLINE
    assert scan.id_check_digit is P.id_check_digit


@pytest.mark.parametrize(
    ("text", "masked", "labels"),
    [
        (f"身份证{ADULT_ID}", "身份证[已遮蔽:身份证号]", {"身份证号": 1}),
        (f"身份证{ADULT_ID[:17]}x", "身份证[已遮蔽:身份证号]", {"身份证号": 1}),
        ("老证 110105491231002 已换", "老证 [已遮蔽:身份证号] 已换", {"身份证号": 1}),
        ("电话13912345678", "电话[已遮蔽:电话]", {"电话": 1}),
        ("电话１３９１２３４５６７８", "电话[已遮蔽:电话]", {"电话": 1}),
        ("139-1234-5678 或 +86 139 1234 5678", "[已遮蔽:电话] 或 [已遮蔽:电话]", {"电话": 2}),
        ("座机0571-88889999转、(023)7451 2345", "座机[已遮蔽:电话]转、[已遮蔽:电话]", {"电话": 2}),
        (f"卡号{luhn_number('622202123456789')}", "卡号[已遮蔽:银行卡号]", {"银行卡号": 1}),
        ("发至 li.si+x@mail.example.cn 。", "发至 [已遮蔽:电子邮箱] 。", {"电子邮箱": 1}),
    ],
)
def test_shapes_are_masked_and_the_rest_of_the_text_kept(text, masked, labels):
    assert P.mask_personal(text) == (masked, labels)


@pytest.mark.parametrize(
    "text",
    [
        "500231900001",  # 12-digit 区划代码
        "GD2025010100001",  # ticket number: letters touch the digits
        "JCZZ202500001",
        "2025-03-05 至 2025-12-31",
        "罚款 1,200元，共 35 人次",
        ADULT_ID[:17] + ("0" if ADULT_ID[17] != "0" else "1"),  # wrong check digit
        "990101800101001",  # 15 digits, no such province
        "6222021234567890",  # 16 digits failing Luhn
        "第13912345678901号",  # 14 digits: not a mobile inside a longer number
        "人民路 12 号",
    ],
)
def test_what_is_not_personal(text):
    assert P.find_personal(text) == []


def test_birth_dates_must_be_real_and_past():
    assert P.is_id_number(ADULT_ID)
    assert not P.is_id_number(with_check("11010520300101001"))  # born in 2030
    assert not P.is_id_number(with_check("11010518991231001"))  # before 1900
    assert not P.is_id_number(with_check("11010519490230001"))  # 30 February
    serial = with_check("33010220250305000")  # region + a date of the report year + sequence
    assert P.is_id_number(serial, today=dt.date(2026, 12, 31))
    assert not P.is_id_number(serial, today=dt.date(2026, 12, 31), born_by=dt.date(2009, 12, 31))


def test_ids_only_leaves_phones_and_cards_alone():
    text = f"13912345678/{ADULT_ID}"
    masked, found = P.mask_personal(text, ids_only=True, mask=lambda label, value: f"<{label}:{len(value)}>")
    assert masked == "13912345678/<身份证号:18>" and found == {"身份证号": 1}
