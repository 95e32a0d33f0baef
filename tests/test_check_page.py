"""`lawreport check --html`: the page of checked reports (lawreport.text.report_page).

Unit tests read the HTML with the standard library's parser; browser tests open it in Debian's headless
Chromium, offline (tests/browser_support.py), at 1280 px and at a phone's 390 px, and leave full-page
screenshots in <project>/build/browser/check-*.png for a human to look at.
"""

from __future__ import annotations

import html
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, in_viewport, markup_problems, open_offline, page_overflow

from lawreport.appendix.export import CSP
from lawreport.params import PROJECT_ROOT
from lawreport.text.check import CheckedDocument, check_text
from lawreport.text.mentions import Mention
from lawreport.text.relations import Relation
from lawreport.text.report_page import render_page, write_page

SCREENSHOTS = PROJECT_ROOT / "build" / "browser"

# 80 + 45 = 125 > 120: a failing part_whole relation; the other figures agree (110/120 = 91.7%, 296/300 = 98.7%).
REPORT = (
    "关于2024年信访工作情况的报告\n"
    "一、基本情况\n"
    "全年共受理信访件120件，其中来信80件、来访45件。办结率达到91.7%，共办结110件。\n"
    "二、矛盾纠纷调解\n"
    "调解纠纷300件，调解成功率为98.7%，成功调解296件。同比增长12%。\n"
    "三、下一步工作打算\n"
    "下一步，力争办结率达到100%。\n"
)
PAYLOADS = ("<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "</td>")
# Markup inside the sentence of a failing relation (12 + 20 > 30), so that its quote carries it too.
INJECTED = (
    f"通报{PAYLOADS[0]}\n"
    f"共开展普法活动30场，其中线上12场{PAYLOADS[1]}、线下20场{PAYLOADS[2]}。\n"
    "发放宣传资料5000余份。\n"
)
INJECTED_PATH = "x<b>evil</b>&amp;.txt"
ERROR = "文件已损坏 <zip> (BadZipFile)</td><script>alert(3)</script>"


class Page(HTMLParser):
    """What a page holds: elements (tag, attributes), ids, same-page links, visible text."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(source)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data):
        self.text.append(data)

    def all(self, tag: str, **wanted: str) -> list[dict[str, str]]:
        """Elements of `tag` whose attributes contain the wanted values (class_: one of the classes)."""
        found = []
        for name, attrs in self.elements:
            if name != tag:
                continue
            ok = True
            for key, value in wanted.items():
                key = key.rstrip("_").replace("_", "-")
                have = attrs.get(key)
                if key == "class":
                    ok = ok and have is not None and value in have.split()
                else:
                    ok = ok and have == value
            if ok:
                found.append(attrs)
        return found

    @property
    def ids(self) -> list[str]:
        return [attrs["id"] for _, attrs in self.elements if "id" in attrs]

    @property
    def fragment_links(self) -> list[str]:
        return [a["href"] for a in self.all("a") if a.get("href", "").startswith("#")]

    @property
    def plain(self) -> str:
        return "".join(self.text)


def checked(text: str = REPORT, path: str = "reports/2024年信访工作报告.txt") -> CheckedDocument:
    return check_text(text, path)


def several() -> list[CheckedDocument]:
    injected = check_text(INJECTED, INJECTED_PATH)
    injected.notices = (f"第2页是图片 {PAYLOADS[1]}",)
    return [checked(), injected, CheckedDocument("scans/broken.docx", error=ERROR)]


def report_text(source: str, number: int) -> str:
    """The HTML of document `number`'s report text (not the legend's samples)."""
    section = re.search(rf'<section class="doc" id="doc-{number}".*?</section>', source, re.S).group(0)
    return re.search(r'<div class="report-text".*?</div>', section, re.S).group(0)


def assert_self_contained(source: str) -> Page:
    page = Page(source)
    assert source.startswith("<!DOCTYPE html>")
    assert page.all("html", lang="zh-CN")
    assert [m["content"] for m in page.all("meta", http_equiv="Content-Security-Policy")] == [CSP]
    assert "default-src 'none'" in CSP
    assert "<script" not in source.lower() and not page.all("script")
    assert "http://" not in source and "https://" not in source
    assert not [a for _, a in page.elements if {"src", "srcset", "action", "formaction"} & set(a)]
    assert not page.all("link") and not page.all("iframe") and not page.all("object")
    assert not [f"{tag} {k}" for tag, a in page.elements for k in a if k.startswith("on")]
    ids = page.ids
    assert len(ids) == len(set(ids)), "duplicate ids"
    dangling = sorted({href for href in page.fragment_links if href[1:] not in ids})
    assert dangling == [], "links to ids that do not exist"
    return page


# ------------------------------------------------------------------ one report


def test_one_report_marks_the_failing_relation_and_explains_it():
    document = checked()
    failing = [(i, r) for i, r in enumerate(document.relations) if r.verdict == "fails"]
    assert [r.kind for _, r in failing] == ["part_whole"]
    number = failing[0][0] + 1
    source = render_page([document])
    page = assert_self_contained(source)
    assert not page.all("section", id="summary")  # one report: no summary table
    assert len(page.all("section", class_="doc")) == 1

    # the failing relation: an aside with an id, right below its paragraph, with kind, explanation and sentence
    anchor = f"d1-rel-{number}"
    assert page.all("aside", id=anchor, class_="failure")
    aside = re.search(rf'<aside class="card failure" id="{anchor}".*?</aside>', source).group(0)
    assert "部分与整体" in aside and "part_whole" in aside and "✗ 不成立" in aside
    assert html.escape(failing[0][1].explanation, quote=True) in aside
    assert "全年共受理信访件120件，其中来信80件、来访45件。" in Page(aside).plain
    paragraph_end = source.index("</p>", source.index("全年共受理信访件"))
    assert source.index(f'id="{anchor}"') > paragraph_end  # below its paragraph …
    assert source.index(f'id="{anchor}"') < source.index("矛盾纠纷调解")  # … before the next one

    # the three figures: marked as failing, with a ✗ label (not colour alone), each linking to the aside
    text = Page(report_text(source, 1))
    fails = text.all("mark", class_="m-fails")
    assert len(fails) == 3 and all(m["data-role"] == "figure" for m in fails)
    marked = re.findall(
        r'<mark class="m m-figure m-fails"[^>]*>([^<]*)</mark><span class="fail-label">✗(\d+)</span>',
        report_text(source, 1),
    )
    assert marked == [("120", str(number)), ("80", str(number)), ("45", str(number))]
    links = text.all("a", class_="fail-ref")
    assert {a["href"] for a in links} == {f"#{anchor}"} and len(links) == 3
    back = re.search(r'<p class="back"><a href="#([^"]+)"', aside).group(1)
    assert back == links[0]["id"]  # and the aside links back to the first figure

    # every mention is marked with its role; figures not in a failing relation are plain figure marks
    assert len(text.all("mark", class_="m")) == len(document.mentions)
    assert {m["data-role"] for m in text.all("mark", class_="m") if "m-fails" not in m["class"]} >= {
        "figure",
        "date",
        "heading",
        "commitment",
    }

    # header counts and the table of all relations (verdict as symbol + word)
    counts = dict(re.findall(r'<li data-verdict="(\w+)">.*?<span class="count">(\d+)</span></li>', source))
    assert counts == {v: str(n) for v, n in document.verdicts().items()}
    figures = sum(1 for m in document.mentions if m.is_figure)
    assert f"统计数字 (figures) {figures} 个" in page.plain
    rows = page.all("tr", data_verdict="fails")
    assert [r["id"] for r in rows] == [f"d1-row-{number}"]
    assert len(page.all("tr", data_verdict="fails")) + len(page.all("tr", data_verdict="holds")) + len(
        page.all("tr", data_verdict="unclear")
    ) == len(document.relations)
    assert "✗ 不成立" in page.plain and "(fails)" in page.plain
    assert page.all("table", class_="relations") and page.all("section", id="legend")
    # every table scrolls inside its own box on a narrow screen
    assert source.count("<table") == source.count('<div class="rowset"')


def test_a_mention_in_two_failing_relations_links_to_both():
    """Built by hand (the rules change; the page must not): 120 is the whole of a failing part_whole and the
    first value of a failing repeat; a relation naming a mention that does not exist is shown, not a crash."""
    text = "全年共受理信访件120件，其中来信80件、来访45件。\n二、其他\n全年共受理信访件130件。\n"

    def figure(value: str, after: int = 0) -> Mention:
        start = text.index(value, after)
        return Mention(start, start + len(value), value, "figure", "number", unit="件")

    heading = Mention(text.index("二、"), text.index("二、") + 2, "二、", "heading")
    mentions = [figure("120"), figure("80"), figure("45"), heading, figure("130")]
    relations = [
        Relation("part_whole", "fails", (0, 1, 2), "80件 + 45件 至少为 125，已超过总数 120件"),
        Relation("yoy", "unclear", (1, 99), "<b>无法判断</b>"),
        Relation("repeat", "fails", (0, 4), "“全年共受理信访件”先写 120件，后写 130件，前后不一"),
    ]
    document = CheckedDocument("two.txt", text, None, mentions, relations)
    failing = {"part_whole": 1, "repeat": 3}
    source = render_page([document])
    page = assert_self_contained(source)
    # 120 is in both: its mark links to the first, a second ✗ label to the other
    first = re.search(r"<p>全年共受理信访件(.*?)件，", report_text(source, 1)).group(1)
    assert re.findall(r'href="#(d1-rel-\d+)"', first) == [
        f"d1-rel-{failing['part_whole']}",
        f"d1-rel-{failing['repeat']}",
    ]
    assert re.findall(r"✗(\d+)", Page(first).plain) == [str(failing["part_whole"]), str(failing["repeat"])]
    # each explanation below the paragraph of its last figure; the repeat quotes both sentences
    order = [
        source.index(s)
        for s in (f'id="d1-rel-{failing["part_whole"]}"', "其他</p>", "130", f'id="d1-rel-{failing["repeat"]}"')
    ]
    assert order == sorted(order)
    repeat = re.search(rf'<aside[^>]*id="d1-rel-{failing["repeat"]}".*?</aside>', source).group(0)
    assert "全年共受理信访件120件，其中来信80件、来访45件。 …… 全年共受理信访件130件。" in Page(repeat).plain
    for number in failing.values():
        assert f"#d1-rel-{number}" in page.fragment_links
    row = re.search(r'<tr id="d1-row-2" data-verdict="unclear">.*?</tr>', source).group(0)
    assert "? 无法判断" in Page(row).plain and "&lt;b&gt;无法判断&lt;/b&gt;" in row and "<b>" not in source


def test_report_text_is_escaped_never_markup():
    documents = several()
    source = render_page(documents)
    page = assert_self_contained(source)
    for payload in (PAYLOADS[0], PAYLOADS[1], INJECTED_PATH, ERROR):
        assert payload not in source, payload
    assert "&lt;/td&gt;" in source and source.count("<td") == source.count("</td>")  # no cell closed early
    assert not page.all("b") and not page.all("img") and not page.all("td", class_="evil")
    text = page.plain
    # shown as text: in the report text (marks split them, so compare the text without tags) …
    report = Page(re.search(r'<section class="doc" id="doc-2".*?</section>', source, re.S).group(0)).plain
    for payload in PAYLOADS:
        assert payload in report, payload
    assert INJECTED_PATH in text and ERROR in text
    assert f"第2页是图片 {PAYLOADS[1]}" in text  # notices are report text too
    # … and in the quote of the failing relation
    aside = re.search(r'<aside class="card failure" id="d2-rel-\d+".*?</aside>', source, re.S).group(0)
    assert PAYLOADS[1] in Page(aside).plain and PAYLOADS[2] in Page(aside).plain
    # the path is an attribute too: escaped there as well
    assert page.all("section", id="doc-2")[0]["data-path"] == INJECTED_PATH


# ------------------------------------------------------------------ several reports, unreadable ones


def test_several_reports_get_a_summary_linking_to_each_section():
    documents = several()
    source = render_page(documents)
    page = assert_self_contained(source)
    assert page.all("section", id="summary") and page.all("table", class_="documents")
    rows = page.all("tr", data_doc="doc-1") + page.all("tr", data_doc="doc-2") + page.all("tr", data_doc="doc-3")
    assert len(rows) == 3
    summary = re.search(r'<section id="summary">.*?</section>', source, re.S).group(0)
    assert re.findall(r'<a href="(#doc-\d)"', summary) == ["#doc-1", "#doc-2", "#doc-3"]
    sections = page.all("section", class_="doc")
    assert [s["id"] for s in sections] == ["doc-1", "doc-2", "doc-3"]
    assert [s["data-path"] for s in sections] == [d.path for d in documents]
    fails = [d.verdicts()["fails"] if d.error is None else 0 for d in documents]
    assert fails[:2] >= [1, 1] and fails[2] == 0
    assert [s["data-fails"] for s in sections] == [str(n) for n in fails]
    assert f"共 3 份：无法读取 1 份，不成立的关系 {sum(fails)} 个" in page.plain
    # the unreadable one: its error in the summary row and in its section; the others are all there
    assert len(page.all("td", class_="read-error")) == 1 and page.all("section", id="doc-3", data_error="true")
    assert len(page.all("p", class_="read-error")) == 1
    assert page.all("aside", id="d1-rel-1") and [
        a for a in page.all("aside", class_="failure") if a["id"].startswith("d2-")
    ]
    # ids are per document: the same relation number in two reports does not collide
    assert page.all("aside", id="d1-rel-1") and page.all("aside", id="d2-rel-1")
    # each report starts a new printed page; the page adapts to phones
    assert re.search(r"@media print \{[^@]*\.doc \+ \.doc[^{]*\{ break-before: page;", source)
    assert "@media (max-width: 40rem)" in source


def test_only_an_unreadable_report():
    source = render_page([CheckedDocument("a.pdf", error="PDF 没有文字层 <scanned>")])
    page = assert_self_contained(source)
    assert not page.all("section", id="summary")
    assert "✗ 无法读取 (cannot read)：PDF 没有文字层 <scanned>" in page.plain
    assert not page.all("table", class_="relations") and not page.all("div", class_="report-text")


def test_no_reports_at_all():
    page = assert_self_contained(render_page([]))
    assert "没有可核对的报告" in page.plain


def test_the_page_is_written_atomically_and_the_same_every_time(tmp_path):
    target = tmp_path / "out" / "check.html"
    assert write_page(several(), target) == target
    first = target.read_bytes()
    target.write_text("old", encoding="utf-8")
    write_page(several(), target)
    assert target.read_bytes() == first  # same input, same bytes
    assert sorted(p.name for p in target.parent.iterdir()) == ["check.html"]  # no temporary file left
    assert first.decode("utf-8") == render_page(several())
    stamped = render_page(several(), stamp="2025-01-02 03:04")
    assert "生成时间 (generated)：2025-01-02 03:04" in stamped and "生成时间" not in render_page(several())


# ------------------------------------------------------------------ in a real browser


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):  # .ci/run installs it; a CI run without it must fail, not skip
            raise RuntimeError(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium before `make test`")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium fonts-wqy-microhei; see .ci/run)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("check-page")
    return {
        "single": write_page([checked()], folder / "single.html"),
        "many": write_page(several(), folder / "many.html"),
    }


FAILING_JS = """() => [...document.querySelectorAll('aside.failure')].map(a => ({
  id: a.id, links: [...document.querySelectorAll('a.fail-ref')].filter(l => l.getAttribute('href') === '#' + a.id).length}))"""


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("layout", ["single", "many"])
def test_the_page_in_chromium(browser, pages, layout, width):
    opened = open_offline(browser, pages[layout], viewport={"width": width, "height": 900})
    try:
        page = opened.page
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        assert page.evaluate("document.scripts.length") == 0
        assert markup_problems(page, (), shown=False)[1] == []
        overflow = page_overflow(page)
        assert overflow["scrollWidth"] <= width, overflow  # no horizontal scroll of the page itself
        assert overflow["wide"] == [], overflow
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"check-{layout}-{width}.png"), full_page=True)

        # every failing relation: its anchor exists, is displayed, and marked figures link to it
        failing = page.evaluate(FAILING_JS)
        documents = [checked()] if layout == "single" else several()
        assert len(failing) == sum(d.verdicts()["fails"] for d in documents if d.error is None) >= len(documents) - 1
        for aside in failing:
            assert aside["links"] >= 2, aside
            assert page.locator(f"#{aside['id']}").is_visible()
        hrefs = page.eval_on_selector_all("a[href^='#']", "els => els.map(e => e.getAttribute('href'))")
        missing = [h for h in hrefs if page.locator(f"[id='{h[1:]}']").count() != 1]
        assert missing == []

        # clicking a marked figure moves to its explanation, which the CSS highlights (:target)
        for aside in failing:
            page.evaluate("window.scrollTo(0, 0)")
            target = f"#{aside['id']}"
            link = page.locator(f"a.fail-ref[href='{target}']").first
            link.click()
            assert page.evaluate("location.hash") == target
            assert page.eval_on_selector(target, "e => e.matches(':target')")
            assert in_viewport(page, target)
            outline = page.eval_on_selector(target, "e => getComputedStyle(e).outlineStyle")
            assert outline == "solid"
            # and back from the explanation to the figure
            page.locator(f"{target} p.back a").click()
            back = page.evaluate("location.hash")
            assert back.startswith("#d") and page.eval_on_selector(back, "e => e.matches(':target')")
            assert in_viewport(page, back)

        if layout == "many":
            # the summary's rows lead to each report's section; markup from the reports is text
            for number in (1, 2, 3):
                page.evaluate("window.scrollTo(0, 0)")
                page.locator(f"#summary a[href='#doc-{number}']").click()
                assert in_viewport(page, f"#doc-{number} h2")
            shown = page.inner_text("#doc-2")
            assert all(payload in shown for payload in PAYLOADS)
            assert INJECTED_PATH in page.inner_text("#summary") and ERROR in page.inner_text("#doc-3")
            assert page.locator("#doc-3 .read-error").is_visible()

        # on paper: each report on its own page, and the status readable without colour
        page.emulate_media(media="print")
        if layout == "many":
            assert page.eval_on_selector("#doc-2", "e => getComputedStyle(e).breakBefore") == "page"
        label = page.eval_on_selector("a.fail-ref .fail-label", "e => [getComputedStyle(e).display, e.textContent]")
        assert label[0] != "none" and label[1].startswith("✗")
        decoration = page.eval_on_selector("mark.m-fails", "e => getComputedStyle(e).textDecorationStyle")
        assert decoration == "wavy"
        page.emulate_media(media="screen")

        assert opened.blocked == [], "the page tried to reach the network"
        assert opened.console_errors == [] and opened.page_errors == []
    finally:
        opened.close()
