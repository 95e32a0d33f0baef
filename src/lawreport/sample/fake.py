"""Obviously-fake personal data for the synthetic sample ledgers.

Every value is drawn from a ``random.Random`` passed in by the caller, so output is reproducible.
The values are deliberately recognisable as fake:

* ID numbers use region codes starting with "99" (no such province exists) but carry a valid
  birth date and a valid GB 11643-1999 check digit, so validators accept them;
* mobiles are "1700000" + 4 digits and landlines "023-7000" + 4 digits;
* addresses are on "样例路" (sample road).
"""

from __future__ import annotations

import datetime as dt
import random

SURNAMES: tuple[str, ...] = (
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "黄",
    "赵",
    "吴",
    "周",
    "徐",
    "孙",
    "马",
    "朱",
    "胡",
    "郭",
    "何",
    "林",
    "罗",
    "高",
    "郑",
    "梁",
    "谢",
    "唐",
    "许",
    "冯",
    "宋",
    "韩",
    "邓",
    "彭",
    "曾",
    "肖",
    "田",
    "袁",
    "蒋",
    "潘",
    "余",
    "杜",
    "戴",
    "夏",
    "钟",
    "汪",
    "任",
    "姚",
    "谭",
    "廖",
    "邹",
    "熊",
    "秦",
    "向",
)
GIVEN_CHARS: tuple[str, ...] = tuple(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红亮建国志文斌波辉鹏宇浩凯晨欣怡佳雪梅"
    "林琳婷燕春燕兵德福贵荣海云飞龙雨婧成俊"
)

# GB 11643-1999: weights of the first 17 digits and the check-character table (indexed by sum mod 11).
ID_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"

FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")

ISSUES: tuple[str, ...] = (
    "小区物业服务不到位，电梯长期故障无人维修",
    "邻居违规搭建雨棚影响采光",
    "在工地务工被拖欠工资两个月",
    "楼下餐馆油烟噪音扰民",
    "承包地边界与邻组存在争议",
    "房屋漏水与开发商协商未果",
    "门口道路破损雨天积水",
    "小区周边占道经营影响通行",
    "办理养老保险转移接续遇到困难",
    "安置房产权证迟迟未办理",
    "广场舞音量过大影响休息",
    "垃圾清运不及时产生异味",
)


def id_check_digit(first17: str) -> str:
    """Return the GB 11643 check character ("0"-"9" or "X") for the first 17 digits of an ID."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError(f"expected 17 digits, got {first17!r}")
    total = sum(int(ch) * w for ch, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def fake_name(rng: random.Random) -> str:
    """A random surname plus one or two given-name characters."""
    given_len = 1 if rng.random() < 0.3 else 2
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN_CHARS) for _ in range(given_len))


def fake_birth_date(rng: random.Random, first_year: int = 1950, last_year: int = 2005) -> dt.date:
    """A valid calendar date between 1 Jan ``first_year`` and 31 Dec ``last_year``."""
    start = dt.date(first_year, 1, 1).toordinal()
    end = dt.date(last_year, 12, 31).toordinal()
    return dt.date.fromordinal(rng.randint(start, end))


def fake_id_number(rng: random.Random, first_year: int = 1950, last_year: int = 2005) -> str:
    """An 18-character ID number: region "99xxxx", valid birth date, sequence, valid check digit."""
    region = "99" + f"{rng.randint(0, 9999):04d}"
    birth = fake_birth_date(rng, first_year, last_year).strftime("%Y%m%d")
    first17 = region + birth + f"{rng.randint(0, 999):03d}"
    return first17 + id_check_digit(first17)


def fake_mobile(rng: random.Random) -> str:
    """A mobile number "1700000" + 4 digits (the 170 0000 block is used only as a sample here)."""
    return f"1700000{rng.randint(0, 9999):04d}"


def fake_landline(rng: random.Random) -> str:
    """A landline "023-7000" + 4 digits."""
    return f"023-7000{rng.randint(0, 9999):04d}"


def fake_phone(rng: random.Random, landline_share: float = 0.15) -> str:
    """A mobile, or sometimes a landline."""
    return fake_landline(rng) if rng.random() < landline_share else fake_mobile(rng)


def fullwidth_digits(text: str) -> str:
    """Replace ASCII digits by full-width digits (as some typists produce)."""
    return text.translate(FULLWIDTH_DIGITS)


def fake_address(rng: random.Random) -> str:
    """A "样例路N号" style address, sometimes with a building and flat."""
    road = f"样例{rng.choice('一二三四五六七八九')}路{rng.randint(1, 399)}号"
    if rng.random() < 0.6:
        road += f"{rng.randint(1, 30)}栋{rng.randint(1, 33)}-{rng.randint(1, 8)}"
    return road


def complaint_narrative(rng: random.Random, name: str, phone: str, issue: str | None = None) -> str:
    """A short complaint text that embeds the (fake) name and phone, as real complaint texts do."""
    issue = issue or rng.choice(ISSUES)
    templates = (
        "{name}来电反映：{issue}，希望相关部门尽快处理，联系电话{phone}。",
        "群众{name}（电话{phone}）反映{issue}，请求协调解决。",
        "{name}称{issue}，多次沟通无果，要求给予答复。回访电话：{phone}",
        "诉求人{name}，{phone}。反映：{issue}。",
    )
    return rng.choice(templates).format(name=name, phone=phone, issue=issue)


def event_narrative(rng: random.Random, place: str, name: str | None = None, phone: str | None = None) -> str:
    """A short grid-event description; sometimes names the person involved and their phone."""
    issue = rng.choice(ISSUES)
    if name and phone:
        return f"{place}{name}（{phone}）反映{issue}，已现场了解情况。"
    return f"{place}发现{issue}，已上报网格。"
