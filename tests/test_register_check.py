"""`lawreport register check`: one broken register per test, each written by hand into tmp_path.

Every case starts from TINY (a register of two figures) and REPORT (two lines of report text), breaks
one thing, and asserts the problem's kind, code, line and the key words of its message; the first test
shows the unbroken pair has no problem at all, so each finding comes from the break. The bundled
claims/2025.yaml passes through the CLI in a subprocess that also shows no pandas, Jupyter or Great
Expectations was imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lawreport.ledgers import copy_config
from lawreport.register.check import CheckProblem, RegisterReport, check_register, metric_names_in_source

ROOT = Path(__file__).resolve().parents[1]
REPORT = "某街道2025年法治政府建设年度报告\n2025年,街道组织专题学法6次,开展普法活动12场次。\n"
# Line numbers below are this text's: 4 first entry, 5 its quote, 6 its written, 9 second entry.
TINY = """\
unit: 测试街道
year: 2025
figures:
  - id: study_sessions_topical
    quote: 组织专题学法6次
    written: 6次
    compute:
      count: {table: study_sessions, where: {session_type: 专题学法}}
  - id: publicity_events
    quote: 开展普法活动12场次
    written: 12场次
    compute:
      count: {table: publicity_events}
not_statistics:
  - {text: 2025年法治政府建设年度报告, reason: 标题}
  - {text: "2025年,街道", reason: 报告年度}
"""


def year_folders(tmp_path: Path, register: str | bytes | None, report: str = REPORT) -> tuple[Path, Path]:
    """claims/2025.yaml and raw/2025/report.txt under tmp_path (register None: a folder of that name),
    with the bundled unit's configuration (unit.yaml, ledgers/), whose tables the specs name."""
    path = tmp_path / "claims" / "2025.yaml"
    report_path = tmp_path / "raw" / "2025" / "report.txt"
    unit_config(tmp_path / "raw")
    report_path.parent.mkdir(parents=True)
    report_path.write_text(report, encoding="utf-8")
    if register is None:
        path.mkdir(parents=True)
    else:
        path.parent.mkdir(parents=True)
        if isinstance(register, bytes):
            path.write_bytes(register)
        else:
            path.write_text(register, encoding="utf-8")
    return path, report_path


def unit_config(raw_root: Path) -> None:
    copy_config(ROOT / "data" / "raw", raw_root)


def check(tmp_path: Path, register: str | bytes | None, report: str = REPORT) -> RegisterReport:
    path, report_path = year_folders(tmp_path, register, report)
    return check_register(path, report_path, 2025)


def only(report: RegisterReport, kind: str) -> CheckProblem:
    found = [p for p in report.problems if p.kind == kind]
    assert len(found) == 1, (kind, [p.text() for p in report.problems])
    return found[0]


