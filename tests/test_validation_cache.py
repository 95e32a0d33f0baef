"""The validate step is incremental per table, with real Great Expectations (no mocks).

A table is validated again exactly when one of its inputs changed (clean table, suite file,
validation code, year, previous year's penalty_cases); otherwise its results come from the cache
under <validation folder>/cache/. Whatever was reused, the results equal those of a cold run.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from test_validation import EXPECTATIONS_DIR, YEAR, clean_frame, write

from lawreport.ledgers import get_ledger
from lawreport.run import validation
from lawreport.run.validation import CACHE_DIR, ValidationReport, validate_year

TABLES = ["law_exams", "petitions", "legal_adviser_log", "penalty_cases"]  # ALL_LEDGERS order
STATS_KEYS = {
    "format",
    "year",
    "tables",
    "tables_validated",
    "tables_reused",
    "expectations_total",
    "expectations_evaluated",
    "expectations_reused",
    "gx_reruns",
    "checks",
    "checks_failed",
    "checks_warning",
    "failing_rows",
    "unexpected_total",
    "validated_tables",
    "reused_tables",
    "seconds",
    "cpu_seconds",
}
PHASES = {
    "inputs",
    "gx_import",
    "gx_context",
    "gx_validation",
    "cross_checks",
    "data_docs",
    "results",
    "pages",
    "total",
}


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return {table: clean_frame(get_ledger(table), 9) for table in TABLES}


@pytest.fixture
def setup(tmp_path: Path, frames) -> dict[str, Path]:
    """A clean year, last year's penalty_cases and a private copy of the suites (tests edit them)."""
    suites = tmp_path / "expectations"
    shutil.copytree(EXPECTATIONS_DIR, suites)
    previous = frames["penalty_cases"].copy()
    return {
        "clean": write(tmp_path / "clean" / str(YEAR), **frames),
        "previous": write(tmp_path / "clean" / str(YEAR - 1), penalty_cases=previous),
        "suites": suites,
        "out": tmp_path / "validation",
        "tmp": tmp_path,
    }


def run(setup: dict[str, Path], out: Path | None = None, **kwargs) -> ValidationReport:
    return validate_year(
        YEAR,
        setup["clean"],
        setup["suites"],
        out or setup["out"],
        tables=TABLES,
        previous_clean_dir=setup["previous"],
        **kwargs,
    )


def outputs(folder: Path) -> dict[str, bytes]:
    """What the results page and the appendix read: summary.json and results/*.json."""
    files = [folder / "summary.json", *sorted((folder / "results").glob("*.json"))]
    return {str(p.relative_to(folder)): p.read_bytes() for p in files}


def cold(setup: dict[str, Path], name: str = "cold") -> dict[str, bytes]:
    """The outputs of a run that reuses nothing, in a folder of its own."""
    report = run(setup, out=setup["tmp"] / name, reuse_from=[])
    assert report.stats.reused == []
    return outputs(setup["tmp"] / name)


def stats(folder: Path) -> dict:
    return json.loads((folder / "stats.json").read_text(encoding="utf-8"))


def docs_index(folder: Path) -> str:
    return (folder / "data_docs" / "index.html").read_text(encoding="utf-8")


def assert_docs_list_every_table(folder: Path) -> None:
    index = docs_index(folder)
    for table in TABLES:
        assert f"lawreport_clean-{table}" in index, table  # its validation result
        assert f"expectations/{table}.html" in index, table  # its suite
        assert (folder / "data_docs" / "expectations" / f"{table}.html").is_file()
    assert len(list((folder / "data_docs" / "validations").rglob("*.html"))) == len(TABLES)


# --------------------------------------------------------------------------------------------------


