"""The raw ledgers' personal values (what every scrub looks for), read ahead by a warm kernel and handed to the
next run (lawreport.appendix.scan.values_for, lawreport.run.pipeline.KernelPool.give_values), and the clean
step's first ledger cleaned by its own kernel while the run gets its notebook ready (clean_step.clean_first).

Each file's values are read again only when the file changed (its inode, size, modification or status
change time); the forked scanner checks with the values it was given, or reads them itself when given
none; a check asked before the values were given waits for them instead of blocking the run."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from pathlib import Path

import nbformat
import pytest
from support import copy_year, edit_cells, ledger_path

from lawreport.appendix import scan
from lawreport.run import pipeline


@pytest.fixture
def fresh_values():
    """No values kept from another test in this process."""
    scan._FILE_VALUES.clear()
    scan._cached_personal_values.cache_clear()
    yield
    scan._FILE_VALUES.clear()
    scan._cached_personal_values.cache_clear()


def _reads(monkeypatch) -> list[str]:
    """The ledger files the scan reads from now on, by name."""
    read: list[str] = []
    real = scan.read_ledger_grids
    monkeypatch.setattr(scan, "read_ledger_grids", lambda ledger, path: read.append(path.name) or real(ledger, path))
    return read


def test_a_files_values_are_read_again_only_when_the_file_changed(tmp_path, monkeypatch, fresh_values):
    params = copy_year(tmp_path, 2025, tables=["law_exams", "petitions"])
    root = params.path(params.raw_root)
    read = _reads(monkeypatch)
    before = scan.personal_values(root, 2025)
    assert sorted(read) == sorted({ledger_path(params, t).name for t in ("law_exams", "petitions")})

    read.clear()
    edit_cells(params, "law_exams", [("staff_name", 0, "欧阳新名")])
    after = scan.personal_values(root, 2025)
    assert read == [ledger_path(params, "law_exams").name]  # the other file's values kept
    assert "欧阳新名" in after and "欧阳新名" not in before

    # Same size and modification time, other content: its status change time tells.
    path = ledger_path(params, "petitions")
    stat = path.stat()
    data = bytearray(path.read_bytes())
    read.clear()
    path.write_bytes(bytes(data))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    scan.personal_values(root, 2025)  # also through the values kept for the whole stamp (`raw_stamp`)
    assert read == [path.name]

    # What is kept equals a fresh read.
    scan._FILE_VALUES.clear()
    scan._cached_personal_values.cache_clear()
    assert scan.personal_values(root, 2025) == after


def test_values_for_gives_the_values_and_their_stamp_and_read_ahead_never_fails(tmp_path, fresh_values):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    root = params.path(params.raw_root)
    shown = scan.values_for(str(root), 2025)
    assert repr(shown) == f"'{shown}'"  # nothing to unescape in what the kernel shows
    stamp, values = json.loads(base64.b64decode(shown))
    assert [tuple(entry) for entry in stamp] == list(scan.raw_stamp(root))
    assert set(values) == scan.personal_values(root, 2025) and values == sorted(values)
    scan.read_ahead(str(tmp_path / "nowhere"), 2025)  # nothing read, nothing raised
    with pytest.raises(Exception):  # noqa: B017 - what a run that asks meets: an error, not empty values
        scan.values_for(str(tmp_path / "nowhere"), 2025)


def _notebook_with(path: Path, text: str) -> Path:
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    notebook.cells = [cell]
    nbformat.write(notebook, str(path))
    return path


def _given(root: Path, values: set[str]) -> bytes:
    return json.dumps([list(scan.raw_stamp(root)), sorted(values)], ensure_ascii=False).encode("utf-8")


def test_the_forked_scanner_checks_with_the_values_it_is_given_or_reads_them_itself(tmp_path, fresh_values):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    root = params.path(params.raw_root)
    notebook = _notebook_with(tmp_path / "n.ipynb", "联系人 欧阳不在台账 已回访")
    assert "欧阳不在台账" not in scan.personal_values(root, 2025)

    given = pipeline.fork_scanner(params)
    assert given is not None
    try:
        data = _given(root, scan.personal_values(root, 2025) | {"欧阳不在台账"})
        given.give(data)
        given.receive(data)
        assert not given.check(notebook)  # found: the given values were used
        assert "欧阳不在台账" in scan.personal_values(root, 2025)  # and kept in this process while the files are so
    finally:
        given.stop()

    scan._GIVEN.clear()
    itself = pipeline.fork_scanner(params)
    assert itself is not None
    try:
        itself.give(b"")  # word to read them itself
        itself.receive()
        assert itself.check(notebook)  # clean: not a value of the ledgers
    finally:
        itself.stop()


def test_a_check_asked_before_the_values_are_given_waits_for_them(tmp_path, fresh_values):
    """Found in a run: a check that held the scanner's lock while the child waited for its word kept
    the word from being given, and the run hung."""
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    root = params.path(params.raw_root)
    notebook = _notebook_with(tmp_path / "n.ipynb", "无个人信息")
    forked = pipeline.fork_scanner(params)
    assert forked is not None
    answers: list[bool] = []
    try:
        asking = threading.Thread(target=lambda: answers.append(forked.check(notebook)))
        asking.start()
        time.sleep(0.3)
        assert not answers  # the child waits for its word
        giving = threading.Thread(target=forked.give, args=(_given(root, scan.personal_values(root, 2025)),))
        giving.start()
        giving.join(timeout=10)
        assert not giving.is_alive(), "the word could not be given while a check waited"
        asking.join(timeout=30)
        assert answers == [True]
    finally:
        forked.stop()


def test_a_child_that_reads_the_values_itself_is_drained_before_any_check(tmp_path, fresh_values):
    """Found in a run: the run read the child's values only once its first step had finished, while a
    check held the lock the reading needed; the child, its values not all sent (more than a pipe
    holds), answered no check. The values are read at once; only their parsing waits."""
    params = copy_year(tmp_path, 2025)
    notebook = _notebook_with(tmp_path / "n.ipynb", "无个人信息")
    forked = pipeline.fork_scanner(params)
    assert forked is not None
    wanted = threading.Event()
    answers: list[bool] = []
    try:
        forked.give(b"")
        receiving = threading.Thread(target=forked.receive, args=(None, wanted.wait))
        receiving.start()
        asking = threading.Thread(target=lambda: answers.append(forked.check(notebook)))
        asking.start()
        asking.join(timeout=30)
        assert answers == [True], "no answer while the parsing of the values waits"
        wanted.set()
        receiving.join(timeout=30)
        assert not receiving.is_alive()
    finally:
        wanted.set()
        forked.stop()


def test_the_clean_steps_first_work_cleans_the_first_ledger_still_to_clean(tmp_path):
    from lawreport.ledgers.manifest import read_manifest
    from lawreport.run import clean_step

    params = copy_year(tmp_path, 2025, tables=["law_exams", "petitions"])
    raw = params.as_dict()
    order = [ledger.table for ledger in read_manifest(params.raw_dir).ledgers]
    pending = [p[2].table for p in clean_step._pending(params)]
    assert pending[: len(order)] == [t for t in order if t in pending]
    first = pending[0]
    assert clean_step.clean_first(raw) == 1
    assert [p[2].table for p in clean_step._pending(params)] == pending[1:]  # that one is in the cache now
    assert first not in [p[2].table for p in clean_step._pending(params)]
    # The help from the other end leaves the first still to clean to the notebook (or to clean_first).
    assert clean_step.clean_ahead(raw) == len(pending) - 2
    assert [p[2].table for p in clean_step._pending(params)] == pending[1:2]


def test_force_has_the_child_read_the_values_itself(tmp_path, monkeypatch, fresh_values):
    """`--force` trusts no cache: not the values a warm kernel read ahead either (`KernelPool.give_values`)."""
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    root = params.path(params.raw_root)
    asked: list[object] = []

    def values_from(manager, raw_root, year):
        asked.append(manager)
        return _given(raw_root, scan.personal_values(raw_root, year))

    monkeypatch.setattr(pipeline, "values_from", values_from)

    class Warm:
        values_ahead = (str(root), 2025)

    for force, expected in ((True, 0), (False, 1)):
        asked.clear()
        pool = pipeline.KernelPool()
        pool._forked = pipeline.fork_scanner(params)
        pool._kernels = {pipeline.VALUES_LANE: Warm()}
        try:
            pool.give_values(params, force)
            pool.wait_personal_values()
            assert len(asked) == expected
            assert scan.personal_values(root, 2025)
        finally:
            pool._kernels = {}
            pool.close()
