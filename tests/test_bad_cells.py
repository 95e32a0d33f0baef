"""BAD-INPUTS.md "Values", the cell-level cases: formulas saved without a cached value and Excel
error values (R119, R120), workbooks in the 1904 date system, invisible characters (N206) and
personal data typed into columns that are not personal (N207). Broken copies of the sample ledgers
are made the way tests/test_bad_inputs.py makes them.
"""

from __future__ import annotations

import json
import zipfile

import openpyxl
import pandas as pd
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from support import copy_year, edit_cells, ledger_path, locate, tree_hashes
from test_bad_inputs import quarantined, valid_id

from lawreport.ledgers import get_ledger
from lawreport.ledgers.personal import luhn_ok
from lawreport.run.clean_step import run_clean

# ---------------------------------------------------------------- helpers


def write_cells(params, table: str, edits: list[tuple[str, int, object]], data_type: str | None = None) -> list[int]:
    """Like support.edit_cells, but the cell keeps (or gets) a formula or error type: openpyxl saves
    a formula with an empty `<v/>` (no cached value), as some tools do."""
    ledger = get_ledger(table)
    targets = [(locate(params, table, column, data_row), value) for column, data_row, value in edits]
    path = ledger_path(params, table)
    book = openpyxl.load_workbook(path)
    sheet = book[ledger.sheet]
    for (row, col), value in targets:
        cell = sheet.cell(row=row, column=col)
        cell.value = value
        if data_type is not None:
            cell.data_type = data_type
    book.save(path)
    return [row for (row, _), _ in targets]


def only_problem(result, row: int):
    hits = [p for p in result.quarantine if p.row == row]
    assert len(hits) == 1, [p.message() for p in hits]
    return hits[0]


# ---------------------------------------------------------------- R119 / R120


def test_formula_without_cached_value_is_its_own_problem_in_required_and_nullable_columns(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["petitions"])
    raw_before = tree_hashes(params.raw_dir)
    rows = write_cells(
        params,
        "petitions",
        [("case_no", 0, '=A3&"-1"'), ("closed_date", 1, "=TODAY()"), ("petitioner_phone", 2, '="13800000000"')],
    )
    raw_edited = tree_hashes(params.raw_dir)
    result = quarantined(params, "petitions")
    required = only_problem(result, rows[0])
    assert (required.code, required.file, required.sheet, required.column, required.value) == (
        "R119",
        "2025年信访事项登记台账.xlsx",
        "信访登记",
        "信访件编号",
        '=A3&"-1"',
    )
    nullable = only_problem(result, rows[1])  # a nullable column: not silently NULL
    assert (nullable.code, nullable.column, nullable.value) == ("R119", "办结|日期", "=TODAY()")
    personal = only_problem(result, rows[2])  # the formula of a personal column is not shown
    assert personal.code == "R119" and "13800000000" not in personal.value
    assert "formula cell without a cached value" in required.message()
    assert result.rows_quarantined == 3 and not set(rows) & set(result.table.source_row)
    assert tree_hashes(params.raw_dir) == raw_edited != raw_before  # the raw file is only read


def test_excel_error_values_are_their_own_problem(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["petitions"])
    rows = write_cells(params, "petitions", [("channel", 0, "#N/A"), ("closed_date", 1, "#DIV/0!")])
    rows += write_cells(params, "petitions", [("deadline", 2, "#REF!"), ("closed_date", 3, "#VALUE!")], "e")
    result = quarantined(params, "petitions")
    found = [(p.code, p.column, p.value) for p in (only_problem(result, r) for r in rows)]
    assert found == [
        ("R120", "受理|方式", "#N/A"),
        ("R120", "办结|日期", "#DIV/0!"),
        ("R120", "办理期限", "#REF!"),
        ("R120", "办结|日期", "#VALUE!"),
    ]
    problem = only_problem(result, rows[0])
    assert problem.sheet == "信访登记" and problem.file == "2025年信访事项登记台账.xlsx"
    assert "Excel error value" in problem.message() and f"第{rows[0]}行" in problem.message()
    assert result.rows_quarantined == 4


def test_error_values_calamine_does_not_know_do_not_stop_the_run(tmp_path):
    """python-calamine refuses a whole sheet holding #GETTING_DATA or #SPILL!: read as R120 instead."""
    params = copy_year(tmp_path, 2025, tables=["petitions"])
    base = quarantined(params, "petitions")
    rows = write_cells(params, "petitions", [("category", 0, "#GETTING_DATA"), ("closed_date", 1, "#SPILL!")], "e")
    result = quarantined(params, "petitions")
    assert [(only_problem(result, r).code, only_problem(result, r).value) for r in rows] == [
        ("R120", "#GETTING_DATA"),
        ("R120", "#SPILL!"),
    ]
    assert result.rows_kept == base.rows_kept - 2 and result.rows_read == base.rows_read


