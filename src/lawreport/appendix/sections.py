"""The appendix's six sections, each an HTML string with every ledger/register text escaped.

cover -> report text -> figure cards -> charts -> data quality -> reproducibility. Only the cover's
`<time id="run-time">` depends on when it ran; everything else is a function of the run's inputs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import Any

import pandas as pd

from ..ledgers import LEDGERS_BY_TABLE, active_unit
from ..ledgers.manifest import sha256_file
from ..ledgers.spec import Ledger
from ..params import PROJECT_ROOT, RunParams
from ..register.claims import STATUS_ZH, STATUSES, quote_span
from ..register.explain import (
    RawCells,
    amount_text,
    breakdown,
    breakdown_labels,
    column_label,
    column_of,
    explain_command,
    figure_value_text,
    header_text,
    ledger_words,
    ordered_counts,
    plain_value,
)
from . import charts, kept
from .data import EDITION_ZH, AppendixData
from .html import STATUS_MARK, STATUS_ORDER, el, esc, status_label, table, text_el, worst_status
from .rows import RowSet, TableRows, text_table
from .rows import rowset as rowset_of
from .suppress import LEGEND_ZH, suppress_counts

ROW_LIMIT = 30  # a counted set larger than this is shown as a breakdown (internal edition)
EXCLUDED_LIMIT = 100  # rows left out are listed in full up to this many
CHUNK_ROWS = 500  # above the limits every row is still listed, collapsed, in pages of this many rows
# An opened page of rows scrolls sideways on its own, whatever the page's stylesheet (the CSP allows inline styles).
PRE_STYLE = "overflow-x: auto; max-width: 100%"
SOURCE_COLUMNS = ("row_id", "source_file", "source_sheet", "source_row")
SOURCE_HEADERS = {
    "row_id": "行标识 row_id",
    "source_file": "原始文件 source_file",
    "source_sheet": "工作表 source_sheet",
    "source_row": "原始行号 source_row",
}
UNKNOWN = "未知"

SECTIONS = (
    ("cover", "封面"),
    ("report", "报告原文"),
    ("figures", "逐项核对"),
    ("arithmetic", "报告自身的算术"),
    ("commitments", "上年承诺落实情况"),
    ("years", "与上年对照"),
    ("charts", "图表"),
    ("quality", "数据质量"),
    ("reproducibility", "可复现性"),
)


def _section(section_id: str, title: str, body: str) -> str:
    return el("section", text_el("h2", title) + body, id=section_id)


def _title(table_name: str) -> str:
    ledger = LEDGERS_BY_TABLE.get(table_name)
    return ledger.title if ledger else table_name


def _file(table_name: str, year: int) -> str:
    ledger = LEDGERS_BY_TABLE.get(table_name)
    return ledger.file_name(year) if ledger else ""


def _split_source(key: str) -> tuple[str, int]:
    name, _, year = key.rpartition("/")
    return name, int(year)


# ------------------------------------------------------------------ 1. cover


def run_time_now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def cover(app: AppendixData, run_time: str | None = None) -> str:
    run_time = run_time or run_time_now()
    summary = app.figures.get("summary") or dict(Counter(f["status"] for f in app.results))
    counts = "".join(
        el(
            "li",
            text_el("span", status_label(s), class_="label", data_status=s)
            + text_el("span", int(summary.get(s, 0)), class_="count", data_status=s),
            data_status=s,
        )
        for s in STATUSES
    )
    banner = ""
    if app.synthetic:
        banner = text_el(
            "div",
            "样例数据(合成)，非真实台账：本附录所用台账为程序生成的合成样例，"
            "其中的人名、号码、事件均为虚构，仅用于演示核对流程。",
            class_="banner-synthetic",
            role="note",
        )
    edition = EDITION_ZH[app.edition]
    notice = (
        "本版只含汇总数与计算步骤，不含任何台账行；1 至 4 的分项数显示为“<5”。"
        if not app.internal
        else "本版含参与计算的台账行(已假名化)，属个人信息，仅供内部审核，不得公开。"
    )
    meta = el(
        "dl",
        "".join(
            [
                text_el("dt", "单位"),
                text_el("dd", app.unit, class_="unit"),
                text_el("dt", "报告年度"),
                text_el("dd", f"{app.year} 年", class_="year"),
                text_el("dt", "版本"),
                text_el("dd", edition, class_="edition", data_edition=app.edition),
                text_el("dt", "生成时间"),
                el("dd", text_el("time", run_time, id="run-time")),
                text_el("dt", "登记数字"),
                text_el("dd", f"{len(app.results)} 个", class_="total-figures"),
            ]
        ),
        class_="meta",
    )
    nav = el(
        "nav", el("ol", "".join(el("li", el("a", esc(t), href=f"#{i}")) for i, t in SECTIONS[1:])), aria_label="目录"
    )
    body = (
        text_el("p", edition, class_="edition-badge", data_edition=app.edition)
        + banner
        + meta
        + text_el("h2", "核对结果汇总", class_="cover-heading")
        + el("ul", counts, class_="summary")
        + text_el("p", notice, class_="edition-notice")
        + nav
    )
    heading = text_el("h1", f"{app.unit}{app.year}年法治政府建设年度报告 · 数字核对附录")
    return el("section", heading + body, id="cover", data_edition=app.edition)


# ------------------------------------------------------------------ 2. report text


def figure_spans(app: AppendixData) -> list[tuple[int, int, list[str]]]:
    """(start, end, figure ids) of each figure as written inside its quote; figures on the same
    (or an overlapping) span share one link."""
    text = app.report_text
    raw: list[tuple[int, int, int, str]] = []
    for index, entry in enumerate(app.register.figures if app.register else ()):
        q0, q1 = quote_span(text, entry.quote)
        for written in (entry.written, *entry.also_covers):
            offset = text.find(written, q0, q1)
            if offset >= 0:
                raw.append((offset, offset + len(written), index, entry.id))
    raw.sort()  # by position, then register order
    merged: list[tuple[int, int, list[str]]] = []
    for start, end, _, figure_id in raw:
        if merged and start < merged[-1][1]:
            s, e, ids = merged[-1]
            merged[-1] = (s, max(e, end), ids + ([figure_id] if figure_id not in ids else []))
        else:
            merged.append((start, end, [figure_id]))
    return merged


def _status_of(app: AppendixData) -> dict[str, str]:
    return {f["id"]: f["status"] for f in app.results}


def link_ids(spans: list[tuple[int, int, list[str]]]) -> list[str]:
    """The id of each span's report link: ref-<first id>, and ref-<first id>-2, -3, … when the same
    figure opens several spans (a figure whose `also_covers` is written elsewhere), so ids stay unique."""
    seen: Counter[str] = Counter()
    found = []
    for _, _, ids in spans:
        seen[ids[0]] += 1
        found.append(f"ref-{ids[0]}" if seen[ids[0]] == 1 else f"ref-{ids[0]}-{seen[ids[0]]}")
    return found


def _ref_ids(app: AppendixData) -> dict[str, str]:
    """Figure id -> the id of the (first) report link that holds it."""
    refs: dict[str, str] = {}
    spans = figure_spans(app)
    for (_, _, ids), link_id in zip(spans, link_ids(spans), strict=True):
        for figure_id in ids:
            refs.setdefault(figure_id, link_id)
    return refs


STATUS_HINT = {
    "match": "按报告写法的含义，计算值成立",
    "mismatch": "计算值与报告写法不符",
    "inconsistent": "报告中的数字本身互相矛盾，不论台账如何",
    "no_data": "没有可用的台账数据，无法核对",
}


def _fig_mark(status: str) -> str:
    """What stands beside a figure of the report text: the symbol, and for anything but 一致 the word."""
    text = STATUS_MARK[status] if status == "match" else status_label(status)
    return text_el("span", text, class_="fig-mark", data_status=status, aria_hidden="true")


def legend() -> str:
    """The status symbols and underlines as they appear in the report text, with what each means."""
    items = "".join(
        el(
            "li",
            text_el("span", "数字", class_="fig", data_status=s)
            + _fig_mark(s)
            + " "
            + text_el("span", status_label(s), class_="swatch", data_status=s)
            + text_el("span", f"：{STATUS_HINT[s]}", class_="legend-hint"),
            data_status=s,
        )
        for s in STATUS_ORDER[::-1]
    )
    notes = text_el(
        "p",
        "状态不只靠颜色区分：每个数字后有符号(一致以外还写出状态)，下划线也各不相同"
        "(一致实线、不一致虚线、报告自身矛盾双线、无数据点线)。打印件中数字后的“→12”指第 12 张核对卡片。",
        class_="legend-note",
    )
    return el("div", text_el("p", "图例：", class_="legend-title") + el("ul", items) + notes, class_="legend")


def _link_label(text: str, ids: list[str], status: dict[str, str], worst: str) -> str:
    """The link's accessible name: the figure as written and its status in Chinese."""
    if len(ids) == 1:
        return f"{text}：{STATUS_ZH[worst]}"
    counts = Counter(status.get(i, "no_data") for i in ids)
    if len(counts) == 1:
        return f"{text}：{STATUS_ZH[worst]}（{len(ids)} 个数字）"
    detail = "、".join(f"{counts[s]} 个{STATUS_ZH[s]}" for s in STATUS_ORDER if counts[s])
    return f"{text}：{STATUS_ZH[worst]}（{len(ids)} 个数字：{detail}）"


