"""Step 2: validate one year's clean tables with Great Expectations, plus a few checks in pandas.

This is the only module of the package that uses great_expectations (GX 1.x). GX is imported only
when some table has to be validated (the import costs seconds): a run whose tables are all unchanged
reuses their results and never imports it.

A run (validate_year) goes:

1. Inputs. For every known `<table>.parquet` in `data/clean/<year>/`, a cache key is computed from
   everything its results depend on: the clean file's bytes, its suite `expectations/<table>.json`,
   the source of the validation-related modules (this module, lawreport.ledgers.suites, lawreport.ledgers,
   the package's __init__) with the versions of Python, lawreport, GX, pandas, pyarrow and numpy,
   the year and its suite parameters and, for penalty_cases, the previous year's
   penalty_cases.parquet (the carry-over cross-check).
2. Reuse. A table whose key matches an entry of the cache (`cache/<table>.json` in the folder of the
   last run, or of the last failed run) takes its results from that entry. An entry is trusted only
   when its format, table, key and content digest all match: a missing, unreadable or altered entry
   is recomputed, never an error.
3. GX, for the other tables, in ONE ephemeral context built once per run (in-memory stores): per
   table a dataframe asset, and the suite validated by GX's V1 Validator over its batch definition
   as ValidationDefinition.run does it — but no Checkpoint or ValidationDefinition, so no freshness
   checks and nothing persisted but the results Data Docs need. A suite runs with
   result_format BASIC; the expectations that fail run a second time with COMPLETE, so that every
   offending row is located (unexpected_index_list) exactly as a COMPLETE run of the suite would.
   GX evaluates every expectation of every suite; results map back through the expectation ids.
   Two patches of GX, scoped (each suite validation; each serialization and Data Docs build) and
   pinned to the GX version they were checked against (another version raises):
   Expectation.configuration, which GX 1.24 rebuilds from pydantic on each of the ~90 reads per
   expectation (~40% of validation CPU), is computed once per object (_memoized_configurations
   says why that is safe); convert_to_json_serializable answers str, int, bool, None, float, dict,
   list and tuple before its ~30 type checks (_plain_values_fast_path, ~8% of validation CPU).
   tests/test_validation_memo.py compares full GX results, failures included, the stored texts and
   the rendered page with and without them, and the two conversions on every value a validation
   passes to them.
4. Checks in pandas: the column dtypes of the clean data contract, and three cross-table checks.
5. Data Docs (`data_docs/index.html`), built once at the end: GX renders the pages of the tables
   validated in this run; the pages of reused tables are copied from the folder their entry came
   from, and GX rebuilds the index over all of them. A run that reuses every table of the previous
   Data Docs copies them as they are.
6. Output: our own compact, deterministic results (`results/<table>.json`, `summary.json`): no
   timestamps or run ids, offending rows located by row_id / file / sheet / row, so two runs on the
   same data give byte-identical files, whether their tables were reused or not; the cache entries
   (`cache/`); and `stats.json`. `run_validation` adds the page a reviewer reads offline,
   `index.html` in Chinese, built from those files by lawreport.appendix.validation_page (GX's Data
   Docs need the network for their index).

stats.json — its keys are stable (a benchmark reads them); the counts are also
ValidationReport.counts():

    format                  1 (changes only if a key changes meaning)
    year                    the report year
    tables                  tables in the report, whatever their status
    tables_validated        tables whose checks ran in this run
    tables_reused           tables whose results came from the cache
    expectations_total      GX expectation results in the report (evaluated + reused)
    expectations_evaluated  GX expectations evaluated in this run
    expectations_reused     GX expectation results taken from the cache
    gx_reruns               failing expectations evaluated again with COMPLETE to locate their rows
    checks                  all checks in the report (GX expectations and lawreport.* checks)
    checks_failed           failed checks of severity error
    checks_warning          failed checks of severity warning
    failing_rows            distinct rows (per table: row_id, else file/sheet/row) that failed error
                            checks locate (at most MAX_ROWS_IN_RESULTS per check)
    unexpected_total        sum of unexpected_count over the failed error checks (rows located
                            when a check has no count)
    validated_tables        names of the tables validated in this run (in ALL_LEDGERS order)
    reused_tables           names of the tables reused from the cache
    seconds                 wall-clock seconds per phase: inputs (hashing, cache look-up, reading
                            tables), gx_import, gx_context (context, data source, suites),
                            gx_validation, cross_checks (dtypes and cross-table checks), data_docs,
                            results (results/, summary.json, cache/), pages (index.html; 0 when
                            validate_year is called alone) and total
    cpu_seconds             the same phases in CPU seconds of the process (steadier than wall-clock
                            seconds on a shared machine)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import platform
import shutil
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

# GX sends usage analytics unless told otherwise; the machine is offline and the data is sensitive.
# Must be set before great_expectations is imported (the context reads it at construction).
os.environ["GX_ANALYTICS_ENABLED"] = "false"

import pandas as pd  # noqa: E402

from ..ledgers import ALL_LEDGERS, LEDGERS_BY_TABLE, SOURCE_COLUMNS, active_unit, clean_dtypes  # noqa: E402
from ..ledgers.suites import YEAR_END, YEAR_START  # noqa: E402
from ..storage import replace_text  # noqa: E402

Severity = Literal["error", "warning"]
Status = Literal["validated", "missing_table", "missing_suite", "empty_suite"]
JSONValue = Any

# Offending rows kept per check in results/<table>.json; unexpected_count always has the full count.
MAX_ROWS_IN_RESULTS = 1000
# Offending rows quoted per failure in ValidationFailed's message (the brief: "up to 10").
MAX_ROWS_IN_MESSAGE = 10
# The unit's vocabulary (unit.yaml) of service types for which a recovered amount (挽回经济损失) is
# expected; a unit without it has no such check.
RECOVERY_VOCABULARY = "recovery_services"

# Chinese labels (with the English key) for CheckResult.details in messages.
DETAIL_LABELS: dict[str, str] = {
    "unexpected_columns": "多出的列 (unexpected_columns)",
    "missing_columns": "缺少的列 (missing_columns)",
    "exception": "GX 执行出错 (exception)",
    "closed_in_year": "本年结案数 (closed_in_year)",
    "filed_in_year": "本年立案数 (filed_in_year)",
    "open_at_previous_year_end": "上年末未结案件数 (open_at_previous_year_end)",
    "closed_in_year_filed_earlier": "本年结案中往年立案数 (closed_in_year_filed_earlier)",
    "carry_over_source": "结转数来源 (carry_over_source)",
    "wrong_dtypes": "类型不符的列 (wrong_dtypes)",
}

DATA_DOCS_DIR = "data_docs"
RESULTS_DIR = "results"
CACHE_DIR = "cache"
STATS_FILE = "stats.json"
DATASOURCE_NAME = "lawreport_clean"

# Cache entries: cache/<table>.json (our results, the inputs and their key) and cache/<table>.gx.json
# (GX's suite and validation result as its stores serialize them, for Data Docs);
# cache/_data_docs.json says which entries (table -> key) the folder's Data Docs show.
CACHE_FORMAT = 1
DOCS_MANIFEST = "_data_docs.json"
STATS_FORMAT = 1
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # src/lawreport
# The package sources a table's results depend on (the page, lawreport.appendix, is rebuilt anyway).
VALIDATION_SOURCES = (
    "__init__.py",
    "run/validation.py",
    "ledgers/suites.py",
    "ledgers/__init__.py",
    "ledgers/config.py",
    "ledgers/spec.py",
)
VERSIONED_DISTRIBUTIONS = ("lawreport", "great_expectations", "pandas", "pyarrow", "numpy")
# Phases timed in stats.json "seconds" (plus "total").
PHASES = (
    "inputs",
    "gx_import",
    "gx_context",
    "gx_validation",
    "cross_checks",
    "data_docs",
    "results",
    "pages",
)


# --------------------------------------------------------------------------------------------------
# Result objects
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OffendingRow:
    """A row that broke a check, located in the raw ledger the analyst has to fix."""

    row_id: str | None
    source_file: str | None
    source_sheet: str | None
    source_row: int | None
    column: str  # clean column name; "a,b" for a pair check
    value: JSONValue  # JSON-ready; a list for a pair check

    def describe(self) -> str:
        """ "文件 / 工作表 / 第N行 / 列 = 值" (the sheet is left out for CSV exports, as in errors.Problem)."""
        parts = [self.source_file or "(未知文件)"]
        if self.source_sheet:
            parts.append(self.source_sheet)
        parts.append(f"第{self.source_row}行" if self.source_row is not None else "(行号未知)")
        parts.append(f"{self.column} = {_display(self.value)}")
        return " / ".join(parts)

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "row_id": self.row_id,
            "source_file": self.source_file,
            "source_sheet": self.source_sheet,
            "source_row": self.source_row,
            "column": self.column,
            "value": self.value,
        }

    @classmethod
    def from_json(cls, data: dict[str, JSONValue]) -> OffendingRow:
        return cls(
            row_id=data["row_id"],
            source_file=data["source_file"],
            source_sheet=data["source_sheet"],
            source_row=data["source_row"],
            column=data["column"],
            value=data["value"],
        )


@dataclass(frozen=True)
class CheckResult:
    """One expectation (GX) or cross-table check (lawreport.*) applied to one table.

    `ValidationReport.failures` is a list of these with success False and severity "error".
    """

    table: str
    expectation: str  # GX expectation type, or "lawreport.<check>" for checks done in pandas
    kwargs: dict[str, JSONValue]
    description_zh: str
    success: bool
    unexpected_count: int | None = None
    offending_rows: tuple[OffendingRow, ...] = ()
    details: dict[str, JSONValue] = field(default_factory=dict)  # observed values, exceptions, notes
    severity: Severity = "error"

    @property
    def column(self) -> str | None:
        """The column(s) the check is about, "a,b" for a pair; None for table-level checks."""
        if "column" in self.kwargs:
            return str(self.kwargs["column"])
        pair = [str(self.kwargs[k]) for k in ("column_A", "column_B") if k in self.kwargs]
        return ",".join(pair) or None

    def message(self, max_rows: int = MAX_ROWS_IN_MESSAGE) -> str:
        """Chinese, with the English term, naming table, expectation and the first offending rows."""
        where = f" (column={self.column})" if self.column else ""
        count = f"；违规 {self.unexpected_count} 行 (unexpected rows)" if self.unexpected_count else ""
        lines = [f"表 {self.table} — 期望 {self.expectation}{where}：{self.description_zh}{count}"]
        for key, value in sorted(self.details.items()):
            lines.append(f"    {DETAIL_LABELS.get(key, key)}: {_display(value)}")
        for row in self.offending_rows[:max_rows]:
            lines.append(f"    {row.describe()}")
        hidden = (self.unexpected_count or len(self.offending_rows)) - min(max_rows, len(self.offending_rows))
        if hidden > 0:
            lines.append(f"    …… 另有 {hidden} 行未列出 (more rows not shown)")
        return "\n".join(lines)

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "type": self.expectation,
            "kwargs": self.kwargs,
            "description_zh": self.description_zh,
            "severity": self.severity,
            "success": self.success,
            "unexpected_count": self.unexpected_count,
            "details": self.details,
            "offending_rows": [r.to_json() for r in self.offending_rows],
            "offending_rows_truncated": (self.unexpected_count or 0) > len(self.offending_rows),
        }

    @classmethod
    def from_json(cls, table: str, data: dict[str, JSONValue]) -> CheckResult:
        """The inverse of to_json (for cache entries): to_json(from_json(x)) == x."""
        return cls(
            table=table,
            expectation=data["type"],
            kwargs=data["kwargs"],
            description_zh=data["description_zh"],
            success=data["success"],
            unexpected_count=data["unexpected_count"],
            offending_rows=tuple(OffendingRow.from_json(r) for r in data["offending_rows"]),
            details=data["details"],
            severity=data["severity"],
        )

    @property
    def is_gx(self) -> bool:
        """A Great Expectations expectation (lawreport.* checks are done in pandas)."""
        return not self.expectation.startswith("lawreport.")


@dataclass
class TableResult:
    table: str
    status: Status
    file: str  # parquet file name inside clean_dir
    rows: int | None
    checks: list[CheckResult]

    @property
    def failed(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.success and c.severity == "error"]

    @property
    def warnings(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.success and c.severity == "warning"]

    def to_json(self, year: int, parameters: dict[str, str]) -> dict[str, JSONValue]:
        return {
            "table": self.table,
            "year": year,
            "status": self.status,
            "file": self.file,
            "rows": self.rows,
            "suite_parameters": parameters,
            "success": not self.failed,
            "checks": [c.to_json() for c in self.checks],
        }

    @classmethod
    def from_json(cls, data: dict[str, JSONValue]) -> TableResult:
        table = data["table"]
        checks = [CheckResult.from_json(table, c) for c in data["checks"]]
        return cls(table, data["status"], data["file"], data["rows"], checks)


class ValidationFailed(Exception):
    """Raised by ValidationReport.raise_for_failures(); the message is meant for the analyst."""

    def __init__(self, year: int, failures: list[CheckResult]):
        self.year = year
        self.failures = failures
        head = f"{year} 年度清洗数据校验未通过 (validation failed)：{len(failures)} 项失败 (failures)"
        body = [f"{i}. {f.message()}" for i, f in enumerate(failures, 1)]
        super().__init__("\n".join([head, *body]))


@dataclass
class ValidationStats:
    """What a run did (as opposed to what it found): see stats.json in the module docstring."""

    validated: list[str] = field(default_factory=list)  # tables whose checks ran in this run
    reused: list[str] = field(default_factory=list)  # tables whose results came from the cache
    expectations_evaluated: int = 0
    expectations_reused: int = 0
    gx_reruns: int = 0
    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(PHASES, 0.0))
    cpu_seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(PHASES, 0.0))


@dataclass
class ValidationReport:
    year: int
    tables: list[TableResult]
    parameters: dict[str, str]
    notes: list[str]
    data_docs_index: Path | None
    stats: ValidationStats = field(default_factory=ValidationStats)

    @property
    def failures(self) -> list[CheckResult]:
        return [c for t in self.tables for c in t.failed]

    @property
    def warnings(self) -> list[CheckResult]:
        return [c for t in self.tables for c in t.warnings]

    @property
    def success(self) -> bool:
        return not self.failures

    def table(self, name: str) -> TableResult:
        return next(t for t in self.tables if t.table == name)

    def summary_frame(self) -> pd.DataFrame:
        """One row per table: how many checks ran, passed and failed (warnings count as passed)."""
        rows = [
            {
                "table": t.table,
                "expectations": len(t.checks),
                "passed": len(t.checks) - len(t.failed),
                "failed": len(t.failed),
            }
            for t in self.tables
        ]
        frame = pd.DataFrame(rows, columns=["table", "expectations", "passed", "failed"])
        return frame.astype({"table": "string", "expectations": "Int64", "passed": "Int64", "failed": "Int64"})

    def counts(self) -> dict[str, int]:
        """How much was checked and found: the count keys of stats.json (module docstring)."""
        checks = [c for t in self.tables for c in t.checks]
        failures, warnings = self.failures, self.warnings
        rows = {
            (f.table, r.row_id if r.row_id is not None else (r.source_file, r.source_sheet, r.source_row))
            for f in failures
            for r in f.offending_rows
        }
        return {
            "tables": len(self.tables),
            "tables_validated": len(self.stats.validated),
            "tables_reused": len(self.stats.reused),
            "expectations_total": sum(1 for c in checks if c.is_gx),
            "expectations_evaluated": self.stats.expectations_evaluated,
            "expectations_reused": self.stats.expectations_reused,
            "gx_reruns": self.stats.gx_reruns,
            "checks": len(checks),
            "checks_failed": len(failures),
            "checks_warning": len(warnings),
            "failing_rows": len(rows),
            "unexpected_total": sum(f.unexpected_count or len(f.offending_rows) for f in failures),
        }

    def stats_json(self) -> dict[str, JSONValue]:
        """stats.json: counts() plus the seconds per phase (keys documented in the module docstring)."""
        seconds = {k: round(v, 4) for k, v in self.stats.seconds.items()}
        cpu_seconds = {k: round(v, 4) for k, v in self.stats.cpu_seconds.items()}
        return {
            "format": STATS_FORMAT,
            "year": self.year,
            **self.counts(),
            "validated_tables": self.stats.validated,
            "reused_tables": self.stats.reused,
            "seconds": seconds,
            "cpu_seconds": cpu_seconds,
        }

    def raise_for_failures(self) -> None:
        if self.failures:
            raise ValidationFailed(self.year, self.failures)

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "year": self.year,
            "success": self.success,
            "suite_parameters": self.parameters,
            "notes": self.notes,
            # Relative so the summary does not depend on where out_dir lives.
            "data_docs_index": f"{DATA_DOCS_DIR}/index.html" if self.data_docs_index else None,
            "tables": [
                {
                    "table": t.table,
                    "status": t.status,
                    "rows": t.rows,
                    "expectations": len(t.checks),
                    "passed": len(t.checks) - len(t.failed),
                    "failed": len(t.failed),
                    "warnings": len(t.warnings),
                    "success": not t.failed,
                }
                for t in self.tables
            ],
            # Compact: the full kwargs and offending rows are in results/<table>.json.
            "failures": [
                {
                    "table": f.table,
                    "type": f.expectation,
                    "column": f.column,
                    "description_zh": f.description_zh,
                    "unexpected_count": f.unexpected_count,
                }
                for f in self.failures
            ],
            "warnings": [
                {
                    "table": w.table,
                    "type": w.expectation,
                    "column": w.column,
                    "description_zh": w.description_zh,
                    "unexpected_count": w.unexpected_count,
                }
                for w in self.warnings
            ],
        }


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


def _json_value(value: object) -> JSONValue:
    """A cell as a deterministic JSON value: NA -> None, dates -> ISO, numpy scalars -> Python."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        if pd.isna(value):
            return None
        ts = pd.Timestamp(value)
        return ts.date().isoformat() if ts == ts.normalize() else ts.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalar
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() else value
    if isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    return str(value)


