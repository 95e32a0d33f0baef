"""The figure cards are made once per key and kept (`lawreport.appendix.kept`), and the pipeline makes
them ahead of the appendix step: a kept section must be byte-identical to one made afresh, and its key
must change with every input the cards are made from."""

from __future__ import annotations

import json
import os
import shutil

import pandas as pd
import pytest
from support import copy_year

from lawreport.appendix import data, kept, sections
from lawreport.appendix.prerender import prerender
from lawreport.ledgers import get_ledger
from lawreport.params import PROJECT_ROOT, check_params
from lawreport.run.clean_step import run_clean_years
from lawreport.run.figures_step import run_figures
from lawreport.run.pipeline import PIPELINE_ENV

TABLES = ["petitions", "penalty_cases", "mediation_cases"]


@pytest.fixture(autouse=True)
def in_a_pipeline_kernel(monkeypatch):
    """Sections are kept only in the pipeline's kernels (`kept.kept_here`): these tests play one."""
    monkeypatch.setenv(PIPELINE_ENV, "appendix")


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


def _made_here(app, monkeypatch):
    """The cards section made in place, nothing read from or written to the folder."""
    with monkeypatch.context() as patched:
        patched.setattr(sections, "_kept", lambda app, name, key, make, lock=None: make())
        return sections.cards_section(app)


def _not_again(*args):
    raise AssertionError("made again")


@pytest.mark.parametrize("edition", data.EDITIONS)
def test_kept_cards_are_the_cards_made_afresh_and_are_read_not_made_again(computed, edition, monkeypatch):
    app = data.load_appendix(computed, edition)
    fresh = _made_here(app, monkeypatch)
    assert fresh.count('class="card"') == len(app.results) > 5
    # as a maker killed mid-write leaves it, and a card of a figure the register no longer has
    _folder(computed).mkdir(parents=True, exist_ok=True)
    left = [
        _folder(computed) / f".card-{edition}-{app.results[0]['id']}-0.1.tmp",
        _folder(computed) / f"card-{edition}-gone-0.html",
    ]
    for path in left:
        path.write_text("half", encoding="utf-8")
    assert sections.cards_section(app) == fresh
    assert len(list(_folder(computed).glob(f"card-{edition}-*.html"))) == len(app.results)
    assert not any(path.exists() for path in left)

    monkeypatch.setattr(sections, "card", _not_again)
    assert sections.cards_section(data.load_appendix(computed, edition)) == fresh


def test_prerender_keeps_the_charts_and_the_internal_cards_which_the_editions_then_read(computed, monkeypatch):
    """The public edition's cards are left to its own notebook (prerender.AHEAD)."""
    shutil.rmtree(_folder(computed), ignore_errors=True)
    prerender(computed.as_dict())
    figures = json.loads((computed.build_dir / "figures.json").read_text(encoding="utf-8"))["figures"]
    made = sorted(p.name.rsplit("-", 1)[0] for p in _folder(computed).glob("*.html"))
    charts = ["chart-3", "chart-4"]  # the sample unit's charts of petitions and penalty_cases (TABLES)
    assert made == sorted([f"card-internal-{f['id']}" for f in figures] + charts)

    monkeypatch.setattr(sections, "card", _not_again)
    monkeypatch.setattr(sections.charts, "render", _not_again)
    sections.cards_section(data.load_appendix(computed, "internal"))
    for edition in data.EDITIONS:
        sections.charts_section(data.load_appendix(computed, edition))


def _keys(params, edition):
    app = data.load_appendix(params, edition)
    keys = sections.CardKeys(app)
    refs = sections._ref_ids(app)
    return {f["id"]: keys.key(f, refs.get(f["id"], "")) for f in app.results}


def _reading(params, table):
    app = data.load_appendix(params, "public")
    keys = sections.CardKeys(app)
    return {f["id"] for f in app.results if any(t == table for t, _ in keys.tables_read(f))}


