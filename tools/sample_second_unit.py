"""Write the synthetic ledgers of the fictional second unit 岚溪县青禾镇 (虚构单位，合成数据).

岚溪县青禾镇 is an invented town: no such county or town is meant, and every name, programme and
person in its ledgers is made up. It exists to show that the suite runs on a unit whose ledgers are
laid out differently from the bundled sample's, with parameters and data only (examples/qinghe/).

What it writes under ``<out>/<year>/`` (default ``examples/qinghe/raw``), in layouts of its own:

- ``{year}年青禾镇学法用法台账.xlsx``: a title row, a 填报单位 line, one-row headers (学习时间 …);
- ``{year}年青禾镇普法宣传台账.xlsx``: a two-row header (宣传成效 merged over 受众人次 and 发放资料),
  a copy-pasted duplicate row and a 合计 row at the bottom;
- ``{year}年青禾镇村居法律服务台账.xlsx``: the villages and the mediators' roster;
- ``{year}年青禾镇人民调解登记簿.xlsx``: one sheet per month (1月 … 12月), each with a title row, a
  two-row header (当事人, 调处情况) and a 合计 row;
- ``矛盾纠纷多元化解平台导出_{year}.csv``: a platform export in GB18030 with an 导出时间 line above
  its header;
- ``{year}年青禾镇信访登记簿.xlsx`` (登记日期, 反映人|姓名 …) — also for 2024, the only ledger of
  that year, so that the 2025 report's 同比 figure has a previous year;
- ``{year}年青禾镇综合执法台账.xlsx``: inspections, and penalty cases ending with a 合计 row;
- ``MANIFEST.yaml`` (unit, year, synthetic: true, the ledgers, every file's sha256, report.txt
  included when it is there).

The row counts are fixed targets (the figures of examples/qinghe/raw/2025/report.txt are computed
from them); the rest is drawn from ``random.Random`` seeded per year and ledger. Personal values come
from ``lawreport.sample.fake`` (names, 170 0000 mobiles, ID numbers with region 99): obviously fake.
The workbooks' dates and zip entries are fixed, so every run writes the same bytes.

Usage::

    .venv/bin/python tools/sample_second_unit.py [--out examples/qinghe/raw]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from lawreport.ledgers import load_unit
from lawreport.sample import fake
from lawreport.sample.generator import normalise_xlsx  # fixed timestamps and metadata: reproducible bytes

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "examples" / "qinghe" / "raw"
UNIT = "岚溪县青禾镇"
SHORT = "青禾镇"
YEARS = (2024, 2025)
MANIFEST_NAME = "MANIFEST.yaml"
MANIFEST_NOTE = "虚构单位样例数据(合成)，非真实台账 / a fictional unit's synthetic sample ledgers, not real office data"
GENERATOR_NAME = "tools/sample_second_unit.py"
CREATOR = "lawreport second-unit sample generator"
BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)

Row = dict[str, Any]

# ------------------------------------------------------------------------------------------------
# Targets. The 2025 report text (examples/qinghe/raw/2025/report.txt) quotes figures computed from
# exactly these rows; change a target and the report no longer matches.
# ------------------------------------------------------------------------------------------------
STUDY_FORMS = {"会前学法": 23, "专题学法": 8, "法治讲座": 4}
EXAM_PEOPLE = {"镇机关干部": 46, "村(社区)干部": 84, "站所人员": 28}  # all sit, all pass
OUTREACH_FORMS = {"田坎课堂": 36, "赶场普法": 24, "院坝说法": 18, "校园法治课": 11, "企业普法": 8, "线上推送": 48}
LEAFLETS_TOTAL = 21_240  # 发放宣传资料2.1万份 (offline activities only)
AUDIENCE_TOTAL = 32_870  # 受众群众3万人次以上
VILLAGES = ("青禾", "茶岭", "石岚", "禾丰", "竹溪", "白鹭", "云台", "上坪", "下坪", "桂溪", "松林")
COMMUNITIES = ("禾兴", "溪口", "集镇")
LITERATES_TOTAL = 212
LAW_POSTS = 9  # villages with a 茶乡法治驿站
MEDIATORS = {"专职调解员": 6, "兼职调解员": 38, "调解志愿者": 25}
MEDIATION_MONTHS = (27, 24, 35, 33, 31, 30, 36, 34, 29, 32, 38, 37)  # 386 cases, January first
MEDIATION_OUTCOMES = {"调解成功": 379, "调解不成": 4, "正在调处": 3}
DIFFICULT_BY_HEAN = 27  # 禾安调解室 resolved 27 difficult disputes (one more it could not)
AGREED_TOTAL = 3_648_500  # 涉及金额360余万元
PLATFORM_STATES = {"已化解": 203, "化解中": 6, "已终止": 3}  # 212 disputes, 95.75% resolved
VISITS = {2024: 76, 2025: 62}  # 同比下降 18.42% (the report writes 22.58%: (76-62)/62, a wrong base)
EVALUATIONS_2025 = {"满意": 49, "基本满意": 9, "不满意": 2, "未评价": 2}  # 58 / 60 = 96.67%
INSPECTIONS = {"双随机抽查": 75, "专项检查": 146, "投诉核查": 62}  # 283
PENALTIES = 41
PENALTIES_OPEN = 2
FINES_TOTAL = 126_300  # 罚没款12.63万元

# Ordinary (not personal) words the ledgers are written with. A fake name that occurs inside one of
# them (林建 in 松林建材门市) would be found by the publishing scan, which looks for every value of the
# raw personal columns in the published files (P305): such names are drawn again.
PARTIES = ("茶叶加工作坊", "农家乐", "建材门市", "小餐饮店", "农资经营部", "竹木加工点", "民宿")
ORDINARY_TEXT = "|".join(
    [f"{v}{p}" for v in VILLAGES for p in PARTIES]
    + [f"{v}村" for v in VILLAGES]
    + [f"{c}社区" for c in COMMUNITIES]
    + ["青禾镇中心小学", "青禾镇初级中学", "茶岭村小", "青禾茶业合作社", "岚溪竹木加工厂", "禾丰农机站", "镇公众号"]
    + ["党政综合办公室", "经济发展办公室", "社会事务办公室", "司法所", "财政所", "农业服务中心", "综合行政执法队"]
    + ["民法典进万家", "防范电信网络诈骗", "土地承包法律知识", "森林防火与野外用火", "反家庭暴力", "农民工工资支付"]
    + ["占道经营", "违规搭建", "未按规定处置建筑垃圾", "违规焚烧秸秆", "擅自砍伐林木", "餐饮油烟超标排放"]
    + ["宪法", "民法典", "行政处罚法", "行政复议法", "信访工作条例", "森林法", "土地管理法", "安全生产法"]
)


def person(rng: random.Random) -> str:
    """An obviously fake name (lawreport.sample.fake) that is not part of an ordinary word here."""
    name = fake.fake_name(rng)
    while name in ORDINARY_TEXT:
        name = fake.fake_name(rng)
    return name


# ------------------------------------------------------------------------------------------------
# Sheet layouts: (header, group or None, width). Two-level headers put the group above the leaf.
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    key: str
    header: str
    group: str | None = None
    width: int = 12
    date: bool = False


@dataclass(frozen=True)
class Sheet:
    name: str
    title: str
    keeper: str
    columns: tuple[Col, ...]
    rows: list[Row]
    total: dict[str, Any] | None = None  # the 合计 row: column key -> value (its first cell says 合计)
    duplicate_after: int | None = None  # a copy-pasted duplicate of this data row (0-based)
    blank_after: int | None = None  # a stray blank row after this data row


def rng_for(year: int, ledger: str) -> random.Random:
    return random.Random(f"qinghe-{year}-{ledger}")  # str seeds hash with sha512: stable across runs


def dates_in(rng: random.Random, year: int, n: int, month: int | None = None) -> list[dt.date]:
    """n sorted dates of the year (or of one month), working days preferred."""
    first = dt.date(year, month or 1, 1)
    last = (dt.date(year, month + 1, 1) if month and month < 12 else dt.date(year + 1, 1, 1)) - dt.timedelta(days=1)
    days = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
    work = [d for d in days if d.weekday() < 5] or days
    return sorted(rng.choice(work) for _ in range(n))


def split_total(rng: random.Random, total: int, n: int, low: int, high: int) -> list[int]:
    """n positive integers, drawn in [low, high] and then scaled, summing to total exactly."""
    drawn = [rng.randint(low, high) for _ in range(n)]
    values = [max(1, round(v * total / sum(drawn))) for v in drawn]
    k = 0
    while sum(values) != total:
        step = 1 if sum(values) < total else -1
        if values[k % n] + step >= 1:
            values[k % n] += step
        k += 1
    return values


def mixed_date(rng: random.Random, day: dt.date) -> Any:
    """A date cell as offices type them: mostly a real date, sometimes text."""
    r = rng.random()
    if r < 0.8:
        return day
    if r < 0.9:
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.year}.{day.month}.{day.day}"


def flag(value: bool) -> str:
    return "是" if value else "否"


# ------------------------------------------------------------------------------------------------
# Ledgers
# ------------------------------------------------------------------------------------------------


def study_sheets(year: int) -> list[Sheet]:
    rng = rng_for(year, "study")
    forms = [f for f, n in STUDY_FORMS.items() for _ in range(n)]
    rng.shuffle(forms)
    topics = ("宪法", "民法典", "行政处罚法", "行政复议法", "信访工作条例", "森林法", "土地管理法", "安全生产法")
    study = [
        {
            "record_no": f"XF{year}-{k + 1:03d}",
            "study_date": mixed_date(rng, day),
            "study_form": form,
            "study_topic": f"学习《{rng.choice(topics)}》",
            "participants": rng.randint(14, 32),
        }
        for k, (day, form) in enumerate(zip(dates_in(rng, year, len(forms)), forms, strict=True))
    ]
    exams = []
    for post, n in EXAM_PEOPLE.items():
        for _ in range(n):
            where = (
                f"{rng.choice(VILLAGES)}村"
                if post == "村(社区)干部"
                else rng.choice(("党政综合办公室", "经济发展办公室", "社会事务办公室"))
                if post == "镇机关干部"
                else rng.choice(("司法所", "财政所", "农业服务中心", "综合行政执法队"))
            )
            score = rng.randint(62, 98)
            exams.append(
                {
                    "examinee": person(rng),
                    "examinee_id_number": fake.fake_id_number(rng, 1965, 2000),
                    "workplace": where,
                    "post": post,
                    "sat": "是",
                    "exam_score": score,
                    "exam_result": "合格",
                }
            )
    rng.shuffle(exams)
    return [
        Sheet(
            "中心组学法",
            f"{SHORT}镇党委理论学习中心组学法登记（{year}年）",
            "党政综合办公室",
            (
                Col("record_no", "记录号"),
                Col("study_date", "学习时间", date=True),
                Col("study_form", "学习方式"),
                Col("study_topic", "学习内容", width=28),
                Col("participants", "参加人数"),
            ),
            study,
        ),
        Sheet(
            "法律知识考试",
            f"{SHORT}{year}年度镇村干部法律知识考试登记",
            "党政综合办公室",
            (
                Col("examinee", "姓名"),
                Col("examinee_id_number", "身份证号码", width=22),
                Col("workplace", "工作单位", width=16),
                Col("post", "人员类别"),
                Col("sat", "是否参考"),
                Col("exam_score", "成绩"),
                Col("exam_result", "考试结果"),
            ),
            exams,
        ),
    ]


def outreach_sheets(year: int) -> list[Sheet]:
    rng = rng_for(year, "outreach")
    forms = [f for f, n in OUTREACH_FORMS.items() for _ in range(n)]
    rng.shuffle(forms)
    offline = [i for i, f in enumerate(forms) if f != "线上推送"]
    leaflets = dict(zip(offline, split_total(rng, LEAFLETS_TOTAL, len(offline), 60, 240), strict=True))
    audience = split_total(rng, AUDIENCE_TOTAL, len(forms), 80, 380)
    themes = (
        "民法典进万家",
        "防范电信网络诈骗",
        "土地承包法律知识",
        "森林防火与野外用火",
        "反家庭暴力",
        "农民工工资支付",
    )
    places = {
        "田坎课堂": lambda: f"{rng.choice(VILLAGES)}村田间",
        "赶场普法": lambda: f"{SHORT}{rng.choice(('一', '三', '六'))}号场镇",
        "院坝说法": lambda: f"{rng.choice(VILLAGES)}村院坝",
        "校园法治课": lambda: rng.choice(("青禾镇中心小学", "青禾镇初级中学", "茶岭村小")),
        "企业普法": lambda: rng.choice(("青禾茶业合作社", "岚溪竹木加工厂", "禾丰农机站")),
        "线上推送": lambda: "镇公众号",
    }
    rows = []
    for k, (day, form) in enumerate(zip(dates_in(rng, year, len(forms)), forms, strict=True)):
        theme = rng.choice(themes)
        rows.append(
            {
                "activity_no": f"PF{year}{k + 1:04d}",
                "held_on": mixed_date(rng, day),
                "theme": f"推送：{theme}" if form == "线上推送" else theme,
                "outreach_form": form,
                "place": places[form](),
                "audience": audience[k],
                "leaflets": leaflets.get(k),
            }
        )
    return [
        Sheet(
            "普法活动",
            f"{SHORT}{year}年普法宣传活动登记表",
            "司法所",
            (
                Col("activity_no", "活动编号"),
                Col("held_on", "开展日期", date=True),
                Col("theme", "活动主题", width=22),
                Col("outreach_form", "宣传形式"),
                Col("place", "开展地点", width=16),
                Col("audience", "受众人次", group="宣传成效"),
                Col("leaflets", "发放资料(份)", group="宣传成效"),
            ),
            rows,
            total={"audience": AUDIENCE_TOTAL, "leaflets": LEAFLETS_TOTAL},
            duplicate_after=57,
        )
    ]


def village_sheets(year: int) -> list[Sheet]:
    rng = rng_for(year, "villages")
    names = [(f"{v}村", "村") for v in VILLAGES] + [(f"{c}社区", "社区") for c in COMMUNITIES]
    literates = split_total(rng, LITERATES_TOTAL, len(names), 11, 19)
    posts = set(rng.sample(range(len(names)), LAW_POSTS))
    villages = [
        {
            "village_name": name,
            "village_kind": kind,
            "adviser": person(rng),
            "adviser_signed": "是",
            "legal_literates": literates[k],
            "law_post": flag(k in posts),
        }
        for k, (name, kind) in enumerate(names)
    ]
    bodies = ("禾安调解室", "老茶客说和团", "村调委会", "镇调委会", "诉前调解工作室")
    roster, mobiles = [], set()
    for kind, n in MEDIATORS.items():
        for _ in range(n):
            body = "禾安调解室" if kind == "专职调解员" and rng.random() < 0.5 else rng.choice(bodies)
            mobile = fake.fake_mobile(rng)
            while mobile in mobiles:  # the mobile is the roster's key: one per mediator
                mobile = fake.fake_mobile(rng)
            mobiles.add(mobile)
            roster.append({"mediator": person(rng), "mediator_mobile": mobile, "body": body, "mediator_type": kind})
    rng.shuffle(roster)
    return [
        Sheet(
            "村居一览",
            f"{SHORT}村(社区)法律服务一览表（{year}年）",
            "司法所",
            (
                Col("village_name", "村(社区)名称", width=14),
                Col("village_kind", "村居类型"),
                Col("adviser", "法律顾问"),
                Col("adviser_signed", "是否签订顾问合同", width=16),
                Col("legal_literates", "法律明白人(名)", width=14),
                Col("law_post", "是否建成法治驿站", width=16),
            ),
            villages,
        ),
        Sheet(
            "调解员名册",
            f"{SHORT}人民调解员名册（{year}年）",
            "司法所",
            (
                Col("mediator", "姓名"),
                Col("mediator_mobile", "手机号码", width=14),
                Col("body", "所属调解组织", width=14),
                Col("mediator_type", "人员类型"),
            ),
            roster,
        ),
    ]


def mediation_sheets(year: int) -> list[Sheet]:
    rng = rng_for(year, "mediation")
    total = sum(MEDIATION_MONTHS)
    outcomes = [o for o, n in MEDIATION_OUTCOMES.items() for _ in range(n)]
    # 正在调处 only late in the year; the rest shuffled.
    rest = [o for o in outcomes if o != "正在调处"]
    rng.shuffle(rest)
    outcomes = rest + ["正在调处"] * MEDIATION_OUTCOMES["正在调处"]
    bodies = ["禾安调解室"] * 96 + ["老茶客说和团"] * 58 + ["诉前调解工作室"] * 41 + ["镇调委会"] * 63
    bodies += ["村调委会"] * (total - len(bodies))
    rng.shuffle(bodies)
    kinds = ("土地承包", "婚姻家庭", "邻里纠纷", "山林权属", "劳务报酬", "交通事故", "其他纠纷")
    # Difficult disputes: 27 resolved by 禾安调解室, one 禾安调解室 could not resolve, 9 by others.
    hean_ok = [i for i in range(total) if bodies[i] == "禾安调解室" and outcomes[i] == "调解成功"]
    hean_bad = [i for i in range(total) if bodies[i] == "禾安调解室" and outcomes[i] == "调解不成"]
    others = [i for i in range(total) if bodies[i] != "禾安调解室"]
    difficult = set(rng.sample(hean_ok, DIFFICULT_BY_HEAN)) | set(hean_bad[:1]) | set(rng.sample(others, 9))
    with_amount = sorted(rng.sample(range(total), 160))
    amounts = dict(zip(with_amount, split_total(rng, AGREED_TOTAL, len(with_amount), 2_000, 44_000), strict=True))
    sheets = []
    k = 0
    for month, n in enumerate(MEDIATION_MONTHS, start=1):
        rows = []
        for day in dates_in(rng, year, n, month):
            rows.append(
                {
                    "case_no": f"QHTJ{year}{month:02d}{len(rows) + 1:03d}",
                    "registered_date": mixed_date(rng, day),
                    "dispute_kind": rng.choice(kinds),
                    "applicant": person(rng),
                    "applicant_phone": fake.fake_phone(rng),
                    "mediation_body": bodies[k],
                    "outcome": outcomes[k],
                    "difficult": flag(k in difficult),
                    "agreed_amount": amounts.get(k),
                }
            )
            k += 1
        sheets.append(
            Sheet(
                f"{month}月",
                f"{SHORT}人民调解案件登记簿（{year}年{month}月）",
                "司法所",
                (
                    Col("case_no", "案件编号", width=16),
                    Col("registered_date", "登记日期", date=True),
                    Col("dispute_kind", "纠纷类别"),
                    Col("applicant", "申请人", group="当事人"),
                    Col("applicant_phone", "联系电话", group="当事人", width=14),
                    Col("mediation_body", "调处主体", group="调处情况", width=14),
                    Col("outcome", "调处结果", group="调处情况"),
                    Col("difficult", "是否重大疑难", group="调处情况"),
                    Col("agreed_amount", "协议金额(元)", width=14),
                ),
                rows,
                total={"case_no": f"{n}件", "agreed_amount": sum(r["agreed_amount"] or 0 for r in rows)},
                blank_after=10 if month == 6 else None,
            )
        )
    return sheets


def platform_rows(year: int) -> list[Row]:
    rng = rng_for(year, "platform")
    states = [s for s, n in PLATFORM_STATES.items() for _ in range(n)]
    rng.shuffle(states)
    sources = ("网格员发现", "群众线上申请", "部门移交", "法庭委派")
    issues = ("相邻通行纠纷", "茶园承包费纠纷", "务工工资结算纠纷", "宅基地边界纠纷", "家庭赡养纠纷", "林地界址纠纷")
    rows = []
    for k, (day, state) in enumerate(zip(dates_in(rng, year, len(states)), states, strict=True)):
        moment = dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59)))
        name, phone = person(rng), fake.fake_mobile(rng)
        online = rng.random() < 0.6
        rows.append(
            {
                "intake_no": f"DYHJ{year}{k + 1:05d}",
                "entered_at": moment.strftime("%Y-%m-%d %H:%M:%S"),
                "source": rng.choice(sources),
                "summary": f"{name}反映{rng.choice(issues)}" + (f"，联系电话{phone}" if online else ""),
                "state": state,
                "days_taken": rng.randint(1, 28) if state != "化解中" else None,
                "applicant_mobile": phone if online else None,
            }
        )
    return rows


def visits_sheets(year: int) -> list[Sheet]:
    rng = rng_for(year, "visits")
    n = VISITS[year]
    forms = ("来信", "来访", "来访", "网上信访", "热线转办")
    issues = ("征地拆迁", "农村农业", "劳动保障", "山林水利", "民生救助", "其他事项")
    if year in (2025,):
        evaluations = [e for e, m in EVALUATIONS_2025.items() for _ in range(m)]
    else:
        evaluations = [rng.choice(("满意", "满意", "基本满意", "不满意", "未评价")) for _ in range(n)]
    rng.shuffle(evaluations)
    rows = []
    for k, day in enumerate(dates_in(rng, year, n)):
        name, phone = person(rng), fake.fake_phone(rng)
        rows.append(
            {
                "register_no": f"QHXF{year}-{k + 1:03d}",
                "registered_on": mixed_date(rng, day),
                "visit_form": rng.choice(forms),
                "visitor": name,
                "visitor_id_number": fake.fake_id_number(rng),
                "visitor_phone": phone,
                "issue": rng.choice(issues),
                "content": fake.complaint_narrative(rng, name, phone),
                "closed_on_time": "是" if year == 2025 or rng.random() < 0.95 else "否",
                "evaluation": evaluations[k],
            }
        )
    return [
        Sheet(
            "来信来访",
            f"{SHORT}来信来访登记簿（{year}年）",
            "信访办",
            (
                Col("register_no", "登记号", width=14),
                Col("registered_on", "登记日期", date=True),
                Col("visit_form", "来访形式"),
                Col("visitor", "姓名", group="反映人"),
                Col("visitor_id_number", "身份证号码", group="反映人", width=22),
                Col("visitor_phone", "联系电话", group="反映人", width=14),
                Col("issue", "事项类别"),
                Col("content", "反映内容", width=40),
                Col("closed_on_time", "是否按期办结"),
                Col("evaluation", "回访评价"),
            ),
            rows,
        )
    ]


def enforcement_sheets(year: int) -> list[Sheet]:
    rng = rng_for(year, "enforcement")
    kinds = [x for x, n in INSPECTIONS.items() for _ in range(n)]
    rng.shuffle(kinds)
    parties = PARTIES
    officers = [person(rng) for _ in range(8)]
    inspections = [
        {
            "inspection_no": f"JC{year}{k + 1:04d}",
            "inspected_on": mixed_date(rng, day),
            "inspected_party": f"{rng.choice(VILLAGES)}{rng.choice(parties)}",
            "inspection_kind": kind,
            "problem_found": flag(rng.random() < 0.22),
            "officer": rng.choice(officers),
        }
        for k, (day, kind) in enumerate(zip(dates_in(rng, year, len(kinds)), kinds, strict=True))
    ]
    causes = ("占道经营", "违规搭建", "未按规定处置建筑垃圾", "违规焚烧秸秆", "擅自砍伐林木", "餐饮油烟超标排放")
    filed = dates_in(rng, year, PENALTIES, None)
    filed = [d if d.month < 12 else d.replace(day=min(d.day, 10)) for d in filed]  # closed within the year
    open_cases = set(range(PENALTIES - PENALTIES_OPEN, PENALTIES))
    fined = [k for k in range(PENALTIES) if k not in open_cases and k % 7 != 3]
    fines = dict(zip(fined, [x * 100 for x in split_total(rng, FINES_TOTAL // 100, len(fined), 5, 70)], strict=True))
    penalties = []
    for k, day in enumerate(filed):
        closed = None if k in open_cases else min(day + dt.timedelta(days=rng.randint(5, 25)), dt.date(year, 12, 31))
        penalties.append(
            {
                "case_no": f"岚青执罚〔{year}〕{k + 1}号",
                "filed_date": mixed_date(rng, day),
                "cause": rng.choice(causes),
                "offender": person(rng),
                "closed_date": closed,
                "fine_yuan": fines.get(k),
            }
        )
    return [
        Sheet(
            "行政检查",
            f"{SHORT}{year}年行政检查登记表",
            "综合行政执法队",
            (
                Col("inspection_no", "检查编号"),
                Col("inspected_on", "检查日期", date=True),
                Col("inspected_party", "检查对象", width=18),
                Col("inspection_kind", "检查类别"),
                Col("problem_found", "是否发现问题"),
                Col("officer", "执法人员"),
            ),
            inspections,
        ),
        Sheet(
            "处罚案件",
            f"{SHORT}{year}年行政处罚案件登记表",
            "综合行政执法队",
            (
                Col("case_no", "案件编号", width=20),
                Col("filed_date", "立案日期", date=True),
                Col("cause", "案由", width=18),
                Col("offender", "当事人"),
                Col("closed_date", "结案日期", date=True),
                Col("fine_yuan", "罚没款(元)"),
            ),
            penalties,
            total={"fine_yuan": FINES_TOTAL},
        ),
    ]


# ------------------------------------------------------------------------------------------------
# Writing
# ------------------------------------------------------------------------------------------------


def write_sheet(ws: Worksheet, sheet: Sheet, year: int) -> None:
    """Title row, 填报单位 line, one- or two-row header with a 序号 column, data, 合计, 填表人 line."""
    width = len(sheet.columns) + 1
    two_rows = any(c.group for c in sheet.columns)
    ws.cell(1, 1, f"{sheet.title}（虚构单位，合成数据）").font = TITLE_FONT
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(1, 1).alignment = CENTER
    ws.cell(2, 1, f"填报单位：{UNIT}{sheet.keeper}（虚构）")
    top = 3
    leaf_row = top + 1 if two_rows else top
    headers = [Col("_index", "序号", width=6), *sheet.columns]
    j = 1
    while j <= len(headers):
        col = headers[j - 1]
        if col.group is None:
            ws.cell(top, j, col.header).font = BOLD
            ws.cell(top, j).alignment = CENTER
            if two_rows:
                ws.merge_cells(start_row=top, start_column=j, end_row=leaf_row, end_column=j)
            j += 1
            continue
        span = j
        while span + 1 <= len(headers) and headers[span].group == col.group:
            span += 1
        ws.cell(top, j, col.group).font = BOLD
        ws.cell(top, j).alignment = CENTER
        if span > j:
            ws.merge_cells(start_row=top, start_column=j, end_row=top, end_column=span)
        for k in range(j, span + 1):
            ws.cell(leaf_row, k, headers[k - 1].header).font = BOLD
            ws.cell(leaf_row, k).alignment = CENTER
        j = span + 1
    r = leaf_row + 1
    for i, row in enumerate(sheet.rows):
        copies = 2 if sheet.duplicate_after == i else 1
        for _ in range(copies):
            ws.cell(r, 1, i + 1)
            for k, col in enumerate(sheet.columns, start=2):
                value = row[col.key]
                cell = ws.cell(r, k, value)
                if isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
            r += 1
        if sheet.blank_after == i:
            r += 1
    if sheet.total is not None:
        ws.cell(r, 1, "合计").font = BOLD
        for k, col in enumerate(sheet.columns, start=2):
            if col.key in sheet.total:
                ws.cell(r, k, sheet.total[col.key]).font = BOLD
        r += 1
    ws.cell(r + 1, 1, f"填表人：（合成数据）    审核人：（合成数据）    填报日期：{year + 1}年1月6日")
    for k, col in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(k)].width = col.width
    ws.freeze_panes = ws.cell(leaf_row + 1, 2)


def write_workbook(path: Path, sheets: Sequence[Sheet], year: int) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    fixed = dt.datetime(year + 1, 1, 6, 9, 0, 0)
    wb.properties.creator = CREATOR
    wb.properties.lastModifiedBy = CREATOR
    wb.properties.title = f"{SHORT}{year}年台账(虚构单位，合成数据)"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    for sheet in sheets:
        write_sheet(wb.create_sheet(sheet.name), sheet, year)
    wb.save(path)
    normalise_xlsx(path, fixed.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return path


PLATFORM_HEADER = (
    ("intake_no", "受理编号"),
    ("entered_at", "录入时间"),
    ("source", "纠纷来源"),
    ("summary", "纠纷简述"),
    ("state", "化解状态"),
    ("days_taken", "办理时长(天)"),
    ("applicant_mobile", "申请人手机"),
)


def write_platform_csv(path: Path, year: int) -> Path:
    """The platform export: GB18030, CRLF, an 导出时间 line above the header, no 序号."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([f"导出时间：{year + 1}-01-06 09:00:00（虚构单位，合成数据）"])
    writer.writerow([h for _, h in PLATFORM_HEADER])
    for row in platform_rows(year):
        writer.writerow(["" if row[k] is None else row[k] for k, _ in PLATFORM_HEADER])
    path.write_bytes(buf.getvalue().encode("gb18030"))
    return path


