"""What both editions share is made once per run: the charts section is drawn by the first edition
to need it and read by the other, under a lock, and drawn again when anything it is drawn from
changes (a clean table, the package's source, matplotlib's settings)."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import matplotlib
import pandas as pd
import pytest
from support import copy_year

from lawreport.appendix import charts, sections
from lawreport.clean_step import run_clean
from lawreport.metrics import CleanData
from lawreport.pipeline import PIPELINE_ENV


@pytest.fixture(autouse=True)
def in_a_pipeline_kernel(monkeypatch):
    """The charts are kept only in the pipeline's kernels (`kept.kept_here`): these tests play one."""
    monkeypatch.setenv(PIPELINE_ENV, "appendix")


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory):
    params = copy_year(tmp_path_factory.mktemp("shared"), 2025, tables=["petitions", "penalty_cases"])
    run_clean(params)
    return params


def app_of(params):
    data = CleanData(params.path(params.clean_root), 2025, [2025])
    return SimpleNamespace(data=data, year=2025, params=params)


def test_charts_are_drawn_once_and_again_when_their_inputs_change(cleaned, monkeypatch):
    params = cleaned
    drawn = sections._charts_section(app_of(params))
    assert "data:image/png;base64," in drawn
    calls = []
    original = sections._charts_section

    def counting(app):
        calls.append(app)
        return original(app)

    monkeypatch.setattr(sections, "_charts_section", counting)
    editions = [app_of(params), app_of(params)]
    results: list[str] = []
    threads = [threading.Thread(target=lambda a=a: results.append(sections.charts_section(a))) for a in editions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [drawn, drawn] and len(calls) <= 1
    assert sections.charts_section(app_of(params)) == drawn and len(calls) <= 1, "read, not drawn again"
    folder = params.path(params.build_root) / ".cache" / "2025" / "appendix"
    assert len(list(folder.glob("charts-*.html"))) == 1

    path = params.clean_dir / "petitions.parquet"
    frame = pd.read_parquet(path)
    frame.loc[frame.index[0], "category"] = "其他"
    frame.to_parquet(path)
    changed = sections.charts_section(app_of(params))
    assert changed != drawn and changed == original(app_of(params))
    assert len(calls) == 2 and len(list(folder.glob("charts-*.html"))) == 1, "only the latest is kept"

    key = charts.inputs_key(app_of(params).data)
    with matplotlib.rc_context({"axes.linewidth": 3}):
        assert charts.inputs_key(app_of(params).data) != key


def test_without_a_build_root_the_charts_are_drawn_in_place(tmp_path):
    app = SimpleNamespace(data=CleanData(tmp_path / "clean", 2025, [2025]), year=2025)
    assert sections.charts_section(app) == sections._charts_section(app)
    assert not list(tmp_path.rglob("charts-*.html"))
