"""Generate the synthetic sample ledgers (样例数据，合成) under data/raw/<year>/.

No real ledgers (台账) are public, so the repository ships synthetic ones that look like real office
files: a merged title row, a 填报单位 line, one- or two-level headers, a 序号 column, a footer, blank
rows, copy-paste duplicates and mixed cell styles (dates, counts, flags), plus two GB18030 platform
CSV exports. Everything is derived from the ledger specs in ``lawreport.ledgers`` (headers, sheet
names, file names, vocabularies) and from seeded ``random.Random`` instances, so the output,
including the .xlsx bytes, is identical on every run.

``--scale k`` (for benchmarks, see ``lawreport.bench.scale``) writes k times the rows: every ledger
that records events, cases or people holds k independently seeded copies of its year (copy 0 is the
1x ledger itself, so ``--scale 1`` writes exactly the committed files); the ledgers that describe
the unit itself (``FIXED_TABLES``) keep their 1x rows. Copies get keys of their own (``-c`` suffix
on codes, their own mobile block, re-drawn ID numbers), so every rule of the cleaner and of the
validation still holds; the figures no longer match the 1x report text, which is expected.

Usage::

    python -m lawreport.sample.generator --out data/raw [--year 2025] [--scale 10]
"""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import hashlib
import io
import random
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from lawreport.ledgers import ALL_LEDGERS, Column, Ledger, get_ledger
from lawreport.ledgers.manifest import split_unit
from lawreport.sample import fake

DEFAULT_UNIT = "垫江县桂阳街道"
DEFAULT_YEARS: tuple[int, ...] = (2021, 2022, 2023, 2024, 2025, 2026)
FULL_DETAIL_FROM = 2024  # from this year on every ledger is generated
EARLY_TABLES: frozenset[str] = frozenset(
    {"petitions", "escalated_petitions", "law_exams", "street_incidents", "case_records"}
)
MANIFEST_NAME = "MANIFEST.yaml"
MANIFEST_NOTE = "样例数据(合成)，非真实台账 / synthetic sample ledgers, not real office data"
GENERATOR_NAME = "lawreport.sample.generator"
CREATOR = "lawreport sample generator"
ZIP_DATE_TIME = (2020, 1, 1, 0, 0, 0)
EXCEL_EPOCH = dt.date(1899, 12, 30)
ROWS_PER_BLANK = (150, 250)  # a stray blank row inside the data about this often (big ledgers)
BIG_LEDGER_ROWS = 300  # ledgers with at least this many rows get stray blank rows
# Exact copy-paste duplicate rows (in addition to the target counts) in full-detail years.
DUPLICATE_ROWS: dict[str, int] = {"dispute_screening": 2, "publicity_events": 1, "penalty_cases": 1, "road_office": 1}
# --scale k: ledgers that describe the unit itself, or a fixed grid, keep their 1x rows (a k-times
# bigger unit still has one list of its villages, one 12 x 9 incident grid, one county ranking).
FIXED_TABLES: frozenset[str] = frozenset(
    {
        "demonstration_units",
        "villages",
        "patrol_cars",
        "police_stations",
        "mediation_orgs",
        "street_incidents",
        "county_comparison",
    }
)
# Columns that hold another ledger's key: a copy rewrites them as it rewrites that key.
KEY_REFERENCES: dict[str, tuple[str, ...]] = {"steward_reports": ("steward_no",)}
SAMPLE_MOBILE_BLOCK = "1700000"  # fake.fake_mobile; copy c of a scaled ledger uses "170" + c (4 digits)

Row = dict[str, Any]
CellValue = tuple[Any, str | None]  # (value, number_format or None)
T = TypeVar("T")

# --------------------------------------------------------------------------------------------
# Targets per year. Values for a year outside the table fall back to the nearest year present.
# 2026 is the next cycle of the sample unit (its report text is data/raw/2026/report.txt): some
# figures up, some down, rates below 100%, one county rank that is not first, and the 2025
# report's 下一步 commitments made checkable where a ledger column exists: 每月推送普法资讯不少于4条
# (publicity_events 进网络 by month; not met, February has 3) and 打造2~3个示范点 (demonstration_units
# named in 2026; met). No ledger records trainings, 普法阵地检查, 碰头会 or 专项督查.
# Whatever 2026 adds is drawn from generators of its own, so 2021-2025 stay byte-identical.
# --------------------------------------------------------------------------------------------

STUDY_MIX = {2024: (5, 2, 4), 2025: (6, 2, 4), 2026: (8, 3, 4)}  # 专题学法, 领导干部法治专题讲座, 集中学习
EXAM_PEOPLE = {2021: 58, 2022: 60, 2023: 63, 2024: 65, 2025: 68, 2026: 72}
PUBLICITY = {  # events (all venues), materials, people
    2024: (49, 46_100, 71_300),
    2025: (56, 53_420, 79_860),
    2026: (94, 61_240, 103_560),
}
# 2026: 普法资讯 pushed online (七进类别 进网络, no materials handed out) per month, January first. The
# 2025 report promised 每月推送普法资讯不少于4条; February (春节) falls short on purpose.
ONLINE_POSTS: dict[int, tuple[int, ...]] = {2026: (4, 3, 4, 5, 4, 4, 4, 4, 5, 4, 4, 5)}
LECTURES = {2024: 29, 2025: 34, 2026: 41}
PETITIONS = {  # rows, evaluated rows, satisfied (满意+基本满意) among evaluated, late closes
    2021: (64, 50, 44, 3),  # 88%
    2022: (60, 50, 45, 2),  # 90%
    2023: (58, 50, 46, 2),  # 92%
    2024: (55, 50, 47, 1),  # 94%
    2025: (51, 50, 49, 0),  # 98%
    2026: (47, 46, 46, 1),  # 100%; one late close (按期办结率 46/47)
}
ESCALATED: dict[int, tuple[tuple[str, int], ...]] = {2021: (("到市集访", 6), ("进京上访", 1))}
MEDIATORS = {2024: (5, 70, 1), 2025: (5, 75, 1), 2026: (6, 82, 1)}  # 专职调解员, 法律明白人, 法律顾问
# The pool the year-independent roster draws (the largest team up to 2025); people beyond it (2026)
# come from a generator of their own, so the earlier rosters keep their bytes.
MEDIATOR_POOL = (5, 75, 1)
ADVISER = {  # consult people, consult rows, (drafting rows, items), (contract rows, items),
    # (aid cases, amount recovered), lectures, litigation, mediation
    2024: (260, 36, (3, 4), (6, 15), (4, 218_000), 4, 2, 4),
    2025: (318, 42, (4, 5), (8, 20), (6, 352_600), 5, 3, 5),
    2026: (412, 48, (5, 7), (9, 23), (7, 418_500), 6, 4, 7),
}
DISPUTES = {
    2024: (6214, 14, 31, 12),
    2025: (6667, 10, 36, 14),
    2026: (7012, 7, 41, 15),
}  # rows, unresolved, 家理 major, other major
STEWARD_REPORTS = {2024: 560, 2025: 847, 2026: 1032}
STEWARDS_RECRUITED_LATER = {2026: 88}  # recruits after the 2024/2025 roster, by year
STREET_TOTALS = {2021: 1620, 2022: 1544, 2023: 1418, 2024: 1300, 2025: 685, 2026: 640}
CASES = {  # 未成年人犯罪, 扒窃, 盗窃机动车, 在校学生非正常死亡
    2021: (31, 6, 3, 0),
    2022: (30, 5, 2, 0),
    2023: (28, 4, 1, 1),
    2024: (25, 3, 1, 0),
    2025: (13, 0, 0, 0),
    2026: (11, 0, 0, 0),
}
ENFORCEMENT = {2024: (13, 12), 2025: (14, 14), 2026: (15, 15)}  # officers, active
PLATFORM = {
    2024: (280, 10, 0),
    2025: (327, 15, 3),
    2026: (356, 18, 2),
}  # 网格上报, other sources, 处置中 (other sources)
JOINT = {2024: (7, 11), 2025: (9, 15), 2026: (11, 17)}  # 牵头, 参与
ENTERPRISE = {2024: (290, 0), 2025: (341, 1), 2026: (395, 3)}  # checks, not scanned
ADMIN = {2024: (460, 2), 2025: (506, 1), 2026: (548, 2)}  # inspections, not compliant
PENALTY = {  # filed, open, fines total, fined cases
    2024: (352, 2, 18_650, 26),
    2025: (390, 1, 20_400, 28),
    2026: (431, 3, 23_850, 31),
}
FINES_ON_CLOSED_FROM = 2026  # from this year only closed cases carry a fine (罚没 counts closed cases)
PROPOSALS = {2024: 9, 2025: 8, 2026: 10}
HOTLINE = {2024: 301, 2025: 326, 2026: 338}
ROAD_OFFICE = {2024: 4105, 2025: 4243, 2026: 4400}
ROAD_OFFICE_UNRESOLVED = {2024: 12, 2025: 9, 2026: 11}  # resolved: 4,093 + 4,234 = 8,327 (8300多); 2026: 4,389
# Our unit's published indicator values and ranks (indicator order = the spec's vocabulary).
COUNTY = {
    2024: ((13, 92.3, 460, 352, 350, 99.6, 18_650), (1, 2, 1, 1, 1, 2, 2)),
    2025: ((14, 100, 506, 390, 389, 99.7, 20_400), (1, 1, 1, 1, 1, 1, 1)),
    2026: ((15, 100, 548, 431, 428, 99.6, 23_850), (1, 1, 1, 1, 1, 3, 1)),  # 规范率 第3
}
PATROL_CARS_FROM = 2025
PATROL_CARS_UNTIL = 2025  # one batch, delivered in 2025; later years deliver none
POLICE_STATIONS_FROM = 2025

