"""The validation results as a reviewer reads them offline: one self-contained page in Chinese.

GX's Data Docs build their index with scripts fetched from outside addresses (offline the index is
empty), show the suite parameters as `{'$PARAMETER': 'year_start'}` and speak English. This page is
built from what the validate step already wrote (`summary.json`, `results/<table>.json`; see
lawreport.run.validation), never from GX objects, so it needs neither GX nor the network:

- per table, every expectation in Chinese words — what it checks, on which ledger column (the
  ledger's own header from lawreport.ledgers), with the report year's dates in place of the suite
  parameters — its outcome, and the failing values and rows (row id, file, sheet, row);
- the appendix's document shell (export.wrap_document: same CSS and Content-Security-Policy, no
  script, no outside URL);
- values of personal columns are never shown (they are pseudonyms in clean data, and still not for
  a page that travels with the appendix); when the publishing scan finds a raw personal value among
  the other values, every value is hidden and the page says so.

It is written by the validate step as `validation/index.html` beside `summary.json` (and so also in
`validation-failed/` when a check fails). The appendix's quality section embeds the essentials of it
(`details_section`, a collapsed <details> per table) and links to it relatively.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..ledgers import LEDGERS_BY_TABLE
from ..ledgers.spec import Column
from .html import el, esc, text_el

PAGE_NAME = "index.html"
DATA_DOCS = "data_docs/index.html"
ROWS_SHOWN = 200  # failing rows listed per check on the page (results keep up to 1000, the count is exact)
ROWS_IN_APPENDIX = 10  # failing rows located per check in the internal appendix's summary
HIDDEN = "[个人信息列，不显示]"
ALL_HIDDEN = "[已隐藏]"

SOURCE_LABELS = {
    "row_id": "行标识",
    "source_file": "原始文件",
    "source_sheet": "工作表",
    "source_row": "原始行号",
}
STATUS_ZH = {
    "validated": "已校验",
    "missing_table": "缺少这张表 (missing table)",
    "missing_suite": "缺少期望套件 (missing suite)",
    "empty_suite": "期望套件为空 (empty suite)",
}
DETAIL_ZH = {
    "unexpected_columns": "多出的列 (unexpected columns)",
    "missing_columns": "缺少的列 (missing columns)",
    "exception": "校验时出错 (exception)",
    "error": "错误 (error)",
    "closed_in_year": "本年结案数",
    "filed_in_year": "本年立案数",
    "open_at_previous_year_end": "上年末未结案件数",
    "closed_in_year_filed_earlier": "本年结案中往年立案的件数",
    "carry_over_source": "结转数来源",
    "wrong_dtypes": "类型不符的列 (wrong dtypes)",
}


# ------------------------------------------------------------------ reading


@dataclass
class Results:
    """What the validate step wrote into one validation folder."""

    folder: Path
    summary: dict[str, Any]
    tables: list[dict[str, Any]]  # results/<table>.json, in the summary's order

    @property
    def year(self) -> int:
        return int(self.summary.get("year", 0))

    @property
    def parameters(self) -> dict[str, str]:
        return dict(self.summary.get("suite_parameters") or {})


def load_results(folder: Path) -> Results | None:
    """None when the folder holds no summary.json (the validate step has not run)."""
    folder = Path(folder)
    summary_path = folder / "summary.json"
    if not summary_path.is_file():
        return None
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    tables = []
    for entry in summary.get("tables", []):
        path = folder / "results" / f"{entry['table']}.json"
        if path.is_file():
            tables.append(json.loads(path.read_text(encoding="utf-8")))
        else:  # summary without its result file: still say what the summary knows
            tables.append({**entry, "checks": []})
    return Results(folder, summary, tables)


# ------------------------------------------------------------------ words


def _column(table: str, name: str) -> Column | None:
    ledger = LEDGERS_BY_TABLE.get(table)
    if ledger is None:
        return None
    return next((c for c in ledger.columns if c.clean_name == name), None)


def column_label(table: str, name: str) -> str:
    """「the ledger's header」(clean name): the column as the ledger keeper knows it."""
    if name in SOURCE_LABELS:
        return f"「{SOURCE_LABELS[name]}」({name})"
    column = _column(table, name)
    return f"「{column.header.replace('|', '')}」({name})" if column else name


