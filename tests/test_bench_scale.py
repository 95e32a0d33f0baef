"""The generator's --scale option, used by `make bench-scale` (lawreport.bench.scale).

scale=1 writes exactly the committed sample ledgers (tests/test_sample_regeneration.py); scale=k writes k times the rows of every ledger
outside FIXED_TABLES (which keep their 1x rows), with keys that stay unique, and the result still
cleans without a single quarantined row.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from lawreport.ledgers import ALL_LEDGERS
from lawreport.params import check_params
from lawreport.run.clean_step import run_clean
from lawreport.sample.generator import (
    DEFAULT_UNIT,
    DEFAULT_YEARS,
    FIXED_TABLES,
    MANIFEST_NAME,
    Context,
    _copy_keys,
    build_rows,
    copy_unit_config,
    generate_year,
    ledgers_for_year,
    scale_factor,
)

RAW = Path(__file__).parents[1] / "data" / "raw"
SCALED_YEARS = (2021, 2025)  # an early year (five ledgers) and a full one (every ledger)


def _copy_extras(year: int, out: Path) -> None:
    """report.txt is not generated; the MANIFEST hashes it, so it goes in first."""
    out.mkdir(parents=True, exist_ok=True)
    for path in (RAW / str(year)).iterdir():
        if path.is_file() and path.name != MANIFEST_NAME and path.suffix not in (".xlsx", ".csv"):
            shutil.copy2(path, out / path.name)


def _rows(ledger, year: int, scale: int) -> list[dict]:
    return build_rows(ledger, Context(year=year, unit=DEFAULT_UNIT), scale)


def test_fixed_tables_are_ledgers() -> None:
    assert FIXED_TABLES <= {ledger.table for ledger in ALL_LEDGERS}


@pytest.mark.parametrize("year", DEFAULT_YEARS)
def test_scale_two_doubles_the_rows_and_keeps_keys_unique(year: int) -> None:
    for ledger in ledgers_for_year(year):
        one, two = _rows(ledger, year, 1), _rows(ledger, year, 2)
        factor = scale_factor(ledger, 2)
        assert factor == (1 if ledger.table in FIXED_TABLES else 2)
        assert len(two) == factor * len(one), ledger.table
        assert two[: len(one)] == one, ledger.table  # copy 0 is the 1x ledger itself
        key = ledger.key_column
        if key is not None:
            keys = [row[key.name] for row in two]
            assert len(set(keys)) == len(keys), ledger.table


@pytest.mark.parametrize("table", ["law_exams", "mediators", "stewards", "steward_reports"])
def test_personal_and_referenced_keys_stay_unique_at_100x(table: str) -> None:
    """ID numbers are re-drawn on a clash, phones move to their own block, steward numbers get the
    copy's suffix in both the roster and the reports."""
    ledger = next(ledger for ledger in ALL_LEDGERS if ledger.table == table)
    rows = _rows(ledger, 2025, 100)
    keys = [row[ledger.key_column.name] for row in rows]
    assert len(rows) == 100 * len(_rows(ledger, 2025, 1))
    assert len(set(keys)) == len(keys)
    if table == "steward_reports":
        roster = {row["steward_no"] for row in _rows(next(x for x in ALL_LEDGERS if x.table == "stewards"), 2025, 100)}
        assert {row["steward_no"] for row in rows} <= roster


@pytest.mark.parametrize("year", SCALED_YEARS)
def test_scale_two_cleans_without_quarantine(year: int, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _copy_extras(year, raw / str(year))
    copy_unit_config(raw)
    generate_year(year, raw / str(year), scale=2)
    params = check_params(
        {
            "year": year,
            "raw_root": str(raw),
            "clean_root": str(tmp_path / "clean"),
            "build_root": str(tmp_path / "build"),
        }
    )
    summary = run_clean(params)
    assert summary.quarantine == [], [p.message() for p in summary.quarantine][:5]
    kept = {r.ledger.table: r.rows_kept for r in summary.results}
    expected = {ledger.table: len(_rows(ledger, year, 2)) for ledger in ledgers_for_year(year)}
    assert kept == expected


def test_a_phone_tail_a_copy_draws_twice_is_redrawn() -> None:
    """A copy's builder draws its phones' last four digits at random, so two members of one copy can
    share them (it happened at 10x: mediators' copy 7 in `make bench-scale`); both keep a phone of
    the copy's block, and the two differ."""
    ledger = next(ledger for ledger in ALL_LEDGERS if ledger.table == "mediators")
    key = ledger.key_column.name
    ctx = replace(Context(year=2025, unit=DEFAULT_UNIT), copy=7)
    rows = [{key: "17000002379"}, {key: "17000002379"}, {key: "17000004242"}]
    seen: set[str] = {"17000002379", "17000004242"}  # copy 0's own keys
    _copy_keys(ledger, rows, ctx, 1, seen)
    keys = [row[key] for row in rows]
    assert len(set(keys)) == 3 and all(k.startswith("1700007") and len(k) == 11 for k in keys), keys
    assert keys[0] == "17000072379" and keys[2] == "17000074242"
