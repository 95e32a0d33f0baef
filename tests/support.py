"""Helpers for tests that build broken copies of the sample ledgers in a temporary folder."""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import re
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pytest
import yaml

from lawreport.ledgers import copy_config, get_ledger
from lawreport.ledgers.cleaning import find_header
from lawreport.ledgers.manifest import MANIFEST_NAME, sha256_file
from lawreport.ledgers.reading import read_xlsx_sheet
from lawreport.ledgers.values import ValueProblem, parse_flag
from lawreport.params import PROJECT_ROOT, RunParams, check_params

SAMPLE_RAW = PROJECT_ROOT / "data" / "raw"


def copy_unit(raw_root: Path) -> Path:
    """Copy the sample unit's configuration (unit.yaml, ledgers/*.yaml) into raw_root."""
    copy_config(SAMPLE_RAW, raw_root)
    return raw_root


def copy_year(tmp_path: Path, year: int = 2025, tables: list[str] | None = None) -> RunParams:
    """Copy a sample year to tmp_path/raw/<year>, keeping only the files of `tables` (all when None)."""
    source = SAMPLE_RAW / str(year)
    manifest = yaml.safe_load((source / MANIFEST_NAME).read_text(encoding="utf-8"))
    if tables is not None:
        manifest["ledgers"] = [t for t in manifest["ledgers"] if t in tables]
    target = tmp_path / "raw" / str(year)
    target.mkdir(parents=True)
    copy_unit(tmp_path / "raw")
    wanted = {get_ledger(t).file_name(year) for t in manifest["ledgers"]}
    for item in source.iterdir():
        if item.name in wanted or item.name == "report.txt" or (tables is None and item.name != MANIFEST_NAME):
            shutil.copy2(item, target / item.name)
    manifest["files"] = [f for f in manifest["files"] if (target / f["name"]).exists()]
    (target / MANIFEST_NAME).write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return check_params(
        {
            "year": year,
            "raw_root": str(tmp_path / "raw"),
            "clean_root": str(tmp_path / "clean"),
            "build_root": str(tmp_path / "build"),
        }
    )


def seed_clean_cache(source: RunParams, target: RunParams) -> None:
    """Give `target`'s clean step the ledger results `source`'s run kept (<clean_root>/.cache/). The cache is keyed
    by what each ledger's cleaning reads (its file's hash, layout, year, pseudonym key, package), so a ledger a test
    changed is cleaned again and every other one is taken as `source` cleaned it: for tests about what a change
    does, not about cleaning from nothing. (tests/test_clean_cache.py shows that a kept result is the cleaned one.)"""
    from lawreport.run.clean_step import CACHE_DIR

    shutil.copytree(
        source.path(source.clean_root) / CACHE_DIR, target.path(target.clean_root) / CACHE_DIR, dirs_exist_ok=True
    )


def ledger_path(params: RunParams, table: str) -> Path:
    return params.raw_dir / get_ledger(table).file_name(params.year)


def locate(params: RunParams, table: str, column: str, data_row: int = 0) -> tuple[int, int]:
    """1-based (row, col) of a column's cell in the n-th data row, found the way the cleaner finds it."""
    ledger = get_ledger(table)
    assert ledger.sheet is not None
    grid = read_xlsx_sheet(ledger_path(params, table), ledger.sheet)
    header_idx, found, _ = find_header(grid, ledger)
    col = found[column][0]
    row = header_idx + 1
    seen = -1
    while True:
        cells = grid.rows[row]
        if any(c not in (None, "") for c in cells):
            seen += 1
            if seen == data_row:
                return row + 1, col + 1
        row += 1


def edit_cells(params: RunParams, table: str, edits: list[tuple[str, int, object]]) -> list[int]:
    """Set (column, data_row, value) cells of a ledger sheet; returns the sheet rows touched."""
    ledger = get_ledger(table)
    path = ledger_path(params, table)
    targets = [(locate(params, table, column, data_row), value) for column, data_row, value in edits]
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[ledger.sheet]
    for (row, col), value in targets:
        cell = sheet.cell(row=row, column=col)
        cell.value = value  # (sheet.cell(value=None) would leave the old value in place)
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # text that looks like a formula, as it arrives from a paste
    workbook.save(path)
    return [row for (row, _), _ in targets]


