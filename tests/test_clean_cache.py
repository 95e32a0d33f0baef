"""The clean step's per-ledger cache: a rerun re-cleans only the ledgers whose inputs changed, and its
outputs are byte-identical to a cold clean of the same raw files."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import pandas as pd
import pytest
import yaml
from support import copy_year, edit_cells, tree_hashes

from lawreport.ledgers.cleaning import LedgerCleaner
from lawreport.ledgers.manifest import MANIFEST_NAME
from lawreport.run import clean_step

TABLES = ["petitions", "legacy_cases", "law_exams"]


@pytest.fixture
def cleaned(monkeypatch):
    """Records the tables each clean actually cleans (the real cleaner runs)."""
    calls: list[str] = []
    real = LedgerCleaner.clean_grids

    def counting(self, ledger, grids):
        calls.append(ledger.table)
        return real(self, ledger, grids)

    monkeypatch.setattr(LedgerCleaner, "clean_grids", counting)
    return calls


def _outputs(params):
    return tree_hashes(params.clean_dir)


def _cold(params, tmp_path, name: str):
    """A clean of the same raw files into a fresh clean root: what a first run writes."""
    fresh = replace(params, clean_root=str(tmp_path / name))
    clean_step.run_clean(fresh)
    return _outputs(fresh)


def test_a_rerun_reuses_every_ledger_and_writes_the_same_bytes(tmp_path, cleaned):
    params = copy_year(tmp_path, 2025, tables=TABLES)
    first = clean_step.run_clean(params)
    assert sorted(cleaned) == sorted(TABLES) and first.reused == []
    before = _outputs(params)
    cleaned.clear()
    again = clean_step.run_clean(params)
    assert cleaned == [] and sorted(again.reused) == sorted(TABLES)
    assert _outputs(params) == before
    # written and accounted for without decoding a kept table (`CachedResult`)
    assert all(isinstance(r, clean_step.CachedResult) and r._table is None for r in again.results)
    assert again.accounting().equals(first.accounting())
    assert all(r.table.equals(f.table) for r, f in zip(again.results, first.results, strict=True))
    assert [r.report() for r in again.results] == [r.report() for r in first.results]
    assert again.quarantine == first.quarantine
    # a table put in its place is the one counted and written, not the kept bytes
    changed = again.results[0]
    changed.table = changed.table.head(1)
    assert changed.rows_kept == 1 and changed.parquet_bytes is None
    clean_step.write_clean(params, again)
    assert len(pd.read_parquet(params.clean_dir / f"{changed.ledger.table}.parquet")) == 1


def test_one_changed_ledger_is_cleaned_again_and_only_it(tmp_path, cleaned):
    params = copy_year(tmp_path, 2025, tables=TABLES)
    clean_step.run_clean(params)
    before = _outputs(params)
    edit_cells(params, "law_exams", [("score", 0, 59)])
    cleaned.clear()
    summary = clean_step.run_clean(params)
    assert cleaned == ["law_exams"] and sorted(summary.reused) == ["legacy_cases", "petitions"]
    after = _outputs(params)
    assert after["law_exams.parquet"] != before["law_exams.parquet"]
    assert after == _cold(params, tmp_path, "cold")


def test_a_new_key_cleans_every_ledger_again(tmp_path, cleaned):
    params = copy_year(tmp_path, 2025, tables=TABLES)
    clean_step.run_clean(params)
    before = _outputs(params)
    key_file = tmp_path / "office.key"
    key_file.write_bytes(b"k" * 40)
    other = replace(params, key_file=str(key_file))
    cleaned.clear()
    summary = clean_step.run_clean(other)
    assert sorted(cleaned) == sorted(TABLES) and summary.reused == []
    assert _outputs(other)["petitions.parquet"] != before["petitions.parquet"], "new pseudonyms"


def test_a_package_change_cleans_every_ledger_again(tmp_path, cleaned, monkeypatch):
    params = copy_year(tmp_path, 2025, tables=TABLES)
    clean_step.run_clean(params)
    monkeypatch.setattr(clean_step, "package_source_digest", lambda: "another source")
    cleaned.clear()
    assert clean_step.run_clean(params).reused == [] and sorted(cleaned) == sorted(TABLES)


@pytest.mark.parametrize("damage", ["result.json", "table.parquet", "folder"])
def test_a_damaged_cache_entry_is_cleaned_again(tmp_path, cleaned, damage):
    params = copy_year(tmp_path, 2025, tables=TABLES)
    clean_step.run_clean(params)
    before = _outputs(params)
    (entry,) = clean_step.cache_dir(params).glob("petitions.*")
    if damage == "folder":
        shutil.rmtree(entry)
    else:
        (entry / damage).write_bytes(b"{not what was written")
    cleaned.clear()
    summary = clean_step.run_clean(params)
    assert cleaned == ["petitions"] and "petitions" not in summary.reused
    assert _outputs(params) == before


def test_an_entry_stored_under_another_key_is_not_trusted(tmp_path, cleaned):
    params = copy_year(tmp_path, 2025, tables=TABLES)
    clean_step.run_clean(params)
    (entry,) = clean_step.cache_dir(params).glob("law_exams.*")
    text = (entry / "result.json").read_text(encoding="utf-8")
    (entry / "result.json").write_text(text.replace('"key": "', '"key": "0'), encoding="utf-8")
    cleaned.clear()
    clean_step.run_clean(params)
    assert cleaned == ["law_exams"]


# ------------------------------------------------------------------ help from another kernel (clean_ahead)


def _order(params) -> list[str]:
    from lawreport.ledgers.manifest import read_manifest

    return [ledger.table for ledger in read_manifest(params.raw_dir).ledgers]


def test_the_help_cleans_from_the_last_ledger_and_the_clean_step_then_takes_its_results(tmp_path, cleaned):
    params = copy_year(tmp_path, 2025, tables=TABLES)
    order = _order(params)
    assert sorted(order) == sorted(TABLES)
    assert clean_step.clean_ahead(params.as_dict()) == len(order) - 1
    assert cleaned == order[:0:-1]  # the first is the notebook's: it begins there
    cleaned.clear()
    summary = clean_step.run_clean(params)
    assert cleaned == [order[0]] and sorted(summary.reused) == sorted(order[1:])
    assert _outputs(params) == _cold(params, tmp_path, "cold")


def test_the_help_stops_where_the_clean_step_has_been(tmp_path, cleaned, monkeypatch):
    """The notebook cleans from the first ledger: once the help meets an entry made since it began,
    the rest is done, and no ledger is cleaned twice."""
    params = copy_year(tmp_path, 2025, tables=TABLES)
    order = _order(params)
    real_store = clean_step.store_cached
    helped: list[str] = []

    def store(p, result, key, **options):
        real_store(p, result, key, **options)
        if not helped:  # the help's first ledger is kept; meanwhile the notebook has done the others
            helped.append(result.ledger.table)
            clean_step.run_clean(params)
            # ... but the first one, which it is still cleaning: not for the help to clean again
            (first,) = clean_step.cache_dir(params).glob(f"{order[0]}.*")
            shutil.rmtree(first)

    monkeypatch.setattr(clean_step, "store_cached", store)
    assert clean_step.clean_ahead(params.as_dict()) == 1
    assert helped == [order[-1]] and sorted(cleaned) == sorted(order) and len(cleaned) == len(order)
    assert not list(clean_step.cache_dir(params).glob(f"{order[0]}.*"))
    monkeypatch.setattr(clean_step, "store_cached", real_store)
    assert _outputs(params) == _cold(params, tmp_path, "cold")


def test_the_help_passes_over_what_an_earlier_run_kept(tmp_path, cleaned):
    params = copy_year(tmp_path, 2025, tables=TABLES)
    order = _order(params)
    clean_step.run_clean(params)
    # petitions and legacy_cases are two sheets of one workbook: both are to look at again, and each
    # cleaned again only if its own sheet changed
    edit_cells(params, "legacy_cases", [("title", 0, "改")])
    edit_cells(params, "petitions", [("channel", 0, "领导接访")])
    pending = [table for table in order if table in ("petitions", "legacy_cases")]
    cleaned.clear()
    assert clean_step.clean_ahead(params.as_dict()) == 1 and cleaned == pending[-1:]
    cleaned.clear()
    assert len(clean_step.run_clean(params).reused) == len(order) - 1 and cleaned == pending[:1]


def test_with_one_ledger_changed_the_help_leaves_it_to_the_clean_step(tmp_path, cleaned):
    """Cleaning it in both kernels at once would only hold up the help's own lane. The changed
    ledger is the last of the manifest here: what the help leaves is the first still to clean."""
    params = _law_exams_last(copy_year(tmp_path, 2025, tables=TABLES))
    clean_step.run_clean(params)
    edit_cells(params, "law_exams", [("score", 0, 59)])
    cleaned.clear()
    assert clean_step.clean_ahead(params.as_dict()) == 0 and cleaned == []
    assert len(clean_step.run_clean(params).reused) == len(TABLES) - 1 and cleaned == ["law_exams"]


def _law_exams_last(params):
    """The manifest's ledgers in another order: law_exams (a workbook of its own) last."""
    manifest_path = params.raw_dir / MANIFEST_NAME
    manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    manifest["ledgers"] = sorted(manifest["ledgers"], key=lambda table: table == "law_exams")
    manifest_path.write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert _order(params)[-1] == "law_exams"
    return params


