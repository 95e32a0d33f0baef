"""Synthetic sample ledgers (样例数据，合成): obviously-fake personal data and the ledger generator.

Nothing in this package is real office data. See docs/data-log.md.
"""

from __future__ import annotations

__all__ = ["fake", "generator"]
