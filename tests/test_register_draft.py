"""`lawreport register draft`: next year's register from its report text and last year's register.

The texts are written here by hand (one realistic test edits the bundled 2025 report); each test
names what it would catch.
"""

from __future__ import annotations

import argparse
import copy
import time
from pathlib import Path

import pytest
import yaml

from lawreport.ledgers import copy_config
from lawreport.register.claims import RegisterError, load_register
from lawreport.register.draft import draft_register, main, render_draft

ROOT = Path(__file__).resolve().parents[1]

PREVIOUS = """
unit: 测试街道
year: 2025
report: data/raw/2025/report.txt
figures:
  - id: study_sessions_topical
    name: 专题学法次数
    quote: 2025年已组织专题学法6次
    written: 6次
    wording: 已组织
    compute:
      count: {table: study_sessions, where: {session_type: 专题学法}, excluded_as: 学习形式不是“专题学法”}
  - id: law_exam_participation_rate
    name: 法治考试参考率
    quote: 确保年度法治考试参考率、合格率持续保持100%
    written: 100%
    qualifier: 持续保持
    compute:
      rate:
        of: {table: law_exams, where: {sat_exam: true}, excluded_as: 未参加考试}
      years: all
      per_year: true
  - id: law_exam_pass_rate
    name: 法治考试合格率
    quote: 确保年度法治考试参考率、合格率持续保持100%
    written: 100%
    qualifier: 持续保持
    compute:
      rate:
        base: {table: law_exams, where: {sat_exam: true}, excluded_as: 未参考}
        of: {where: {passed: true}, excluded_as: 参考但未合格}
      years: all
      per_year: true
  - id: publicity_events
    name: 普法活动场次
    quote: 累计开展各类普法活动50余场次
    written: 50余场次
    wording: 累计开展
    compute:
      count: {table: publicity_events}
  - id: petitions_received
    name: 信访事项受理数
    quote: 共受理各类信访事项51件
    written: 51件
    metric: count_petitions_received
    definition: 信访事项登记台账中受理日期在报告年度内的信访事项。
  - id: adviser_contracts
    name: 合同审查份数
    quote: 合同审查20份
    written: 20份
    compute:
      sum: {table: legal_adviser_log, column: items, where: {service_type: 合同审查}}
  - id: escalated_petitions_zero_streak
    name: 到市集访和进京上访连续零发生
    quote: 街道连续4年到市集访和进京上访“零”发生
    written: 连续4年
    also_covers: ["“零”"]
    metric: escalated_petitions_by_year
    definition: 越级上访登记中每年的到市集访与进京上访件数之和。
not_statistics:
  - {text: "2025年,桂阳街道", reason: 报告年度}
  - {text: 2025年已组织, reason: 报告年度(统计期)}
  - {text: 第一责任人, reason: 职责名称}
commitments:
  - {id: monthly_joint_meetings, text: 每月召开1次碰头会, check_next_year: 每个月至少 1 次碰头会}
"""

# 2026: numbers moved on, 普法 sentence reworded, 合同审查 gone, one new figure, dates, a document
# number and headings around them, a new plan.
NEW_TEXT = """垫江县某街道2026年法治政府建设年度报告
2026年,桂阳街道依法履职。根据垫委发〔2026〕12号文件要求,于2026年3月5日召开专题会议。
一、工作举措与成效
(一)学法用法
2026年已组织专题学法8次,确保年度法治考试参考率、合格率持续保持100%。
全年共开展各类普法宣传活动60余场次。
(二)信访
共受理各类信访事项47件,街道连续5年到市集访和进京上访“零”发生。新建法治文化阵地3处。
二、下一步工作打算
每月召开1次碰头会,每季度开展2次专项督查。
"""


def _previous() -> dict:
    return yaml.safe_load(PREVIOUS)


def _by_id(draft):
    return {m.id: m for m in draft.matched}


def test_kept_sentences_match_with_new_numbers_and_carry_the_spec() -> None:
    previous = _previous()
    draft = draft_register(NEW_TEXT, previous, 2026, "")
    matched = _by_id(draft)
    old = {e["id"]: e for e in previous["figures"]}
    assert matched["study_sessions_topical"].written == "8次"
    assert matched["study_sessions_topical"].quote == "2026年已组织专题学法8次"
    assert matched["petitions_received"].written == "47件"
    assert matched["escalated_petitions_zero_streak"].written == "连续5年"
    assert matched["escalated_petitions_zero_streak"].entry["also_covers"] == ["“零”"]
    for figure_id, m in matched.items():
        for key in ("name", "compute", "metric", "definition", "wording", "qualifier"):
            assert m.entry.get(key) == old[figure_id].get(key), (figure_id, key)
        assert m.quote in NEW_TEXT and m.written in m.quote
    assert not matched["study_sessions_topical"].review


