"""Step 3, figures: every figure of the register computed from clean data and verified.

Reads claims/<year>.yaml, the year's report.txt and data/clean/<year>/ (and earlier years);
writes build/<year>/figures.json and build/<year>/lineage/<id>.json (the row ids behind each
figure), both replaced atomically. Deterministic: no time stamps, stable order.

When last year's register (claims/<year-1>.yaml) lists 下一步 commitments, they are checked on this
year's clean tables (lawreport.register.commitments) and written to figures.json as
`previous_commitments`; a year without such a register writes nothing more.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..metrics import CleanData
from ..params import RunParams
from ..register.claims import STATUSES, FigureResult, Register, load_register, verify_register
from ..register.commitments import CommitmentResult, check_commitments, commitment_counts
from ..storage import staged_dir, write_json
from .clean_step import years_to_clean
from .figures_kept import KeptFigures


@dataclass
class FiguresReport:
    register: Register | None  # None: no claims/<year>.yaml (no published report to check yet)
    results: list[FigureResult]
    unit: str
    synthetic: bool
    year: int
    report_checks: dict[str, Any] | None = None  # the report's own arithmetic (lawreport check), no ledgers
    # Last year's 下一步 commitments checked on this year's ledgers; None: no such register or commitments.
    previous_commitments: list[CommitmentResult] | None = None

    def counts(self) -> dict[str, int]:
        counter = Counter(r.status for r in self.results)
        return {status: counter.get(status, 0) for status in STATUSES}

    def commitment_counts(self) -> dict[str, int]:
        return commitment_counts(self.previous_commitments or [])

    def to_json(self) -> dict[str, Any]:
        data = {
            "report_checks": self.report_checks,
            "unit": self.unit,
            "year": self.year,
            "synthetic": self.synthetic,
            "register": f"claims/{self.year}.yaml" if self.register else None,
            "note": "" if self.register else f"{self.year} 年没有数字登记册 claims/{self.year}.yaml，未核对报告数字",
            "summary": self.counts(),
            "figures": [r.to_json() for r in self.results],
            # As written, without the next_year spec (checked next year, shown there): the bytes of
            # a year's figures.json do not change when its register gains next_year specs.
            "commitments": [_without_spec(c) for c in self.register.commitments] if self.register else [],
        }
        if self.previous_commitments is not None:
            data["previous_commitments"] = [r.to_json() for r in self.previous_commitments]
        return data


def _without_spec(commitment: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in commitment.items() if k != "next_year"}


def compute_figures(params: RunParams) -> FiguresReport:
    clean_report = json.loads((params.clean_dir / "clean_report.json").read_text(encoding="utf-8"))
    unit, synthetic = str(clean_report["unit"]), bool(clean_report["synthetic"])
    checks = report_checks(params.report_path)
    data = CleanData(params.path(params.clean_root), params.year, years_to_clean(params))
    previous = check_commitments(params.path(params.claims_dir) / f"{params.year - 1}.yaml", data)
    if not params.register_path.exists():
        # A year whose report is not registered (e.g. the sample 2024): the ledgers are still
        # cleaned, validated and shown; there is simply nothing to verify against them.
        return FiguresReport(None, [], unit, synthetic, params.year, checks, previous)
    # Checked in full (schema, metrics, quotes, every number of the text accounted for) on loading.
    register = load_register(params.register_path, report_path=params.report_path, year=params.year)
    results = verify_register(register, data, KeptFigures(params, data))
    return FiguresReport(register, results, unit, synthetic, params.year, checks, previous)


def report_checks(report_path: Path) -> dict[str, Any] | None:
    """The checks `lawreport check` makes on any report, made on this year's report text."""
    if not report_path.is_file():
        return None
    from ..text.check import check_text

    document = check_text(report_path.read_text(encoding="utf-8"), report_path.name)
    return {
        "roles": document.roles(),
        "verdicts": document.verdicts(),
        "relations": [
            {
                **relation.to_json(),
                "texts": [document.mentions[i].text for i in relation.mentions],
                "spans": [[document.mentions[i].start, document.mentions[i].end] for i in relation.mentions],
                "sentence": document.sentence_of(relation),
            }
            for relation in document.relations
        ],
    }


def write_figures(params: RunParams, report: FiguresReport) -> Path:
    build = params.build_dir
    build.mkdir(parents=True, exist_ok=True)
    with staged_dir(build / "lineage") as staging:
        for result in report.results:
            write_json(staging / f"{result.entry.id}.json", result.lineage())
    target = build / "figures.json"
    temporary = build / ".figures.json.tmp"
    write_json(temporary, report.to_json())
    os.replace(temporary, target)
    return target


def run_figures(params: RunParams) -> FiguresReport:
    report = compute_figures(params)
    write_figures(params, report)
    return report
