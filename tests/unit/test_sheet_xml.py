"""reading.py on hand-written sheet XML: what python-calamine reads as '' (formulas without a cached
value, error cells) comes back as CellFault; the workbook's date system is read from workbook.xml."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from lawreport.ledgers import reading
from lawreport.ledgers.reading import CellFault, read_xlsx_sheet
from lawreport.ledgers.values import parse_date

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def make_xlsx(path: Path, sheet_data: str, workbook_pr: str = "", prefix: str = "") -> Path:
    """A minimal workbook with one sheet "S"; style 1 is a date format (numFmtId 14)."""
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">{workbook_pr}'
            '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="/xl/worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/></Relationships>'
        ),
        "xl/styles.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}">'
            '<fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {ns}><{p}sheetData>'
            f"{sheet_data}</{p}sheetData></{p}worksheet>"
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def test_formula_cells_without_any_cached_value(tmp_path):
    sheet = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1"><f>SUM(1,2)</f></c>'
        '<c r="C1" t="str"><f>A1</f></c><c r="D1"><f>1+1</f><v>2</v></c><c r="E1" t="str"><f>""</f><v></v></c></row>'
        '<row r="4"><c r="F4"><f>B1*2</f></c></row>'  # outside calamine's range: calamine leaves it out
    )
    grid = read_xlsx_sheet(make_xlsx(tmp_path / "f.xlsx", sheet), "S")
    assert grid.rows[0][:5] == ["a", CellFault("R119", "=SUM(1,2)"), CellFault("R119", "=A1"), 2.0, ""]
    assert grid.rows[3][5] == CellFault("R119", "=B1*2")
    assert grid.faults == 3


def test_shared_formulas_rows_without_references_and_prefixed_elements(tmp_path):
    sheet = (
        '<x:row><x:c><x:v>1</x:v></x:c><x:c t="e"><x:v>#REF!</x:v></x:c></x:row>'
        '<x:row><x:c><x:f t="shared" si="0" ref="A2:A3">B1*2</x:f></x:c><x:c><x:v>3</x:v></x:c></x:row>'
        '<x:row><x:c><x:f t="shared" si="0"/></x:c></x:row>'
    )
    grid = read_xlsx_sheet(make_xlsx(tmp_path / "s.xlsx", sheet, prefix="x"), "S")
    assert grid.rows[0] == [1.0, CellFault("R120", "#REF!")]
    assert grid.rows[1][0] == CellFault("R119", "=B1*2")
    assert grid.rows[2][0] == CellFault("R119", "=B1*2")


@pytest.mark.parametrize("literal", ["#N/A", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA", "#SPILL!"])
def test_error_cells_keep_their_literal(tmp_path, literal):
    sheet = f'<row r="1"><c r="A1"><v>7</v></c><c r="B1" t="e"><f>X()</f><v>{literal}</v></c></row>'
    path = make_xlsx(tmp_path / "e.xlsx", sheet)
    before = path.read_bytes()
    grid = read_xlsx_sheet(path, "S")
    assert grid.rows == [[7.0, CellFault("R120", literal)]]
    assert path.read_bytes() == before


def test_sheets_without_formulas_are_not_parsed_twice(tmp_path, monkeypatch):
    def refuse(*_args):
        raise AssertionError("the sheet XML was parsed")

    monkeypatch.setattr(reading, "_faults_in", refuse)
    monkeypatch.setattr(reading, "_scan_with_expat", refuse)
    sheet = '<row r="1"><c r="A1" t="inlineStr"><is><t>formula f=ma</t></is></c><c r="B1"><v>1</v></c></row>'
    grid = read_xlsx_sheet(make_xlsx(tmp_path / "plain.xlsx", sheet), "S")
    assert grid.rows == [["formula f=ma", 1.0]] and grid.faults == 0


# ---------------------------------------------------------------- the 1904 date system


@pytest.mark.parametrize(
    ("workbook_pr", "date1904"),
    [
        ("", False),
        ('<workbookPr date1904="0"/>', False),
        ('<workbookPr date1904="1"/>', True),
        ('<workbookPr date1904="true"/>', True),
        ('<workbookPr date1904="false"/>', False),
    ],
)
def test_serials_count_from_the_workbooks_epoch(tmp_path, workbook_pr, date1904):
    # 45721 is 2025-03-05 in the 1900 system and 2029-03-06 in the 1904 system; 44259 is 2025-03-05 in 1904.
    sheet = (
        '<row r="1"><c r="A1" s="1"><v>45721</v></c><c r="B1"><v>45721</v></c>'
        '<c r="C1"><v>44259</v></c><c r="D1" t="inlineStr"><is><t>44259</t></is></c></row>'
    )
    grid = read_xlsx_sheet(make_xlsx(tmp_path / "d.xlsx", sheet, workbook_pr), "S")
    assert grid.date1904 is date1904
    formatted, plain, plain_1904, text_1904 = grid.rows[0]
    # A date-formatted cell: python-calamine converts it with the workbook's epoch.
    assert formatted == (dt.date(2029, 3, 6) if date1904 else dt.date(2025, 3, 5))
    # A plain number: parse_date uses the epoch the grid reports.
    assert parse_date(plain, grid.date1904) == formatted
    assert parse_date(plain_1904, grid.date1904) == (dt.date(2025, 3, 5) if date1904 else dt.date(2021, 3, 4))
    assert parse_date(text_1904, grid.date1904) == parse_date(plain_1904, grid.date1904)


def test_serials_default_to_the_1900_epoch():
    assert parse_date(45721) == dt.date(2025, 3, 5)
    assert parse_date(45721, date1904=True) == dt.date(2029, 3, 6)
    assert parse_date(44259, date1904=True) == dt.date(2025, 3, 5)


def fault_sheet(rows: int) -> str:
    """Rows of cached formulas with, here and there, every kind of fault and of non-fault."""
    out = []
    for r in range(1, rows + 1):
        row = [f'<c r="A{r}"><f>ROW()-1</f><v>{r - 1}</v></c>']
        if r % 7 == 0:
            row.append(f'<c r="B{r}"><f>A{r}&amp;"&lt;x&gt;"</f></c>')  # no cached value
        if r % 11 == 0:
            row.append(f'<c r="C{r}" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
        if r % 13 == 0:
            row.append(f'<c r="D{r}" t="str"><f>""</f><v></v></c>')  # a cached empty string: fine
        if r % 17 == 0:
            row.append(f'<c r="E{r}" t="e"><v>#SPILL!</v></c>')
        if r == 5:
            row.append('<c r="F5"><f t="shared" ref="F5:F9" si="3">A5*2</f><v>8</v></c>')
        if 5 < r <= 9:
            row.append(f'<c r="F{r}"><f t="shared" si="3"/></c>')
        if r % 19 == 0:
            row.append(f'<c r="G{r}"><f>SUM(A1)</f><v/></c>')  # as openpyxl saves it
        if r == 23:
            row.append('<c r="H23" t="e"></c><c r="I23" t="e"/><c r="J23" t="e"><f>NA()</f></c>')
        out.append(f'<row r="{r}">' + "".join(row) + "</row>")
    return "".join(out)


def test_the_byte_pattern_scan_agrees_with_the_expat_scan(tmp_path, monkeypatch):
    path = make_xlsx(tmp_path / "many.xlsx", fault_sheet(3000))  # several 64 KiB chunks
    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as archive:
        slow = reading._scan_with_expat(archive, part)
        monkeypatch.setattr(reading, "_FaultScanner", None)  # the fast path must not need it
        fast = reading.scan_sheet_faults(archive, part)
    assert fast == slow
    assert fast[(6, 1)] == CellFault("R119", '=A7&"<x>"')
    assert fast[(10, 2)] == CellFault("R120", "#DIV/0!") and fast[(16, 4)] == CellFault("R120", "#SPILL!")
    assert fast[(7, 5)] == CellFault("R119", "=A5*2") and fast[(18, 6)] == CellFault("R119", "=SUM(A1)")
    assert (12, 3) not in fast and (4, 5) not in fast
    assert [fast[(22, c)] for c in (7, 8, 9)] == [
        CellFault("R120", "#(未知错误值)"),
        CellFault("R120", "#(未知错误值)"),
        CellFault("R119", "=NA()"),
    ]
    assert len(fast) == 3000 // 7 + 3000 // 11 + 3000 // 17 + 4 + 3000 // 19 + 3
