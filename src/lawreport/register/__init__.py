"""A report's figures as data: the `compute:` spec of a register entry, its evaluation and its 口径.

    spec.py        the typed spec, parsed from the register's YAML nodes and checked against the
                   clean tables' columns (lawreport.ledgers), every problem with file, line, entry id
    compute.py     evaluate a spec on CleanData -> MetricResult (value and lineage), like a metric
    definition.py  the 口径 text in Chinese, written from the spec

Python metrics (lawreport.metrics) stay for what a spec cannot say (e.g. county_ranks).
"""

from .compute import evaluate
from .definition import describe
from .spec import Compute, parse_compute

__all__ = ["Compute", "describe", "evaluate", "parse_compute"]