def test_a_cards_key_changes_with_its_own_inputs_and_no_other(computed, tmp_path):
    """Each card's key against each input: those shared by every card change every key; a table, a raw
    ledger, a figure or a lineage changes the keys of the cards that read it and no other."""
    params = computed
    base = {edition: _keys(params, edition) for edition in data.EDITIONS}
    assert set(base["public"].values()).isdisjoint(base["internal"].values()), "the edition"
    assert {edition: _keys(params, edition) for edition in data.EDITIONS} == base, "same inputs, same keys"
    petitions, penalties = _reading(params, "petitions"), _reading(params, "penalty_cases")
    assert petitions and penalties and not petitions & penalties

    def changed_after(path, change, edition="public"):
        before = path.read_bytes()
        try:
            change(path)
            now = _keys(params, edition)
        finally:
            path.write_bytes(before)
        return {i for i, key in now.items() if key != base[edition][i]}

    def edit_json(edit):
        def change(path):
            value = json.loads(path.read_text(encoding="utf-8"))
            edit(value)
            path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")

        return change

    def edit_parquet(path):
        frame = pd.read_parquet(path)
        column = frame.columns[-1]
        frame.loc[frame.index[0], column] = frame.iloc[1][column]
        frame.to_parquet(path)

    everyone = set(base["public"])
    build = params.build_dir
    first = next(iter(base["public"]))
    assert changed_after(params.clean_dir / "petitions.parquet", edit_parquet) == petitions
    for edition in data.EDITIONS:
        assert changed_after(params.clean_dir / "penalty_cases.parquet", edit_parquet, edition) == penalties
    raw = params.raw_dir / get_ledger("penalty_cases").file_name(params.year)
    assert changed_after(raw, lambda p: p.write_bytes(p.read_bytes() + b"\0"), "internal") == penalties
    assert changed_after(raw, lambda p: p.write_bytes(p.read_bytes() + b"\0"), "public") == set(), "no raw cell shown"
    recorded = edit_json(lambda v: v["inputs"].update({raw.name: "0" * 64}))
    assert changed_after(params.clean_dir / "provenance.json", recorded, "internal") == penalties
    figure = edit_json(lambda v: next(f for f in v["figures"] if f["id"] == first).update(computed="1"))
    assert changed_after(build / "figures.json", figure) == {first}
    lineage = edit_json(lambda v: v.update(note="x"))
    assert changed_after(build / "lineage" / f"{first}.json", lineage) == {first}
    assert changed_after(params.register_path, lambda p: p.write_bytes(p.read_bytes() + b"\n# note\n")) == everyone
    app = data.load_appendix(params, "public")  # (a changed report no longer matches its register's quotes)
    app.report_text += "又一句。"
    keys, refs = sections.CardKeys(app), sections._ref_ids(app)
    assert all(keys.key(f, refs.get(f["id"], "")) != base["public"][f["id"]] for f in app.results), "the report"
    (tmp_path / "key").write_text("k" * 64, encoding="utf-8")
    other = check_params({**params.as_dict(), "key_file": str(tmp_path / "key")})
    assert set(_keys(other, "public").values()).isdisjoint(base["public"].values()), "the run's parameters"
    assert {edition: _keys(params, edition) for edition in data.EDITIONS} == base, "every file put back"


def test_a_figure_gone_from_the_register_leaves_no_kept_card(computed):
    app = data.load_appendix(computed, "public")
    sections.cards_section(app)
    gone = app.results[0]["id"]
    app.figures = {**app.figures, "figures": app.figures["figures"][1:]}
    sections.cards_section(app)
    names = {p.name.rsplit("-", 1)[0] for p in _folder(computed).glob("card-public-*.html")}
    assert f"card-public-{gone}" not in names and len(names) == len(app.results)


def test_an_edition_reading_kept_charts_does_not_load_pyplot(computed):
    """The kept charts' key needs only matplotlib's settings: the edition that reads them (the public
    one, in the other kernel) skips pyplot and the font manager; drawing them loads it."""
    import subprocess
    import sys

    probe = (
        "import json, sys\n"
        "from lawreport.appendix import data, sections\n"
        "from lawreport.params import check_params\n"
        "app = data.load_appendix(check_params(json.loads(sys.argv[1])), 'public')\n"
        "sections.charts_section(app)\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
        "sections.kept.kept_here = lambda: False\n"  # drawn in place
        "sections.charts_section(app)\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )

    def run_probe() -> list[str]:
        """In a fresh process, as an edition's kernel: matplotlib's settings as a run has them (this
        test process's may have been changed by other tests, and they are part of the charts' keys)."""
        done = subprocess.run(
            [sys.executable, "-c", probe, json.dumps(computed.as_dict())],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, PIPELINE_ENV: "appendix"},
        )
        return done.stdout.split() + [done.stderr]

    shutil.rmtree(_folder(computed), ignore_errors=True)
    assert run_probe()[:2] == ["True", "True"], "none kept: drawn, and kept"
    assert run_probe()[:2] == ["False", "True"], "read: no pyplot until drawn in place"