def _display(value: JSONValue) -> str:
    if value is None:
        return "<空>"
    if isinstance(value, list):
        return ", ".join(_display(v) for v in value) if value else "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}={_display(v)}" for k, v in sorted(value.items()))
    return str(value)


def _offending_rows(frame: pd.DataFrame, positions: list[int], columns: list[str]) -> tuple[OffendingRow, ...]:
    """Locate rows by position (the frame has a RangeIndex) and read the offending values.

    Only the first MAX_ROWS_IN_RESULTS rows (in file order) are materialised: the full count is in
    unexpected_count, and a column that is wrong everywhere should not produce a huge results file.
    """
    chosen = sorted({int(p) for p in positions})[:MAX_ROWS_IN_RESULTS]
    wanted = [c for c in (*SOURCE_COLUMNS, *columns) if c in frame.columns]
    sub = frame.iloc[chosen][list(dict.fromkeys(wanted))]
    out = []
    for record in sub.to_dict("records"):
        cells = {name: _json_value(value) for name, value in record.items()}
        values = [cells.get(c) for c in columns]
        source_row = cells.get("source_row")
        out.append(
            OffendingRow(
                row_id=cells.get("row_id"),
                source_file=cells.get("source_file"),
                source_sheet=cells.get("source_sheet"),
                source_row=int(source_row) if source_row is not None else None,
                column=",".join(columns),
                value=values[0] if len(values) == 1 else values,
            )
        )
    return tuple(out)


