"""Issue 10: every figure has a short Chinese name; the card's title is that name, its id the anchor beside it."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
import yaml

from lawreport.appendix.sections import card
from lawreport.params import PROJECT_ROOT
from lawreport.register.claims import FigureEntry, FigureResult, RegisterError, load_register

REGISTER = PROJECT_ROOT / "claims" / "2025.yaml"
REPORT = PROJECT_ROOT / "data" / "raw" / "2025" / "report.txt"
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_2025_figure_has_a_short_distinct_chinese_name():
    figures = load_register(REGISTER).figures
    names = [f.name for f in figures]
    assert len(figures) == 54 and all(names)
    assert len(set(names)) == len(names), "two figures share a name"
    assert all(CJK.search(n) and len(n) <= 20 for n in names), [n for n in names if len(n) > 20]
    assert not [n for n in names if re.search(r"[a-z_]{3,}", n)], "a name is not an id"


def _register_copy(tmp_path, edit) -> object:
    data = yaml.safe_load(REGISTER.read_text(encoding="utf-8"))
    for entry in data["figures"]:
        edit(entry)
    path = tmp_path / "claims" / "2025.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_name_is_a_known_key_and_a_misspelt_one_is_caught(tmp_path):
    def misspell(entry):
        if entry["id"] == "fines_total":
            entry["nmae"] = entry.pop("name")

    with pytest.raises(RegisterError, match=r"fines_total.*未知项 \(unknown key\) 'nmae'.*'name'"):
        load_register(_register_copy(tmp_path, misspell), report_path=REPORT)


def test_a_register_without_names_still_loads_and_the_id_stands_in(tmp_path):
    register = load_register(_register_copy(tmp_path, lambda e: e.pop("name")), report_path=REPORT)
    assert {f.name for f in register.figures} == {""}
    assert register.entry("fines_total").title == "fines_total"


def test_figures_json_carries_the_name():
    entry = FigureEntry("fines_total", "罚没20400元", "20400元", "sum_fines", "罚没金额之和", name="罚没金额")
    figure = FigureResult(entry, "match", "x = 20,400", "20400").to_json()
    assert list(figure)[:2] == ["id", "name"] and figure["name"] == "罚没金额"


def _public_card(figure: dict) -> str:
    app = SimpleNamespace(internal=False, lineage={}, year=2025, register=None)
    base = {
        "quote": "罚没20400元",
        "reported": "20400元",
        "rule": "x = 20,400",
        "computed": "20400",
        "status": "match",
        "definition": "罚没金额之和",
        "metric": "sum_fines",
        "sources": {"tables": {}},
        "reasons": [],
    }
    return card(app, {**base, **figure}, "ref-fines_total")


def test_the_card_title_is_the_name_with_the_id_small_beside_it_as_the_anchor():
    html = _public_card({"id": "fines_total", "name": "罚没金额"})
    title = re.search(r"<h3>(.*?)</h3>", html).group(1)
    assert '<span class="figure-name">罚没金额</span>' in title
    assert '<small class="figure-id"><a href="#card-fines_total"><code>fines_total</code></a></small>' in title
    assert title.index("罚没金额") < title.index("fines_total")
    # Without a name the id is the title.
    untitled = re.search(r"<h3>(.*?)</h3>", _public_card({"id": "fines_total", "name": ""})).group(1)
    assert '<span class="figure-name">fines_total</span>' in untitled