def test_outside_a_pipeline_kernel_nothing_is_kept_or_read(computed, monkeypatch, tmp_path):
    """A session run by hand may hold code or tables loaded before they changed on disk: there every
    section is made in place (what is kept is neither read nor added to)."""
    app = data.load_appendix(computed, "public")
    sections.cards_section(app)  # kept, as a pipeline kernel would
    monkeypatch.delenv(PIPELINE_ENV)
    made = []
    real = sections.card
    monkeypatch.setattr(sections, "card", lambda *args: made.append(1) or real(*args))
    before = sorted(p.name for p in _folder(computed).iterdir())
    sections.cards_section(data.load_appendix(computed, "public"))
    assert len(made) == len(app.results), "made in place, not read"
    assert sorted(p.name for p in _folder(computed).iterdir()) == before


def test_a_kept_section_keeps_carriage_returns(tmp_path):
    """A raw cell shown in a card may hold a carriage return: the kept text is read back as it was made."""
    text = "行一\r\n行二\r行三\n"
    assert kept.shared(tmp_path, "card-internal-x", "k", lambda: text) == text
    assert kept.shared(tmp_path, "card-internal-x", "k", _not_again) == text


def test_each_card_has_a_lock_of_its_own_so_two_kernels_make_the_cards_side_by_side(computed, monkeypatch):
    """The pipeline's work ahead makes the internal cards from the last (`keep_cards(from_end=True)`)
    while the edition's notebook makes them from the first, in the other kernel: a card being made
    there holds up that card only."""
    import fcntl
    import threading
    import time

    app = data.load_appendix(computed, "internal")
    folder = _folder(computed)
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.glob("card-internal-*"):
        path.unlink()
    made = []
    real_card = sections.card
    monkeypatch.setattr(
        sections, "card", lambda app, figure, ref: made.append(figure["id"]) or real_card(app, figure, ref)
    )
    first = sections.CardKeys(app).name(app.results[0])
    with (folder / f"{first}.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # the other kernel is making the first card
        ahead = threading.Thread(target=sections.keep_cards, args=(app,), kwargs={"from_end": True}, daemon=True)
        ahead.start()
        deadline = time.monotonic() + 120
        while len(made) < len(app.results) - 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
        assert made == [figure["id"] for figure in reversed(app.results[1:])]
        assert ahead.is_alive(), "waits for the first card, made by the other kernel"
    ahead.join(120)
    assert not ahead.is_alive() and made[-1] == app.results[0]["id"]
    cards = sections.keep_cards(app)  # the notebook's way, from the first: every card read, none made
    assert len(made) == len(app.results) and len(cards) == len(app.results)
    assert [c.split('data-figure="', 1)[1].split('"', 1)[0] for c in cards] == [f["id"] for f in app.results]


def test_pruning_leaves_a_card_being_made_and_takes_a_gone_cards_lock_with_it(computed):
    import fcntl
    import threading

    app = data.load_appendix(computed, "public")
    sections.cards_section(app)
    folder = _folder(computed)
    keys = sections.CardKeys(app)
    first = keys.name(app.results[0])
    making = folder / f".{first}-0123.45.tmp"
    making.write_text("half", encoding="utf-8")
    gone = [folder / "card-public-gone-0.html", folder / ".card-public-gone-1.7.tmp", folder / "card-public-gone.lock"]
    for path in gone:
        path.write_text("", encoding="utf-8")
    with (folder / f"{first}.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # its maker, in the other kernel
        pruning = threading.Thread(target=keys.forget_others, args=(app.results,), daemon=True)
        pruning.start()
        pruning.join(60)
        assert not pruning.is_alive(), "does not wait for a card being made"
        assert making.exists()
    assert not any(path.exists() for path in gone)
    assert (folder / f"{first}.lock").exists()
    keys.forget_others(app.results)
    assert not making.exists(), "a maker stopped mid-write: its temporary goes once no one holds the lock"
