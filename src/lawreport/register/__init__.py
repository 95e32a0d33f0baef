"""A report's figures as data: the `compute:` spec of a register entry, its evaluation and its 口径.

    spec.py        the typed spec, parsed from the register's YAML nodes and checked against the
                   clean tables' columns (lawreport.ledgers), every problem with file, line, entry id
    compute.py     evaluate a spec on CleanData -> MetricResult (value and lineage), like a metric
    definition.py  the 口径 text in Chinese, written from the spec
    check.py       `lawreport register check`: every problem of a register in one pass, never raising

Python metrics (lawreport.metrics) stay for what a spec cannot say (e.g. county_ranks).
"""

from typing import Any

from .definition import describe
from .spec import Compute, parse_compute

__all__ = ["Compute", "describe", "evaluate", "parse_compute"]


def __getattr__(name: str) -> Any:
    # evaluate (compute.py) needs pandas; reading and checking a register does not, so it is
    # imported on first use (PEP 562), not with the package.
    if name == "evaluate":
        from .compute import evaluate

        return evaluate
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