def test_the_help_leaves_a_failing_ledger_to_the_clean_step(tmp_path, cleaned):
    from support import ledger_path

    from lawreport.ledgers.errors import LedgerFileError

    params = _law_exams_last(copy_year(tmp_path, 2025, tables=TABLES))
    ledger_path(params, "law_exams").write_bytes(b"")
    assert clean_step.clean_ahead(params.as_dict()) == len(TABLES) - 2  # nor the first: the notebook's
    with pytest.raises(LedgerFileError, match="F002"):
        clean_step.run_clean(params)


def test_an_entry_kept_with_the_same_bytes_is_not_replaced_and_a_damaged_one_is(tmp_path):
    """Two kernels may store the same ledger at once (the help and the notebook where they meet): the
    entry already there, with the very bytes, stays as it is (the other may be reading it)."""
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    (result,) = clean_step.run_clean(params).results
    (entry,) = clean_step.cache_dir(params).glob("law_exams.*")
    meta = json.loads((entry / "result.json").read_text(encoding="utf-8"))
    key, content = meta["key"], meta["content"]
    inode = entry.stat().st_ino
    clean_step.store_cached(params, result, key, content=content)
    assert entry.stat().st_ino == inode
    good = (entry / "table.parquet").read_bytes()
    (entry / "table.parquet").write_bytes(good[:100])
    clean_step.store_cached(params, result, key, content=content)
    assert entry.stat().st_ino != inode and (entry / "table.parquet").read_bytes() == good
    assert [p.name for p in clean_step.cache_dir(params).iterdir()] == [entry.name]