def report_section(app: AppendixData) -> str:
    text = app.report_text
    if app.register is None or not text.strip():
        note = f"{app.year} 年没有报告原文或数字登记册 (claims/{app.year}.yaml)：本附录只展示台账清洗与校验结果。"
        return _section("report", "报告原文", text_el("p", note, class_="hint"))
    status = _status_of(app)
    spans = figure_spans(app)
    ids_of_links = dict(zip((s for s, _, _ in spans), link_ids(spans), strict=True))
    card_number = {f["id"]: n for n, f in enumerate(app.results, 1)}  # the cards' order (cards_section)
    paragraphs = []
    position = 0
    for line in text.splitlines(keepends=True):
        start, end = position, position + len(line.rstrip("\r\n"))
        position += len(line)
        if not text[start:end].strip():
            continue
        parts, cursor = [], start
        for s, e, ids in spans:
            if s < start or e > end:
                continue
            parts.append(esc(text[cursor:s]))
            known = [i for i in ids if i in status]
            worst = worst_status(status[i] for i in known) if known else "no_data"
            title = "；".join(f"{i}：{STATUS_ZH.get(status.get(i, 'no_data'))}" for i in ids)
            numbers = [str(card_number[i]) for i in ids if i in card_number]
            parts.append(
                el(
                    "a",
                    esc(text[s:e]),
                    class_="fig",
                    id=ids_of_links[s],
                    data_status=worst,
                    data_figures=" ".join(ids),
                    data_cards=" ".join(numbers) or None,
                    href=f"#card-{ids[0]}",
                    title=title,
                    aria_label=_link_label(text[s:e], ids, status, worst),
                )
                + _fig_mark(worst)
                + (text_el("span", "→" + "、".join(numbers), class_="fig-ref", aria_hidden="true") if numbers else "")
            )
            cursor = e
        parts.append(esc(text[cursor:end]))
        paragraphs.append(el("p", "".join(parts), class_="report-title" if not paragraphs else None))
    intro = text_el(
        "p",
        "报告全文如下；每个登记的数字按核对状态着色并标有符号，点击可跳到该数字的核对卡片。",
        class_="hint",
    )
    return _section("report", "报告原文", intro + legend() + el("div", "".join(paragraphs), class_="report-text"))


# ------------------------------------------------------------------ 3b. the report's own arithmetic

RELATION_ZH = {
    "part_whole": "部分与整体",
    "list_sum": "分项合计",
    "rate_counts": "比率与两个数",
    "attainability": "百分比能否由整数个案得到",
    "points_vs_percent": "百分点与百分比",
    "yoy": "同比",
    "repeat": "同一数字前后两处",
    "subset": "子项大于总数",
    "share_sum": "占比之和",
}
VERDICT_MARK = {"holds": "✓ 成立", "fails": "✗ 不成立", "unclear": "? 无法判断"}


def arithmetic_section(app: AppendixData) -> str:
    """What `lawreport check` finds in the report text alone, without ledgers or register: the
    checks a county reviewer can make on any unit's report."""
    checks = app.figures.get("report_checks")
    if not checks:
        return _section("arithmetic", "报告自身的算术", text_el("p", f"{app.year} 年没有报告原文。", class_="hint"))
    verdicts = checks.get("verdicts", {})
    intro = text_el(
        "p",
        "不看台账、不看登记册，只用报告原文中的数字互相核对(与 lawreport check 相同的规则)："
        f"成立 {verdicts.get('holds', 0)} 个，不成立 {verdicts.get('fails', 0)} 个，无法判断 {verdicts.get('unclear', 0)} 个。"
        "近似写法(余、约、以上等)按其允许的区间计算，只有区间内任何取值都不能成立时才判为不成立。",
        class_="hint",
    )
    rows = [
        [
            RELATION_ZH.get(r["kind"], r["kind"]),
            VERDICT_MARK.get(r["verdict"], r["verdict"]),
            "、".join(r.get("texts", [])),
            r["explanation"],
            r.get("sentence", ""),
        ]
        for r in sorted(checks.get("relations", []), key=lambda r: ("fails", "unclear", "holds").index(r["verdict"]))
    ]
    body = (
        table(["关系", "结论", "涉及的数字", "算式", "原文"], rows, class_="arithmetic")
        if rows
        else text_el("p", "报告原文中没有找到可以互相核对的数字。", class_="empty")
    )
    return _section("arithmetic", "报告自身的算术", intro + body)


# ------------------------------------------------------------------ 3. cards


def _fmt_value(value: Any) -> str:
    return plain_value(value)


def breakdown_column(ledger: Ledger | None, frame: pd.DataFrame) -> tuple[str, pd.Series, list[str]] | None:
    """A sensible category to break a large row set down by, each row's label, and the labels'
    natural order (1月…12月; a category's vocabulary): see explain.breakdown_labels."""
    return breakdown_labels(ledger, frame)