# Generic (invented) names. The four real communities named in the 2025 report come first.
VILLAGE_BASE: tuple[tuple[str, str], ...] = (
    ("天宝社区", "社区"),
    ("西湖社区", "社区"),
    ("文毕社区", "社区"),
    ("天马社区", "社区"),
    ("东风社区", "社区"),
    ("新华社区", "社区"),
    ("和平社区", "社区"),
    ("光明村", "村"),
    ("红旗村", "村"),
    ("向阳村", "村"),
    ("团结村", "村"),
    ("胜利村", "村"),
    ("长兴村", "村"),
    ("石桥村", "村"),
    ("双河村", "村"),
)
OFFICES = (
    "党政办",
    "司法所",
    "平安办",
    "综治中心",
    "信访办",
    "经济发展办",
    "社会事务办",
    "城市管理办",
    "综合行政执法大队",
)
SCHOOLS = ("城东小学", "城南小学", "实验小学", "第三中学", "第五中学", "职业教育中心", "城北幼儿园")
ROADS = ("南阳大道", "人民路", "东环路", "解放路", "新华路", "滨河路", "文化路", "建设路", "育才路", "东风路")
BUSINESS_WORDS = ("鑫源", "顺达", "恒发", "永利", "华兴", "金桥", "宏盛", "瑞丰", "嘉禾", "新锐", "佳美", "福临")
BUSINESS_KINDS = (
    "餐饮店",
    "超市",
    "汽修厂",
    "建材经营部",
    "五金店",
    "商贸有限公司",
    "物业服务有限公司",
    "火锅店",
    "药房",
)
EVENT_TYPES = (
    "占道经营",
    "乱堆乱放",
    "违规停车",
    "垃圾堆放",
    "道路破损",
    "违规搭建",
    "噪音扰民",
    "油烟污染",
    "井盖缺失",
    "路灯损坏",
    "违规广告",
    "绿化损毁",
)
VIOLATIONS = (
    "占道经营",
    "违规设置户外广告",
    "乱扔垃圾",
    "未按规定倾倒建筑垃圾",
    "违规停放车辆",
    "擅自占用城市绿地",
    "店外经营",
    "噪声扰民",
    "未履行门前三包责任",
)


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _by_year(table: dict[int, T], year: int) -> T:
    """The entry for ``year``, or for the nearest year in the table."""
    if year in table:
        return table[year]
    return table[min(table, key=lambda y: (abs(y - year), -y))]


def _rand_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return dt.date.fromordinal(rng.randint(start.toordinal(), end.toordinal()))


def _rand_dates(rng: random.Random, n: int, start: dt.date, end: dt.date) -> list[dt.date]:
    return sorted(_rand_date(rng, start, end) for _ in range(n))


def _rand_datetime(rng: random.Random, day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, rng.randint(8, 19), rng.randint(0, 59), rng.randint(0, 59))


def split_total(rng: random.Random, total: int, n: int, lo: int, hi: int, step: int = 1) -> list[int]:
    """``n`` random integers in [lo, hi], multiples of ``step``, summing exactly to ``total``."""
    if n == 0:
        if total:
            raise ValueError("cannot split a non-zero total into zero parts")
        return []
    if total % step:
        raise ValueError(f"total {total} is not a multiple of step {step}")
    units, lo_u, hi_u = total // step, -(-lo // step), hi // step
    if not n * lo_u <= units <= n * hi_u:
        raise ValueError(f"cannot split {total} into {n} parts within [{lo}, {hi}]")
    values = [lo_u] * n
    rest = units - n * lo_u
    weights = [rng.random() + 0.2 for _ in range(n)]
    wsum = sum(weights)
    for i, w in enumerate(weights):
        add = min(int(rest * w / wsum), hi_u - lo_u)
        values[i] += add
    rest = units - sum(values)
    while rest > 0:
        i = rng.randrange(n)
        if values[i] < hi_u:
            values[i] += 1
            rest -= 1
    return [v * step for v in values]


