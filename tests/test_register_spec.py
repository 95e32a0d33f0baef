"""A broken `compute:` spec in the register is named on loading — [P302], file, line, entry id, and the
closest valid table, column, aggregate, operator or value — never a traceback, and before any kernel.

Each case edits one line of claims/2025.yaml in a temporary copy and loads it as `lawreport run`'s
preflight does (lawreport.register.claims.load_register).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lawreport.params import PROJECT_ROOT
from lawreport.register.claims import RegisterError, load_register

REGISTER = PROJECT_ROOT / "claims" / "2025.yaml"
REPORT = PROJECT_ROOT / "data" / "raw" / "2025" / "report.txt"
TEXT = REGISTER.read_text(encoding="utf-8")


def broken(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    """A copy of the register with `old` (found once) replaced by `new`; returns it and the edited line."""
    assert TEXT.count(old) == 1, old
    text = TEXT.replace(old, new)
    path = tmp_path / "claims" / "2025.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return path, text[: text.index(new)].count("\n") + 1


def problem_of(path: Path) -> str:
    with pytest.raises(RegisterError) as caught:
        load_register(path, report_path=REPORT)
    return str(caught.value)


CASES = [
    # (what, old text, new text, entry id, words the message must hold)
    (
        "unknown table",
        "count: {table: study_sessions, where:",
        "count: {table: study_session, where:",
        "study_sessions_topical",
        ["未知的表 (unknown table) 'study_session'", "'study_sessions'"],
    ),
    (
        "unknown column",
        "where: {session_type: 专题学法}",
        "where: {session_typ: 专题学法}",
        "study_sessions_topical",
        ["没有列 (unknown column) 'session_typ'", "'session_type'"],
    ),
    (
        "unknown aggregate",
        "      count: {table: study_sessions,",
        "      cuont: {table: study_sessions,",
        "study_sessions_topical",
        ["未知的计算方式 (unknown aggregate) 'cuont'", "'count'"],
    ),
    (
        "bad filter value type: text for a flag",
        "of: {table: law_exams, where: {sat_exam: true}, excluded_as: 未参加考试}",
        "of: {table: law_exams, where: {sat_exam: 是}, excluded_as: 未参加考试}",
        "law_exam_participation_rate",
        ["bad filter value type", "sat_exam", "true 或 false"],
    ),
    (
        "bad filter value type: a number for a date",
        "where: {delivered_date: in_year}",
        "where: {delivered_date: 2025}",
        "patrol_cars",
        ["bad filter value type", "delivered_date", "in_year"],
    ),
    (
        "category outside the vocabulary",
        "where: {session_type: 专题学法}",
        "where: {session_type: 专题学发}",
        "study_sessions_topical",
        ["category outside the vocabulary", "'专题学发'", "'专题学法'"],
    ),
    (
        "unknown operator",
        "where: {term: {in: [春季开学季, 秋季开学季]}}",
        "where: {term: {inn: [春季开学季, 秋季开学季]}}",
        "school_lectures",
        ["未知运算 (unknown operator) 'inn'", "'in'"],
    ),
    (
        "unknown column compared with",
        "{<=: {column: deadline}}",
        "{<=: {column: dead_line}}",
        "petitions_on_time_rate",
        ["没有列 (unknown column) 'dead_line'", "'deadline'"],
    ),
    (
        "both metric and compute",
        "    compute:\n      count: {table: study_sessions,",
        "    metric: count_petitions_received\n    compute:\n      count: {table: study_sessions,",
        "study_sessions_topical",
        ["both metric and compute"],
    ),
    (
        "neither metric nor compute",
        "    compute:\n      count: {table: publicity_events}\n",
        "",
        "publicity_events",
        ["neither metric nor compute"],
    ),
    (
        "a hand-written definition beside a spec",
        "    compute:\n      count: {table: publicity_events}\n",
        "    definition: 普法活动场次\n    compute:\n      count: {table: publicity_events}\n",
        "publicity_events",
        ["definition is generated from compute"],
    ),
    (
        "a spec that cannot give what the wording says",
        "        by: village\n",
        "",
        "police_stations_each",
        ["spec does not fit the wording", "each 需要按列分组计数 (count with by: column)"],
    ),
    (
        "a ratio of an unknown figure",
        "      count: {table: enforcement_staff, where: {active: true}, excluded_as: 不活跃}",
        "      ratio: {of: active_oficers, to: enforcement_staff_on_platform}",
        "active_officers",
        ["不是登记的数字编号", "'active_officers'"],
    ),
    (
        "a malformed where",
        "where: {session_type: 专题学法}",
        "where: [session_type, 专题学法]",
        "study_sessions_topical",
        ["where 应为", "a mapping of column: condition"],
    ),
    (
        "years misspelt",
        "      years: {last: 2}\n  - id: hotline_two_years",
        "      years: {lsat: 2}\n  - id: hotline_two_years",
        "proposals_two_years",
        ["years 应为 report、all 或 {last: N}"],
    ),
]


@pytest.mark.parametrize(("what", "old", "new", "entry", "words"), CASES, ids=[c[0] for c in CASES])
def test_a_broken_spec_is_named_with_file_line_entry_and_closest_name(tmp_path, what, old, new, entry, words):
    path, line = broken(tmp_path, old, new)
    message = problem_of(path)
    assert "Traceback" not in message
    problem = next((m for m in message.splitlines() if f"条目「{entry}」" in m), "")
    assert problem.startswith(f"  [P302] {path} 第"), (what, message)
    for word in words:
        assert word in problem, (what, word, message)
    if new:  # the problem points at the edited line, or at the entry when the key is missing
        stated = int(problem.split(" 第", 1)[1].split("行", 1)[0])
        assert stated in range(line - 3, line + 3), (what, stated, line, message)


def test_a_ratio_going_round_in_a_circle_is_refused(tmp_path):
    path, _ = broken(
        tmp_path,
        "      count: {table: enforcement_staff, where: {active: true}, excluded_as: 不活跃}",
        "      difference: {of: active_rate, to: enforcement_staff_on_platform}",
    )
    text = path.read_text(encoding="utf-8").replace(
        "      rate:\n        of: {table: enforcement_staff, where: {active: true}, excluded_as: 不活跃}",
        "      ratio: {of: active_officers, to: enforcement_staff_on_platform}",
    )
    path.write_text(text, encoding="utf-8")
    message = problem_of(path)
    assert "circular reference" in message and "active_officers → active_rate → active_officers" in message


def test_every_problem_of_a_register_is_listed_at_once(tmp_path):
    path, _ = broken(tmp_path, "where: {session_type: 专题学法}", "where: {session_typ: 专题学法}")
    text = path.read_text(encoding="utf-8").replace("{table: publicity_events}", "{table: publicity_event}", 1)
    path.write_text(text, encoding="utf-8")
    message = problem_of(path)
    assert "有 2 个问题" in message
    assert "'session_type'" in message and "'publicity_events'" in message


@pytest.mark.parametrize("spec", ["3", "[count, study_sessions]", "{count: 3}", "{}", "{count: {}, sum: {}}"])
def test_a_spec_of_the_wrong_shape_is_a_message_not_a_traceback(tmp_path, spec):
    path, _ = broken(tmp_path, "    compute:\n      count: {table: publicity_events}\n", f"    compute: {spec}\n")
    message = problem_of(path)
    assert "[P302]" in message and "条目「publicity_events」" in message and "compute" in message


def test_a_python_metric_must_return_the_one_result_shape(monkeypatch):
    from frames import frame_data

    from lawreport.metrics import METRICS
    from lawreport.register.claims import FigureEntry, verify_entry

    monkeypatch.setitem(METRICS, "count_as_a_dict", lambda data: {"value": 3})
    entry = FigureEntry("x", "共3件", "3件", "count_as_a_dict", "测试用")
    with pytest.raises(RegisterError, match="count_as_a_dict 应返回 MetricResult，返回了 dict"):
        verify_entry(entry, frame_data(2025, {}), [])


def test_a_misspelt_metric_name_is_still_named_with_the_closest_one(tmp_path):
    path, line = broken(tmp_path, "metric: sum_fines", "metric: sum_fine")
    message = problem_of(path)
    assert f"第{line}行 条目「fines_total」：未知指标 (unknown metric) 'sum_fine'；是否应为 'sum_fines'？" in message