def test_error_literals_in_a_csv_export(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["hotline_complaints"])
    path = ledger_path(params, "hotline_complaints")
    lines = path.read_bytes().decode("gb18030").splitlines(keepends=True)
    cells = lines[1].split(",")
    cells[6] = "#N/A"  # 回复时间, nullable
    lines[1] = ",".join(cells)
    cells = lines[2].split(",")
    cells[7] = "#DIV/0!\r\n" if cells[7].endswith("\r\n") else "#DIV/0!\n"  # 办理状态
    lines[2] = ",".join(cells)
    path.write_bytes("".join(lines).encode("gb18030"))
    result = quarantined(params, "hotline_complaints")
    first, second = only_problem(result, 2), only_problem(result, 3)
    assert (first.code, first.file, first.sheet, first.column, first.value) == (
        "R120",
        "12345热线工单导出_2025.csv",
        "",
        "回复时间",
        "#N/A",
    )
    assert (second.code, second.column, second.value) == ("R120", "办理状态", "#DIV/0!")
    assert result.rows_quarantined == 2


def test_text_that_only_looks_like_a_formula_stays_data(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["road_office"])
    rows = edit_cells(params, "road_office", [("location", 0, "=SUM(A1:A3)"), ("location", 1, "#1号楼")])
    table = quarantined(params, "road_office").table.set_index("source_row")
    assert [table.loc[r, "location"] for r in rows] == ["=SUM(A1:A3)", "#1号楼"]


# ---------------------------------------------------------------- the 1904 date system


def test_a_workbook_in_the_1904_date_system_cleans_to_the_same_dates(tmp_path):
    """The same ledger saved in the 1904 date system: date-formatted cells and plain serials (44259 =
    2025-03-05 counted from 1904-01-01) give the dates of the 1900 original, not dates four years early."""
    base = copy_year(tmp_path / "base", 2025, tables=["joint_inspections"])
    expected_rows = edit_cells(base, "joint_inspections", [("inspection_date", 0, 45721)])  # 1900 serial
    expected = quarantined(base, "joint_inspections").table

    params = copy_year(tmp_path / "mac", 2025, tables=["joint_inspections"])
    targets = [locate(params, "joint_inspections", "inspection_date", 0)]
    path = ledger_path(params, "joint_inspections")
    book = openpyxl.load_workbook(path)
    book.epoch = CALENDAR_MAC_1904  # openpyxl rewrites every date-formatted cell as a 1904 serial
    sheet = book[get_ledger("joint_inspections").sheet]
    (row, col) = targets[0]
    for cell in sheet.iter_rows(min_row=row, min_col=col, max_col=col):
        if isinstance(cell[0].value, (int, float)):  # the sample's plain serials, moved to the 1904 epoch
            cell[0].value -= 1462
    sheet.cell(row=row, column=col).value = 44259  # a plain number, no date format
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        assert b'date1904="1"' in archive.read("xl/workbook.xml")

    result = quarantined(params, "joint_inspections")
    assert [r for r, _ in targets] == expected_rows
    table = result.table.set_index("source_row")
    assert table.loc[expected_rows[0], "inspection_date"] == pd.Timestamp("2025-03-05")
    assert result.table.equals(expected)
    assert result.rows_quarantined == 0


def test_a_1904_serial_outside_the_report_year_is_still_reported(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["joint_inspections"])
    targets = [locate(params, "joint_inspections", "inspection_date", 0)]
    path = ledger_path(params, "joint_inspections")
    book = openpyxl.load_workbook(path)
    book.epoch = CALENDAR_MAC_1904
    book[get_ledger("joint_inspections").sheet].cell(*targets[0]).value = 45721  # 2029-03-06 in 1904
    book.save(path)
    problem = only_problem(quarantined(params, "joint_inspections"), targets[0][0])
    assert (problem.code, problem.column) == ("R103", "检查日期") and "2029-03-06" in problem.detail


# ---------------------------------------------------------------- invisible characters (N206)


def cell_value(params, table: str, column: str, data_row: int):
    row, col = locate(params, table, column, data_row)
    book = openpyxl.load_workbook(ledger_path(params, table), read_only=True)
    value = book[get_ledger(table).sheet].cell(row, col).value
    book.close()
    return value


def notices(result, code: str) -> dict[str, object]:
    return {p.column: p for p in result.notices if p.code == code}