def _exception_message(exception_info: object) -> str | None:
    """GX 1.x reports exceptions either flat or keyed by metric id; return the first message."""
    if not isinstance(exception_info, dict):
        return None
    if exception_info.get("raised_exception"):
        return str(exception_info.get("exception_message"))
    for value in exception_info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


def _write_json(path: Path, data: object) -> None:
    replace_text(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


# --------------------------------------------------------------------------------------------------
# GX
# --------------------------------------------------------------------------------------------------

# The suite runs with BASIC (counts and a sample of values); failing expectations again with COMPLETE
# (unexpected_index_list holds every offending row, not a sample of 20).
FIRST_PASS_FORMAT = {"result_format": "BASIC"}
ROWS_PASS_FORMAT = {"result_format": "COMPLETE"}

# The GX release _memoized_configurations was checked against (requirements.lock pins the same one;
# tests/test_validation_memo.py checks both).
GX_VERSION_CHECKED = "1.24.1"


def _require_checked_gx(what: str, where: str) -> None:
    """Raise unless the installed GX is the release `where` was checked against (GX_VERSION_CHECKED)."""
    from .gx import great_expectations

    if great_expectations.__version__ != GX_VERSION_CHECKED:
        raise RuntimeError(
            f"lawreport.run.validation {what} as checked for GX {GX_VERSION_CHECKED}, "
            f"but GX {great_expectations.__version__} is installed: re-check {where}"
        )


def _plain_values_first(original: Any) -> Any:
    """GX's convert_to_json_serializable with the values our results are made of answered first.

    The original asks ~30 isinstance questions of every value before the plain ones (a pydantic
    model? a SerializableDictDot? ... four numpy issubdtype checks before None), and GX calls it
    ~100 000 times a cold run (ids of metric configurations, results serialized for Data Docs).
    Answered here, each as the original answers it: str, int and bool as they are; None as it is;
    a float as it is, NaN as None; a dict as a dict of str(key) -> converted value, in its order;
    a list or tuple as a list of converted values. Only these exact types (subclasses, such as GX's
    own dicts, go to the original), and the original's recursion comes back here."""

    def convert(data: Any) -> Any:
        kind = type(data)
        if kind is str or kind is int or kind is bool or data is None:
            return data
        if kind is float:
            return None if data != data else data
        if kind is dict:
            return {str(key): convert(value) for key, value in data.items()}
        if kind is list or kind is tuple:
            return [convert(value) for value in data]
        return original(data)

    convert._lawreport_fast = True  # type: ignore[attr-defined]
    return convert


@contextmanager
def _plain_values_fast_path() -> Iterator[None]:
    """While inside, GX's convert_to_json_serializable answers plain values first
    (`_plain_values_first`): in great_expectations.util and in every GX module that imported it by
    name. About 8% of a cold validation's CPU (2.51 -> 2.31 s, medians of 4, this machine). Pinned
    like the memo (GX_VERSION_CHECKED); tests/test_validation_memo.py compares the two functions on
    every value a validation with failures of every expectation type passes to them, and the full
    results with and without."""
    from great_expectations import util

    _require_checked_gx("answers plain values of convert_to_json_serializable first", "_plain_values_fast_path")
    original = util.__dict__["convert_to_json_serializable"]
    if getattr(original, "_lawreport_fast", False):
        yield  # already inside
        return
    fast = _plain_values_first(original)
    loaded = set(sys.modules)
    modules = [
        module
        for name, module in list(sys.modules.items())
        if name.split(".")[0] == "great_expectations"
        and getattr(module, "__dict__", {}).get("convert_to_json_serializable") is original
    ]
    for module in modules:
        module.convert_to_json_serializable = fast  # type: ignore[attr-defined]
    try:
        yield
    finally:
        # also in a GX module first imported inside, which bound the fast function by name
        imported = [module for name, module in list(sys.modules.items()) if name not in loaded]
        for module in [*modules, *imported]:
            if getattr(module, "__dict__", {}).get("convert_to_json_serializable") is fast:
                module.convert_to_json_serializable = original  # type: ignore[attr-defined]


@contextmanager
def _memoized_configurations() -> Iterator[None]:
    """While inside (one suite validation), `Expectation.configuration` is computed once per object.

    Why: in GX 1.24 that property rebuilds an ExpectationConfiguration on every access (pydantic
    .dict(), camel_to_snake of the class name, a new dict), and the validator reads it about 90
    times per expectation (each domain, success and runtime kwarg is looked up through it):
    ~40% of the CPU of validating our 455 expectations.

    Why it is safe there: the Expectation objects a validation reads are built by GX for that
    validation (to_domain_obj) or are our suite's, and nothing assigns to their fields while
    a suite is validated (GX 1.24: only Expectation.save and render do); the configuration built
    first is then the one every later access would rebuild. The memo holds each object it keys by
    id(), so an id cannot be reused by another object while inside, and is dropped on exit;
    nesting is a no-op. tests/test_validation_memo.py validates frames with failures of every
    expectation type of expectations/*.json with and without it and compares the full results.

    Pinned: another GX version raises (re-check the reasoning above against it, then update
    GX_VERSION_CHECKED), so an upgrade cannot silently change what the memo stands in for.
    """
    from great_expectations.expectations.expectation import Expectation

    _require_checked_gx("memoizes Expectation.configuration", "_memoized_configurations")
    original = Expectation.__dict__["configuration"]
    if getattr(original.fget, "_lawreport_memo", False):
        yield  # already inside
        return
    memo: dict[int, tuple[Any, Any]] = {}

    def configuration(self: Any) -> Any:
        held = memo.get(id(self))
        if held is None:
            held = memo[id(self)] = (self, original.fget(self))
        return held[1]

    configuration._lawreport_memo = True  # type: ignore[attr-defined]
    Expectation.configuration = property(configuration, doc=original.__doc__)  # type: ignore[method-assign]
    try:
        yield
    finally:
        Expectation.configuration = original  # type: ignore[method-assign]
        memo.clear()


class _Clock:
    """Wall-clock and CPU seconds per phase (stats.json "seconds" and "cpu_seconds")."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = dict.fromkeys(PHASES, 0.0)
        self.cpu_seconds: dict[str, float] = dict.fromkeys(PHASES, 0.0)
        self.started = self._now()
        self._open: list[tuple[str, tuple[float, float]]] = []  # phases entered and not left, since when

    @staticmethod
    def _now() -> tuple[float, float]:
        return time.perf_counter(), time.process_time()

    def _add(self, name: str, since: tuple[float, float], now: tuple[float, float]) -> None:
        self.seconds[name] += now[0] - since[0]
        self.cpu_seconds[name] += now[1] - since[1]

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time spent inside; a phase entered inside another pauses the outer one (no double count)."""
        now = self._now()
        if self._open:
            self._add(*self._open[-1], now)
        self._open.append((name, now))
        try:
            yield
        finally:
            end = self._now()
            self._add(*self._open.pop(), end)
            if self._open:
                self._open[-1] = (self._open[-1][0], end)

    def totals(self) -> tuple[dict[str, float], dict[str, float]]:
        now = self._now()
        return (
            {**self.seconds, "total": now[0] - self.started[0]},
            {**self.cpu_seconds, "total": now[1] - self.started[1]},
        )


def _file_context(out_dir: Path) -> Any:
    """An in-memory GX context whose Data Docs site writes HTML to out_dir/data_docs.

    In memory because a file-backed project rewrote its YAML config and re-checked "freshness" for
    every table; suites, results and docs are all ours to write anyway. Fresh each run, so no stale
    suite or result can mix into the docs.
    """
    from .gx import great_expectations as gx  # noqa: I001 - first: GX without what we never use (gx.py)
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        # tqdm bars on stderr for every table are noise in a batch run.
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        data_docs_sites={
            "local_site": {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str((out_dir / DATA_DOCS_DIR).resolve()),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _expectation_id(table: str, index: int) -> str:
    """Deterministic ids: results map back to the suite file's order through them."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"lawreport:expectations/{table}.json#{index}"))


def _load_suite(table: str, suite_dict: dict[str, Any]) -> tuple[Any, CheckResult | None]:
    """(GX ExpectationSuite, None), or (None, the lawreport.suite_valid failure)."""
    from great_expectations.core.expectation_suite import ExpectationSuite

    declared = suite_dict.get("expectations", [])
    try:
        expectations = [{**e, "id": _expectation_id(table, i)} for i, e in enumerate(declared)]
        suite = ExpectationSuite(name=table, expectations=expectations, meta=suite_dict.get("meta"))
        dropped = len(declared) - len(suite.expectations)
        problem = None if dropped == 0 else f"{dropped} 条期望配置无效 (invalid expectation configuration)"
    except Exception as error:  # e.g. an unknown expectation type: GX raises while building the suite
        suite, problem = None, f"期望套件无法载入 (suite cannot be loaded): {type(error).__name__}: {error}"
    # ExpectationSuite logs and *drops* an invalid expectation instead of raising; a dropped check
    # must not turn into a silent pass, so the whole suite is reported as a failure instead.
    if problem is None:
        return suite, None
    failure = CheckResult(
        table,
        "lawreport.suite_valid",
        {"suite": f"{table}.json"},
        f"期望套件无效 (invalid suite)：{problem}",
        False,
    )
    return None, failure


@dataclass(frozen=True)
class _GXDocs:
    """A table's GX suite and validation result as the GX stores serialize them (what Data Docs
    are built from), and the result's key (ValidationResultIdentifier tuple, which fixes its page)."""

    key: list[str]
    suite: str
    result: str


@dataclass
class _Validated:
    """What GX returned for one table."""

    checks: list[CheckResult]
    suite_result: Any  # ExpectationSuiteValidationResult (BASIC, failing expectations COMPLETE)
    evaluated: int
    reruns: int


class _GXSession:
    """One ephemeral GX context for a whole run, built once: one pandas data source whose
    dataframe assets (one per table to validate, so that batch ids and Data Docs name the table)
    are declared together, the suites and results Data Docs need, and the Data Docs site."""

    def __init__(self, out_dir: Path, clock: _Clock, tables: Sequence[str]):
        self.clock = clock
        with clock.phase("gx_import"):
            from . import gx  # noqa: F401  (GX without what it loads but we never use)

        with clock.phase("gx_context"):
            self.context = _file_context(out_dir)
            # Declared at once: adding assets one by one re-serialised the whole config each time.
            assets = [{"name": t, "type": "dataframe", "batch_definitions": [{"name": "whole"}]} for t in tables]
            self.datasource = self.context.data_sources.add_pandas(name=DATASOURCE_NAME, assets=assets)
        # Per table, the run id of its validation, as ValidationDefinition.run makes it (the Data
        # Docs index lists results newest first).
        self.run_ids: dict[str, Any] = {}
        # Resources Data Docs must render (the rest are copied pages).
        self.to_render: list[Any] = []
        self.suite_texts: dict[str, str] = {}  # table -> suite as serialized into the store
        # Each result in the store, as serialized there, by its key's tuple: what the index reads (`build_docs`).
        self.result_texts: dict[tuple[str, ...], str] = {}

    def load_suite(self, table: str, suite_dict: dict[str, Any]) -> tuple[Any, CheckResult | None]:
        """The suite, in the expectations store for Data Docs, or the lawreport.suite_valid failure."""
        from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

        with self.clock.phase("gx_context"):
            suite, failure = _load_suite(table, suite_dict)
            if suite is not None:
                # Serialized once, for the store and the cache (the ids are ours already).
                store = self.context.expectations_store
                with _plain_values_fast_path():
                    self.suite_texts[table] = text = store.serialize(suite)
                store.store_backend.set(store.key_to_tuple(ExpectationSuiteIdentifier(name=table)), text)
            return suite, failure

    def validate(
        self, table: str, suite: Any, suite_dict: dict[str, Any], frame: pd.DataFrame, parameters: dict[str, Any]
    ) -> _Validated:
        """Every expectation of the suite on the frame; failing ones again with COMPLETE."""
        from great_expectations.core.expectation_suite import ExpectationSuite
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.validator.validator import calc_validation_statistics

        with self.clock.phase("gx_validation"):
            run_id = self.run_ids[table] = RunIdentifier(run_name=None, run_time=dt.datetime.now(dt.UTC))
            definition = self.datasource.get_asset(table).get_batch_definition("whole")
            suite_result = _validate_suite(definition, frame, suite, FIRST_PASS_FORMAT, parameters)
            evaluated = len(suite_result.results)
            failing = [r.expectation_config for r in suite_result.results if not r.success]
            if failing:
                # The same configurations (ids included) in a suite of their own: GX evaluates each
                # expectation on its own metrics, so this is what a COMPLETE run of the suite gives.
                failing_suite = ExpectationSuite(name=table, expectations=failing)
                rerun = _validate_suite(definition, frame, failing_suite, ROWS_PASS_FORMAT, parameters)
                detailed = {str(r.expectation_config.id): r for r in rerun.results}
                suite_result.results = [detailed.get(str(r.expectation_config.id), r) for r in suite_result.results]
                statistics = calc_validation_statistics(suite_result.results)
                suite_result.success = statistics.success
                suite_result.statistics.update(
                    evaluated_expectations=statistics.evaluated_expectations,
                    successful_expectations=statistics.successful_expectations,
                    unsuccessful_expectations=statistics.unsuccessful_expectations,
                    success_percent=statistics.success_percent,
                )
            # What ValidationDefinition.run adds, for the Data Docs page.
            suite_result.meta.update(
                validation_id=None,
                checkpoint_id=None,
                run_id=run_id,
                validation_time=run_id.run_time,
                batch_parameters={"dataframe": "<DATAFRAME>"},
            )
            checks = _checks_from_gx(table, suite, suite_dict, suite_result, frame)
        return _Validated(checks, suite_result, evaluated, len(failing))

    def store_result(self, table: str, suite_result: Any, suite_text: str) -> _GXDocs:
        """Store a fresh result for Data Docs (its pages are rendered this run)."""
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
            ValidationResultIdentifier,
        )

        store = self.context.validation_results_store
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=table),
            run_id=self.run_ids[table],
            batch_identifier=f"{DATASOURCE_NAME}-{table}",
        )
        with _plain_values_fast_path():
            text = store.serialize(suite_result)
        store.store_backend.set(store.key_to_tuple(key), text)
        self.result_texts[tuple(key.to_tuple())] = text
        self.to_render += [ExpectationSuiteIdentifier(name=table), key]
        return _GXDocs([str(part) for part in key.to_tuple()], suite_text, text)

    def reuse(self, table: str, docs: _GXDocs) -> tuple[Any, Any]:
        """A reused table in the stores as GX serialized it in its run (GX parses only what it
        renders again). Returns the Data Docs identifiers of its suite and its result."""
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
            ValidationResultIdentifier,
        )

        suites, results = self.context.expectations_store, self.context.validation_results_store
        suite_key = ExpectationSuiteIdentifier(name=table)
        suites.store_backend.set(suites.key_to_tuple(suite_key), docs.suite)
        result_key = ValidationResultIdentifier.from_tuple(tuple(docs.key))
        results.store_backend.set(results.key_to_tuple(result_key), docs.result)
        self.result_texts[tuple(result_key.to_tuple())] = docs.result
        return suite_key, result_key

    def build_docs(self) -> None:
        from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

        # An empty list would mean "render everything"; a name no suite has renders only the index.
        render = self.to_render or [ExpectationSuiteIdentifier(name="__lawreport_index_only__")]
        with _plain_values_fast_path(), self._index_reads_what_it_shows():
            self.context.build_data_docs(resource_identifiers=render)

    @contextmanager
    def _index_reads_what_it_shows(self) -> Iterator[None]:
        """Within: the Data Docs index gets each result of this session (`get_validation_result`, once
        per result, for its row) as its top-level fields alone (success, suite name, statistics, meta:
        what the row shows), parsed from the stored text with json, not with GX's schema. GX parsed all
        29 results to list them, also when one table was validated again (0.07 s of 0.26 s). Pages
        read the store itself and get whole results; anything else goes to GX's own method."""
        from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
            ValidationResultIdentifier,
        )

        _require_checked_gx("reads the Data Docs index's rows from the stored texts", "_index_reads_what_it_shows")
        context = self.context
        own = context.get_validation_result

        def get_validation_result(
            expectation_suite_name: str,
            run_id: Any = None,
            batch_identifier: Any = None,
            validation_results_store_name: str | None = None,
            failed_only: bool = False,
        ) -> Any:
            text = None
            if run_id is not None and batch_identifier is not None and not failed_only:
                stores = (None, context.validation_results_store_name)
                key = ValidationResultIdentifier(
                    expectation_suite_identifier=ExpectationSuiteIdentifier(name=expectation_suite_name),
                    run_id=run_id,
                    batch_identifier=batch_identifier,
                )
                text = self.result_texts.get(tuple(key.to_tuple())) if validation_results_store_name in stores else None
            if text is None:
                return own(expectation_suite_name, run_id, batch_identifier, validation_results_store_name, failed_only)
            data = json.loads(text)
            return ExpectationSuiteValidationResult(
                success=data.get("success"),
                results=[],
                suite_name=data["suite_name"],
                statistics=data.get("statistics"),
                meta=data.get("meta"),
            )

        before = context.__dict__.get("get_validation_result", None)
        context.get_validation_result = get_validation_result  # type: ignore[method-assign]
        try:
            yield
        finally:
            if before is None:
                del context.get_validation_result
            else:
                context.get_validation_result = before  # type: ignore[method-assign]


