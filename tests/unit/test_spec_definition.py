"""The 口径 of a spec is written from the spec (lawreport.register.definition), in the ledgers' words."""

from __future__ import annotations

import pytest
import yaml
from frames import register_entries

from lawreport.register import describe
from lawreport.register.spec import parse_compute_data


def said(text: str) -> str:
    return describe(parse_compute_data(yaml.safe_load(text)))


@pytest.mark.parametrize(
    ("text", "definition"),
    [
        (
            "{count: {table: study_sessions, where: {session_type: 专题学法}}}",
            "报告年度「党工委中心组学法记录」中「学习形式」为“专题学法”的行数(每行计 1)。",
        ),
        ("{count: {table: publicity_events}}", "报告年度「普法活动登记表」的全部行数(每行计 1)。"),
        (
            "{sum: {table: legal_adviser_log, column: items, where: {service_type: {in: [合同审查, 代书法律文书]}}}}",
            "报告年度「法律顾问服务台账」中「服务类型」为“合同审查”或“代书法律文书”的行的「件(份)数」之和(空值按 0 计)。",
        ),
        (
            "{count: {table: petitions, where: {closed_date: {<=: {column: deadline}}, on_time: true}}}",
            "报告年度「信访事项登记台账」中「办结日期」不晚于「办理期限」、且「办结是否按期」为“是”的行数(每行计 1)。",
        ),
        (
            "{count: {table: petitions, where: {received_date: {from: '01-01', to: '10-31'}, channel: {not_in: [来信]}}}}",
            "报告年度「信访事项登记台账」中「受理日期」不早于该年1月1日、且「受理日期」不晚于该年10月31日、"
            "且「受理方式」不为“来信”中任何一个的行数(每行计 1)。",
        ),
        (
            "{rate: {base: {table: law_exams, where: {sat_exam: true}}, of: {where: {passed: true}}},"
            " years: all, per_year: true}",
            "台账所覆盖的每一年度(至报告年度)分别计算：每年「年度法治考试参考名册」中「是否参考」为“是”的行里，"
            "「是否合格」为“是”的行数 ÷ 「是否参考」为“是”的行数。",
        ),
        (
            "{count: {table: case_records, where: {case_type: 扒窃}}, years: {last: 2}}",
            "报告年度及上一年度合计：「重点案(事)件登记」中「案件类别」为“扒窃”的行数(每行计 1)。",
        ),
        (
            "{count_distinct: {table: legal_adviser_log, column: village}}",
            "报告年度「法律顾问服务台账」的全部行中「服务村(居)」不同取值的个数(空值不计)。",
        ),
        (
            "{max: {table: law_exams, column: score, where: {score: {'>=': 60}}}}",
            "报告年度「年度法治考试参考名册」中「考试成绩」不小于60的行中「考试成绩」的最大值(空值不计)。",
        ),
        (
            "{count: {table: police_stations, where: {built_date: in_year}, by: village}}",
            "报告年度「治安巡逻警务站建设台账」中「建成日期」在该年度内的行数(每行计 1)，按「所在社区」分别计数。",
        ),
        ("{ratio: {of: a, to: b}}", "登记的数字「a」 ÷ 登记的数字「b」(两者各按其口径计算)。"),
    ],
)
def test_the_definition_says_what_the_spec_computes(text, definition):
    assert said(text) == definition


def test_a_changed_spec_changes_its_definition():
    both = "{count: {table: school_lectures, where: {term: {in: [春季开学季, 秋季开学季]}}}}"
    one = "{count: {table: school_lectures, where: {term: {in: [春季开学季]}}}}"
    assert "秋季开学季" in said(both) and "秋季开学季" not in said(one)


def test_every_spec_entry_of_the_register_shows_the_generated_definition():
    entries = [e for e in register_entries().values() if e.compute is not None]
    assert len(entries) >= 40
    for entry in entries:
        assert entry.definition == describe(entry.compute), entry.id
        assert entry.metric == entry.compute.label and entry.metric.startswith("compute."), entry.id
