"""Small-cell suppression for public breakdown tables.

Counts from 1 to 4 show as `<5` (a true 0 stays `0`). A total is printed only when nothing is
suppressed, or when it is the report's own headline figure (already public). When a reader knows
the total (printed here, or printed elsewhere in the appendix such as a recipe's row count) and only
one cell is suppressed, that cell could be recovered by subtraction: the smallest other non-zero
cell is suppressed as well (shown as `×`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

SMALL = "<5"
COMPLEMENT = "×"
LEGEND_ZH = "“<5”表示 1 至 4；“×”表示为防止由合计反推而一并隐藏的数值；0 为真实的零。"


@dataclass
class Breakdown:
    cells: dict[str, str]  # category -> shown text, in the input order
    total: str | None  # None: no total may be printed
    suppressed: set[str] = field(default_factory=set)  # cells shown as <5
    complementary: set[str] = field(default_factory=set)  # cells shown as × (secondary suppression)

    @property
    def any_suppressed(self) -> bool:
        return bool(self.suppressed or self.complementary)


def suppress_counts(counts: Mapping[str, int], total_known: bool = False, headline: bool = False) -> Breakdown:
    """Public rendering of a breakdown.

    total_known: the reader can learn the total elsewhere (it is printed in the same card).
    headline: the total is the report's own headline figure, so it may be printed.
    """
    values = {str(k): int(v) for k, v in counts.items()}
    primary = {k for k, v in values.items() if 1 <= v <= 4}
    complementary: set[str] = set()
    total_public = sum(values.values())
    if not primary:
        return Breakdown({k: str(v) for k, v in values.items()}, str(total_public))
    if (total_known or headline) and len(primary) == 1:
        others = sorted(((v, k) for k, v in values.items() if k not in primary and v > 0))
        if others:
            complementary.add(others[0][1])
    cells = {k: SMALL if k in primary else COMPLEMENT if k in complementary else str(v) for k, v in values.items()}
    return Breakdown(cells, str(total_public) if headline else None, primary, complementary)