def _validate_suite(
    definition: Any, frame: pd.DataFrame, suite: Any, result_format: dict[str, str], parameters: dict[str, Any]
) -> Any:
    """The suite's results on the frame, as ValidationDefinition.run gets them (a V1 Validator over
    the batch definition; it loads the batch once). Batch.validate would build the same Validator,
    but needs a Batch first, and loading one costs a second pass over the frame (GX fingerprints
    it)."""
    from great_expectations.validator.v1_validator import Validator

    validator = Validator(
        batch_definition=definition, batch_parameters={"dataframe": frame}, result_format=result_format
    )
    with _memoized_configurations(), _plain_values_fast_path():
        return validator.validate_expectation_suite(suite, expectation_parameters=parameters)


def _checks_from_gx(
    table: str, suite: Any, suite_dict: dict[str, Any], suite_result: Any, frame: pd.DataFrame
) -> list[CheckResult]:
    """GX results in the suite file's order and words (mapped back through the expectation ids)."""
    declared = suite_dict.get("expectations", [])
    index_of = {str(e.id): i for i, e in enumerate(suite.expectations)}
    by_index: dict[int, Any] = {index_of[str(r.expectation_config.id)]: r for r in suite_result.results}
    checks = []
    for i, declared_exp in enumerate(declared):
        kwargs = declared_exp.get("kwargs", {})
        zh = declared_exp.get("meta", {}).get("zh", "")
        result = by_index.get(i)
        if result is None:  # should not happen; never let a check vanish silently
            checks.append(
                CheckResult(
                    table,
                    declared_exp["type"],
                    kwargs,
                    zh,
                    False,
                    details={"error": "GX 未返回该期望的结果 (no result returned)"},
                )
            )
            continue
        checks.append(_check_from_gx(table, declared_exp["type"], kwargs, zh, result, frame))
    return checks


