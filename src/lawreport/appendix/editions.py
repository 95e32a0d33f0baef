"""The appendix's editions: what they are called and which exist. A light module: the pipeline's
export of the executed notebooks reads it without loading the appendix's data (pandas)."""

from __future__ import annotations

EDITIONS = ("public", "internal")
EDITION_ZH = {"public": "公开版", "internal": "内部审核版"}


def check_edition(edition: str) -> str:
    if edition not in EDITIONS:
        raise ValueError(f"未知的附录版本 (unknown edition) {edition!r}；可用：public、internal")
    return edition
