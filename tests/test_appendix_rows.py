"""appendix/rows.py gives the cards' rows exactly as explain.shown_rows and explain.text_table do,
each row worked out once however many cards list it.

Sample ledgers of several kinds (dates, amounts, flags, months, pseudonymised names, CSV exports)
are copied and cleaned once; every table is then shown whole and in random subsets, with and without
the raw cells beside, and compared with explain's own functions. Then the hand-written 行政处罚
sheet whose raw cells read differently from the clean ones (45658 for a date, "1,200元").
"""

from __future__ import annotations

import random

import pytest
from frames import frame_data
from penalty_sample import CLEAN_ROWS, RAW_ROWS, write_penalty_sheet
from support import copy_year

from lawreport.appendix import rows as R
from lawreport.metrics import CleanData
from lawreport.register.explain import RawCells, display_width, shown_rows, text_table, with_raw
from lawreport.run.clean_step import run_clean

TABLES = ["penalty_cases", "road_office", "law_exams", "hotline_complaints", "street_incidents", "enforcement_staff"]


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory):
    params = copy_year(tmp_path_factory.mktemp("rows"), 2025, tables=TABLES)
    run_clean(params)
    data = CleanData(params.path(params.clean_root), 2025, [2025])
    raw = RawCells(params.path(params.raw_root), params.path(params.clean_root))
    return data, raw


def subsets(rng: random.Random, size: int) -> list[list[int]]:
    every = list(range(size))
    some = rng.sample(every, min(size, 40))
    return [every, some, list(reversed(some[:7])), []]


@pytest.mark.parametrize("table", TABLES)
def test_rows_are_shown_as_explain_shows_them(cleaned, table):
    data, raw = cleaned
    frame = data.table(table, 2025)
    assert len(frame), "the sample has rows"
    rng = random.Random(table)
    for with_raw_cells in (raw, None):
        rows = R.TableRows(table, 2025, frame, with_raw_cells)
        for positions in subsets(rng, len(frame)):
            assert rows.shown(positions) == shown_rows(table, 2025, frame.take(positions), with_raw_cells)
            texts = [rows.texts(p) for p in positions]
            expected = text_table(rows.headers, [[with_raw(c) for c in rows.cells(p)] for p in positions])
            assert R.text_table(rows.headers, [t for t, _ in texts], [w for _, w in texts]) == expected


def test_column_texts_are_explain_s(cleaned):
    from lawreport.register.explain import _plain_texts

    data, _ = cleaned
    for table in TABLES:
        frame = data.table(table, 2025)
        for name in frame.columns:
            assert R.column_texts(frame[name]) == _plain_texts(frame[name]), (table, name)
            some = frame[name].iloc[::3]
            assert R.column_texts(some) == _plain_texts(some), (table, name)
    import pandas as pd

    dates = pd.Series(["2025-01-02", None, "2025-01-02 08:30:00", "2024-12-31"], dtype="datetime64[ms]")
    texts = pd.Series(["甲", None, "", " b "], dtype="string")
    for series in (dates, texts, dates.iloc[1:2], texts.iloc[:0]):
        assert R.column_texts(series) == _plain_texts(series)


def test_row_sets_keep_the_lineage_order_and_are_worked_out_once(cleaned):
    data, raw = cleaned

    class App:
        pass

    app = App()
    app.data, app.raw_cells = data, raw
    frame = data.table("road_office", 2025)
    ids = frame["row_id"].astype(str).tolist()
    listed = [ids[5], ids[2], "no-such-row", ids[9], ids[2]]  # ids[2] twice: it counts at its last place
    found = R.rowset(app, "road_office", 2025, listed)
    assert [ids[p] for p in found.positions] == [ids[5], ids[9], ids[2]]
    assert found.frame["row_id"].astype(str).tolist() == [ids[5], ids[9], ids[2]]
    assert R.rowset(app, "road_office", 2025, listed) is found
    assert R.rowset(app, "no_such_table", 2025, listed) is None
    assert found.breakdown() is found.breakdown()


def test_raw_cells_that_read_differently_stand_beside(tmp_path):
    write_penalty_sheet(tmp_path / "raw" / "2025", RAW_ROWS)
    data = frame_data(2025, {("penalty_cases", 2025): CLEAN_ROWS})
    raw = RawCells(tmp_path / "raw")
    frame = data.table("penalty_cases", 2025)
    rows = R.TableRows("penalty_cases", 2025, frame, raw)
    shown = rows.shown([0, 1])
    assert shown == shown_rows("penalty_cases", 2025, frame, raw)
    assert any(old for row in shown[1] for _, old in row), "the sample's raw cells differ"


def test_widths_count_cjk_double():
    for text in ["", "abc", "张三", "１２", "a张b", "（原值 45658）", "\t"]:
        assert R.width(text) == display_width(text)
