"""Headless Chromium (Debian's /usr/bin/chromium, driven by the `playwright` package) with the network cut off.

Nothing is ever downloaded: `playwright install` is never run; the browser is the system one. Every page is
opened in a context whose router lets only file:// and data: URLs through and records (then aborts) every
other request, with the context also set offline. Console errors and page errors are collected.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("LAWREPORT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOCAL_SCHEMES = ("file:", "data:")
# How long one browser action (a load, a full-page screenshot, a print to PDF) may take. Playwright's 30 s is
# too short for a full-page screenshot of the internal edition (about 6 MB of HTML) while the other test worker
# and other jobs load the machine (it timed out there). This bounds a hang; it checks no speed.
ACTION_TIMEOUT_MS = 180_000


@dataclass
class OfflinePage:
    """A page opened offline, with what it tried to fetch and what it complained about."""

    page: Any
    blocked: list[str] = field(default_factory=list)  # outside URLs the page tried to load (aborted)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.page.context.close()


def open_offline(browser: Any, path: Path, viewport: dict[str, int] | None = None) -> OfflinePage:
    """Open file://<path> in a fresh context where only file: and data: URLs load."""
    context = browser.new_context(
        viewport=viewport or {"width": 1280, "height": 900}, java_script_enabled=True, service_workers="block"
    )
    opened = OfflinePage(page=None)

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            opened.blocked.append(url)
            route.abort("blockedbyclient")

    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.route("**/*", guard)
    context.set_offline(True)
    page = context.new_page()
    page.on("console", lambda msg: opened.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: opened.page_errors.append(str(exc)))
    opened.page = page
    page.goto(path.resolve().as_uri(), wait_until="load")
    return opened


# ------------------------------------------------------------------ reading the DOM contract


def read_cards(page: Any) -> list[dict[str, str]]:
    """Every article.card in #figures: id, data-figure, data-status."""
    return page.eval_on_selector_all(
        "#figures article.card",
        "els => els.map(e => ({id: e.id, figure: e.dataset.figure, status: e.dataset.status}))",
    )


def card_problems(page: Any, figures: list[dict[str, Any]]) -> list[str]:
    """Where the rendered cards disagree with figures.json (empty when every figure has exactly one right card)."""
    cards = read_cards(page)
    problems = []
    by_id: dict[str, list[dict[str, str]]] = {}
    for card in cards:
        by_id.setdefault(card["id"], []).append(card)
    expected_ids = set()
    for figure in figures:
        card_id = f"card-{figure['id']}"
        expected_ids.add(card_id)
        found = by_id.get(card_id, [])
        if len(found) != 1:
            problems.append(f"{figure['id']}: {len(found)} cards (want exactly 1)")
            continue
        card = found[0]
        if card["figure"] != figure["id"]:
            problems.append(f"{figure['id']}: data-figure={card['figure']!r}")
        if card["status"] != figure["status"]:
            problems.append(f"{figure['id']}: data-status={card['status']!r}, figures.json says {figure['status']!r}")
    for card_id in sorted(set(by_id) - expected_ids):
        problems.append(f"{card_id}: a card for a figure that figures.json does not have")
    return problems


def link_problems(page: Any) -> list[str]:
    """Figure links in #report whose href / data-figures do not point at an existing card."""
    links = page.eval_on_selector_all(
        "#report a.fig",
        "els => els.map(e => ({href: e.getAttribute('href'), figures: e.dataset.figures || '', status: e.dataset.status}))",
    )
    cards = {c["id"]: c for c in read_cards(page)}
    problems = []
    for link in links:
        ids = link["figures"].split()
        if not ids:
            problems.append(f"{link['href']}: no data-figures")
        for figure_id in ids:
            if f"card-{figure_id}" not in cards:
                problems.append(f"{link['href']}: data-figures names {figure_id}, which has no card")
        href = link["href"] or ""
        if not href.startswith("#card-") or href[1:] not in cards:
            problems.append(f"{href!r}: does not point at a card")
        elif ids and href != f"#card-{ids[0]}":
            problems.append(f"{href}: does not point at its first figure {ids[0]}")
    return problems


def cover_counts(page: Any) -> dict[str, int]:
    """The summary counts shown on the cover, by data-status."""
    pairs = page.eval_on_selector_all(
        "#cover span.count[data-status]", "els => els.map(e => [e.dataset.status, e.textContent.trim()])"
    )
    return {status: int(text) for status, text in pairs}


def undecoded_images(page: Any, scope: str = "#charts") -> tuple[int, list[str]]:
    """(number of <img> in scope, the start of the src of those that did not decode)."""
    images = page.eval_on_selector_all(
        f"{scope} img",
        "els => els.map(e => ({src: e.getAttribute('src') || '', ok: e.complete && e.naturalWidth > 0}))",
    )
    return len(images), [i["src"][:40] for i in images if not i["ok"]]