def test_a_reworded_sentence_still_matches() -> None:
    draft = draft_register(NEW_TEXT, _previous(), 2026, "")
    events = _by_id(draft)["publicity_events"]
    assert events.written == "60余场次"
    assert "普法宣传活动60余场次" in events.quote
    assert events.score < 1


def test_a_figure_gone_from_the_text_is_dropped_with_its_spec() -> None:
    draft = draft_register(NEW_TEXT, _previous(), 2026, "")
    assert [d.id for d in draft.dropped] == ["adviser_contracts"]
    assert "adviser_contracts" not in _by_id(draft)
    rendered = yaml.safe_load(render_draft(draft))
    assert rendered["dropped"][0]["compute"]["sum"]["column"] == "items"


def test_a_new_figure_is_todo_with_the_scanners_reading() -> None:
    draft = draft_register(NEW_TEXT, _previous(), 2026, "")
    assert [(t.written, t.quote) for t in draft.todo] == [("3处", "新建法治文化阵地3处")]
    assert "单位 处" in draft.todo[0].reading and "区间 [3, 3]" in draft.todo[0].reading
    text = render_draft(draft)
    entry = next(e for e in yaml.safe_load(text)["figures"] if e["id"] == draft.todo[0].id)
    assert entry["todo"] and entry["written"] == "3处"
    assert "角色 figure；形式 整数；单位 处" in text


def test_dates_document_numbers_and_headings_are_not_todo() -> None:
    draft = draft_register(NEW_TEXT, _previous(), 2026, "")
    todo = {t.written for t in draft.todo}
    for number in ("2026年", "〔2026〕12号", "2026年3月5日", "3月5日", "12号", "一、", "(一)", "1次", "2次"):
        assert number not in todo
    listed = [n["text"] for n in draft.not_statistics]
    assert "2026年,桂阳街道" in listed  # carried with the year moved on
    assert "2026年已组织" in listed
    assert "第一责任人" not in listed  # no longer in the text
    assert any("〔2026〕12号" in t for t in listed) and any("2026年3月5日" in t for t in listed)
    commitments = {c["text"]: c for c in draft.commitments}
    assert commitments["每月召开1次碰头会"]["id"] == "monthly_joint_meetings"
    assert "todo" in commitments["每季度开展2次专项督查"]


def test_entries_sharing_a_figure_share_it_or_take_one_each() -> None:
    kept = _by_id(draft_register(NEW_TEXT, _previous(), 2026, ""))
    assert kept["law_exam_participation_rate"].written == kept["law_exam_pass_rate"].written == "100%"
    assert not kept["law_exam_pass_rate"].review
    split_text = NEW_TEXT.replace("参考率、合格率持续保持100%", "参考率、合格率分别为98%、100%")
    draft = draft_register(split_text, _previous(), 2026, "")
    split = _by_id(draft)
    assert split["law_exam_participation_rate"].written == "98%"
    assert split["law_exam_pass_rate"].written == "100%"
    # 持续保持 is no longer said: both are kept for review, and neither number is left as TODO.
    assert all("持续保持" in " ".join(split[i].review) for i in ("law_exam_participation_rate", "law_exam_pass_rate"))
    assert {t.written for t in draft.todo} == {"3处"}


def test_no_previous_register_makes_every_figure_todo() -> None:
    draft = draft_register(NEW_TEXT, None, 2026, "新单位")
    assert not draft.matched and not draft.dropped
    assert [t.written for t in draft.todo] == ["8次", "100%", "60余场次", "47件", "连续5年", "零", "3处"]
    assert len({t.id for t in draft.todo}) == 7
    data = yaml.safe_load(render_draft(draft))
    assert data["unit"] == "新单位" and data["year"] == 2026
    assert all("todo" in c for c in data["commitments"])


def test_same_input_same_bytes() -> None:
    previous = _previous()
    first = render_draft(draft_register(NEW_TEXT, previous, 2026, ""))
    second = render_draft(draft_register(NEW_TEXT, copy.deepcopy(previous), 2026, ""))
    assert first.encode() == second.encode()
    assert previous == _previous()  # the previous register's data is not changed


