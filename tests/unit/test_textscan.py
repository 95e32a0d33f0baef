"""Every number in the report text is found once, with the right span, value and kind."""

from decimal import Decimal
from pathlib import Path

import pytest

from lawreport.text.scan import KINDS, NumberMention, scan_numbers

# The report text the repository holds (the sample year's report.txt); never skipped: if it is missing the
# tests fail, because the repository is broken.
REPORT = Path(__file__).resolve().parents[2] / "data" / "raw" / "2025" / "report.txt"


@pytest.fixture(scope="module")
def report() -> str:
    assert REPORT.is_file(), f"{REPORT} is missing from the repository"
    return REPORT.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def mentions(report: str) -> list[NumberMention]:
    return scan_numbers(report)


def find(report: str, mentions: list[NumberMention], context: str, text: str, nth: int = 0) -> NumberMention:
    """The mention whose span is `text` inside the nth occurrence of `context` in the report."""
    at = -1
    for _ in range(nth + 1):
        at = report.index(context, at + 1)
    start = at + context.index(text)
    matches = [m for m in mentions if m.start == start and m.end == start + len(text)]
    assert matches, (
        f"no mention {text!r} at {start} in {context!r}; near: {[m for m in mentions if abs(m.start - start) < 8]}"
    )
    return matches[0]


@pytest.mark.parametrize(
    "context, text, value, kind, unit",
    [
        ("信访事项51件", "51", 51, "number", "件"),
        ("按期办结率达到100%", "100%", 100, "percent", "%"),
        ("矛盾纠纷6000余件", "6000余", 6000, "above_approx", "件"),
        ("化解成功率达99.85%", "99.85%", Decimal("99.85"), "percent", "%"),
        ("发放宣传资料5万余份", "5万余", 50000, "above_approx", "份"),
        ("覆盖群众约8万人次", "约8万", 80000, "about", "人次"),
        ("挽回经济损失30余万元", "30余万", 300000, "above_approx", "元"),
        ("解决各类问题8300多件", "8300多", 8300, "above_approx", "件"),
        ("普法活动50余场次", "50余", 50, "above_approx", "场次"),
        ("咨询服务共计300余人次", "300余", 300, "above_approx", "人次"),
        ("处置网格上报事件320余条", "320余", 320, "above_approx", "条"),
        ("下降47.31%和48%", "47.31%", Decimal("47.31"), "percent", "%"),
        ("下降47.31%和48%", "48%", 48, "percent", "%"),
        ("街道连续4年到市集访", "连续4年", 4, "streak", "年"),
        ("全体14名执法人员", "14", 14, "number", "名"),
        ("活跃数14人", "14", 14, "number", "人"),
        ("行政检查506户次", "506", 506, "number", "户次"),
        ("行政处罚立案390件", "390", 390, "number", "件"),
        ("结案389件", "389", 389, "number", "件"),
        ("行政检查规范率99.7%", "99.7%", Decimal("99.7"), "percent", "%"),
        ("罚没20400元", "20400", 20400, "number", "元"),
        ("议事代表建议等17件", "17", 17, "number", "件"),
        ("投诉回复处置627件", "627", 627, "number", "件"),
        ("添置巡逻车17台", "17", 17, "number", "台"),
        ("每月推送普法资讯不少于4条", "不少于4", 4, "at_least", "条"),
        ("2025年已组织专题学法6次", "2025年", 2025, "date", ""),
        ("2025年已组织专题学法6次", "6", 6, "number", "次"),
        ("“4·15”国家安全日", "4·15", None, "date", ""),
        ("“12·4”国家宪法日", "12·4", None, "date", ""),
        ("与“141”平台贯通", "141", 141, "in_name", ""),
        ("以“八五”普法为抓手", "八五", None, "in_name", ""),
        ("法律“七进”活动", "七进", None, "in_name", ""),
        ("以“三见四巡”提升", "三见四巡", None, "in_name", ""),
        ("技防“三位一体”防控", "三位一体", None, "in_name", ""),
        ("12345、12319、网络问政", "12345", 12345, "in_name", ""),
        ("12345、12319、网络问政", "12319", 12319, "in_name", ""),
        ("九类街面110警情", "110", 110, "in_name", ""),
        ("九类街面110警情", "九", 9, "number", "类"),
        ("制作短视频、H5等", "H5", None, "in_name", ""),
        ("各修建一座", "一", 1, "number", "座"),
        ("位居全县第一", "第一", 1, "rank", ""),
        ("扛牢第一责任人职责", "第一", 1, "rank", ""),
        ("近两年主办", "两", 2, "number", "年"),
        ("”三级处置机制", "三", 3, "number", "级"),
        ("避免一人多岗导致", "一人多岗", None, "phrase", ""),
        ("打造2~3个村", "2~3", None, "range", "个"),
    ],
)
def test_report_mentions(report, mentions, context, text, value, kind, unit):
    mention = find(report, mentions, context, text)
    assert mention.text == text
    assert mention.value == (None if value is None else Decimal(value))
    assert mention.kind == kind
    assert mention.unit == unit


