"""The register's `relations`: a figure that must not exceed another (结案 ≤ 立案), whatever the ledgers say.

The registers are built here by hand (no claims/*.yaml, no sample data): consistency_problems reads only the
figures as written; verify_register then marks the left figure `inconsistent` even when the data agree with it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from frames import frame_data

from lawreport.register.claims import FigureEntry, Register, consistency_problems, verify_register

Y = 2025
NOTE = "结案数不应超过立案数"


def entry(figure_id: str, written: str, metric: str = "count_penalty_cases_filed") -> FigureEntry:
    return FigureEntry(id=figure_id, quote=f"共{written}", written=written, metric=metric, definition="测试用")


def register(filed: str, closed: str, relations: tuple[dict[str, str], ...] | None = None) -> Register:
    figures = (
        entry("filed", filed, "count_penalty_cases_filed"),
        entry("closed", closed, "count_penalty_cases_closed"),
    )
    if relations is None:
        relations = ({"left": "closed", "op": "<=", "right": "filed", "note": NOTE},)
    return Register(
        unit="测试街道",
        year=Y,
        report_path=Path("/nonexistent/report.txt"),  # consistency_problems never reads the text
        figures=figures,
        not_statistics=(),
        commitments=(),
        relations=relations,
    )


def test_a_violated_relation_is_reported_on_its_left_figure_with_both_figures_and_the_note():
    problems = consistency_problems(register(filed="389件", closed="390件"))
    assert list(problems) == ["closed"]
    [message] = problems["closed"]
    assert "390件 390 大于 389件 389" in message and "不合逻辑" in message
    assert message.endswith(f"({NOTE})")


@pytest.mark.parametrize("filed, closed", [("390件", "389件"), ("390件", "390件"), ("1件", "0件")])
def test_a_relation_that_holds_reports_nothing(filed, closed):
    assert consistency_problems(register(filed=filed, closed=closed)) == {}


def test_without_the_relation_the_same_figures_raise_nothing():
    # The problem above comes from the relation, not from anything else about the two figures.
    assert consistency_problems(register(filed="389件", closed="390件", relations=())) == {}


def test_the_relation_reads_left_and_right_the_right_way_round():
    relation = ({"left": "filed", "op": "<=", "right": "closed", "note": "立案数不应超过结案数"},)
    problems = consistency_problems(register(filed="390件", closed="389件", relations=relation))
    assert list(problems) == ["filed"] and "390件 390 大于 389件 389" in problems["filed"][0]
    assert consistency_problems(register(filed="389件", closed="390件", relations=relation)) == {}


def _cases(filed: int, closed: int) -> list[dict[str, object]]:
    """`filed` cases filed in Y, of which `closed` (or more: cases filed the year before) closed in Y."""
    rows: list[dict[str, object]] = [
        {"case_no": f"C{n}", "filed_date": f"{Y}-03-01", "closed_date": f"{Y}-04-01" if n < closed else None}
        for n in range(filed)
    ]
    rows += [
        {"case_no": f"B{n}", "filed_date": f"{Y - 1}-11-01", "closed_date": f"{Y}-01-15"}
        for n in range(max(0, closed - filed))
    ]
    return rows


def test_a_violated_relation_makes_the_left_figure_inconsistent_even_when_the_data_agree():
    # The ledger says 3 filed, 4 closed (one case of the year before): both counts match the report,
    # but the report cannot say more cases were closed than filed without saying why.
    data = frame_data(Y, {("penalty_cases", Y): _cases(filed=3, closed=4)})
    results = {r.entry.id: r for r in verify_register(register(filed="3件", closed="4件"), data)}
    assert results["filed"].status == "match"
    assert results["closed"].status == "inconsistent"
    assert results["closed"].computed == "4"
    assert any(NOTE in reason and "大于" in reason for reason in results["closed"].reasons)


def test_a_relation_that_holds_leaves_the_figures_to_the_data():
    data = frame_data(Y, {("penalty_cases", Y): _cases(filed=4, closed=3)})
    results = {r.entry.id: r for r in verify_register(register(filed="4件", closed="3件"), data)}
    assert {k: r.status for k, r in results.items()} == {"filed": "match", "closed": "match"}
    assert results["closed"].reasons == []
    # and a wrong count is a mismatch, not an inconsistency
    results = {r.entry.id: r for r in verify_register(register(filed="4件", closed="2件"), data)}
    assert results["closed"].status == "mismatch"


def test_an_approximate_wording_that_must_exceed_its_bound_breaks_the_relation():
    # 结案400余件 allows 401..499, all above 立案390件: the report contradicts itself.
    assert list(consistency_problems(register(filed="390件", closed="400余件"))) == ["closed"]
    assert not consistency_problems(register(filed="390件", closed="300余件"))
    assert not consistency_problems(register(filed="390件", closed="约400件"))  # 约400 allows 390
    assert not consistency_problems(register(filed="400余件", closed="400件"))