def table_title(table: str) -> str:
    ledger = LEDGERS_BY_TABLE.get(table)
    return f"{ledger.title}（{table}）" if ledger else table


def _date(value: Any, parameters: dict[str, str]) -> str:
    """A bound as written: a suite parameter becomes the report year's date."""
    if isinstance(value, dict) and "$PARAMETER" in value:
        value = parameters.get(str(value["$PARAMETER"]), value["$PARAMETER"])
    text = str(value)
    return text[:10] if len(text) >= 10 and text[4:5] == "-" and text[7:8] == "-" else text


def expectation_zh(table: str, check: dict[str, Any], parameters: dict[str, str]) -> str:
    """What one check checks, in Chinese words, naming the ledger's columns by their headers."""
    kind = str(check.get("type", ""))
    kwargs = check.get("kwargs") or {}
    label = column_label(table, str(kwargs["column"])) if "column" in kwargs else ""
    if kind == "expect_table_columns_to_match_set":
        count = len(kwargs.get("column_set") or [])
        return f"表的列与台账规格完全一致：共 {count} 列，不多也不少"
    if kind == "expect_column_values_to_not_be_null":
        return f"{label}每一行都须有值，不得为空"
    if kind == "expect_column_values_to_be_unique":
        return f"{label}不得重复，每行各不相同"
    if kind == "expect_column_values_to_be_in_set":
        return f"{label}只能是规定的类别之一：{'、'.join(map(str, kwargs.get('value_set') or []))}"
    if kind == "expect_column_values_to_be_between":
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        in_year = isinstance(low, dict) and isinstance(high, dict)
        if in_year:
            return f"{label}须在报告年度内：{_date(low, parameters)} 至 {_date(high, parameters)}"
        if low is not None and high is not None:
            return f"{label}须在 {_date(low, parameters)} 至 {_date(high, parameters)} 之间"
        if low is not None:
            return f"{label}不得为负数" if low == 0 else f"{label}不得小于 {_date(low, parameters)}"
        if high is not None:
            return f"{label}不得大于 {_date(high, parameters)}"
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = str(kwargs.get("column_A")), str(kwargs.get("column_B"))
        dates = all((c := _column(table, n)) is not None and c.kind == "date" for n in (a, b))
        verb = "不得早于" if dates else "不得小于"
        same = "（可以相同" if kwargs.get("or_equal") else "（不能相同"
        skip = "；任一为空的行不检查）" if kwargs.get("ignore_row_if") == "either_value_is_missing" else "）"
        return f"{column_label(table, a)}{verb}{column_label(table, b)}{same}{skip}"
    if kind == "lawreport.column_dtypes":
        return "每一列的数据类型都符合清洗数据约定（日期是日期、数字是数字、是否是是否）"
    if kind == "lawreport.closed_within_caseload":
        closed, filed = column_label(table, "closed_date"), column_label(table, "filed_date")
        return f"本年结案数（按{closed}）不超过本年立案数（按{filed}）与上年末未结案件数之和"
    if kind == "lawreport.passed_implies_sat_exam":
        passed, sat = column_label(table, "passed"), column_label(table, "sat_exam")
        return f"{passed}为“是”的人，{sat}也须为“是”"
    if kind == "lawreport.amount_recovered_service_type":
        services = "、".join(map(str, kwargs.get("service_types") or []))
        return f"{label}一般只出现在 {services} 服务中（只作提示，不算失败）"
    return str(check.get("description_zh") or kind)


def columns_of(table: str, check: dict[str, Any]) -> list[str]:
    kwargs = check.get("kwargs") or {}
    if "column" in kwargs:
        return [str(kwargs["column"])]
    if "column_A" in kwargs:
        return [str(kwargs["column_A"]), str(kwargs["column_B"])]
    if str(check.get("type")) == "lawreport.closed_within_caseload":
        return ["closed_date", "filed_date"]
    return []


