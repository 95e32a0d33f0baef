"""From the executed notebook to the published HTML file: nbconvert (basic template, no inputs,
no prompts), our own document shell with inline CSS and a restrictive CSP, a scan, then an atomic
write. Nothing is written under the final name unless the scan passes: a finding raises
`PublishBlocked` (P305), naming each finding's kind, its masked surroundings and the ledger cell it
came from, and the previously published file stays in place."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from ..errors import RUN_CODES
from ..params import PROJECT_ROOT, RunParams
from ..pipeline import NOTEBOOK_DIR, StepFailed
from .data import EDITION_ZH, check_edition
from .html import esc
from .scan import Finding, find_published, personal_values, scrubbed_findings, trace_findings

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
NOTEBOOK = "90_appendix.py"

CSS = """
body { --match:#d5f0d9; --match-b:#2e7d32; --mismatch:#fde2c8; --mismatch-b:#c64600;
  --inconsistent:#f8d0d4; --inconsistent-b:#a51d2d; --no_data:#e4e4e7; --no_data-b:#5e5c64; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif;
  line-height: 1.7; color: #1d1d1f; max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 4rem; background: #fff; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 2px solid #1a5fb4; padding-bottom: .2rem; margin-top: 3rem; }
section { scroll-margin-top: 1rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .85rem; }
th, td { border: 1px solid #c0bfbc; padding: .15rem .45rem; text-align: left; vertical-align: top; }
th { background: #f3f3f4; }
code, pre { font-family: "Noto Sans Mono CJK SC", monospace; font-size: .85rem; }
pre { background: #f6f5f4; padding: .6rem; }
.banner-synthetic { background: #fff1b8; border: 2px solid #e5a50a; padding: .6rem 1rem; font-weight: bold; margin: .8rem 0; }
.edition-badge { display: inline-block; padding: .1rem .7rem; border-radius: 1rem; color: #fff; background: #1a5fb4; }
.edition-badge[data-edition="internal"] { background: #a51d2d; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; }
.meta dt { font-weight: bold; }
.summary { list-style: none; padding: 0; display: flex; gap: 1rem; flex-wrap: wrap; }
.summary li { border: 1px solid #c0bfbc; border-radius: .4rem; padding: .3rem .8rem; }
.summary .count { font-size: 1.4rem; font-weight: bold; margin-left: .5rem; }
a.fig { text-decoration: none; color: inherit; border-bottom: 2px solid; padding: 0 .1rem; border-radius: .15rem; }
[data-status="match"].fig, .swatch[data-status="match"], .status[data-status="match"] { background: var(--match); border-color: var(--match-b); }
[data-status="mismatch"].fig, .swatch[data-status="mismatch"], .status[data-status="mismatch"] { background: var(--mismatch); border-color: var(--mismatch-b); }
[data-status="inconsistent"].fig, .swatch[data-status="inconsistent"], .status[data-status="inconsistent"] { background: var(--inconsistent); border-color: var(--inconsistent-b); }
[data-status="no_data"].fig, .swatch[data-status="no_data"], .status[data-status="no_data"] { background: var(--no_data); border-color: var(--no_data-b); }
.legend ul { display: inline-flex; gap: .8rem; list-style: none; padding: 0; margin: 0 0 0 .5rem; }
.swatch, .status { border: 1px solid; padding: 0 .4rem; border-radius: .2rem; }
.report-text p { text-indent: 2em; margin: .4rem 0; } .report-text p.report-title { text-indent: 0; font-weight: bold; text-align: center; }
a.fig:target { outline: 3px solid #1a5fb4; }
.card { border: 1px solid #c0bfbc; border-left: 6px solid var(--no_data-b); border-radius: .3rem; padding: .5rem 1rem; margin: 1rem 0; scroll-margin-top: 1rem; }
.card[data-status="match"] { border-left-color: var(--match-b); }
.card[data-status="mismatch"] { border-left-color: var(--mismatch-b); }
.card[data-status="inconsistent"] { border-left-color: var(--inconsistent-b); }
.card:target { outline: 4px solid #1a5fb4; background: #f0f6ff; }
.card header { display: flex; gap: 1rem; align-items: baseline; } .card h3 { margin: .3rem 0; font-size: 1.05rem; }
.card dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: .3rem 0; }
.card dt { color: #5e5c64; }
.quote { margin: .3rem 0; padding: .2rem .8rem; border-left: 3px solid #c0bfbc; background: #fafafa; }
.rowset { overflow-x: auto; } .suppression-note, .hint { color: #5e5c64; font-size: .85rem; }
.chart-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(30rem, 1fr)); gap: 1rem; }
figure.chart { margin: 0; } figure.chart img { max-width: 100%; height: auto; }
@media print { .card:target { outline: none; background: none; } a.fig { border-bottom-width: 1px; } }
"""


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


def _strip(body: str) -> str:
    """Remove what nbconvert adds that could run code, fetch from the network or vary between runs."""
    body = re.sub(r"<script\b.*?</script\s*>", "", body, flags=re.IGNORECASE | re.DOTALL)
    body = re.sub(r"<script\b[^>]*>", "", body, flags=re.IGNORECASE)
    body = re.sub(r"<link\b[^>]*>", "", body, flags=re.IGNORECASE)
    body = re.sub(r"<(iframe|object|embed)\b.*?</\1\s*>", "", body, flags=re.IGNORECASE | re.DOTALL)
    body = re.sub(r'\s(?:src|href)="https?://[^"]*"', "", body, flags=re.IGNORECASE)
    body = re.sub(r"https?://\S+", "", body, flags=re.IGNORECASE)
    body = re.sub(r'\sid="cell-id=[^"]*"', "", body)  # nbformat cell ids differ between runs
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
    return wrap_document(_strip(notebook_html(executed_notebook)), title, edition)


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
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(document, encoding="utf-8")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


def export_editions(executed: dict[str, Path], params: RunParams) -> list[Path]:
    """Render every edition, scan them all, and only then write them: a finding in one edition
    leaves every published file of the previous run in place."""
    documents = {edition: render_html(Path(path), params, edition) for edition, path in executed.items()}
    values = personal_values(params.path(params.raw_root), params.year)
    blocked = {edition: found for edition, document in documents.items() if (found := find_published(document, values))}
    if blocked:
        traced = {edition: trace_findings(found, params) for edition, found in blocked.items()}
        raise PublishBlocked(
            traced,
            targets={edition: output_path(params, edition) for edition in blocked},
            executed={edition: Path(executed[edition]) for edition in blocked},
        )
    return [
        publish(document, output_path(params, edition), params, edition, Path(executed[edition]))
        for edition, document in documents.items()
    ]


def export_appendix(executed_notebook: Path, params: RunParams, edition: str) -> Path:
    """Turn the executed 90_appendix notebook into build/<year>/appendix.html (public) or
    build/<year>/internal/appendix.html (internal), after the pre-publication scan."""
    document = render_html(Path(executed_notebook), params, edition)
    return publish(document, output_path(params, edition), params, edition, Path(executed_notebook))


def render_edition(params: RunParams, edition: str) -> Path:
    """Execute notebooks/90_appendix.py with papermill for one edition, then export it."""
    from ..pipeline import execute_notebook

    check_edition(edition)
    executed = execute_notebook("appendix", NOTEBOOK, params, {"edition": edition}, suffix=edition)
    return export_appendix(executed, params, edition)


__all__ = [
    "CSP",
    "PublishBlocked",
    "export_appendix",
    "export_editions",
    "output_path",
    "publish",
    "render_edition",
    "render_html",
    "wrap_document",
]
