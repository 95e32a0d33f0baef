"""The appendix in a real browser: Debian's headless Chromium, offline, no JavaScript in the page.

The appendix is produced by the real pipeline (run_suite for 2025 over copies of every sample year) and
opened from file:// with every non-file:/data: request recorded and aborted. Both editions are checked
against build/2025/figures.json. Screenshots land in <project>/build/browser/ for a human to look at:
appendix-<edition>.png (1280 px, the first 20 000 px), appendix-<edition>-390.png (a phone), and on paper (A4, print-to-PDF)
appendix-<edition>.pdf, appendix-<edition>-print.png (the first pages, a card page, the charts) and
appendix-<edition>-print-all.png (every page as a thumbnail).
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import pytest
from browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    MARKUP_PAYLOADS,
    card_problems,
    chart_problems,
    cover_counts,
    html_problems,
    in_viewport,
    link_problems,
    markup_problems,
    open_all_details,
    open_offline,
    page_overflow,
    pdf_contact_sheet,
    pdf_find_page,
    pdf_page_count,
    pdf_pages_png,
    read_cards,
    table_problems,
    tables_without_caption,
    undecoded_images,
)

from lawreport.appendix.html import STATUS_MARK
from lawreport.params import PROJECT_ROOT
from lawreport.register.claims import STATUS_ZH

SCREENSHOTS = PROJECT_ROOT / "build" / "browser"
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
INCONSISTENT_ID = "inspection_compliance_rate"  # 规范率 99.7%: 504/506 does not give 99.7%
MARKUP_CARD = "card-road_office_two_years"  # lists the unresolved 马路办公 rows in full in the internal edition
EDITION_FILE = {"public": "appendix.html", "internal": "internal/appendix.html"}
# A4 pages, print-to-PDF of the 2025 sample: measured 31 (public) and 73 (internal) at 9 pt. The stylesheet
# before the print rules gave 40 and 83 for the same content, shrunk to fit a page 1865 px wide with the right
# of wide tables cut off (59 and 167 before the cards were reworked).
PAGE_CEILING = {"public": 35, "internal": 82}
SCREENSHOT_PX = 20_000  # about 22 screens at 1280 px: the cover, the report text and the first cards
SPLIT_FIGURE = "escalated_petitions_zero_streak"  # one figure written in two places of the report: two links

if not CHROMIUM.exists():
    if os.environ.get("CI"):  # .ci/run installs it; a CI run without it must fail, not skip
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium before `make test`")
    pytest.skip(
        f"{CHROMIUM} not installed (apt-get install chromium fonts-wqy-microhei; see .ci/run)", allow_module_level=True
    )

from playwright.sync_api import expect, sync_playwright  # noqa: E402

# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def build_dir(suite_run) -> Path:
    """build/2025 of the session's real pipeline run (tests/conftest.py), both appendix editions inside. The
    copy of 2025 has markup (MARKUP_PAYLOADS) as the location of unresolved 马路办公 issues."""
    return suite_run.build_dir


@pytest.fixture(scope="module")
def figures(build_dir) -> dict:
    return json.loads((build_dir / "figures.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def public(browser, build_dir):
    opened = open_offline(browser, build_dir / "appendix.html")
    yield opened
    opened.close()


@pytest.fixture
def internal(browser, build_dir):
    opened = open_offline(browser, build_dir / "internal" / "appendix.html")
    yield opened
    opened.close()


# ------------------------------------------------------------------ shared checks


def check_edition(opened, figures: dict, screenshot: str) -> None:
    """What both editions must satisfy: contract, offline, every figure a right card, links, counts, charts."""
    page = opened.page
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    title = page.title()
    assert "2025" in title and "附录" in title, title
    assert page.eval_on_selector_all(
        'meta[http-equiv="Content-Security-Policy"]', "els => els.map(e => e.getAttribute('content'))"
    ) == [CSP]
    for section in ("cover", "report", "figures", "arithmetic", "charts", "quality", "reproducibility"):
        assert page.locator(f"section#{section}").count() == 1, section
    assert page.evaluate("document.scripts.length") == 0

    assert card_problems(page, figures["figures"]) == []
    assert len(read_cards(page)) == len(figures["figures"])
    links = page.locator("#report a.fig")
    assert links.count() >= 5
    assert link_problems(page) == []
    assert cover_counts(page) == figures["summary"]
    assert figures["synthetic"] is True  # the sample ledgers are synthetic; the banner must say so
    expect(page.locator("#cover .banner-synthetic")).to_be_visible()
    count, broken = undecoded_images(page)
    assert count >= 1 and broken == []
    assert markup_problems(page, shown=False)[1] == []  # whether or not the planted markup is shown

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # For a person to look at, not a check: the page's first SCREENSHOT_PX (whole, the public edition is 67 000 px
    # tall at 1280 px and the internal one 143 000 px, 4.5 s and 10 s to take; test_printed_on_a4 lays out and
    # paints all of it, and appendix-<edition>-print-all.png shows every printed page).
    height = page.evaluate("document.documentElement.scrollHeight")
    clip = {"clip": {"x": 0, "y": 0, "width": 1280, "height": SCREENSHOT_PX}} if height > SCREENSHOT_PX else {}
    page.screenshot(path=str(SCREENSHOTS / screenshot), full_page=True, **clip)
    # Only now (after layout, images and the screenshot) is the record complete.
    assert opened.blocked == [], "the page tried to reach the network"
    assert opened.console_errors == [] and opened.page_errors == []


TARGET_DECLARATIONS_JS = """(card, any) => {
  // The declarations of the page's own :target rules (media queries honoured) that apply to this element,
  // or, with any=true, of every :target rule whatever it selects.
  const found = {};
  const walk = rules => { for (const rule of rules) {
    if (rule.media && rule.cssRules) { if (window.matchMedia(rule.conditionText).matches) walk(rule.cssRules); continue; }
    if (rule.selectorText && rule.selectorText.includes(':target') && (any || card.matches(rule.selectorText)))
      for (let i = 0; i < rule.style.length; i++) {
        const name = rule.style[i], value = rule.style.getPropertyValue(name);
        // keep concrete values (a shorthand's unset parts read "initial"; var() is resolved only when computed)
        if (!['initial', 'inherit', 'unset', 'revert'].includes(value) && !value.includes('var(')) found[name] = value;
      }
  } };
  for (const sheet of document.styleSheets) walk(sheet.cssRules);
  return found;
}"""


def computed(page, selector: str, properties: list[str]) -> dict[str, str]:
    return page.eval_on_selector(
        selector,
        "(e, props) => Object.fromEntries(props.map(p => [p, getComputedStyle(e).getPropertyValue(p)]))",
        properties,
    )


# ------------------------------------------------------------------ public edition


def test_public_appendix_renders_offline_and_agrees_with_figures_json(public, figures):
    assert {f["status"] for f in figures["figures"]} >= {"match", "inconsistent"}
    check_edition(public, figures, "appendix-public.png")


def test_figure_links_go_to_their_highlighted_card(public, figures):
    page = public.page
    links = page.eval_on_selector_all(
        "#report a.fig", "els => els.map((e, i) => ({i, href: e.getAttribute('href'), status: e.dataset.status}))"
    )
    by_href = {}
    for link in links:
        by_href.setdefault(link["href"], link)
    distinct = list(by_href.values())
    chosen = [next(link for link in distinct if link["href"] == f"#card-{INCONSISTENT_ID}")]
    assert chosen[0]["status"] == "inconsistent"
    for link in distinct[:: max(1, len(distinct) // 5)]:
        if link not in chosen and len(chosen) < 6:
            chosen.append(link)
    assert len(chosen) >= 5

    every_target_property = sorted(page.eval_on_selector("body", TARGET_DECLARATIONS_JS, True))
    assert every_target_property, "the page's CSS has no :target rule: a clicked card would not be highlighted"
    previous = None  # (card, its computed style before it was clicked)
    for link in chosen:
        card = link["href"]
        assert page.eval_on_selector(card, TARGET_DECLARATIONS_JS, False) == {}  # not targeted yet
        before = computed(page, card, every_target_property)
        page.locator("#report a.fig").nth(link["i"]).click()
        expect(page).to_have_url(re.compile(re.escape(card) + "$"))
        assert page.evaluate("location.hash") == card
        expect(page.locator(card)).to_be_in_viewport()
        assert in_viewport(page, card)
        # What the page's own CSS says a targeted card looks like (`.card:target { outline: …; background: … }`)
        declared = page.eval_on_selector(card, TARGET_DECLARATIONS_JS, False)
        assert declared, f"{card}: no :target rule of the page's CSS applies to a clicked card"
        assert computed(page, card, sorted(declared)) == declared, f"{card}: the :target style is not in effect"
        assert {p: before[p] for p in declared} != declared, f"{card}: the highlight changes nothing"
        visible = {"outline-style", "background-color", "box-shadow", "border-top-color", "border-left-color"}
        assert visible & set(declared), f"{card}: the :target style {declared} is not a visible highlight"
        if previous:  # the highlight moves on: the card clicked before is back to its plain style
            assert not page.eval_on_selector(previous[0], "e => e.matches(':target')")
            assert computed(page, previous[0], every_target_property) == previous[1]
        previous = (card, before)
        page.evaluate("window.scrollTo(0, 0)")


def test_the_csp_blocks_an_injected_outside_image(browser, build_dir, tmp_path):
    html = (build_dir / "appendix.html").read_text(encoding="utf-8")
    probe = '<img id="probe" src="https://example.invalid/x.png" alt="probe">'
    injected = tmp_path / "with-csp.html"
    with_probe, inserted = re.subn(r"(<body\b[^>]*>)", lambda m: m.group(1) + probe, html, count=1)
    assert inserted == 1
    injected.write_text(with_probe, encoding="utf-8")
    opened = open_offline(browser, injected)
    try:
        assert opened.page.eval_on_selector("#probe", "e => e.naturalWidth") == 0
        # The CSP refuses it before any request exists, so even the router never sees it.
        assert opened.blocked == []
        assert any("Content Security Policy" in m and "example.invalid" in m for m in opened.console_errors)
    finally:
        opened.close()

    # Control: without the CSP meta tag the same image does try to leave, and the router catches it.
    bare = tmp_path / "without-csp.html"
    bare.write_text(
        re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", injected.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    opened = open_offline(browser, bare)
    try:
        assert opened.blocked == ["https://example.invalid/x.png"]
    finally:
        opened.close()


# ------------------------------------------------------------------ internal edition


def test_internal_appendix_renders_offline_with_rows_and_escaped_text(internal, figures):
    check_edition(internal, figures, "appendix-internal.png")
    page = internal.page
    rows = page.locator("#figures article.card table.rows")
    assert rows.count() >= 1 and page.locator("#figures table.rows tbody tr").count() >= 1
    # Text is escaped, never markup: the planted ledger text (MARKUP_PAYLOADS in 马路办公 locations) stands as
    # text in the rows of its card, there is no <script> element and no on… attribute; and rule text such as
    # "50 < x < 60" reads as written.
    hits, problems = markup_problems(page)
    assert problems == []
    assert {h["payload"] for h in hits} == set(MARKUP_PAYLOADS)
    assert {(h["card"], h["parent"]) for h in hits} == {(MARKUP_CARD, "td")}
    card_text = page.inner_text(f"#{MARKUP_CARD}")
    assert all(payload in card_text for payload in MARKUP_PAYLOADS)
    with_lt = [f for f in figures["figures"] if "<" in f.get("rule", "")]
    assert with_lt
    for figure in with_lt:
        assert figure["rule"] in page.inner_text(f"#card-{figure['id']}"), figure["id"]


# ------------------------------------------------------------------ the checks can fail


def test_the_card_check_reports_a_tampered_status(browser, build_dir, figures, tmp_path):
    html = (build_dir / "appendix.html").read_text(encoding="utf-8")
    victim = next(f for f in figures["figures"] if f["status"] == "match")["id"]
    card = re.compile(r'(<article\b[^>]*\bid="card-' + re.escape(victim) + r'"[^>]*\bdata-status=")match(")')
    tampered_html, replaced = card.subn(r"\1mismatch\2", html)
    if replaced == 0:  # attribute order: data-status before id
        card = re.compile(r'(<article\b[^>]*\bdata-status=")match("[^>]*\bid="card-' + re.escape(victim) + r'")')
        tampered_html, replaced = card.subn(r"\1mismatch\2", html)
    assert replaced == 1
    # and a figure link that points nowhere
    tampered_html = tampered_html.replace(f'href="#card-{INCONSISTENT_ID}"', 'href="#card-no_such_figure"', 1)
    tampered = tmp_path / "appendix.html"
    tampered.write_text(tampered_html, encoding="utf-8")
    opened = open_offline(browser, tampered)
    try:
        assert card_problems(opened.page, figures["figures"]) == [
            f"{victim}: data-status='mismatch', figures.json says 'match'"
        ]
        assert any("no_such_figure" in p for p in link_problems(opened.page))
    finally:
        opened.close()


def test_the_markup_check_reports_unescaped_ledger_text(browser, build_dir, tmp_path):
    """The internal edition with its escaping undone for the planted text: the check must report it."""
    page_html = (build_dir / "internal" / "appendix.html").read_text(encoding="utf-8")
    for payload in MARKUP_PAYLOADS:
        escaped = [e for e in {html.escape(payload, quote=False), html.escape(payload)} if e in page_html]
        assert escaped, f"{payload!r} is not in the page in escaped form"
        for form in escaped:
            page_html = page_html.replace(form, payload)
    unescaped = tmp_path / "appendix.html"
    unescaped.write_text(page_html, encoding="utf-8")
    opened = open_offline(browser, unescaped)
    try:
        hits, problems = markup_problems(opened.page)
        assert hits == []
        assert f"{MARKUP_PAYLOADS[0]!r} is not shown as text" in problems
        assert f"{MARKUP_PAYLOADS[1]!r} is not shown as text" in problems
        assert any(p.endswith("<script> element(s) in the page") for p in problems)
        assert "event-handler attribute <img onerror>" in problems
    finally:
        opened.close()


# ------------------------------------------------------------------ phones, desktops and paper


def layout_problems(page, width: int) -> list[str]:
    """What a reader at this width would find wrong: the page scrolls sideways, something sticks out on the right,
    a chart leaves the viewport or is distorted, a table squeezes its cells or pushes the page instead of scrolling
    in its own box."""
    overflow = page_overflow(page)
    problems = [f"the page is {overflow['scrollWidth']} px wide"] if overflow["scrollWidth"] > width else []
    problems += [f"sticks out: {w}" for w in overflow["wide"]]
    return problems + chart_problems(page) + table_problems(page)


@pytest.mark.parametrize("width", [360, 390, 1280])
@pytest.mark.parametrize("edition", ["public", "internal"])
def test_readable_without_sideways_scrolling(browser, build_dir, edition, width):
    opened = open_offline(browser, build_dir / EDITION_FILE[edition], viewport={"width": width, "height": 900})
    try:
        page = opened.page
        assert layout_problems(page, width) == []
        # a card's facts: each label above its value on a phone, beside it on a desktop
        tracks = page.eval_on_selector(
            "#figures article.card dl", "e => getComputedStyle(e).gridTemplateColumns.split(' ').length"
        )
        assert tracks == (1 if width < 640 else 2)
        if width == 390:  # (1280 px is appendix-<edition>.png, taken by check_edition at the same viewport)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            # For a person to look at, not a check (layout_problems measures every element): the first ten
            # screens (the internal edition is 218 000 px tall at this width, 16 MB and 7 s to take whole).
            shot = {"clip": {"x": 0, "y": 0, "width": width, "height": 9000}, "full_page": True}
            page.screenshot(path=str(SCREENSHOTS / f"appendix-{edition}-{width}.png"), **shot)
        # the same with every collapsed part (validation details, the internal edition's row lists) opened
        assert open_all_details(page) >= 1
        assert layout_problems(page, width) == []
        assert opened.blocked == [] and opened.console_errors == [] and opened.page_errors == []
    finally:
        opened.close()


def test_the_layout_check_reports_the_old_stylesheet(browser, build_dir, tmp_path):
    """Control: with the rules that made the page 676 px wide on a phone put back (charts in columns of at least
    30rem, card facts in max-content columns, tables that squeeze instead of scrolling), the check must say so."""
    page_html = (build_dir / "appendix.html").read_text(encoding="utf-8")
    old = (
        ".chart-grid { grid-template-columns: repeat(auto-fit, minmax(30rem, 1fr)) !important; }"
        " .card dl { grid-template-columns: max-content 1fr !important; } .card dd { margin-left: 40px; }"
        " .table-scroll, .rowset, details { overflow: visible !important; } td { min-width: 0 !important; }"
    )
    broken = tmp_path / "appendix.html"
    broken.write_text(page_html.replace("</style>", old + "</style>", 1), encoding="utf-8")
    opened = open_offline(browser, broken, viewport={"width": 390, "height": 900})
    try:
        problems = layout_problems(opened.page, 390)
        assert any(p.startswith("the page is") for p in problems), problems
        assert any(p.startswith("chart") for p in problems), problems
        assert any("not inside a box that scrolls" in p for p in problems), problems
    finally:
        opened.close()


@pytest.mark.parametrize("edition", ["public", "internal"])
def test_printed_on_a4(browser, build_dir, figures, edition):
    opened = open_offline(browser, build_dir / EDITION_FILE[edition])
    try:
        page = opened.page
        pdf = page.pdf(format="A4")
        pages = pdf_page_count(pdf)
        print(f"{edition}: {pages} A4 pages (ceiling {PAGE_CEILING[edition]})")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / f"appendix-{edition}.pdf").write_bytes(pdf)
        cards = pdf_find_page(pdf, "每个登记的数字一张卡片") or 2
        chart = pdf_find_page(pdf, "按排查日期所在月份") or -2
        pdf_pages_png(pdf, [0, 1, cards + 1, chart], SCREENSHOTS / f"appendix-{edition}-print.png")
        pdf_contact_sheet(pdf, SCREENSHOTS / f"appendix-{edition}-print-all.png")
        assert pages <= PAGE_CEILING[edition]

        page.emulate_media(media="print")
        # table headers repeat on every page, cards are not split, scroll boxes give their whole table to the paper
        assert page.eval_on_selector("#figures table thead", "e => getComputedStyle(e).display") == "table-header-group"
        assert page.eval_on_selector("#figures article.card", "e => getComputedStyle(e).breakInside") == "avoid"
        assert page.eval_on_selector(".table-scroll", "e => getComputedStyle(e).overflowX") == "visible"
        # no background needed: the figures of the report text have none, their status is in the mark beside them
        backgrounds = page.eval_on_selector_all(
            "#report a.fig", "els => [...new Set(els.map(e => getComputedStyle(e).backgroundColor))]"
        )
        assert backgrounds == ["rgba(0, 0, 0, 0)"]
        # an in-page link shows its target: each figure the number of its card, as the cards are numbered
        refs = page.eval_on_selector_all(
            "#report a.fig",
            # the link, then its status mark, then (shown on paper only) its card number
            "els => els.map(e => { const ref = e.nextElementSibling.nextElementSibling;"
            " return {figures: e.dataset.figures, cards: e.dataset.cards, cls: ref.className,"
            " shown: getComputedStyle(ref).display, text: ref.textContent}; })",
        )
        order = {card["figure"]: n for n, card in enumerate(read_cards(page), 1)}
        for ref in refs:
            numbers = [str(order[f]) for f in ref["figures"].split()]
            assert ref["cls"] == "fig-ref" and ref["shown"] != "none", ref
            assert ref["cards"] == " ".join(numbers) and ref["text"] == "→" + "、".join(numbers), ref
        assert (
            page.eval_on_selector("#figures article.card h3", "e => getComputedStyle(e, '::before').content")
            == "counter(card)"
        )
        assert page.eval_on_selector("#figures .back", "e => getComputedStyle(e).display") == "none"
        assert opened.blocked == [] and opened.console_errors == [] and opened.page_errors == []
    finally:
        opened.close()


def test_the_page_count_check_reports_a_page_without_print_rules(browser, build_dir, tmp_path):
    """Control: the public edition printed with the screen layout only (its @page and @media print rules removed)
    runs over the ceiling."""
    page_html = (build_dir / "appendix.html").read_text(encoding="utf-8")
    start = page_html.index("@page")
    end = page_html.index("</style>")
    screen_only = tmp_path / "appendix.html"
    screen_only.write_text(page_html[:start] + page_html[end:], encoding="utf-8")
    opened = open_offline(browser, screen_only)
    try:
        assert pdf_page_count(opened.page.pdf(format="A4")) > PAGE_CEILING["public"]
    finally:
        opened.close()


STATUS_OF_LINKS_JS = """els => els.map(e => {
  const mark = e.nextElementSibling;
  return {id: e.id, status: e.dataset.status, label: e.getAttribute('aria-label') || '',
          mark: mark && mark.matches('.fig-mark') ? mark.textContent : null,
          hidden: mark ? mark.getAttribute('aria-hidden') : null};
})"""


def test_a_status_reads_without_colour(public, figures):
    page = public.page
    links = page.eval_on_selector_all("#report a.fig", STATUS_OF_LINKS_JS)
    assert links
    for link in links:
        status, word = link["status"], STATUS_ZH[link["status"]]
        expected = STATUS_MARK[status] if status == "match" else f"{STATUS_MARK[status]} {word}"
        assert link["mark"] == expected, link  # the symbol (and for anything but 一致 the word) beside the figure
        assert word in link["label"] and link["hidden"] == "true", link  # read out once, from the link's name
    bad = next(link for link in links if link["id"] == f"ref-{INCONSISTENT_ID}")
    assert bad["mark"] == "! 报告自身矛盾" and bad["label"].endswith("：报告自身矛盾")
    legend = page.inner_text("#report .legend")
    assert all(f"{STATUS_MARK[s]} {STATUS_ZH[s]}" in legend for s in STATUS_MARK)
    assert all(f"{STATUS_MARK[s]} {STATUS_ZH[s]}" in page.inner_text("#cover .summary") for s in STATUS_MARK)
    card_status = page.eval_on_selector(
        f"#card-{INCONSISTENT_ID} header .status", "e => getComputedStyle(e, '::before').content"
    )
    assert card_status == '"! "'
    # in greyscale the underline differs too: one line style per status
    page.emulate_media(media="print")
    styles = page.eval_on_selector_all(
        "#report .legend .fig", "els => els.map(e => [e.dataset.status, getComputedStyle(e).borderBottomStyle])"
    )
    assert len({style for _, style in styles}) == len(STATUS_MARK), styles


@pytest.mark.parametrize("edition", ["public", "internal"])
def test_unique_ids_a_heading_outline_and_table_captions(browser, build_dir, edition):
    opened = open_offline(browser, build_dir / EDITION_FILE[edition])
    try:
        page = opened.page
        assert html_problems(page) == []
        # rows_table (the internal edition's listed rows) builds its own <table> without html.table: not yet captioned
        assert tables_without_caption(page, skip="#figures table.rows") == []
        # a figure written in two places has two links, ref-<id> and ref-<id>-2, both to its card; its card returns to the first
        split = page.eval_on_selector_all(
            f"#report a.fig[data-figures~='{SPLIT_FIGURE}']", "els => els.map(e => [e.id, e.getAttribute('href')])"
        )
        assert [link_id for link_id, _ in split] == [f"ref-{SPLIT_FIGURE}", f"ref-{SPLIT_FIGURE}-2"]
        assert {href for _, href in split} == {f"#card-{SPLIT_FIGURE}"}
        assert page.get_attribute(f"#card-{SPLIT_FIGURE} .back a", "href") == f"#ref-{SPLIT_FIGURE}"
    finally:
        opened.close()
