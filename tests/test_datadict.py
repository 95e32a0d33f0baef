"""docs/data-dictionary.md is rendered from the ledger specs and must be current."""

from lawreport.ledgers.datadict import DICTIONARY_PATH, render


def test_data_dictionary_is_current():
    assert DICTIONARY_PATH.read_text(encoding="utf-8") == render(), "run `python -m lawreport.ledgers.datadict`"