def _counts(series: pd.Series, order: list[str] | tuple[str, ...] = ()) -> dict[str, int]:
    """Rows per label in the labels' natural order (never code-point order)."""
    return ordered_counts(series, order)[0]


def _rows_frame(app: AppendixData, table_name: str, year: int, row_ids: list[str]) -> pd.DataFrame | None:
    """The clean rows listed, in the list's order; None when the clean table does not exist."""
    found = rowset_of(app, table_name, year, row_ids)
    return found.frame if found is not None else None


def _column_header(ledger: Ledger | None, name: str) -> str:
    return column_label(ledger, name)


def _all_rows(ledger: Ledger | None, frame: pd.DataFrame, raw: RawCells | None, year: int) -> RowSet:
    """Every row of `frame`, in its order, as a row set of its own."""
    rows = TableRows(ledger.table if ledger else "", year, frame, raw)
    return RowSet(rows, list(range(len(frame))), frame)


def rows_table(ledger: Ledger | None, frame: pd.DataFrame, raw: RawCells | None = None, year: int = 0) -> str:
    """Rows with the ledger's headers; beside a cleaned cell, in small type, the raw cell it came
    from when the two read differently (（原值 45658）). Personal columns show pseudonyms only."""
    return _rows_table(_all_rows(ledger, frame, raw, year))


