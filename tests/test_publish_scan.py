"""BAD-INPUTS.md "Publishing": the scan before publishing ends in a clear P305 error (kind, masked
surroundings, the ledger cell a value came from) and the previous appendix stays; executed notebooks
kept under build/<year>/notebooks/ are scrubbed of personal data (tracebacks and paths allowed there).

No kernel is started: documents and notebooks are built by hand around values planted in a copy of
the sample ledgers.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from support import copy_year, edit_cells, ledger_path, tree_hashes

from lawreport.appendix import PublishBlocked, export_editions, output_path, render_html
from lawreport.appendix.export import publish, wrap_document
from lawreport.appendix.scan import (
    SCRUB_KEY,
    find_published,
    personal_values,
    scan_notebook,
    scan_published,
    scrub_or_block,
    scrubbed_findings,
    trace_values,
)
from lawreport.ledgers import get_ledger
from lawreport.ledgers.cleaning import find_header
from lawreport.ledgers.reading import read_xlsx_sheet
from lawreport.ledgers.values import id_check_digit
from lawreport.run.clean_step import run_clean
from lawreport.run.pipeline import StepFailed

MOBILE = "13912345678"
LANDLINE = "023-74512345"
VALID_ID = "11010519491231002" + id_check_digit("11010519491231002")
WORK_UNIT_PHONE = "13800001111"


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    """A copy of 2025 with law_exams only; a phone typed into a 所在单位 cell; cleaned."""
    tmp = tmp_path_factory.mktemp("publish")
    params = copy_year(tmp, 2025, tables=["law_exams"])
    rows = edit_cells(params, "law_exams", [("work_unit", 2, f"桂阳街道 {WORK_UNIT_PHONE}")])
    run_clean(params)
    values = personal_values(params.path(params.raw_root), 2025)
    return params, rows[0], values


def _raw_person(params) -> tuple[str, str, int]:
    """(name, valid ID number, sheet row) of one law_exams row, read from the raw sheet."""
    ledger = get_ledger("law_exams")
    grid = read_xlsx_sheet(ledger_path(params, "law_exams"), ledger.sheet or "")
    header_idx, found, _ = find_header(grid, ledger)
    name_at, id_at = found["staff_name"][0], found["staff_id_number"][0]
    for i, row in enumerate(grid.rows[header_idx + 1 :]):
        name, number = str(row[name_at] or "").strip(), str(row[id_at] or "").strip()
        if len(name) >= 3 and len(number) == 18 and id_check_digit(number[:17]) == number[17]:
            return name, number, header_idx + 1 + i + grid.first_row
    raise AssertionError("no row with a valid ID number in the sample")


def _good_document() -> str:
    return wrap_document('<section id="cover"><p>2025年 共 6667 件</p></section>', "附录", "public")


def _bad_document(planted: str) -> str:
    return wrap_document(
        f'<section id="cards"><table><tr><td>当事人联系方式 {planted} 已核实</td></tr></table></section>',
        "附录",
        "public",
    )


# ------------------------------------------------------------------ P305 for a rendered edition


@pytest.mark.parametrize(
    ("what", "kind"),
    [
        ("id_number", "身份证号 (ID number)"),
        ("mobile", "手机号 (mobile number)"),
        ("landline", "固定电话 (landline)"),
        ("personal_value", "raw personal value"),
        ("traceback", "Traceback"),
        ("path", "machine path"),
    ],
)
def test_publishing_blocked_is_a_clear_p305_error_and_keeps_the_previous_appendix(year, tmp_path, what, kind):
    params, _, _ = year
    name, number, _ = _raw_person(params)
    planted = {
        "id_number": VALID_ID,
        "mobile": MOBILE,
        "landline": LANDLINE,
        "personal_value": name,
        "traceback": "Traceback (most recent call last): ValueError: boom",
        "path": "/home/analyst/ledgers/台账.xlsx",
    }[what]
    target = tmp_path / "build" / "appendix.html"
    publish(_good_document(), target, params, "public")
    before = target.read_bytes()
    with pytest.raises(PublishBlocked) as blocked:
        publish(_bad_document(planted), target, params, "public")
    error = blocked.value
    message = str(error)
    assert isinstance(error, StepFailed), "the command line reports it like a failed step, no traceback"
    assert message.startswith("[P305]") and "personal or machine data found before publishing" in message
    assert "未发布" in message and "附录公开版" in message and "previous appendix kept" in message
    assert kind in message and "#cards" in message and "当事人联系方式" in message, "kind, where, visible text"
    assert "<td>" not in message, "the surroundings are the visible text, not markup"
    for secret in (VALID_ID, MOBILE, LANDLINE, name, number):
        assert secret not in message, "every personal value is masked"
    assert error.findings and error.blocked["public"]
    assert target.read_bytes() == before
    assert not list(target.parent.glob(".appendix.html*.tmp"))


def test_a_personal_value_is_traced_to_its_raw_ledger_cell(year, tmp_path):
    params, _, _ = year
    name, number, row = _raw_person(params)
    with pytest.raises(PublishBlocked) as blocked:
        publish(_bad_document(f"{name}，证件 {number}"), tmp_path / "appendix.html", params, "public")
    message = str(blocked.value)
    ledger = get_ledger("law_exams")
    assert f"{ledger.file_name(2025)} / 工作表「{ledger.sheet}」 / 第{row}行 / 列「身份证号」" in message
    assert f"第{row}行 / 列「姓名」" in message
    assert name not in message and number not in message
    assert not (tmp_path / "appendix.html").exists()


def test_a_phone_in_a_non_personal_cell_is_traced_to_raw_and_clean_data(year, tmp_path):
    params, row, _ = year
    ledger = get_ledger("law_exams")
    with pytest.raises(PublishBlocked) as blocked:
        publish(_bad_document(WORK_UNIT_PHONE), tmp_path / "appendix.html", params, "public")
    message = str(blocked.value)
    assert f"{ledger.file_name(2025)} / 工作表「{ledger.sheet}」 / 第{row}行 / 列「所在单位」" in message
    assert WORK_UNIT_PHONE not in message
    if "中也有" in message:  # the clean step did not mask it (N207): both places are named once
        assert message.count(f"第{row}行 / 列「所在单位」") == 1


def test_a_value_found_only_in_clean_data_names_the_source_row(year, tmp_path):
    """A value that slipped into a clean table is traced through source_file/source_sheet/source_row."""
    params, _, _ = year
    path = params.clean_dir / "law_exams.parquet"
    original = path.read_bytes()
    frame = pd.read_parquet(path)
    frame.loc[frame.index[4], "work_unit"] = f"联系 {MOBILE}"
    source_row = int(frame.loc[frame.index[4], "source_row"])
    try:
        frame.to_parquet(path)
        with pytest.raises(PublishBlocked) as blocked:
            publish(_bad_document(MOBILE), tmp_path / "appendix.html", params, "public")
    finally:
        path.write_bytes(original)
    message = str(blocked.value)
    assert f"第{source_row}行 / 列「所在单位」(见清洗结果 2025/law_exams.parquet 列 work_unit；" in message


def _notebook(path: Path, outputs: list, source: str = "show()") -> Path:
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = outputs
    notebook.cells = [nbformat.v4.new_markdown_cell("# 附录"), cell, nbformat.v4.new_code_cell("done()")]
    notebook.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="完成 12 项\n")]
    nbformat.write(notebook, str(path))
    return path


def _html_output(html: str):
    return nbformat.v4.new_output("display_data", data={"text/html": html, "text/plain": ""})


def test_export_editions_scans_both_before_writing_either(year, tmp_path):
    params, _, _ = year
    good = _notebook(tmp_path / "public.ipynb", [_html_output('<section id="cover"><p>2025年</p></section>')])
    bad = _notebook(
        tmp_path / "internal.ipynb", [_html_output(f'<section id="quality"><p>电话 {MOBILE}</p></section>')]
    )
    targets = [output_path(params, e) for e in ("public", "internal")]
    raw_before = tree_hashes(params.raw_dir)
    with pytest.raises(PublishBlocked) as blocked:
        export_editions({"public": good, "internal": bad}, params)
    message = str(blocked.value)
    assert list(blocked.value.blocked) == ["internal"] and "附录内部审核版" in message
    assert "internal.ipynb" in message and "#quality" in message and MOBILE not in message
    assert not any(t.exists() for t in targets), "the clean edition is not written either"
    assert tree_hashes(params.raw_dir) == raw_before


def test_the_scan_unit_rules_still_hold():
    assert scan_published("<p>ok 2025年 6667 件</p>", set()) == []
    invalid = VALID_ID[:17] + ("0" if VALID_ID[17] != "0" else "1")
    assert scan_published(f"<p>{invalid}</p>", set()) == []
    assert scan_published(f"<p>X{MOBILE}9</p>", set()) == []
    found = find_published(f"<p>张三丰 电话 {MOBILE}</p>", {"张三丰", MOBILE})
    assert [f.kind for f in found] == ["手机号 (mobile number)", "原始台账个人信息列中的值 (raw personal value)"]
    assert all("张三丰" not in f.message() and MOBILE not in f.message() for f in found)
    assert "【手机号】" in found[0].context and "〔个人信息〕" in found[0].context


# ------------------------------------------------------------------ executed notebooks


def _planted_notebook(path: Path, name: str) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["papermill"] = {"parameters": {"year": 2025, "raw_root": "/work/main/data/raw"}}
    clean = nbformat.v4.new_code_cell("summary = clean()")
    clean.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="单位：桂阳街道 年度：2025 隔离 3 行\n"),
        nbformat.v4.new_output(
            "error",
            ename="FileNotFoundError",
            evalue="/home/analyst/build/x.parquet",
            traceback=["\x1b[0;31mTraceback (most recent call last)\x1b[0m", "FileNotFoundError: /home/analyst"],
        ),
    ]
    leaky = nbformat.v4.new_code_cell(f"lookup('{name}')")
    leaky.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=f"联系电话 {MOBILE}\n"),
        _html_output(f"<table><tr><td>{VALID_ID}</td></tr></table>"),
        nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo" + "A" * 40}),
    ]
    notebook.cells = [clean, leaky]
    nbformat.write(notebook, str(path))
    return path


def test_scan_notebook_finds_personal_data_and_allows_tracebacks_and_paths(year, tmp_path):
    params, _, values = year
    name, _, _ = _raw_person(params)
    path = _planted_notebook(tmp_path / "30_figures.ipynb", name)
    findings = scan_notebook(path, values)
    text = "\n".join(findings)
    assert "第 2 个单元格 (cell 2)源码" in text and "raw personal value" in text
    assert "第 2 个单元格 (cell 2)输出" in text and "手机号" in text and "身份证号" in text
    assert "cell 1" not in text, "a traceback and a path in an internal notebook are allowed"
    assert name not in text and MOBILE not in text and VALID_ID not in text
    clean = _notebook(tmp_path / "clean.ipynb", [_html_output("<p>2025年 共 12 件</p>")])
    assert scan_notebook(clean, values) == []


def test_scrub_replaces_the_outputs_by_a_notice_and_reports(year, tmp_path):
    params, _, _ = year
    name, _, _ = _raw_person(params)
    path = _planted_notebook(tmp_path / "30_figures.ipynb", name)
    said: list[str] = []
    lines = scrub_or_block(path, params, say=said.append)
    assert lines == said and lines[0].startswith("[P305]") and "30_figures.ipynb" in lines[0]
    assert any("来源 (source)" in line for line in lines), "traced to the ledger cell"
    raw = path.read_text(encoding="utf-8")
    for secret in (name, MOBILE, VALID_ID):
        assert secret not in raw, "the kept notebook no longer holds it"
        assert all(secret not in line for line in lines)
    notebook = nbformat.read(str(path), as_version=4)
    first, second = notebook.cells
    assert [o.output_type for o in first.outputs] == ["stream", "error"], "cells without personal data are kept"
    assert len(second.outputs) == 1 and "已在保存前移除" in second.outputs[0].data["text/plain"]
    assert "〔个人信息〕" in second.source
    assert notebook.metadata[SCRUB_KEY] and scrubbed_findings(path)
    assert scan_notebook(path, personal_values(params.path(params.raw_root), 2025)) == []


def test_a_clean_notebook_is_left_byte_identical(year, tmp_path):
    params, _, _ = year
    path = _notebook(tmp_path / "ok.ipynb", [_html_output("<p>2025年 共 12 件</p>")])
    before = path.read_bytes()
    assert scrub_or_block(path, params, say=None) == []
    assert path.read_bytes() == before


def test_scrub_can_block_and_a_scrubbed_notebook_is_never_published(year, tmp_path):
    params, _, _ = year
    name, _, _ = _raw_person(params)
    path = _planted_notebook(tmp_path / "90_appendix.public.ipynb", name)
    with pytest.raises(PublishBlocked) as blocked:
        scrub_or_block(path, params, block=True, say=None)
    assert "90_appendix.public.ipynb" in str(blocked.value) and name not in str(blocked.value)
    assert SCRUB_KEY in json.loads(path.read_text(encoding="utf-8"))["metadata"]
    target = output_path(params, "public")
    with pytest.raises(PublishBlocked) as again:
        render_html(path, params, "public")
    assert "notebook scrubbed" in str(again.value) and not target.exists()


def test_scrub_without_readable_ledgers_still_checks_the_patterns(tmp_path):
    path = _planted_notebook(tmp_path / "10_clean.ipynb", "某某某")
    lines = scrub_or_block(path, personal_values=set(), say=None)
    assert any("手机号" in line for line in lines) and any("身份证号" in line for line in lines)


def test_a_value_found_only_in_a_clean_table_is_traced_to_its_source_cell(tmp_path):
    """A clean table written by hand (an index that is not 0..n-1, a missing sheet and row): each text
    cell is traced to its own source row, not a neighbour's."""
    from lawreport.appendix.scan import _clean_cells

    folder = tmp_path / "clean" / "2025"
    folder.mkdir(parents=True)
    frame = pd.DataFrame(
        {
            "row_id": ["a", "b", "c"],
            "source_file": ["x.xlsx", "x.xlsx", "y.xlsx"],
            "source_sheet": ["表1", None, "表2"],
            "source_row": pd.array([5, None, 9], dtype="Int64"),
            "note": ["甲乙丙", None, "丁戊己"],
            "count": [1, 2, 3],
        },
        index=[10, 20, 30],
    )
    frame.to_parquet(folder / "petitions.parquet")
    cells = list(_clean_cells(tmp_path / "clean", 2025))
    assert [(c.file, c.sheet, c.row, c.text) for c in cells] == [
        ("x.xlsx", "表1", 5, "甲乙丙"),
        ("y.xlsx", "表2", 9, "丁戊己"),
    ]
    assert all(c.origin == "2025/petitions.parquet 列 note" for c in cells)
    traced = trace_values({"戊"}, tmp_path / "raw", tmp_path / "clean", 2025)
    assert traced == {"戊": [cells[1].describe()]}


