"""A report's figures as data: the `compute:` spec of a register entry, its evaluation and its 口径.

    spec.py        the typed spec, parsed from the register's YAML nodes and checked against the
                   clean tables' columns (lawreport.ledgers), every problem with file, line, entry id
    compute.py     evaluate a spec on CleanData -> MetricResult (value and lineage), like a metric
    definition.py  the 口径 text in Chinese, written from the spec
    check.py       `lawreport register check`: every problem of a register in one pass, never raising
    schema.py      the register file's schema (claims/<year>.yaml), checked before any kernel starts
    claims.py      the register's entries and their verification against clean data
    consistency.py checks of the report's own numbers against each other, needing no ledger
    statuses.py    the four statuses of a figure, in code and in Chinese
    explain.py     `lawreport explain`: one figure's definition, computation and rows
    commitments.py last year's 下一步 commitments checked against this year's clean ledgers

Python metrics (lawreport.metrics) stay for what a spec cannot say (e.g. county_ranks).
"""

from typing import Any

__all__ = ["Compute", "describe", "evaluate", "parse_compute"]

# Where each name lives. Imported on first use (PEP 562), not with the package: evaluate (compute.py) needs
# pandas, which reading and checking a register does not; and the register's schema (schema.py), which the
# ledgers' configuration reads, must load without the specs, which read the ledgers.
_WHERE = {"Compute": "spec", "parse_compute": "spec", "describe": "definition", "evaluate": "compute"}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        from importlib import import_module

        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