def run_cli(tmp_path: Path, *more: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess on tmp_path's claims/ and raw/, printing which heavy modules it loaded."""
    code = (
        "import sys\nfrom lawreport.cli import main\nrc = main(sys.argv[1:])\n"
        "print('LOADED', sorted(m for m in ('pandas', 'numpy', 'jupyter_client', 'nbformat', 'papermill',"
        " 'great_expectations') if m in sys.modules))\nsys.exit(rc)\n"
    )
    args = ["register", "check", "--year", "2025"]
    if tmp_path != ROOT:
        args += ["--claims-dir", str(tmp_path / "claims"), "--raw-root", str(tmp_path / "raw")]
    return subprocess.run(
        [sys.executable, "-c", code, *args, *more], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_the_tiny_register_has_no_problem(tmp_path):
    report = check(tmp_path, TINY)
    assert report.problems == () and report.exit_code == 0 and report.figures == 2


# ------------------------------------------------------------------ files that cannot be read: exit 2


def test_an_empty_file_cannot_be_read(tmp_path):
    report = check(tmp_path, "  \n\n")
    problem = only(report, "empty")
    assert problem.code == "P302" and problem.severity == "error"
    assert "文件为空 (empty file)" in problem.message
    assert report.exit_code == 2


def test_a_register_not_in_utf8_names_line_column_and_encoding(tmp_path):
    report = check(tmp_path, ("unit: x\nyear: 2025\nfigures:\n  - id: a\n    quote: 测试\n").encode("gbk"))
    problem = only(report, "not_utf8")
    assert (problem.code, problem.line, problem.column) == ("P302", 5, 12)
    assert "不是 UTF-8 (not UTF-8)" in problem.message and "GB18030" in problem.message
    assert report.exit_code == 2


def test_a_directory_is_not_a_register(tmp_path):
    report = check(tmp_path, None)
    problem = only(report, "unreadable")
    assert problem.code == "P302" and "文件夹" in problem.message and "(a directory, not a file)" in problem.message
    assert report.exit_code == 2


def test_a_binary_file_says_what_it_is(tmp_path):
    report = check(tmp_path, b"PK\x03\x04\x14\x00\x00\x00binary")
    problem = only(report, "binary")
    assert problem.code == "P302" and ".xlsx" in problem.message
    assert report.exit_code == 2


def test_a_missing_register_is_p303_and_exit_2_on_the_cli(tmp_path):
    (tmp_path / "claims").mkdir()
    unit_config(tmp_path / "raw")
    (tmp_path / "raw" / "2025").mkdir()
    result = run_cli(tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "[P303]" in result.stdout and "没有数字登记册 (no register for the year)" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


# ------------------------------------------------------------------ YAML and the register's shape


def test_a_yaml_syntax_error_has_line_column_and_where_it_started(tmp_path):
    broken = TINY.replace("quote: 组织专题学法6次", "quote: [组织专题学法6次")
    report = check(tmp_path, broken)
    problem = only(report, "yaml_syntax")
    # libyaml notices the unclosed [ on the next line; the message says where the list started.
    assert (problem.code, problem.line, problem.column) == ("P302", 6, 12)
    assert "YAML 无法解析 (YAML syntax error)" in problem.message and "方括号" in problem.message
    assert "第5行第12列开始" in problem.message
    assert report.exit_code == 1


def test_a_tab_in_the_indentation_is_named(tmp_path):
    broken = TINY.replace("  - id: publicity_events", "\t- id: publicity_events")
    report = check(tmp_path, broken)
    problem = only(report, "tab")
    assert (problem.code, problem.line, problem.column) == ("P302", 9, 1)
    assert "制表符 (tab)" in problem.message and "缩进用了制表符 (tab in the indentation)" == problem.label
    assert report.exit_code == 1


def test_a_top_level_list_is_the_wrong_shape(tmp_path):
    report = check(tmp_path, "- unit: 测试街道\n- year: 2025\n")
    problem = only(report, "top_level")
    assert (problem.code, problem.line) == ("P302", 1)
    assert "键值结构" in problem.message and "(wrong top-level shape)" in problem.label
    assert report.exit_code == 1


def test_an_unknown_top_level_key_names_the_closest(tmp_path):
    broken = TINY.replace("not_statistics:", "not_statistic:")
    report = check(tmp_path, broken)
    problem = only(report, "unknown_key")
    assert (problem.code, problem.line, problem.entry) == ("P302", 14, "")
    assert "(unknown key) 'not_statistic'" in problem.message and "'not_statistics'" in problem.message


def test_a_duplicate_id_names_both_lines(tmp_path):
    broken = TINY.replace("  - id: publicity_events", "  - id: study_sessions_topical")
    report = check(tmp_path, broken)
    problem = only(report, "duplicate_id")
    assert (problem.code, problem.line, problem.entry) == ("P302", 9, "study_sessions_topical")
    assert "编号重复 (duplicate id)" in problem.message and "第4行" in problem.message


def test_a_key_written_twice_in_an_entry_is_found(tmp_path):
    broken = TINY.replace("    written: 12场次\n", "    written: 12场次\n    written: 12次\n")
    report = check(tmp_path, broken)
    problem = only(report, "duplicate_key")
    assert (problem.code, problem.line, problem.entry) == ("P302", 12, "publicity_events")
    assert "'written' 重复 (duplicate key)" in problem.message and "第11行" in problem.message


# ------------------------------------------------------------------ names: metric, table, column


def test_an_unknown_metric_names_the_closest(tmp_path):
    broken = TINY.replace(
        "    compute:\n      count: {table: publicity_events}\n",
        "    metric: count_petitions_recieved\n    definition: 受理的信访事项件数\n",
    )
    report = check(tmp_path, broken)
    problem = only(report, "unknown_metric")
    assert (problem.code, problem.line, problem.entry) == ("P302", 12, "publicity_events")
    assert "(unknown metric) 'count_petitions_recieved'" in problem.message
    assert "'count_petitions_received'" in problem.message


@pytest.mark.parametrize(
    "old, new, kind, wrong, closest",
    [
        ("table: study_sessions,", "table: study_session,", "unknown_table", "'study_session'", "'study_sessions'"),
        ("{session_type: 专题学法}", "{session_typ: 专题学法}", "unknown_column", "'session_typ'", "'session_type'"),
        ("{session_type: 专题学法}", "{session_type: 专题学习}", "unknown_category", "'专题学习'", "'专题学法'"),
    ],
    ids=["table", "column", "category"],
)
def test_an_unknown_table_column_or_category_in_a_spec_names_the_closest(tmp_path, old, new, kind, wrong, closest):
    report = check(tmp_path, TINY.replace(old, new))
    problem = only(report, kind)
    assert (problem.code, problem.line, problem.entry) == ("P302", 8, "study_sessions_topical")
    assert wrong in problem.message and f"是否应为 {closest}" in problem.message
    assert report.exit_code == 1


# ------------------------------------------------------------------ the register against the report text


@pytest.mark.parametrize(
    "quote, closest",
    [
        ("组织专题学法6次，", "报告第2行有「组织专题学法6次,」，只是全角/半角字符不同"),
        ("组织专题学习6次", "最接近的原文 (closest passage, 报告第2行)：「组织专题学法6次」"),
    ],
    ids=["full-width comma", "one character"],
)
def test_a_quote_not_in_the_text_names_the_closest_passage(tmp_path, quote, closest):
    report = check(tmp_path, TINY.replace("quote: 组织专题学法6次", f"quote: {quote}"))
    problem = only(report, "quote_not_found")
    assert (problem.code, problem.line, problem.entry) == ("P302", 5, "study_sessions_topical")
    assert "报告中找不到引文 (quote not in the report)" in problem.message and closest in problem.message
    assert report.exit_code == 1


def test_written_not_inside_its_quote(tmp_path):
    report = check(tmp_path, TINY.replace("written: 6次", "written: 7次"))
    problem = only(report, "written_not_in_quote")
    assert (problem.code, problem.line, problem.entry) == ("P302", 6, "study_sessions_topical")
    assert "'7次'" in problem.message and "(written not inside its quote)" in problem.label


def test_a_number_of_the_text_no_entry_accounts_for_is_a_warning_with_its_sentence(tmp_path):
    report_text = REPORT + "全年发放宣传资料300份,覆盖群众。\n"
    path, report_path = year_folders(tmp_path, TINY, report_text)
    report = check_register(path, report_path, 2025)
    problem = only(report, "unaccounted_number")
    assert (problem.code, problem.severity, problem.line) == ("P302", "warning", 3)
    assert problem.file.endswith("report.txt")
    assert "'300'" in problem.message and "全年发放宣传资料300份,覆盖群众。" in problem.message
    assert report.exit_code == 0
    result = run_cli(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "数字未登记 (number unaccounted for)" in result.stdout and "警告 1 个" in result.stdout


# ------------------------------------------------------------------ entries a draft left for review


def test_entries_a_draft_left_for_review_are_errors(tmp_path):
    # As register/draft.py writes them: a `todo:` key on an entry (here with no spec yet) and a commitment
    # still marked todo; and, from the issue, `compute: TODO` and a top-level `todo:` list.
    broken = (
        TINY.replace(
            "    quote: 组织专题学法6次\n", "    todo: 新数字，待审核 (not reviewed)\n    quote: 组织专题学法6次\n"
        )
        .replace("    compute:\n      count: {table: publicity_events}\n", "    compute: TODO\n")
        .replace("not_statistics:", "todo:\n  - {id: publicity_events, note: 口径待定}\nnot_statistics:")
        + "commitments:\n  - {id: commitment_01, todo: 新的下一步打算, text: 开展普法活动12场次}\n"
    )
    path, _ = year_folders(tmp_path, broken)
    report = check_register(path, tmp_path / "raw" / "2025" / "report.txt", 2025)
    todos = sorted((p.line, p.entry) for p in report.problems if p.kind == "draft_todo")
    assert todos == [
        (5, "study_sessions_topical"),
        (13, "publicity_events"),
        (15, "publicity_events"),
        (20, "commitment_01"),
    ], [p.text() for p in report.problems]
    assert all(
        p.code == "P302" and p.label == "待审核 (draft entry not reviewed)"
        for p in report.problems
        if p.kind == "draft_todo"
    )
    # The todo markers are not also reported as unknown keys or broken specs.
    assert not [p for p in report.problems if p.kind in ("unknown_key", "spec")]
    result = run_cli(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "待审核 (draft entry not reviewed)" in result.stdout and "第5行" in result.stdout


# ------------------------------------------------------------------ the command


def test_every_problem_is_found_in_one_pass(tmp_path):
    broken = (
        TINY.replace("not_statistics:", "not_statistic:")
        .replace("written: 6次", "written: 7次")
        .replace("{table: publicity_events}", "{table: publicity_event}")
    )
    kinds = {p.kind for p in check(tmp_path, broken).problems}
    assert {"unknown_key", "written_not_in_quote", "unknown_table"} <= kinds


def test_the_bundled_register_passes_without_pandas_or_jupyter(tmp_path):
    out = tmp_path / "check.json"
    result = run_cli(ROOT, "--json", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "错误 0 个，警告 0 个" in result.stdout
    assert "LOADED []" in result.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert (data["exit_code"], data["errors"], data["figures"]) == (0, 0, 54)


def test_the_cli_groups_by_entry_and_never_shows_a_traceback(tmp_path):
    broken = TINY.replace("written: 6次", "written: 7次").replace(
        "{table: publicity_events}", "{table: publicity_event}"
    )
    year_folders(tmp_path, broken)
    result = run_cli(tmp_path, "--json", str(tmp_path / "out.json"))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    first, second = (
        lines.index("条目「study_sessions_topical」（第4行起）"),
        lines.index("条目「publicity_events」（第9行起）"),
    )
    assert "第6行" in lines[first + 1] and "第13行" in lines[second + 1]
    assert "怎么改 (what to do)" in lines[first + 2]
    problems = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["problems"]
    assert [(p["kind"], p["line"], p["entry"]) for p in problems] == [
        ("written_not_in_quote", 6, "study_sessions_topical"),
        ("unknown_table", 13, "publicity_events"),
        ("unaccounted_number", 2, ""),  # the 6 of the entry whose written is wrong: a warning of its own
    ]
    bad_year = run_cli(tmp_path, "--year", "2025-01-01")
    assert bad_year.returncode == 2 and "四位年份" in bad_year.stderr
    assert "Traceback" not in result.stderr + bad_year.stderr


def test_the_metric_names_read_from_source_are_the_registry():
    from lawreport.metrics import METRICS

    assert metric_names_in_source() == sorted(METRICS)
