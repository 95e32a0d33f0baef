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
from .data import EDITIONS, load_appendix
from .sections import cards_section, charts_section


def prerender(raw_params: dict[str, Any]) -> None:
    """Keep the charts (both editions share them) and each edition's cards: the public edition's
    first, since the other kernel may be about to need them."""
    params = check_params(raw_params)
    for edition in EDITIONS:
        app = load_appendix(params, edition)
        if edition == EDITIONS[0]:
            charts_section(app)
        cards_section(app)