def test_both_quoted_zeros(report, mentions):
    zeros = [m for m in mentions if m.kind == "zero"]
    assert len(zeros) == 2
    assert all(m.text == "零" and m.value == 0 and report[m.start - 1] == "“" for m in zeros)
    assert find(report, mentions, "进京上访“零”发生", "零").kind == "zero"
    assert find(report, mentions, "非正常死亡“零”发生", "零").kind == "zero"


def test_range_keeps_both_ends(report, mentions):
    mention = find(report, mentions, "打造2~3个村", "2~3")
    assert (mention.low, mention.high) == (Decimal(2), Decimal(3))
    assert not [m for m in mentions if m.start in (mention.start, mention.start + 2) and m is not mention]


def test_enumerators_are_not_reported(report, mentions):
    texts = [report[m.start - 1 : m.end + 1] for m in mentions]
    for label in ("一是", "二是", "三是", "四是"):
        assert not any(label in t for t in texts), label
    for m in mentions:
        before, after = report[m.start - 1 : m.start], report[m.end : m.end + 1]
        assert not (before == "(" and after == ")"), m  # (一)…(六)
        assert not ((m.start == 0 or report[m.start - 1] == "\n") and after == "、"), m  # 一、 heading


def test_words_that_only_contain_a_numeral_are_not_reported(report, mentions):
    spans = {(m.start, m.end) for m in mentions}
    for word in ("进一步", "下一步", "一定", "一些", "于一体", "一体化"):
        at = report.index(word)
        assert not any(s < at + len(word) and at < e for s, e in spans), word


def test_mentions_are_sorted_and_disjoint(report, mentions):
    assert mentions == sorted(mentions, key=lambda m: m.start)
    for a, b in zip(mentions, mentions[1:], strict=False):
        assert a.end <= b.start
    for m in mentions:
        assert report[m.start : m.end] == m.text
        assert m.kind in KINDS


def test_no_arabic_digit_is_left_unreported(report, mentions):
    covered = set()
    for m in mentions:
        covered.update(range(m.start, m.end))
    missed = [i for i, ch in enumerate(report) if ch.isdigit() and i not in covered]
    assert not missed, [report[i - 5 : i + 5] for i in missed]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("共受理１２件", [("１２", 12, "number", "件")]),
        ("打造2至3个示范点", [("2至3", None, "range", "个")]),
        ("打造2-3个示范点", [("2-3", None, "range", "个")]),
        ("２０２５年", [("２０２５年", 2025, "date", "")]),
        ("１００％", [("１００％", 100, "percent", "%")]),
        ("约两万人", [("约两万", 20000, "about", "人")]),
        ("二十余人", [("二十余", 20, "above_approx", "人")]),
        ("8万人左右", [("8万人左右", 80000, "about", "人")]),
        ("4条以上", [("4条以上", 4, "at_least", "条")]),
        ("超过300名", [("超过300", 300, "more_than", "名")]),
        ("连续三年“零”发生", [("连续三年", 3, "streak", "年"), ("零", 0, "zero", "")]),
        ("1,200人次", [("1,200", 1200, "number", "人次")]),
        ("分别为3,4件", [("3", 3, "number", ""), ("4", 4, "number", "件")]),
        ("2025年3月5日14:30", [("2025年3月5日", None, "date", ""), ("14:30", None, "time", "")]),
        ("上升2.5个百分点", [("2.5", Decimal("2.5"), "points", "个百分点")]),
        ("排名第3", [("第3", 3, "rank", "")]),
        ("（一）工作\n一、举措\n二是落实。三是", []),
        ("(1)推进", []),
        ("两个社区各三个", [("两", 2, "number", "个"), ("三", 3, "number", "个")]),
        ("拨打12345热线,受理110件", [("12345", 12345, "in_name", ""), ("110", 110, "number", "件")]),
        ("进一步统一思想,取得一定成绩", []),
    ],
)
def test_synthetic_text(text, expected):
    found = [(m.text, m.value, m.kind, m.unit) for m in scan_numbers(text)]
    assert found == [(t, None if v is None else Decimal(v), k, u) for t, v, k, u in expected]
