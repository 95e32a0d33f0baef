"""What both editions share is made once per run: each chart is drawn by the first edition to need
it and read by the other, under a lock, and drawn again only when what it shows changes (its counts,
its texts) or how it is drawn (the package's source, matplotlib's settings)."""

from __future__ import annotations

import dataclasses
import threading
from types import SimpleNamespace

import matplotlib
import pandas as pd
import pytest
from support import copy_year

from lawreport.appendix import charts, sections
from lawreport.ledgers import active_unit
from lawreport.metrics import CleanData
from lawreport.run.clean_step import run_clean
from lawreport.run.pipeline import PIPELINE_ENV


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


def test_each_chart_is_drawn_once_and_again_only_when_what_it_shows_changes(cleaned, monkeypatch):
    params = cleaned
    folder = params.path(params.build_root) / ".cache" / "2025" / "appendix"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "charts-0123abcd.html").write_text("the whole section, as kept by an earlier version")
    calls = []
    original = charts.render

    def counting(plan):
        calls.append(plan.title)
        return original(plan)

    monkeypatch.setattr(charts, "render", counting)
    editions = [app_of(params), app_of(params)]
    results: list[str] = []
    threads = [threading.Thread(target=lambda a=a: results.append(sections.charts_section(a))) for a in editions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    drawn = results[0]
    assert "data:image/png;base64," in drawn and results == [drawn, drawn]
    shown = sorted(calls)
    assert len(shown) == 2 and len(set(shown)) == 2, "the petitions and penalty charts, each drawn once"
    assert sections.charts_section(app_of(params)) == drawn and len(calls) == 2, "read, not drawn again"
    assert sorted(p.name.rsplit("-", 1)[0] for p in folder.glob("chart*.html")) == ["chart-3", "chart-4"]

    path = params.clean_dir / "penalty_cases.parquet"  # a fine amount: no chart shows it
    frame = pd.read_parquet(path)
    frame.loc[frame.index[0], "fine_amount"] = float(frame["fine_amount"].max()) + 1
    frame.to_parquet(path)
    assert sections.charts_section(app_of(params)) == drawn and len(calls) == 2

    path = params.clean_dir / "petitions.parquet"  # a category: the petitions chart shows it
    frame = pd.read_parquet(path)
    frame.loc[frame.index[0], "category"] = "其他"
    frame.to_parquet(path)
    changed = sections.charts_section(app_of(params))
    monkeypatch.delenv(PIPELINE_ENV)  # made in place, nothing kept or read
    assert changed != drawn and changed == sections.charts_section(app_of(params))
    assert len(calls) == 3 + 2 and calls[2].startswith("2025年信访事项"), "only the petitions chart drawn again"
    assert len(list(folder.glob("chart-3-*.html"))) == 1, "only the latest is kept"

    plan = charts.plan_chart(active_unit().charts[2], app_of(params).data)
    key = charts.plan_key(plan)
    with matplotlib.rc_context({"axes.linewidth": 3}):
        assert charts.plan_key(plan) != key
    assert charts.plan_key(dataclasses.replace(plan, alt=plan.alt + "。")) != key
    counts = plan.data["values"]
    assert charts.plan_key(dataclasses.replace(plan, data={**plan.data, "values": [counts[0] + 1, *counts[1:]]})) != key


def test_without_a_build_root_the_charts_are_drawn_in_place(cleaned, tmp_path, monkeypatch):
    calls = []
    original = charts.render
    monkeypatch.setattr(charts, "render", lambda plan: calls.append(plan) or original(plan))
    data = CleanData(cleaned.path(cleaned.clean_root), 2025, [2025])
    app = SimpleNamespace(data=data, year=2025)  # no run parameters: no run folder to keep them in
    first = sections.charts_section(app)
    assert sections.charts_section(app) == first and len(calls) == 4, "two charts, drawn twice"
    assert "无数据" in first, "the two tables not copied have no chart"
    assert not list(tmp_path.rglob("chart*.html"))