def _check_from_gx(
    table: str, type_: str, kwargs: dict[str, Any], zh: str, result: Any, frame: pd.DataFrame
) -> CheckResult:
    details: dict[str, JSONValue] = {}
    error = _exception_message(result.exception_info)
    if error is not None:
        details["exception"] = error
    res: dict[str, Any] = result.result or {}
    rows: tuple[OffendingRow, ...] = ()
    if "column" in kwargs:
        columns = [kwargs["column"]]
    elif "column_A" in kwargs:
        columns = [kwargs["column_A"], kwargs["column_B"]]
    else:
        columns = []
    # With the default index (no unexpected_index_column_names) GX returns row positions here.
    positions = res.get("unexpected_index_list") or []
    if columns and positions:
        rows = _offending_rows(frame, list(positions), columns)
    if type_ == "expect_table_columns_to_match_set":
        expected = set(kwargs.get("column_set", []))
        actual = set(map(str, frame.columns))
        details["unexpected_columns"] = sorted(actual - expected)
        details["missing_columns"] = sorted(expected - actual)
    unexpected = res.get("unexpected_count")
    return CheckResult(
        table=table,
        expectation=type_,
        kwargs=kwargs,
        description_zh=zh,
        success=bool(result.success) and error is None,
        unexpected_count=int(unexpected) if unexpected is not None else None,
        offending_rows=rows,
        details=details,
    )


# --------------------------------------------------------------------------------------------------
# Cross-table checks (plain pandas; few and real)
# --------------------------------------------------------------------------------------------------


def _has(frame: pd.DataFrame, *columns: str) -> bool:
    # If the table's shape is wrong, expect_table_columns_to_match_set already fails; skip quietly.
    return all(c in frame.columns for c in columns)


def _in_year(series: pd.Series, year: int) -> pd.Series:
    return (series.dt.year == year).fillna(False).astype(bool)


def _open_at_end_of(frame: pd.DataFrame, year: int) -> int:
    """Cases filed by 31 Dec of `year` and not closed by then."""
    end = pd.Timestamp(year=year, month=12, day=31)
    filed = (frame["filed_date"] <= end).fillna(False).astype(bool)
    still_open = (frame["closed_date"].isna() | (frame["closed_date"] > end)).fillna(False).astype(bool)
    return int((filed & still_open).sum())


