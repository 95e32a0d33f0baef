"""A two-case 行政处罚 sheet written by hand, as raw cells and as the clean rows they become: shared by the
tests of `lawreport explain` and of the appendix cards (raw value beside cleaned value)."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from lawreport.ledgers import get_ledger

YEAR = 2025
FILE = get_ledger("penalty_cases").file_name(YEAR)
SHEET = "行政处罚"
HEADERS = ["案件编号", "立案日期", "违法行为", "当事人", "结案日期", "罚没金额(元)"]
RAW_ROWS = [
    ["ZF-0001", 45658, "噪声扰民", "王某某", "2025.1.11", "1,200元"],
    ["ZF-0002", "2025-01-04", "占道经营", "李某", "2025-01-20", 300],
]
CLEAN_ROWS = [
    {
        "source_file": FILE,
        "source_sheet": SHEET,
        "source_row": 2,
        "case_no": "ZF-0001",
        "filed_date": "2025-01-01",
        "violation": "噪声扰民",
        "party_key": "P-abcdefgh",
        "closed_date": "2025-01-11",
        "fine_amount": 1200.0,
    },
    {
        "source_file": FILE,
        "source_sheet": SHEET,
        "source_row": 3,
        "case_no": "ZF-0002",
        "filed_date": "2025-01-04",
        "violation": "占道经营",
        "party_key": "P-ijklmnop",
        "closed_date": "2025-01-20",
        "fine_amount": 300.0,
    },
]


def write_penalty_sheet(folder: Path, rows: list[list[object]] = RAW_ROWS) -> Path:
    """The sheet as an office would save it, in `folder` (created), under the ledger's file name."""
    folder.mkdir(parents=True, exist_ok=True)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    workbook.save(folder / FILE)
    return folder / FILE