def test_second_run_reuses_every_table_with_identical_outputs(setup) -> None:
    first = run(setup)
    assert first.stats.validated == TABLES and first.stats.reused == []
    counts = first.counts()
    assert counts["expectations_evaluated"] == counts["expectations_total"] > 0
    written = outputs(setup["out"])

    second = run(setup)
    assert second.stats.validated == [] and second.stats.reused == TABLES
    assert second.counts()["expectations_evaluated"] == 0
    assert second.counts()["expectations_reused"] == counts["expectations_total"]
    # The same checks, outcomes, rows and messages, byte for byte, and the same in memory.
    assert outputs(setup["out"]) == written
    assert [t.to_json(YEAR, second.parameters) for t in second.tables] == [
        t.to_json(YEAR, first.parameters) for t in first.tables
    ]
    assert second.summary_frame().equals(first.summary_frame())
    assert_docs_list_every_table(setup["out"])
    assert sorted(p.name for p in (setup["out"] / CACHE_DIR).glob("*.json") if ".gx." not in p.name) == sorted(
        [*(f"{t}.json" for t in TABLES), "_data_docs.json"]
    )


def test_changed_table_is_validated_alone_and_its_failure_found(setup) -> None:
    run(setup)
    broken = pd.read_parquet(setup["clean"] / "petitions.parquet")
    broken.loc[4, "channel"] = "电话"
    broken.to_parquet(setup["clean"] / "petitions.parquet", index=False)

    report = run(setup)
    assert report.stats.validated == ["petitions"]
    assert report.stats.reused == ["law_exams", "legal_adviser_log", "penalty_cases"]
    (failure,) = report.failures
    assert (failure.table, failure.expectation, failure.column) == (
        "petitions",
        "expect_column_values_to_be_in_set",
        "channel",
    )
    (row,) = failure.offending_rows
    assert (row.row_id, row.value) == ("petitions-00006", "电话")
    counts = report.counts()
    assert counts["checks_failed"] == 1 and counts["failing_rows"] == 1 and counts["unexpected_total"] == 1
    assert counts["gx_reruns"] == 1  # the failing expectation, again with COMPLETE to locate its rows
    assert counts["expectations_evaluated"] == len(
        json.loads((setup["suites"] / "petitions.json").read_text())["expectations"]
    )
    assert outputs(setup["out"]) == cold(setup)
    assert_docs_list_every_table(setup["out"])


def test_changed_suite_invalidates_that_table(setup) -> None:
    run(setup)
    path = setup["suites"] / "law_exams.json"
    suite = json.loads(path.read_text(encoding="utf-8"))
    suite["expectations"].append(
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "source_sheet", "value_set": ["某个别的工作表"]},
            "meta": {"zh": "工作表须为某个别的工作表"},
        }
    )
    path.write_text(json.dumps(suite, ensure_ascii=False), encoding="utf-8")

    report = run(setup)
    assert report.stats.validated == ["law_exams"]
    assert report.stats.reused == ["petitions", "legal_adviser_log", "penalty_cases"]
    (failure,) = report.failures
    assert failure.table == "law_exams" and failure.kwargs["column"] == "source_sheet"
    assert failure.unexpected_count == 9 and len(failure.offending_rows) == 9
    assert outputs(setup["out"]) == cold(setup)


def test_changed_previous_year_invalidates_penalty_cases_only(setup) -> None:
    run(setup)
    previous = pd.read_parquet(setup["previous"] / "penalty_cases.parquet")
    previous.loc[0, "closed_date"] = pd.NaT
    previous.to_parquet(setup["previous"] / "penalty_cases.parquet", index=False)
    report = run(setup)
    assert report.stats.validated == ["penalty_cases"]
    assert outputs(setup["out"]) == cold(setup)


def test_code_year_and_parameters_are_part_of_the_key(setup, monkeypatch) -> None:
    run(setup)
    monkeypatch.setattr(validation, "code_digest", lambda: "another version of the validation code")
    assert run(setup).stats.validated == TABLES
    assert run(setup).stats.validated == []
    # Another year over the same files and suites: the window differs, nothing is reused.
    other = validate_year(YEAR + 1, setup["clean"], setup["suites"], setup["out"], tables=TABLES)
    assert other.stats.validated == TABLES and not other.success  # 2024 dates outside 2025


