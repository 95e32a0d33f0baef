"""A ledger kept as one sheet per month (一月一表, `sheet: "{month}月"`): every month's sheet is cleaned
as a sheet is (title row, header, 合计 dropped, bad rows quarantined with their sheet), the rows put
together in month order with ids `<table>-<month>-<row>`; months without a sheet are a notice (N208);
no month at all, two sheets for one month, or a month whose header differs stop the run, naming the
sheet; whatever goes back to a raw cell reads the row's own month sheet.

Each workbook is written by hand here (openpyxl) for a tiny unit in tmp_path."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from support import SAMPLE_RAW

from lawreport.appendix.scan import personal_values, trace_values
from lawreport.ledgers import UnitConfigError, get_ledger, load_unit, use_unit
from lawreport.ledgers.cleaning import LedgerCleaner, row_id
from lawreport.ledgers.datadict import render
from lawreport.ledgers.errors import LedgerFileError
from lawreport.ledgers.pseudonym import Pseudonymiser
from lawreport.ledgers.reading import read_ledger_sheet
from lawreport.params import check_params
from lawreport.register.explain import RawCells, _place_of
from lawreport.run.clean_step import run_clean

YEAR = 2025
FILE = f"{YEAR}年纠纷台账.xlsx"
UNIT = """\
unit: 测试镇
ledger_files: [cases]
vocabularies:
  results: [化解成功, 未化解]
"""
LEDGERS = """\
ledgers:
  - table: cases
    title: 纠纷台账
    file: "{year}年纠纷台账.xlsx"
    sheet: "{month}月"
    keeper: 司法所
    description: One row per dispute, one sheet per month.
    columns:
      - {name: case_id, header: 编号, kind: code, meaning: 编号, key: true}
      - {name: found_date, header: 日期, kind: date, meaning: 发现日期, in_year: true}
      - {name: people, header: 人数, kind: int, meaning: 涉及人数}
      - {name: party, header: 当事人, kind: person_name, meaning: 当事人姓名}
      - {name: result, header: 结果, kind: category, meaning: 化解结果, allowed: results}
"""
HEADER = ["序号", "编号", "日期", "人数", "当事人", "结果"]
# month sheet -> data rows (row 1 is a title, row 2 the header, data from row 3, a 合计 row last)
MONTHS: dict[str, list[list[object]]] = {
    "1月": [
        [1, "A-001", "2025-01-05", 2, "赵一鸣", "化解成功"],
        [2, "A-002", "2025-01-20", 1, "钱二立", "未化解"],
    ],
    "2月": [
        [1, "A-003", "2025-02-03", 3, "孙三省", "化解成功"],
        [2, "A-004", "2025-02-30", 1, "李四海", "化解成功"],  # no 30 February: quarantined (R102)
    ],
    "3月": [[1, "A-005", "2025-03-09", 4, "周五岳", "化解成功"]],
}


def write_workbook(path: Path, sheets: dict[str, list[list[object]]], header: list[str] | None = None) -> None:
    """A title row, the header (`header` for 2月 when given), the rows and a 合计 row on each sheet;
    a 说明 sheet that is no month comes first."""
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book["说明"]["A1"] = "每月一个工作表"
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append([f"{YEAR}年{name}矛盾纠纷排查化解台账"])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
        sheet.append(list(header) if header is not None and name == "2月" else HEADER)  # `header`: 2月's own
        for row in rows:
            sheet.append(row)
        sheet.append(["合计", None, None, sum(int(r[3]) for r in rows), None, None])
    book.save(path)


def make_unit(root: Path, sheets: dict[str, list[list[object]]] | None = None, ledgers: str = LEDGERS) -> Path:
    """The tiny unit's raw root: unit.yaml, ledgers/cases.yaml and 2025/ with the workbook and manifest."""
    raw = root / "raw"
    (raw / "ledgers").mkdir(parents=True)
    (raw / "unit.yaml").write_text(UNIT, encoding="utf-8")
    (raw / "ledgers" / "cases.yaml").write_text(ledgers, encoding="utf-8")
    (raw / str(YEAR)).mkdir()
    path = raw / str(YEAR) / FILE
    write_workbook(path, MONTHS if sheets is None else sheets)
    write_manifest(raw)
    return raw


