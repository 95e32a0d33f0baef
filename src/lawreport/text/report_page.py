"""`lawreport check --html PAGE`: the checked reports as one self-contained HTML page.

The page uses the appendix's document shell (`appendix.export.wrap_document`: `lang="zh-CN"`, the
restrictive CSP `default-src 'none'`, no script, inline CSS) and its builders (`appendix.html`), with
a few rules of its own for the report text, phones (390 px) and paper. Every text taken from a report
(its path, its words, the read error, the explanations that quote it) is escaped.

DOM, per document n (1-based, in the order given):

- `<section class="doc" id="doc-n" data-path=… data-fails=…>`: `h2.path`, `ul.summary` (relations by
  verdict, `li[data-verdict]`), `p.roles` (mentions by role), notices, then either `p.read-error`
  or the report text `div.report-text` (one `<p>` per line, every mention a
  `mark.m.m-<role>[data-role]`; a mention used by a failing relation is also `.m-fails`, wrapped in
  `a.fail-ref#dn-m-<mention index>[href="#dn-rel-<relation number>"]` with the label `✗<number>`),
  each failing relation as `aside.card.failure#dn-rel-<number>` right below the paragraph holding its
  last mention, and `table.relations` (one `tr#dn-row-<number>[data-verdict]` per relation).
- Several documents: `section#summary` first, `table.documents` with a row per document linking to
  `#doc-n`; each document section starts a new printed page.
- `section#legend` at the end.

Nothing varies between runs: the same documents give the same bytes (a time stamp only if passed).
"""

from __future__ import annotations

import bisect
from pathlib import Path

from ..appendix.export import wrap_document
from ..appendix.html import el, esc, table, text_el
from ..storage import replace_text
from .check import CheckedDocument
from .mentions import ROLES, Mention
from .relations import KINDS, VERDICT_ZH, VERDICTS, Relation

KIND_ZH = {
    "part_whole": "部分与整体",
    "list_sum": "分项之和",
    "rate_counts": "比率与计数",
    "attainability": "百分比能否得出",
    "points_vs_percent": "百分点与百分比",
    "yoy": "同比变化",
    "repeat": "前后重复的数字",
    "subset": "部分不大于整体",
    "share_sum": "占比之和",
}
KIND_HINT = {
    "part_whole": "共 N，其中 a、b：各部分之和不能超过（列全时应等于）总数",
    "list_sum": "分别为 a、b、c：各项之和应与总数相符",
    "rate_counts": "写出比率和两个计数时，比率应由计数算得",
    "attainability": "在给定基数下，写出的百分比（按写出的小数位四舍五入）应能得到",
    "points_vs_percent": "两个百分比之差应以“个百分点”表述",
    "yoy": "写出两年数值时，同比变化应与之相符",
    "repeat": "同一数量在文中出现两次，数值应一致",
    "subset": "部分不能大于其整体",
    "share_sum": "同一总数的各项占比之和不能超过 100%",
}
ROLE_ZH = {
    "figure": "统计数字",
    "date": "日期",
    "period": "期间",
    "time": "时刻",
    "doc_number": "文号",
    "heading": "标题序号",
    "name": "名称中的数字",
    "commitment": "计划或目标",
}
ROLE_HINT = {
    "figure": "报告断言的统计数字，参与核对",
    "date": "日期，不参与核对",
    "period": "统计期间或年份区间",
    "time": "时刻",
    "doc_number": "文件编号",
    "heading": "标题、条目序号",
    "name": "名称里的数字（如“十四五”“二十大”）",
    "commitment": "下一步的计划或目标，不是已统计的数字",
}
SYMBOL = {"holds": "✓", "fails": "✗", "unclear": "?"}

