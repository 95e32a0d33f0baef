"""Everything the appendix reads, loaded once per edition from a finished run's outputs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..metrics import CleanData
from ..params import RunParams
from ..register.claims import Register, load_register
from ..register.explain import RawCells
from ..run.clean_step import QUARANTINE_COLUMNS, years_to_clean
from .editions import EDITION_ZH, EDITIONS, check_edition  # noqa: F401 - one place: editions.py


class AppendixInputError(ValueError):
    """An input the appendix needs is missing: the earlier steps did not run."""


def _json(path: Path, step: str) -> Any:
    if not path.exists():
        raise AppendixInputError(f"缺少 {path.name}，请先运行「{step}」步骤 (missing input, run step {step} first)")
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass
class AppendixData:
    params: RunParams
    edition: str
    figures: dict[str, Any]  # build/<year>/figures.json
    register: Register | None  # None: no claims/<year>.yaml, nothing to verify that year
    report_text: str
    clean_report: dict[str, Any]
    provenance: dict[str, Any]
    validation: dict[str, Any] | None
    quarantine: pd.DataFrame  # every cleaned year's quarantined rows, with a `year` column
    clean_reports: dict[int, dict[str, Any]]  # year -> clean_report.json of every year the run cleaned
    lineage: dict[str, dict[str, Any]]
    data: CleanData
    raw_cells: RawCells | None = None  # internal edition only: the raw cell beside each cleaned one shown

    @property
    def internal(self) -> bool:
        return self.edition == "internal"

    @property
    def year(self) -> int:
        return self.params.year

    @property
    def unit(self) -> str:
        return str(self.figures.get("unit") or self.clean_report.get("unit") or self.params.unit)

    @property
    def synthetic(self) -> bool:
        return bool(self.clean_report.get("synthetic"))

    @property
    def results(self) -> list[dict[str, Any]]:
        return list(self.figures["figures"])


def load_appendix(params: RunParams, edition: str) -> AppendixData:
    check_edition(edition)
    build = params.build_dir
    figures = _json(build / "figures.json", "figures")
    register = (
        load_register(params.register_path, report_path=params.report_path) if params.register_path.exists() else None
    )
    summary_path = build / "validation" / "summary.json"
    validation = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.exists() else None
    years = years_to_clean(params)
    # Every year the run cleaned, not only the report year: multi-year figures rest on them too.
    frames = []
    clean_reports = {}
    for year in years:
        folder = params.path(params.clean_root) / str(year)
        if (folder / "quarantine.parquet").exists():
            frame = pd.read_parquet(folder / "quarantine.parquet")
            frames.append(frame.assign(year=year))
        if (folder / "clean_report.json").exists():
            clean_reports[year] = json.loads((folder / "clean_report.json").read_text(encoding="utf-8"))
    columns = ["year", *QUARANTINE_COLUMNS]
    non_empty = [f for f in frames if len(f)]
    quarantine = pd.concat(non_empty, ignore_index=True)[columns] if non_empty else pd.DataFrame(columns=columns)
    lineage = {}
    for figure in figures["figures"]:
        path = build / "lineage" / f"{figure['id']}.json"
        lineage[figure["id"]] = (
            json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"counted": [], "excluded": []}
        )
    return AppendixData(
        params=params,
        edition=edition,
        figures=figures,
        register=register,
        report_text=params.report_path.read_text(encoding="utf-8") if params.report_path.exists() else "",
        clean_report=_json(params.clean_dir / "clean_report.json", "clean"),
        provenance=_json(params.clean_dir / "provenance.json", "clean"),
        validation=validation,
        quarantine=quarantine,
        clean_reports=clean_reports,
        lineage=lineage,
        data=CleanData(params.path(params.clean_root), params.year, years_to_clean(params)),
        raw_cells=RawCells(params.path(params.raw_root), params.path(params.clean_root))
        if edition == "internal"
        else None,
    )
