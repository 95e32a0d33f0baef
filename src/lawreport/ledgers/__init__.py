"""All ledgers the suite reads, in the order they are cleaned."""

from __future__ import annotations

from . import basics, enforcement, governance, mediation, petitions, publicity, security, stewards, study
from .spec import KIND_DTYPES, PERSONAL_KINDS, ROW_RULES, SOURCE_COLUMNS, Column, Ledger, clean_dtypes

ALL_LEDGERS: tuple[Ledger, ...] = (
    *study.LEDGERS,
    *publicity.LEDGERS,
    *basics.LEDGERS,
    *petitions.LEDGERS,
    *mediation.LEDGERS,
    *stewards.LEDGERS,
    *security.LEDGERS,
    *enforcement.LEDGERS,
    *governance.LEDGERS,
)

LEDGERS_BY_TABLE: dict[str, Ledger] = {ledger.table: ledger for ledger in ALL_LEDGERS}


def get_ledger(table: str) -> Ledger:
    """Return the ledger spec for a clean table name."""
    try:
        return LEDGERS_BY_TABLE[table]
    except KeyError:
        raise KeyError(f"unknown ledger table {table!r}; known: {sorted(LEDGERS_BY_TABLE)}") from None


__all__ = [
    "ALL_LEDGERS",
    "KIND_DTYPES",
    "LEDGERS_BY_TABLE",
    "PERSONAL_KINDS",
    "ROW_RULES",
    "SOURCE_COLUMNS",
    "Column",
    "Ledger",
    "clean_dtypes",
    "get_ledger",
]
