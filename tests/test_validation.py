"""Step 2 with real Great Expectations (no mocks): clean data passes, each kind of breakage is named.

Frames follow the clean data contract (see lawreport.run.validation / the cleaner's to_frame): row_id,
source_file, source_sheet, source_row, then one column per spec column (personal ones as *_key).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from lawreport.ledgers import ALL_LEDGERS, Ledger, get_ledger
from lawreport.ledgers import KIND_DTYPES as DTYPES
from lawreport.ledgers.suites import build_suite
from lawreport.run.validation import ValidationFailed, ValidationReport, validate_year

YEAR = 2024
EXPECTATIONS_DIR = Path(__file__).resolve().parents[1] / "expectations"


# --------------------------------------------------------------------------------------------------
# A spec-driven generator of valid clean frames
# --------------------------------------------------------------------------------------------------


def _value(ledger: Ledger, column_name: str, i: int, year: int) -> object:
    column = ledger.column(column_name)
    base = dt.datetime(year, 1, 1) + dt.timedelta(days=i % 300)
    if column.kind == "date":
        # Keep the row rules true: closed/deadline after received/filed, all inside the year.
        offsets = {"closed_date": 5, "deadline": 15, "replied_at": 3}
        if column.name == "closed_date" and i % 4 == 3:
            return None  # still open: nullable, and ignored by the pair rule
        return base + dt.timedelta(days=offsets.get(column.name, 0))
    if column.kind == "code":
        return f"{ledger.table[:3].upper()}-{year}-{i:05d}"
    if column.kind == "text":
        return f"样例{column.name}{i}"
    if column.kind == "category":
        return column.allowed[i % len(column.allowed)]
    if column.kind in ("int", "amount"):
        top = int(column.maximum or 1000)
        number = (i * 7) % (top + 1)
        return float(number) if column.kind == "amount" else number
    if column.kind == "month":
        return i % 12 + 1
    if column.kind == "year":
        return 2015 + i % 10
    if column.kind == "flag":
        return True
    return f"P-{(hash((column.name, i)) & 0xFFFFFFFF):08x}"  # personal: a pseudonym


def clean_frame(ledger: Ledger, n: int, year: int = YEAR) -> pd.DataFrame:
    """n valid rows for `ledger`, typed as the cleaner writes them."""
    sheet = ledger.sheet or ""
    records = []
    for i in range(n):
        record: dict[str, object] = {
            "row_id": f"{ledger.table}-{i + 2:05d}",
            "source_file": ledger.file_name(year),
            "source_sheet": sheet,
            "source_row": i + 2,
        }
        for column in ledger.columns:
            record[column.clean_name] = _value(ledger, column.name, i, year)
        records.append(record)
    frame = pd.DataFrame.from_records(records)
    frame["source_row"] = frame["source_row"].astype("Int64")
    for name in ("row_id", "source_file", "source_sheet"):
        frame[name] = frame[name].astype("string")
    for column in ledger.columns:
        dtype = DTYPES.get(column.kind, "string")
        series = frame[column.clean_name].astype(object).where(frame[column.clean_name].notna(), None)
        frame[column.clean_name] = (
            pd.to_datetime(series).astype(dtype) if column.kind == "date" else series.astype(dtype)
        )
    return frame


def write(clean_dir: Path, **frames: pd.DataFrame) -> Path:
    clean_dir.mkdir(parents=True, exist_ok=True)
    for table, frame in frames.items():
        frame.to_parquet(clean_dir / f"{table}.parquet", index=False)
    return clean_dir


def run(
    tmp_path: Path,
    tables: list[str] | None = None,
    expectations_dir: Path = EXPECTATIONS_DIR,
    previous_clean_dir: Path | None = None,
    **frames: pd.DataFrame,
) -> ValidationReport:
    clean_dir = write(tmp_path / "clean" / str(YEAR), **frames)
    return validate_year(
        YEAR,
        clean_dir,
        expectations_dir,
        tmp_path / "validation",
        tables=tables if tables is not None else sorted(frames),
        previous_clean_dir=previous_clean_dir,
    )


def only_failure(report: ValidationReport, expectation: str, column: str | None = None):
    """The single failure of that expectation (and column); asserts nothing else failed."""
    matching = [
        f
        for f in report.failures
        if f.expectation == expectation
        and (column is None or column in (f.kwargs.get("column"), f.kwargs.get("column_A")))
    ]
    assert len(matching) == 1, [(f.table, f.expectation, f.kwargs) for f in report.failures]
    assert len(report.failures) == 1, [(f.table, f.expectation, f.kwargs) for f in report.failures]
    return matching[0]


@pytest.fixture(scope="module")
def petitions() -> pd.DataFrame:
    return clean_frame(get_ledger("petitions"), 12)


@pytest.fixture(scope="module")
def penalties() -> pd.DataFrame:
    return clean_frame(get_ledger("penalty_cases"), 10)


@pytest.fixture(scope="module")
def exams() -> pd.DataFrame:
    return clean_frame(get_ledger("law_exams"), 8)


# --------------------------------------------------------------------------------------------------
# The clean set
# --------------------------------------------------------------------------------------------------


def test_clean_set_passes_and_writes_docs(tmp_path: Path, petitions, penalties, exams) -> None:
    report = run(tmp_path, petitions=petitions, penalty_cases=penalties, law_exams=exams)
    assert report.success, [f.message() for f in report.failures]
    report.raise_for_failures()  # does not raise

    assert report.data_docs_index is not None and report.data_docs_index.is_file()
    assert report.data_docs_index == (tmp_path / "validation" / "data_docs" / "index.html").resolve()
    assert "petitions" in report.data_docs_index.read_text(encoding="utf-8")

    frame = report.summary_frame()
    assert list(frame.columns) == ["table", "expectations", "passed", "failed"]
    assert list(frame["table"]) == ["law_exams", "petitions", "penalty_cases"]  # ALL_LEDGERS order
    assert (frame["failed"] == 0).all() and (frame["passed"] == frame["expectations"]).all()
    n_petitions = len(build_suite(get_ledger("petitions"))["expectations"])
    # The suite's expectations plus the pandas dtype check.
    assert int(frame.set_index("table").loc["petitions", "expectations"]) == n_petitions + 1

    summary = json.loads((tmp_path / "validation" / "summary.json").read_text(encoding="utf-8"))
    assert summary["success"] is True and summary["data_docs_index"] == "data_docs/index.html"
    result = json.loads((tmp_path / "validation" / "results" / "petitions.json").read_text(encoding="utf-8"))
    assert result["rows"] == 12 and all(c["success"] for c in result["checks"])
    # The pair rule ran on dates and skipped the open cases (closed_date missing).
    pair = next(c for c in result["checks"] if c["type"] == "expect_column_pair_values_a_to_be_greater_than_b")
    assert pair["unexpected_count"] == 0


def test_repeated_runs_write_identical_json(tmp_path: Path, petitions, penalties) -> None:
    broken = petitions.copy()
    broken.loc[2, "channel"] = "电话"

    def snapshot() -> dict[str, bytes]:
        run(tmp_path, petitions=broken, penalty_cases=penalties)
        root = tmp_path / "validation"
        return {
            str(p.relative_to(root)): p.read_bytes()
            for p in sorted([root / "summary.json", *(root / "results").glob("*.json")])
        }

    first, second = snapshot(), snapshot()
    assert first == second
    text = first["summary.json"].decode("utf-8")
    assert "run_id" not in text and "run_time" not in text and str(dt.date.today().year) + "-" not in text


def test_suites_load_into_gx_without_losing_expectations() -> None:
    # GX's ExpectationSuite logs and drops an invalid expectation; make sure none of ours is dropped.
    from great_expectations.core.expectation_suite import ExpectationSuite

    for ledger in ALL_LEDGERS:
        suite = build_suite(ledger)
        assert len(ExpectationSuite(name=ledger.table, expectations=suite["expectations"]).expectations) == len(
            suite["expectations"]
        ), ledger.table


# --------------------------------------------------------------------------------------------------
# Each breakage trips the expected expectation and names the row
# --------------------------------------------------------------------------------------------------


def test_null_key(tmp_path: Path, petitions) -> None:
    broken = petitions.copy()
    broken.loc[3, "case_no"] = pd.NA
    failure = only_failure(run(tmp_path, petitions=broken), "expect_column_values_to_not_be_null", "case_no")
    assert failure.table == "petitions" and failure.unexpected_count == 1
    (row,) = failure.offending_rows
    assert (row.row_id, row.source_row, row.source_sheet, row.value) == ("petitions-00005", 5, "信访登记", None)
    assert row.source_file == "2024年信访事项登记台账.xlsx"
    assert "2024年信访事项登记台账.xlsx / 信访登记 / 第5行 / case_no = <空>" in failure.message()


def test_duplicate_key(tmp_path: Path, petitions) -> None:
    broken = petitions.copy()
    broken.loc[6, "case_no"] = broken.loc[1, "case_no"]
    failure = only_failure(run(tmp_path, petitions=broken), "expect_column_values_to_be_unique", "case_no")
    assert [r.source_row for r in failure.offending_rows] == [3, 8]  # both rows holding the number
    assert {r.value for r in failure.offending_rows} == {broken.loc[1, "case_no"]}


def test_category_outside_vocabulary(tmp_path: Path, petitions) -> None:
    broken = petitions.copy()
    broken.loc[4, "channel"] = "电话"
    failure = only_failure(run(tmp_path, petitions=broken), "expect_column_values_to_be_in_set", "channel")
    (row,) = failure.offending_rows
    assert (row.row_id, row.column, row.value) == ("petitions-00006", "channel", "电话")


def test_date_outside_year_uses_suite_parameters(tmp_path: Path, petitions) -> None:
    broken = petitions.copy()
    # The year's first and last days are inside the window (inclusive bounds, datetime64[ms]).
    broken.loc[0, "received_date"] = pd.Timestamp("2024-01-01")
    broken.loc[1, "received_date"] = pd.Timestamp("2024-12-31")
    broken.loc[1, ["closed_date", "deadline"]] = pd.Timestamp("2025-01-05")
    broken.loc[2, "received_date"] = pd.Timestamp("2023-12-31")
    assert str(broken["received_date"].dtype) == "datetime64[ms]"
    report = run(tmp_path, petitions=broken)
    failure = only_failure(report, "expect_column_values_to_be_between", "received_date")
    assert failure.kwargs["min_value"] == {"$PARAMETER": "year_start"}
    (row,) = failure.offending_rows
    assert (row.source_row, row.value) == (4, "2023-12-31")
    assert report.parameters == {"year_start": "2024-01-01T00:00:00", "year_end": "2024-12-31T23:59:59.999000"}


def test_same_suite_validates_another_year(tmp_path: Path) -> None:
    # The suite file is year-independent: 2025 data passes when validated as 2025.
    frame = clean_frame(get_ledger("petitions"), 5, year=2025)
    clean_dir = write(tmp_path / "clean" / "2025", petitions=frame)
    report = validate_year(2025, clean_dir, EXPECTATIONS_DIR, tmp_path / "out", tables=["petitions"])
    assert report.success, [f.message() for f in report.failures]


def test_negative_amount(tmp_path: Path, penalties) -> None:
    broken = penalties.copy()
    broken.loc[5, "fine_amount"] = -200.0
    failure = only_failure(run(tmp_path, penalty_cases=broken), "expect_column_values_to_be_between", "fine_amount")
    (row,) = failure.offending_rows
    assert (row.row_id, row.source_sheet, row.source_row, row.value) == ("penalty_cases-00007", "行政处罚", 7, -200)
    assert "第7行 / fine_amount = -200" in failure.message()


def test_closed_before_received(tmp_path: Path, petitions) -> None:
    broken = petitions.copy()
    broken.loc[8, "closed_date"] = broken.loc[8, "received_date"] - pd.Timedelta(days=2)
    failure = only_failure(
        run(tmp_path, petitions=broken), "expect_column_pair_values_a_to_be_greater_than_b", "closed_date"
    )
    assert failure.kwargs["column_B"] == "received_date"
    (row,) = failure.offending_rows
    received = broken.loc[8, "received_date"].date()
    assert row.source_row == 10 and row.column == "closed_date,received_date"
    assert row.value == [(received - dt.timedelta(days=2)).isoformat(), received.isoformat()]


def test_unexpected_extra_column(tmp_path: Path, petitions) -> None:
    broken = petitions.copy()
    broken["petitioner_name"] = "张三"  # e.g. a real name leaking through
    failure = only_failure(run(tmp_path, petitions=broken), "expect_table_columns_to_match_set")
    assert failure.details["unexpected_columns"] == ["petitioner_name"]
    assert failure.details["missing_columns"] == []
    assert "petitioner_name" in failure.message()


def test_wrong_dtype(tmp_path: Path, petitions) -> None:
    broken = petitions.copy()
    broken["received_date"] = broken["received_date"].dt.strftime("%Y-%m-%d").astype("string")
    report = run(tmp_path, petitions=broken)
    failed = {(f.expectation, f.column) for f in report.failures}
    assert ("lawreport.column_dtypes", None) in failed
    # The year window cannot compare text with datetimes: GX raises, and that counts as a failure.
    assert ("expect_column_values_to_be_between", "received_date") in failed
    dtype_failure = next(f for f in report.failures if f.expectation == "lawreport.column_dtypes")
    assert dtype_failure.details == {"wrong_dtypes": {"received_date": "string ≠ datetime64[ms]"}}


def test_missing_expected_table(tmp_path: Path, petitions) -> None:
    report = run(tmp_path, tables=["petitions", "law_exams"], petitions=petitions)
    failure = only_failure(report, "lawreport.table_present")
    assert failure.table == "law_exams"
    assert "law_exams.parquet" in failure.message()
    summary = json.loads((tmp_path / "validation" / "summary.json").read_text(encoding="utf-8"))
    assert {t["table"]: t["status"] for t in summary["tables"]} == {
        "petitions": "validated",
        "law_exams": "missing_table",
    }


def test_zero_expectation_suite_fails(tmp_path: Path, petitions) -> None:
    suites = tmp_path / "expectations"
    suites.mkdir()
    (suites / "petitions.json").write_text(json.dumps({"name": "petitions", "expectations": []}), encoding="utf-8")
    report = run(tmp_path, expectations_dir=suites, petitions=petitions)
    failure = only_failure(report, "lawreport.suite_not_empty")
    assert failure.table == "petitions"
    assert report.summary_frame().to_dict("records") == [
        {"table": "petitions", "expectations": 1, "passed": 0, "failed": 1}
    ]


@pytest.mark.parametrize(
    "bad",
    [
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "channel"}},  # no value_set
        {"type": "expect_values_to_be_lovely", "kwargs": {"column": "channel"}},  # no such expectation
    ],
)
def test_invalid_suite_fails_instead_of_dropping_checks(tmp_path: Path, petitions, bad: dict) -> None:
    suites = tmp_path / "expectations"
    suites.mkdir()
    suite = build_suite(get_ledger("petitions"))
    suite["expectations"].append({**bad, "meta": {"zh": "坏的期望"}})
    (suites / "petitions.json").write_text(json.dumps(suite, ensure_ascii=False), encoding="utf-8")
    failure = only_failure(run(tmp_path, expectations_dir=suites, petitions=petitions), "lawreport.suite_valid")
    assert failure.table == "petitions"


def test_penalty_cases_cross_check(tmp_path: Path, penalties) -> None:
    # Three cases filed in 2023 and closed in 2024; nothing filed in 2024: they need a carry-over.
    broken = penalties.iloc[:3].copy()
    broken["filed_date"] = pd.Series(pd.to_datetime(["2023-11-01", "2023-12-01", "2023-12-20"])).astype(
        "datetime64[ms]"
    )
    broken["closed_date"] = pd.Series(pd.to_datetime(["2024-01-10", "2024-02-01", "2024-03-01"])).astype(
        "datetime64[ms]"
    )
    failure = only_failure(run(tmp_path / "a", penalty_cases=broken), "lawreport.closed_within_caseload")
    assert failure.details["closed_in_year"] == 3 and failure.details["filed_in_year"] == 0
    assert failure.details["open_at_previous_year_end"] == 0
    assert "结转数按 0 计" in failure.details["carry_over_source"]
    assert [r.source_row for r in failure.offending_rows] == [2, 3, 4]
    with pytest.raises(ValidationFailed, match="lawreport.closed_within_caseload"):
        validate_year(
            YEAR,
            tmp_path / "a" / "clean" / str(YEAR),
            EXPECTATIONS_DIR,
            tmp_path / "a" / "v2",
            tables=["penalty_cases"],
        ).raise_for_failures()

    # With 2023's ledger saying those three were still open at its year end, the check passes.
    previous = broken.copy()
    previous["closed_date"] = pd.Series([pd.NaT] * 3).astype("datetime64[ms]")
    previous_dir = write(tmp_path / "b" / "clean" / "2023", penalty_cases=previous)
    report = run(tmp_path / "b", previous_clean_dir=previous_dir, penalty_cases=broken)
    assert report.success, [f.message() for f in report.failures]


def test_passed_without_sitting_exam(tmp_path: Path, exams) -> None:
    broken = exams.copy()
    broken.loc[2, "sat_exam"] = False
    failure = only_failure(run(tmp_path, law_exams=broken), "lawreport.passed_implies_sat_exam")
    (row,) = failure.offending_rows
    assert (row.source_row, row.value) == (4, [True, False])


def test_recovered_amount_is_only_a_warning(tmp_path: Path) -> None:
    ledger = get_ledger("legal_adviser_log")
    frame = clean_frame(ledger, 7)  # service types cycle through all seven, amounts mostly > 0
    report = run(tmp_path, legal_adviser_log=frame)
    assert report.success
    (warning,) = report.warnings
    assert warning.expectation == "lawreport.amount_recovered_service_type"
    assert all(r.value[1] not in ("法律援助", "代理诉讼") for r in warning.offending_rows)


def test_raise_for_failures_message(tmp_path: Path, petitions, exams) -> None:
    broken = petitions.copy()
    for i in range(12):
        broken.loc[i, "satisfaction"] = "很满意"
    report = run(tmp_path, tables=["petitions", "law_exams", "penalty_cases"], petitions=broken, law_exams=exams)
    with pytest.raises(ValidationFailed) as caught:
        report.raise_for_failures()
    text = str(caught.value)
    assert "校验未通过 (validation failed)" in text
    assert "表 petitions — 期望 expect_column_values_to_be_in_set (column=satisfaction)" in text
    assert "2024年信访事项登记台账.xlsx / 信访登记 / 第2行 / satisfaction = 很满意" in text
    assert "第11行" in text and "第12行" not in text  # ten rows quoted ...
    assert "另有 2 行未列出" in text  # ... and the rest counted
    assert "表 penalty_cases — 期望 lawreport.table_present" in text
    assert len(caught.value.failures) == 2


def test_counts_say_how_much_was_evaluated_and_found(tmp_path: Path, petitions, exams) -> None:
    broken = petitions.copy()
    broken.loc[3, "case_no"] = pd.NA  # null key: one row
    broken.loc[5, "channel"] = "电话"  # outside the vocabulary: another row
    broken.loc[5, "satisfaction"] = "很满意"  # the same row again, another check
    report = run(tmp_path, petitions=broken, law_exams=exams)
    counts = report.counts()
    suites = {t: len(build_suite(get_ledger(t))["expectations"]) for t in ("petitions", "law_exams")}
    assert counts["expectations_evaluated"] == counts["expectations_total"] == sum(suites.values())
    assert counts["checks"] == sum(suites.values()) + 2 + 1  # dtype checks, law_exams' cross-check
    assert counts["checks_failed"] == 3 and counts["gx_reruns"] == 3
    assert counts["unexpected_total"] == 3 and counts["failing_rows"] == 2  # rows 5 and 7 of the sheet
    assert counts["tables_validated"] == 2 and counts["tables_reused"] == 0
    stats = json.loads((tmp_path / "validation" / "stats.json").read_text(encoding="utf-8"))
    assert {k: stats[k] for k in counts} == counts
