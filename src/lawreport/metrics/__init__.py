"""One function per metric, registered by name in METRICS; each docstring states its 口径."""

from . import enforcement, mediation, petitions, publicity, security, study  # noqa: F401  (registers metrics)
from .base import METRICS, CleanData, MetricResult, NoData, RowSet

__all__ = ["METRICS", "CleanData", "MetricResult", "NoData", "RowSet"]