def test_an_identical_entry_the_other_kernel_stores_meanwhile_is_not_removed(tmp_path, monkeypatch):
    """The help and the notebook store the same ledger at once: the entry that appears between the
    first look and the replacement stays (the other kernel may be copying it)."""
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    (result,) = clean_step.run_clean(params).results
    (entry,) = clean_step.cache_dir(params).glob("law_exams.*")
    key = json.loads((entry / "result.json").read_text(encoding="utf-8"))["key"]
    shutil.rmtree(entry)
    real_same = clean_step._same_entry
    looks: list[int] = []
    other: list[int] = []

    def same(made, at):
        looks.append(1)
        if len(looks) == 1:  # not there yet at the first look; then the other kernel stores it
            shutil.copytree(made, at)
            other.append((at / "table.parquet").stat().st_ino)
            return False
        return real_same(made, at)

    monkeypatch.setattr(clean_step, "_same_entry", same)
    clean_step.store_cached(params, result, key)
    assert len(looks) >= 2 and other == [(entry / "table.parquet").stat().st_ino]
    assert clean_step.load_cached(params, result.ledger, key) is not None


def test_a_kept_table_gone_before_the_write_is_written_from_the_frame_with_the_same_bytes(tmp_path):
    params = copy_year(tmp_path, 2025, tables=TABLES)
    clean_step.run_clean(params)
    before = _outputs(params)
    summary = clean_step.clean_year(params)
    assert sorted(summary.reused) == sorted(TABLES)
    # every kept parquet gone (replaced by the other kernel, or pruned) between the read and the write
    shutil.rmtree(clean_step.cache_dir(params))
    clean_step.write_clean(params, summary)
    assert _outputs(params) == before