def test_invisible_characters_are_removed_and_counted_so_ids_and_groups_still_match(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["petitions"])
    base = quarantined(params, "petitions")
    first_no = cell_value(params, "petitions", "case_no", 0)
    name = cell_value(params, "petitions", "petitioner", 1)
    rows = edit_cells(
        params,
        "petitions",
        [
            ("case_no", 5, first_no + "\u200b"),  # the same id as row 0, with a zero-width space
            ("channel", 2, "\ufeff来访\u200d"),  # category: BOM and zero-width joiner
            ("petitioner", 3, name + "\u2060\u202e"),  # personal: the pseudonym must not change
            ("petitioner", 1, "\u00ad" + name),
        ],
    )
    first_row = locate(params, "petitions", "case_no", 0)[0]
    result = quarantined(params, "petitions")
    # The duplicate id is found again (it was hidden by the zero-width space): both rows are R109.
    assert {p.row for p in result.quarantine if p.code == "R109"} == {first_row, rows[0]}
    assert {p.code for p in result.quarantine} == {"R109"}
    table = result.table.set_index("source_row")
    assert table.loc[rows[1], "channel"] == "来访"
    assert table.loc[rows[2], "petitioner_key"] == table.loc[rows[3], "petitioner_key"]
    assert table.loc[rows[3], "petitioner_key"] == base.table.set_index("source_row").loc[rows[3], "petitioner_key"]
    found = notices(result, "N206")
    assert set(found) == {"信访件编号", "受理|方式", "信访人|姓名"}
    assert (found["信访件编号"].value, found["受理|方式"].value, found["信访人|姓名"].value) == ("1", "1", "2")
    assert "U+200B" in found["信访件编号"].detail and f"第{rows[0]}行" in found["信访件编号"].detail
    assert "U+202E" in found["信访人|姓名"].detail and "共删除 3 个" in found["信访人|姓名"].detail
    assert name not in str([p.to_dict() for p in result.notices])
    assert found["受理|方式"].file == "2025年信访事项登记台账.xlsx" and found["受理|方式"].sheet == "信访登记"
    assert result.rows_read == base.rows_read and result.rows_quarantined == 2


def test_a_group_key_with_a_zero_width_space_stays_one_group_and_the_notice_reaches_the_clean_report(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["legal_adviser_log"])
    base = quarantined(params, "legal_adviser_log").table
    first, second = (cell_value(params, "legal_adviser_log", "village", i) for i in (0, 1))
    rows = edit_cells(
        params, "legal_adviser_log", [("village", 0, first + "\u200b"), ("village", 1, f" {second}\u200c")]
    )
    summary = run_clean(params)
    result = summary.results[0]
    assert result.table.village.value_counts().to_dict() == base.village.value_counts().to_dict()
    assert result.rows_kept == len(base) and result.rows_quarantined == 0
    report = json.loads((params.clean_dir / "clean_report.json").read_text(encoding="utf-8"))
    n206 = [n for n in report["notices"] if n["code"] == "N206"]
    assert len(n206) == 1 and n206[0]["column"] == "服务村(居)" and n206[0]["value"] == "2"
    assert (
        n206[0]["table"] == "legal_adviser_log" and n206[0]["label"] == "删除不可见字符 (invisible characters removed)"
    )
    assert f"第{rows[0]}、{rows[1]}行" in n206[0]["detail"]


def test_invisible_characters_in_a_csv_export_and_in_a_header(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["hotline_complaints"])
    expected = quarantined(params, "hotline_complaints").table
    path = ledger_path(params, "hotline_complaints")
    lines = path.read_bytes().decode("gb18030").splitlines(keepends=True)
    lines[0] = lines[0].replace("工单编号", "工单\u200b编号", 1)
    lines[1] = "\u2066" + lines[1].replace(",网络问政,", ",网络问政\u200b,", 1)
    path.write_bytes("".join(lines).encode("gb18030"))
    result = quarantined(params, "hotline_complaints")
    assert result.table.equals(expected)
    found = notices(result, "N206")
    assert set(found) == {"工单编号", "来源渠道"} and found["工单编号"].sheet == ""


# ---------------------------------------------------------------- personal data in other columns (N207)

ADULT_ID = valid_id("99010119800101001")
OTHER_ADULT_ID = valid_id("99010119751231004")
MOBILE = "13912345678"


def luhn_number(prefix: str) -> str:
    """prefix + the Luhn check digit: a number shaped like a bank card."""
    return next(prefix + d for d in "0123456789" if luhn_ok(prefix + d))


CARD = luhn_number("622202123456789")


