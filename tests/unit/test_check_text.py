"""`lawreport check`'s text layer on sentences written in the test: roles, intervals, relations.

Each relation kind has a sentence where it holds and one where it fails, with the arithmetic done
here by hand; `unclear` cases guard against accusing a report on a reading that is not certain.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from lawreport.params import PROJECT_ROOT
from lawreport.text.check import check_text
from lawreport.text.mentions import find_mentions


def roles(text: str) -> dict[str, str]:
    return {m.text: m.role for m in find_mentions(text)}


def verdicts(text: str) -> list[tuple[str, str]]:
    return [(r.kind, r.verdict) for r in check_text(text).relations]


@pytest.mark.parametrize(
    ("text", "mention", "role"),
    [
        ("根据垫委发〔2024〕12号文件，共受理信访件51件。", "〔2024〕12号", "doc_number"),
        ("根据垫委发〔2024〕12号文件，共受理信访件51件。", "51", "figure"),
        ("深入学习贯彻党的二十大和二十届三中全会精神。", "党的二十大", "name"),
        ("深入学习贯彻党的二十大和二十届三中全会精神。", "二十届三中全会", "name"),
        ("2021—2025年期间，共开展活动12场。", "2021—2025年", "period"),
        ("五星乡共调解纠纷30件。", "五星乡", "name"),
        ("开展法律七进活动。", "法律七进", "name"),
        ("落实第一责任人职责。", "第一责任人", "name"),
        ("拨打12345热线反映问题。", "12345", "name"),
        ("一、主要工作\n（一）学法情况", "一、", "heading"),
        ("一、主要工作\n（一）学法情况", "（一）", "heading"),
        ("2025年3月5日召开会议。", "2025年3月5日", "date"),
        ("构建社区调解、街道督办三级处置机制。", "三", "name"),  # 三 with 级: a name, not a count
        ("每季度开展1次执法检查。", "1", "commitment"),
        ("三、下一步工作打算\n力争培训3次以上。", "3次以上", "commitment"),
        ("到2027年，调解成功率达到98%。", "98%", "commitment"),  # 到 a year: a target
        ("由2022年的45件下降到2023年的38件。", "38", "figure"),  # 下降到 a year: where it came to
        ("近两年主办建议17件。", "近两年", "period"),
    ],
)
def test_each_mention_gets_its_role(text, mention, role):
    assert roles(text)[mention] == role


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("挽回经济损失2.7万元。", "26500", "27500"),  # rounded at 0.1万
        ("排查矛盾纠纷6000余件。", "6000", "7000"),
        ("受理51件。", "51", "51"),
        ("接待群众近3万人次。", "20000", "30000"),
    ],
)
def test_figures_carry_the_interval_their_wording_allows(text, low, high):
    [figure] = [m for m in find_mentions(text) if m.role == "figure"]
    assert (figure.low, figure.high) == (Decimal(low), Decimal(high))


def test_a_figure_knows_its_words_and_period():
    mention = next(m for m in find_mentions("今年以来，共受理信访件51件。") if m.role == "figure")
    assert "共" in mention.wording and mention.period == "今年以来"


RELATIONS = [
    # (sentence, expected (kind, verdict) among the relations found)
    ("共受理信访件120件，其中来信80件、来访40件。", ("part_whole", "holds")),  # 80 + 40 = 120
    ("共受理信访件120件，其中来信80件、来访45件。", ("part_whole", "fails")),  # 80 + 45 = 125 > 120
    ("共受理信访件120件，其中来信80件、来访30件。", ("part_whole", "unclear")),  # 110 < 120, not listed in full
    (
        "共调解纠纷200件，其中婚姻纠纷120件、邻里纠纷50件、其他纠纷20件。",
        ("part_whole", "fails"),
    ),  # 190 ≠ 200, 其他 closes it
    ("共受理案件100余件，其中刑事案件60件、民事案件50件。", ("part_whole", "unclear")),  # 110 fits in (100, 200)
    ("共受理信访件20件，其中来信25件、来访1件。", ("subset", "fails")),  # one part alone above the whole
    ("开展活动共50场，分别为讲座20场、广场活动18场、进校园12场。", ("part_whole", "holds")),  # 20 + 18 + 12
    ("开展活动共50场，分别为讲座20场、广场活动18场、进校园10场。", ("part_whole", "fails")),  # 48 ≠ 50
    ("全年共办理复议案件15件，办结14件，办结率93.3%。", ("rate_counts", "holds")),  # 14/15 = 93.33%
    ("全年共办理复议案件15件，办结14件，办结率95%。", ("rate_counts", "fails")),  # 14/15 = 93%
    ("全年共受理案件7件，结案率达到85.5%。", ("attainability", "fails")),  # k/7: 85.7%, 71.4%: never 85.5%
    ("全年共受理案件7件，结案率达到85.7%。", ("attainability", "holds")),  # 6/7 = 85.71%
    ("行政检查506户次，行政检查规范率99.7%。", ("attainability", "fails")),  # 504/506 = 99.6, 505/506 = 99.8
    ("满意度从90%提高到95%，提高5%。", ("points_vs_percent", "fails")),  # 5 points; (95-90)/90 = 5.6%
    ("满意度从90%提高到95%，提高5个百分点。", ("points_vs_percent", "holds")),
    ("满意度从90%提高到95%，提高5.6%。", ("points_vs_percent", "holds")),  # relative change written right
    ("满意度从95%提高到98%，提高3%。", ("points_vs_percent", "unclear")),  # 3 points and 3.2% both round to 3
    ("受理信访案件51件，同比下降47.42%(上年97件)。", ("yoy", "holds")),  # (97-51)/97 = 47.42%
    ("受理信访案件51件，同比下降47.31%(上年97件)。", ("yoy", "fails")),
    ("其中本地户籍占比65%，外地户籍占比40%。", ("share_sum", "fails")),  # 105% of one whole
    # 其中 opening the next sentence, parts over semicolons, closed by 其他: 60 + 30 + 5 = 95 ≠ 100
    ("共办理案件100件，同比上升5%。其中，处罚60件；许可30件；其他5件。", ("part_whole", "fails")),
    # A bracketed detail is not a part: 60 + 40 = 100 (the 8 is inside 60)
    ("共办理案件100件，其中处罚60件(重大处罚8件)、许可40件。", ("part_whole", "holds")),
    # The parts themselves in brackets after the total: 40 + 5 = 45; 40 + 6 = 46 > 45
    ("全年共受理矛盾纠纷45件(其中调解成功40件、未成功5件)。", ("part_whole", "holds")),
    ("全年共受理矛盾纠纷45件（其中调解成功40件、未成功6件）。", ("part_whole", "fails")),
    ("共计立案查处390件(其中简易程序110件,普通程序280件)。", ("part_whole", "holds")),  # 110 + 280
    # A bounded percentage holds when the counts' rate lies within its bound: 194/200 = 97% ≥ 95%
    ("共审查合同200份，其中提出意见194份，占比95%以上。", ("rate_counts", "holds")),
    ("共审查合同200份，其中提出意见180份，占比95%以上。", ("rate_counts", "fails")),  # 90% < 95%
    ("全年共办理复议案件15件，办结14件，办结率超过95%。", ("rate_counts", "fails")),  # 93.3% ≤ 95%
    ("全年共审结复议申请135件，其中纠错29件，纠错率约19.2%。", ("rate_counts", "fails")),  # 21.5%, not 约19.2%
    ("全年共受理案件7件，结案率达到90%以上。", ("attainability", "holds")),  # 7/7 = 100%
    ("全年共受理案件7件，结案率约85.5%。", ("attainability", "fails")),  # 6/7 = 85.7%: not in [85.45, 85.55)
    # This value, then the earlier one it is compared with: 8.4 − 5.2 = 3.2 points; |5.2 − 8.4| ÷ 8.4 = 38.1%
    ("败诉率为5.2%，较2022年的8.4%下降3.2个百分点。", ("points_vs_percent", "holds")),
    ("败诉率为5.2%，较2022年的8.4%下降3.1个百分点。", ("points_vs_percent", "fails")),
    ("败诉率为5.2%，较2022年的8.4%下降3.2%。", ("points_vs_percent", "fails")),  # points written as percent
    ("败诉率为5.2%，较上年的8.4%下降38.1%。", ("points_vs_percent", "holds")),
    # Shares of one whole, each rounded at one decimal, may sum to 100.1% but not to 100.2%
    ("其中本地户籍占比33.4%，外地户籍占比66.8%。", ("share_sum", "fails")),
    # A change between two counts stated 由…到…: (45 − 38) ÷ 45 = 15.56%
    ("由2022年的45件下降到2023年的38件，下降15.6%。", ("yoy", "holds")),
    ("由2022年的45件下降到2023年的38件，下降15.5%。", ("yoy", "fails")),
    ("受理案件从120件增加至150件，增长25%。", ("yoy", "holds")),  # 30 ÷ 120
]


@pytest.mark.parametrize(
    ("text", "expected"), RELATIONS, ids=[f"{k}-{v}-{i}" for i, (_, (k, v)) in enumerate(RELATIONS)]
)
def test_relations_and_verdicts(text, expected):
    found = verdicts(text)
    assert expected in found, found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 849起 is a bracketed detail of 43257件, not the total of the parts after it: 40000 + 3257 = 43257
        ("行政处罚共43257件(重大行政处罚849起)，其中简易程序40000件、普通程序3257件。", [("part_whole", "holds")]),
        # The list in brackets ends where they close: 12 is not one of its parts
        ("共受理45件(其中成功40件、未成功5件)，另有12件转交。", [("part_whole", "holds")]),
        # The rate names the count just before it: that count may be its numerator, 275 its base (99.3%)
        ("受理矛盾纠纷275件,化解273件,化解成功率达98.2%。", [("attainability", "unclear")]),
        # A bound is not a change, and a bound no rule reads allows no check
        ("受理信访案件51件，同比下降40%以上(上年97件)。", []),
        ("满意度从90%提高到95%，提高5%以上。", []),
        ("共审查合同200份，其中提出意见194份，占比95%以下。", []),
        ("共审查合同200份，其中提出意见194份，占比95%左右。", [("rate_counts", "fails")]),  # 97% ∉ [94.5, 95.5)
        # A rate's earlier state (由原来的…) is not a rate of the counts before it (www.zjxc.gov.cn, 2023)
        ("共划转新案由215起，综合行政执法处罚领域覆盖率由原来的37.55%提升到95.65%。", []),
        # An open bound holds on the exact rate, though it rounds to the bound: 953/1000 = 95.3%, 47/1000 = 4.7%
        ("共受理案件1000件，其中调解953件，占比超过95%。", [("rate_counts", "holds")]),
        ("共受理1000件，办结953件，办结率逾95%。", [("rate_counts", "holds")]),
        ("共受理案件1000件，其中调解47件，占不足5%。", [("rate_counts", "holds")]),
        # 不超过 is not 超过: a bound no rule reads, so no check (it was read as 超过5% and failed)
        ("共受理案件1000件，其中调解30件，占比不超过5%。", []),
        ("共受理案件1000件，其中调解30件，占比未超过5%。", []),
        # A total may hold a bracket, a year or a name before its figure: 100 + 20 = 120, 60/100 = 60%
        (
            "全年共收到申请300件，共办结申请（含上年结转）120件，其中予以公开100件、其他20件。",
            [("part_whole", "holds")],
        ),
        ("共收到申请200件，共办结2023年度申请100件，其中公开60件，公开率60%。", [("rate_counts", "holds")]),
        # A closing bracket with none open (一) 二) enumerators, a stray one) does not end the list: 60+30+10
        ("共受理案件100件，分别为：一)民事案件60件，二)刑事案件30件，三)行政案件10件。", [("part_whole", "holds")]),
        ("共受理案件100件，分别为民事案件60件，刑事案件30件含自诉)，行政案件10件。", [("part_whole", "holds")]),
        # Points with a bound word after 个百分点 are a bound, not the change
        ("结案率从90%提高到95.5%，提高5个百分点以上。", []),
        ("其中本地户籍占比33.4%，外地户籍占比66.7%。", []),  # 33.35 + 66.65 = 100 can be written so
        # A change whose direction the two counts contradict is not read as their change
        ("从45件增长到38件，增长15.6%。", []),
        # A minus sign turns a change round: 增长-12.4% is a fall of 17 ÷ 137 = 12.4% (it was read as a rise)
        ("受理案件120件，同比增长-12.4%，2023年为137件。", [("yoy", "holds")]),
        ("受理案件120件，同比增长负12.4%，2023年为137件。", [("yoy", "holds")]),
        ("受理案件154件，同比增长-12.4%，2023年为137件。", [("yoy", "fails")]),  # a rise of 12.4%
        ("受理案件120件，同比增长12.4%，2023年为137件。", [("yoy", "fails")]),  # a fall, written as a rise
        ("受理案件120件，同比下降-12.4%，2023年为137件。", [("yoy", "unclear")]),  # a fall written twice over?
        ("由2022年的45件下降到2023年的38件，增长-15.6%。", [("yoy", "holds")]),
        ("受理100件，办结98件，办结率-98%。", []),  # a negative percentage is no rate of counts
        # A word after a list's last percentage bounds each: k/7 is never 85%, but 6/7 is 85%以上 (was fails)
        (
            "全年共受理案件7件，调解率、结案率分别达到85%、90%以上。",
            [("attainability", "holds"), ("attainability", "holds")],
        ),
    ],
)
def test_exactly_these_relations(text, expected):
    assert verdicts(text) == expected


def test_a_bounded_percentage_carries_its_bound_from_the_figure_rules():
    [share] = [m for m in find_mentions("占比95%以上。") if m.kind == "percent"]
    assert (share.qualifier, share.low, share.high) == ("以上", Decimal(95), None)
    [near] = [m for m in find_mentions("调撤率近25%。") if m.kind == "percent"]
    assert (near.low, near.high) == (Decimal(24), Decimal(25))  # as parse_figure reads 近25
    [plain] = [m for m in find_mentions("办结率95%。") if m.kind == "percent"]
    assert plain.exact and plain.qualifier == ""
    listed = [m for m in find_mentions("分别达到60%、70%、80%以上。") if m.kind == "percent"]
    assert [(m.qualifier, m.low, m.high) for m in listed] == [("以上", Decimal(v), None) for v in (60, 70, 80)]
    apart = [m for m in find_mentions("办结率98%、满意率90%以上。") if m.kind == "percent"]
    assert [m.qualifier for m in apart] == ["", "以上"]  # words between: not one list


def test_a_minus_sign_belongs_to_the_percentage_it_stands_before():
    [fall] = [m for m in find_mentions("同比增长-12.5%。") if m.kind == "percent"]
    assert (fall.text, fall.value, fall.negative, fall.exact) == ("-12.5%", Decimal("-12.5"), True, True)
    [bounded] = [m for m in find_mentions("同比增长-12.5%以上。") if m.kind == "percent"]
    assert bounded.negative and bounded.low is None and bounded.high is None  # no rule reads it
    [dash] = [m for m in find_mentions("结案率a-12.5%。") if m.kind == "percent"]
    assert not dash.negative and dash.value == Decimal("12.5")  # a dash after a letter is no sign


def test_a_sentence_with_no_end_is_judged_in_pieces_of_bounded_length():
    from lawreport.text.relations import _LONGEST_SENTENCE, _sentences

    text = "共受理45件，其中成功40件、未成功5件，" * 400  # 8,000 characters, no 。
    pieces = _sentences(text)
    assert len(pieces) > 1 and all(b - a <= _LONGEST_SENTENCE for a, b in pieces)
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(a == b for (_, a), (b, _) in zip(pieces, pieces[1:], strict=False))  # contiguous
    assert all(text[b - 1] == "，" for _, b in pieces[:-1])  # cut after a comma
    assert {(r.kind, r.verdict) for r in check_text(text).relations} == {("part_whole", "holds")}


def test_no_relation_is_invented_between_unrelated_figures():
    text = "全年开展普法宣传50场，发放资料3000份，受理法律咨询120人次。"
    assert verdicts(text) == []


def test_a_relation_names_its_mentions_and_explains_in_chinese():
    document = check_text("共受理信访件120件，其中来信80件、来访45件。")
    [relation] = [r for r in document.relations if r.kind == "part_whole"]
    assert [document.mentions[i].text for i in relation.mentions] == ["120", "80", "45"]
    assert "125" in relation.explanation and "120" in relation.explanation
    assert document.sentence_of(relation).startswith("共受理信访件120件")


def test_the_bundled_report_without_its_register():
    # The register marks 99.7% of 506 inspections as 报告自身矛盾: the check finds it with no ledger.
    text = (PROJECT_ROOT / "data" / "raw" / "2025" / "report.txt").read_text(encoding="utf-8")
    document = check_text(text, "report.txt")
    fails = [r for r in document.relations if r.verdict == "fails"]
    assert [(r.kind, document.mentions[r.mentions[-1]].text) for r in fails] == [("attainability", "99.7%")]
    assert sum(1 for m in document.mentions if m.role == "figure") >= 45


def test_json_offsets_point_into_the_text_as_given():
    text = "\ufeff共受理信访件１２０件，其中来信80件。"
    document = check_text(text)
    for mention in document.to_json()["mentions"]:
        assert text[mention["start"] : mention["end"]] == mention["text"]
    assert Path  # offsets are into the text exactly as read


# Passages on which a reading error gave a false 不成立 (a helper's hostile try). Real ones with their address
# (www.linyi.gov.cn as stored; wfqyp.cn's page is in traditional characters, given here in simplified ones).
NO_FALSE_FAILS = [
    # http://www.linyi.gov.cn/info/4782/350485.htm: 8 is the numerator (8/121 = 6.61%), not the base
    "共交办积案1876件,本周化解45件,累计化解638件,化解率34.01%,较高的县区有:平邑、蒙阴、沂水,较低的有:河东、罗庄、兰山。"
    "市直部门单位累计化解8件,化解率6.61%。",
    # http://wfqyp.cn/jdhy/lysl/1629008674418622466.html: 430 + 1133 = 1563, and 1121 ÷ 1133 = 98.94%
    "2021年第四季度，“市长信箱”共收到群众来信1563件，其中直接答复430件，受理转办有效信件1133件，已办结1121件，办结率98.94%。",
    # https://dyrmt.com/article-10142-1.html: a satisfaction rate is of those who answered (75.86% = 22/29)
    "（二）重复投诉工单较多。本周共办理此类工单99件，满意率75.86%。",
    # Made up, each a reading the rules had wrong:
    "共整治河道0.8公里，已完成0.6公里，完成率75%。",  # decimal counts: raised ZeroDivisionError
    "共整治河道3.6公里，其中完成2.7公里，完成率75%。",  # 2.7 ÷ 3.6 is 3/4 exactly
    "共排查矛盾纠纷150件，其中婚姻家庭类40件、邻里纠纷60件、土地纠纷30件，成功化解145件，化解率96.7%。",
    "共受理行政复议申请48件，其中受理45件，审结42件。",  # 42 is within 45, after a comma
    "共受理信访事项50件，已办结49件，未办结1件，办结率98%。",  # 未办结 is not what 办结率 counts
    "共回访100件，满意94件，不满意6件，满意率94%。",
    "共化解矛盾纠纷52件，化解率96.3%。",  # 52 is what the rate counts; 96.3% = 52/54
    "共受理信访件85件，办结80件，办结率94.1%，受理量同比下降12.4%（上年97件）。",  # 85 against 97
    "共受理信访件85件，其中来信50件、来访35件，同比下降12.4%（上年97件）。",
    "行政复议案件45件（上年38件），行政诉讼案件20件（上年25件），分别同比增长18.4%、下降20%。",
    "网上可办占比98%，全程网办占比85%。",  # two traits of one whole may overlap
    "法律专业人员占比35%，本科以上学历占比80%。",
    "其中甲类占38%，乙类占35%，二者合计占73%。",  # the sum is a share of its own
    "共受理信访件120件，其中来信、来访分别为50件、40件，其余为网上信访。",  # 其中…分别: some of the parts
    "共受理行政复议案件45件、行政诉讼案件20件，分别办结42件、18件。",  # 分别 pairs with 45 and 20
    "受理行政复议45件，办结42件，受理行政诉讼20件，办结18件，办结率分别为93.3%、90%。",
    "出庭应诉率由85%提高到100%，行政诉讼案件数量同比下降15%。",  # 15% is another quantity's change
    "败诉率为5.2%，较上年的8.4%提高-3.2个百分点。",
    "受理案件120件，同比增长–12.4%，2023年为137件。",  # an en dash as a minus sign
    "受理案件120件，同比增长—12.4%，2023年为137件。",
    # A second review's finds: the change of another quantity, a share of traits, decimals, graded satisfaction
    "败诉率由8.4%下降到5.2%，纠错率提高3.2个百分点。",
    "出庭应诉率由85%提高到95%，败诉率下降10个百分点。",
    "党员干部占60%，年轻干部占50%。",
    "女性干部占比45%，少数民族干部占比12%，35岁以下干部占比50%。",
    "共整治河道0.8公里，完成率75%。",  # 0.6 ÷ 0.8: no whole count to test
    "共回访群众200人，非常满意150人，满意40人，满意率95%。",  # (150 + 40) ÷ 200
    "占比10% - 12.4%，",  # a dash between two percentages is no minus sign
]


@pytest.mark.parametrize("text", NO_FALSE_FAILS)
def test_no_false_fails_on_readings_that_were_wrong(text):
    failing = [r.explanation for r in check_text(text).relations if r.verdict == "fails"]
    assert not failing, failing


CAUGHT = [
    ("共受理2000件，办结1999件，办结率100%。", "rate_counts"),  # 100% only when every one (99.95% rounds to it)
    ("共受理2000件，败诉1件，败诉率0%。", "rate_counts"),  # 0% only when none
    ("败诉率为5.2%，较上年的8.4%提高3.2个百分点。", "points_vs_percent"),  # a fall written as a rise
    ("其中男性占比60%，女性占比45%。", "share_sum"),  # classes of one whole: 105%
    ("共受理信访件120件，其中来信80件、来访45件，已办结110件。", "part_whole"),  # 、 joins the list: 125 > 120
    ("共受理信访事项50件，已办结49件，未办结1件，办结率97%。", "rate_counts"),  # 49 ÷ 50 = 98%, past 未办结
    # A list ends at a comma only where what follows is a stage (已办结, 审结), or after a list joined by 、;
    # never inside brackets, never before its last class (其他)
    ("共受理120件，其中来信70件、来访50件、网上信访200件。", "part_whole"),
    ("共受理案件45件（其中成功40件、未成功5件、撤回3件）。", "part_whole"),  # 48 > 45
    ("共受理信访件120件，其中来信70件、来访50件，其他10件。", "part_whole"),  # 130 > 120
    ("共办理政府信息公开申请134件，其中予以公开47件，部分公开12件，不予公开113件。", "part_whole"),  # 172
    ("全年共办理案件1283件，其中，行政处罚346件，行政强制515件，其他439件。", "part_whole"),  # 1300
    ("共受理120件，其中办结100件，未办结30件。", "part_whole"),  # 未办结 is a class, not a stage
    ("男性、女性分别占60%、45%。", "share_sum"),
]


@pytest.mark.parametrize(("text", "kind"), CAUGHT)
def test_plain_errors_are_caught(text, kind):
    assert (kind, "fails") in verdicts(text)


def test_long_runs_of_digits_are_read_in_time():
    import time

    start = time.perf_counter()
    check_text("共受理" + "1" * 30_000 + "件。")  # took 100 s: two patterns tried from every digit of the run
    assert time.perf_counter() - start < 10
