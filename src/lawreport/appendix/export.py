"""From the executed notebook to the published HTML file: nbconvert's body (basic template, no
inputs, no prompts; written directly by nbhtml for the plain notebooks the appendix produces, the
same bytes), our own document shell with inline CSS and a restrictive CSP, a scan, then an atomic
write. Nothing is written under the final name unless the scan passes: a finding raises
`PublishBlocked` (P305), naming each finding's kind, its masked surroundings and the ledger cell it
came from, and the previously published file stays in place.

The phases are separate functions (render_html, personal_values, find_published, replace_text);
`export_editions(..., timings=dict)` reports the seconds of each. The pipeline prepares each edition
(rendered and scanned, `prepare_edition`) as soon as its notebook has run and writes them together
(`write_editions`)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..ledgers.errors import RUN_CODES
from ..params import PROJECT_ROOT, RunParams
from ..run.pipeline import NOTEBOOK_DIR, StepFailed
from ..storage import replace_text
from . import nbhtml
from .editions import EDITION_ZH, check_edition
from .html import STATUS_MARK, esc
from .scan import (
    Finding,
    find_published,
    forget_notebook,
    notebook_json,
    personal_values,
    scan_memo_folder,
    scrubbed_findings,
    trace_findings,
)

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
NOTEBOOK = "90_appendix.py"

CSS = """
body { --match:#d5f0d9; --match-b:#2e7d32; --mismatch:#fde2c8; --mismatch-b:#c64600;
  --inconsistent:#f8d0d4; --inconsistent-b:#a51d2d; --no_data:#e4e4e7; --no_data-b:#5e5c64; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif;
  line-height: 1.7; color: #1d1d1f; max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 4rem; background: #fff;
  overflow-wrap: break-word; }
