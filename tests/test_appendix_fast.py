"""The fast paths of the publishing scan find exactly what the plain rules find.

Each fast path (the personal-value index, the regex twins that skip to a literal, the search of ID
numbers inside runs of digits only, the literal-first searches of error markers, machine names and
outside links) is compared with the plain rule it replaces on random texts built to hit the edges:
digits of other scripts, letters touching numbers, values that are prefixes of one another. Then a
personal value planted in a document of several megabytes is found and blocks publishing.
"""

from __future__ import annotations

import random
import re

import pytest

from lawreport.appendix import scan
from lawreport.appendix.export import wrap_document
from lawreport.ledgers import personal as P

# Characters the random texts are made of: ASCII digits and letters, full-width and Arabic-Indic and
# astral (Mathematical) digits, the symbols of the shapes, CJK, markup.
ALPHABET = (
    "0123456789" * 6
    + "1111113333000009Xx"
    + "abcXYZ_"
    + "０１２３４５６７８９٣𝟘𝟙"
    + "-./: \n"
    + "张三丰李四周梅样例路号村社区"
    + '<>="'
)


def random_text(rng: random.Random, size: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(size))


def naive_spans(text: str, values: set[str]) -> list[tuple[int, str]]:
    """The rule itself: left to right, the longest value starting at a character, then on after it."""
    ordered = sorted((v for v in values if len(v) >= 2), key=len, reverse=True)
    spans, i = [], 0
    while i < len(text) - 1:
        hit = next((v for v in ordered if text.startswith(v, i)), None)
        if hit:
            spans.append((i, hit))
            i += len(hit)
        else:
            i += 1
    return spans


def spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span(1) if m.groups() else m.span() for m in pattern.finditer(text)]


@pytest.mark.parametrize("seed", range(40))
def test_the_value_index_finds_what_trying_every_value_finds(seed):
    rng = random.Random(seed)
    text = random_text(rng, 3000)
    values = {text[i : i + rng.randint(2, 12)] for i in rng.sample(range(len(text) - 12), 60)}
    values |= {random_text(rng, rng.randint(1, 10)) for _ in range(60)}
    values |= {v[: rng.randint(2, len(v))] for v in list(values) if len(v) >= 2}  # prefixes of one another
    assert scan._personal_spans(text, scan._prefix_index(values)) == naive_spans(text, values)


@pytest.mark.parametrize("seed", range(20))
def test_the_regex_twins_match_like_the_shapes(seed):
    rng = random.Random(seed)
    pieces = []
    for _ in range(400):
        pieces.append(random_text(rng, rng.randint(0, 6)))
        pieces.append(rng.choice(["13912345678", "023-74512345", "0571-88889999", "11010519491231002X"]))
        pieces.append("".join(rng.choice("0123456789٣０") for _ in range(rng.randint(5, 20))))
    text = "".join(pieces)
    assert len(text) > P.SHORT_TEXT
    assert spans(P.MOBILE_SCAN, text) == spans(P.MOBILE, text)
    assert spans(P.LANDLINE_SCAN, text) == spans(P.LANDLINE, text)
    found = P.finditer_in_runs(P.ID_NUMBER, text, 17)
    assert [m.span(1) for m in found] == spans(P.ID_NUMBER, text)
    assert [m.span() for m in P.finditer_in_runs(scan.ANY_ID, text, 17)] == spans(scan.ANY_ID, text)
    assert P.digit_runs(text, 17) == [m.span() for m in re.finditer(r"\d{17,}", text)]


def test_digit_runs_count_every_script_s_digits():
    text = "x" * P.SHORT_TEXT + "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧8" + "y" + "𝟙" * 17 + "z" + "12345678901234567X!"
    assert P.digit_runs(text, 17) == [m.span() for m in re.finditer(r"\d{17,}", text)]
    assert len(P.digit_runs(text, 17)) == 3
    assert [m.group(1) for m in P.finditer_in_runs(P.ID_NUMBER, text, 17)] == [
        m.group(1) for m in P.ID_NUMBER.finditer(text)
    ]


