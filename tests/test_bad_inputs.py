"""Every case of the team's bad-inputs checklist ("Files" and "Values"; the cases are written out
here, the test reads nothing outside the repository): a broken copy of the sample ledgers gives its error code with file, sheet, row and column, and leaves raw and previous clean data intact.
"""

from __future__ import annotations

import codecs
import html
import io
import json
import random
import re
import zipfile
from pathlib import Path

import msoffcrypto.format.ooxml
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from support import copy_year, edit_cells, ledger_path, locate, starts_pattern, tree_hashes, values_in

from lawreport.appendix import personal_values
from lawreport.ledgers import get_ledger
from lawreport.ledgers.errors import LedgerFileError
from lawreport.ledgers.values import id_check_digit
from lawreport.run.clean_step import clean_year, run_clean
from lawreport.run.pipeline import run_suite
from lawreport.storage import write_parquet

# ---------------------------------------------------------------- helpers


def file_error(params) -> LedgerFileError:
    with pytest.raises(LedgerFileError) as info:
        clean_year(params)
    return info.value


def codes(error: LedgerFileError) -> set[str]:
    return {p.code for p in error.problems}


def quarantined(params, table: str):
    summary = clean_year(params)
    result = next(r for r in summary.results if r.ledger.table == table)
    assert result.rows_read == result.rows_kept + result.rows_quarantined + sum(result.dropped.values())
    return result


def problem_at(result, row: int, code: str):
    hits = [p for p in result.quarantine if p.row == row and p.code == code]
    assert hits, [(p.row, p.code) for p in result.quarantine]
    return hits[0]


def workbook(params, table: str) -> tuple[openpyxl.Workbook, str]:
    path = ledger_path(params, table)
    return openpyxl.load_workbook(path), str(path)


def valid_id(first17: str) -> str:
    return first17 + id_check_digit(first17)


# ---------------------------------------------------------------- files