# Outcome badges carry their own inline style (the CSP allows inline styles), so that they look the
# same in this page and inside the appendix, whatever the appendix's stylesheet does with its classes.
OUTCOME_STYLE = {
    "passed": "background:#d5f0d9;border:1px solid #2e7d32",
    "failed": "background:#f8d0d4;border:1px solid #a51d2d",
    "warning": "background:#fde2c8;border:1px solid #c64600",
}


def outcome(check: dict[str, Any]) -> tuple[str, str]:
    """(Chinese label with a mark that reads without colour, outcome key)."""
    if check.get("success"):
        return "✓ 通过", "passed"
    if check.get("severity") == "warning":
        return "! 提示 (warning)", "warning"
    return "✗ 未通过 (failed)", "failed"


def badge(label: str, key: str) -> str:
    style = OUTCOME_STYLE[key] + ";padding:0 .4rem;border-radius:.2rem;white-space:nowrap"
    return text_el("span", label, class_="outcome", data_outcome=key, style=style)


def _count(check: dict[str, Any]) -> str:
    count = check.get("unexpected_count")
    return "—" if count is None else str(count)


def _value(value: Any) -> str:
    if value is None:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_value(v) for v in value)
    return str(value)


def row_value(table: str, row: dict[str, Any], hide_all: bool = False) -> str:
    """The failing value(s) of a row, a personal column's never."""
    if hide_all:
        return ALL_HIDDEN
    names = str(row.get("column") or "").split(",")
    values = row.get("value") if len(names) > 1 and isinstance(row.get("value"), list) else [row.get("value")]
    shown = []
    for name, value in zip(names, values, strict=False):
        column = _column(table, name)
        personal = column.personal if column is not None else name.endswith("_key")
        label = column_label(table, name)
        shown.append(f"{label} = {HIDDEN if personal else _value(value)}")
    return "；".join(shown)


def row_place(row: dict[str, Any]) -> str:
    parts = [str(row.get("source_file") or "（未知文件）")]
    if row.get("source_sheet"):
        parts.append(str(row["source_sheet"]))
    parts.append(f"第 {row['source_row']} 行" if row.get("source_row") is not None else "（行号未知）")
    return " / ".join(parts)


def _details_text(details: dict[str, Any]) -> list[str]:
    lines = []
    for key, value in sorted(details.items()):
        if isinstance(value, list):
            value = "、".join(map(str, value)) or "无"
        elif isinstance(value, dict):
            value = "；".join(f"{k}：{v}" for k, v in sorted(value.items()))
        lines.append(f"{DETAIL_ZH.get(key, key)}：{value}")
    return lines


def _cells(*cells: str) -> str:
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _table(caption: str, headers: list[str], rows: list[str], class_: str) -> str:
    """A table of ready-made rows (cells already escaped), with a caption and column headers."""
    head = "".join(text_el("th", h, scope="col") for h in headers)
    return el(
        "table",
        text_el("caption", caption) + f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>",
        class_=class_,
    )


def _status(check: dict[str, Any]) -> str:
    return badge(*outcome(check))


def _table_counts(result: dict[str, Any]) -> tuple[int, int, int]:
    checks = result.get("checks") or []
    failed = sum(1 for c in checks if not c.get("success") and c.get("severity") != "warning")
    warned = sum(1 for c in checks if not c.get("success") and c.get("severity") == "warning")
    return len(checks), failed, warned


def _table_verdict(result: dict[str, Any]) -> tuple[str, str]:
    _, failed, warned = _table_counts(result)
    if result.get("status", "validated") != "validated" or failed:
        return "✗ 未通过 (failed)", "failed"
    if warned:
        return "! 有提示 (warnings)", "warning"
    return "✓ 通过", "passed"


# ------------------------------------------------------------------ the page


def _anchor(table: str, index: int | None = None) -> str:
    return f"table-{table}" if index is None else f"table-{table}-{index}"