def test_personal_data_typed_into_text_columns_is_masked_with_a_notice(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["legacy_cases", "publicity_events"])
    full_width_mobile = MOBILE.translate({ord(d): chr(ord(d) + 0xFEE0) for d in "0123456789"})
    rows = edit_cells(
        params,
        "legacy_cases",
        [
            ("title", 0, f"张某(身份证{ADULT_ID})反映宅基地问题，电话{full_width_mobile}"),
            ("title", 1, "联系人 139 1234 5678，邮箱 zhang.san@example.com"),
            ("title", 2, f"老号码 110105491231002，工资卡 {CARD[:4]} {CARD[4:8]} {CARD[8:12]} {CARD[12:]}"),
        ],
    )
    prow = edit_cells(params, "publicity_events", [("location", 0, "文化广场(报名电话 0571-88889999)")])
    summary = run_clean(params)
    legacy, events = (
        next(r for r in summary.results if r.ledger.table == t) for t in ("legacy_cases", "publicity_events")
    )
    table = legacy.table.set_index("source_row")
    assert table.loc[rows[0], "title"] == "张某(身份证[已遮蔽:身份证号])反映宅基地问题，电话[已遮蔽:电话]"
    assert table.loc[rows[1], "title"] == "联系人 [已遮蔽:电话]，邮箱 [已遮蔽:电子邮箱]"
    assert table.loc[rows[2], "title"] == "老号码 [已遮蔽:身份证号]，工资卡 [已遮蔽:银行卡号]"
    assert events.table.set_index("source_row").loc[prow[0], "location"] == "文化广场(报名电话 [已遮蔽:电话])"
    # One notice per cell, naming file, sheet, row and column; the value shown is the masked one.
    n207 = {p.row: p for p in legacy.notices if p.code == "N207"}
    assert set(n207) == set(rows)
    first = n207[rows[0]]
    assert (first.file, first.sheet, first.column, first.table) == (
        "2025年信访事项登记台账.xlsx",
        "历史遗留问题",
        "问题名称",
        "legacy_cases",
    )
    assert first.value == table.loc[rows[0], "title"] and "身份证号×1、电话×1" in first.detail
    assert [p.row for p in events.notices if p.code == "N207"] == prow
    # Rows are kept, and the numbers are nowhere in the clean outputs.
    assert legacy.rows_quarantined == 0 and set(rows) <= set(legacy.table.source_row)
    for item in params.clean_dir.iterdir():
        text = pd.read_parquet(item).to_csv() if item.suffix == ".parquet" else item.read_text(encoding="utf-8")
        for secret in (ADULT_ID, MOBILE, "88889999", "110105491231002", "zhang.san", f"{CARD[8:12]} {CARD[12:]}"):
            assert secret not in text, (item.name, secret)
    report = json.loads((params.clean_dir / "clean_report.json").read_text(encoding="utf-8"))
    assert sorted(n["row"] for n in report["notices"] if n["code"] == "N207") == sorted([*rows, *prow])


def test_code_columns_mask_only_id_numbers_and_keep_duplicates_apart(tmp_path):
    """A code that looks like a phone, a landline or a region+date serial is a code; an adult's ID
    number typed into a code column is masked with its keyed pseudonym, so duplicates still match."""
    params = copy_year(tmp_path, 2025, tables=["petitions"])
    serial = valid_id("33010220250305000")  # region + a 2025 date + sequence, check digit right by chance
    rows = edit_cells(
        params,
        "petitions",
        [
            ("case_no", 0, ADULT_ID),
            ("case_no", 1, OTHER_ADULT_ID),
            ("case_no", 2, MOBILE),
            ("case_no", 3, "057188889999"),
            ("case_no", 4, serial),
            ("case_no", 6, ADULT_ID.lower()),  # the same number again: a duplicate key
        ],
    )
    result = quarantined(params, "petitions")
    table = result.table.set_index("source_row")
    masked = table.loc[rows[1], "case_no"]
    assert masked.startswith("[已遮蔽:身份证号:ID-") and OTHER_ADULT_ID not in masked
    assert [table.loc[r, "case_no"] for r in rows[2:5]] == [MOBILE, "057188889999", serial]
    r109 = [p for p in result.quarantine if p.code == "R109"]
    assert {p.row for p in r109} == {rows[0], rows[5]} and all(ADULT_ID not in p.value for p in r109)
    assert sorted(p.row for p in result.notices if p.code == "N207") == [rows[0], rows[1], rows[5]]
    assert result.rows_quarantined == 2


def test_a_quarantined_value_shows_personal_data_masked(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["road_office"])
    rows = edit_cells(params, "road_office", [("issue_type", 0, f"占道经营 {MOBILE}")])
    problem = only_problem(quarantined(params, "road_office"), rows[0])
    assert problem.code == "R108" and problem.value == "占道经营 [已遮蔽:电话]"
    assert MOBILE not in problem.message()
