"""Python metrics, registered by name in METRICS; each docstring states its 口径.

Most figures are computed from their register entry's `compute:` spec (lawreport.register); a
Python metric is for what a spec cannot say, or is still named by tests of other modules.
"""

from . import enforcement, petitions, security  # noqa: F401  (registers metrics)
from .base import METRICS, CleanData, MetricResult, NoData, RowSet

__all__ = ["METRICS", "CleanData", "MetricResult", "NoData", "RowSet"]