def _rows_table(table: str, check: dict[str, Any], hide_all: bool, limit: int) -> str:
    rows = check.get("offending_rows") or []
    body = [
        _cells(
            esc(row.get("row_id") or ""),
            esc(row.get("source_file") or ""),
            esc(row.get("source_sheet") or ""),
            esc("" if row.get("source_row") is None else row["source_row"]),
            esc(row_value(table, row, hide_all)),
        )
        for row in rows[:limit]
    ]
    total = check.get("unexpected_count") or len(rows)
    more = ""
    if total > min(limit, len(rows)):
        more = text_el(
            "p",
            f"共 {total} 行违规，此处列出前 {min(limit, len(rows))} 行"
            f"（结果文件 results/{table}.json 最多保留 1000 行）。",
            class_="hint",
        )
    headers = ["行标识 row_id", "原始文件", "工作表", "原始行号", "值"]
    return el("div", _table("违规的行", headers, body, "rows"), class_="rowset") + more


def _table_section(result: dict[str, Any], parameters: dict[str, str], hide_all: bool) -> str:
    table = str(result.get("table"))
    checks = result.get("checks") or []
    label, status = _table_verdict(result)
    rows = result.get("rows")
    facts = [
        f"清洗后的表 (clean table)：{result.get('file', table + '.parquet')}",
        f"行数：{'—' if rows is None else rows}",
        f"状态：{STATUS_ZH.get(str(result.get('status', 'validated')), result.get('status'))}",
    ]
    parts = [
        el("h2", esc(table_title(table)) + " " + badge(label, status)),
        text_el("p", "；".join(facts), class_="hint"),
    ]
    body = []
    for i, check in enumerate(checks, 1):
        words = esc(expectation_zh(table, check, parameters))
        if not check.get("success"):
            words = el("a", words, href=f"#{_anchor(table, i)}")
        body.append(_cells(str(i), words, text_el("code", check.get("type", "")), _status(check), esc(_count(check))))
    headers = ["序号", "校验内容", "GX 期望 (expectation)", "结果", "违规行数"]
    parts.append(_table(f"{table_title(table)}的每一项检查", headers, body, "expectations"))
    for i, check in enumerate(checks, 1):
        if check.get("success"):
            continue
        title = f"第 {i} 项{outcome(check)[0].split(' ', 1)[1]}：{expectation_zh(table, check, parameters)}"
        block = [text_el("h3", title, id=_anchor(table, i))]
        block += [text_el("p", line) for line in _details_text(check.get("details") or {})]
        if check.get("offending_rows"):
            block.append(_rows_table(table, check, hide_all, ROWS_SHOWN))
        elif check.get("unexpected_count"):
            block.append(text_el("p", f"违规 {check['unexpected_count']} 处（这一项不按行定位）。", class_="hint"))
        parts.append(el("div", "".join(block), class_="failure"))
    return el("section", "".join(parts), id=_anchor(table))


