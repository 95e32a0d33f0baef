"""Step 1, clean: every ledger of a year from data/raw/<year>/ to data/clean/<year>/.

Finds every problem in one pass. File-level problems stop the run before anything is written;
row-level problems go to `quarantine.parquet`. Outputs: one parquet per ledger, quarantine,
`clean_report.json` (row accounting per ledger) and `provenance.json` (inputs and versions).
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from . import __version__
from .cleaning import LedgerCleaner, LedgerResult
from .errors import LedgerFileError, Problem
from .manifest import MANIFEST_NAME, Manifest, read_manifest, sha256_file
from .params import RunParams
from .pseudonym import Pseudonymiser, resolve_key
from .storage import staged_dir, write_json, write_parquet

QUARANTINE_COLUMNS = ("table", "file", "sheet", "row", "column", "value", "code", "reason", "detail")
CHANGED_VALUE_NOTICES = frozenset({"N206", "N207"})


@dataclass
class CleanSummary:
    manifest: Manifest
    results: list[LedgerResult] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)

    @property
    def quarantine(self) -> list[Problem]:
        return [p for r in self.results for p in r.quarantine]

    def accounting(self) -> pd.DataFrame:
        rows = []
        for r in self.results:
            rows.append(
                {
                    "table": r.ledger.table,
                    "title": r.ledger.title,
                    "file": r.file,
                    "sheet": r.sheet,
                    "rows_read": r.rows_read,
                    "rows_kept": r.rows_kept,
                    "rows_quarantined": r.rows_quarantined,
                    "rows_dropped": sum(r.dropped.values()),
                    "dropped_reasons": "；".join(f"{code}×{n}" for code, n in sorted(r.dropped.items())),
                }
            )
        return pd.DataFrame(rows)

    def quarantine_frame(self) -> pd.DataFrame:
        return quarantine_frame(self.quarantine)

    def reported_notices(self) -> list[Problem]:
        """Notices kept in clean_report.json: the run's own, and per ledger the values that were
        changed without dropping the row (N206 invisible characters, N207 personal data masked)."""
        changed = [p for r in self.results for p in r.notices if p.code in CHANGED_VALUE_NOTICES]
        return [*self.notices, *changed]


def quarantine_frame(problems: list[Problem]) -> pd.DataFrame:
    rows = [
        {
            "table": p.table,
            "file": p.file,
            "sheet": p.sheet,
            "row": p.row,
            "column": p.column,
            "value": p.value,
            "code": p.code,
            "reason": p.label,
            "detail": p.detail,
        }
        for p in problems
    ]
    frame = pd.DataFrame(rows, columns=list(QUARANTINE_COLUMNS))
    frame["row"] = frame["row"].astype("Int64")
    for name in QUARANTINE_COLUMNS:
        if name != "row":
            frame[name] = frame[name].astype("string")
    return frame


def run_key(params: RunParams, manifest: Manifest) -> bytes:
    """The pseudonymisation key of a run (key file, env, or the demo key for synthetic ledgers only),
    without side effects; LedgerFileError F016/F019/F020. Callable before any kernel starts."""
    return resolve_key(params.path(params.key_file) if params.key_file else None, manifest.synthetic)


def clean_year(params: RunParams) -> CleanSummary:
    """Clean every ledger the manifest lists; raise LedgerFileError with all file-level problems."""
    raw_dir = params.raw_dir
    manifest = read_manifest(raw_dir)
    problems: list[Problem] = []
    if manifest.year != params.year:
        problems.append(
            Problem(
                "F017",
                "file",
                MANIFEST_NAME,
                column="year",
                value=str(manifest.year),
                detail=f"运行参数 year={params.year}",
            )
        )
    if params.unit and params.unit != manifest.unit:
        problems.append(
            Problem(
                "F017", "file", MANIFEST_NAME, column="unit", value=manifest.unit, detail=f"运行参数 unit={params.unit}"
            )
        )
    key = b""
    try:
        key = run_key(params, manifest)
    except LedgerFileError as error:
        problems.extend(error.problems)
    if problems:
        raise LedgerFileError(problems)
    cleaner = LedgerCleaner(params.year, Pseudonymiser(key))
    summary = CleanSummary(manifest)
    for name, expected in sorted(manifest.files.items()):
        path = raw_dir / name
        if path.exists() and sha256_file(path) != expected:
            summary.notices.append(Problem("N205", "notice", name, detail="文件内容已变化，清单中的哈希值未更新"))
    for ledger in manifest.ledgers:
        path = raw_dir / ledger.file_name(params.year)
        if not path.exists():
            problems.append(
                Problem(
                    "F001",
                    "file",
                    path.name,
                    sheet=ledger.sheet or "",
                    table=ledger.table,
                    detail=f"清单列有「{ledger.title}」，但目录中没有该文件",
                )
            )
            continue
        try:
            summary.results.append(cleaner.clean(ledger, path))
        except LedgerFileError as error:
            problems.extend(error.problems)
    # One problem per file/sheet/code is enough when several ledgers share a broken workbook.
    unique = list(dict.fromkeys(problems))
    if unique:
        raise LedgerFileError(unique)
    return summary


def input_files(params: RunParams, manifest: Manifest) -> dict[str, str]:
    names = sorted({ledger.file_name(params.year) for ledger in manifest.ledgers} | {MANIFEST_NAME})
    return {name: sha256_file(params.raw_dir / name) for name in names}


def package_versions(
    names: tuple[str, ...] = ("pandas", "pyarrow", "python-calamine", "great-expectations", "papermill"),
) -> dict[str, str]:
    versions = {"lawreport": __version__}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def write_clean(params: RunParams, summary: CleanSummary) -> Path:
    """Write all clean outputs atomically: the previous clean folder stays until the new one is whole."""
    final = params.clean_dir
    with staged_dir(final) as staging:
        for result in summary.results:
            write_parquet(staging / f"{result.ledger.table}.parquet", result.table)
        write_parquet(staging / "quarantine.parquet", summary.quarantine_frame())
        write_json(
            staging / "clean_report.json",
            {
                "unit": summary.manifest.unit,
                "year": params.year,
                "synthetic": summary.manifest.synthetic,
                "ledgers": {r.ledger.table: r.report() for r in summary.results},
                "notices": [p.to_dict() for p in summary.reported_notices()],
            },
        )
        write_json(
            staging / "provenance.json",
            {
                "step": "clean",
                "parameters": {"year": params.year, "unit": summary.manifest.unit},
                "inputs": input_files(params, summary.manifest),
                "versions": package_versions(),
            },
        )
    return final


def run_clean(params: RunParams) -> CleanSummary:
    summary = clean_year(params)
    write_clean(params, summary)
    return summary


def years_to_clean(params: RunParams) -> list[int]:
    """The report year and every earlier year under raw_root with a manifest: multi-year figures
    (同比, 连续N年, 持续提升, 近两年) read those years' clean data."""
    root = params.path(params.raw_root)
    years = [int(p.name) for p in root.iterdir() if p.name.isdigit() and (p / MANIFEST_NAME).exists()]
    return sorted(y for y in years if y <= params.year)


def run_clean_years(params: RunParams) -> dict[int, CleanSummary]:
    """Clean the report year and the earlier years it compares with, each written atomically."""
    return {year: run_clean(replace(params, year=year)) for year in years_to_clean(params)}
