"""The committed expectation suites are exactly what the ledger specs generate (no drift)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lawreport.ledgers import ALL_LEDGERS, SOURCE_COLUMNS, Ledger
from lawreport.ledgers.suites import build_suite, stale_suites, suite_json

EXPECTATIONS_DIR = Path(__file__).resolve().parents[1] / "expectations"


@pytest.mark.parametrize("ledger", ALL_LEDGERS, ids=lambda ledger: ledger.table)
def test_committed_suite_matches_spec(ledger: Ledger) -> None:
    path = EXPECTATIONS_DIR / f"{ledger.table}.json"
    assert path.is_file(), f"missing {path}; run `python -m lawreport.ledgers.suites --write expectations/`"
    assert json.loads(path.read_text(encoding="utf-8")) == build_suite(ledger)
    # Byte-exact too, so a hand edit that happens to be equivalent JSON is still caught.
    assert path.read_text(encoding="utf-8") == suite_json(ledger)


def test_no_orphan_suite_files() -> None:
    tables = {ledger.table for ledger in ALL_LEDGERS}
    orphans = sorted(p.stem for p in EXPECTATIONS_DIR.glob("*.json") if p.stem not in tables)
    assert orphans == []
    assert stale_suites(EXPECTATIONS_DIR) == []


@pytest.mark.parametrize("ledger", ALL_LEDGERS, ids=lambda ledger: ledger.table)
def test_suite_shape(ledger: Ledger) -> None:
    suite = build_suite(ledger)
    assert suite["name"] == ledger.table
    assert suite["expectations"], "a suite with zero expectations validates nothing"
    for exp in suite["expectations"]:
        assert set(exp) == {"type", "kwargs", "meta"}
        assert exp["type"].startswith("expect_")
        assert exp["meta"]["zh"]
    shape = suite["expectations"][0]
    assert shape["type"] == "expect_table_columns_to_match_set"
    assert set(shape["kwargs"]["column_set"]) == {*SOURCE_COLUMNS, *(c.clean_name for c in ledger.columns)}
    # Deterministic: building twice gives the same text.
    assert suite_json(ledger) == suite_json(ledger)


def test_in_year_dates_use_suite_parameters() -> None:
    petitions = build_suite(next(x for x in ALL_LEDGERS if x.table == "petitions"))
    between = [
        e
        for e in petitions["expectations"]
        if e["type"] == "expect_column_values_to_be_between" and e["kwargs"]["column"] == "received_date"
    ]
    assert between == [
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {
                "column": "received_date",
                "min_value": {"$PARAMETER": "year_start"},
                "max_value": {"$PARAMETER": "year_end"},
            },
            "meta": {"zh": "「受理日期」(received_date)应在报告年度内"},
        }
    ]
    # Multi-year ledgers keep older rows: no year window there.
    for ledger in ALL_LEDGERS:
        if ledger.multi_year:
            assert "$PARAMETER" not in json.dumps(build_suite(ledger))


def test_suites_module_does_not_import_gx() -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    code = "import sys, lawreport.ledgers.suites; assert 'great_expectations' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
