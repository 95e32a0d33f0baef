"""Notices: informational problems that are reported while the run goes on.

N205: a raw file whose sha256 no longer matches MANIFEST.yaml (a ledger edited after the manifest was
written) is named in clean_report.json, in the clean step's summary and in the run summary; the ledger is
still cleaned.
"""

from __future__ import annotations

import json

import yaml
from support import copy_year, edit_cells, ledger_path

from lawreport.ledgers.manifest import MANIFEST_NAME, sha256_file
from lawreport.run.clean_step import run_clean
from lawreport.run.summary import summarise


def _manifest_hash(params, name: str) -> str:
    manifest = yaml.safe_load((params.raw_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    return next(f["sha256"] for f in manifest["files"] if f["name"] == name)


def _n205(notices) -> list[tuple[str, str]]:
    return [(n["code"], n["file"]) for n in notices if n["code"] == "N205"]


def test_an_unchanged_copy_gives_no_n205(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    summary = run_clean(params)
    assert [p for p in summary.notices if p.code == "N205"] == []
    report = json.loads((params.clean_dir / "clean_report.json").read_text(encoding="utf-8"))
    assert _n205(report["notices"]) == []
    assert not any("[N205]" in line for line in summarise(params).lines())


def test_a_ledger_edited_after_the_manifest_gives_n205_with_its_file_name(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    path = ledger_path(params, "law_exams")
    name = path.name
    assert sha256_file(path) == _manifest_hash(params, name)
    edit_cells(params, "law_exams", [("work_unit", 0, "街道综合行政执法队")])
    assert sha256_file(path) != _manifest_hash(params, name)

    summary = run_clean(params)
    # the clean step's summary
    [notice] = [p for p in summary.notices if p.code == "N205"]
    assert (notice.file, notice.level) == (name, "notice")
    assert "N205" in notice.message() and name in notice.message() and "哈希" in notice.message()
    # the run goes on: the edited ledger is cleaned
    [result] = summary.results
    assert result.rows_kept > 0
    # clean_report.json
    report = json.loads((params.clean_dir / "clean_report.json").read_text(encoding="utf-8"))
    assert _n205(report["notices"]) == [("N205", name)]
    [written] = [n for n in report["notices"] if n["code"] == "N205"]
    assert written["level"] == "notice" and "哈希" in written["label"] and written["detail"]
    # the run summary printed at the end of a run, and --fail-on notice
    run = summarise(params)
    assert (2025, "N205", name) in [(y, c, f) for y, c, f, _ in run.notices]
    lines = [line for line in run.lines() if line.startswith("[N205]")]
    assert len(lines) == 1 and name in lines[0] and "2025 年" in lines[0]
    assert run.findings(("notice",)) == ["notice×1"]
    assert run.findings(("mismatch",)) == []


def test_a_changed_report_text_is_named_too(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    report_txt = params.raw_dir / "report.txt"
    report_txt.write_text(report_txt.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    summary = run_clean(params)
    assert [p.file for p in summary.notices if p.code == "N205"] == ["report.txt"]
    report = json.loads((params.clean_dir / "clean_report.json").read_text(encoding="utf-8"))
    assert _n205(report["notices"]) == [("N205", "report.txt")]