def _fill_todos(data: dict) -> dict:
    """What the analyst does: name and spec for each new figure, id and check for each new plan."""
    for entry in data["figures"]:
        if "todo" in entry:
            del entry["todo"]
            if "compute" not in entry and "metric" not in entry:
                entry["id"] = "culture_sites"
                entry["name"] = "新建法治文化阵地数"
                entry["metric"] = "count_petitions_received"
                entry["definition"] = "（测试用）"
    for item in data["commitments"]:
        if "todo" in item:
            del item["todo"]
            item["check_next_year"] = "每个季度至少 2 次专项督查"
    del data["dropped"]
    return data


def test_the_draft_loads_once_the_todos_are_reviewed(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    report.write_text(NEW_TEXT, encoding="utf-8")
    (tmp_path / "claims").mkdir()
    register = tmp_path / "claims" / "2026.yaml"
    text = render_draft(draft_register(NEW_TEXT, _previous(), 2026, "", report=str(report)))
    register.write_text(text, encoding="utf-8")
    with pytest.raises(RegisterError, match="todo"):
        load_register(register, report_path=report, year=2026)
    register.write_text(yaml.safe_dump(_fill_todos(yaml.safe_load(text)), allow_unicode=True), encoding="utf-8")
    loaded = load_register(register, report_path=report, year=2026)
    assert {f.id for f in loaded.figures} >= {"study_sessions_topical", "escalated_petitions_zero_streak"}
    assert loaded.entry("petitions_received").written == "47件"


def test_register_check_refuses_the_draft_until_reviewed(tmp_path: Path) -> None:
    check = pytest.importorskip("lawreport.register.check")
    report = tmp_path / "report.txt"
    report.write_text(NEW_TEXT, encoding="utf-8")
    register = tmp_path / "2026.yaml"
    text = render_draft(draft_register(NEW_TEXT, _previous(), 2026, "", report=str(report)))
    register.write_text(text, encoding="utf-8")
    result = check.check_register(register, report, 2026)
    assert result.exit_code == 1 and any(p.kind == "draft_todo" for p in result.errors)
    register.write_text(yaml.safe_dump(_fill_todos(yaml.safe_load(text)), allow_unicode=True), encoding="utf-8")
    result = check.check_register(register, report, 2026)
    assert result.exit_code == 0, result.lines()


def _edited_2025_report() -> str:
    text = (ROOT / "data/raw/2025/report.txt").read_text(encoding="utf-8").replace("2025年", "2026年")
    edits = [
        ("专题学法6次", "专题学法8次"),
        ("共受理各类信访事项51件", "共受理各类信访事项47件"),
        ("累计开展各类普法活动50余场次", "全年共开展各类普法宣传活动60余场次"),  # reworded
        ("添置巡逻车17台", "添置巡逻车20台"),
        ("同比分别下降47.31%和48%", "同比分别下降12.5%和20%"),
        ("罚没20400元", "罚没31000元"),
        ("扫码入企340户次", "扫码入企400户次以上"),
        ("合同审查20份,", ""),  # a sentence deleted
        ("化解成功率达99.85%", "化解成功率达99.9%,比上年提高0.05个百分点"),  # a figure added
        ("各项指标位居全县第一", "各项指标位居全县第三"),  # a rank other than first
        ("近两年主办和协办", "近三年主办和协办"),  # the period of a figure changed
    ]
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def test_realistic_next_year_of_the_bundled_report() -> None:
    previous = yaml.safe_load((ROOT / "claims/2025.yaml").read_text(encoding="utf-8"))
    text = _edited_2025_report()
    started = time.perf_counter()
    draft = draft_register(text, previous, 2026, "")
    seconds = time.perf_counter() - started
    assert (len(draft.matched), len(draft.todo), len(draft.dropped)) == (53, 1, 1), seconds
    assert [d.id for d in draft.dropped] == ["adviser_contracts"]
    assert draft.todo[0].written == "0.05个百分点" and "百分点" in draft.todo[0].reading
    old = {e["id"]: e for e in previous["figures"]}
    matched = _by_id(draft)
    for figure_id, m in matched.items():
        for key in ("name", "compute", "metric", "definition", "wording", "qualifier", "each"):
            assert m.entry.get(key) == old[figure_id].get(key), (figure_id, key)
        assert text.find(m.quote) >= 0 and text.find(m.written, text.find(m.quote)) >= 0
    assert matched["study_sessions_topical"].written == "8次"
    assert matched["publicity_events"].written == "60余场次"
    assert matched["patrol_cars"].written == "20台" and matched["villages"].written == "15个"
    assert matched["street_incidents_yoy"].written == "12.5%" and matched["juvenile_crime_yoy"].written == "20%"
    assert matched["qr_code_checks"].written == "400户次以上"
    assert matched["escalated_petitions_zero_streak"].entry["also_covers"] == ["“零”"]
    assert {m.id for m in draft.needs_review} == {"county_rank_first", "proposals_two_years"}
    # 第一 → 第三 reads as a rank now, but of another kind than last year's 位居第一: its metric must be looked at
    assert any("写法的类型变了" in r for r in matched["county_rank_first"].review)
    assert not any(
        "写法的类型变了" in r for r in matched["qr_code_checks"].review
    )  # 340户次 → 400户次以上: both counts
    assert seconds < 5


def _args(tmp_path: Path, *extra: str) -> list[str]:
    return ["--year", "2026", "--claims-dir", str(tmp_path / "claims"), "--raw-root", str(tmp_path / "raw"), *extra]


@pytest.fixture
def workspace(tmp_path: Path):
    (tmp_path / "claims").mkdir()
    (tmp_path / "raw" / "2026").mkdir(parents=True)
    # The previous register's specs are checked against the unit's configuration under --raw-root.
    copy_config(ROOT / "data" / "raw", tmp_path / "raw")
    (tmp_path / "raw" / "2026" / "report.txt").write_text(NEW_TEXT, encoding="utf-8")
    (tmp_path / "claims" / "2025.yaml").write_text(
        (ROOT / "claims/2025.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    yield tmp_path
    # The command made the unit under the temporary raw root the active one; later tests read the bundled one.
    from lawreport.ledgers import default_raw_root, use_unit

    use_unit(default_raw_root())


def test_command_writes_the_draft_and_refuses_to_overwrite(workspace: Path, capsys: pytest.CaptureFixture) -> None:
    out = workspace / "claims" / "2026.yaml"
    assert main(_args(workspace)) == 0
    said = capsys.readouterr().out
    assert "接续上年 (matched)" in said and "make register-check YEAR=2026" in said
    assert "study_sessions_topical：6次 → 8次" in said
    written = out.read_bytes()
    assert yaml.safe_load(written)["year"] == 2026
    assert main(_args(workspace)) == 2
    assert "--force" in capsys.readouterr().err
    assert out.read_bytes() == written
    assert main(_args(workspace, "--force")) == 0
    assert out.read_bytes() == written


@pytest.mark.parametrize(
    ("extra", "setup", "message"),
    [
        (("--previous", "none"), None, None),
        ((), lambda w: (w / "claims" / "2025.yaml").unlink(), "--previous none"),
        ((), lambda w: (w / "claims" / "2025.yaml").write_text("figures: [\n", encoding="utf-8"), "YAML"),
        ((), lambda w: (w / "raw" / "2026" / "report.txt").write_bytes(b""), "报告原文无法读取"),
        ((), lambda w: (w / "raw" / "2026" / "report.txt").unlink(), "找不到 2026 年的报告原文"),
        (("--report", "nowhere.docx"), None, "报告原文无法读取"),
        (("--year", "20x6"), None, "四位年份"),
        ((), lambda w: (w / "raw" / "unit.yaml").unlink(), "P307"),
        (("--raw-root", "nowhere"), None, "P301"),
        (("--out", ".", "--force"), None, "指向的是文件夹"),
    ],
)
def test_command_never_shows_a_traceback(workspace, capsys, extra, setup, message) -> None:
    if setup is not None:
        setup(workspace)
    code = main(_args(workspace, *extra))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    if message is None:
        assert code == 0 and "新数字待审核 (TODO) 7 个" in captured.out
    else:
        assert code == 2 and message in captured.err
        assert not (workspace / "claims" / "2026.yaml").exists()


def test_add_draft_parser_sets_the_handler() -> None:
    from lawreport.register.draft import add_draft_parser, main_draft

    parser = argparse.ArgumentParser()
    add_draft_parser(parser.add_subparsers(dest="register_command"))
    args = parser.parse_args(["draft", "--year", "2026", "--previous", "none"])
    assert args.handler is main_draft and args.previous == "none" and not args.force
