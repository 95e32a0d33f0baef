"""The appendix in a real browser: Debian's headless Chromium, offline, no JavaScript in the page.

The appendix is produced by the real pipeline (run_suite for 2025 over copies of every sample year) and
opened from file:// with every non-file:/data: request recorded and aborted. Both editions are checked
against build/2025/figures.json. Full-page screenshots land in <project>/build/browser/ for a human to look at.
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
    cover_counts,
    in_viewport,
    link_problems,
    markup_problems,
    open_offline,
    read_cards,
    undecoded_images,
)
from support import SAMPLE_RAW, copy_year, edit_cells, ledger_path

from lawreport.cleaning import find_header
from lawreport.ledgers import get_ledger
from lawreport.params import PROJECT_ROOT, check_params
from lawreport.reading import read_xlsx_sheet
from lawreport.values import ValueProblem, parse_flag

SCREENSHOTS = PROJECT_ROOT / "build" / "browser"
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
INCONSISTENT_ID = "inspection_compliance_rate"  # 规范率 99.7%: 504/506 does not give 99.7%
MARKUP_CARD = "card-road_office_two_years"  # lists the unresolved 马路办公 rows in full in the internal edition

if not CHROMIUM.exists():
    if os.environ.get("CI"):  # .ci/run installs it; a CI run without it must fail, not skip
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium before `make test`")
    pytest.skip(
        f"{CHROMIUM} not installed (apt-get install chromium fonts-wqy-microhei; see .ci/run)", allow_module_level=True
    )

from playwright.sync_api import expect, sync_playwright  # noqa: E402

# ------------------------------------------------------------------ fixtures


def unresolved_road_office_rows(params, count: int) -> list[int]:
    """Data-row indexes (as edit_cells counts them) of the first `count` unresolved 2025 马路办公 issues:
    the internal edition lists such rows in full (the resolved ones are summarised)."""
    ledger = get_ledger("road_office")
    grid = read_xlsx_sheet(ledger_path(params, "road_office"), ledger.sheet or "")
    header_idx, found, _ = find_header(grid, ledger)
    j = found["resolved"][0]
    chosen: list[int] = []
    seen = -1
    for row in grid.rows[header_idx + 1 :]:
        if any(c not in (None, "") for c in row):
            seen += 1
            try:
                if j < len(row) and parse_flag(row[j]) is False:
                    chosen.append(seen)
            except ValueProblem:
                continue
    assert len(chosen) >= count, f"only {len(chosen)} unresolved road_office rows in the sample"
    return chosen[:count]


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory) -> Path:
    """build/2025 of a real pipeline run over copies of all sample years (both appendix editions inside).
    The copy of 2025 has markup (MARKUP_PAYLOADS) as the location of unresolved 马路办公 issues."""
    from lawreport.pipeline import run_suite

    root = tmp_path_factory.mktemp("browser")
    for year in sorted(int(p.name) for p in SAMPLE_RAW.iterdir() if p.name.isdigit()):
        copied = copy_year(root, year)
        if year == 2025:
            rows = unresolved_road_office_rows(copied, len(MARKUP_PAYLOADS))
            edit_cells(
                copied, "road_office", [("location", r, text) for r, text in zip(rows, MARKUP_PAYLOADS, strict=True)]
            )
    raw = {
        "year": 2025,
        "raw_root": str(root / "raw"),
        "clean_root": str(root / "clean"),
        "build_root": str(root / "build"),
    }
    run_suite(raw, say=lambda _: None)
    params = check_params(raw)
    assert (params.build_dir / "appendix.html").exists() and (params.build_dir / "internal" / "appendix.html").exists()
    return params.build_dir


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
    page.screenshot(path=str(SCREENSHOTS / screenshot), full_page=True)
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
