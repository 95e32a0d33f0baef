"""The figure cards are made once per key and kept (`lawreport.appendix.kept`), and the pipeline makes
them ahead of the appendix step: a kept section must be byte-identical to one made afresh, and its key
must change with every input the cards are made from."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from support import copy_year

from lawreport.appendix import data, kept, sections
from lawreport.appendix.prerender import prerender
from lawreport.clean_step import run_clean_years
from lawreport.figures_step import run_figures
from lawreport.params import PROJECT_ROOT, check_params

TABLES = ["petitions", "penalty_cases", "mediation_cases"]


@pytest.fixture(scope="module")
def computed(tmp_path_factory):
    """Clean data, figures.json and lineage for 2025 (three ledgers), made in this process; the
    register is a copy, so that a test may change it."""
    root = tmp_path_factory.mktemp("kept")
    params = copy_year(root, 2025, tables=TABLES)
    shutil.copytree(PROJECT_ROOT / "claims", root / "claims")
    params = check_params({**params.as_dict(), "claims_dir": str(root / "claims")})
    run_clean_years(params)
    run_figures(params)
    return params


def _folder(params):
    return kept.folder_of(params.path(params.build_root), params.year)


@pytest.mark.parametrize("edition", data.EDITIONS)
def test_kept_cards_are_the_cards_made_afresh_and_are_read_not_made_again(computed, edition, monkeypatch):
    app = data.load_appendix(computed, edition)
    fresh = sections._cards_section(app)
    assert 'class="card"' in fresh
    left = _folder(computed) / f".cards-{edition}-0.1.tmp"  # as a maker killed mid-write leaves it
    left.parent.mkdir(parents=True, exist_ok=True)
    left.write_text("half", encoding="utf-8")
    assert sections.cards_section(app) == fresh
    assert len(list(_folder(computed).glob(f"cards-{edition}-*.html"))) == 1
    assert not left.exists()

    def not_again(app):
        raise AssertionError("made again")

    monkeypatch.setattr(sections, "_cards_section", not_again)
    assert sections.cards_section(data.load_appendix(computed, edition)) == fresh


def test_prerender_keeps_what_both_editions_then_read(computed, monkeypatch):
    shutil.rmtree(_folder(computed), ignore_errors=True)
    prerender(computed.as_dict())
    names = sorted(p.name.split("-")[0] + "-" + p.name.split("-")[1] for p in _folder(computed).glob("*.html"))
    assert names == ["cards-internal", "cards-public", "charts-" + names[2].split("-")[1]]

    def not_again(app):
        raise AssertionError("made again")

    monkeypatch.setattr(sections, "_cards_section", not_again)
    monkeypatch.setattr(sections, "_charts_section", not_again)
    for edition in data.EDITIONS:
        app = data.load_appendix(computed, edition)
        sections.cards_section(app)
        sections.charts_section(app)


def _keys(params):
    return {edition: sections.cards_key(data.load_appendix(params, edition)) for edition in data.EDITIONS}


def test_the_cards_key_changes_with_every_input_the_cards_read(computed, tmp_path):
    params = computed
    base = _keys(params)
    assert base["public"] != base["internal"], "the edition"
    assert _keys(params) == base, "the same inputs, the same key"

    def after(path, change) -> dict[str, str]:
        before = path.read_bytes()
        try:
            change(path)
            return _keys(params)
        finally:
            path.write_bytes(before)

    def edit_json(edit):
        def change(path):
            value = json.loads(path.read_text(encoding="utf-8"))
            edit(value)
            path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")

        return change

    def append(text):
        return lambda path: path.write_bytes(path.read_bytes() + text)

    def edit_parquet(path):
        frame = pd.read_parquet(path)
        frame.loc[frame.index[0], frame.columns[-1]] = frame.iloc[1][frame.columns[-1]]
        frame.to_parquet(path)

    build = params.build_dir
    first = json.loads((build / "figures.json").read_text(encoding="utf-8"))["figures"][0]["id"]
    lineage = build / "lineage" / f"{first}.json"
    both = {
        "figures.json": after(build / "figures.json", edit_json(lambda v: v["figures"][0].update(computed="1"))),
        "lineage": after(lineage, edit_json(lambda v: v.update(excluded=[*v.get("excluded", []), {}]))),
        "register": after(params.register_path, append(b"\n# a comment\n")),
        "clean table": after(params.clean_dir / "petitions.parquet", edit_parquet),
        "provenance": after(params.clean_dir / "provenance.json", edit_json(lambda v: v.update(extra=1))),
    }
    for what, keys in both.items():
        assert keys["public"] != base["public"] and keys["internal"] != base["internal"], what
    for edition in data.EDITIONS:  # (a changed report no longer matches its register's quotes: in memory)
        app = data.load_appendix(params, edition)
        app.report_text += "又一句。"
        assert sections.cards_key(app) != base[edition], "the report"
    raw = next(p for p in params.raw_dir.iterdir() if p.suffix == ".xlsx")
    keys = after(raw, append(b"\0"))
    assert keys["internal"] != base["internal"], "the internal edition shows raw cells"
    assert keys["public"] == base["public"], "the public edition does not"
    (tmp_path / "key").write_text("k" * 64, encoding="utf-8")
    other = check_params({**params.as_dict(), "key_file": str(tmp_path / "key")})
    assert sections.cards_key(data.load_appendix(other, "public")) != base["public"], "the run's parameters"
    assert _keys(params) == base, "every file put back"