def in_viewport(page: Any, selector: str) -> bool:
    return page.eval_on_selector(
        selector,
        "e => { const r = e.getBoundingClientRect();"
        " return r.height > 0 && r.top < window.innerHeight && r.bottom > 0 && r.top >= -1; }",
    )


# ------------------------------------------------------------------ markup planted in ledger text

# Ledger text that would be markup if the appendix did not escape it. Planted in a copy of the sample ledgers
# (road_office.location, a non-personal column that the internal edition lists row by row).
MARKUP_PAYLOADS = ("<script>alert(1)</script>", "<img src=x onerror=alert(2)>")

MARKUP_JS = """payloads => {
  // Where each payload stands as plain text (a text node's data), and any markup it could have become.
  const hits = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode())
    for (const payload of payloads)
      if (node.data.includes(payload)) {
        const card = node.parentElement.closest('article.card');
        hits.push({payload, parent: node.parentElement.tagName.toLowerCase(), card: card ? card.id : ''});
      }
  const handlers = [];
  for (const e of document.querySelectorAll('*'))
    for (const a of e.attributes) if (a.name.startsWith('on')) handlers.push(`<${e.tagName.toLowerCase()} ${a.name}>`);
  return {hits, scripts: document.scripts.length, handlers};
}"""


def markup_problems(
    page: Any, payloads: tuple[str, ...] = MARKUP_PAYLOADS, shown: bool = True
) -> tuple[list[dict[str, str]], list[str]]:
    """(the text nodes holding a payload, problems): with `shown`, a payload that is not shown as text anywhere;
    always, any <script> element and any element with an on… event-handler attribute."""
    found = page.evaluate(MARKUP_JS, list(payloads))
    problems = [
        f"{p!r} is not shown as text" for p in payloads if shown and not any(h["payload"] == p for h in found["hits"])
    ]
    if found["scripts"]:
        problems.append(f"{found['scripts']} <script> element(s) in the page")
    problems.extend(f"event-handler attribute {h}" for h in found["handlers"])
    return found["hits"], problems


# ------------------------------------------------------------------ narrow screens

OVERFLOW_JS = """() => {
  // The page's width against the viewport's, and the elements that stick out on the right (the outermost
  // ones only; an element inside a box that scrolls on its own does not count).
  const width = document.documentElement.clientWidth, sticking = new Set(), wide = [];
  const scrolls = e => { for (let p = e.parentElement; p; p = p.parentElement) {
    const s = getComputedStyle(p).overflowX; if (s === 'auto' || s === 'scroll' || s === 'hidden') return true; }
    return false; };
  const outermost = e => { for (let p = e.parentElement; p; p = p.parentElement) if (sticking.has(p)) return false;
    return true; };
  for (const e of document.body.querySelectorAll('*')) {  // document order: ancestors first
    if (e.getBoundingClientRect().right > width + 0.5 && !scrolls(e)) {
      if (outermost(e)) wide.push(e);
      sticking.add(e);
    }
  }
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).split(' ').join('.') : '');
  return {scrollWidth: document.documentElement.scrollWidth, clientWidth: width,
          wide: wide.slice(0, 10).map(e => `${name(e)} right=${Math.round(e.getBoundingClientRect().right)}`)};
}"""


def page_overflow(page: Any) -> dict[str, Any]:
    """{scrollWidth, clientWidth, wide: the elements (up to 10) that stick out of the viewport on the right}."""
    return page.evaluate(OVERFLOW_JS)


def open_all_details(page: Any, opened: bool = True) -> int:
    """Open (or close) every <details> of the page, as a reader who expands everything; their number."""
    return page.evaluate(
        "o => { const ds = document.querySelectorAll('details'); ds.forEach(d => d.open = o); return ds.length; }",
        opened,
    )


CHARTS_JS = """() => [...document.querySelectorAll('#charts img')].map(e => { const r = e.getBoundingClientRect();
  return {left: r.left, right: r.right, width: r.width, height: r.height, natural: [e.naturalWidth, e.naturalHeight]}; })"""


def chart_problems(page: Any) -> list[str]:
    """Chart images that stick out of the viewport sideways, are not shown, or are distorted (height not auto)."""
    width = page.evaluate("document.documentElement.clientWidth")
    problems = []
    for i, box in enumerate(page.evaluate(CHARTS_JS)):
        if box["width"] <= 0 or box["natural"][0] <= 0:
            problems.append(f"chart {i}: not shown ({box})")
            continue
        if box["left"] < -0.5 or box["right"] > width + 0.5:
            problems.append(f"chart {i}: {box['left']:.0f}–{box['right']:.0f} px, outside the viewport's 0–{width}")
        ratio, natural = box["height"] / box["width"], box["natural"][1] / box["natural"][0]
        if abs(ratio - natural) > 0.02:
            problems.append(f"chart {i}: drawn at {ratio:.3f} height/width, the image is {natural:.3f}")
    return problems