def allocate(rng: random.Random, total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` proportionally to ``weights`` (largest remainder, ties broken by position)."""
    wsum = sum(weights)
    exact = [total * w / wsum for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _business(rng: random.Random) -> str:
    return rng.choice(BUSINESS_WORDS) + rng.choice(BUSINESS_KINDS)


@dataclass(frozen=True)
class Context:
    """What every builder needs: the year, the unit, and seeded random sources."""

    year: int
    unit: str
    copy: int = 0  # --scale: which copy of the year's ledgers (0 = the 1x sample itself)

    @property
    def county(self) -> str:
        return split_unit(self.unit)[0]

    @property
    def short(self) -> str:
        return split_unit(self.unit)[1]

    @property
    def office(self) -> str:
        return f"{self.short}办事处"

    @property
    def villages(self) -> list[str]:
        return [name for name, _ in VILLAGE_BASE]

    def _seed(self, seed: str) -> str:
        return seed if self.copy == 0 else f"{seed}-copy{self.copy}"

    def rng(self, purpose: str) -> random.Random:
        """A generator seeded by unit, year and purpose (one per ledger, so ledgers are independent)."""
        return random.Random(self._seed(f"{self.unit}-{self.year}-{purpose}"))

    def base_rng(self, purpose: str) -> random.Random:
        """A year-independent generator, for rosters that persist across years."""
        return random.Random(self._seed(f"{self.unit}-{purpose}"))

    def start(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    def end(self) -> dt.date:
        return dt.date(self.year, 12, 31)


# --------------------------------------------------------------------------------------------
# Builders: one per ledger, returning logical rows {column name: value}
# --------------------------------------------------------------------------------------------

STUDY_TOPICS: dict[str, tuple[str, ...]] = {
    "专题学法": (
        "习近平法治思想专题学习",
        "《中华人民共和国宪法》专题学习",
        "《中华人民共和国民法典》专题学习",
        "《信访工作条例》专题学习",
        "《中华人民共和国行政处罚法》专题学习",
        "《中华人民共和国安全生产法》专题学习",
        "《重庆市矛盾纠纷多元化解条例》专题学习",
    ),
    "领导干部法治专题讲座": ("依法行政与法治政府建设专题讲座", "行政复议与行政应诉专题讲座", "基层治理法治化专题讲座"),
    "集中学习": (
        "中央全面依法治国工作会议精神",
        "法治政府建设实施纲要",
        "市委依法治市工作会议精神",
        "党内法规集中学习",
        "《中华人民共和国保守国家秘密法》集中学习",
    ),
}


def build_study_sessions(ctx: Context, ledger: Ledger) -> list[Row]:
    rng = ctx.rng(ledger.table)
    allowed = ledger.column("session_type").allowed
    mix = _by_year(STUDY_MIX, ctx.year)
    types = [t for t, k in zip(allowed, mix, strict=True) for _ in range(k)]
    rng.shuffle(types)
    dates = _rand_dates(rng, len(types), dt.date(ctx.year, 1, 10), dt.date(ctx.year, 12, 20))
    sizes = {"专题学法": (18, 30), "领导干部法治专题讲座": (40, 120), "集中学习": (20, 35)}
    return [
        {
            "session_id": f"ZXZ{ctx.year}-{i:02d}",
            "session_date": d,
            "session_type": t,
            "topic": rng.choice(STUDY_TOPICS[t]),
            "attendees": rng.randint(*sizes[t]),
        }
        for i, (d, t) in enumerate(zip(dates, types, strict=True), start=1)
    ]


def build_law_exams(ctx: Context, ledger: Ledger) -> list[Row]:
    rng = ctx.rng(ledger.table)
    types = ledger.column("staff_type").allowed
    n = _by_year(EXAM_PEOPLE, ctx.year)
    kinds = sorted(rng.choices(range(len(types)), weights=(4, 4, 2))[0] for _ in range(n))
    seen: set[str] = set()
    rows: list[Row] = []
    for k in kinds:
        idn = fake.fake_id_number(rng, 1962, 2001)
        while idn in seen:
            idn = fake.fake_id_number(rng, 1962, 2001)
        seen.add(idn)
        work_unit = rng.choice(OFFICES) if k == 0 else rng.choice(ctx.villages)
        rows.append(
            {
                "staff_name": fake.fake_name(rng),
                "staff_id_number": idn,
                "work_unit": work_unit,
                "staff_type": types[k],
                "sat_exam": True,
                "score": rng.randint(62, 98),
                "passed": True,
            }
        )
    return rows


PUBLICITY_THEMES = (
    "民法典",
    "反电信网络诈骗",
    "禁毒",
    "未成年人保护法",
    "信访工作条例",
    "安全生产法",
    "消防安全",
    "防范非法集资",
    "反家庭暴力法",
    "食品安全法",
    "劳动合同法",
    "道路交通安全法",
)


def _venue_location(rng: random.Random, ctx: Context, venue: str) -> str:
    communities = [n for n, t in VILLAGE_BASE if t == "社区"]
    villages = [n for n, t in VILLAGE_BASE if t == "村"]
    return {
        "进机关": ctx.office,
        "进乡村": rng.choice(villages),
        "进社区": rng.choice(communities + ["天马社区法治文化广场", "牡丹湖公园", "月阳文化广场"]),
        "进学校": rng.choice(SCHOOLS),
        "进企业": _business(rng),
        "进单位": rng.choice(("辖区卫生院", "辖区供电所", "辖区派出所", "辖区市场监管所")),
        "进网络": rng.choice(("街道微信公众号", "居民微信群", "街道视频号")),
    }[venue]


def _publicity_theme(rng: random.Random, d: dt.date) -> str:
    if (d.month, d.day) == (4, 15):
        return "“4·15”全民国家安全教育日"
    if (d.month, d.day) == (12, 4):
        return "“12·4”国家宪法日"
    return rng.choice(PUBLICITY_THEMES)


def _publicity_with_online_posts(ctx: Context, ledger: Ledger) -> list[Row]:
    """A year with ONLINE_POSTS: the online posts month by month (进网络, no materials) and the
    other events on the six other venues, materials split over those only."""
    rng = ctx.rng(ledger.table)
    n, materials_total, people_total = _by_year(PUBLICITY, ctx.year)
    per_month = ONLINE_POSTS[ctx.year]
    offline_n = n - sum(per_month)
    offline_dates = _rand_dates(rng, offline_n - 2, dt.date(ctx.year, 1, 8), dt.date(ctx.year, 12, 26))
    offline_dates += [dt.date(ctx.year, 4, 15), dt.date(ctx.year, 12, 4)]
    online_dates: list[dt.date] = []
    for month, count in enumerate(per_month, start=1):
        last_day = (dt.date(ctx.year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
        online_dates += _rand_dates(rng, count, dt.date(ctx.year, month, 1), dt.date(ctx.year, month, last_day))
    six = [v for v in ledger.column("venue_type").allowed if v != "进网络"]
    venues = six + [rng.choice(six) for _ in range(offline_n - len(six))]
    rng.shuffle(venues)
    materials = split_total(rng, materials_total, offline_n, 200, 3000, 10)
    events = list(zip(offline_dates, venues, materials, strict=True))
    events += [(d, "进网络", 0) for d in online_dates]
    events.sort(key=lambda e: e[0])  # stable: on a shared day, the offline event first
    people = split_total(rng, people_total, n, 300, 4000, 10)
    rows: list[Row] = []
    for i, ((d, venue, m), p) in enumerate(zip(events, people, strict=True), start=1):
        theme = _publicity_theme(rng, d)
        rows.append(
            {
                "event_id": f"PF{ctx.year}-{i:03d}",
                "event_date": d,
                "event_name": f"{theme}普法资讯推送" if venue == "进网络" else f"{theme}普法宣传{venue}",
                "venue_type": venue,
                "location": _venue_location(rng, ctx, venue),
                "materials": m,
                "people_reached": p,
            }
        )
    return rows


def build_publicity_events(ctx: Context, ledger: Ledger) -> list[Row]:
    if ctx.year in ONLINE_POSTS:
        return _publicity_with_online_posts(ctx, ledger)
    rng = ctx.rng(ledger.table)
    n, materials_total, people_total = _by_year(PUBLICITY, ctx.year)
    dates = _rand_dates(rng, n - 2, dt.date(ctx.year, 1, 8), dt.date(ctx.year, 12, 26))
    dates = sorted(dates + [dt.date(ctx.year, 4, 15), dt.date(ctx.year, 12, 4)])
    seven = get_ledger("publicity_events").column("venue_type").allowed
    venues = list(seven) + [rng.choice(seven) for _ in range(n - len(seven))]
    rng.shuffle(venues)
    materials = split_total(rng, materials_total, n, 200, 3000, 10)
    people = split_total(rng, people_total, n, 300, 4000, 10)
    rows: list[Row] = []
    for i, (d, venue, m, p) in enumerate(zip(dates, venues, materials, people, strict=True), start=1):
        if (d.month, d.day) == (4, 15):
            theme = "“4·15”全民国家安全教育日"
        elif (d.month, d.day) == (12, 4):
            theme = "“12·4”国家宪法日"
        else:
            theme = rng.choice(PUBLICITY_THEMES)
        rows.append(
            {
                "event_id": f"PF{ctx.year}-{i:03d}",
                "event_date": d,
                "event_name": f"{theme}普法宣传{venue}",
                "venue_type": venue,
                "location": _venue_location(rng, ctx, venue),
                "materials": m,
                "people_reached": p,
            }
        )
    return rows


def build_school_lectures(ctx: Context, ledger: Ledger) -> list[Row]:
    rng = ctx.rng(ledger.table)
    base = ctx.base_rng("school_lecturers")
    lecturers = [fake.fake_name(base) for _ in range(5)]
    n = _by_year(LECTURES, ctx.year)
    spring = _rand_dates(rng, n // 2, dt.date(ctx.year, 2, 17), dt.date(ctx.year, 3, 31))
    autumn = _rand_dates(rng, n - n // 2, dt.date(ctx.year, 9, 1), dt.date(ctx.year, 9, 30))
    forms = ledger.column("form").allowed
    rows: list[Row] = []
    for i, d in enumerate(spring + autumn, start=1):
        rows.append(
            {
                "lecture_id": f"FX{ctx.year}-{i:02d}",
                "lecture_date": d,
                "school": rng.choice(SCHOOLS),
                "lecturer": rng.choice(lecturers),
                "term": "春季开学季" if d.month in (2, 3) else "秋季开学季",
                "form": rng.choice(forms),
                "audience": rng.randint(80, 900),
            }
        )
    return rows


# Sites named after 2025: the two the 2025 report's 下一步 promised (打造2~3个法治建设示范点).
DEMONSTRATION_LATER: tuple[Row, ...] = (
    {"village": "文毕社区", "level": "县级", "title_year": 2026, "status": "已命名"},
    {"village": "红旗村", "level": "县级", "title_year": 2026, "status": "已命名"},
)


def build_demonstration_units(ctx: Context, ledger: Ledger) -> list[Row]:
    xihu_named = ctx.year >= 2025
    return [
        {"village": "天宝社区", "level": "全国", "title_year": 2023, "status": "已命名"},
        {"village": "西湖社区", "level": "市级", "title_year": 2024, "status": "已命名" if xihu_named else "创建中"},
        {"village": "天马社区", "level": "县级", "title_year": 2021, "status": "已命名"},
        {"village": "光明村", "level": "县级", "title_year": 2022, "status": "已命名"},
    ] + [row for row in DEMONSTRATION_LATER if row["title_year"] <= ctx.year]


def build_villages(ctx: Context, ledger: Ledger) -> list[Row]:
    base = ctx.base_rng("villages")
    rows: list[Row] = []
    for i, (name, kind) in enumerate(VILLAGE_BASE, start=1):
        households = base.randint(1500, 6000) if kind == "社区" else base.randint(300, 1200)
        rows.append(
            {"village_code": f"500231900{i:03d}", "village": name, "village_type": kind, "households": households}
        )
    return rows


def build_patrol_cars(ctx: Context, ledger: Ledger) -> list[Row]:
    if not PATROL_CARS_FROM <= ctx.year <= PATROL_CARS_UNTIL:
        return []
    rng = ctx.rng(ledger.table)
    holders = [ctx.office, ctx.office] + ctx.villages
    first_batch, second_batch = dt.date(ctx.year, 4, rng.randint(8, 25)), dt.date(ctx.year, 7, rng.randint(1, 20))
    rows: list[Row] = []
    for i, holder in enumerate(holders, start=1):
        rows.append(
            {
                "car_id": f"XLC-{ctx.year}-{i:02d}",
                "holder": holder,
                "car_type": "巡逻汽车"
                if holder == ctx.office
                else rng.choice(("电动巡逻车", "电动巡逻车", "巡逻摩托车")),
                "delivered_date": first_batch if i <= 9 else second_batch,
            }
        )
    return rows


def build_police_stations(ctx: Context, ledger: Ledger) -> list[Row]:
    if ctx.year < POLICE_STATIONS_FROM:
        return []
    functions = "治安巡逻、综合行政执法、“阳光驿站”"
    return [
        {
            "station_name": "天宝治安巡逻警务站",
            "village": "天宝社区",
            "built_date": dt.date(POLICE_STATIONS_FROM, 6, 18),
            "functions": functions,
        },
        {
            "station_name": "文毕治安巡逻警务站",
            "village": "文毕社区",
            "built_date": dt.date(POLICE_STATIONS_FROM, 9, 26),
            "functions": functions,
        },
    ]


def build_petitions(ctx: Context, ledger: Ledger) -> list[Row]:
    rng = ctx.rng(ledger.table)
    n, evaluated, satisfied, late = _by_year(PETITIONS, ctx.year)
    received = _rand_dates(rng, n, dt.date(ctx.year, 1, 3), dt.date(ctx.year, 12, 20))
    verdicts = (
        ["满意"] * (satisfied - satisfied // 4)
        + ["基本满意"] * (satisfied // 4)
        + ["不满意"] * (evaluated - satisfied)
        + ["未评价"] * (n - evaluated)
    )
    rng.shuffle(verdicts)
    early = [i for i, d in enumerate(received) if d.month <= 8]
    late_rows = set(rng.sample(early, late))
    channels = ledger.column("channel").allowed
    categories = ledger.column("category").allowed
    rows: list[Row] = []
    for i, (d, verdict) in enumerate(zip(received, verdicts, strict=True)):
        deadline = d + dt.timedelta(days=60)
        if i in late_rows:
            closed = deadline + dt.timedelta(days=rng.randint(3, 20))
        else:
            closed = d + dt.timedelta(days=rng.randint(min(3, (ctx.end() - d).days), min(55, (ctx.end() - d).days)))
        name, phone = fake.fake_name(rng), fake.fake_phone(rng)
        rows.append(
            {
                "case_no": f"XF{ctx.year}-{i + 1:03d}",
                "received_date": d,
                "channel": rng.choices(channels, weights=(2, 5, 4, 1))[0],
                "petitioner": name,
                "petitioner_id_number": fake.fake_id_number(rng, 1950, 2003),
                "petitioner_phone": phone,
                "petitioner_address": fake.fake_address(rng),
                "category": rng.choice(categories),
                "summary": fake.complaint_narrative(rng, name, phone),
                "deadline": deadline,
                "closed_date": closed,
                "on_time": i not in late_rows,
                "satisfaction": verdict,
            }
        )
    return rows


LEGACY_FIXED = (("旭东大厦业主商铺拖欠商铺租金问题", 2016), ("天宝社区松林滑坡安置房债权债务问题", 2013))
LEGACY_TOPICS = (
    "土地征收补偿遗留",
    "安置房产权办证",
    "农民工工资拖欠",
    "小区物业管理纠纷",
    "集体经济组织成员资格认定",
    "企业改制职工安置",
    "房屋质量纠纷",
    "道路修建占地补偿",
    "山林权属争议",
    "拆迁过渡费拖欠",
)


def build_legacy_cases(ctx: Context, ledger: Ledger) -> list[Row]:
    rng = ctx.rng(ledger.table)
    base = ctx.base_rng("legacy_pool")
    pool = [(f"{v}{t}问题", base.randint(2008, 2021)) for v in ctx.villages for t in LEGACY_TOPICS]
    base.shuffle(pool)
    if ctx.year <= 2024:
        # 15 cases tracked, the first 9 resolved this year.
        items = [(title, first, i < 9) for i, (title, first) in enumerate(pool[:15])]
    elif ctx.year >= 2026:
        # The 3 left open in 2025, all resolved, and 16 new; the last 4 still open (15 resolved).
        carried = [(t, f, True) for t, f in pool[28:31]]
        new = [(t, f, i < 12) for i, (t, f) in enumerate(pool[31:47])]
        items = carried + new
    else:
        # The two cases named in the report, the 6 carried over from 2024, 16 new; the last 3 still open.
        carried = [(t, f, True) for t, f in pool[9:15]]
        new = [(t, f, i < 13) for i, (t, f) in enumerate(pool[15:31])]
        items = [(t, f, True) for t, f in LEGACY_FIXED] + carried + new
    rows: list[Row] = []
    for i, (title, first, resolved) in enumerate(items, start=1):
        rows.append(
            {
                "legacy_id": f"LS{ctx.year}-{i:02d}",
                "title": title,
                "first_year": first,
                "status": "已化解" if resolved else "化解中",
                "resolved_date": _rand_date(rng, dt.date(ctx.year, 2, 1), dt.date(ctx.year, 12, 20))
                if resolved
                else None,
            }
        )
    return rows


def build_escalated_petitions(ctx: Context, ledger: Ledger) -> list[Row]:
    rng = ctx.rng(ledger.table)
    rows: list[Row] = []
    for i, (kind, people) in enumerate(ESCALATED.get(ctx.year, ()), start=1):
        rows.append(
            {
                "event_id": f"YJ{ctx.year}-{i:02d}",
                "event_date": _rand_date(rng, dt.date(ctx.year, 3, 1), dt.date(ctx.year, 10, 31)),
                "escalation": kind,
                "people": people,
                "leader": fake.fake_name(rng),
            }
        )
    rows.sort(key=lambda r: r["event_date"])
    for i, row in enumerate(rows, start=1):
        row["event_id"] = f"YJ{ctx.year}-{i:02d}"
    return rows


def build_mediation_orgs(ctx: Context, ledger: Ledger) -> list[Row]:
    return [
        {"org_name": "家理说事室", "role": "中心", "village": ctx.short},
        {"org_name": "警民联调中心", "role": "支点", "village": ctx.short},
        {"org_name": "阳光汇客厅", "role": "支点", "village": "天宝社区"},
        {"org_name": "渝事好商量", "role": "支点", "village": "天宝社区"},
        {"org_name": "村级调解室", "role": "支点", "village": "各村(社区)"},
    ]


def build_mediators(ctx: Context, ledger: Ledger) -> list[Row]:
    # A year-independent pool of people, so the same 法律明白人 appear in consecutive years.
    base = ctx.base_rng("mediators")
    full, helpers, advisers = _by_year(MEDIATORS, ctx.year)
    max_full, max_helpers, max_adv = MEDIATOR_POOL
    phones = [f"1700000{n:04d}" for n in base.sample(range(10_000), max_full + max_helpers + max_adv)]
    people: list[tuple[int, str, str, str]] = []  # (village order, role, name, phone)
    for _ in range(max_full):
        people.append((0, "专职调解员", fake.fake_name(base), phones.pop()))
    for _ in range(max_adv):
        people.append((0, "法律顾问", fake.fake_name(base), phones.pop()))
    helper_pool = [
        (1 + i % len(VILLAGE_BASE), "法律明白人", fake.fake_name(base), phones.pop()) for i in range(max_helpers)
    ]
    # Helpers recruited later have higher join ranks; a year shows the first `helpers` of them.
    join_rank = list(range(max_helpers))
    base.shuffle(join_rank)
    helpers_now = [p for p, r in zip(helper_pool, join_rank, strict=True) if r < helpers]
    chosen = people[: min(full, max_full)] + people[max_full : max_full + min(advisers, max_adv)] + helpers_now
    chosen += _later_mediators(ctx, full - max_full, helpers - max_helpers, advisers - max_adv, phones)
    chosen.sort(key=lambda p: p[0])  # stable: street staff first, then village by village
    return [
        {
            "member_name": name,
            "member_phone": phone,
            "member_role": role,
            "village": ctx.short if order == 0 else VILLAGE_BASE[order - 1][0],
        }
        for order, role, name, phone in chosen
    ]


def _later_mediators(
    ctx: Context, full: int, helpers: int, advisers: int, pool_phones: list[str]
) -> list[tuple[int, str, str, str]]:
    """Members beyond MEDIATOR_POOL (recruited after 2025), from a generator of their own; their
    phones avoid every phone of the pool. Helpers continue the pool's village rotation."""
    if max(full, helpers, advisers) <= 0:
        return []
    later = ctx.base_rng("mediators-later")
    taken = {int(p[-4:]) for p in pool_phones}
    free = later.sample([n for n in range(10_000) if n not in taken], max(full, 0) + max(helpers, 0) + max(advisers, 0))
    phones = [f"1700000{n:04d}" for n in free]
    people = [(0, "专职调解员", fake.fake_name(later), phones.pop()) for _ in range(max(full, 0))]
    people += [(0, "法律顾问", fake.fake_name(later), phones.pop()) for _ in range(max(advisers, 0))]
    first = MEDIATOR_POOL[1]
    people += [
        (1 + (first + i) % len(VILLAGE_BASE), "法律明白人", fake.fake_name(later), phones.pop())
        for i in range(max(helpers, 0))
    ]
    return people


def build_legal_adviser_log(ctx: Context, ledger: Ledger) -> list[Row]:
    rng = ctx.rng(ledger.table)
    consult_people, consult_rows, drafting, contract, aid, lectures, litigation, mediation = _by_year(ADVISER, ctx.year)
    entries: list[tuple[str, int, int, int | None, bool]] = []  # type, people, items, amount, client
    for p in split_total(rng, consult_people, consult_rows, 1, 20):
        entries.append(("法律咨询", p, 1, None, rng.random() < 0.5))
    for k in split_total(rng, drafting[1], drafting[0], 1, 3):
        entries.append(("代书法律文书", 1, k, None, True))
    for k in split_total(rng, contract[1], contract[0], 1, 5):
        entries.append(("合同审查", 1, k, None, False))
    for amount in split_total(rng, aid[1], aid[0], 10_000, 150_000, 100):
        entries.append(("法律援助", rng.randint(1, 3), 1, amount, True))
    entries += [("普法讲座", rng.randint(30, 150), 1, None, False) for _ in range(lectures)]
    entries += [("代理诉讼", 1, 1, None, True) for _ in range(litigation)]
    entries += [("调解纠纷", rng.randint(2, 6), 1, None, True) for _ in range(mediation)]
    rng.shuffle(entries)
    dates = _rand_dates(rng, len(entries), dt.date(ctx.year, 1, 6), dt.date(ctx.year, 12, 24))
    return [
        {
            "service_id": f"FG{ctx.year}-{i:03d}",
            "service_date": d,
            "service_type": kind,
            "village": rng.choice(ctx.villages),
            "people_served": people,
            "items": items,
            "amount_recovered": amount,
            "client": fake.fake_name(rng) if client else None,
        }
        for i, (d, (kind, people, items, amount, client)) in enumerate(zip(dates, entries, strict=True), start=1)
    ]


def build_dispute_screening(ctx: Context, ledger: Ledger) -> list[Row]:
    rng = ctx.rng(ledger.table)
    n, unresolved, jiali_major, other_major = _by_year(DISPUTES, ctx.year)
    handlers = ledger.column("handler").allowed
    other_handlers = [h for h in handlers if h != "家理说事室"]
    types = ledger.column("dispute_type").allowed
    # (handler, major, result) for every row, then shuffled against sorted dates.
    kinds: list[tuple[str, bool, str]] = [("家理说事室", True, "化解成功")] * jiali_major
    kinds += [(rng.choice(other_handlers), True, "化解成功") for _ in range(other_major)]
    kinds += [(rng.choice(handlers), False, "化解中" if i % 3 else "未化解") for i in range(unresolved)]
    normal_weights = [
        8 if h == "家理说事室" else 50 if h == "网格员" else 25 if h == "村级调解室" else 6 for h in handlers
    ]
    kinds += [(rng.choices(handlers, weights=normal_weights)[0], False, "化解成功") for _ in range(n - len(kinds))]
    rng.shuffle(kinds)
    dates = _rand_dates(rng, n, ctx.start(), ctx.end())
    return [
        {
            "dispute_id": f"JF{ctx.year}-{i:05d}",
            "found_date": d,
            "village": rng.choice(ctx.villages),
            "dispute_type": rng.choices(types, weights=(15, 25, 10, 12, 12, 8, 18))[0],
            "party": fake.fake_name(rng),
            "handler": handler,
            "major": major,
            "result": result,
        }
        for i, (d, (handler, major, result)) in enumerate(zip(dates, kinds, strict=True), start=1)
    ]


@dataclass(frozen=True)
class Steward:
    number: str
    name: str
    phone: str
    occupation: str
    joined: dt.date


def steward_roster(ctx: Context, occupations: Sequence[str]) -> list[Steward]:
    """The year-independent roster: 210 recruited in 2024, 116 more in 2025, then
    STEWARDS_RECRUITED_LATER (from a generator of their own, phones kept apart); sorted by join date."""
    base = ctx.base_rng("stewards")
    joined = _rand_dates(base, 210, dt.date(2024, 3, 1), dt.date(2024, 12, 20))
    joined += _rand_dates(base, 116, dt.date(2025, 1, 6), dt.date(2025, 11, 28))
    phones = base.sample(range(10_000), len(joined))
    roster = [
        Steward(
            f"GJ{i:04d}", fake.fake_name(base), f"1700000{p:04d}", base.choices(occupations, weights=(4, 4, 2, 1))[0], d
        )
        for i, (d, p) in enumerate(zip(joined, phones, strict=True), start=1)
    ]
    later = ctx.base_rng("stewards-later")
    taken = set(phones)
    for year, count in sorted(STEWARDS_RECRUITED_LATER.items()):
        dates = _rand_dates(later, count, dt.date(year, 1, 6), dt.date(year, 11, 28))
        new_phones = later.sample([n for n in range(10_000) if n not in taken], count)
        taken.update(new_phones)
        for d, p in zip(dates, new_phones, strict=True):
            occupation = later.choices(occupations, weights=(4, 4, 2, 1))[0]
            roster.append(Steward(f"GJ{len(roster) + 1:04d}", fake.fake_name(later), f"1700000{p:04d}", occupation, d))
    return roster


def build_stewards(ctx: Context, ledger: Ledger) -> list[Row]:
    roster = [s for s in steward_roster(ctx, ledger.column("occupation").allowed) if s.joined.year <= ctx.year]
    return [
        {
            "steward_no": s.number,
            "steward_name": s.name,
            "steward_phone": s.phone,
            "occupation": s.occupation,
            "joined_date": s.joined,
        }
        for s in roster
    ]


def build_steward_reports(ctx: Context, ledger: Ledger) -> list[Row]:
    rng = ctx.rng(ledger.table)
    roster = steward_roster(ctx, get_ledger("stewards").column("occupation").allowed)
    joined = [s.joined for s in roster]
    n = _by_year(STEWARD_REPORTS, ctx.year)
    first = max(ctx.start(), roster[0].joined + dt.timedelta(days=7))
    dates = _rand_dates(rng, n, first, ctx.end())
    rows: list[Row] = []
    for i, d in enumerate(dates, start=1):
        steward = roster[rng.randrange(bisect.bisect_right(joined, d))]
        village = rng.choice(ctx.villages)
        if rng.random() < 0.4:
            text = fake.event_narrative(rng, village, fake.fake_name(rng), fake.fake_mobile(rng))
        else:
            text = fake.event_narrative(rng, village)
        rows.append(
            {
                "report_id": f"GJSJ{ctx.year}-{i:04d}",
                "report_date": d,
                "steward_no": steward.number,
                "report_channel": rng.choices(ledger.column("report_channel").allowed, weights=(5, 4, 1))[0],
                "report_type": rng.choices(ledger.column("report_type").allowed, weights=(7, 3))[0],
                "description": text,
            }
        )
    return rows


def build_street_incidents(ctx: Context, ledger: Ledger) -> list[Row]:
    rng = ctx.rng(ledger.table)
    nine = ledger.column("incident_category").allowed
    category_weights = dict(zip(nine, (1, 1.5, 30, 15, 6, 5, 2, 1, 38.5), strict=True))
    cells = [(m, c) for m in range(1, 13) for c in nine]
    weights = [category_weights[c] * rng.uniform(0.7, 1.3) for _, c in cells]
    counts = allocate(rng, _by_year(STREET_TOTALS, ctx.year), weights)
    return [{"month": m, "incident_category": c, "incidents": k} for (m, c), k in zip(cells, counts, strict=True)]


def build_case_records(ctx: Context, ledger: Ledger) -> list[Row]:
    rng = ctx.rng(ledger.table)
    types = ledger.column("case_type").allowed
    fixed = _by_year(CASES, ctx.year)
    others = rng.randint(30, 60)
    if ctx.copy:  # --scale: every copy holds as many cases as the 1x ledger, so k copies are k times the rows
        others = replace(ctx, copy=0).rng(ledger.table).randint(30, 60)
    telecom = rng.randint(others // 3, 2 * others // 3)
    counts = dict(zip(types, (*fixed, telecom, others - telecom), strict=True))
    kinds = [t for t in types for _ in range(counts[t])]
    rng.shuffle(kinds)
    dates = _rand_dates(rng, len(kinds), ctx.start(), ctx.end())
    return [
        {"case_no": f"AJ{ctx.year}-{i:04d}", "case_date": d, "case_type": kind, "village": rng.choice(ctx.villages)}
        for i, (d, kind) in enumerate(zip(dates, kinds, strict=True), start=1)
    ]


def enforcement_officers(ctx: Context) -> list[tuple[str, str]]:
    """Year-independent (name, certificate number) of every officer any year has (14 to 2025, 15 in
    2026); a year shows a prefix. Names are drawn in order, so adding officers keeps the first ones."""
    base = ctx.base_rng("enforcement_staff")
    most = max(n for n, _ in ENFORCEMENT.values())
    return [(fake.fake_name(base), f"ZF-5002-{1000 + 37 * i:04d}") for i in range(1, most + 1)]


def build_enforcement_staff(ctx: Context, ledger: Ledger) -> list[Row]:
    rng = ctx.rng(ledger.table)
    n, active = _by_year(ENFORCEMENT, ctx.year)
    rows: list[Row] = []
    for i, (name, cert) in enumerate(enforcement_officers(ctx)[:n]):
        is_active = i < active
        rows.append(
            {
                "officer_name": name,
                "certificate_no": cert,
                "on_platform": True,
                "cases_handled": rng.randint(8, 60) if is_active else rng.randint(0, 2),
                "active": is_active,
            }
        )
    return rows


def build_platform_events(ctx: Context, ledger: Ledger) -> list[Row]:
    rng = ctx.rng(ledger.table)
    grid, other, open_count = _by_year(PLATFORM, ctx.year)
    sources = [("网格上报", False)] * grid + [
        (rng.choices(("141平台", "群众投诉"), weights=(3, 2))[0], False) for _ in range(other)
    ]
    rng.shuffle(sources)
    times = sorted(
        _rand_datetime(rng, _rand_date(rng, ctx.start(), dt.date(ctx.year, 12, 28))) for _ in range(len(sources))
    )
    # The latest `open_count` non-grid events are still being handled.
    other_idx = [i for i, (s, _) in enumerate(sources) if s != "网格上报"]
    open_idx = set(other_idx[len(other_idx) - open_count :]) if open_count else set()
    rows: list[Row] = []
    for i, (t, (source, _)) in enumerate(zip(times, sources, strict=True)):
        if source == "网格上报":
            phone = fake.fake_mobile(rng) if rng.random() < 0.9 else None
        elif source == "群众投诉":
            phone = fake.fake_phone(rng)
        else:
            phone = None
        rows.append(
            {
                "event_no": f"JCZZ{ctx.year}{i + 1:05d}",
                "reported_at": t,
                "event_source": source,
                "event_type": rng.choice(EVENT_TYPES),
                "event_status": "处置中" if i in open_idx else "已办结",
                "reporter_phone": phone,
            }
        )
    return rows


DEPARTMENT_SETS = (
    "市场监管所、综合行政执法大队",
    "消防救援站、综合行政执法大队、应急办",
    "市场监管所、卫生健康委、综合行政执法大队",
    "生态环境局、综合行政执法大队",
    "住房城乡建委、综合行政执法大队、市场监管所",
)


def build_joint_inspections(ctx: Context, ledger: Ledger) -> list[Row]:
    rng = ctx.rng(ledger.table)
    lead, join = _by_year(JOINT, ctx.year)
    roles = ["牵头"] * lead + ["参与"] * join
    rng.shuffle(roles)
    dates = _rand_dates(rng, len(roles), dt.date(ctx.year, 1, 10), dt.date(ctx.year, 12, 20))
    return [
        {
            "inspection_id": f"ZHCYC{ctx.year}-{i:02d}",
            "inspection_date": d,
            "role": role,
            "departments": rng.choice(DEPARTMENT_SETS),
            "enterprises": rng.randint(2, 15),
            "trigger": rng.choices(ledger.column("trigger").allowed, weights=(6, 3, 1))[0],
        }
        for i, (d, role) in enumerate(zip(dates, roles, strict=True), start=1)
    ]


def build_enterprise_checks(ctx: Context, ledger: Ledger) -> list[Row]:
    rng = ctx.rng(ledger.table)
    n, not_scanned = _by_year(ENTERPRISE, ctx.year)
    unscanned = set(rng.sample(range(n), not_scanned))
    dates = _rand_dates(rng, n, dt.date(ctx.year, 1, 6), dt.date(ctx.year, 12, 26))
    return [
        {
            "check_id": f"SQJC{ctx.year}-{i + 1:04d}",
            "check_date": d,
            "enterprise": _business(rng),
            "qr_scanned": i not in unscanned,
            "credit_model": True,
            "credit_scenario": True,
        }
        for i, d in enumerate(dates)
    ]


def build_admin_inspections(ctx: Context, ledger: Ledger) -> list[Row]:
    rng = ctx.rng(ledger.table)
    n, bad = _by_year(ADMIN, ctx.year)
    officers = [name for name, _ in enforcement_officers(ctx)[: _by_year(ENFORCEMENT, ctx.year)[0]]]
    irregular = set(rng.sample(range(n), bad))
    dates = _rand_dates(rng, n, dt.date(ctx.year, 1, 4), dt.date(ctx.year, 12, 28))
    return [
        {
            "inspection_no": f"XZJC{ctx.year}-{i + 1:04d}",
            "inspection_date": d,
            "target": _business(rng),
            "inspector": rng.choice(officers),
            "compliant": i not in irregular,
        }
        for i, d in enumerate(dates)
    ]


def build_penalty_cases(ctx: Context, ledger: Ledger) -> list[Row]:
    rng = ctx.rng(ledger.table)
    n, open_count, fines_total, fined = _by_year(PENALTY, ctx.year)
    filed = _rand_dates(rng, n - open_count, dt.date(ctx.year, 1, 4), dt.date(ctx.year, 12, 15))
    filed += _rand_dates(rng, open_count, dt.date(ctx.year, 12, 16), dt.date(ctx.year, 12, 30))
    fines = split_total(rng, fines_total, fined, 50, 2000, 50)
    # Up to 2025 an open case could carry a fine too; from FINES_ON_CLOSED_FROM only closed ones do.
    fined_idx = rng.sample(range(n if ctx.year < FINES_ON_CLOSED_FROM else n - open_count), fined)
    fine_of = dict(zip(fined_idx, fines, strict=True))
    rows: list[Row] = []
    for i, d in enumerate(filed):
        is_open = i >= n - open_count
        closed = None if is_open else min(d + dt.timedelta(days=rng.randint(0, 30)), ctx.end())
        fine = fine_of.get(i)
        if fine is None:
            fine = 0 if rng.random() < 0.5 else None  # 警告/责令改正: 0 or left empty
        rows.append(
            {
                "case_no": f"ZF-{ctx.year}-{i + 1:04d}",
                "filed_date": d,
                "violation": rng.choice(VIOLATIONS),
                "party": fake.fake_name(rng) if rng.random() < 0.7 else _business(rng),
                "closed_date": closed,
                "fine_amount": fine,
            }
        )
    return rows


PROPOSAL_SUBJECTS = (
    "关于加快老旧小区改造的建议",
    "关于增设农贸市场停车位的建议",
    "关于整治南阳大道占道经营的建议",
    "关于完善背街小巷路灯设施的建议",
    "关于规范潮汐市场管理的提案",
    "关于加强学校周边交通秩序管理的建议",
    "关于增设社区养老服务站点的建议",
    "关于治理小区周边油烟噪音的建议",
    "关于疏通城区排水管网的建议",
    "关于提升社区调解室服务能力的提案",
)


def build_deputy_proposals(ctx: Context, ledger: Ledger) -> list[Row]:
    rng = ctx.rng(ledger.table)
    n = _by_year(PROPOSALS, ctx.year)
    subjects = rng.sample(PROPOSAL_SUBJECTS, n)
    dates = _rand_dates(rng, n, dt.date(ctx.year, 3, 1), dt.date(ctx.year, 6, 30))
    sources = ledger.column("source").allowed
    roles = ledger.column("handling_role").allowed
    return [
        {
            "proposal_no": f"JY{ctx.year}-{i:02d}",
            "assigned_date": d,
            "source": sources[i % len(sources)],
            "handling_role": rng.choice(roles),
            "subject": s,
            "replied": True,
        }
        for i, (d, s) in enumerate(zip(dates, subjects, strict=True), start=1)
    ]


def build_hotline_complaints(ctx: Context, ledger: Ledger) -> list[Row]:
    rng = ctx.rng(ledger.table)
    n = _by_year(HOTLINE, ctx.year)
    times = sorted(_rand_datetime(rng, _rand_date(rng, ctx.start(), dt.date(ctx.year, 12, 26))) for _ in range(n))
    rows: list[Row] = []
    for i, t in enumerate(times, start=1):
        name = fake.fake_name(rng) if rng.random() < 0.8 else None
        phone = fake.fake_phone(rng) if rng.random() < 0.85 else None
        text = fake.complaint_narrative(rng, name or "市民", phone or "未留")
        rows.append(
            {
                "ticket_no": f"GD{t:%Y%m%d}{i:05d}",
                "received_at": t,
                "hotline": rng.choices(ledger.column("hotline").allowed, weights=(7, 1, 2))[0],
                "caller_name": name,
                "caller_phone": phone,
                "complaint": text,
                "replied_at": t + dt.timedelta(hours=rng.randint(2, 96), minutes=rng.randint(0, 59)),
                "ticket_status": "已回复",
            }
        )
    if ctx.year >= 2025:
        # Hostile text does arrive in real exports; the cleaner must treat it as plain text.
        script_row, formula_row = rng.sample(range(n), 2)
        rows[script_row]["complaint"] += "<script>alert(1)</script>"
        rows[formula_row]["complaint"] = (
            '=HYPERLINK("http://example.invalid","点击查看")' + rows[formula_row]["complaint"]
        )
    return rows


def build_road_office(ctx: Context, ledger: Ledger) -> list[Row]:
    rng = ctx.rng(ledger.table)
    n = _by_year(ROAD_OFFICE, ctx.year)
    dates = _rand_dates(rng, n, ctx.start(), ctx.end())
    types = ledger.column("issue_type").allowed
    places = list(ROADS) + [f"{v}安置小区" for v in ctx.villages[:6]]
    # A handful stay unresolved at year end: "解决各类问题8300多件" counts resolved issues only.
    unresolved = set(rng.sample(range(1, n + 1), _by_year(ROAD_OFFICE_UNRESOLVED, ctx.year)))
    return [
        {
            "issue_no": f"MLBG{ctx.year}-{i:05d}",
            "found_date": d,
            "location": rng.choice(places),
            "issue_type": rng.choices(types, weights=(25, 20, 20, 10, 15, 6, 4))[0],
            "resolved": i not in unresolved,
        }
        for i, d in enumerate(dates, start=1)
    ]


def _other_values(rng: random.Random, indicator: str, ours: float, count: int, above: int) -> list[float]:
    """Values of the other units: ``above`` of them higher than ours, the rest strictly lower."""
    if indicator in ("活跃率", "行政检查规范率"):
        floor = 60.0 if indicator == "活跃率" else 95.0
        below = [x / 10 for x in rng.sample(range(int(floor * 10), int(round(ours * 10))), count - above)]
        over = [x / 10 for x in rng.sample(range(int(round(ours * 10)) + 1, 1001), above)]
        return below + over
    ours_i = int(ours)
    if indicator == "综合行政执法活跃数":  # few possible values: ties are allowed here
        return [rng.randint(3, ours_i - 1) for _ in range(count - above)] + [ours_i + rng.randint(1, 3)] * above
    step = 50 if indicator == "罚没金额" else 1
    lo = {"行政检查户次": 40, "行政处罚立案数": 10, "行政处罚结案数": 8, "罚没金额": 0}[indicator]
    below = [x * step for x in rng.sample(range(lo // step, ours_i // step), count - above)]
    over = [x * step for x in rng.sample(range(ours_i // step + 1, ours_i // step + 200), above)]
    return below + over


def build_county_comparison(ctx: Context, ledger: Ledger) -> list[Row]:
    rng = ctx.rng(ledger.table)
    indicators = ledger.column("indicator").allowed
    ours, our_ranks = _by_year(COUNTY, ctx.year)
    units = [ctx.short] + [f"样例街道{i:02d}" for i in range(1, 4)] + [f"样例镇{i:02d}" for i in range(1, 21)]
    values: dict[tuple[str, str], float] = {}
    for indicator, mine, rank in zip(indicators, ours, our_ranks, strict=True):
        others = _other_values(rng, indicator, mine, len(units) - 1, rank - 1)
        rng.shuffle(others)
        values[(ctx.short, indicator)] = mine
        for unit, value in zip(units[1:], others, strict=True):
            values[(unit, indicator)] = value
    rows: list[Row] = []
    for unit in units:
        for indicator in indicators:
            value = values[(unit, indicator)]
            # Competition ranking: 1 + number of units with a strictly higher value.
            rank = 1 + sum(1 for u in units if values[(u, indicator)] > value)
            rows.append({"unit": unit, "indicator": indicator, "value": value, "rank": rank})
    return rows


BUILDERS: dict[str, Callable[[Context, Ledger], list[Row]]] = {
    "study_sessions": build_study_sessions,
    "law_exams": build_law_exams,
    "publicity_events": build_publicity_events,
    "school_lectures": build_school_lectures,
    "demonstration_units": build_demonstration_units,
    "villages": build_villages,
    "patrol_cars": build_patrol_cars,
    "police_stations": build_police_stations,
    "petitions": build_petitions,
    "legacy_cases": build_legacy_cases,
    "escalated_petitions": build_escalated_petitions,
    "mediation_orgs": build_mediation_orgs,
    "mediators": build_mediators,
    "legal_adviser_log": build_legal_adviser_log,
    "dispute_screening": build_dispute_screening,
    "stewards": build_stewards,
    "steward_reports": build_steward_reports,
    "street_incidents": build_street_incidents,
    "case_records": build_case_records,
    "enforcement_staff": build_enforcement_staff,
    "platform_events": build_platform_events,
    "joint_inspections": build_joint_inspections,
    "enterprise_checks": build_enterprise_checks,
    "admin_inspections": build_admin_inspections,
    "penalty_cases": build_penalty_cases,
    "deputy_proposals": build_deputy_proposals,
    "hotline_complaints": build_hotline_complaints,
    "road_office": build_road_office,
    "county_comparison": build_county_comparison,
}


def ledgers_for_year(year: int) -> list[Ledger]:
    """The ledgers present in a year, in ALL_LEDGERS order."""
    if year >= FULL_DETAIL_FROM:
        return list(ALL_LEDGERS)
    return [ledger for ledger in ALL_LEDGERS if ledger.table in EARLY_TABLES]


def scale_factor(ledger: Ledger, scale: int) -> int:
    """How many times its 1x rows a ledger holds at ``--scale scale``."""
    if scale < 1:
        raise ValueError(f"scale must be at least 1, got {scale}")
    return 1 if ledger.table in FIXED_TABLES else scale


def _redraw_id_number(rng: random.Random, number: str) -> str:
    """Another valid fake ID number with the same birth date (region "99xxxx", new sequence)."""
    first17 = f"99{rng.randint(0, 9999):04d}{number[6:14]}{rng.randint(0, 999):03d}"
    return first17 + fake.id_check_digit(first17)


def _copy_keys(ledger: Ledger, rows: list[Row], ctx: Context, width: int, seen: set[str]) -> None:
    """Give copy ``ctx.copy`` keys no other copy has (in place); ``seen`` holds the keys so far."""
    key = ledger.key_column
    if key is None:
        return
    suffix = f"-c{ctx.copy:0{width}d}"
    rng = ctx.rng(f"{ledger.table}-keys")
    for row in rows:
        value = row[key.name]
        if key.kind == "id_number":
            while value in seen:
                value = _redraw_id_number(rng, value)
        elif key.kind == "phone":
            if not value.startswith(SAMPLE_MOBILE_BLOCK):
                raise AssertionError(f"{ledger.table}.{key.name}: {value!r} is not a sample mobile")
            value = f"170{ctx.copy:04d}{value[len(SAMPLE_MOBILE_BLOCK) :]}"
            while value in seen:  # the copy's builder drew a tail twice (4 random digits per copy)
                value = f"170{ctx.copy:04d}{rng.randint(0, 9999):04d}"
        else:
            value = f"{value}{suffix}"
        if value in seen:
            raise AssertionError(f"{ledger.table}.{key.name}: key {value!r} repeats across copies")
        seen.add(value)
        row[key.name] = value
        for name in KEY_REFERENCES.get(ledger.table, ()):
            row[name] = f"{row[name]}{suffix}"


def build_rows(ledger: Ledger, ctx: Context, scale: int = 1) -> list[Row]:
    """Logical rows of one ledger for one year, checked against the spec.

    At ``scale`` k > 1 a ledger outside FIXED_TABLES holds k copies: copy 0 is the 1x ledger, copy c
    is the same builder seeded for copy c (its own dates, names, amounts), with keys of its own.
    """
    factor = scale_factor(ledger, scale)
    rows = _checked_rows(ledger, ctx)
    if factor == 1:
        return rows
    key = ledger.key_column
    seen = {row[key.name] for row in rows} if key is not None else set()
    width = len(str(factor - 1))
    for copy in range(1, factor):
        copy_ctx = replace(ctx, copy=copy)
        more = _checked_rows(ledger, copy_ctx)
        _copy_keys(ledger, more, copy_ctx, width, seen)
        rows += more
    return rows


def _checked_rows(ledger: Ledger, ctx: Context) -> list[Row]:
    rows = BUILDERS[ledger.table](ctx, ledger)
    names = [c.name for c in ledger.columns]
    for row in rows:
        if list(row) != names:
            raise AssertionError(f"{ledger.table}: row keys {list(row)} != spec columns {names}")
        for col in ledger.columns:
            value = row[col.name]
            if col.kind == "category" and value not in col.allowed:
                raise AssertionError(f"{ledger.table}.{col.name}: {value!r} not in vocabulary")
            if value is None and not col.nullable:
                raise AssertionError(f"{ledger.table}.{col.name}: empty value in a non-nullable column")
    return rows


# --------------------------------------------------------------------------------------------
# Rendering: logical values -> the messy cell values an office file would contain
# --------------------------------------------------------------------------------------------


def _count_suffix(col: Column) -> str | None:
    """The unit word a typist might append to a count in this column ("3件", "12人次", "5份")."""
    header = col.leaf
    if "份" in header:
        return "份"
    if "人次" in header or header.endswith("人数"):
        return "人次"
    if "件" in header or "案" in header:
        return "件"
    return None


class XlsxRenderer:
    """Turns logical values into mixed-style cell values, driven by a seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def date(self, d: dt.date) -> CellValue:
        p = self.rng.random()
        if p < 0.25:
            return dt.datetime(d.year, d.month, d.day), "yyyy-mm-dd"
        if p < 0.50:
            return dt.datetime(d.year, d.month, d.day), "yyyy/m/d"
        if p < 0.60:
            return d.isoformat(), None
        if p < 0.70:
            return f"{d.year}/{d.month}/{d.day}", None
        if p < 0.80:
            return f"{d.year}.{d.month}.{d.day}", None
        if p < 0.90:
            return f"{d.year}年{d.month}月{d.day}日", None
        return (d - EXCEL_EPOCH).days, None  # an Excel serial pasted as a plain number

    def count(self, n: int, col: Column) -> CellValue:
        p = self.rng.random()
        if p < 0.03:
            return fake.fullwidth_digits(str(n)), None
        suffix = _count_suffix(col)
        if suffix and p < 0.06:
            return f"{n}{suffix}", None
        return n, None

    def amount(self, x: float, col: Column) -> CellValue:
        if "元" in col.leaf:
            p = self.rng.random()
            if p < 0.06 and x:
                return f"{x:,}元", None
            if p < 0.12:
                return f"{x:.2f}", None
        return x, None

    def flag(self, b: bool) -> CellValue:
        if self.rng.random() < 0.2:
            return ("√" if b else "×"), None
        return ("是" if b else "否"), None

    def category(self, s: str) -> CellValue:
        p = self.rng.random()
        if p < 0.02:
            return " " + s, None
        if p < 0.04:
            return s + " ", None
        if p < 0.05:
            return s + "\u3000", None
        return s, None

    def cell(self, col: Column, value: Any) -> CellValue:
        if value is None:
            return None, None
        kind = col.kind
        if kind == "date":
            return self.date(value)
        if kind == "int":
            return self.count(value, col)
        if kind == "amount":
            return self.amount(value, col)
        if kind == "flag":
            return self.flag(value)
        if kind == "category":
            return self.category(value)
        if kind == "year":
            return (str(value) if self.rng.random() < 0.05 else value), None
        if kind == "id_number":
            text = value.lower() if value.endswith("X") and self.rng.random() < 0.3 else value
            return text, "@"
        if kind == "phone":
            return (fake.fullwidth_digits(value) if self.rng.random() < 0.05 else value), "@"
        if kind == "code":
            return str(value), "@"
        return value, None


def render_csv_value(col: Column, value: Any) -> str:
    """Platform exports are regular: ISO date-times, plain numbers, empty for missing."""
    if value is None:
        return ""
    if col.kind == "date":
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if col.kind == "flag":
        return "是" if value else "否"
    return str(value)


# --------------------------------------------------------------------------------------------
# Writing files
# --------------------------------------------------------------------------------------------

THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TITLE_FONT = Font(name="宋体", size=16, bold=True)
HEADER_FONT = Font(name="宋体", size=11, bold=True)
BODY_FONT = Font(name="宋体", size=10)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
SEQ_HEADER = "序号"


def _title(ledger: Ledger, ctx: Context) -> str:
    if ledger.title.startswith("全县"):
        return f"{ctx.county}{ctx.year}年{ledger.title[2:]}"
    return f"{ctx.short}{ctx.year}年{ledger.title}"


def _info_line(ledger: Ledger, ctx: Context) -> str:
    keeper = ledger.keeper.split("(")[0]
    unit = f"{ctx.county}{keeper[1:]}" if keeper.startswith("县") else f"{ctx.short}{keeper}"
    period = f"截至{ctx.year}年12月31日" if ledger.multi_year else f"{ctx.year}年1月1日至{ctx.year}年12月31日"
    return f"填报单位：{unit}    统计时段：{period}"


def _footer(ctx: Context) -> str:
    return f"填表人：张某    审核人：李某    填报日期：{ctx.year + 1}年1月8日"


def _layout_rows(
    ledger: Ledger, rows: list[Row], renderer: XlsxRenderer, rng: random.Random, duplicates: int
) -> list[list[CellValue] | None]:
    """Rendered data rows with 序号, copy-paste duplicates and stray blank rows (None)."""
    rendered = [
        [(i, None)] + [renderer.cell(c, row[c.name]) for c in ledger.columns] for i, row in enumerate(rows, start=1)
    ]
    dup_at = set(rng.sample(range(len(rendered)), duplicates)) if duplicates and rendered else set()
    big = len(rows) >= BIG_LEDGER_ROWS
    out: list[list[CellValue] | None] = []
    since_blank, next_blank = 0, rng.randint(*ROWS_PER_BLANK)
    for i, cells in enumerate(rendered):
        out.append(cells)
        if i in dup_at:
            out.append(list(cells))
        since_blank += 1
        if big and since_blank >= next_blank and i < len(rendered) - 1:
            out.append(None)
            since_blank, next_blank = 0, rng.randint(*ROWS_PER_BLANK)
    return out


def write_sheet(ws: Worksheet, ledger: Ledger, rows: list[Row], ctx: Context) -> None:
    """Write one ledger as an office-style sheet: title, info line, header(s), data, footer."""
    rng = ctx.rng(f"{ledger.table}-layout")
    renderer = XlsxRenderer(ctx.rng(f"{ledger.table}-render"))
    duplicates = DUPLICATE_ROWS.get(ledger.table, 0) if ctx.year >= FULL_DETAIL_FROM else 0
    width = 1 + len(ledger.columns)
    last = get_column_letter(width)

    ws.cell(1, 1, _title(ledger, ctx)).font = TITLE_FONT
    ws.cell(1, 1).alignment = CENTER
    ws.merge_cells(f"A1:{last}1")
    ws.row_dimensions[1].height = 30
    ws.cell(2, 1, _info_line(ledger, ctx)).font = BODY_FONT
    ws.merge_cells(f"A2:{last}2")

    # Header: (leaf, group) per column, 序号 first.
    heads: list[tuple[str, str | None]] = [(SEQ_HEADER, None)] + [(c.leaf, c.group) for c in ledger.columns]
    two_level = any(group for _, group in heads)
    top = 3
    merges: list[str] = []
    if not two_level:
        for j, (leaf, _) in enumerate(heads, start=1):
            ws.cell(top, j, leaf)
        header_rows = [top]
    else:
        bottom = top + 1
        header_rows = [top, bottom]
        j = 1
        while j <= width:
            leaf, group = heads[j - 1]
            if group is None:
                ws.cell(top, j, leaf)
                merges.append(f"{get_column_letter(j)}{top}:{get_column_letter(j)}{bottom}")
                j += 1
                continue
            k = j
            while k + 1 <= width and heads[k][1] == group:
                k += 1
            ws.cell(top, j, group)
            if k > j:
                merges.append(f"{get_column_letter(j)}{top}:{get_column_letter(k)}{top}")
            for col_idx in range(j, k + 1):
                ws.cell(bottom, col_idx, heads[col_idx - 1][0])
            j = k + 1
    for r in header_rows:
        for j in range(1, width + 1):
            cell = ws.cell(r, j)
            cell.font, cell.alignment, cell.border = HEADER_FONT, CENTER, BORDER
    for rng_ref in merges:
        ws.merge_cells(rng_ref)

    # Data.
    first_data = header_rows[-1] + 1
    laid_out = _layout_rows(ledger, rows, renderer, rng, duplicates)
    fill_down = [j for j, c in enumerate(ledger.columns, start=2) if c.fill_down]
    runs: dict[int, list[tuple[int, int]]] = {j: [] for j in fill_down}
    r = first_data
    for cells in laid_out:
        if cells is None:
            r += 1
            continue
        for j, (value, fmt) in enumerate(cells, start=1):
            if j in runs and runs[j] and r == runs[j][-1][1] + 1 and ws.cell(runs[j][-1][0], j).value == value:
                runs[j][-1] = (runs[j][-1][0], r)  # same value as the cell above: part of a merged block
                cell = ws.cell(r, j)
            else:
                if j in runs:
                    runs[j].append((r, r))
                cell = ws.cell(r, j, value)
                if fmt:
                    cell.number_format = fmt
            cell.font, cell.border = BODY_FONT, BORDER
        r += 1
    for j, spans in runs.items():
        letter = get_column_letter(j)
        for start, end in spans:
            if end > start:
                ws.merge_cells(f"{letter}{start}:{letter}{end}")
                ws.cell(start, j).alignment = Alignment(vertical="center")

    # Footer after one blank row.
    ws.cell(r + 1, 1, _footer(ctx)).font = BODY_FONT

    # Column widths and frozen header.
    ws.column_dimensions["A"].width = 6
    for j, col in enumerate(ledger.columns, start=2):
        wide = 40 if col.kind == "narrative" else 20 if col.kind in ("id_number", "address") else 12
        ws.column_dimensions[get_column_letter(j)].width = max(wide, 2 * len(col.leaf) + 2)
    ws.freeze_panes = ws.cell(first_data, 2)


def normalise_xlsx(path: Path, stamp: str) -> None:
    """Rewrite the .xlsx zip so its bytes are reproducible (fixed timestamps, fixed metadata)."""
    with zipfile.ZipFile(path) as zin:
        entries = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)",
                    lambda m: m.group(1) + stamp.encode() + m.group(3),
                    data,
                )
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zout.writestr(info, data)
    path.write_bytes(buf.getvalue())


def write_workbook(path: Path, ledgers: Sequence[Ledger], ctx: Context, scale: int = 1) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    fixed = dt.datetime(ctx.year + 1, 1, 8, 9, 0, 0)
    wb.properties.creator = CREATOR
    wb.properties.lastModifiedBy = CREATOR
    wb.properties.title = f"{ctx.short}{ctx.year}年样例台账(合成数据)"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    for ledger in ledgers:
        assert ledger.sheet is not None
        write_sheet(wb.create_sheet(ledger.sheet), ledger, build_rows(ledger, ctx, scale), ctx)
    wb.save(path)
    normalise_xlsx(path, fixed.strftime("%Y-%m-%dT%H:%M:%SZ"))


def write_csv(path: Path, ledger: Ledger, ctx: Context, scale: int = 1) -> None:
    """A platform export: GB18030, header line, QUOTE_MINIMAL, CRLF, no title/footer/序号."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([c.header for c in ledger.columns])
    for row in build_rows(ledger, ctx, scale):
        writer.writerow([render_csv_value(c, row[c.name]) for c in ledger.columns])
    path.write_bytes(buf.getvalue().encode("gb18030"))


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_manifest(out_dir: Path, year: int, unit: str, ledgers: Sequence[Ledger]) -> Path:
    """MANIFEST.yaml: provenance plus the sha256 of every other file in the folder."""
    files = sorted((p for p in out_dir.iterdir() if p.is_file() and p.name != MANIFEST_NAME), key=lambda p: p.name)
    manifest = {
        "unit": unit,
        "year": year,
        "synthetic": True,
        "note": MANIFEST_NOTE,
        "generator": GENERATOR_NAME,
        "ledgers": [ledger.table for ledger in ledgers],
        "files": [{"name": p.name, "sha256": sha256_of(p), "bytes": p.stat().st_size} for p in files],
    }
    path = out_dir / MANIFEST_NAME
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def generate_year(year: int, out_dir: Path, unit: str = DEFAULT_UNIT, scale: int = 1) -> list[Path]:
    """Write every sample ledger file of ``year`` into ``out_dir`` plus its MANIFEST.yaml
    (``scale``: rows per ledger, see ``build_rows``)."""
    ctx = Context(year=year, unit=unit)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ledgers = ledgers_for_year(year)
    # Group sheets by file, keeping ALL_LEDGERS order (a list, not a set, so order is fixed).
    files: list[tuple[str, list[Ledger]]] = []
    for ledger in ledgers:
        name = ledger.file_name(year)
        if files and files[-1][0] == name:
            files[-1][1].append(ledger)
        elif any(n == name for n, _ in files):
            next(group for n, group in files if n == name).append(ledger)
        else:
            files.append((name, [ledger]))
    written: list[Path] = []
    for name, group in files:
        path = out_dir / name
        if group[0].fmt == "csv":
            write_csv(path, group[0], ctx, scale)
        else:
            write_workbook(path, group, ctx, scale)
        written.append(path)
    written.append(write_manifest(out_dir, year, unit, ledgers))
    return written


def copy_unit_config(raw_root: Path) -> list[Path]:
    """Copy the sample unit's configuration into raw_root (nothing to do when it is already there)."""
    from lawreport.ledgers import active_unit, copy_config

    return copy_config(active_unit().folder, raw_root)


def generate_all(
    raw_root: Path, years: Sequence[int] = DEFAULT_YEARS, unit: str = DEFAULT_UNIT, scale: int = 1
) -> list[Path]:
    """Generate every year into ``raw_root/<year>/``, with the sample unit's configuration beside
    them (unit.yaml, ledgers/*.yaml: the run reads the ledger layouts from there)."""
    written: list[Path] = copy_unit_config(Path(raw_root))
    for year in years:
        written += generate_year(year, Path(raw_root) / str(year), unit, scale)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the synthetic sample ledgers (样例数据，合成).")
    parser.add_argument("--out", type=Path, default=Path("data/raw"), help="raw data root (default data/raw)")
    parser.add_argument("--year", type=int, action="append", help="year to generate (repeatable; default all)")
    parser.add_argument("--unit", default=DEFAULT_UNIT, help=f"unit name (default {DEFAULT_UNIT})")
    parser.add_argument(
        "--scale",
        type=int,
        default=1,
        help="k times the rows per ledger, for benchmarks (default 1: the committed samples)",
    )
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error("--scale must be at least 1")
    years = tuple(args.year) if args.year else DEFAULT_YEARS
    for path in generate_all(args.out, years, args.unit, args.scale):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