def test_code_digest_follows_sources_and_versions(monkeypatch) -> None:
    before = validation.code_digest()
    assert validation.code_digest() == before
    versions = {"great_expectations": "0.0.1"}
    monkeypatch.setattr(validation, "_version", lambda name: versions.get(name, "1"))
    changed = validation.code_digest()
    assert changed != before
    versions["great_expectations"] = "0.0.2"
    assert validation.code_digest() != changed


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


def _edit_result(path: Path) -> None:
    # Valid JSON, right key, but the content no longer matches its digest.
    data = json.loads(path.read_text(encoding="utf-8"))
    data["result"]["checks"][1]["unexpected_count"] = 7
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _edit_key(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    data["key"] = "0" * 64
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _edit_gx(path: Path) -> None:
    # Still a well-formed GX file, but not the one the entry was written with.
    data = json.loads(path.read_text(encoding="utf-8"))
    data["result"] = data["result"].replace('"success": true', '"success": false')
    path.write_text(json.dumps(data), encoding="utf-8")


DAMAGES = {
    "entry-missing": lambda cache: (cache / "petitions.json").unlink(),
    "entry-truncated": lambda cache: _truncate(cache / "petitions.json"),
    "entry-not-ours": lambda cache: (cache / "petitions.json").write_text("[]"),
    "entry-altered": lambda cache: _edit_result(cache / "petitions.json"),
    "entry-other-key": lambda cache: _edit_key(cache / "petitions.json"),
    "gx-missing": lambda cache: (cache / "petitions.gx.json").unlink(),
    "gx-truncated": lambda cache: _truncate(cache / "petitions.gx.json"),
    "gx-altered": lambda cache: _edit_gx(cache / "petitions.gx.json"),
}


def test_damaged_cache_entry_is_recomputed(setup) -> None:
    run(setup)
    written = outputs(setup["out"])
    for name, damage in DAMAGES.items():  # one after another: each run repairs the entry
        damage(setup["out"] / CACHE_DIR)
        report = run(setup)
        assert report.stats.validated == ["petitions"], name
        assert report.stats.reused == ["law_exams", "legal_adviser_log", "penalty_cases"], name
        assert outputs(setup["out"]) == written, name
        assert_docs_list_every_table(setup["out"])
    # The recomputed entry is whole again.
    assert run(setup).stats.validated == []


def test_missing_docs_page_of_a_reused_table_is_rendered_again(setup) -> None:
    run(setup)
    previous = setup["tmp"] / "previous-run"
    shutil.copytree(setup["out"], previous)
    for page in (previous / "data_docs" / "validations" / "law_exams").rglob("*.html"):
        page.unlink()
    (previous / "data_docs" / "expectations" / "law_exams.html").unlink()
    broken = pd.read_parquet(setup["clean"] / "petitions.parquet")
    broken.loc[0, "case_no"] = None
    broken.to_parquet(setup["clean"] / "petitions.parquet", index=False)

    report = run(setup, out=setup["tmp"] / "next", reuse_from=[previous])
    assert report.stats.validated == ["petitions"]
    assert_docs_list_every_table(setup["tmp"] / "next")


def test_no_reuse_validates_everything(setup) -> None:
    run(setup)
    assert run(setup, reuse_from=[]).stats.validated == TABLES


def test_stats_json_keys(setup) -> None:
    run(setup)
    data = stats(setup["out"])
    assert set(data) == STATS_KEYS
    assert set(data["seconds"]) == PHASES and set(data["cpu_seconds"]) == PHASES
    assert data["format"] == 1 and data["year"] == YEAR and data["tables"] == len(TABLES)
    assert data["tables_validated"] == len(TABLES) and data["tables_reused"] == 0
    assert data["checks"] == data["expectations_total"] + len(TABLES) + 3  # dtypes + 3 cross-checks
    assert data["checks_warning"] == 1  # legal_adviser_log: amounts recovered outside legal aid
    assert all(value >= 0 for value in data["seconds"].values())
    assert data["seconds"]["gx_validation"] > 0 and data["seconds"]["pages"] == 0
    again = run(setup).stats_json()
    assert again["seconds"]["gx_validation"] == 0 and again["seconds"]["gx_import"] == 0