def tree_hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): sha256_file(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def workbook_sheet(params: RunParams, table: str):
    """The openpyxl sheet of a ledger (read only) and its 1-based header row."""
    ledger = get_ledger(table)
    grid = read_xlsx_sheet(ledger_path(params, table), ledger.sheet or "")
    header_idx, _, _ = find_header(grid, ledger)
    book = openpyxl.load_workbook(ledger_path(params, table), read_only=True)
    return book[ledger.sheet], header_idx + 1


def unresolved_road_office_rows(params: RunParams, count: int) -> list[int]:
    """Data-row indexes (as edit_cells counts them) of the first `count` unresolved 马路办公 issues of a year:
    the internal edition lists such rows in full (the resolved ones are summarised)."""
    ledger = get_ledger("road_office")
    grid = read_xlsx_sheet(ledger_path(params, "road_office"), ledger.sheet or "")
    header_idx, found, _ = find_header(grid, ledger)
    j = found["resolved"][0]
    chosen: list[int] = []
    seen = -1
    for row in grid.rows[header_idx + 1 :]:
        if any(c not in (None, "") for c in row):
            seen += 1
            try:
                if j < len(row) and parse_flag(row[j]) is False:
                    chosen.append(seen)
            except ValueProblem:
                continue
    assert len(chosen) >= count, f"only {len(chosen)} unresolved road_office rows in the sample"
    return chosen[:count]


@contextmanager
def _exclusive(lock: Path) -> Iterator[None]:
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def built_once(factory: pytest.TempPathFactory, worker_id: str, name: str, build: Callable[[Path], None]) -> Path:
    """A folder that `build` fills once per test session, shared by every xdist worker: the first worker to ask
    builds it under a file lock in the session's temporary root, the others wait for it and get the same folder.
    Without xdist (worker "master") it is simply built in the session's temporary folder. Read only: a test that
    changes files in it works on a copy (shutil.copytree)."""
    if worker_id == "master":
        folder = factory.mktemp(name)
        build(folder)
        return folder
    root = factory.getbasetemp().parent  # <pytest-N>, shared by the workers of this session only
    folder, done = root / name, root / f"{name}.done"
    with _exclusive(root / f"{name}.lock"):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a worker that failed here left
            folder.mkdir()
            build(folder)
            done.touch()
    return folder


SAID = "said.json"  # beside the session run's folders (tests/conftest.py): what it printed and the steps it ran


def suite_said(params) -> dict[str, list[str]]:
    """What the session's run (the `suite_run` fixture) printed, line by line, and the steps it ran, in order."""
    return json.loads((params.path(params.build_root).parent / SAID).read_text(encoding="utf-8"))


TRIE_DEPTH = 32


def starts_pattern(values: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern that matches, at any position where one of `values` starts, at least the shortest of them (of its
    first `TRIE_DEPTH` characters): the values as a trie (a character, then the alternatives that may follow it), so
    that the regular expression engine passes over the positions where none can start in C, not one Python step per
    character. The depth bounds the pattern's nesting (a long free-text value would exceed Python's recursion
    limits); what follows is for the caller to compare. None for no values."""
    trie: dict[str, dict] = {}
    for value in values:
        node = trie
        for char in value[:TRIE_DEPTH]:
            node = node.setdefault(char, {})
        node[""] = {}

    def branch(node: dict[str, dict]) -> str:
        alternatives = [re.escape(char) + branch(rest) for char, rest in sorted(node.items()) if char]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        return f"(?:{body})?" if "" in node else body

    return re.compile(branch(trie)) if trie else None


def values_in(text: str, values: Iterable[str]) -> list[str]:
    """The values that occur in `text`, as `[v for v in values if v in text]` finds them (sorted, no repeats), in
    one pass over the text instead of one per value (the 17,000 personal values of the sample against the 20 MB
    of text of a run's outputs: 1 s, where a look at every position took 40 s and one search per value hours).

    Each value is looked for at every position of every match of `starts_pattern`: a position where a value starts
    lies in one (where the engine tries a position, the pattern matches if a value starts there), so nothing that a
    look at every position would find is missed."""
    values = values if isinstance(values, frozenset) else frozenset(values)
    starts, by_start = _values_index(values)
    found = {""} & values  # in every text
    for match in starts.finditer(text) if starts else ():
        for i in range(match.start(), match.end()):
            for start in {text[i : i + 2], text[i]}:
                found.update(v for v in by_start.get(start, ()) if text.startswith(v, i))
    return sorted(found)


@functools.lru_cache(maxsize=8)  # a scan of many files looks for the same values in each
def _values_index(values: frozenset[str]) -> tuple[re.Pattern[str] | None, dict[str, list[str]]]:
    by_start: dict[str, list[str]] = defaultdict(list)
    for value in values - {""}:
        by_start[value[:2]].append(value)
    return starts_pattern(values - {""}), dict(by_start)