def _rows_table(found: RowSet) -> str:
    headers, _ = found.shown()
    head = "".join(text_el("th", h, scope="col") for h in headers)
    body = "".join(found.rows.tr(p) for p in found.positions)
    markup = el("table", f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody>", class_="rows")
    return el("div", markup, class_="table-scroll")


def _breakdown_table(
    label: str,
    counts: dict[str, int],
    public: bool,
    total_known: bool = True,
    sums: dict[str, Decimal] | None = None,
    quantity: str = "",
    amount: bool = False,
) -> str:
    """Rows (and, for a figure that sums a column, that column's sum) by category, in the order given.
    The 合计 row is the figure itself (or its part for one year). In the public edition with small-cell
    suppression: a cell of 1–4 rows, or of 1–4 counted things (警情数 3), shows as <5 (by default the
    total is taken as known, since the card's recipe prints the rows kept)."""

    def quantity_text(value: Decimal | int) -> str:
        return amount_text(value) if amount else _fmt_value(value)

    headers = [label, "行数"] + ([f"{quantity}合计"] if sums is not None else [])
    if public:
        risk = dict(counts)
        if sums is not None and not amount:
            risk = {k: min(v, int(sums[k])) if sums[k] > 0 else 0 for k, v in counts.items()}
        shown = suppress_counts(risk, total_known=total_known)
        hidden = shown.suppressed | shown.complementary
        rows = []
        for k, v in counts.items():
            cells = [k, shown.cells[k] if k in hidden else str(v)]
            if sums is not None:
                cells.append(shown.cells[k] if k in hidden else quantity_text(sums[k]))
            rows.append(cells)
        if shown.total is not None and not shown.any_suppressed:
            rows.append(["合计", str(sum(counts.values()))] + ([quantity_text(sum(sums.values()))] if sums else []))
        note = text_el("p", LEGEND_ZH, class_="suppression-note") if shown.any_suppressed else ""
        return table(headers, rows, class_="breakdown") + note
    rows = [[k, str(v)] + ([quantity_text(sums[k])] if sums is not None else []) for k, v in counts.items()]
    rows.append(["合计", str(sum(counts.values()))] + ([quantity_text(sum(sums.values()))] if sums is not None else []))
    return table(headers, rows, class_="breakdown")


def _breakdown_html(table_name: str, frame: pd.DataFrame, summed: str, public: bool) -> str:
    made = breakdown(table_name, frame, summed)
    if made is None:
        return ""
    return _breakdown_table(made.label, made.rows, public, True, made.sums, made.quantity, made.amount)


def _row_pages(ledger: Ledger | None, frame: pd.DataFrame, raw: RawCells | None, year: int) -> str:
    """Every row, collapsed (<details>, no script), in pages of CHUNK_ROWS rows, each collapsed too.

    A page is aligned text in a <pre>, not a table: tens of thousands of rows as table cells make the
    page slow to export and to open, while text keeps every row findable (Ctrl+F) and copyable. The
    raw cell stands beside the cleaned one as （原值 …）; file and sheet, when the same for every row,
    are said once above the rows."""
    return _pages(ledger, _all_rows(ledger, frame, raw, year))


def _pages(ledger: Ledger | None, found: RowSet) -> str:
    frame, headers, count = found.frame, found.rows.headers, len(found.positions)
    constant = {}
    for name in ("source_file", "source_sheet"):
        if name in frame.columns and frame[name].nunique(dropna=False) == 1:
            constant[name] = _fmt_value(frame[name].iloc[0])
    dropped = {column_label(ledger, "row_id")} | {column_label(ledger, n) for n in constant}
    keep = [i for i, h in enumerate(headers) if h not in dropped]
    place = (
        f"原始文件 {constant['source_file']}"
        + (f"，工作表「{constant['source_sheet']}」" if constant.get("source_sheet") else "")
        + "；"
        if "source_file" in constant
        else ""
    )
    pages = [found.positions[i : i + CHUNK_ROWS] for i in range(0, count, CHUNK_ROWS)]
    pick = itemgetter(*keep) if len(keep) > 1 else (lambda row: tuple(row[i] for i in keep))

    def page_text(page: list[int]) -> str:
        texts = [found.rows.texts(p) for p in page]
        return text_table(pick(headers), [pick(t) for t, _ in texts], [pick(w) for _, w in texts])

    if len(pages) == 1:
        inner = el("pre", esc(page_text(pages[0])), class_="rows-text", style=PRE_STYLE)
        summary = f"逐行列出全部 {count} 行({place}点击展开)"
    else:
        inner = "".join(
            el(
                "details",
                text_el("summary", f"第 {n * CHUNK_ROWS + 1}–{n * CHUNK_ROWS + len(page)} 行")
                + el("pre", esc(page_text(page)), class_="rows-text", style=PRE_STYLE),
            )
            for n, page in enumerate(pages)
        )
        summary = f"逐行列出全部 {count} 行({place}分 {len(pages)} 页，每页至多 {CHUNK_ROWS} 行，点击展开)"
    return el("details", text_el("summary", summary) + inner, class_="all-rows")


def _rowset_internal(
    app: AppendixData, rowset: dict[str, Any], kind: str, summed: str = "", counted: set[str] | None = None
) -> str:
    """One row set of a figure: `counted`, or `excluded` with its reason. Rows a metric notes but still
    counts (an empty amount taken as 0) are said to be counted. `counted`: the figure's counted row ids."""
    table_name, year, row_ids = rowset["table"], int(rowset["year"]), list(rowset["row_ids"])
    ledger = LEDGERS_BY_TABLE.get(table_name)
    reason = ledger_words(table_name, rowset.get("reason", ""))
    noted = kind == "excluded" and bool(row_ids) and counted is not None and set(row_ids) <= counted
    what = "计入" if kind == "counted" else f"计入的行中：{reason}" if noted else f"未计入(原因：{reason})"
    title = f"{what} — 「{_title(table_name)}」{year} 年：{len(row_ids)} 行"
    attributes = {"class_": "rowset", "data_kind": kind, "data_table": table_name, "data_year": year}
    if not row_ids:
        return el("div", text_el("h5", title) + text_el("p", "无行。", class_="empty"), **attributes)
    found = rowset_of(app, table_name, year, row_ids)
    if found is None:
        return el("div", text_el("h5", title) + text_el("p", "清洗后的表不存在。", class_="empty"), **attributes)
    count = len(found.positions)
    summed = summed if kind == "counted" else ""
    made = found.breakdown(summed) if summed else None
    if made is not None and made.sums is not None:
        title += f"，{made.quantity}合计 {made.quantity_text(made.total)}"
    limit = ROW_LIMIT if kind == "counted" else EXCLUDED_LIMIT
    if count <= limit:
        body = _rows_table(found)
    else:
        chosen = found.breakdown(summed)
        body = text_el(
            "p",
            f"共 {count} 行，先按「{chosen.label}」汇总(合计即上面的行数"
            + (f"与{chosen.quantity}合计" if chosen.sums is not None else "")
            + ")；全部行在下面折叠的列表中，点击展开。"
            if chosen
            else f"共 {count} 行，全部行在下面折叠的列表中，点击展开。",
            class_="hint",
        )
        if chosen:
            body += _breakdown_table(
                chosen.label, chosen.rows, False, sums=chosen.sums, quantity=chosen.quantity, amount=chosen.amount
            )
        body += _pages(ledger, found)
    return el("div", text_el("h5", title) + body, **attributes)


def _summed(figure: dict[str, Any]) -> str:
    return str(figure.get("sources", {}).get("summed_column") or "")


def _first_table(figure: dict[str, Any]) -> str:
    tables = figure.get("sources", {}).get("tables", {})
    return _split_source(next(iter(tables)))[0] if tables else ""


def _ledger_place(name: str, year: int) -> str:
    ledger = LEDGERS_BY_TABLE.get(name)
    if ledger and ledger.monthly:
        sheet = f"，{ledger.sheet_label}"
    else:
        sheet = f"，工作表「{ledger.sheet}」" if ledger and ledger.sheet else ""
    return f"「{_title(name)}」({_file(name, year)}{sheet}，{year} 年)"


def _recipe(app: AppendixData, figure: dict[str, Any]) -> str:
    lineage = app.lineage.get(figure["id"], {})
    summed = _summed(figure)
    steps: list[str] = []
    tables = figure.get("sources", {}).get("tables", {})
    for key, rows in tables.items():
        name, year = _split_source(key)
        steps.append(f"读取{_ledger_place(name, year)}：台账共 {rows} 行")
    counted_ids: dict[tuple[str, int], set[str]] = {}
    for rowset in lineage.get("counted", []):
        counted_ids.setdefault((rowset["table"], int(rowset["year"])), set()).update(rowset.get("row_ids", []))
    excluded: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for rowset in lineage.get("excluded", []):
        excluded.setdefault((rowset["table"], int(rowset["year"])), []).append(rowset)

    notes: list[str] = []  # rows a metric notes but still counts (an empty amount taken as 0)
    for (name, year), sets in excluded.items():
        still = [s for s in sets if s.get("row_ids") and set(s["row_ids"]) <= counted_ids.get((name, year), set())]
        for rowset in still:
            reason = ledger_words(name, rowset.get("reason", ""))
            notes.append(f"计入「{_title(name)}」{year} 年的行中，{reason} — {rowset['rows']} 行")
        filtered = [s for s in sets if s not in still]
        if len(filtered) == 1:
            reason = ledger_words(name, filtered[0].get("reason", ""))
            steps.append(f"筛除「{_title(name)}」{year} 年的行：{reason} — {filtered[0]['rows']} 行")
        elif filtered:
            shown = suppress_counts({s.get("reason", ""): int(s["rows"]) for s in filtered}, total_known=True)
            for reason, text in shown.cells.items():
                steps.append(f"筛除「{_title(name)}」{year} 年的行：{ledger_words(name, reason)} — {text} 行")
        excluded[(name, year)] = filtered
    frames: dict[tuple[str, int], RowSet | None] = {}
    for counted in lineage.get("counted", []):
        name, year = counted["table"], int(counted["year"])
        step = f"计入「{_title(name)}」{year} 年：{counted['rows']} 行"
        if summed:
            frames[(name, year)] = found = rowset_of(app, name, year, list(counted["row_ids"]))
            made = found.breakdown(summed) if found is not None else None
            if made is not None and made.sums is not None:
                step += f"，{made.quantity}合计 {made.quantity_text(made.total)}"
        steps.append(step)
    steps.extend(notes)
    steps.append(f"得出计算值：{figure_value_text(figure['computed'], summed, _first_table(figure))}")
    steps.append(f"按“{figure['reported']}”的含义判定：{STATUS_ZH[figure['status']]}")
    body = el("ol", "".join(text_el("li", s) for s in steps))
    if any(len(v) > 1 for v in excluded.values()):
        body += text_el("p", LEGEND_ZH, class_="suppression-note")
    for counted in lineage.get("counted", []):
        if int(counted["rows"]) <= ROW_LIMIT:
            continue
        name, year = counted["table"], int(counted["year"])
        found = frames.get((name, year))
        if found is None:
            found = rowset_of(app, name, year, list(counted["row_ids"]))
        made = found.breakdown(summed) if found is not None else None
        if made is not None:
            what = f"{made.quantity}与行数" if made.sums is not None else "行数"
            body += text_el("h5", f"计入行按「{made.label}」分项的{what}(「{_title(name)}」{year} 年)")
            body += _breakdown_table(made.label, made.rows, True, True, made.sums, made.quantity, made.amount)
    return el("div", text_el("h4", "计算步骤") + body, class_="recipe")


def _sources(figure: dict[str, Any]) -> str:
    sources = figure.get("sources", {})
    rows = []
    for key, count in sources.get("tables", {}).items():
        name, year = _split_source(key)
        ledger = LEDGERS_BY_TABLE.get(name)
        rows.append([_title(name), _file(name, year), ledger.sheet_label if ledger else "", str(year), str(count)])
    summary = (
        f"计入 {sources.get('rows_counted', 0)} 行；未计入 {sources.get('rows_excluded', 0)} 行(同一行可因多个原因列出)"
    )
    summed = _summed(figure)
    if summed and rows:
        column = column_of(LEDGERS_BY_TABLE.get(_first_table(figure)), summed)
        if column is not None:
            summary += f"；计算值是计入行「{header_text(column)}」之和，不是行数"
    return el(
        "div",
        text_el("h4", "数据来源")
        + table(["台账", "文件", "工作表", "年度", "台账行数"], rows)
        + text_el("p", summary, class_="row-counts"),
        class_="sources",
    )


def _explain_hint(app: AppendixData, figure_id: str) -> str:
    command = explain_command(figure_id, app.year)
    return el(
        "p",
        esc("在有台账和清洗数据的电脑上复核本数字(口径、计算、每一行及其原值)：")
        + text_el("code", command)
        + esc("；全部编号：")
        + text_el("code", f"lawreport explain --list --year {app.year}"),
        class_="explain-command",
    )


def _acknowledged(app: AppendixData, figure_id: str, status: str) -> list[str]:
    """The register's acknowledgement of this finding, when it is for the status found."""
    if app.register is None:
        return []
    acknowledged = app.register.entry(figure_id).acknowledged
    if not acknowledged or acknowledged["status"] != status:
        return []
    return [text_el("dt", "已确认 (acknowledged)"), text_el("dd", acknowledged["reason"], class_="acknowledged")]


def card(app: AppendixData, figure: dict[str, Any], ref: str) -> str:
    figure_id, status = figure["id"], figure["status"]
    summed = _summed(figure)
    reasons = (
        el("ul", "".join(text_el("li", r) for r in figure.get("reasons", [])), class_="reasons")
        if figure.get("reasons")
        else ""
    )
    facts = el(
        "dl",
        "".join(
            [
                text_el("dt", "报告写法"),
                text_el("dd", figure["reported"], class_="reported"),
                text_el("dt", "写法的含义"),
                text_el("dd", figure["rule"], class_="rule"),
                text_el("dt", "计算值"),
                text_el("dd", figure_value_text(figure["computed"], summed, _first_table(figure)), class_="computed"),
                text_el("dt", "状态"),
                el(
                    "dd",
                    text_el("span", STATUS_ZH[status], class_="status", data_status=status) + reasons,
                    class_="verdict",
                ),
                *_acknowledged(app, figure_id, status),
                text_el("dt", "口径"),
                text_el("dd", figure["definition"], class_="definition"),
                text_el("dt", "指标"),
                el("dd", text_el("code", figure["metric"]), class_="metric"),
            ]
        ),
    )
    if app.internal:
        lineage = app.lineage.get(figure_id, {})
        counted = {str(i) for r in lineage.get("counted", []) for i in r.get("row_ids", [])}
        parts = [_rowset_internal(app, r, "counted", summed) for r in lineage.get("counted", [])]
        parts += [_rowset_internal(app, r, "excluded", counted=counted) for r in lineage.get("excluded", [])]
        note = text_el(
            "p",
            "列名为台账表头；单元格后小字“(原值 …)”是台账文件中该格的原样内容，只在与清洗后的值读法不同时显示；"
            "个人信息列只显示假名，不读原值。",
            class_="hint",
        )
        detail = el("div", text_el("h4", "参与计算的行(假名化)") + note + "".join(parts), class_="lineage")
    else:
        detail = _recipe(app, figure)
    back = el("p", el("a", "↑ 返回报告原文", href=f"#{ref}"), class_="back") if ref else ""
    # The Chinese name is the title; the id, smaller beside it, is the card's own link (to copy or cite).
    anchor = el("small", el("a", text_el("code", figure_id), href=f"#card-{figure_id}"), class_="figure-id")
    title = el("h3", text_el("span", figure.get("name") or figure_id, class_="figure-name") + " " + anchor)
    header = el("header", title + text_el("span", STATUS_ZH[status], class_="status", data_status=status))
    return el(
        "article",
        header
        + text_el("blockquote", figure["quote"], class_="quote")
        + facts
        + _sources(figure)
        + detail
        + _explain_hint(app, figure_id)
        + back,
        class_="card",
        id=f"card-{figure_id}",
        data_figure=figure_id,
        data_status=status,
    )


def cards_section(app: AppendixData) -> str:
    """One card per figure. Each card is made once per key (`CardKeys`) and kept under
    <build_root>/.cache/<year>/appendix/: a rerun makes again only the cards whose inputs changed,
    and the pipeline makes them ahead of the appendix step (`lawreport.appendix.prerender`)."""
    refs = _ref_ids(app)
    intro = text_el(
        "p",
        "每个登记的数字一张卡片：引文、报告写法及其含义、计算值与状态、口径、来源，"
        "以及在本机复核该数字的命令(lawreport explain <编号>)。"
        + (
            "附参与计算的台账行(假名化)：行少的直接列出；行多的先按类别汇总(合计即该数字)，全部行折叠在其下，点击展开。"
            if app.internal
            else "公开版只列计算步骤和各步行数，不含台账行。"
        ),
        class_="hint",
    )
    keys = CardKeys(app)
    cards = "".join(keep_cards(app, keys, refs))
    keys.forget_others(app.results)
    return _section("figures", "逐项核对", intro + el("div", cards, class_="cards"))


def keep_cards(
    app: AppendixData, keys: CardKeys | None = None, refs: dict[str, str] | None = None, from_end: bool = False
) -> list[str]:
    """Each figure's card, in the figures' order, made or read from what is kept (`_kept`, each card
    under a lock of its own). `from_end`: made from the last figure to the first, as the pipeline's
    work ahead makes them while the edition's own notebook makes them from the first in the other
    kernel (`lawreport.appendix.prerender`): the two meet, and each card is made once."""
    keys = keys if keys is not None else CardKeys(app)
    refs = refs if refs is not None else _ref_ids(app)
    figures = list(app.results)
    order = range(len(figures) - 1, -1, -1) if from_end else range(len(figures))
    made: dict[int, str] = {}
    for index in order:
        figure = figures[index]
        made[index] = _kept(
            app,
            keys.name(figure),
            lambda figure=figure: keys.key(figure, refs.get(figure["id"], "")),
            lambda figure=figure: card(app, figure, refs.get(figure["id"], "")),
        )
    return [made[index] for index in range(len(figures))]


def library_versions() -> str:
    """The libraries that read the tables and the raw cells the cards show, with their versions."""
    import importlib.metadata

    found = []
    for name in ("pandas", "numpy", "pyarrow", "python-calamine", "openpyxl"):
        try:
            found.append(f"{name}={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name}=none")
    return ",".join(found)


class CardKeys:
    """What each card of an edition is made from, as a key (`card` reads nothing else):

    - for every card: the edition and the run's parameters (the years the run may read among them),
      the package's source, the unit's configuration, Python and the libraries' versions, the report
      text and the register (the links back to the text, the acknowledgements);
    - its own: the figure (figures.json), its link into the report, its lineage, and each clean table
      it reads (its lineage's row sets and its sources: the rows shown, counted and summed); in the
      internal edition also, per table read, the raw ledger file and the digest the clean step
      recorded for it (the raw cell shown beside a cleaned one, only while the two agree).

    A changed ledger thus changes the keys of the cards that read its table, and no other."""

    def __init__(self, app: AppendixData) -> None:
        self.app = app
        params = app.params
        register = params.register_path
        common = [
            kept.LOADED_SOURCE,
            active_unit().digest,
            sys.version,
            library_versions(),
            app.edition,
            json.dumps(params.as_dict(), sort_keys=True, default=str),
            f"{app.data.year}:{sorted(app.data.years) if app.data.years is not None else None}",
            app.report_text,
            hashlib.sha256(register.read_bytes()).hexdigest() if register.is_file() else "no register",
        ]
        self.common = hashlib.sha256("\0".join(common).encode()).hexdigest()
        self.clean_root = params.path(params.clean_root)
        self.raw_root = params.path(params.raw_root)
        self._files: dict[Path, str] = {}
        self._recorded: dict[int, dict[str, Any]] = {}

    def _file(self, path: Path) -> str:
        if path not in self._files:
            self._files[path] = sha256_file(path) if path.is_file() else "missing"
        return self._files[path]

    def _recorded_digest(self, year: int, file_name: str) -> str:
        if year not in self._recorded:
            try:
                provenance = json.loads((self.clean_root / str(year) / "provenance.json").read_text(encoding="utf-8"))
                self._recorded[year] = dict(provenance.get("inputs", {}))
            except (OSError, ValueError, AttributeError):
                self._recorded[year] = {}
        return str(self._recorded[year].get(file_name, "none"))

    def tables_read(self, figure: dict[str, Any]) -> list[tuple[str, int]]:
        lineage = self.app.lineage.get(figure["id"], {})
        read = {(str(r["table"]), int(r["year"])) for kind in ("counted", "excluded") for r in lineage.get(kind, [])}
        read |= {_split_source(key) for key in figure.get("sources", {}).get("tables", {})}
        return sorted(read)

    def key(self, figure: dict[str, Any], ref: str) -> str:
        lineage = self.app.lineage.get(figure["id"], {})
        parts = [
            self.common,
            json.dumps(figure, sort_keys=True, ensure_ascii=False, default=str),
            ref,
            json.dumps(lineage, sort_keys=True, ensure_ascii=False, default=str),
        ]
        for table_name, year in self.tables_read(figure):
            clean = self.clean_root / str(year) / f"{table_name}.parquet"
            parts.append(f"{table_name}/{year}:{self._file(clean)}")
            ledger = LEDGERS_BY_TABLE.get(table_name)
            if self.app.internal and ledger is not None:
                name = ledger.file_name(year)
                parts.append(
                    f"{name}:{self._file(self.raw_root / str(year) / name)}:{self._recorded_digest(year, name)}"
                )
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def name(self, figure: dict[str, Any]) -> str:
        """The kept card's name: the edition and the figure's id (hashed if not a plain name)."""
        return f"card-{self.app.edition}-{kept.plain_name(str(figure['id']))}"

    def forget_others(self, figures: list[dict[str, Any]]) -> None:
        """Remove the kept cards of figures this edition no longer has."""
        keep = {self.name(figure) for figure in figures}
        _forget_others(self.app, f"card-{self.app.edition}-", keep)


def _forget_others(app: AppendixData, prefix: str, keep: set[str], lock: str | None = None) -> None:
    """Remove what was kept (`_kept`) under names starting with `prefix` and not in `keep`
    (`kept.prune`; `lock`: the one lock their makers share)."""
    params = getattr(app, "params", None)
    if params is None or not kept.kept_here():
        return
    try:
        kept.prune(kept.folder_of(params.path(params.build_root), app.year), prefix, keep, lock=lock)
    except OSError:
        pass  # no right to write there: nothing was kept there either


def _kept(
    app: AppendixData, name: str, key: Callable[[], str], make: Callable[[], str], lock: str | None = None
) -> str:
    """A section or card made once for its key and kept (`kept.shared`); made here outside the
    pipeline's kernels (`kept.kept_here`), when there is no run folder to keep it in, or no room or
    no right to write there."""
    params = getattr(app, "params", None)
    if params is None or not kept.kept_here():
        return make()
    try:
        return kept.shared(kept.folder_of(params.path(params.build_root), app.year), name, key, make, lock=lock)
    except OSError:
        return make()


# ------------------------------------------------------------------ 4. charts


def charts_section(app: AppendixData) -> str:
    """The charts. Each is drawn once per plan (`charts.plan_key`: the counts it shows, its texts,
    how it is drawn) and kept under <build_root>/.cache/<year>/appendix/: the two editions share it,
    and a rerun draws again only the charts whose counts or texts changed."""
    parts, names = [], set()
    for number, chart in enumerate(active_unit().charts, 1):
        plan = charts.plan_chart(chart, app.data)
        if plan is None:
            parts.append(text_el("p", f"{chart.title.format(year=app.year)}：无数据", class_="empty"))
            continue
        name = f"chart-{number}"
        names.add(name)
        parts.append(
            _kept(
                app,
                name,
                lambda plan=plan: charts.plan_key(plan),  # under the lock: it reads matplotlib's live settings
                lambda plan=plan: charts.img(charts.render(plan), plan.alt, plan.caption),
                lock="charts",
            )
        )
    _forget_others(
        app, "chart", names, lock="charts"
    )  # and the whole section, as kept before charts were kept one by one
    intro = text_el(
        "p",
        "图表只显示按年、按月或按类别的汇总数，不标注具体数值；分系列的图除颜色外另用斜线区分，黑白打印也能分辨。",
        class_="hint",
    )
    return _section("charts", "图表", intro + el("div", "".join(parts), class_="chart-grid"))


# ------------------------------------------------------------------ 5. data quality


def _personal_header(table_name: str, header: str) -> bool:
    ledger = LEDGERS_BY_TABLE.get(table_name)
    if ledger is None:
        return True  # unknown: treat as personal, never show the value
    for column in ledger.columns:
        if header in (column.header, column.leaf, column.name, column.clean_name, *column.aliases):
            return column.personal
    return True


def _touched(app: AppendixData, table_name: str, year: int) -> list[str]:
    key = f"{table_name}/{year}"
    return [f["id"] for f in app.results if key in f.get("sources", {}).get("tables", {})]


def accounting_table(app: AppendixData) -> str:
    """Rows read = kept + quarantined + dropped, per year the run cleaned (the report year and the
    earlier years that multi-year figures read). These totals describe the ledgers' quality, not
    people, so both editions show them; the per-code breakdown below is suppressed as before."""
    rows = []
    for year, report in sorted(app.clean_reports.items()):
        ledgers = report.get("ledgers", {}).values()
        total = {k: sum(int(ledger.get(k, 0) or 0) for ledger in ledgers) for k in ("rows_read", "rows_kept")}
        quarantined = sum(int(ledger.get("rows_quarantined", 0) or 0) for ledger in ledgers)
        dropped = sum(sum((ledger.get("rows_dropped") or {}).values()) for ledger in ledgers)
        rows.append(
            [
                str(year),
                str(len(report.get("ledgers", {}))),
                str(total["rows_read"]),
                str(total["rows_kept"]),
                str(quarantined),
                str(dropped),
                str(len(report.get("notices", []))),
            ]
        )
    return text_el("h3", "各年度行数核算 (row accounting per year)") + table(
        ["年度", "台账数", "读入行", "保留行", "隔离行", "删除行(空行、表尾、完全重复)", "提示"],
        rows,
        class_="accounting",
    )


def quality_section(app: AppendixData) -> str:
    parts = []
    validation = app.validation
    if validation is None:
        parts.append(text_el("p", "没有校验结果(validation/summary.json 不存在)。", class_="empty"))
    else:
        rows = [
            [
                _title(t["table"]),
                t["table"],
                _fmt_value(t.get("rows")),
                t.get("expectations", ""),
                t.get("passed", ""),
                t.get("failed", ""),
                t.get("warnings", ""),
                "通过" if t.get("success") else "未通过",
            ]
            for t in validation.get("tables", [])
        ]
        parts.append(text_el("h3", "期望套件校验结果 (Great Expectations)"))
        parts.append(table(["台账", "表", "行数", "期望数", "通过", "失败", "警告", "结果"], rows, class_="suites"))
    parts.append(accounting_table(app))
    quarantine = app.quarantine
    years = sorted(app.clean_reports) or [app.year]
    span = "、".join(f"{y}" for y in years)
    parts.append(text_el("h3", "隔离的行 (quarantine)"))
    if quarantine.empty:
        parts.append(text_el("p", f"本次运行清洗的各年度({span} 年)都没有被隔离的行。", class_="empty"))
    else:
        grouped = quarantine.groupby(["year", "table", "code", "reason"], dropna=False).size()
        counts = {f"{y}\x1f{t}\x1f{c}\x1f{r}": int(n) for (y, t, c, r), n in grouped.items()}
        shown = suppress_counts(counts) if not app.internal else None
        rows = []
        for key, n in counts.items():
            y, t, c, r = key.split("\x1f")
            rows.append(
                [
                    f"{y}",
                    _title(t),
                    t,
                    c,
                    r,
                    shown.cells[key] if shown else str(n),
                    "、".join(_touched(app, t, int(y))) or "—",
                ]
            )
        parts.append(table(["年度", "台账", "表", "代码", "原因", "行数", "涉及的数字"], rows, class_="quarantine"))
        if shown and shown.any_suppressed:
            parts.append(text_el("p", LEGEND_ZH, class_="suppression-note"))
        if app.internal:
            detail_rows = []
            for record in quarantine.itertuples(index=False):
                personal = _personal_header(str(record.table), str(record.column))
                detail_rows.append(
                    [
                        _fmt_value(record.year),
                        record.table,
                        record.file,
                        record.sheet,
                        _fmt_value(record.row),
                        record.column,
                        "[个人信息列，不显示]" if personal else _fmt_value(record.value),
                        record.code,
                        record.reason,
                        _fmt_value(record.detail),
                    ]
                )
            parts.append(text_el("h4", "隔离行明细(内部)"))
            parts.append(
                table(
                    ["年度", "表", "文件", "工作表", "行", "列", "值", "代码", "原因", "说明"],
                    detail_rows,
                    class_="quarantine-rows",
                )
            )
    notices = [(y, n) for y, report in sorted(app.clean_reports.items()) for n in report.get("notices", [])]
    if notices:
        parts.append(text_el("h3", "提示 (notices)"))
        parts.append(
            table(
                ["年度", "代码", "提示", "文件", "工作表", "行", "列", "说明"],
                [
                    [
                        str(y),
                        str(n.get("code", "")),
                        str(n.get("label", "")),
                        str(n.get("file", "")),
                        str(n.get("sheet", "")),
                        _fmt_value(n.get("row")),
                        str(n.get("column", "")),
                        str(n.get("detail", "")),
                    ]
                    for y, n in notices
                ],
                class_="notices",
            )
        )
    parts.append(_validation_links(app))
    return _section("quality", "数据质量", "".join(parts))


def _validation_links(app: AppendixData) -> str:
    """The essentials of every check embedded here (a collapsed <details> per table), then the full
    offline page and GX's Data Docs, linked relatively: they sit beside the appendix in validation/,
    and the text says so, since a link to them dies when the appendix is copied on its own."""
    from .validation_page import details_section

    parts = []
    details = details_section(app.params.build_dir / "validation", internal=app.internal)
    if details:
        rows = "、违规行所在的原始文件与行号" if app.internal else ""
        parts.append(text_el("h3", "逐表校验明细 (every check, per table)"))
        parts.append(text_el("p", f"点击台账名展开：每项检查的内容、结果与违规行数{rows}。", class_="hint"))
        parts.append(details)
    up = "../" if app.internal else ""
    beside = (
        "它不在本文件之内，而是放在公开版附录 appendix.html 旁边的 validation/ 文件夹中（即本文件上一级文件夹里的 validation/）"
        if app.internal
        else "它不在本文件之内，而是放在本附录 appendix.html 旁边的 validation/ 文件夹中"
    )
    parts.append(
        el(
            "p",
            esc("完整的校验结果页面（中文，离线可读，含违规的值与行）：")
            + el("a", f"{up}validation/index.html", href=f"{up}validation/index.html", class_="validation-page")
            + esc(
                f"。{beside}；复制或发布附录时请连同 validation/ 文件夹一起复制，否则这个链接打不开"
                "（上面的摘要不受影响）。"
            ),
        )
    )
    parts.append(
        el(
            "p",
            esc(
                "Great Expectations 自带的 Data Docs（英文；需要联网 (needs the network) 才能完整显示样式，离线时其首页为空）："
            )
            + el(
                "a",
                f"{up}validation/data_docs/index.html",
                href=f"{up}validation/data_docs/index.html",
                class_="data-docs",
            ),
            class_="hint",
        )
    )
    return "".join(parts)


# ------------------------------------------------------------------ 6. reproducibility


def git_commit(root: Path = PROJECT_ROOT) -> str:
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return UNKNOWN
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and len(commit) == 40 else UNKNOWN


def shown_parameter(params: RunParams, name: str, value: Any) -> str:
    """A parameter as it was given, as far as it may be published.

    Roots are shown as given, except: a path inside the project as the relative path it equals
    (relative roots are read from the project root), a home folder (/home/<user>, /root,
    /Users/<user>) as `~`, the machine's temporary and system folders as a placeholder 〔…〕, and the
    user and host names masked. In both editions: the publishing scan refuses machine paths and
    names in either. The key file's location is never shown.
    """
    import tempfile

    from .scan import machine_names

    if name == "key_file":
        return "〔密钥文件〕" if value else "未指定(环境变量或演示密钥)"
    if name not in ("raw_root", "clean_root", "build_root", "expectations_dir", "claims_dir"):
        return str(value)
    text = str(value)
    path = Path(text)
    if path.is_absolute():
        homes = [Path.home(), Path("/root")]
        if len(path.parts) > 2 and path.parts[1] in ("home", "Users"):
            homes.append(Path(*path.parts[:3]))
        home = next((h for h in homes if path.is_relative_to(h)), None)
        temporary = Path(tempfile.gettempdir())
        if path.is_relative_to(PROJECT_ROOT):
            text = str(path.relative_to(PROJECT_ROOT))
        elif home is not None:
            text = "~/" + str(path.relative_to(home)) if path != home else "~"
        elif path.is_relative_to(temporary):
            text = "〔临时目录〕/" + str(path.relative_to(temporary))
        elif path.parts[1] in ("tmp", "work", "root", "home"):
            text = "〔本机目录〕/" + str(Path(*path.parts[2:]))
    for label, machine_name in machine_names().items():
        kind = "用户名" if "user" in label else "主机名"
        text = re.sub(r"(?<![\w-])" + re.escape(machine_name) + r"(?![\w])", f"〔{kind}〕", text)
    return text


def _versions() -> dict[str, str]:
    versions = {}
    for name in ("matplotlib", "nbconvert", "papermill", "jupytext", "noto-cjk-sans-otc"):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "未安装"
    return versions


def reproducibility_section(app: AppendixData) -> str:
    params = app.params
    parts = [text_el("h3", "输入文件 (SHA-256)")]
    input_rows = []
    clean_root = params.path(params.clean_root)
    years = (
        sorted(
            int(p.name)
            for p in clean_root.iterdir()
            if p.name.isdigit() and int(p.name) <= app.year and (p / "provenance.json").exists()
        )
        if clean_root.exists()
        else [app.year]
    )
    for year in years:
        provenance = (
            app.provenance
            if year == app.year
            else json.loads((clean_root / str(year) / "provenance.json").read_text(encoding="utf-8"))
        )
        for name, digest in sorted(provenance.get("inputs", {}).items()):
            input_rows.append([f"{year}/{name}", digest])
    for label, path in (("报告原文", params.report_path), ("数字登记册", params.register_path)):
        if path.exists():
            input_rows.append([f"{label}：{path.name}", sha256_file(path)])
    parts.append(table(["文件", "SHA-256"], input_rows, class_="inputs"))
    versions = {**app.provenance.get("versions", {}), **_versions()}
    parts.append(text_el("h3", "软件版本"))
    parts.append(table(["包", "版本"], sorted(versions.items()), class_="versions"))
    from dataclasses import fields

    from ..params import CLI_OPTIONS, rerun_command

    parts.append(text_el("h3", "运行参数 (parameters used)"))
    defaults = {f.name: f.default for f in fields(RunParams) if f.name != "year"}
    notes = {"year": "报告年度", "unit": "空：取清单 MANIFEST.yaml 中的单位" if not params.unit else "非默认"}
    parameters = [
        [k, CLI_OPTIONS[k], shown_parameter(params, k, v), notes.get(k) or ("默认" if defaults[k] == v else "非默认")]
        for k, v in params.as_dict().items()
    ] + [["edition", "—", app.edition, "附录版本，每次运行两个版本都生成"]]
    parts.append(table(["参数", "命令行选项", "本次运行的值", "说明"], parameters, class_="parameters"))
    parts.append(
        text_el(
            "p",
            "目录按运行时给出的写法列出：相对路径从项目根目录算起；个人主目录写作 ~，"
            "本机的临时或系统目录、用户名、主机名与密钥文件的位置以〔…〕代替，不予公开。",
            class_="hint",
        )
    )
    parts.append(text_el("h3", "代码版本"))
    parts.append(el("p", esc("git 提交 (commit)：") + text_el("code", git_commit(), class_="git-commit")))
    parts.append(text_el("h3", "重新运行 (rerun)"))
    command = rerun_command(params, lambda name, value: shown_parameter(params, name, value))
    parts.append(
        text_el(
            "p",
            "在项目根目录下、用项目的环境 (.venv) 运行下面的命令，可重现本次运行 (reproduces this run)：",
            class_="hint",
        )
    )
    parts.append(el("pre", esc(command), class_="commands"))
    if "〔" in command:
        parts.append(text_el("p", "命令中〔…〕处是未公开的目录或密钥文件，请换成原运行所用的实际路径。", class_="hint"))
    parts.append(text_el("p", "两次运行的附录除封面的生成时间外逐字节相同。", class_="hint"))
    return _section("reproducibility", "可复现性", "".join(parts))


# ------------------------------------------------------------------ last year's commitments

# A commitment status shown with the colour of the figure status it resembles, beside its symbol
# and word (never the colour alone).
COMMITMENT_COLOUR = {"met": "match", "not_met": "mismatch", "no_data": "no_data"}


def _commitment_label(status: str) -> str:
    from ..register.statuses import COMMITMENT_MARK, COMMITMENT_STATUS_ZH

    return f"{COMMITMENT_MARK[status]} {COMMITMENT_STATUS_ZH[status]}"


def _personal_table(table_name: str) -> bool:
    ledger = LEDGERS_BY_TABLE.get(table_name)
    return ledger is not None and any(c.personal for c in ledger.columns)


def _commitment_card(app: AppendixData, item: dict[str, Any]) -> str:
    status = item["status"]
    tables = {r["table"] for r in item.get("rows", [])}
    # Small counts are hidden in the public edition only for tables about people (as breakdowns are).
    hide_small = not app.internal and any(_personal_table(t) for t in tables)
    periods = item.get("periods", [])
    shown = suppress_counts({p["period"]: p["value"] for p in periods}) if hide_small and periods else None
    rows = []
    for p in periods:
        value = shown.cells[p["period"]] if shown else p["value"]
        cells = [p["label"], value, p["target"], "✓ 达到" if p["ok"] else "✗ 未达到"]
        if app.internal:
            cells.append("、".join(p["row_ids"]) or "—")
        rows.append(cells)
    headers = ["期间", "值", "目标", "是否达到"] + (["计入的行 (row_id)"] if app.internal else [])
    facts = [("承诺 (上年报告原文)", item["text"]), ("核对口径", item.get("definition") or "—")]
    facts += [("说明", reason) for reason in item.get("reasons", [])]
    facts += [(f"未计入 {r['rows']} 行", r.get("reason", "")) for r in item.get("excluded", [])]
    body = el("dl", "".join(text_el("dt", k) + text_el("dd", v) for k, v in facts))
    if rows:
        body += table(headers, rows, caption=f"{item['text']}：各期间的值与目标", class_="commitment-periods")
        if shown and shown.any_suppressed:
            body += text_el("p", LEGEND_ZH, class_="hint")
    header = el(
        "header",
        el("h3", text_el("span", item["text"], class_="figure-name") + " " + text_el("code", item["id"]))
        + text_el("span", _commitment_label(status), class_="status", data_status=COMMITMENT_COLOUR[status]),
    )
    return el("article", header + body, class_="card commitment", id=f"commitment-{item['id']}", data_commitment=status)


def commitments_section(app: AppendixData) -> str:
    """Last year's 下一步 commitments checked on this year's ledgers (figures.json previous_commitments)."""
    from ..register.commitments import counts_text

    title = "上年承诺落实情况"
    items = app.figures.get("previous_commitments")
    if items is None:
        note = f"{app.year - 1} 年没有数字登记册或其中没有下一步承诺，本年没有上年承诺可核对。"
        return _section("commitments", title, text_el("p", note, class_="hint"))
    counts = {s: sum(1 for i in items if i["status"] == s) for s in COMMITMENT_COLOUR}
    intro = text_el(
        "p",
        f"{app.year - 1} 年报告“下一步工作打算”中的 {len(items)} 项承诺，用 {app.year} 年台账逐项核对："
        f"{counts_text(counts)}。✓ 已落实：每个期间都达到目标；✗ 未落实：列出未达到目标的期间及其值；"
        "? 无数据：没有台账记录这项承诺，或本年没有相应的清洗表。"
        + ("各期间计入的台账行见表的最后一列。" if app.internal else "公开版不列台账行。"),
        class_="hint",
    )
    cards = "".join(_commitment_card(app, item) for item in items)
    return _section("commitments", title, intro + el("div", cards, class_="cards"))
