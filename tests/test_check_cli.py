"""`lawreport check` end to end: a folder mixing txt, docx, html and pdf with a broken file, run as a
user runs it (the console command in a subprocess): the summary, the JSON shape, the exit code."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from unit.test_documents import make_docx, make_pdf, p, r

from lawreport.params import PROJECT_ROOT

FAILING = "共受理信访件120件，其中来信80件、来访45件。"  # 80 + 45 = 125 > 120
HOLDING = "全年共办理复议案件15件，办结14件，办结率93.3%。"  # 14 / 15 = 93.33%


def run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "lawreport.cli", "check", *args]
    return subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)


def test_a_mixed_folder_with_a_broken_file(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.txt").write_text(HOLDING, encoding="gb18030")
    (folder / "b.docx").write_bytes(make_docx(p(r(FAILING))))
    (folder / "c.html").write_text(
        f"<html><head><meta charset='utf-8'></head><body><div class='nav'>首页 1 2 3</div>"
        f"<div id='zoom'><p>{HOLDING}</p></div><div class='footer'>版权所有 2025</div></body></html>",
        encoding="utf-8",
    )
    (folder / "d.pdf").write_bytes(make_pdf([[HOLDING]]))
    (folder / "e.docx").write_bytes(b"PK\x03\x04 truncated")
    (folder / "notes.xlsx").write_bytes(b"not a report")
    started = time.perf_counter()
    done = run(str(folder), "--json", str(tmp_path / "out.json"), "--text-out", str(tmp_path / "texts"))
    elapsed = time.perf_counter() - started
    assert done.returncode == 2, done.stdout + done.stderr  # a file could not be read: non-zero at the end
    assert "e.docx" in done.stdout and "无法读取" in done.stdout  # named, and the others still checked
    assert "notes.xlsx" in done.stderr or ".xlsx" in done.stderr  # skipped files are said
    assert "不成立 [part_whole]" in done.stdout and "80 + 45" not in done.stdout or "125" in done.stdout
    result = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    documents = {d["path"].rsplit("/", 1)[-1]: d for d in result["documents"]}
    assert sorted(documents) == ["a.txt", "b.docx", "c.html", "d.pdf", "e.docx"]
    assert documents["e.docx"]["error"] and documents["e.docx"]["mentions"] == []
    for name in ("a.txt", "c.html", "d.pdf"):
        document = documents[name]
        assert document["error"] is None
        assert [(r["kind"], r["verdict"]) for r in document["relations"]] == [("rate_counts", "holds")], name
    failing = documents["b.docx"]
    assert [(r["kind"], r["verdict"]) for r in failing["relations"]] == [("part_whole", "fails")]
    relation = failing["relations"][0]
    assert [failing["mentions"][i]["text"] for i in relation["mentions"]] == ["120", "80", "45"]
    mention = failing["mentions"][0]
    assert set(mention) >= {"start", "end", "text", "role", "value", "low", "high", "unit", "wording", "period"}
    # Offsets point into the extracted text that --text-out wrote.
    texts = sorted((tmp_path / "texts").iterdir())
    assert len(texts) == 4
    text = next(t for t in texts if "b" in t.stem.split("_", 1)[1]).read_text(encoding="utf-8")
    assert text[mention["start"] : mention["end"]] == mention["text"]
    assert "首页" not in (tmp_path / "texts" / next(t.name for t in texts if t.stem.endswith("c"))).read_text("utf-8")
    assert elapsed < 30  # no kernel; the timing that matters is `make bench-check`


def test_exit_codes(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(HOLDING, encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text(FAILING, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    assert run(str(good)).returncode == 0
    assert run(str(bad)).returncode == 1
    done = run(str(empty), str(good))
    assert done.returncode == 2 and "文件为空" in done.stdout and "good.txt" in done.stdout
    missing = run(str(tmp_path / "nowhere.txt"))
    assert missing.returncode == 2 and "nowhere.txt" in missing.stdout + missing.stderr
    (tmp_path / "nothing").mkdir()
    assert run(str(tmp_path / "nothing")).returncode == 2


def test_the_command_exits_with_mains_code_and_without_collecting_the_heap(tmp_path, monkeypatch, capsys):
    """`lawreport` (cli.entry): main's exit code, with the heap frozen so that the interpreter's
    last collection does not walk it (0.3 s after a run)."""
    import gc

    import pytest

    from lawreport import cli

    bad = tmp_path / "bad.txt"
    bad.write_text(FAILING, encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["lawreport", "check", str(bad)])
    assert gc.get_freeze_count() == 0
    try:
        with pytest.raises(SystemExit) as done:
            cli.entry()
        assert done.value.code == 1 and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert "不成立" in capsys.readouterr().out


def test_a_defect_met_in_one_report_is_named_and_the_others_are_still_checked(tmp_path, monkeypatch):
    """(A bracketed list once raised IndexError in the relations and stopped a whole folder.) A defect of
    the tool met in one file is that file's error, said as the tool's, and the next file is checked."""
    from lawreport.text import check

    real = check.check_text

    def defective(text: str, path: str = "<text>"):
        if "坏" in text:
            raise IndexError("list index out of range")
        return real(text, path)

    monkeypatch.setattr(check, "check_text", defective)
    (tmp_path / "a.txt").write_text("坏" + HOLDING, encoding="utf-8")
    (tmp_path / "b.txt").write_text(FAILING, encoding="utf-8")
    first, second = check.iter_checked([tmp_path])
    assert first.error and "internal error" in first.error and "IndexError" in first.error
    assert "维护者" in first.error  # whom to tell
    assert second.error is None and second.verdicts()["fails"] == 1