def write_manifest(raw: Path) -> None:
    path = raw / str(YEAR) / FILE
    manifest = {
        "unit": "测试镇",
        "year": YEAR,
        "synthetic": True,
        "ledgers": ["cases"],
        "files": [
            {"name": FILE, "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "bytes": path.stat().st_size}
        ],
    }
    (raw / str(YEAR) / "MANIFEST.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")


@pytest.fixture
def tiny_unit(tmp_path):
    """Run with the tiny unit active; the sample unit is active again afterwards."""
    raw = make_unit(tmp_path)
    params = check_params(
        {
            "year": YEAR,
            "raw_root": str(raw),
            "clean_root": str(tmp_path / "clean"),
            "build_root": str(tmp_path / "build"),
        }
    )
    try:
        yield params
    finally:
        use_unit(SAMPLE_RAW)


def clean_file(params, path: Path | None = None):
    cleaner = LedgerCleaner(YEAR, Pseudonymiser(b"k" * 32))
    return cleaner.clean(get_ledger("cases"), path or params.raw_dir / FILE)


def file_problems(params, sheets: dict[str, list[list[object]]], header: list[str] | None = None):
    path = params.raw_dir / "other.xlsx"
    write_workbook(path, sheets, header)
    with pytest.raises(LedgerFileError) as caught:
        clean_file(params, path)
    return caught.value.problems


# ------------------------------------------------------------------ cleaning


def test_every_month_is_cleaned_in_month_order(tiny_unit):
    run_clean(tiny_unit)
    clean = tiny_unit.clean_dir
    table = pd.read_parquet(clean / "cases.parquet")
    assert table["row_id"].tolist() == ["cases-01-00003", "cases-01-00004", "cases-02-00003", "cases-03-00003"]
    assert table["source_sheet"].tolist() == ["1月", "1月", "2月", "3月"]
    assert table["source_row"].tolist() == [3, 4, 3, 3]
    assert table["case_id"].tolist() == ["A-001", "A-002", "A-003", "A-005"]
    assert table["people"].tolist() == [2, 1, 3, 4]  # the 合计 rows are not counted as cases

    quarantine = pd.read_parquet(clean / "quarantine.parquet")
    assert quarantine[["sheet", "row", "code", "column"]].values.tolist() == [["2月", 4, "R102", "日期"]]

    report = json.loads((clean / "clean_report.json").read_text(encoding="utf-8"))
    cases = report["ledgers"]["cases"]
    assert (cases["rows_read"], cases["rows_kept"], cases["rows_quarantined"]) == (8, 4, 1)
    assert cases["rows_dropped"] == {"N202": 3}  # one 合计 row per month
    assert [(s["sheet"], s["month"], s["header_row"], s["rows_read"]) for s in cases["sheets"]] == [
        ("1月", 1, 2, 3),
        ("2月", 2, 2, 3),
        ("3月", 3, 2, 2),
    ]
    [missing] = [n for n in report["notices"] if n["code"] == "N208"]
    assert missing["value"] == "、".join(f"{m}月" for m in range(4, 13))
    assert missing["table"] == "cases" and missing["file"] == FILE
    assert "年中运行" in missing["detail"]


def test_the_footers_dropped_are_named_with_their_sheet(tiny_unit):
    result = clean_file(tiny_unit)
    footers = [(n.sheet, n.row) for n in result.notices if n.code == "N202"]
    assert footers == [("1月", 5), ("2月", 5), ("3月", 4)]
    [bad] = result.quarantine
    assert (bad.code, bad.sheet, bad.row) == ("R102", "2月", 4)
    assert "工作表「2月」" in bad.message() and "第4行" in bad.message()


def test_chinese_and_zero_padded_month_names_are_read_in_month_order(tiny_unit):
    sheets = {
        "十二月": [[1, "A-012", "2025-12-01", 1, "吴十二", "化解成功"]],
        "一月": MONTHS["1月"],
        "02月": MONTHS["3月"],
    }
    path = tiny_unit.raw_dir / "other.xlsx"
    write_workbook(path, sheets)
    result = clean_file(tiny_unit, path)
    assert result.table["source_sheet"].tolist() == ["一月", "一月", "02月", "十二月"]
    assert result.table["row_id"].tolist() == ["cases-01-00003", "cases-01-00004", "cases-02-00003", "cases-12-00003"]
    [missing] = [n for n in result.notices if n.code == "N208"]
    assert missing.value == "、".join(f"{m}月" for m in range(3, 12))
    assert "在已有月份之间" in missing.detail  # 3月…11月 lie between 02月 and 十二月


def test_a_key_repeated_in_another_month_names_both_sheets(tiny_unit):
    sheets = {"1月": MONTHS["1月"], "2月": [[1, "A-001", "2025-02-07", 5, "郑六合", "未化解"]]}
    path = tiny_unit.raw_dir / "other.xlsx"
    write_workbook(path, sheets)
    result = clean_file(tiny_unit, path)
    r109 = sorted((p.sheet, p.row, p.detail) for p in result.quarantine if p.code == "R109")
    assert r109 == [("1月", 3, "与「2月」第3行编号相同但内容不同"), ("2月", 3, "与「1月」第3行编号相同但内容不同")]
    assert result.rows_quarantined == 2 and result.table["case_id"].tolist() == ["A-002"]


def test_a_row_copied_into_the_next_month_is_dropped_as_a_duplicate(tiny_unit):
    sheets = {"1月": MONTHS["1月"], "2月": [MONTHS["1月"][1], *MONTHS["2月"][:1]]}
    path = tiny_unit.raw_dir / "other.xlsx"
    write_workbook(path, sheets)
    result = clean_file(tiny_unit, path)
    assert [(n.sheet, n.row) for n in result.notices if n.code == "N203"] == [("2月", 3)]
    assert result.table["case_id"].tolist() == ["A-001", "A-002", "A-003"] and not result.quarantine


def test_a_single_sheet_ledger_keeps_its_ids_and_report(tmp_path):
    raw = make_unit(tmp_path, {"纠纷": MONTHS["1月"]}, LEDGERS.replace('sheet: "{month}月"', "sheet: 纠纷"))
    try:
        params = check_params({"year": YEAR, "raw_root": str(raw), "clean_root": str(tmp_path / "clean")})
        result = clean_file(params)
    finally:
        use_unit(SAMPLE_RAW)
    assert result.table["row_id"].tolist() == ["cases-00003", "cases-00004"]
    assert result.table["source_sheet"].tolist() == ["纠纷", "纠纷"]
    assert "sheets" not in result.report() and result.report()["sheet"] == "纠纷"
    assert not [n for n in result.notices if n.code == "N208"]
    assert row_id("cases", 3) == "cases-00003" and row_id("cases", 3, 12) == "cases-12-00003"


# ------------------------------------------------------------------ file problems


def test_a_pattern_matching_no_sheet_names_the_sheets_present(tiny_unit):
    problems = file_problems(tiny_unit, {"Sheet1": MONTHS["1月"], "一季度": MONTHS["2月"]})
    [problem] = problems
    assert problem.code == "F008" and problem.sheet == "{month}月"
    assert "现有工作表：说明、Sheet1、一季度" in problem.detail and "1月" in problem.detail


def test_a_month_whose_header_differs_is_named(tiny_unit):
    header = [*HEADER, "备注"]  # 2月 only (see write_workbook)
    sheets = {name: [[*row, ""] for row in rows] if name == "2月" else rows for name, rows in MONTHS.items()}
    problems = file_problems(tiny_unit, sheets, header)
    [problem] = problems
    assert (problem.code, problem.sheet, problem.row) == ("F011", "2月", 2)
    assert "多出列「备注」" in problem.detail and "「1月」" in problem.detail


def test_a_month_missing_a_required_column_is_named(tiny_unit):
    header = [h if h != "结果" else "处理结果" for h in HEADER]
    problems = file_problems(tiny_unit, MONTHS, header)
    assert [(p.code, p.sheet, p.column) for p in problems] == [("F012", "2月", "结果")]


def test_two_sheets_for_one_month_are_refused(tiny_unit):
    problems = file_problems(tiny_unit, {"1月": MONTHS["1月"], "3月": MONTHS["3月"], "03月": MONTHS["3月"]})
    assert [p.code for p in problems] == ["F010"]
    assert "「3月」「03月」" in problems[0].detail


# ------------------------------------------------------------------ back from a clean row to its raw cell


def test_the_raw_cell_of_a_march_row_is_found(tiny_unit):
    run_clean(tiny_unit)
    table = pd.read_parquet(tiny_unit.clean_dir / "cases.parquet")
    march = table[table["source_sheet"] == "3月"].iloc[0]
    raw = RawCells(tiny_unit.path(tiny_unit.raw_root), tiny_unit.path(tiny_unit.clean_root))
    cells = raw.row("cases", YEAR, march["source_file"], march["source_sheet"], march["source_row"])
    assert cells["case_id"] == "A-005" and cells["people"] == 4  # not 1月's row 3 (A-001)
    assert "party_key" not in cells  # personal columns are never read back
    assert raw.unavailable == {}
    grid = read_ledger_sheet(get_ledger("cases"), tiny_unit.raw_dir / FILE, "3月")
    assert (grid.sheet, grid.month, grid.rows[2][1]) == ("3月", 3, "A-005")


def test_the_personal_data_scan_reads_every_month(tiny_unit):
    raw_root = tiny_unit.path(tiny_unit.raw_root)
    assert {"赵一鸣", "孙三省", "周五岳"} <= personal_values(raw_root, YEAR)
    run_clean(tiny_unit)
    found = trace_values({"A-005"}, raw_root, tiny_unit.path(tiny_unit.clean_root), YEAR)
    # found in the raw 3月 sheet itself, not only through the clean row ("原始台账该单元格中未找到")
    assert [p for p in found["A-005"] if "工作表「3月」 / 第3行" in p and "未找到" not in p], found


def test_the_sheet_is_shown_as_one_per_month(tiny_unit):
    label = "每月一个工作表 (one sheet per month: 1月…12月)"
    assert get_ledger("cases").sheet_label == label
    assert label in _place_of("cases", YEAR)
    assert label in render()


# ------------------------------------------------------------------ the configuration


@pytest.mark.parametrize(
    ("sheet", "file", "words"),
    [
        ('"{mon}月"', '"{year}年纠纷台账.xlsx"', ["只能是一个 {month}", "'{mon}月'"]),
        ('"{month}月{month}"', '"{year}年纠纷台账.xlsx"', ["只能是一个 {month}"]),
        ('"{month}月"', '"纠纷导出_{year}.csv"', ["CSV 文件只有一张表", "sheet 写 null"]),
        ("{month}", '"{year}年纠纷台账.xlsx"', ["须加引号"]),
    ],
    ids=["other placeholder", "placeholder twice", "csv", "unquoted"],
)
def test_the_month_placeholder_is_checked(tmp_path, sheet, file, words):
    raw = tmp_path / "raw"
    (raw / "ledgers").mkdir(parents=True)
    (raw / "unit.yaml").write_text(UNIT, encoding="utf-8")
    ledgers = LEDGERS.replace('sheet: "{month}月"', f"sheet: {sheet}").replace(
        'file: "{year}年纠纷台账.xlsx"', f"file: {file}"
    )
    (raw / "ledgers" / "cases.yaml").write_text(ledgers, encoding="utf-8")
    with pytest.raises(UnitConfigError) as caught:
        load_unit(raw)
    message = str(caught.value)
    assert "[P307]" in message and "cases.yaml 第5行" in message  # the line of `sheet:`
    for word in words:
        assert word in message, (word, message)


def test_a_sheet_named_like_a_month_but_not_by_the_pattern_is_refused(tiny_unit):
    sheets = {("4月份" if name == "3月" else name): rows for name, rows in MONTHS.items()}
    problems = file_problems(tiny_unit, sheets)
    assert [(p.code, p.sheet) for p in problems] == [("F010", "4月份")]
    assert "不会被读取" in problems[0].detail


@pytest.mark.parametrize("label", ["本月合计", "小计", "本月合计：", "合  计"])
def test_a_total_row_written_another_way_is_dropped_as_a_footer(tiny_unit, label):
    path = tiny_unit.raw_dir / "2025年纠纷台账.xlsx"
    book = openpyxl.load_workbook(path)
    for name in ("1月", "2月", "3月"):
        sheet = book[name]
        sheet.cell(sheet.max_row, 1).value = label
    book.save(path)
    result = clean_file(tiny_unit)
    assert [(n.sheet, n.row) for n in result.notices if n.code == "N202"] == [("1月", 5), ("2月", 5), ("3月", 4)]
    assert [p.code for p in result.quarantine] == ["R102"]  # the planted bad date only, no total row