def check_penalty_caseload(frame: pd.DataFrame, year: int, previous_clean_dir: Path | None) -> CheckResult | None:
    """结案数 ≤ 本年立案数 + 上年末未结案件数: a case cannot be closed that was never open.

    The carry-over comes from the previous year's clean penalty_cases (cases filed by its year end
    and not closed by then). Without it the carry-over is taken as 0 and the result says so, since
    a ledger that also lists older cases will then fail until the previous year is supplied.
    """
    if not _has(frame, "filed_date", "closed_date"):
        return None
    closed = _in_year(frame["closed_date"], year)
    filed_count = int(_in_year(frame["filed_date"], year).sum())
    details: dict[str, JSONValue] = {"closed_in_year": int(closed.sum()), "filed_in_year": filed_count}
    carry = 0
    previous = Path(previous_clean_dir) / "penalty_cases.parquet" if previous_clean_dir else None
    if previous is not None and previous.is_file():
        previous_frame = pd.read_parquet(previous)
        if _has(previous_frame, "filed_date", "closed_date"):
            carry = _open_at_end_of(previous_frame, year - 1)
            details["carry_over_source"] = f"上一年度清洗数据 (previous year) {previous.parent.name}/{previous.name}"
        else:
            details["carry_over_source"] = "上一年度 penalty_cases 缺少日期列，结转数按 0 计 (carry-over assumed 0)"
    elif previous is not None:
        details["carry_over_source"] = "上一年度目录中无 penalty_cases.parquet，结转数按 0 计 (carry-over assumed 0)"
    else:
        details["carry_over_source"] = (
            "未提供上一年度数据，结转数按 0 计 (no previous year given: carry-over assumed 0)"
        )
    details["open_at_previous_year_end"] = carry
    success = int(closed.sum()) <= filed_count + carry
    rows: tuple[OffendingRow, ...] = ()
    if not success:
        # The closings that need a carry-over to be explained: closed this year, filed earlier.
        start = pd.Timestamp(year=year, month=1, day=1)
        earlier = closed & (frame["filed_date"] < start).fillna(False).astype(bool)
        rows = _offending_rows(frame, list(frame.index[earlier]), ["closed_date", "filed_date"])
        details["closed_in_year_filed_earlier"] = int(earlier.sum())
    return CheckResult(
        table="penalty_cases",
        expectation="lawreport.closed_within_caseload",
        kwargs={"closed_in_year": "closed_date", "filed_in_year": "filed_date", "carry_over": "previous_clean_dir"},
        description_zh="本年结案数不得超过本年立案数与上年末未结案件数之和 (closed ≤ filed + open at previous year end)",
        success=success,
        unexpected_count=None if success else int(details.get("closed_in_year_filed_earlier", 0)),
        offending_rows=rows,
        details=details,
    )


def check_passed_implies_sat(frame: pd.DataFrame) -> CheckResult | None:
    """A person cannot pass an exam they did not sit (是否合格=是 requires 是否参考=是)."""
    if not _has(frame, "passed", "sat_exam"):
        return None
    bad = frame["passed"].fillna(False).astype(bool) & ~frame["sat_exam"].fillna(False).astype(bool)
    rows = _offending_rows(frame, list(frame.index[bad]), ["passed", "sat_exam"])
    return CheckResult(
        table="law_exams",
        expectation="lawreport.passed_implies_sat_exam",
        kwargs={"column_A": "passed", "column_B": "sat_exam"},
        description_zh="考试合格者必须参加了考试 (passed implies sat_exam)",
        success=not bool(bad.any()),
        unexpected_count=int(bad.sum()),
        offending_rows=rows,
    )


def check_recovery_service_type(frame: pd.DataFrame) -> CheckResult | None:
    """挽回经济损失 normally only arises from the service types of the unit's `recovery_services`
    vocabulary; elsewhere it is worth a look, not a stop."""
    services = active_unit().vocabularies.get(RECOVERY_VOCABULARY)
    if not services or not _has(frame, "amount_recovered", "service_type"):
        return None
    amount = frame["amount_recovered"]
    bad = (amount.notna() & (amount > 0)).fillna(False).astype(bool) & ~frame["service_type"].isin(services).fillna(
        False
    ).astype(bool)
    rows = _offending_rows(frame, list(frame.index[bad]), ["amount_recovered", "service_type"])
    return CheckResult(
        table="legal_adviser_log",
        expectation="lawreport.amount_recovered_service_type",
        kwargs={"column": "amount_recovered", "service_types": list(services)},
        description_zh=f"挽回经济损失一般只出现在{'、'.join(services)}服务中 (amount_recovered outside legal aid/litigation)",
        success=not bool(bad.any()),
        unexpected_count=int(bad.sum()),
        offending_rows=rows,
        severity="warning",
    )


def check_dtypes(table: str, frame: pd.DataFrame) -> CheckResult:
    """Columns carry the contract's pandas dtypes (a date written as text would otherwise only show
    up as a GX exception in the year-window expectation). Missing/extra columns are left to
    expect_table_columns_to_match_set."""
    expected = clean_dtypes(LEDGERS_BY_TABLE[table])
    wrong = {
        name: f"{frame[name].dtype} ≠ {dtype}"
        for name, dtype in expected.items()
        if name in frame.columns and str(frame[name].dtype) != dtype
    }
    return CheckResult(
        table=table,
        expectation="lawreport.column_dtypes",
        kwargs={"dtypes": expected},
        description_zh="列的数据类型须符合清洗数据约定 (column dtypes match the clean data contract)",
        success=not wrong,
        unexpected_count=len(wrong),
        details={"wrong_dtypes": wrong} if wrong else {},
    )


def _cross_checks(table: str, frame: pd.DataFrame, year: int, previous_clean_dir: Path | None) -> list[CheckResult]:
    found: CheckResult | None = None
    if table == "penalty_cases":
        found = check_penalty_caseload(frame, year, previous_clean_dir)
    elif table == "law_exams":
        found = check_passed_implies_sat(frame)
    elif table == "legal_adviser_log":
        found = check_recovery_service_type(frame)
    return [found] if found is not None else []


# --------------------------------------------------------------------------------------------------
# Cache of per-table results
# --------------------------------------------------------------------------------------------------


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sha256_file(path: Path) -> str:
    return _sha256_bytes(path.read_bytes())