img { max-width: 100%; height: auto; }
h1 { font-size: 1.6rem; line-height: 1.35; } h2 { border-bottom: 2px solid #1a5fb4; padding-bottom: .2rem; margin-top: 3rem; }
#cover h2.cover-heading { font-size: 1.1rem; border: 0; padding: 0; margin: 1.2rem 0 .4rem; }
section { scroll-margin-top: 1rem; }
.sr-only { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip-path: inset(50%); white-space: nowrap; border: 0; }
.table-scroll { max-width: 100%; overflow-x: auto; margin: .5rem 0 1rem;
  /* a shadow on the side that has more to scroll to (white covers stay put at the ends: background-attachment local) */
  background: linear-gradient(to right, #fff 40%, rgba(255,255,255,0)) left / 1.5rem 100% no-repeat local,
    linear-gradient(to left, #fff 40%, rgba(255,255,255,0)) right / 1.5rem 100% no-repeat local,
    radial-gradient(farthest-side at 0 50%, rgba(0,0,0,.22), rgba(0,0,0,0)) left / .6rem 100% no-repeat scroll,
    radial-gradient(farthest-side at 100% 50%, rgba(0,0,0,.22), rgba(0,0,0,0)) right / .6rem 100% no-repeat scroll; }
.table-scroll > table { margin: 0; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .85rem; }
caption { caption-side: top; text-align: left; font-weight: bold; padding: .1rem 0 .2rem; }
th, td { border: 1px solid #c0bfbc; padding: .15rem .45rem; text-align: left; vertical-align: top; }
th { background: #f3f3f4; white-space: nowrap; } td { min-width: 3.5em; }
code, pre { font-family: "Noto Sans Mono CJK SC", monospace; font-size: .85rem; } code { overflow-wrap: anywhere; }
pre { background: #f6f5f4; padding: .6rem; max-width: 100%; overflow-x: auto; }
.banner-synthetic { background: #fff1b8; border: 2px solid #e5a50a; padding: .6rem 1rem; font-weight: bold; margin: .8rem 0; }
.edition-badge { display: inline-block; padding: .1rem .7rem; border-radius: 1rem; color: #fff; background: #1a5fb4; }
.edition-badge[data-edition="internal"] { background: #a51d2d; }
.meta { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .1rem 1rem; }
.meta dt { font-weight: bold; } .meta dd { margin: 0; min-width: 0; }
.summary { list-style: none; padding: 0; display: flex; gap: 1rem; flex-wrap: wrap; }
.summary li { border: 1px solid #c0bfbc; border-radius: .4rem; padding: .3rem .8rem; }
.summary .count { font-size: 1.4rem; font-weight: bold; margin-left: .5rem; }
.fig { text-decoration: none; color: inherit; border-bottom: 2px solid; padding: 0 .1rem; border-radius: .15rem; }
.fig[data-status="mismatch"] { border-bottom-style: dashed; }
.fig[data-status="inconsistent"] { border-bottom: 4px double; font-weight: bold; }
.fig[data-status="no_data"] { border-bottom-style: dotted; }
[data-status="match"].fig, .swatch[data-status="match"], .status[data-status="match"] { background: var(--match); border-color: var(--match-b); }
[data-status="mismatch"].fig, .swatch[data-status="mismatch"], .status[data-status="mismatch"] { background: var(--mismatch); border-color: var(--mismatch-b); }
[data-status="inconsistent"].fig, .swatch[data-status="inconsistent"], .status[data-status="inconsistent"] { background: var(--inconsistent); border-color: var(--inconsistent-b); }
[data-status="no_data"].fig, .swatch[data-status="no_data"], .status[data-status="no_data"] { background: var(--no_data); border-color: var(--no_data-b); }
.fig-mark { font-size: .72em; font-weight: bold; vertical-align: .4em; line-height: 0; white-space: nowrap;
  margin: 0 .15em 0 .05em; color: var(--match-b); }
.fig-mark[data-status="mismatch"] { color: var(--mismatch-b); }
.fig-mark[data-status="inconsistent"] { color: var(--inconsistent-b); }
.fig-mark[data-status="no_data"] { color: var(--no_data-b); }
.fig-ref { display: none; }
.legend { margin: .5rem 0 1rem; font-size: .9rem; } .legend-title { margin: 0; font-weight: bold; }
.legend ul { list-style: none; padding: 0; margin: .2rem 0; } .legend li { margin: .1rem 0; }
.legend .fig { margin-right: .1rem; } .legend .swatch { margin: 0 .3rem 0 .4rem; }
.legend-hint { color: #5e5c64; } .legend-note { margin: .2rem 0; color: #5e5c64; font-size: .85rem; }
.swatch, .status { border: 1px solid; padding: 0 .4rem; border-radius: .2rem; white-space: nowrap; }
.report-text p { text-indent: 2em; margin: .4rem 0; } .report-text p.report-title { text-indent: 0; font-weight: bold; text-align: center; }
a.fig:target { outline: 3px solid #1a5fb4; }
#figures .cards { counter-reset: card; }
#figures article.card { counter-increment: card; }
#figures article.card h3::before { content: counter(card); display: inline-block; min-width: 1.6em; margin-right: .4rem;
  padding: 0 .3rem; border: 1px solid #c0bfbc; border-radius: .2rem; text-align: center; font-size: .85em;
  font-weight: normal; color: #5e5c64; font-variant-numeric: tabular-nums; }
.card { border: 1px solid #c0bfbc; border-left: 6px solid var(--no_data-b); border-radius: .3rem; padding: .5rem 1rem; margin: 1rem 0; scroll-margin-top: 1rem; }
.card[data-status="match"] { border-left-color: var(--match-b); }
.card[data-status="mismatch"] { border-left-color: var(--mismatch-b); }
.card[data-status="inconsistent"] { border-left-color: var(--inconsistent-b); }
.card:target { outline: 4px solid #1a5fb4; background: #f0f6ff; }
.card header { display: flex; flex-wrap: wrap; gap: .2rem 1rem; align-items: baseline; } .card h3 { margin: .3rem 0; font-size: 1.05rem; }
.card dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .1rem 1rem; margin: .3rem 0; }
.card dt { color: #5e5c64; } .card dd { margin: 0; min-width: 0; }
.quote { margin: .3rem 0; padding: .2rem .8rem; border-left: 3px solid #c0bfbc; background: #fafafa; }
.rowset, details { max-width: 100%; overflow-x: auto; } .suppression-note, .hint { color: #5e5c64; font-size: .85rem; }
.chart-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(30rem, 100%), 1fr)); gap: 1rem; }
figure.chart { margin: 0; min-width: 0; } figure.chart img { display: block; width: 100%; max-width: 100%; height: auto; }
figure.chart figcaption { font-size: .85rem; color: #5e5c64; }
@media (max-width: 40rem) {
  body { padding: .5rem .75rem 3rem; }
  h1 { font-size: 1.3rem; } h2 { font-size: 1.25rem; margin-top: 2rem; }
  .summary { gap: .4rem; } .summary li { padding: .2rem .5rem; } .summary .count { font-size: 1.15rem; }
  .card { padding: .4rem .7rem; border-left-width: 4px; }
  .card dl { grid-template-columns: minmax(0, 1fr); gap: 0; } .card dt { margin-top: .3rem; font-size: .85rem; }
  .quote { padding: .2rem .5rem; }
}
@page { size: A4; margin: 14mm 12mm 15mm; @bottom-center { content: counter(page) " / " counter(pages); font-size: 8pt; color: #5e5c64; } }
@media print {
  html { font-size: 9pt; } /* every rem of the screen rules scales with the paper's type */
  body { max-width: none; margin: 0; padding: 0; font-size: 1rem; line-height: 1.45; color: #000; }
  h1 { font-size: 15pt; margin: 0 0 .4rem; } h2 { font-size: 12.5pt; margin: 1.2rem 0 .4rem; border-bottom-width: 1.5px; }
  h1, h2, h3, h4, h5, caption { break-after: avoid; }
  .card h3 { font-size: 10pt; margin: .1rem 0; } .card h4 { font-size: 9pt; margin: .25rem 0 0; }
  .card h5 { font-size: 8pt; margin: .2rem 0 0; }
  a { color: inherit; text-decoration: none; }
  .back { display: none; }
  .fig, .swatch, .status, .summary li, .quote, th, pre, .edition-badge, .banner-synthetic { background: none !important; }
  .fig { border-bottom-width: 1.5px; padding: 0; } .fig[data-status="inconsistent"] { border-bottom-width: 4px; }
  .fig-mark, .fig-ref { color: #000; }
  .fig-ref { display: inline; font-size: .68em; vertical-align: .4em; line-height: 0; margin-right: .1em; }
  a.fig:target, .card:target { outline: none; background: none; }
  .edition-badge { color: #000; border: 1.5px solid; font-weight: bold; }
  .banner-synthetic { padding: .3rem .6rem; }
  .card { break-inside: avoid; border-left-width: 3px; padding: .2rem .6rem; margin: 0 0 .4rem; font-size: 8.5pt;
    line-height: 1.35; }
  .card > .explain-command { font-size: 7.5pt; }
  .card > header, .card > .quote { break-after: avoid; }
  /* a card on paper: facts and sources on the left, the computation on the right (public) or the
     sources on the right and the rows below (internal); anything else full width below */
  article.card { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); grid-template-rows: auto auto auto 1fr;
    column-gap: 5mm; }
  article.card > * { grid-column: 1 / -1; align-self: start; }
  article.card > header { grid-area: 1 / 1 / 2 / 3; } article.card > .quote { grid-area: 2 / 1 / 3 / 3; }
  article.card > dl { grid-area: 3 / 1 / 4 / 2; align-content: start; } article.card > .sources { grid-area: 4 / 1 / 5 / 2; }
  article.card > .recipe { grid-area: 3 / 2 / 5 / 3; }
  article.card:has(> .lineage) > .sources { grid-area: 3 / 2 / 4 / 3; }
  /* internal: a card whose listed rows cannot fit on one page may break, but only between rows
     (its head, facts and each row set's title stay together) */
  body[data-edition="internal"] .card:has(tbody > tr:nth-child(25)) { break-inside: auto; }
  .card > dl, .card .sources, .recipe > ol { break-inside: avoid; }
  .rowset > h5, .lineage > h4 { break-after: avoid; }
  .card .quote { margin: .1rem 0; padding: 0 .5rem; }
  .card p, .card ol, .card ul { margin: .1rem 0; } .card .suppression-note { font-size: 7.5pt; }
  .card dl { gap: 0 .8rem; margin: .1rem 0; }
  .recipe ol { margin: .1rem 0; padding-left: 1.6em; }
  .table-scroll, .rowset, details { overflow: visible; }
  .table-scroll { margin: .1rem 0 .2rem; background: none; }
  table { font-size: 7pt; line-height: 1.35; max-width: 100%; }
  th { white-space: normal; border-bottom: 1.5px solid #000; }
  th, td { min-width: 2.5em; padding: .05rem .25rem; }
  table.rows td { overflow-wrap: anywhere; }
  thead { display: table-header-group; } tr { break-inside: avoid; }
  .chart-grid { grid-template-columns: 1fr 1fr; gap: 4mm; }
  figure.chart { break-inside: avoid; }
  pre { border: 1px solid #c0bfbc; padding: .3rem; white-space: pre-wrap; overflow-wrap: anywhere; overflow: visible; }
  pre.rows-text { font-size: 6.5pt; line-height: 1.3; }
  details:not([open]) > summary::after { content: "（已折叠，打印件不含；在浏览器中展开后打印可印出）"; font-size: .85em; color: #5e5c64; }
}
"""

# Every status word in a card (`.status`) carries its symbol, from the one mapping in html.py.
CSS += "".join(f'.status[data-status="{s}"]::before {{ content: "{mark} "; }}\n' for s, mark in STATUS_MARK.items())


def _shown_path(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


class PublishBlocked(StepFailed):
    """P305: a rendered edition (or an executed notebook) holds something that must not be published;
    nothing was written and the previously published file stays in place.

    A StepFailed of the appendix step, so that the command line reports it like any failed step
    (message, exit code 2) instead of a traceback. `blocked` maps each edition (or notebook name) to
    its findings; `findings` lists every finding as a Chinese line, values masked.
    """

    code = "P305"

    def __init__(
        self,
        blocked: dict[str, list[Finding]] | dict[str, list[str]] | dict[str, list[Finding | str]],
        targets: dict[str, Path] | None = None,
        executed: dict[str, Path] | None = None,
    ):
        self.blocked = {name: list(items) for name, items in blocked.items()}
        self.edition = next(iter(self.blocked), "")
        self.findings = [str(f) for items in self.blocked.values() for f in items]
        self.targets, self.executed = targets or {}, executed or {}
        zh, en = RUN_CODES["P305"]
        lines = [f"[P305] {zh} ({en})"]
        for name, items in self.blocked.items():
            edition = f"附录{EDITION_ZH[name]} ({name} edition)" if name in EDITION_ZH else name
            target = self.targets.get(name)
            kept = f"，未写入 {_shown_path(target)}" if target is not None else "，未写入任何文件"
            lines.append(
                f"{edition}：发布前扫描发现 {len(items)} 处不得公开的内容{kept}；"
                "上一次发布的文件保持不变 (previous appendix kept)："
            )
            lines.extend(f"  {i}. {item}" for i, item in enumerate(items, 1))
            if name in self.executed:
                lines.append(f"  执行后的笔记本 (executed notebook)：{_shown_path(self.executed[name])}")
        lines.append("请修正所列台账单元格或笔记本后重新运行 (fix the ledger cell or the notebook, then rerun)。")
        message = "\n".join(lines)
        kept_at = next(iter(self.executed.values()), None) or next(iter(self.targets.values()), Path())
        # StepFailed's own message is for a failed cell; keep its attributes, use this message.
        self.step, self.notebook, self.cell, self.error, self.kept = (
            "appendix",
            NOTEBOOK_DIR / NOTEBOOK,
            None,
            message,
            kept_at,
        )
        RuntimeError.__init__(self, message)


def output_path(params: RunParams, edition: str) -> Path:
    check_edition(edition)
    build = params.build_dir
    return build / "appendix.html" if edition == "public" else build / "internal" / "appendix.html"


STRIP_TAGS = (
    re.compile(r"<script\b.*?</script\s*>", re.IGNORECASE | re.DOTALL),
    re.compile(r"<script\b[^>]*>", re.IGNORECASE),
    re.compile(r"<link\b[^>]*>", re.IGNORECASE),
    re.compile(r"<(iframe|object|embed)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL),
)
STRIP_URLS = (
    re.compile(r'\s(?:src|href)="https?://[^"]*"', re.IGNORECASE),
    re.compile(r"https?://\S+", re.IGNORECASE),
)
CELL_ID = re.compile(r'\sid="cell-id=[^"]*"')  # nbformat cell ids differ between runs
# A tag STRIP_TAGS could match starts with "<" and the first letter of script, link, iframe, object
# or embed as re.IGNORECASE folds it ("ſ" is an s, "İ" and "ı" are i's).
_TAG_START = re.compile("<[sS\u017flLiI\u0130\u0131oOeE]")
_CELL_ID_VALUE = re.compile(r'id="cell-id=[^"]*"')


def _strip(body: str) -> str:
    """Remove what nbconvert adds that could run code, fetch from the network or vary between runs.

    Each pattern runs only where it can match (a "<" and the name's first letter, "://", the cell
    id's literal text): the same result as running every pattern over the whole body."""
    if _TAG_START.search(body):
        for pattern in STRIP_TAGS:
            body = pattern.sub("", body)
    if "://" in body:
        for pattern in STRIP_URLS:
            body = pattern.sub("", body)
    if 'id="cell-id=' in body:  # CELL_ID.sub, trying it only after a whitespace before id=
        parts, last = [], 0
        for match in _CELL_ID_VALUE.finditer(body):
            start = match.start() - 1
            if start >= last and CELL_ID.match(body, start):
                parts.append(body[last:start])
                last = match.end()
        parts.append(body[last:])
        body = "".join(parts)
    return body


def wrap_document(body: str, title: str, edition: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{title}</title>\n<style>{CSS}</style>\n</head>\n"
        f'<body data-edition="{edition}">\n<main>\n{body}\n</main>\n</body>\n</html>\n'
    )


def notebook_html(executed_notebook: Path) -> str:
    """nbconvert's HTML body of the executed notebook (basic template, no inputs, prompts, markdown
    or raw cells): written directly (nbhtml.body) when the notebook has the plain shape the appendix
    produces, else by nbconvert itself. Both give the same string."""
    fast = nbhtml.body(notebook_json(executed_notebook))
    return fast if fast is not None else nbconvert_html(executed_notebook)


def nbconvert_html(executed_notebook: Path) -> str:
    import nbformat
    from nbconvert import HTMLExporter

    notebook = nbformat.read(str(executed_notebook), as_version=4)
    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_markdown=True,
        exclude_raw=True,
        exclude_unknown=True,
        anchor_link_text="",
    )
    body, _ = exporter.from_notebook_node(notebook)
    return body


def render_html(executed_notebook: Path, params: RunParams, edition: str) -> str:
    """The edition's document; PublishBlocked if the notebook's outputs were scrubbed for personal data."""
    check_edition(edition)
    scrubbed = scrubbed_findings(Path(executed_notebook))
    if scrubbed:
        raise PublishBlocked(
            {edition: [f"执行后的笔记本中发现个人信息，输出已移除 (notebook scrubbed)：{line}" for line in scrubbed]},
            targets={edition: output_path(params, edition)},
            executed={edition: Path(executed_notebook)},
        )
    figures = params.build_dir / "figures.json"
    unit = json.loads(figures.read_text(encoding="utf-8")).get("unit", "") if figures.exists() else params.unit
    title = esc(f"{unit}{params.year}年报告数字核对附录（{EDITION_ZH[edition]}）")
    body = notebook_html(executed_notebook)
    forget_notebook(Path(executed_notebook))  # its JSON (tens of MB as objects) is not needed again
    return wrap_document(_strip(body), title, edition)


def blocked_findings(document: str, params: RunParams, values: set[str] | None = None) -> list[Finding]:
    """The scan's findings for one document, traced to the ledger cells they came from."""
    if values is None:
        values = personal_values(params.path(params.raw_root), params.year)
    findings = find_published(document, values)
    return trace_findings(findings, params) if findings else []


def publish(
    document: str, target: Path, params: RunParams, edition: str, executed_notebook: Path | None = None
) -> Path:
    """Scan, then write atomically; on any finding raise PublishBlocked and leave `target` untouched."""
    findings = blocked_findings(document, params)
    if findings:
        executed = {edition: Path(executed_notebook)} if executed_notebook is not None else None
        raise PublishBlocked({edition: findings}, targets={edition: target}, executed=executed)
    return replace_text(target, document)


@contextmanager
def _timed(timings: dict[str, float] | None, phase: str) -> Iterator[None]:
    """Add the seconds the block takes to timings[phase] (when a dict is given)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        if timings is not None:
            timings[phase] = timings.get(phase, 0.0) + time.perf_counter() - started


@dataclass(frozen=True)
class PreparedEdition:
    """An edition rendered and scanned, not yet written (`prepare_edition`)."""

    edition: str
    executed: Path
    document: str
    found: list[Any]  # the scan's findings: the edition may be written only when empty


def prepare_edition(
    executed: Path, params: RunParams, edition: str, timings: dict[str, float] | None = None
) -> PreparedEdition:
    """Render one executed edition and scan it (the pipeline does this for each edition as soon as
    its notebook has run, the other still running). Writes nothing."""
    with _timed(timings, f"render.{edition}"):
        document = render_html(Path(executed), params, edition)
    with _timed(timings, "personal_values"):
        values = personal_values(params.path(params.raw_root), params.year)
    with _timed(timings, f"scan.{edition}"):
        found = find_published(document, values, memo=scan_memo_folder(params), name=edition)
    return PreparedEdition(edition, Path(executed), document, found)


def write_editions(prepared: list[PreparedEdition], params: RunParams) -> list[Path]:
    """Write every prepared edition, or none: a finding in one edition raises PublishBlocked and
    leaves every published file of the previous run in place."""
    blocked = {p.edition: p.found for p in prepared if p.found}
    if blocked:
        traced = {edition: trace_findings(found, params) for edition, found in blocked.items()}
        raise PublishBlocked(
            traced,
            targets={edition: output_path(params, edition) for edition in blocked},
            executed={p.edition: p.executed for p in prepared if p.edition in blocked},
        )
    return [replace_text(output_path(params, p.edition), p.document) for p in prepared]


def export_editions(
    executed: dict[str, Path], params: RunParams, timings: dict[str, float] | None = None
) -> list[Path]:
    """Render every edition, scan them all, and only then write them: a finding in one edition
    leaves every published file of the previous run in place. Each document is scanned once.

    `timings`, when given, receives the seconds of each phase: render.<edition>, personal_values,
    scan.<edition>, write (for build/bench.json and timings.json)."""
    prepared = [prepare_edition(Path(path), params, edition, timings) for edition, path in executed.items()]
    with _timed(timings, "write"):
        return write_editions(prepared, params)


def export_appendix(executed_notebook: Path, params: RunParams, edition: str) -> Path:
    """Turn the executed 90_appendix notebook into build/<year>/appendix.html (public) or
    build/<year>/internal/appendix.html (internal), after the pre-publication scan."""
    document = render_html(Path(executed_notebook), params, edition)
    return publish(document, output_path(params, edition), params, edition, Path(executed_notebook))


def render_edition(params: RunParams, edition: str) -> Path:
    """Execute notebooks/90_appendix.py with papermill for one edition, then export it."""
    from ..run.pipeline import execute_notebook

    check_edition(edition)
    executed = execute_notebook("appendix", NOTEBOOK, params, {"edition": edition}, suffix=edition)
    return export_appendix(executed, params, edition)


__all__ = [
    "CSP",
    "PublishBlocked",
    "export_appendix",
    "export_editions",
    "output_path",
    "prepare_edition",
    "write_editions",
    "publish",
    "render_edition",
    "render_html",
    "wrap_document",
]
