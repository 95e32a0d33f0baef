"""The appendix's slow sections, made ahead of the appendix step and beside it.

The appendix step waits for validate; its charts and figure cards need only the clean data and the
figures. The pipeline calls `prerender` in the kernel that ran the figures, in the background
(`lawreport.run.pipeline.Step.warm`): while validate still runs on the other core, and after, while
the internal edition's notebook runs there (`lawreport.run.pipeline.LANES`). The sections are kept by
a key of everything they are made from (`kept.shared`): the notebooks then read them instead of
making them, and get the same bytes. Nothing here is needed: a notebook that finds nothing kept
makes its sections itself.
"""

from __future__ import annotations

from typing import Any

from ..params import check_params
from .data import load_appendix
from .sections import charts_section, keep_cards

# The editions whose cards are made here. Not the public edition's: its notebook runs in this
# kernel, after this (0.27 s of the 2.7 s made ahead, measured in one process); the internal
# edition's runs in the other kernel, which makes its cards from the first while this makes them
# from the last.
AHEAD = ("internal",)


def prerender(raw_params: dict[str, Any]) -> None:
    """Keep the cards of the editions in `AHEAD`, from the last figure's (`keep_cards`), then the
    charts (both editions share them; an edition that reaches them first draws them itself, under
    the charts' lock: each is drawn once)."""
    params = check_params(raw_params)
    apps = [load_appendix(params, edition) for edition in AHEAD]
    for app in apps:
        keep_cards(app, from_end=True)
    if apps:
        charts_section(apps[0])