def _digest(data: object) -> str:
    return _sha256_bytes(json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"))


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def code_digest() -> str:
    """The validation-related package sources and the versions of what evaluates the checks.

    A change in any of them invalidates every cache entry. Not memoised: a notebook kernel may
    outlive an edit, and hashing a dozen small files takes milliseconds.
    """
    files = {}
    for pattern in VALIDATION_SOURCES:
        for path in sorted(PACKAGE_DIR.glob(pattern)):
            files[path.relative_to(PACKAGE_DIR).as_posix()] = _sha256_file(path)
    versions = {name: _version(name) for name in VERSIONED_DISTRIBUTIONS}
    versions["python"] = platform.python_version()
    return _digest({"files": files, "versions": versions})


def _previous_year_input(previous_clean_dir: Path | None) -> dict[str, str | None]:
    # check_penalty_caseload reads the previous year's penalty_cases and names its folder.
    if previous_clean_dir is None:
        return {"folder": None, "penalty_cases": None}
    previous = Path(previous_clean_dir) / "penalty_cases.parquet"
    return {
        "folder": Path(previous_clean_dir).name,
        "penalty_cases": _sha256_file(previous) if previous.is_file() else None,
    }


def table_inputs(
    table: str,
    clean_file: Path,
    suite_path: Path,
    year: int,
    parameters: dict[str, str],
    previous_clean_dir: Path | None,
    code: str,
) -> dict[str, JSONValue]:
    """Everything the results of one table depend on (its cache key is the digest of this)."""
    inputs: dict[str, JSONValue] = {
        "format": CACHE_FORMAT,
        "table": table,
        "code": code,
        "year": year,
        "suite_parameters": parameters,
        "clean_table": _sha256_file(clean_file),
        "suite": _sha256_file(suite_path) if suite_path.is_file() else None,
        # The unit's configuration: the table's dtypes and the checks' vocabularies come from it.
        "unit": active_unit().digest,
    }
    if table == "penalty_cases":
        inputs["previous_year"] = _previous_year_input(previous_clean_dir)
    return inputs


@dataclass
class _Entry:
    """A trusted cache entry: the table's results and, when GX ran, its GX suite and result."""

    table: str
    key: str
    result: TableResult
    folder: Path  # the validation folder it was read from
    text: str  # the entry file as read (written unchanged into the new cache)
    docs: _GXDocs | None
    gx_bytes: bytes | None  # the GX file as read


def _entry_path(folder: Path, table: str) -> Path:
    return folder / CACHE_DIR / f"{table}.json"


def _gx_path(folder: Path, table: str) -> Path:
    return folder / CACHE_DIR / f"{table}.gx.json"


def _gx_bytes(docs: _GXDocs | None) -> bytes | None:
    """The GX file of an entry: the suite and result texts as the stores hold them."""
    if docs is None:
        return None
    return json.dumps({"key": docs.key, "suite": docs.suite, "result": docs.result}).encode("utf-8")


def _read_entry(folder: Path, table: str, key: str) -> _Entry | None:
    """The entry of `table` in `folder` if it is intact and made from the same inputs, else None."""
    try:
        text = _entry_path(folder, table).read_text(encoding="utf-8")
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
            return None
        if data.get("table") != table or data.get("key") != key:
            return None
        if data.get("digest") != _digest({k: v for k, v in data.items() if k != "digest"}):
            return None
        result = TableResult.from_json(data["result"])
        if result.table != table or result.status != "validated":
            return None
        docs, gx_bytes = None, None
        if data["gx"] is not None:
            gx_bytes = _gx_path(folder, table).read_bytes()
            if _sha256_bytes(gx_bytes) != data["gx"]:
                return None
            gx = json.loads(gx_bytes)
            docs = _GXDocs([str(part) for part in gx["key"]], str(gx["suite"]), str(gx["result"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # missing, unreadable or not ours: recompute
    return _Entry(table, key, result, folder, text, docs, gx_bytes)


def _find_entry(folders: Sequence[Path], table: str, key: str) -> _Entry | None:
    for folder in folders:
        entry = _read_entry(folder, table, key)
        if entry is not None:
            return entry
    return None


def _entry_text(
    table: str,
    key: str,
    inputs: dict[str, JSONValue],
    result_json: dict[str, JSONValue],
    gx_bytes: bytes | None,
) -> str:
    body: dict[str, JSONValue] = {
        "format": CACHE_FORMAT,
        "table": table,
        "key": key,
        "inputs": inputs,
        "result": result_json,
        # The digest of the GX file (suite and result for Data Docs), None when GX did not run.
        "gx": None if gx_bytes is None else _sha256_bytes(gx_bytes),
    }
    return json.dumps({**body, "digest": _digest(body)}, ensure_ascii=False, sort_keys=True) + "\n"


def _write_entry(out_dir: Path, table: str, text: str, gx_bytes: bytes | None) -> None:
    """Atomic writes, the GX file first: an entry never names a GX file not yet written."""
    if gx_bytes is not None:
        _replace_bytes(_gx_path(out_dir, table), gx_bytes)
    replace_text(_entry_path(out_dir, table), text)


def _replace_bytes(target: Path, data: bytes) -> None:
    """Write `data` to `target` atomically: a temporary file beside it, then os.replace."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _docs_manifest(folder: Path) -> dict[str, str] | None:
    """Which table results (table -> key) the folder's Data Docs were built from."""
    try:
        data = json.loads((folder / CACHE_DIR / DOCS_MANIFEST).read_text(encoding="utf-8"))
        tables = data["tables"] if data.get("format") == CACHE_FORMAT else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return tables if isinstance(tables, dict) else None


def _link_or_copy(source: Path | str, target: Path | str) -> None:
    """Outputs are replaced as whole folders, never edited in place, so a hard link is a copy."""
    source, target = Path(source), Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _validation_page(key: Sequence[str]) -> str:
    """Where GX's site puts the page of a validation result (TupleFilesystemStoreBackend layout)."""
    return "/".join(["validations", *key]) + ".html"


def _suite_page(table: str) -> str:
    return f"expectations/{table}.html"


# --------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------


def year_parameters(year: int) -> dict[str, dt.datetime]:
    """Suite parameter values for the report year.

    datetime, not date nor "YYYY-MM-DD": GX 1.24 parses a date-only string into datetime.date,
    which pandas refuses to compare with datetime64[ms] values (the expectation then errors).
    """
    return {YEAR_START: dt.datetime(year, 1, 1), YEAR_END: dt.datetime(year, 12, 31, 23, 59, 59, 999000)}


@dataclass
class _Job:
    """A table to validate in this run."""

    table: str
    key: str
    inputs: dict[str, JSONValue]
    suite_dict: dict[str, Any]
    frame: pd.DataFrame


def _not_checked(table: str, status: Status, file_name: str, rows: int | None, check: CheckResult) -> TableResult:
    return TableResult(table, status, file_name, rows, [check])


def _set_aside(out_dir: Path) -> Path | None:
    """Move out_dir's previous cache and Data Docs, together, into out_dir/.previous (a source to
    reuse from; removed at the end of the run). Without a cache, out_dir/.previous is what a run
    that stopped half-way had set aside: it stays, and Data Docs of that run, if any, go."""
    aside = out_dir / ".previous"
    if (out_dir / CACHE_DIR).exists():
        shutil.rmtree(aside, ignore_errors=True)
        aside.mkdir()
        for name in (CACHE_DIR, DATA_DOCS_DIR):
            if (out_dir / name).exists():
                os.replace(out_dir / name, aside / name)
    else:
        shutil.rmtree(out_dir / DATA_DOCS_DIR, ignore_errors=True)
    return aside if aside.is_dir() else None


def validate_year(
    year: int,
    clean_dir: Path,
    expectations_dir: Path,
    out_dir: Path,
    tables: list[str] | None = None,
    previous_clean_dir: Path | None = None,
    reuse_from: Sequence[Path] | None = None,
) -> ValidationReport:
    """Validate every known `<table>.parquet` in clean_dir; report expected tables that are missing.

    `tables` is the list of ledger tables expected this year (a missing one is a failure); unknown
    names there are a caller bug and raise. Writes out_dir/results/<table>.json, out_dir/summary.json,
    Data Docs under out_dir/data_docs/, the cache under out_dir/cache/ and out_dir/stats.json.
    `reuse_from` lists the validation folders whose cache entries may be reused (default: out_dir
    itself; [] validates every table). Does not raise on failed checks: call
    `report.raise_for_failures()`.
    """
    clock = _Clock()
    clean_dir, expectations_dir, out_dir = Path(clean_dir), Path(expectations_dir), Path(out_dir)
    expected = list(tables or [])
    unknown = sorted(set(expected) - set(LEDGERS_BY_TABLE))
    if unknown:
        raise ValueError(f"未知的台账表 (unknown ledger tables): {unknown}")
    present = {p.stem for p in clean_dir.glob("*.parquet") if p.stem in LEDGERS_BY_TABLE}
    # ALL_LEDGERS order: the cleaning order, stable across runs.
    order = [ledger.table for ledger in ALL_LEDGERS if ledger.table in present or ledger.table in set(expected)]

    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out_dir / RESULTS_DIR, ignore_errors=True)
    # out_dir's own cache and Data Docs are moved aside first: they are replaced, and may be reused.
    aside = _set_aside(out_dir)
    sources = []
    for folder in (Path(f) for f in (reuse_from if reuse_from is not None else [out_dir])):
        if folder.resolve() != out_dir.resolve():
            sources.append(folder)
        elif aside is not None:
            sources.append(aside)
    parameters = year_parameters(year)
    parameters_json = {k: v.isoformat() for k, v in parameters.items()}
    notes: list[str] = []
    if previous_clean_dir is None and "penalty_cases" in present:
        notes.append("未提供上一年度清洗数据 (previous_clean_dir)：跨年结转数按 0 计 (carry-over assumed 0)")

    results: dict[str, TableResult] = {}
    reused: dict[str, _Entry] = {}
    jobs: list[_Job] = []
    with clock.phase("inputs"):
        code = code_digest()
        for table in order:
            file_name = f"{table}.parquet"
            if table not in present:
                results[table] = _not_checked(
                    table,
                    "missing_table",
                    file_name,
                    None,
                    CheckResult(
                        table,
                        "lawreport.table_present",
                        {"file": file_name},
                        f"本年度应有的台账表缺失 (missing table)：{clean_dir.name}/{file_name}",
                        False,
                    ),
                )
                continue
            suite_path = expectations_dir / f"{table}.json"
            inputs = table_inputs(
                table, clean_dir / file_name, suite_path, year, parameters_json, previous_clean_dir, code
            )
            key = _digest(inputs)
            entry = _find_entry(sources, table, key) if suite_path.is_file() else None
            if entry is not None:
                reused[table] = entry
                results[table] = entry.result
                continue
            frame = pd.read_parquet(clean_dir / file_name).reset_index(drop=True)
            if not suite_path.is_file():
                results[table] = _not_checked(
                    table,
                    "missing_suite",
                    file_name,
                    len(frame),
                    CheckResult(
                        table,
                        "lawreport.suite_present",
                        {"suite": suite_path.name},
                        f"缺少期望套件 (missing expectation suite)：{suite_path.name}",
                        False,
                    ),
                )
                continue
            suite_dict = json.loads(suite_path.read_text(encoding="utf-8"))
            if not suite_dict.get("expectations"):
                # An empty suite "passes" in GX; here it means nothing was checked, which is a failure.
                results[table] = _not_checked(
                    table,
                    "empty_suite",
                    file_name,
                    len(frame),
                    CheckResult(
                        table,
                        "lawreport.suite_not_empty",
                        {"suite": suite_path.name},
                        f"期望套件没有任何期望，未做任何校验 (suite has zero expectations)：{suite_path.name}",
                        False,
                    ),
                )
                continue
            jobs.append(_Job(table, key, inputs, suite_dict, frame))

    stats = ValidationStats(validated=[job.table for job in jobs], reused=list(reused))
    stats.expectations_reused = sum(1 for e in reused.values() for c in e.result.checks if c.is_gx)
    session = _GXSession(out_dir, clock, [job.table for job in jobs]) if jobs else None
    # table -> its GX result and suite as Data Docs and the cache keep them (None: GX did not run).
    docs: dict[str, _GXDocs | None] = {table: entry.docs for table, entry in reused.items()}
    fresh: dict[str, tuple[Any, str]] = {}  # table -> (suite result, serialized suite), stored below
    for job in jobs:
        assert session is not None
        suite, failure = session.load_suite(job.table, job.suite_dict)
        docs[job.table] = None
        if failure is not None:
            checks = [failure]
        else:
            validated = session.validate(job.table, suite, job.suite_dict, job.frame, parameters)
            checks = validated.checks
            fresh[job.table] = (validated.suite_result, session.suite_texts[job.table])
            stats.expectations_evaluated += validated.evaluated
            stats.gx_reruns += validated.reruns
        with clock.phase("cross_checks"):
            checks.append(check_dtypes(job.table, job.frame))
            checks.extend(_cross_checks(job.table, job.frame, year, previous_clean_dir))
        results[job.table] = TableResult(job.table, "validated", f"{job.table}.parquet", len(job.frame), checks)

    # Data Docs: one site over every validated table, built once.
    validated_keys = {job.table: job.key for job in jobs} | {t: e.key for t, e in reused.items()}
    own_docs = out_dir / DATA_DOCS_DIR
    docs_source = None if jobs else _whole_docs_source(reused, validated_keys)
    if validated_keys and docs_source is None and session is None:
        session = _GXSession(out_dir, clock, [])  # only to rebuild the index over reused pages
    with clock.phase("data_docs"):
        shutil.rmtree(own_docs, ignore_errors=True)
        if docs_source is not None:
            shutil.copytree(docs_source, own_docs, copy_function=_link_or_copy)
        elif session is not None:
            for table, (suite_result, suite_text) in fresh.items():
                docs[table] = session.store_result(table, suite_result, suite_text)
            for entry in reused.values():
                _reuse_docs(session, entry, own_docs)
            session.build_docs()
    index = (own_docs / "index.html").resolve()
    report = ValidationReport(
        year,
        [results[table] for table in order],
        parameters_json,
        notes,
        index if validated_keys and index.is_file() else None,
        stats,
    )

    with clock.phase("results"):
        for result in report.tables:
            _write_json(out_dir / RESULTS_DIR / f"{result.table}.json", result.to_json(year, parameters_json))
        _write_json(out_dir / "summary.json", report.to_json())
        for table, entry in reused.items():
            _write_entry(out_dir, table, entry.text, entry.gx_bytes)
        for job in jobs:
            result_json = results[job.table].to_json(year, parameters_json)
            gx_bytes = _gx_bytes(docs[job.table])
            text = _entry_text(job.table, job.key, job.inputs, result_json, gx_bytes)
            _write_entry(out_dir, job.table, text, gx_bytes)
        if report.data_docs_index is not None:
            _write_json(out_dir / CACHE_DIR / DOCS_MANIFEST, {"format": CACHE_FORMAT, "tables": validated_keys})
        if aside is not None:
            shutil.rmtree(aside, ignore_errors=True)
    stats.seconds, stats.cpu_seconds = clock.totals()
    write_stats(out_dir, report)
    return report


def _whole_docs_source(reused: dict[str, _Entry], keys: dict[str, str]) -> Path | None:
    """The Data Docs folder to copy as it is: when every validated table is reused from one folder
    whose Data Docs show exactly these results (same tables, same keys)."""
    folders = {entry.folder for entry in reused.values()}
    if len(folders) != 1 or set(reused) != set(keys):
        return None
    (folder,) = folders
    docs = folder / DATA_DOCS_DIR
    if _docs_manifest(folder) != keys or not (docs / "index.html").is_file():
        return None
    return docs


def _reuse_docs(session: _GXSession, entry: _Entry, own_docs: Path) -> None:
    """A reused table in the Data Docs: its suite and GX result in the stores (for the index), its
    pages copied from the folder the entry came from, or rendered again when they are missing."""
    if entry.docs is None:
        return  # the suite could not be loaded: GX never ran on this table
    identifiers = session.reuse(entry.table, entry.docs)
    source = entry.folder / DATA_DOCS_DIR
    for page, identifier in zip((_suite_page(entry.table), _validation_page(entry.docs.key)), identifiers, strict=True):
        if (source / page).is_file():
            _link_or_copy(source / page, own_docs / page)
        else:
            session.to_render.append(identifier)


def write_stats(folder: Path, report: ValidationReport) -> Path:
    path = Path(folder) / STATS_FILE
    _write_json(path, report.stats_json())
    return path


__all__ = [
    "CheckResult",
    "OffendingRow",
    "TableResult",
    "ValidationFailed",
    "ValidationReport",
    "ValidationStats",
    "check_dtypes",
    "check_passed_implies_sat",
    "check_penalty_caseload",
    "check_recovery_service_type",
    "code_digest",
    "run_validation",
    "table_inputs",
    "validate_year",
    "year_parameters",
]


def write_results_page(folder: Path, params: Any) -> Path | None:
    """The offline page in Chinese (folder/index.html) built from the results just written; see
    lawreport.appendix.validation_page. Failing values that hold a raw personal value are hidden."""
    from ..appendix.scan import personal_values
    from ..appendix.validation_page import write_page

    return write_page(folder, lambda: personal_values(params.path(params.raw_root), params.year))


def run_validation(params: Any, reuse: bool = True) -> ValidationReport:
    """Validate the report year into a staging folder, with its offline page (index.html); swap it
    in as build/<year>/validation only when every check passes. A failing run is kept as
    build/<year>/validation-failed for inspection and the last good validation stays in place.

    Tables whose inputs did not change since the last good or the last failed run are reused from
    their caches (`reuse=False` validates every table again)."""
    from ..ledgers.manifest import read_manifest
    from ..storage import staged_dir

    started = time.perf_counter(), time.process_time()
    tables = [ledger.table for ledger in read_manifest(params.raw_dir).ledgers]
    previous = params.previous_clean_dir if params.previous_clean_dir.is_dir() else None
    final = params.build_dir / "validation"
    failed = params.build_dir / "validation-failed"
    with staged_dir(final) as staging:
        report = validate_year(
            params.year,
            params.clean_dir,
            params.path(params.expectations_dir),
            staging,
            tables=tables,
            previous_clean_dir=previous,
            reuse_from=[failed, final] if reuse else [],  # the newer first
        )
        page_started = time.perf_counter(), time.process_time()
        write_results_page(staging, params)
        report.stats.seconds["pages"] = time.perf_counter() - page_started[0]
        report.stats.cpu_seconds["pages"] = time.process_time() - page_started[1]
        report.stats.seconds["total"] = time.perf_counter() - started[0]
        report.stats.cpu_seconds["total"] = time.process_time() - started[1]
        write_stats(staging, report)
        if not report.success:
            shutil.rmtree(failed, ignore_errors=True)
            shutil.copytree(staging, failed)
            report.raise_for_failures()
    shutil.rmtree(failed, ignore_errors=True)
    report.data_docs_index = final / DATA_DOCS_DIR / "index.html" if report.data_docs_index else None
    return report
