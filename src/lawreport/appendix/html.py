"""Small HTML builders: every text that comes from ledgers, the register or the report is escaped here."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

STATUS_ORDER = ("inconsistent", "mismatch", "no_data", "match")  # worst first
# The one symbol per status, shown beside every status word and every figure of the report text, so
# that a status reads without colour (greyscale print, colour blindness). The legend explains them.
STATUS_MARK = {"match": "✓", "mismatch": "✗", "inconsistent": "!", "no_data": "?"}
# A table without a caption of its own gets one from its class (visually hidden: the heading above
# it says the same), else one naming its columns. Callers should pass `caption=`.
TABLE_CAPTIONS = {
    "arithmetic": "报告原文中数字之间的关系",
    "breakdown": "按类别汇总的行数",
    "rows": "参与计算的台账行",
    "suites": "各表的期望套件校验结果",
    "accounting": "各年度行数核算",
    "quarantine": "隔离的行（按年度、表、代码、原因）",
    "quarantine-rows": "隔离行明细",
    "notices": "清洗提示",
    "inputs": "输入文件及其 SHA-256",
    "versions": "软件版本",
    "parameters": "运行参数",
}


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


def table(
    headers: Iterable[Any],
    rows: Iterable[Iterable[Any]],
    caption: str | None = None,
    *,
    scroll: bool = True,
    **attributes: Any,
) -> str:
    """A table of escaped text cells with a `<caption>` (`caption`, shown; without it a visually
    hidden one from TABLE_CAPTIONS by the table's class, else one naming the columns), inside a
    `div.table-scroll` that scrolls sideways on a narrow screen instead of squeezing the columns."""
    headers = list(headers)
    if caption is not None:
        shown = text_el("caption", caption)
    else:
        classes = str(attributes.get("class_") or "").split()
        default = next((TABLE_CAPTIONS[c] for c in classes if c in TABLE_CAPTIONS), None)
        default = default or "表：" + "、".join(str(h) for h in headers)
        shown = text_el("caption", default, class_="sr-only")
    head = "".join(text_el("th", h, scope="col") for h in headers)
    body = "".join("<tr>" + "".join(text_el("td", c) for c in row) + "</tr>" for row in rows)
    markup = el("table", f"{shown}<thead><tr>{head}</tr></thead><tbody>{body}</tbody>", **attributes)
    return el("div", markup, class_="table-scroll") if scroll else markup


def status_label(status: str) -> str:
    """The status as symbol and Chinese word, e.g. "✓ 一致" (plain text, not escaped)."""
    from ..register.claims import STATUS_ZH

    return f"{STATUS_MARK.get(status, '?')} {STATUS_ZH.get(status, status)}"


def worst_status(statuses: Iterable[str]) -> str:
    found = set(statuses)
    return next(s for s in STATUS_ORDER if s in found)