def render_page(results: Results, hide_all: bool = False) -> str:
    """The whole page (a complete HTML document)."""
    from .export import wrap_document

    summary, parameters = results.summary, results.parameters
    year = results.year
    ok = bool(summary.get("success"))
    intro = [
        el(
            "h1",
            esc(f"{year} 年台账校验结果 (validation results) ")
            + badge("✓ 全部通过" if ok else "✗ 有未通过的项", "passed" if ok else "failed"),
        ),
        text_el(
            "p",
            "本页列出数据校验步骤 (validate) 对每张清洗后的台账表所做的每一项检查：检查什么、针对台账的哪一列、"
            "结果如何，未通过时列出违规的值和所在的原始文件与行。本页由本次运行写出的 summary.json 和 "
            "results/*.json 生成，不需要联网，可单独打开、打印或归档。",
        ),
    ]
    if parameters:
        start, end = _date(parameters.get("year_start", ""), {}), _date(parameters.get("year_end", ""), {})
        intro.append(text_el("p", f"报告年度的日期范围 (year_start – year_end)：{start} 至 {end}", class_="hint"))
    for note in summary.get("notes") or []:
        intro.append(text_el("p", f"说明：{note}", class_="hint"))
    if hide_all:
        intro.append(
            text_el(
                "p",
                "发布前扫描在违规值中发现了原始台账个人信息列中的值，本页已隐藏全部违规值；"
                "行标识与原始行号照常列出，值请在内部审核版附录或原始台账中查看。",
                class_="banner-synthetic",
            )
        )
    overview = []
    for result in results.tables:
        table = str(result.get("table"))
        total, failed, warned = _table_counts(result)
        label, status = _table_verdict(result)
        overview.append(
            _cells(
                el("a", esc(table_title(table)), href=f"#{_anchor(table)}"),
                esc("—" if result.get("rows") is None else result["rows"]),
                str(total),
                str(failed),
                str(warned),
                badge(label, status),
            )
        )
    headers = ["台账（表）", "行数", "期望数", "未通过", "提示", "结果"]
    intro.append(_table("各表校验结果一览", headers, overview, "suites"))
    if summary.get("data_docs_index"):
        intro.append(
            el(
                "p",
                esc(
                    "Great Expectations 自带的 Data Docs（英文；需要联网 (needs the network) 才能完整显示样式，"
                    "离线时其首页为空）："
                )
                + el("a", esc(DATA_DOCS), href=DATA_DOCS, class_="data-docs"),
                class_="hint",
            )
        )
    intro.append(
        el(
            "p",
            esc("返回附录 (back to the appendix)：") + el("a", "../appendix.html", href="../appendix.html"),
            class_="hint",
        )
    )
    sections = [_table_section(result, parameters, hide_all) for result in results.tables]
    body = el("header", "".join(intro)) + "".join(sections)
    return wrap_document(body, esc(f"{year} 年台账校验结果"), "public")


def _shows_values(results: Results) -> bool:
    return any(c.get("offending_rows") for t in results.tables for c in t.get("checks") or [])


def write_page(folder: Path, personal_values: Callable[[], set[str]] | None = None) -> Path | None:
    """Write `folder/index.html` from the results in `folder`; None when there are none.

    `personal_values()` (the raw ledgers' personal values, appendix.scan.personal_values; only read
    when the page shows failing values) are looked for in the rendered page; if one is found, every
    value is hidden.
    """
    results = load_results(folder)
    if results is None:
        return None
    document = render_page(results)
    if personal_values is not None and _shows_values(results):
        from .scan import find_published

        if any(f.personal for f in find_published(document, personal_values())):
            document = render_page(results, hide_all=True)
    target = Path(folder) / PAGE_NAME
    target.write_text(document, encoding="utf-8")
    return target


# ------------------------------------------------------------------ the appendix's summary


def details_section(folder: Path, internal: bool) -> str:
    """A collapsed <details> per table for the appendix's quality section: every check in words with
    its outcome and count; the internal edition also locates the first failing rows (file, sheet,
    row, row id — never a value)."""
    results = load_results(folder)
    if results is None:
        return ""
    blocks = []
    for result in results.tables:
        table = str(result.get("table"))
        total, failed, warned = _table_counts(result)
        label, status = _table_verdict(result)
        line = f"{table_title(table)}：{total} 项检查，未通过 {failed}，提示 {warned}"
        summary = el("summary", esc(line) + " " + badge(label, status))
        rows = []
        for check in result.get("checks") or []:
            cells = [esc(expectation_zh(table, check, results.parameters)), _status(check), esc(_count(check))]
            if internal:
                places = [
                    f"{row_place(r)}（{r.get('row_id') or '—'}）"
                    for r in (check.get("offending_rows") or [])[:ROWS_IN_APPENDIX]
                ]
                cells.append(esc("；".join(places)))
            rows.append(_cells(*cells))
        heads = ["校验内容", "结果", "违规行数"] + (["违规行的位置（前 10 行）"] if internal else [])
        inner = _table(f"{table_title(table)}的每一项检查", heads, rows, "expectations")
        if result.get("status", "validated") != "validated":
            inner = text_el("p", STATUS_ZH.get(str(result.get("status")), str(result.get("status")))) + inner
        blocks.append(el("details", summary + inner, class_="validation-table", id=f"validation-{table}"))
    return "".join(blocks)


__all__ = [
    "PAGE_NAME",
    "Results",
    "column_label",
    "details_section",
    "expectation_zh",
    "load_results",
    "render_page",
    "write_page",
]
