"""Figures kept from the run before (`lawreport.run.figures_kept`): a kept figure must be the figure
computed afresh, it must be computed again when anything it read changed (and only then), and a
figure must read clean data only through the reads `CleanData.recording` notes."""

from __future__ import annotations

import json
import shutil
import sys

import pandas as pd
import pytest
from support import copy_year

from lawreport.metrics import CleanData
from lawreport.params import PROJECT_ROOT, check_params
from lawreport.register.claims import consistency_problems, load_register, verify_entry
from lawreport.run import figures_kept
from lawreport.run.clean_step import run_clean_years, years_to_clean
from lawreport.run.figures_step import compute_figures
from lawreport.run.pipeline import PIPELINE_ENV

TABLES = ["petitions", "penalty_cases", "mediation_cases", "county_comparison"]


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory):
    """2025 with four ledgers, cleaned; the register is a copy, so that a test may change it."""
    root = tmp_path_factory.mktemp("figures-kept")
    params = copy_year(root, 2025, tables=TABLES)
    shutil.copytree(PROJECT_ROOT / "claims", root / "claims")
    params = check_params({**params.as_dict(), "claims_dir": str(root / "claims")})
    run_clean_years(params)
    return params


def _texts(report) -> list[str]:
    """Everything the step writes of each figure: its figures.json entry and its lineage."""
    return [
        json.dumps([r.to_json(), r.lineage()], sort_keys=True, ensure_ascii=False, default=str) for r in report.results
    ]


def _computed(params, monkeypatch, kept: bool = True):
    """compute_figures as the pipeline's kernel runs it (`kept`) or by hand; the ids it computed."""
    made: list[list[str]] = []
    real = figures_kept.KeptFigures.__init__

    def remember(self, *args, **kwargs):
        real(self, *args, **kwargs)
        made.append(self.made)

    with monkeypatch.context() as patched:
        if kept:
            patched.setenv(PIPELINE_ENV, "figures")
        else:
            patched.delenv(PIPELINE_ENV, raising=False)
        patched.setattr(figures_kept.KeptFigures, "__init__", remember)
        report = compute_figures(params)
    return report, made[0]


def _change_one_fine(params) -> None:
    path = params.clean_dir / "penalty_cases.parquet"
    frame = pd.read_parquet(path)
    at = frame["fine_amount"].first_valid_index()
    frame.loc[at, "fine_amount"] = frame.loc[at, "fine_amount"] + 1
    frame.to_parquet(path)


def test_kept_figures_are_the_figures_computed_afresh_and_a_changed_table_recomputes_its_readers(cleaned, monkeypatch):
    shutil.rmtree(figures_kept.folder_of(cleaned), ignore_errors=True)
    first, made = _computed(cleaned, monkeypatch)
    ids = [r.entry.id for r in first.results]
    assert made == ids and len(ids) > 20
    again, made = _computed(cleaned, monkeypatch)
    assert made == [] and _texts(again) == _texts(first) == _texts(_computed(cleaned, monkeypatch, kept=False)[0])

    penalty = {r.entry.id for r in first.results if "penalty_cases/2025" in r.sources()["tables"]}
    petitions = {r.entry.id for r in first.results if "petitions/2025" in r.sources()["tables"]}
    assert penalty and petitions and not penalty & petitions
    _change_one_fine(cleaned)
    changed, made = _computed(cleaned, monkeypatch)
    assert penalty <= set(made) and not petitions & set(made), made
    assert _texts(changed) == _texts(_computed(cleaned, monkeypatch, kept=False)[0])
    assert _texts(changed) != _texts(first), "the change shows"


def test_a_figure_is_computed_again_when_its_entry_the_code_or_the_years_change(cleaned, monkeypatch):
    _computed(cleaned, monkeypatch)
    register = cleaned.register_path
    text = register.read_text(encoding="utf-8")
    report, _ = _computed(cleaned, monkeypatch)
    entry = next(r.entry for r in report.results if r.entry.definition and r.entry.definition in text)
    try:
        register.write_text(text.replace(entry.definition, entry.definition + "（改）", 1), encoding="utf-8")
        changed, made = _computed(cleaned, monkeypatch)
        assert made == [entry.id]
        assert next(r for r in changed.results if r.entry.id == entry.id).to_json()["definition"].endswith("（改）")
    finally:
        register.write_text(text, encoding="utf-8")
    _computed(cleaned, monkeypatch)
    monkeypatch.setattr(figures_kept, "LOADED_SOURCE", "other package code")
    assert len(_computed(cleaned, monkeypatch)[1]) == len(report.results)
    monkeypatch.setattr(figures_kept, "_libraries", lambda: ["another pandas"])
    assert len(_computed(cleaned, monkeypatch)[1]) == len(report.results)


def test_a_damaged_kept_figure_is_computed_again_and_a_gone_one_is_removed(cleaned, monkeypatch):
    report, _ = _computed(cleaned, monkeypatch)
    folder = figures_kept.folder_of(cleaned)
    first = report.results[0].entry.id
    (folder / f"{first}.pickle").write_bytes(b"not a pickle")
    (folder / "gone_figure.pickle").write_bytes(b"")
    again, made = _computed(cleaned, monkeypatch)
    assert made == [first] and _texts(again) == _texts(report)
    assert not (folder / "gone_figure.pickle").exists()


def test_no_figure_reads_clean_data_other_than_through_its_noted_reads(suite_run, monkeypatch):
    """Every figure of the sample register on every sample year's clean data: each clean file it
    opens, parquet it reads and clean folder it lists is one of the reads it noted (`recording`),
    so that a kept figure is computed again whenever anything it read changed."""
    params = suite_run
    clean_root = params.path(params.clean_root)
    register = load_register(params.register_path, report_path=params.report_path, year=params.year)
    problems = consistency_problems(register)
    seen: list[tuple[str, str]] = []
    watching = [False]

    def audit(event: str, args: tuple) -> None:
        if watching[0] and event in ("open", "os.listdir", "os.scandir") and args and args[0] is not None:
            seen.append((event, str(args[0])))

    sys.addaudithook(audit)  # (stays for the process; records only while watching)
    real_read = pd.read_parquet
    monkeypatch.setattr(
        pd, "read_parquet", lambda path, *a, **k: seen.append(("parquet", str(path))) or real_read(path, *a, **k)
    )
    checked = 0
    for entry in register.figures:
        data = CleanData(clean_root, params.year, years_to_clean(params))
        seen.clear()
        watching[0] = True
        try:
            with data.recording() as reads:
                verify_entry(entry, data, problems.get(entry.id, []))
        finally:
            watching[0] = False
        allowed = set()
        for kind, *args in reads:
            if kind == "years_with":
                allowed.add(str(clean_root))  # years_with lists the clean folder
            elif kind == "table":
                allowed.add(str(clean_root / str(args[1]) / f"{args[0]}.parquet"))
            elif kind == "quarantine":
                allowed.add(str(clean_root / str(args[0]) / "quarantine.parquet"))
            elif kind == "unit":
                allowed.add(str(clean_root / str(args[0]) / "clean_report.json"))
        for event, path in seen:
            if path.startswith(str(clean_root)):
                assert path in allowed, (entry.id, event, path, reads)
                checked += 1
    assert checked > len(register.figures), "the figures read clean data, and the watch saw it"