def _saved_while_cleaned(tmp_path, monkeypatch, table: str = "law_exams"):
    """A copy of 2025 whose `table` workbook the analyst saves again while it is being cleaned."""
    from support import ledger_path

    params = copy_year(tmp_path, 2025, tables=TABLES)
    real = LedgerCleaner.clean_grids
    changed = ledger_path(params, table)

    def clean_while_saved(self, ledger, grids):
        result = real(self, ledger, grids)
        if ledger.table == table:
            changed.write_bytes(changed.read_bytes() + b"\0")
        return result

    monkeypatch.setattr(LedgerCleaner, "clean_grids", clean_while_saved)
    return params


def test_the_help_keeps_nothing_for_a_raw_file_that_changed_while_it_was_cleaned(tmp_path, monkeypatch):
    params = _law_exams_last(_saved_while_cleaned(tmp_path, monkeypatch))
    assert clean_step.clean_ahead(params.as_dict()) == len(TABLES) - 2  # nor the first: the notebook's
    assert not list(clean_step.cache_dir(params).glob("law_exams.*"))


def test_the_clean_step_keeps_nothing_for_a_raw_file_saved_while_it_was_cleaned(tmp_path, monkeypatch):
    params = _saved_while_cleaned(tmp_path, monkeypatch)
    clean_step.run_clean(params)
    assert not list(clean_step.cache_dir(params).glob("law_exams.*"))
    assert len(list(clean_step.cache_dir(params).iterdir())) == len(TABLES) - 1


def test_what_a_stopped_maker_left_half_written_goes_once_it_is_old(tmp_path):
    import os
    import time

    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    folder = clean_step.cache_dir(params)
    folder.mkdir(parents=True)
    old, recent = folder / ".law_exams.killed", folder / ".law_exams.writing"
    for left in (old, recent):
        left.mkdir()
        (left / "table.parquet").write_bytes(b"half")
    stale = time.time() - clean_step.STALE_STAGING - 60
    os.utime(old, (stale, stale))
    clean_step.run_clean(params)
    assert not old.exists() and recent.exists()  # another kernel may be writing that one now


def test_another_pyarrow_cleans_every_ledger_again(tmp_path, cleaned, monkeypatch):
    """The parquet writer puts its version in the bytes: kept bytes of another version would differ
    from what a cold run writes now."""
    params = copy_year(tmp_path, 2025, tables=TABLES)
    clean_step.run_clean(params)
    cleaned.clear()
    versions = {**clean_step._reader_writer_versions(), "pyarrow": "0.0.1"}
    monkeypatch.setattr(clean_step, "_reader_writer_versions", lambda: versions)
    clean_step.run_clean(params)
    assert sorted(cleaned) == sorted(TABLES)


def test_a_workbook_changed_in_one_sheet_cleans_that_sheets_ledger_only_and_writes_the_same_bytes(tmp_path, cleaned):
    """综合行政执法台账 holds five ledgers' sheets: one cell of one sheet changes the file, and the other
    four, whose cells are the same, are taken from the cache by their content (`ledger_content_key`)."""
    tables = ["penalty_cases", "admin_inspections", "enterprise_checks", "joint_inspections", "enforcement_staff"]
    params = copy_year(tmp_path, 2025, tables=tables)
    clean_step.run_clean(params)
    assert sorted(cleaned) == sorted(tables)
    cleaned.clear()
    edit_cells(params, "penalty_cases", [("fine_amount", 0, 1234.5)])
    again = clean_step.run_clean(params)
    assert cleaned == ["penalty_cases"] and sorted(again.reused) == sorted(set(tables) - {"penalty_cases"})
    assert _outputs(params) == _cold(params, tmp_path, "cold")
    cleaned.clear()
    assert clean_step.run_clean(params).reused and cleaned == [], "kept under the file's new key"
    edit_cells(params, "admin_inspections", [("target", 0, "另一家单位")])
    cleaned.clear()
    clean_step.run_clean(params)
    assert cleaned == ["admin_inspections"], "a changed sheet is cleaned again"
    assert _outputs(params) == _cold(params, tmp_path, "cold-2")