PAGE_CSS = """
.page-head h1 { margin-bottom: .3rem; } .path { overflow-wrap: anywhere; }
.doc { scroll-margin-top: 1rem; }
.doc > h2 { font-size: 1.25rem; }
.summary li[data-verdict="fails"] { border: 2px solid var(--inconsistent-b); font-weight: bold; }
.summary li[data-verdict="holds"] { border-color: var(--match-b); }
.roles, .notices { color: #3d3846; font-size: .9rem; margin: .3rem 0; }
.read-error { border: 2px solid var(--inconsistent-b); border-radius: .3rem; padding: .4rem .8rem;
  font-weight: bold; overflow-wrap: anywhere; }
.report-text { overflow-wrap: anywhere; border-top: 1px solid #c0bfbc; border-bottom: 1px solid #c0bfbc;
  padding: .3rem 0; margin: 1rem 0; }
mark.m { background: none; color: inherit; padding: 0 .05rem; border-radius: .15rem; }
mark.m-figure { background: #dbe8fb; border-bottom: 2px solid #1a5fb4; }
mark.m-date, mark.m-period, mark.m-time { border-bottom: 1px dotted #5e5c64; }
mark.m-doc_number, mark.m-heading, mark.m-name { border-bottom: 1px dotted #9a9996; color: #5e5c64; }
mark.m-commitment { background: #f6efe6; border-bottom: 2px dashed #865e3c; }
mark.m-fails { background: var(--inconsistent); border-bottom: 0; font-weight: bold;
  text-decoration: underline wavy var(--inconsistent-b) 2px; text-underline-offset: .3em; }
a.fail-ref { color: inherit; text-decoration: none; scroll-margin-top: 2rem; }
a.fail-ref:target mark { outline: 3px solid #1a5fb4; }
.fail-label { color: var(--inconsistent-b); font-size: .72em; font-weight: bold; vertical-align: super;
  line-height: 0; margin: 0 .1rem 0 .05rem; white-space: nowrap; }
.card.failure { border-left-color: var(--inconsistent-b); margin: .4rem 0 1rem 2em; overflow-wrap: anywhere; }
.card.failure .failure-head { margin: .2rem 0; }
.card.failure p { text-indent: 0; }
.verdict { white-space: nowrap; font-weight: bold; }
.verdict[data-verdict="fails"] { color: var(--inconsistent-b); }
.verdict[data-verdict="holds"] { color: var(--match-b); }
.verdict[data-verdict="unclear"] { color: #5e5c64; }
.en { color: #5e5c64; font-weight: normal; font-size: .85em; }
.rowset { max-width: 100%; margin: .5rem 0 1rem; } .rowset table { margin: 0; }
table.relations td.explanation { min-width: 14em; }
table.relations tr[data-verdict="fails"] td { background: #fdf0f1; }
table.relations tr:target td { background: #f0f6ff; }
table.documents td.read-error { border: 1px solid #c0bfbc; border-left: 4px solid var(--inconsistent-b); font-weight: normal; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num[data-fails]:not([data-fails="0"]) { font-weight: bold; color: var(--inconsistent-b); }
.back { font-size: .85rem; margin: .2rem 0; }
#legend dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
#legend dt { white-space: nowrap; } #legend dd { margin: 0; min-width: 0; }
@media (max-width: 40rem) {
  body { padding: .5rem .75rem 3rem; }
  h1 { font-size: 1.3rem; } h2 { margin-top: 2rem; } .doc > h2 { font-size: 1.1rem; }
  .report-text p { text-indent: 0; }
  .card.failure { margin-left: 0; padding: .4rem .7rem; }
  .summary { gap: .4rem; } .summary li { padding: .2rem .5rem; } .summary .count { font-size: 1.15rem; }
  #legend dl { grid-template-columns: 1fr; } #legend dd { margin-bottom: .4rem; }
  /* the relations table: one box per relation, each cell under its column's name */
  table.relations, table.relations tbody, table.relations tr, table.relations td { display: block; }
  table.relations thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  table.relations tr { border: 1px solid #c0bfbc; border-radius: .3rem; margin: 0 0 .5rem; }
  table.relations tr[data-verdict="fails"] { border-left: 4px solid var(--inconsistent-b); }
  table.relations td { border: 0; border-top: 1px dotted #deddda; text-align: left; }
  table.relations td:first-child { border-top: 0; }
  table.relations td::before { content: attr(data-label); display: block; color: #5e5c64; font-size: .75rem; }
  table.relations td.explanation { min-width: 0; }
  table.relations td:first-child::before { display: inline; margin-right: .5rem; }
}
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  .doc + .doc, #legend { break-before: page; }
  .rowset { overflow: visible; } .card, tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; } .back { display: none; }
  mark.m-fails { text-decoration-color: currentColor; }
  .fail-label, .verdict { color: #000; }
  table.relations tr[data-verdict="fails"] td { border-left-width: 2px; }
}
"""