def write_manifest(out_dir: Path, year: int, ledgers: Sequence[str]) -> Path:
    files = sorted((p for p in out_dir.iterdir() if p.is_file() and p.name != MANIFEST_NAME), key=lambda p: p.name)
    manifest = {
        "unit": UNIT,
        "year": year,
        "synthetic": True,
        "note": MANIFEST_NOTE,
        "generator": GENERATOR_NAME,
        "ledgers": list(ledgers),
        "files": [
            {"name": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest(), "bytes": p.stat().st_size}
            for p in files
        ],
    }
    path = out_dir / MANIFEST_NAME
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def generate_year(year: int, out_dir: Path) -> list[Path]:
    """Write the year's ledger files and MANIFEST.yaml (2024: the 来信来访 register only)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if year == 2024:
        written.append(write_workbook(out_dir / f"{year}年{SHORT}信访登记簿.xlsx", visits_sheets(year), year))
        written.append(write_manifest(out_dir, year, ["letters_visits"]))
        return written
    written.append(write_workbook(out_dir / f"{year}年{SHORT}学法用法台账.xlsx", study_sheets(year), year))
    written.append(write_workbook(out_dir / f"{year}年{SHORT}普法宣传台账.xlsx", outreach_sheets(year), year))
    written.append(write_workbook(out_dir / f"{year}年{SHORT}村居法律服务台账.xlsx", village_sheets(year), year))
    written.append(write_workbook(out_dir / f"{year}年{SHORT}人民调解登记簿.xlsx", mediation_sheets(year), year))
    written.append(write_platform_csv(out_dir / f"矛盾纠纷多元化解平台导出_{year}.csv", year))
    written.append(write_workbook(out_dir / f"{year}年{SHORT}信访登记簿.xlsx", visits_sheets(year), year))
    written.append(write_workbook(out_dir / f"{year}年{SHORT}综合执法台账.xlsx", enforcement_sheets(year), year))
    # The MANIFEST lists the unit's ledgers in its configuration's (cleaning) order.
    ledgers = [ledger.table for ledger in load_unit(DEFAULT_OUT).ledgers]
    written.append(write_manifest(out_dir, year, ledgers))
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write the fictional second unit's synthetic ledgers (虚构单位，合成数据)."
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="the unit's raw root (default examples/qinghe/raw)"
    )
    args = parser.parse_args(argv)
    for year in YEARS:
        for path in generate_year(year, args.out / str(year)):
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