def test_personal_values_read_by_a_forked_child_are_used_while_the_raw_files_stay_the_same(tmp_path, monkeypatch):
    """`pipeline.fork_scanner`: a run that adopts warm kernels reads the personal values in
    a child process; the scan then uses the child's values, but only for the files as the child saw
    them, and reads them itself when the child fails."""
    from lawreport.appendix import scan
    from lawreport.run.pipeline import fork_scanner

    params = copy_year(tmp_path, 2025, tables=["petitions", "penalty_cases"])
    raw = params.path(params.raw_root)
    expected = scan.personal_values(raw, 2025)
    assert len(expected) > 10
    forked = fork_scanner(params)
    assert forked is not None

    def not_here(*args):
        raise AssertionError("read in this process")

    monkeypatch.setattr(scan, "_cached_personal_values", not_here)  # the child forked before: unaffected
    monkeypatch.setattr(scan, "_GIVEN", {})
    forked.receive()
    assert scan.personal_values(raw, 2025) == expected
    forked.stop()
    path = ledger_path(params, "petitions")
    seen = path.stat()
    os.utime(path, ns=(seen.st_atime_ns, seen.st_mtime_ns + 10**9))  # saved again: another stamp
    with pytest.raises(AssertionError, match="read in this process"):
        scan.personal_values(raw, 2025)

    import time

    monkeypatch.setattr(scan, "personal_values", lambda *args: time.sleep(60))  # a child stopped (the run
    stopped = fork_scanner(params)  # is over) gives nothing, and is reaped
    stopped.stop()
    stopped.receive()
    with pytest.raises(ChildProcessError):
        os.waitpid(stopped.pid, os.WNOHANG)  # reaped
    monkeypatch.setattr(scan, "personal_values", not_here)  # a child that fails gives nothing
    fork_scanner(params).receive()
    assert len(scan._GIVEN) == 1