def test_missing_ledger(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    ledger_path(params, "law_exams").unlink()
    error = file_error(params)
    assert codes(error) == {"F001"}
    assert "学法考试台账" in str(error)


def test_empty_file(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    ledger_path(params, "law_exams").write_bytes(b"")
    assert codes(file_error(params)) == {"F002"}


def test_truncated_xlsx(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    path = ledger_path(params, "law_exams")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert codes(file_error(params)) == {"F003"}


def test_csv_renamed_to_xlsx_says_what_it_is(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    ledger_path(params, "law_exams").write_text("姓名,身份证号\n张三,1\n", encoding="utf-8")
    error = file_error(params)
    assert codes(error) == {"F004"} and "CSV" in str(error)


def test_xls_renamed_to_xlsx_says_what_it_is(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    ledger_path(params, "law_exams").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096)
    error = file_error(params)
    assert codes(error) == {"F004"} and ".xls" in str(error)


def test_password_protected_xlsx(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    path = ledger_path(params, "law_exams")
    office = msoffcrypto.format.ooxml.OOXMLFile(io.BytesIO(path.read_bytes()))
    encrypted = io.BytesIO()
    office.encrypt("secret", encrypted)
    path.write_bytes(encrypted.getvalue())
    assert codes(file_error(params)) == {"F005"}


def _rewrite_zip(path, change):
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            target.writestr(info, change(info.filename, data))
        return target


def test_xml_entity_bomb_is_refused_before_parsing(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    bomb = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'

    def inject(name, data):
        if name.startswith("xl/worksheets/sheet"):
            return data.replace(b"?>", b"?>" + bomb, 1) if data.startswith(b"<?xml") else bomb + data
        return data

    _rewrite_zip(ledger_path(params, "law_exams"), inject)
    assert codes(file_error(params)) == {"F006"}


def test_huge_uncompressed_size_is_refused_without_unpacking(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    with zipfile.ZipFile(ledger_path(params, "law_exams"), "a", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/media/padding.bin", "w", force_zip64=True) as member:
            block = b"\x00" * (1 << 20)
            for _ in range(210):
                member.write(block)
    assert codes(file_error(params)) == {"F006"}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_csv_exports_in_every_encoding_read_the_same(tmp_path, encoding):
    params = copy_year(tmp_path, 2025, tables=["hotline_complaints"])
    path = ledger_path(params, "hotline_complaints")
    expected = clean_year(params).results[0].table
    text = path.read_bytes().decode("gb18030")
    if encoding == "gbk":
        text = text.encode("gbk", errors="strict").decode("gbk")
    path.write_bytes(text.encode(encoding))
    assert clean_year(params).results[0].table.equals(expected)


def test_undecidable_encoding(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["hotline_complaints"])
    path = ledger_path(params, "hotline_complaints")
    path.write_bytes(path.read_bytes()[:200] + b"\xff\xff\xff" + codecs.BOM_UTF8[:1])
    assert codes(file_error(params)) == {"F007"}


def test_sheet_renamed(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    book, path = workbook(params, "law_exams")
    book["法治考试"].title = "法治考试名单"
    book.save(path)
    error = file_error(params)
    assert codes(error) == {"F008"} and "法治考试名单" in str(error)


def test_sheet_hidden(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    book, path = workbook(params, "law_exams")
    book["法治考试"].sheet_state = "hidden"
    book.save(path)
    assert codes(file_error(params)) == {"F009"}


def test_two_sheets_with_similar_names(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    book, path = workbook(params, "law_exams")
    copy = book.copy_worksheet(book["法治考试"])
    copy.title = "法治考试 (2)"
    book.save(path)
    assert codes(file_error(params)) == {"F010"}


def test_header_not_found(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    row, _ = locate(params, "law_exams", "staff_name")
    book, path = workbook(params, "law_exams")
    for cell in book["法治考试"][row - 1]:
        cell.value = "x"
    book.save(path)
    assert codes(file_error(params)) == {"F011"}


def test_headers_with_full_width_characters_and_stray_spaces_still_match(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    expected = clean_year(params).results[0].table
    row, col = locate(params, "law_exams", "staff_name")
    book, path = workbook(params, "law_exams")
    sheet = book["法治考试"]
    header = row - 1
    sheet.cell(header, col).value = " 姓　名 "
    _, score_col = locate(params, "law_exams", "score")
    sheet.cell(header, score_col).value = "考试成绩\u3000"
    book.save(path)
    assert clean_year(params).results[0].table.equals(expected)


def test_duplicate_column_names(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    row, _ = locate(params, "law_exams", "staff_name")
    book, path = workbook(params, "law_exams")
    sheet = book["法治考试"]
    sheet.cell(row - 1, sheet.max_column + 1).value = "姓名"
    book.save(path)
    error = file_error(params)
    assert codes(error) == {"F013"} and error.problems[0].column == "姓名"


def test_required_column_missing(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    _, col = locate(params, "law_exams", "passed")
    book, path = workbook(params, "law_exams")
    book["法治考试"].delete_cols(col)
    book.save(path)
    error = file_error(params)
    assert codes(error) == {"F012"} and error.problems[0].column == "是否合格"


# ---------------------------------------------------------------- nothing personal in any output

# How each kind of output file is read back as text before it is searched. Parquet is zstd-compressed, so its
# bytes never contain a value: it is decoded. A file type without a reader fails the scan (add it here).
TEXT_SUFFIXES = {".csv", ".txt", ".md", ".yaml", ".yml", ".py", ".log", ".svg", ".css", ".js", ".xml", ".lock"}
JSON_SUFFIXES = {".json", ".ipynb"}
HTML_SUFFIXES = {".html", ".htm"}
BINARY_SUFFIXES = {".png", ".gif", ".ico", ".otf", ".ttf", ".woff", ".woff2", ".jpg", ".jpeg"}  # searched as bytes
BASE64_RUN = re.compile(r"[A-Za-z0-9+/=\n]{200,}")  # embedded images: noise, not text
ID_PATTERN = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
MOBILE_PATTERN = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")


def json_leaves(data: object) -> list[str]:
    """Every key and scalar of a parsed JSON document, as text."""
    if isinstance(data, dict):
        return [text for key, value in data.items() for text in (str(key), *json_leaves(value))]
    if isinstance(data, list):
        return [text for item in data for text in json_leaves(item)]
    return [] if data is None else [str(data)]


def output_text(path: Path) -> str:
    """Everything a reader of the file could see, as text."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        table = pq.read_table(path)
        metadata = {k.decode(): v.decode(errors="replace") for k, v in (table.schema.metadata or {}).items()}
        parts = [str(table.schema), json.dumps(metadata, ensure_ascii=False)]
        for column in table.columns:
            parts.extend("" if v is None else str(v) for v in column.to_pylist())
        return "\n".join(parts)
    if suffix in JSON_SUFFIXES:  # parsed, so \uXXXX or \n escapes neither hide a value nor glue to it
        return "\n".join(json_leaves(json.loads(path.read_text(encoding="utf-8"))))
    if suffix in HTML_SUFFIXES:  # entities unescaped, so &#49;… cannot hide a value
        return html.unescape(path.read_text(encoding="utf-8"))
    if suffix in TEXT_SUFFIXES:
        return path.read_text(encoding="utf-8", errors="replace")
    if suffix in BINARY_SUFFIXES:
        return path.read_bytes().decode("utf-8", errors="replace")
    raise AssertionError(f"no reader for the output file type {suffix!r} ({path.name}): add one to output_text")


def personal_leaks(folders: list[Path], secrets: set[str]) -> tuple[list[str], set[str]]:
    """(findings, file types read) over every file under `folders`: any of `secrets`, any 18-digit ID number with
    a valid check digit, any mobile number. Findings name the file and what was found."""
    wanted = frozenset(value for value in secrets if len(value) >= 2)
    findings: list[str] = []
    suffixes: set[str] = set()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            suffixes.add(path.suffix.lower())
            text = output_text(path)
            name = str(path)
            hits = values_in(text, wanted)
            findings.extend(f"{name}: personal value {v!r}" for v in hits)
            text = BASE64_RUN.sub(" ", text)
            for match in ID_PATTERN.finditer(text):
                number = match.group(0).upper()
                if id_check_digit(number[:17]) == number[17]:
                    findings.append(f"{name}: ID number {number}")
            findings.extend(f"{name}: mobile number {m.group(0)}" for m in MOBILE_PATTERN.finditer(text))
    return findings, suffixes


def test_the_leak_scan_finds_every_secret_a_look_at_every_position_finds(tmp_path):
    """Secrets that are the start of another, or start inside another's match, or overlap it: each is found, as a
    look at every position of the text finds them; a text holding none gives nothing."""
    secrets = {"张三", "张三丰", "三丰路", "丰路12号", "李四", "四川", "川丙"}
    text = "甲张三丰路12号乙李四川丙张三"
    assert {v for i in range(len(text)) for v in secrets if text.startswith(v, i)} == secrets
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "a.txt").write_text(text, encoding="utf-8")
    assert personal_leaks([folder], secrets)[0] == [
        f"{folder / 'a.txt'}: personal value {v!r}" for v in sorted(secrets)
    ]
    (folder / "a.txt").write_text("张 三丰 李", encoding="utf-8")
    assert personal_leaks([folder], secrets)[0] == []
    assert starts_pattern([]) is None


def test_values_in_finds_what_a_search_for_each_value_finds():
    """`values_in` against `v in text` for each value: values that start others, overlap them, or stand alone where
    a longer one could start; one character long; regular-expression characters; longer than the trie is deep."""
    assert values_in("乙张三。", {"张三", "张三丰"}) == ["张三"]  # a value that ends where a longer one goes on
    assert values_in("a.b", {".", "a", "x"}) == [".", "a"]
    long = "长" * 600 + "尾"
    assert values_in("前" + long, {long, long[:-1] + "别"}) == [long]
    alphabet = "张三丰李四.*()[]|?^$\\\n 12"
    draw = random.Random(23)
    for _ in range(3000):
        values = {"".join(draw.choices(alphabet, k=draw.randint(1, 5))) for _ in range(draw.randint(1, 8))}
        text = "".join(draw.choices(alphabet, k=draw.randint(0, 40)))
        assert values_in(text, values) == sorted(v for v in values if v in text), (text, values)


SECRET_ID = valid_id("99050519900909123")
SECRET_PHONE = "19905050909"


def test_unexpected_personal_column_and_raw_personal_values_never_reach_clean_or_build_outputs(tmp_path):
    """A full run (clean, validate, figures, appendix) over a ledger with an unknown column of ID and phone
    numbers: neither they nor any value of the raw ledgers' personal columns is in any output file."""
    params = copy_year(tmp_path, 2025)
    row, _ = locate(params, "law_exams", "staff_name")
    book, path = workbook(params, "law_exams")
    sheet = book["法治考试"]
    id_col, phone_col = sheet.max_column + 1, sheet.max_column + 2
    sheet.cell(row - 1, id_col).value = "紧急联系人身份证号"
    sheet.cell(row - 1, phone_col).value = "紧急联系人电话"
    for r in range(row, row + 5):
        sheet.cell(r, id_col).value = SECRET_ID
        sheet.cell(r, phone_col).value = SECRET_PHONE
    book.save(path)
    run_suite(
        {"year": 2025, "raw_root": params.raw_root, "clean_root": params.clean_root, "build_root": params.build_root},
        say=lambda _: None,
    )
    report = json.loads((params.clean_dir / "clean_report.json").read_text(encoding="utf-8"))
    ignored = report["ledgers"]["law_exams"]["ignored_columns"]
    assert {"紧急联系人身份证号", "紧急联系人电话"} <= set(ignored)  # the columns were seen (N204) and left out
    secrets = {SECRET_ID, SECRET_PHONE} | personal_values(params.path(params.raw_root), 2025)
    assert len(secrets) > 1000  # the raw ledgers' names, ID numbers, phones and addresses
    findings, suffixes = personal_leaks([params.clean_dir, params.build_dir], secrets)
    assert {".parquet", ".json", ".html", ".ipynb"} <= suffixes
    assert findings == []
    # The ignored header names no column of the clean tables either.
    for item in params.clean_dir.glob("*.parquet"):
        assert "紧急联系人" not in output_text(item), item.name


@pytest.mark.parametrize("suffix", [".json", ".parquet", ".csv", ".html", ".ipynb", ".txt"])
def test_the_output_scan_finds_an_id_or_phone_planted_in_any_output_type(tmp_path, suffix):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    run_clean(params)
    clean, build = params.clean_dir, params.build_dir
    build.mkdir(parents=True)
    assert personal_leaks([clean, build], {SECRET_ID, SECRET_PHONE}) == ([], {".parquet", ".json"})
    report = clean / "clean_report.json"
    if suffix == ".json":  # an ID number written into clean_report.json, as the reviewer feared
        data = json.loads(report.read_text(encoding="utf-8"))
        data["notices"].append({"code": "N204", "value": SECRET_ID, "detail": f"联系电话 {SECRET_PHONE}"})
        report.write_text(json.dumps(data, ensure_ascii=True), encoding="utf-8")  # \u-escaped Chinese around it
        planted = report
    elif suffix == ".parquet":  # decoded by the scan, not searched as compressed bytes
        planted = clean / "law_exams.parquet"
        frame = pd.read_parquet(planted)
        frame.loc[0, "work_unit"] = f"{SECRET_ID} {SECRET_PHONE}"
        write_parquet(planted, frame)
    elif suffix == ".html":
        planted = build / "appendix.html"
        entities = "".join(f"&#{ord(c)};" for c in SECRET_ID)
        planted.write_text(f"<p>{entities}</p><td>{SECRET_PHONE}</td>", encoding="utf-8")
    elif suffix == ".ipynb":
        planted = build / "notebooks" / "10_clean.ipynb"
        planted.parent.mkdir()
        cell = {"cell_type": "code", "outputs": [{"output_type": "stream", "text": f"{SECRET_ID}\t{SECRET_PHONE}"}]}
        planted.write_text(json.dumps({"cells": [cell]}), encoding="utf-8")
    else:
        planted = build / f"export{suffix}"
        planted.write_text(f"身份证号,电话\n{SECRET_ID},{SECRET_PHONE}\n", encoding="utf-8")
    findings, suffixes = personal_leaks([clean, build], {SECRET_ID, SECRET_PHONE})
    assert suffix in suffixes
    assert findings and all(f.startswith(f"{planted}:") for f in findings), findings
    assert any(f"personal value {SECRET_ID!r}" in f for f in findings)
    assert any(f"ID number {SECRET_ID}" in f for f in findings)
    assert any(f"mobile number {SECRET_PHONE}" in f for f in findings)
    # Without the planted value in the secrets, the patterns alone still catch it.
    assert personal_leaks([clean, build], set())[0]


def test_the_output_scan_refuses_a_file_type_it_cannot_read(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "ledger.xlsx").write_bytes(b"PK\x03\x04")
    with pytest.raises(AssertionError, match="no reader"):
        personal_leaks([tmp_path / "out"], set())


def test_an_unexpected_column_is_ignored_with_a_notice_naming_it(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    expected = clean_year(params).results[0].table
    row, _ = locate(params, "law_exams", "staff_name")
    book, path = workbook(params, "law_exams")
    sheet = book["法治考试"]
    new_col = sheet.max_column + 1
    sheet.cell(row - 1, new_col).value = "备注说明"
    for r in range(row, row + 5):
        sheet.cell(r, new_col).value = "另行通知"
    book.save(path)
    [result] = run_clean(params).results
    notices = [p for p in result.notices if p.code == "N204"]
    assert [(p.file, p.sheet, p.row, p.column, p.level) for p in notices] == [
        (get_ledger("law_exams").file_name(2025), "法治考试", row - 1, "备注说明", "notice")
    ]
    assert "N204" in notices[0].message() and "备注说明" in notices[0].message()
    assert result.table.equals(expected)  # nothing of it reaches the clean table
    report = json.loads((params.clean_dir / "clean_report.json").read_text(encoding="utf-8"))
    assert report["ledgers"]["law_exams"]["ignored_columns"] == ["备注说明"]


def test_blank_rows_in_the_data_area_are_dropped_and_counted(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    before = quarantined(params, "law_exams")
    row, _ = locate(params, "law_exams", "staff_name", 3)
    book, path = workbook(params, "law_exams")
    sheet = book["法治考试"]
    width = sheet.max_column
    sheet.insert_rows(row, amount=2)  # two blank rows above the 4th data row
    for c in range(1, width + 1):
        sheet.cell(row + 1, c).value = "\u3000" if c % 2 else " "  # only spaces: blank too
    book.save(path)
    after = quarantined(params, "law_exams")
    assert after.dropped["N201"] == before.dropped.get("N201", 0) + 2
    assert after.rows_read == before.rows_read + 2
    assert (after.rows_kept, after.rows_quarantined) == (before.rows_kept, before.rows_quarantined)
    assert not {row, row + 1} & set(after.table.source_row)
    run_clean(params)
    report = json.loads((params.clean_dir / "clean_report.json").read_text(encoding="utf-8"))
    assert report["ledgers"]["law_exams"]["rows_dropped"]["N201"] == after.dropped["N201"]


def test_all_file_problems_are_reported_in_one_pass(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams", "petitions", "hotline_complaints"])
    ledger_path(params, "hotline_complaints").write_bytes(b"")
    book, path = workbook(params, "petitions")
    book["信访登记"].title = "信访登记表"
    book.save(path)
    assert codes(file_error(params)) == {"F002", "F008"}


# ---------------------------------------------------------------- values


def test_id_numbers_stored_as_numbers_are_reported_per_row(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    rows = edit_cells(params, "law_exams", [("staff_id_number", 0, 9.90101198001e17), ("staff_id_number", 4, 9.9e17)])
    result = quarantined(params, "law_exams")
    for row in rows:
        problem = problem_at(result, row, "R111")
        assert problem.column == "身份证号" and problem.sheet == "法治考试"
    assert result.rows_quarantined == 2


def test_id_number_faults(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    good = valid_id("99010119800101001")
    wrong_check = good[:17] + ("1" if good[17] != "1" else "2")
    rows = edit_cells(
        params,
        "law_exams",
        [
            ("staff_id_number", 0, wrong_check),
            ("staff_id_number", 1, "990101800101001"),
            ("staff_id_number", 2, valid_id("99010120300101001")),
            ("staff_id_number", 3, "９９" + good[2:]),  # full-width digits: normalised, accepted
        ],
    )
    result = quarantined(params, "law_exams")
    problem_at(result, rows[0], "R112")
    problem_at(result, rows[1], "R113")
    problem_at(result, rows[2], "R114")
    assert rows[3] in set(result.table.source_row)
    # The ID never appears, even in the quarantine report.
    assert all(good[:10] not in p.value and "99010119" not in p.value for p in result.quarantine)


@pytest.mark.parametrize(
    "raw",
    [
        "99010119800101001",  # 17 digits: the check digit is missing
        "9901011980010100123",  # 19 digits
        "99010119800101001Y",  # a letter other than X as check digit
        "990101198O0101001X",  # a letter O typed for a zero
        "990101-19800101-001",  # separators
    ],
)
def test_malformed_id_numbers(tmp_path, raw):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    rows = edit_cells(params, "law_exams", [("staff_id_number", 0, raw)])
    result = quarantined(params, "law_exams")
    problem = problem_at(result, rows[0], "R110")
    assert (problem.file, problem.sheet, problem.column) == (
        get_ledger("law_exams").file_name(2025),
        "法治考试",
        "身份证号",
    )
    assert "R110" in problem.message() and "校验位" in problem.detail
    assert raw[:10] not in problem.value  # a personal column: the value is masked, even when malformed
    assert rows[0] not in set(result.table.source_row)


def test_lower_case_x_is_accepted(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    first17 = next(f"99010119800101{i:03d}" for i in range(1000) if id_check_digit(f"99010119800101{i:03d}") == "X")
    rows = edit_cells(params, "law_exams", [("staff_id_number", 0, first17 + "x")])
    result = quarantined(params, "law_exams")
    assert rows[0] in set(result.table.source_row)


def test_codes_with_leading_zeros_stay_strings(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["villages"])
    rows = edit_cells(params, "villages", [("village_code", 0, "000231001001")])
    table = quarantined(params, "villages").table
    assert table.loc[table.source_row == rows[0], "village_code"].iloc[0] == "000231001001"


@pytest.mark.parametrize("raw", [45721, "2025年3月5日", "2025.3.5", "2025/3/5", "２０２５-０３-０５"])
def test_date_styles_are_all_read(tmp_path, raw):
    params = copy_year(tmp_path, 2025, tables=["joint_inspections"])
    rows = edit_cells(params, "joint_inspections", [("inspection_date", 0, raw)])
    table = quarantined(params, "joint_inspections").table
    assert table.loc[table.source_row == rows[0], "inspection_date"].iloc[0] == pd.Timestamp("2025-03-05")


def test_impossible_and_out_of_year_dates(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["petitions"])
    rows = edit_cells(
        params,
        "petitions",
        [("received_date", 0, "2025-02-30"), ("received_date", 1, "2024-12-31"), ("received_date", 2, "1900年1月1日")],
    )
    result = quarantined(params, "petitions")
    problem_at(result, rows[0], "R102")
    problem_at(result, rows[1], "R103")
    problem_at(result, rows[2], "R103")
    assert problem_at(result, rows[0], "R102").column == "受理|日期"


def test_counts_and_amounts_in_words_units_and_dashes(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["legal_adviser_log"])
    rows = edit_cells(
        params,
        "legal_adviser_log",
        [
            ("people_served", 0, "3件"),
            ("people_served", 1, "三"),
            ("people_served", 2, "—"),
            ("people_served", 3, " "),
            ("amount_recovered", 4, "1,200元"),
            ("amount_recovered", 5, "—"),
        ],
    )
    result = quarantined(params, "legal_adviser_log")
    table = result.table.set_index("source_row")
    assert table.loc[rows[0], "people_served"] == 3
    problem_at(result, rows[1], "R118")
    problem_at(result, rows[2], "R107")
    problem_at(result, rows[3], "R107")
    assert table.loc[rows[4], "amount_recovered"] == 1200.0
    assert pd.isna(table.loc[rows[5], "amount_recovered"])  # explicit rule: "—" in a nullable column is empty


@pytest.mark.parametrize("raw", ["也许", "2", 2, "待定"])
def test_unrecognised_yes_no_flags_are_quarantined_with_their_place(tmp_path, raw):
    params = copy_year(tmp_path, 2025, tables=["law_exams"])
    rows = edit_cells(params, "law_exams", [("passed", 1, raw), ("passed", 2, "√"), ("passed", 3, "N")])
    result = quarantined(params, "law_exams")
    problem = problem_at(result, rows[0], "R116")
    assert (problem.file, problem.sheet, problem.row, problem.column, problem.value, problem.table) == (
        get_ledger("law_exams").file_name(2025),
        "法治考试",
        rows[0],
        "是否合格",
        str(raw),
        "law_exams",
    )
    assert problem.level == "row" and "R116" in problem.message() and "是/否" in problem.detail
    assert rows[0] not in set(result.table.source_row)
    # Recognised spellings of the same flag are read, not quarantined.
    table = result.table.set_index("source_row")
    assert table.loc[rows[1], "passed"] == True and table.loc[rows[2], "passed"] == False  # noqa: E712
    run_clean(params)  # and quarantine.parquet says the same
    frame = pd.read_parquet(params.clean_dir / "quarantine.parquet")
    hits = frame[(frame.code == "R116") & (frame.row == rows[0])]
    assert hits[["file", "sheet", "column", "value"]].values.tolist() == [
        [get_ledger("law_exams").file_name(2025), "法治考试", "是否合格", str(raw)]
    ]


@pytest.mark.parametrize("raw", ["NA", "None", "來訪", "来 访x"])
def test_category_values_outside_the_vocabulary_name_the_closest(tmp_path, raw):
    params = copy_year(tmp_path, 2025, tables=["petitions"])
    rows = edit_cells(params, "petitions", [("channel", 0, raw)])
    problem = problem_at(quarantined(params, "petitions"), rows[0], "R108")
    assert "最接近" in problem.detail and problem.value == raw


def test_category_with_extra_spaces_is_accepted(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["petitions"])
    rows = edit_cells(params, "petitions", [("channel", 0, " 来访\u3000")])
    table = quarantined(params, "petitions").table
    assert table.loc[table.source_row == rows[0], "channel"].iloc[0] == "来访"


def test_empty_blank_and_missing_are_kept_apart(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["penalty_cases"])
    rows = edit_cells(
        params, "penalty_cases", [("closed_date", 0, None), ("closed_date", 1, "  "), ("case_no", 2, None)]
    )
    result = quarantined(params, "penalty_cases")
    table = result.table.set_index("source_row")
    assert pd.isna(table.loc[rows[0], "closed_date"]) and pd.isna(
        table.loc[rows[1], "closed_date"]
    )  # nullable: open case
    problem_at(result, rows[2], "R107")  # the key may not be empty


def test_merged_cells_in_the_data_area(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams", "mediators"])
    row, col = locate(params, "law_exams", "work_unit")
    book, path = workbook(params, "law_exams")
    book["法治考试"].merge_cells(start_row=row, start_column=col, end_row=row + 2, end_column=col)
    book.save(path)
    error = file_error(params)
    assert codes(error) == {"F014"} and error.problems[0].row == row and error.problems[0].column == "所在单位"


def test_merged_cells_with_a_fill_rule_are_filled_down(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["mediators"])
    row, col = locate(params, "mediators", "village")
    book, path = workbook(params, "mediators")
    sheet = book["调解队伍"]
    value = sheet.cell(row, col).value
    sheet.merge_cells(start_row=row, start_column=col, end_row=row + 2, end_column=col)
    book.save(path)
    table = quarantined(params, "mediators").table.set_index("source_row")
    assert [table.loc[r, "village"] for r in (row, row + 1, row + 2)] == [value] * 3


def test_same_case_number_with_different_content(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["penalty_cases"])
    first_row, col = locate(params, "penalty_cases", "case_no", 0)
    book, path = workbook(params, "penalty_cases")
    case_no = book["行政处罚"].cell(first_row, col).value
    book.close()
    rows = edit_cells(params, "penalty_cases", [("case_no", 5, case_no)])
    result = quarantined(params, "penalty_cases")
    problem_at(result, first_row, "R109")
    problem_at(result, rows[0], "R109")


def test_negative_and_absurd_amounts_and_closing_before_receiving(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["penalty_cases", "petitions"])
    rows = edit_cells(params, "penalty_cases", [("fine_amount", 0, -200), ("fine_amount", 1, 99_000_000)])
    prow = edit_cells(params, "petitions", [("closed_date", 0, "2025-01-01"), ("received_date", 0, "2025-06-01")])
    summary = clean_year(params)
    penalty = next(r for r in summary.results if r.ledger.table == "penalty_cases")
    petitions = next(r for r in summary.results if r.ledger.table == "petitions")
    problem_at(penalty, rows[0], "R105")
    problem_at(penalty, rows[1], "R106")
    problem_at(petitions, prow[0], "R117")


def test_markup_and_formulas_in_free_text_are_stored_as_plain_data(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["road_office"])
    payloads = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</td>", '=HYPERLINK("http://x","y")']
    rows = edit_cells(params, "road_office", [("location", i, text) for i, text in enumerate(payloads)])
    table = quarantined(params, "road_office").table.set_index("source_row")
    assert [table.loc[r, "location"] for r in rows] == payloads


def test_full_width_digits_in_phones(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["mediators"])
    base = copy_year(tmp_path / "base", 2025, tables=["mediators"])
    expected = quarantined(base, "mediators").table
    book, path = workbook(params, "mediators")
    row, col = locate(params, "mediators", "member_phone")
    sheet = book["调解队伍"]
    raw = str(sheet.cell(row, col).value)
    sheet.cell(row, col).value = raw.translate({ord(d): chr(ord(d) + 0xFEE0) for d in "0123456789"})
    book.save(path)
    table = quarantined(params, "mediators").table
    assert table.member_phone_key.tolist() == expected.member_phone_key.tolist()


def test_a_ledger_with_zero_rows_gives_true_zeros(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["escalated_petitions"])
    result = quarantined(params, "escalated_petitions")
    assert result.rows_kept == 0 and list(result.table.columns)[:4] == [
        "row_id",
        "source_file",
        "source_sheet",
        "source_row",
    ]


# ---------------------------------------------------------------- nothing lost


def test_a_failed_run_leaves_raw_and_previous_clean_data_untouched(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["law_exams", "penalty_cases"])
    run_clean(params)
    clean_before = tree_hashes(params.clean_dir)
    ledger_path(params, "penalty_cases").write_bytes(b"")
    raw_before = tree_hashes(params.raw_dir)
    with pytest.raises(LedgerFileError):
        run_clean(params)
    assert tree_hashes(params.raw_dir) == raw_before
    assert tree_hashes(params.clean_dir) == clean_before
    assert not list(params.clean_dir.parent.glob(".*staging*"))


def test_row_problems_name_file_sheet_row_column_value_and_code(tmp_path):
    params = copy_year(tmp_path, 2025, tables=["petitions"])
    rows = edit_cells(params, "petitions", [("received_date", 3, "2025-02-30")])
    problem = problem_at(quarantined(params, "petitions"), rows[0], "R102")
    message = problem.message()
    ledger = get_ledger("petitions")
    for part in (
        ledger.file_name(2025),
        "信访登记",
        f"第{rows[0]}行",
        "受理|日期",
        "2025-02-30",
        "R102",
        "impossible date",
    ):
        assert part in message
