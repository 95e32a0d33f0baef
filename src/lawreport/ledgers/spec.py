"""Declarative description of every ledger (台账): file, sheet, columns, types, vocabularies.

The cleaner, the sample generator, the Great Expectations suites and the data dictionary are all
derived from these specs, so a column is described once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal[
    "text",  # free text that is not personal: whitespace folded
    "code",  # identifier kept as a string (leading zeros kept), NFKC-normalised
    "int",  # a count; "3件" and "1,200" parse, "三" and "—" are reported
    "amount",  # money in yuan, >= 0; "1,200元" parses
    "date",  # many styles and Excel serials -> ISO date
    "month",  # a month number 1..12
    "year",  # a four-digit year
    "flag",  # 是/否/√/×/✓/Y/N/1/0 -> bool
    "category",  # a value from a closed vocabulary
    "person_name",  # personal: pseudonymised
    "id_number",  # personal: 18-digit 居民身份证号, checked then pseudonymised
    "phone",  # personal: mobile or landline, checked then pseudonymised
    "address",  # personal: pseudonymised
    "narrative",  # personal free text: never reaches clean data (hashed + length only)
]

PERSONAL_KINDS: frozenset[str] = frozenset({"person_name", "id_number", "phone", "address", "narrative"})

# The clean data contract, shared by the cleaner, the expectation suites and the data dictionary.
# Every clean table starts with these columns: the row's id and where it came from.
SOURCE_COLUMNS: tuple[str, ...] = ("row_id", "source_file", "source_sheet", "source_row")
# pandas dtype per column kind; every other kind (text, code, category, pseudonyms) is "string".
KIND_DTYPES: dict[str, str] = {
    "date": "datetime64[ms]",
    "int": "Int64",
    "month": "Int64",
    "year": "Int64",
    "amount": "Float64",
    "flag": "boolean",
}
# A ledger kept as one sheet per month (一月一表) names its sheets with this placeholder: `sheet: "{month}月"`.
MONTH_PLACEHOLDER = "{month}"
CHINESE_MONTHS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")
# Row rules a ledger may list in `checks`: rule name -> (later date column, earlier date column).
ROW_RULES: dict[str, tuple[str, str]] = {
    "closed_not_before_received": ("closed_date", "received_date"),
    "deadline_not_before_received": ("deadline", "received_date"),
    "closed_not_before_filed": ("closed_date", "filed_date"),
}


@dataclass(frozen=True)
class Column:
    """One column of a ledger sheet."""

    name: str  # snake_case name in clean data (personal columns get a `_key` suffix there)
    header: str  # the Chinese header as written in the file; "组|列" for a two-level header
    kind: Kind
    meaning: str
    required: bool = True  # the column must exist in the file
    nullable: bool = False  # an empty cell is allowed (otherwise the row is quarantined)
    allowed: tuple[str, ...] = ()  # closed vocabulary for kind == "category"
    aliases: tuple[str, ...] = ()  # other headers offices use for the same column
    key: bool = False  # unique row identifier within the ledger
    in_year: bool = False  # a date that must fall inside the report year
    fill_down: bool = False  # merged cells in this column are filled downwards (explicit rule)
    maximum: float | None = None  # an amount or count above this is absurd and reported

    @property
    def personal(self) -> bool:
        return self.kind in PERSONAL_KINDS

    @property
    def clean_name(self) -> str:
        return f"{self.name}_key" if self.personal else self.name

    @property
    def leaf(self) -> str:
        return self.header.split("|")[-1]

    @property
    def group(self) -> str | None:
        parts = self.header.split("|")
        return parts[0] if len(parts) == 2 else None


@dataclass(frozen=True)
class Ledger:
    """One ledger: a sheet of an .xlsx workbook, or a platform CSV export."""

    table: str  # clean table name; also the expectation suite's name
    title: str  # Chinese name of the ledger
    file: str  # file name inside data/raw/<year>/, with {year} for the report year
    sheet: str | None  # sheet name for .xlsx ("{month}月": one sheet per month); None for CSV
    keeper: str  # who keeps it (科室 or platform)
    description: str
    columns: tuple[Column, ...]
    multi_year: bool = False  # rows may belong to earlier years (no in-year date check)
    checks: tuple[str, ...] = field(default=())  # extra row rules, see ROW_RULES

    @property
    def fmt(self) -> str:
        return "csv" if self.file.lower().endswith(".csv") else "xlsx"

    def file_name(self, year: int) -> str:
        return self.file.format(year=year)

    @property
    def monthly(self) -> bool:
        """The ledger is kept as one sheet per month: its sheet name holds {month}."""
        return self.sheet is not None and MONTH_PLACEHOLDER in self.sheet

    def month_sheet_names(self, month: int) -> tuple[str, ...]:
        """The names month 1..12 may have: the pattern with 3, 03 or 三 (10, 十 …) put in."""
        assert self.sheet is not None and 1 <= month <= 12
        forms = (str(month), f"{month:02d}", CHINESE_MONTHS[month - 1])
        return tuple(dict.fromkeys(self.sheet.replace(MONTH_PLACEHOLDER, form) for form in forms))

    @property
    def sheet_label(self) -> str:
        """The sheet as a reader is told it: its name, or for a monthly ledger the months' names."""
        if not self.monthly:
            return self.sheet or ""
        first, last = self.month_sheet_names(1)[0], self.month_sheet_names(12)[0]
        return f"每月一个工作表 (one sheet per month: {first}…{last})"

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.table} has no column {name!r}")

    @property
    def key_column(self) -> Column | None:
        return next((c for c in self.columns if c.key), None)


def clean_dtypes(ledger: Ledger) -> dict[str, str]:
    """Column -> pandas dtype name of the clean table (source columns included)."""
    dtypes = {"row_id": "string", "source_file": "string", "source_sheet": "string", "source_row": "Int64"}
    for column in ledger.columns:
        dtypes[column.clean_name] = "string" if column.personal else KIND_DTYPES.get(column.kind, "string")
    return dtypes