def test_the_forked_scanner_says_clean_only_of_a_notebook_it_found_nothing_in(year, tmp_path):
    """`pipeline.ForkedScanner.check`: the run's forked scanner checks executed notebooks on the other
    core; only its "nothing found", for the file as it still is, spares the run its own scrub."""
    import signal

    from lawreport.appendix.scan import file_identity, notebook_verdict
    from lawreport.run.pipeline import fork_scanner

    params, _, values = year
    name, _, _ = _raw_person(params)
    clean = _notebook(tmp_path / "clean.ipynb", [_html_output("<p>2025年 共 12 件</p>")])
    planted = _planted_notebook(tmp_path / "90_appendix.internal.ipynb", name)
    only_a_name = _notebook(tmp_path / "name.ipynb", [_html_output(f"<p>经办人 {name}</p>")])
    scanner = fork_scanner(params)
    assert scanner is not None
    try:
        scanner.receive()
        assert scanner.check(clean) is True
        assert scanner.check(planted) is False and scanner.check(only_a_name) is False
        assert scanner.check(tmp_path / "gone.ipynb") is False
        assert notebook_verdict(clean, file_identity(clean), values) == "clean"
        assert notebook_verdict(only_a_name, file_identity(only_a_name), values) == "found"
        assert notebook_verdict(clean, (0, 0, 0), values) == "changed", "not the file it was asked about"
        ledger = ledger_path(params, "law_exams")
        seen = ledger.stat()
        os.utime(ledger, ns=(seen.st_atime_ns, seen.st_mtime_ns + 10**9))  # saved again since the values
        try:
            assert scanner.check(clean) is False, "its values may be out of date: the run scans itself"
        finally:
            os.utime(ledger, ns=(seen.st_atime_ns, seen.st_mtime_ns))
        # Set back to its size and modification time, the file was still touched (its status change time):
        # still out of date (`scan.raw_stamp`).
        assert scanner.check(clean) is False
        os.kill(scanner.pid, signal.SIGKILL)
        assert scanner.check(clean) is False, "ended: it cannot say"
    finally:
        scanner.stop()
    with pytest.raises(ChildProcessError):
        os.waitpid(scanner.pid, os.WNOHANG)  # reaped
