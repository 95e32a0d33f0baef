"""The unit configuration (unit.yaml, ledgers/*.yaml): each broken case is named with file, line and
what to do (P307), all problems in one pass; and no unit's names in the package code."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from support import SAMPLE_RAW, copy_unit

from lawreport.ledgers import ALL_LEDGERS, UnitConfigError, active_unit, get_ledger, load_unit, unit_at, use_unit
from lawreport.params import PROJECT_ROOT, ParameterError, check_params

SRC = PROJECT_ROOT / "src" / "lawreport"
SAMPLE_GENERATOR = SRC / "sample"

TINY_UNIT = """\
unit: 测试镇
ledger_files: [cases]
vocabularies:
  results: [化解成功, 未化解]
programmes: [测试品牌]
"""
TINY_LEDGERS = """\
ledgers:
  - table: cases
    title: 纠纷台账
    file: "{year}年纠纷台账.xlsx"
    sheet: 纠纷
    keeper: 司法所
    description: One row per dispute.
    columns:
      - {name: case_id, header: 编号, kind: code, meaning: 编号, key: true}
      - {name: found_date, header: 日期, kind: date, meaning: 发现日期, in_year: true}
      - {name: result, header: 结果, kind: category, meaning: 化解结果, allowed: results}
"""


def tiny(tmp_path: Path, unit: str = TINY_UNIT, ledgers: str = TINY_LEDGERS) -> Path:
    (tmp_path / "ledgers").mkdir(parents=True, exist_ok=True)
    (tmp_path / "unit.yaml").write_text(unit, encoding="utf-8")
    (tmp_path / "ledgers" / "cases.yaml").write_text(ledgers, encoding="utf-8")
    return tmp_path


def problems(tmp_path: Path, unit: str = TINY_UNIT, ledgers: str = TINY_LEDGERS) -> str:
    with pytest.raises(UnitConfigError) as caught:
        load_unit(tiny(tmp_path, unit, ledgers))
    message = str(caught.value)
    assert "[P307]" in message and "Traceback" not in message
    return message


def test_a_tiny_unit_loads_with_its_vocabulary_resolved(tmp_path):
    unit = load_unit(tiny(tmp_path))
    assert unit.name == "测试镇" and [x.table for x in unit.ledgers] == ["cases"]
    assert unit.by_table["cases"].column("result").allowed == ("化解成功", "未化解")
    assert unit.programmes == ("测试品牌",)
    assert [p.name for p in unit.files] == ["unit.yaml", "cases.yaml"]


BROKEN = [
    # (what, unit.yaml edit, ledgers edit, words the message must hold)
    ("yaml syntax", TINY_UNIT.replace("unit: 测试镇", "unit: [测试镇"), None, ["YAML 无法解析", "第"]),
    ("unknown unit key", TINY_UNIT + "vocabulary: {}\n", None, ["unknown key", "'vocabulary'", "vocabularies"]),
    ("missing ledger file", TINY_UNIT.replace("[cases]", "[cases, missing]"), None, ["missing.yaml", "文件不存在"]),
    ("unknown kind", None, TINY_LEDGERS.replace("kind: date", "kind: dat"), ["第10行", "unknown kind", "'date'"]),
    (
        "unknown vocabulary",
        None,
        TINY_LEDGERS.replace("allowed: results", "allowed: result"),
        ["unknown vocabulary", "'results'"],
    ),
    ("category without allowed", None, TINY_LEDGERS.replace(", allowed: results", ""), ["a category column needs"]),
    ("unknown column key", None, TINY_LEDGERS.replace("key: true", "kee: true"), ["第9行", "unknown key", "'key'"]),
    ("duplicate column", None, TINY_LEDGERS.replace("name: found_date", "name: case_id"), ["duplicate column name"]),
    ("xlsx without sheet", None, TINY_LEDGERS.replace("sheet: 纠纷", "sheet: null"), ["须写 sheet"]),
    ("flag not a boolean", None, TINY_LEDGERS.replace("in_year: true", "in_year: 是"), ["in_year 应为 true 或 false"]),
    (
        "unknown row rule",
        None,
        TINY_LEDGERS.replace("    columns:", "    checks: [closed_after]\n    columns:"),
        ["unknown row rule"],
    ),
    ("missing ledger key", None, TINY_LEDGERS.replace("    keeper: 司法所\n", ""), ["missing key", "'keeper'"]),
    ("not UTF-8", None, "ledgers: 台账".encode("gbk").decode("latin-1"), ["not UTF-8"]),
    ("control character", TINY_UNIT.replace("测试镇", "测试\x07镇"), None, ["control character", "U+0007", "第1行"]),
    ("empty unit.yaml", "# nothing yet\n", None, ["单位配置为空"]),
    (
        "vocabulary named by a number",
        TINY_UNIT.replace("vocabularies:\n", "vocabularies:\n  1: [甲, 乙]\n"),
        None,
        ["词表名 '1' 应为文本"],
    ),
    ("full-width commas", TINY_UNIT.replace("[化解成功, 未化解]", "[化解成功，未化解]"), None, ["全角逗号"]),
    (
        "repeated key",
        TINY_UNIT.replace("  results:", "  results: [甲]\n  results:"),
        None,
        ["duplicate key", "'results'"],
    ),
    ("ledger file listed twice", TINY_UNIT.replace("[cases]", "[cases, cases]"), None, ["listed twice", "'cases'"]),
    ("unknown file placeholder", None, TINY_LEDGERS.replace("{year}年", "{年度}年"), ["只能用占位符 {year}", "年度"]),
    (
        "unbalanced brace in file",
        None,
        TINY_LEDGERS.replace("纠纷台账.xlsx", "纠纷台账{.xlsx"),
        ["只能用占位符 {year}"],
    ),
    (
        "row rule as a mapping",
        None,
        TINY_LEDGERS.replace("    columns:", "    checks: [{a: 1}]\n    columns:"),
        ["unknown row rule"],
    ),
]


@pytest.mark.parametrize(("what", "unit", "ledgers", "words"), BROKEN, ids=[b[0] for b in BROKEN])
def test_each_broken_configuration_is_named(tmp_path, what, unit, ledgers, words):
    if what == "not UTF-8":
        tiny(tmp_path)
        (tmp_path / "ledgers" / "cases.yaml").write_bytes("ledgers: 台账".encode("gbk"))
        with pytest.raises(UnitConfigError) as caught:
            load_unit(tmp_path)
        message = str(caught.value)
    else:
        message = problems(tmp_path, unit or TINY_UNIT, ledgers or TINY_LEDGERS)
    for word in words:
        assert word in message, (word, message)


def test_every_problem_is_listed_in_one_pass(tmp_path):
    ledgers = TINY_LEDGERS.replace("kind: date", "kind: dat").replace("allowed: results", "allowed: result")
    message = problems(tmp_path, TINY_UNIT + "vocabulary: {}\n", ledgers)
    assert message.count("[P307]") == 3 and "3 处问题" in message


def test_a_raw_root_without_configuration_stops_the_run_before_any_kernel(tmp_path):
    shutil.copytree(SAMPLE_RAW / "2025", tmp_path / "raw" / "2025")
    with pytest.raises(ParameterError, match=r"\[P307\] 没有单位配置"):
        check_params({"year": 2025, "raw_root": str(tmp_path / "raw")})


def test_a_yaml_file_not_listed_is_refused(tmp_path):
    tiny(tmp_path)
    (tmp_path / "ledgers" / "extra.yaml").write_text(TINY_LEDGERS, encoding="utf-8")
    with pytest.raises(UnitConfigError, match="未列入 ledger_files"):
        load_unit(tmp_path)


def test_the_run_uses_the_unit_under_its_raw_root(tmp_path):
    raw = copy_unit(tmp_path / "raw")
    (raw / "2025").mkdir()
    text = (raw / "ledgers" / "petitions.yaml").read_text(encoding="utf-8")
    (raw / "ledgers" / "petitions.yaml").write_text(
        text.replace("title: 信访事项登记台账", "title: 来信来访台账"), "utf-8"
    )
    try:
        check_params({"year": 2025, "raw_root": str(raw)})
        assert get_ledger("petitions").title == "来信来访台账"
        assert active_unit().folder == raw.resolve()
    finally:
        use_unit(SAMPLE_RAW)
    assert get_ledger("petitions").title == "信访事项登记台账"


def test_an_edited_configuration_is_reread(tmp_path):
    raw = tiny(tmp_path)
    first = unit_at(raw)
    (raw / "unit.yaml").write_text(TINY_UNIT.replace("测试镇", "测试乡") + "\n", encoding="utf-8")
    second = unit_at(raw)
    assert (first.name, second.name) == ("测试镇", "测试乡") and first.digest != second.digest


# ------------------------------------------------------------------ no unit's names in the package


def bundled_units() -> list[Path]:
    """Every unit configuration shipped in the repository (data/raw and any examples/*/raw)."""
    return sorted(p.parent for p in [SAMPLE_RAW / "unit.yaml", *PROJECT_ROOT.glob("examples/*/raw/unit.yaml")])


def unit_names(raw_root: Path) -> set[str]:
    """The names a unit's configuration holds: its own name, programmes, vocabularies' values, its
    ledgers' titles and file names (the parts beside {year}) and its charts' titles. Words of two
    characters (其他, 满意, 盗窃…) are ordinary words of every unit, not names."""
    unit = load_unit(raw_root)
    names = {unit.name, *unit.programmes}
    names |= {value for values in unit.vocabularies.values() for value in values}
    for ledger in unit.ledgers:
        names |= {ledger.title, *(p for p in re.split(r"\{year\}|\.\w+$", ledger.file) if p)}
    names |= {re.sub(r"\{\w+\}", "", chart.title) for chart in unit.charts}
    return {name for name in names if len(name) > 2}


def package_sources() -> dict[Path, str]:
    return {
        path: path.read_text(encoding="utf-8")
        for path in sorted(SRC.rglob("*.py"))
        if SAMPLE_GENERATOR not in path.parents
    }


def test_no_unit_name_appears_in_the_package_code():
    sources = package_sources()
    found = []
    for raw_root in bundled_units():
        for name in sorted(unit_names(raw_root)):
            found += [f"{path.relative_to(PROJECT_ROOT)}: {name}" for path, text in sources.items() if name in text]
    assert not found, "单位的名称出现在包代码中 (a unit's names in src/)：\n" + "\n".join(found)


def test_the_names_check_trips_on_a_name_in_the_code():
    names = unit_names(SAMPLE_RAW)
    assert "家理说事室" in names and "阳光管家" in names and "垫江县桂阳街道" in names
    planted = {Path("x.py"): 'LABEL = "家理说事室"'}
    assert any(name in text for name in names for text in planted.values())


def test_the_bundled_unit_is_the_default_and_has_every_ledger():
    assert unit_at(SAMPLE_RAW).ledgers == tuple(ALL_LEDGERS)
    manifest = yaml.safe_load((SAMPLE_RAW / "2025" / "MANIFEST.yaml").read_text(encoding="utf-8"))
    assert manifest["ledgers"] == [x.table for x in ALL_LEDGERS]


CHART = """\
charts:
  - kind: months
    table: cases
    date: found_date
    series: result
    styles: {化解成功: good, 未化解: bad}
    title: "{year}年纠纷"
    x_label: 月份
    y_label: 件数
    alt: 柱状图：{year}年各月纠纷，按{series}分色
    caption: 纠纷台账
"""

BROKEN_CHARTS = [
    ("unknown kind", ("kind: months", "kind: month"), ["unknown kind", "'month'"]),
    ("unknown table", ("table: cases", "table: case"), ["unknown table", "'cases'"]),
    ("unknown column", ("date: found_date", "date: found"), ["no column", "'found_date'"]),
    ("unknown placeholder", ("按{series}分色", "按{values}分色"), ["占位符无效", "{series}"]),
    ("unknown style", ("bad}", "red}"), ["styles 应为"]),
    ("months without series", ("    series: result\n", ""), ["须有 date 和 series"]),
    ("kind as a list", ("kind: months", "kind: [months]"), ["'kind'"]),
    ("date as a list", ("date: found_date", "date: [found_date]"), ["date 应为文本"]),
]


def test_a_good_chart_loads(tmp_path):
    (chart,) = load_unit(tiny(tmp_path, TINY_UNIT + CHART)).charts
    assert (chart.kind, chart.table, chart.styles) == ("months", "cases", {"化解成功": "good", "未化解": "bad"})


@pytest.mark.parametrize(("what", "edit", "words"), BROKEN_CHARTS, ids=[b[0] for b in BROKEN_CHARTS])
def test_each_broken_chart_is_named(tmp_path, what, edit, words):
    message = problems(tmp_path, TINY_UNIT + CHART.replace(*edit))
    assert "图表" in message
    for word in words:
        assert word in message, (word, message)
