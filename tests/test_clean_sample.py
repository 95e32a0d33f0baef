"""The clean step on the bundled sample years: accounting, lineage, personal data, atomicity."""

from __future__ import annotations

import re

import pandas as pd
import pytest
import yaml
from support import SAMPLE_RAW, copy_year, edit_cells, tree_hashes, values_in

from lawreport.appendix.scan import personal_values
from lawreport.ledgers import ALL_LEDGERS
from lawreport.ledgers.manifest import MANIFEST_NAME
from lawreport.run.clean_step import clean_year, run_clean

YEARS = sorted(int(p.name) for p in SAMPLE_RAW.iterdir() if (p / MANIFEST_NAME).exists())


@pytest.fixture(scope="module")
def cleaned_2025(tmp_path_factory):
    params = copy_year(tmp_path_factory.mktemp("y2025"), 2025)
    summary = run_clean(params)
    return params, summary


@pytest.mark.parametrize("year", YEARS)
def test_every_row_is_accounted_for(year, tmp_path):
    params = copy_year(tmp_path, year)
    summary = clean_year(params)
    accounting = summary.accounting()
    assert len(accounting) == len(
        yaml.safe_load((params.raw_dir / MANIFEST_NAME).read_text(encoding="utf-8"))["ledgers"]
    )
    assert (accounting.rows_read == accounting.rows_kept + accounting.rows_quarantined + accounting.rows_dropped).all()
    # The sample ledgers are clean apart from the blank, footer and duplicate rows they carry.
    assert summary.quarantine == [], [p.message() for p in summary.quarantine][:5]


def test_clean_rows_trace_back_to_raw_rows(cleaned_2025):
    params, summary = cleaned_2025
    for result in summary.results:
        frame = pd.read_parquet(params.clean_dir / f"{result.ledger.table}.parquet")
        assert frame.row_id.is_unique
        assert (frame.source_file == result.file).all()
        if len(frame):
            assert frame.source_row.min() > result.header_row


def test_dropped_rows_have_reasons(cleaned_2025):
    _, summary = cleaned_2025
    by_table = {r.ledger.table: r for r in summary.results}
    assert by_table["dispute_screening"].dropped["N203"] == 2  # the generator's copy-paste duplicates
    assert all(r.dropped["N202"] >= 1 for r in summary.results if r.ledger.fmt == "xlsx")  # footers


def test_a_changed_raw_value_changes_the_clean_table(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["penalty_cases"])
    before = clean_year(params).results[0].table
    rows = edit_cells(params, "penalty_cases", [("fine_amount", 3, 777)])
    after = clean_year(params).results[0].table
    changed = after.compare(before)
    assert list(changed.index) == [after.index[after.source_row == rows[0]][0]]
    assert after.loc[after.source_row == rows[0], "fine_amount"].iloc[0] == 777


def _personal_values(year: int) -> set[str]:
    """Every value of the raw ledgers' personal columns (the appendix's publishing scan uses the same)."""
    return {v for v in personal_values(SAMPLE_RAW, year) if v}


ID_OR_PHONE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|1[3-9]\d{9})(?![0-9A-Za-z])")


def test_no_personal_data_in_clean_data(cleaned_2025):
    params, _ = cleaned_2025
    personal = _personal_values(2025)
    assert len(personal) > 500
    for path in sorted(params.clean_dir.iterdir()):
        text = (
            path.read_text(encoding="utf-8") if path.suffix == ".json" else pd.read_parquet(path).astype(str).to_csv()
        )
        assert not ID_OR_PHONE.search(text), path.name
        leaked = values_in(text, {v for v in personal if len(v) >= 3})
        assert not leaked, (path.name, leaked[:3])


def test_pseudonyms_are_stable_and_keyed(tmp_path, monkeypatch):
    params = copy_year(tmp_path, 2025, tables=["mediators"])
    first = clean_year(params).results[0].table
    again = clean_year(params).results[0].table
    assert first.member_name_key.equals(again.member_name_key)
    monkeypatch.setenv("LAWREPORT_PSEUDONYM_KEY", "another-key-of-at-least-32-bytes-for-this-test")
    other = clean_year(params).results[0].table
    assert not (first.member_name_key == other.member_name_key).any()


def test_raw_files_are_never_modified(tmp_path):
    params = copy_year(tmp_path, 2025)
    before = tree_hashes(params.raw_dir)
    run_clean(params)
    assert tree_hashes(params.raw_dir) == before


def test_every_ledger_of_the_full_years_is_present():
    for year in (2024, 2025):
        manifest = yaml.safe_load((SAMPLE_RAW / str(year) / MANIFEST_NAME).read_text(encoding="utf-8"))
        assert manifest["ledgers"] == [ledger.table for ledger in ALL_LEDGERS]
        assert manifest["synthetic"] is True
