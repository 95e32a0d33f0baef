"""Small HTML builders: every text that comes from ledgers, the register or the report is escaped here."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

STATUS_ORDER = ("inconsistent", "mismatch", "no_data", "match")  # worst first


def esc(value: Any) -> str:
    """Escaped text of any value (None -> empty)."""
    return html.escape("" if value is None else str(value), quote=True)


def attrs(values: Mapping[str, Any]) -> str:
    parts = []
    for name, value in values.items():
        if value is None or value is False:
            continue
        name = name.rstrip("_").replace("_", "-")
        parts.append(f" {name}" if value is True else f' {name}="{esc(value)}"')
    return "".join(parts)


def el(name: str, content: str = "", **attributes: Any) -> str:
    """An element whose content is already HTML (escape text with esc() first)."""
    return f"<{name}{attrs(attributes)}>{content}</{name}>"


def text_el(name: str, text: Any, **attributes: Any) -> str:
    return el(name, esc(text), **attributes)


def table(headers: Iterable[Any], rows: Iterable[Iterable[Any]], **attributes: Any) -> str:
    """A table of escaped text cells."""
    head = "".join(text_el("th", h, scope="col") for h in headers)
    body = "".join("<tr>" + "".join(text_el("td", c) for c in row) + "</tr>" for row in rows)
    return el("table", f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody>", **attributes)


def worst_status(statuses: Iterable[str]) -> str:
    found = set(statuses)
    return next(s for s in STATUS_ORDER if s in found)
