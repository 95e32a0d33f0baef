"""The appendix's slow sections, made ahead of the appendix step.

The appendix step waits for validate; its charts and figure cards need only the clean data and the
figures. The pipeline calls `prerender` in the kernel that ran the figures, in the background, while
validate still runs on the other core (`lawreport.pipeline.Step.warm`). The sections are kept by a
key of everything they are made from (`kept.shared`): the appendix notebook then reads them instead of
making them, and gets the same bytes. Nothing here is needed: a notebook that finds nothing kept
makes its sections itself.
"""

from __future__ import annotations

from typing import Any

from ..params import check_params
from .data import load_appendix
from .sections import cards_section, charts_section

# The editions whose cards are made ahead. Not the public edition's: its notebook runs in the
# validate lane's kernel, which is free once validate is done, and makes them itself there (0.27 s
# of the 2.7 s made ahead, measured in one process): made here they would be in the way of the
# internal edition, whose kernel is the one that makes everything ahead, and which starts later.
AHEAD = ("internal",)


def prerender(raw_params: dict[str, Any]) -> None:
    """Keep the cards of the editions in `AHEAD`, then the charts (both editions share them).

    Cards first: when validate ends soon after the figures (a rerun with one ledger changed, or warm
    kernels), the public edition starts in the other lane while this still runs, and reaches its
    charts soon; it then draws them itself (under the charts' lock: drawn once), instead of this lane
    drawing them after the internal cards it alone makes."""
    params = check_params(raw_params)
    apps = [load_appendix(params, edition) for edition in AHEAD]
    for app in apps:
        cards_section(app)
    if apps:
        charts_section(apps[0])