TABLES_JS = """() => {
  // Tables that would squeeze or push the page instead of scrolling in a box of their own.
  const scrolls = e => { for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
    const s = getComputedStyle(p).overflowX; if (s === 'auto' || s === 'scroll') return true; } return false; };
  const out = [];
  document.querySelectorAll('table').forEach((t, i) => {
    const name = 'table' + (t.className ? '.' + t.className : '') + '#' + i;
    if (!scrolls(t)) out.push(name + ': not inside a box that scrolls sideways');
    for (const cell of t.querySelectorAll('td')) {
      const w = cell.getBoundingClientRect().width, em = parseFloat(getComputedStyle(cell).fontSize);
      if (w > 0 && w < 2.5 * em) { out.push(name + `: a cell ${w.toFixed(0)} px wide (under 2.5 characters)`); break; }
    }
  });
  return out;
}"""


def table_problems(page: Any) -> list[str]:
    """Tables not inside a sideways-scrolling box, or with a cell squeezed under 2.5 characters."""
    return page.evaluate(TABLES_JS)


HTML_JS = """() => {
  const out = [], ids = new Map();
  for (const e of document.querySelectorAll('[id]')) ids.set(e.id, (ids.get(e.id) || 0) + 1);
  for (const [id, n] of ids) if (n > 1) out.push(`id ${id} used ${n} times`);
  for (const a of document.querySelectorAll('a[href^="#"]')) {
    const id = decodeURIComponent(a.getAttribute('href').slice(1));
    if (id && !ids.has(id)) out.push(`link to #${id}, which is not in the page`);
  }
  const levels = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => +h.tagName[1]);
  if (levels.filter(l => l === 1).length !== 1) out.push(`${levels.filter(l => l === 1).length} h1 elements`);
  levels.forEach((l, i) => { if (i && l > levels[i - 1] + 1) out.push(`heading h${levels[i - 1]} followed by h${l}`); });
  return out;
}"""


def html_problems(page: Any) -> list[str]:
    """Duplicated ids, in-page links to no element, and a heading outline that is not h1 → h2 → h3 (no jumps)."""
    return page.evaluate(HTML_JS)


def tables_without_caption(page: Any, skip: str = "") -> list[str]:
    """Tables (other than those matching `skip`) without a non-empty <caption>."""
    return page.evaluate(
        """skip => [...document.querySelectorAll('table')].filter(t => !(skip && t.matches(skip)))
          .filter(t => !(t.caption && t.caption.textContent.trim()))
          .map(t => 'table' + (t.className ? '.' + t.className : '') + ' after «' +
               (t.closest('section') ? t.closest('section').id : '') + '»')""",
        skip,
    )


# ------------------------------------------------------------------ paper


def pdf_page_count(pdf: bytes) -> int:
    import io

    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def pdf_pages_png(pdf: bytes, pages: list[int], target: Path, scale: float = 1.3) -> Path:
    """Pages (0-based; negative from the end) of a PDF rendered side by side into one PNG (PDFium, no poppler)."""
    import pypdfium2 as pdfium
    from PIL import Image

    document = pdfium.PdfDocument(pdf)
    try:
        chosen = sorted({p % len(document) for p in pages})
        images = [document[p].render(scale=scale).to_pil().convert("RGB") for p in chosen]
    finally:
        document.close()
    sheet = Image.new(
        "RGB", (sum(i.width for i in images) + 12 * (len(images) - 1), max(i.height for i in images)), "grey"
    )
    x = 0
    for image in images:
        sheet.paste(image, (x, 0))
        x += image.width + 12
    sheet.save(target)
    return target


def pdf_contact_sheet(pdf: bytes, target: Path, columns: int = 10, scale: float = 0.25) -> Path:
    """Every page of a PDF as a thumbnail, `columns` to a row: the whole printout at a glance."""
    import pypdfium2 as pdfium
    from PIL import Image

    document = pdfium.PdfDocument(pdf)
    try:
        images = [document[p].render(scale=scale).to_pil().convert("RGB") for p in range(len(document))]
    finally:
        document.close()
    w, h = images[0].size
    rows = (len(images) + columns - 1) // columns
    sheet = Image.new("RGB", (columns * (w + 4), rows * (h + 4)), "grey")
    for k, image in enumerate(images):
        sheet.paste(image, ((k % columns) * (w + 4), (k // columns) * (h + 4)))
    sheet.save(target)
    return target


def pdf_find_page(pdf: bytes, text: str) -> int | None:
    """The first page (0-based) whose text holds `text`, or None."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        for number in range(len(document)):
            textpage = document[number].get_textpage()
            if text in textpage.get_text_range():
                return number
    finally:
        document.close()
    return None