@pytest.mark.parametrize("seed", range(10))
def test_literal_first_searches_find_the_first_match(seed):
    rng = random.Random(seed)
    words = ["Error:", "KeyError:", "中Error:", "1xError:", " ValueError: ", "/home/x", "./tmp", "a/root", "/tmpfile"]
    words += ["HTTPS://a", "httpſ://b", "http://", "ttp://", "output_error", "application/vnd.jupyter.stderr"]
    words += ["vm", "-vm", "vm2", " vm "]
    text = "".join(rng.choice(words) + random_text(rng, rng.randint(0, 4)) for _ in range(300))
    old_path = re.compile(r"(?<![\w.])/(?:root|work|home|tmp)(?=/|\b)")
    assert spans(scan.MACHINE_PATH, text) == spans(old_path, text)
    for pattern, _ in scan.ERROR_MARKERS:
        expected = pattern.search(text)
        got = scan._search_markers(pattern, text)
        assert (got and got.span()) == (expected and expected.span())
    for cut in range(0, len(text), 97):
        part = text[cut:]
        assert scan._has_outside_url(part) == bool(re.search(r"https?://", part, re.IGNORECASE))
        for pattern, _ in scan.ERROR_MARKERS:
            expected = pattern.search(part)
            got = scan._search_markers(pattern, part)
            assert (got and got.span()) == (expected and expected.span())
        expected = scan._word("vm").search(part)
        got = scan._search_word("vm", part)
        assert (got and got.span()) == (expected and expected.span())


def test_where_names_the_nearest_id_that_has_ended():
    text = '<p id="a">x</p><section id="b"><p>y</p><div id="c' + "z" * 50
    where = scan._where_in(text)
    for offset in range(len(text) + 1):
        ids = list(scan.ELEMENT_ID.finditer(text, 0, offset))
        expected = f"位置 (where) #{ids[-1].group(1)} 附近" if ids else f"位置 (where) 第 {offset} 字符"
        assert where(offset) == expected


def test_a_planted_value_is_found_in_a_document_of_megabytes():
    rng = random.Random(7)
    names = {"周梅英", "杜波", "西湖社区何萍英反映邻居违规搭建雨棚影响采光"}
    numbers = {"17000004625", "99690919980310392X", "023-70004914"}
    values = names | numbers | {f"{rng.choice('赵钱孙李')}{i:04d}号" for i in range(5000)}
    rows = "".join(
        f"<tr><td>{i}</td><td>2025-03-{i % 28 + 1:02d}</td><td>西湖社区 东风村 样例一路{i}号</td><td>P-abcdef{i}</td></tr>"
        for i in range(40000)
    )
    clean = wrap_document(f'<section id="figures"><table>{rows}</table></section>', "附录", "internal")
    assert len(clean) > 2_000_000
    assert scan.find_published(clean, values) == []
    id_number = "11010519491231002" + P.id_check_digit("11010519491231002")
    for planted, kind in [
        ("周梅英", scan.KIND_PERSONAL),
        ("杜波", scan.KIND_PERSONAL),
        ("西湖社区何萍英反映邻居违规搭建雨棚影响采光", scan.KIND_PERSONAL),
        ("99690919980310392X", scan.KIND_ID),  # a personal value too, but ID numbers are looked for first
        (id_number, scan.KIND_ID),
        ("13912345678", scan.KIND_MOBILE),
        ("023-74512345", scan.KIND_LANDLINE),
    ]:
        at = clean.index("<td>", len(clean) * 2 // 3) + 4
        document = clean[:at] + f"联系人{planted}已核实" + clean[at:]
        found = scan.find_published(document, values)
        assert [f.kind for f in found] == [kind], planted
        assert found[0].value == planted and planted not in found[0].message()
        assert found[0].where.startswith("位置 (where) #figures")