def _verdict(verdict: str) -> str:
    """The verdict as a symbol and a word (never colour alone)."""
    word = VERDICT_ZH.get(verdict, verdict)
    label = f"{SYMBOL.get(verdict, '?')} {word}"
    return el(
        "span", esc(label) + " " + text_el("span", f"({verdict})", class_="en"), class_="verdict", data_verdict=verdict
    )


def _kind(kind: str) -> str:
    return esc(KIND_ZH.get(kind, kind)) + " " + text_el("span", f"({kind})", class_="en")


def _rows_table(headers: list[str], rows: list[str], label: str, **attributes: object) -> str:
    """A table whose rows are already HTML (`<tr>…</tr>`), in a box that scrolls on its own on a phone."""
    head = "".join(text_el("th", h, scope="col") for h in headers)
    inner = el("table", f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>", **attributes)
    return el("div", inner, class_="rowset", tabindex="0", role="region", aria_label=label)


class _DocumentPage:
    """The HTML of one checked document, its ids prefixed with `d<number>`."""

    def __init__(self, document: CheckedDocument, number: int):
        self.document, self.number = document, number
        self.prefix = f"d{number}"
        self.anchor = f"doc-{number}"
        mentions = document.mentions
        self.failing = [(i, r) for i, r in enumerate(document.relations) if r.verdict == "fails"]
        # mention index -> the failing relations (0-based relation indices) that use it
        self.fails_of: dict[int, list[int]] = {}
        for i, relation in self.failing:
            for j in relation.mentions:
                if 0 <= j < len(mentions) and i not in self.fails_of.get(j, []):
                    self.fails_of.setdefault(j, []).append(i)
        self.placed: set[int] = set()  # mentions marked in the text

    def rel_id(self, i: int) -> str:
        return f"{self.prefix}-rel-{i + 1}"

    def mention_id(self, j: int) -> str:
        return f"{self.prefix}-m-{j}"

    # ------------------------------------------------------------ header

    def header(self) -> str:
        document = self.document
        parts = [el("h2", text_el("span", document.path, class_="path"))]
        if document.error is not None:
            return "".join(parts)
        counts = document.verdicts()
        items = "".join(
            el(
                "li",
                _verdict(v) + text_el("span", counts.get(v, 0), class_="count"),
                data_verdict=v,
            )
            for v in VERDICTS
        )
        parts.append(
            el("p", esc(f"关系 (relations) {len(document.relations)} 个："), class_="roles")
            + el("ul", items, class_="summary")
        )
        figures = sum(1 for m in document.mentions if m.is_figure)
        roles = " · ".join(f"{ROLE_ZH.get(role, role)} ({role}) {n}" for role, n in document.roles().items())
        parts.append(
            text_el(
                "p",
                f"数字 (mentions) {len(document.mentions)} 个，其中统计数字 (figures) {figures} 个"
                + (f"：{roles}" if roles else ""),
                class_="roles",
            )
        )
        if document.notices:
            notices = "".join(text_el("li", f"提示 (notice)：{notice}") for notice in document.notices)
            parts.append(el("ul", notices, class_="notices"))
        return "".join(parts)

    # ------------------------------------------------------------ report text

    def _lines(self) -> list[tuple[int, int]]:
        """(start, end) of every non-blank line, whitespace trimmed, offsets into the text."""
        text, spans, start = self.document.text, [], 0
        for end in [*(i for i, c in enumerate(text) if c == "\n"), len(text)]:
            a, b = start, end
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if a < b:
                spans.append((a, b))
            start = end + 1
        return spans

    def _mark(self, j: int, mention: Mention) -> str:
        role = mention.role
        title = f"{ROLE_ZH.get(role, role)} ({role})"
        fails = self.fails_of.get(j, [])
        classes = f"m m-{role}" + (" m-fails" if fails else "")
        mark = el(
            "mark",
            esc(mention.text),
            class_=classes,
            data_role=role,
            data_relations=" ".join(str(i + 1) for i in fails) or None,
            title=title,
        )
        if not fails:
            return mark
        links = []
        for k, i in enumerate(fails):
            kind = self.document.relations[i].kind
            label = text_el("span", f"✗{i + 1}", class_="fail-label")
            links.append(
                el(
                    "a",
                    (mark if k == 0 else "") + label,
                    class_="fail-ref",
                    href=f"#{self.rel_id(i)}",
                    id=self.mention_id(j) if k == 0 else None,
                    title=f"不成立的关系 #{i + 1}：{KIND_ZH.get(kind, kind)}",
                )
            )
        return "".join(links)

    def _paragraph(self, start: int, end: int, mentions: list[tuple[int, Mention]]) -> str:
        text, out, at = self.document.text, [], start
        for j, mention in mentions:
            out.append(esc(text[at : mention.start]))
            out.append(self._mark(j, mention))
            self.placed.add(j)
            at = mention.end
        out.append(esc(text[at:end]))
        return "".join(out).replace("\r", "")

    def sentences(self, relation: Relation) -> str:
        """The sentence holding each of the relation's mentions, in order, once each."""
        mentions = [self.document.mentions[j] for j in relation.mentions if 0 <= j < len(self.document.mentions)]
        if not mentions:
            return ""
        text, found = self.document.text, []
        for mention in sorted(mentions, key=lambda m: m.start):
            left = max(text.rfind(c, 0, mention.start) for c in "。！？；\n") + 1
            rights = [p for p in (text.find(c, mention.end) for c in "。！？；\n") if p >= 0]
            right = min(rights) + 1 if rights else len(text)
            sentence = text[left:right].strip()
            if sentence not in found:
                found.append(sentence)
        return " …… ".join(found)

    def _failure(self, i: int, relation: Relation) -> str:
        placed = [j for j in relation.mentions if j in self.placed]
        back = (
            el(
                "p",
                text_el("a", "↑ 回到原文中的数字 (back to the figure)", href=f"#{self.mention_id(placed[0])}"),
                class_="back",
            )
            if placed
            else ""
        )
        head = el(
            "p",
            _verdict("fails")
            + " "
            + text_el("span", f"#{i + 1}", class_="fail-label")
            + " "
            + el("strong", _kind(relation.kind)),
            class_="failure-head",
        )
        body = text_el("p", relation.explanation, class_="explanation")
        sentence = self.sentences(relation)
        quote = el("p", el("span", "原文：", class_="en") + esc(sentence), class_="quote") if sentence else ""
        return el(
            "aside", head + body + quote + back, class_="card failure", id=self.rel_id(i), data_kind=relation.kind
        )

    def report_text(self) -> str:
        document = self.document
        lines = self._lines()
        if not lines:
            return text_el("p", "（没有文字 (no text)）", class_="hint")
        starts = [a for a, _ in lines]

        def line_of(offset: int) -> int:
            return max(0, bisect.bisect_right(starts, offset) - 1)

        inside: dict[int, list[tuple[int, Mention]]] = {}
        last_end = -1
        for j, mention in sorted(enumerate(document.mentions), key=lambda x: (x[1].start, -x[1].end)):
            if mention.start < last_end or mention.end <= mention.start:
                continue  # overlapping or empty: never happens with find_mentions, but stay well-formed
            k = line_of(mention.start)
            a, b = lines[k]
            if a <= mention.start and mention.end <= b:
                inside.setdefault(k, []).append((j, mention))
                last_end = mention.end
        # Each failing relation below the paragraph holding its last mention (or at the end).
        below: dict[int, list[int]] = {}
        for i, relation in self.failing:
            ends = [document.mentions[j].end for j in relation.mentions if 0 <= j < len(document.mentions)]
            below.setdefault(line_of(max(ends) - 1) if ends else len(lines) - 1, []).append(i)
        paragraphs = [self._paragraph(a, b, inside.get(k, [])) for k, (a, b) in enumerate(lines)]
        out = []
        for k, content in enumerate(paragraphs):
            first = k == 0 and len(document.text[lines[0][0] : lines[0][1]]) <= 40
            title_like = first and document.text[lines[0][1] - 1] not in "。；！？"
            out.append(el("p", content, class_="report-title" if title_like else None))
            out.extend(self._failure(i, document.relations[i]) for i in below.get(k, []))
        return el("div", "".join(out), class_="report-text", aria_label="报告原文 (report text)")

    # ------------------------------------------------------------ relations table

    def relations_table(self) -> str:
        document = self.document
        if not document.relations:
            return text_el("p", "没有找到可核对的关系 (no relations found)。", class_="hint")
        headers = ["#", "类型 (kind)", "结论 (verdict)", "说明 (explanation)", "数字 (figures)"]
        rows = []
        for i, relation in enumerate(document.relations):
            number = (
                text_el("a", f"#{i + 1}", href=f"#{self.rel_id(i)}")
                if relation.verdict == "fails"
                else esc(f"#{i + 1}")
            )
            figures = " / ".join(
                document.mentions[j].text for j in relation.mentions if 0 <= j < len(document.mentions)
            )
            # data-label: the column's name, shown before each cell when a phone stacks the rows
            cells = (
                el("td", number, class_="num", data_label="关系 (relation)")
                + el("td", _kind(relation.kind), data_label=headers[1])
                + el("td", _verdict(relation.verdict), data_label=headers[2])
                + text_el("td", relation.explanation, class_="explanation", data_label=headers[3])
                + text_el("td", figures, data_label=headers[4])
            )
            rows.append(el("tr", cells, id=f"{self.prefix}-row-{i + 1}", data_verdict=relation.verdict))
        return _rows_table(headers, rows, "全部关系 (all relations)", class_="relations")

    def section(self, several: bool) -> str:
        document = self.document
        parts = [self.header()]
        if document.error is not None:
            parts.append(text_el("p", f"✗ 无法读取 (cannot read)：{document.error}", class_="read-error"))
        else:
            parts.append(el("h3", "报告原文 (report text)"))
            parts.append(self.report_text())
            parts.append(el("h3", "全部关系 (all relations)"))
            parts.append(self.relations_table())
        if several:
            parts.append(el("p", text_el("a", "↑ 回到汇总 (back to the summary)", href="#summary"), class_="back"))
        fails = len(self.failing) if document.error is None else 0
        return el(
            "section",
            "".join(parts),
            class_="doc",
            id=self.anchor,
            data_path=document.path,
            data_fails=fails,
            data_error="true" if document.error is not None else None,
        )


def _summary(pages: list[_DocumentPage]) -> str:
    rows = []
    for page in pages:
        document = page.document
        link = el("td", text_el("a", document.path, href=f"#{page.anchor}", class_="path"))
        if document.error is not None:
            cells = link + text_el(
                "td", f"✗ 无法读取 (cannot read)：{document.error}", class_="read-error", colspan="4"
            )
        else:
            counts = document.verdicts()
            figures = sum(1 for m in document.mentions if m.is_figure)
            cells = link + text_el("td", figures, class_="num")
            for verdict in VERDICTS:
                extra = {"data_fails": counts[verdict]} if verdict == "fails" else {}
                cells += text_el("td", counts[verdict], class_="num", **extra)
        rows.append(el("tr", cells, data_doc=page.anchor))
    readable = [p.document for p in pages if p.document.error is None]
    failing = sum(d.verdicts()["fails"] for d in readable)
    unreadable = len(pages) - len(readable)
    headers = ["报告 (report)", "统计数字 (figures)"] + [f"{SYMBOL[v]} {VERDICT_ZH[v]} ({v})" for v in VERDICTS]
    total = text_el(
        "p",
        f"共 {len(pages)} 份：无法读取 {unreadable} 份，不成立的关系 {failing} 个"
        f" ({len(pages)} documents, {unreadable} unreadable, {failing} failing relations)。",
        class_="totals",
    )
    body = (
        _rows_table(headers, rows, "汇总 (summary)", class_="documents")
        if rows
        else text_el("p", "没有可核对的报告 (no documents)。", class_="hint")
    )
    return el("section", el("h2", "汇总 (summary)") + total + body, id="summary")


def _legend() -> str:
    samples = []
    for role in ROLES:
        sample = el("mark", esc("120"), class_=f"m m-{role}", data_role=role)
        samples.append(
            el("dt", sample + " " + esc(f"{ROLE_ZH.get(role, role)} ({role})")) + text_el("dd", ROLE_HINT.get(role, ""))
        )
    failing = el("mark", "120", class_="m m-figure m-fails") + text_el("span", "✗3", class_="fail-label")
    samples.append(
        el("dt", failing + " " + esc("不成立的关系所用数字"))
        + text_el("dd", "加粗、波浪下划线并标 ✗ 和关系编号；点击跳到该关系的说明 (click: to its explanation)")
    )
    verdicts = "".join(
        el("dt", _verdict(v))
        + text_el(
            "dd",
            {
                "holds": "按写出的数字（含约数的取值范围）算得通",
                "fails": "无论约数取何值都算不通",
                "unclear": "读不准或缺少数据，不下结论",
            }[v],
        )
        for v in VERDICTS
    )
    kinds = table(
        ["类型 (kind)", "核对什么"],
        [(f"{KIND_ZH.get(k, k)} ({k})", KIND_HINT.get(k, "")) for k in KINDS],
        class_="kinds",
    )
    return el(
        "section",
        el("h2", "图例 (legend)")
        + el("h3", "数字的角色 (roles)")
        + el("dl", "".join(samples))
        + el("h3", "结论 (verdicts)")
        + el("dl", verdicts)
        + el("h3", "关系的类型 (kinds)")
        + el("div", kinds, class_="rowset", tabindex="0", role="region", aria_label="关系的类型"),
        id="legend",
    )


def render_page(documents: list[CheckedDocument], stamp: str | None = None) -> str:
    """The whole page as a string; `stamp` (e.g. a run time) is shown only when given."""
    pages = [_DocumentPage(document, n) for n, document in enumerate(documents, start=1)]
    several = len(pages) != 1
    title = f"报告数字核对：{documents[0].path}" if not several else f"报告数字核对：{len(documents)} 份报告"
    intro = (
        "逐一找出报告中的数字，标出其角色，并按区间算术核对数字之间的关系（不需要台账）。"
        "不成立的关系在所在段落下方说明，并在文中以 ✗ 和编号标出。本页不含脚本，不连接网络。"
    )
    head = el("h1", esc("报告数字核对") + " " + text_el("span", "(lawreport check)", class_="en"))
    head += text_el("p", intro, class_="hint")
    if stamp is not None:
        head += text_el("p", f"生成时间 (generated)：{stamp}", class_="hint")
    body = el("header", head, class_="page-head", id="top")
    if several:
        body += _summary(pages)
    body += "".join(page.section(several) for page in pages)
    body += _legend()
    document = wrap_document(body, esc(title), "check")
    head_end = "</style>"
    if document.count(head_end) != 1:  # the page's own rules go into the shell's one <style> element
        raise RuntimeError("appendix.export.wrap_document no longer gives exactly one <style> element")
    return document.replace(head_end, PAGE_CSS + head_end)


def write_page(documents: list[CheckedDocument], target: Path, stamp: str | None = None) -> Path:
    """Write the page for the documents to `target` atomically (a temporary file, then os.replace)."""
    return replace_text(Path(target), render_page(documents, stamp))
