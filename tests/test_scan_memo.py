"""Long texts scanned piece by piece, with the pieces found clean before taken from a memo
(lawreport.appendix.scan_memo): the scans of the rendered document (`find_published`) and of an executed
notebook (`notebook_verdict`) find the same with and without it, whatever was planted where: in a piece the
memo knows (its digest changes), across a cut, right after one; the memo holds no text; a memo made for other
personal values, other code or another name is not used. Hand-built texts, no pipeline run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from lawreport.appendix import scan, scan_memo
from lawreport.appendix.scan import file_identity, find_published, notebook_verdict
from lawreport.ledgers.values import id_check_digit

PERSONAL = {"张三丰", "李四光", "王五", "13800001234", "赵六家住幸福村三组", "周&吴"}


def _id_number() -> str:
    first = "50023119800101123"
    return first + id_check_digit(first)


def _card(n: int, extra: str = "") -> str:
    rows = "".join(f"<tr><td>row-{n}-{i}</td><td>调解{i}号</td><td>{i * 7}</td></tr>" for i in range(40))
    return (
        f'<article class="card" data-figure="f{n}" id="card-f{n}"><h3>数字 {n}</h3>'
        f'<table class="rows"><tbody>{rows}</tbody></table>{extra}</article>'
    )


def _document(planted: dict[int, str] | None = None) -> str:
    planted = planted or {}
    cards = "".join(_card(n, planted.get(n, "")) for n in range(160))
    html = f'<html><body><section id="figures"><div class="cards">{cards}</div></section></body></html>'
    assert len(html) >= scan_memo.LONG_TEXT
    return html


PLANTS = {
    "personal value": "<p>李四光</p>",
    "ID number": f"<p>{_id_number()}</p>",
    "mobile": "<p>13912345678</p>",
    "landline": "<p>023-74512345</p>",
    "traceback": "<pre>Traceback (most recent call last)</pre>",
    "machine path": "<p>/root/ledgers</p>",
    "script": "<script>alert(1)</script>",
    "outside link": '<a href="https://example.com">x</a>',
    "long personal value": "<p>赵六家住幸福村三组</p>",
    "personal value written with an entity": "<p>周&amp;吴</p>",
}


def _messages(found: list[scan.Finding]) -> list[str]:
    return [f.message() for f in found]


@pytest.mark.parametrize("what", sorted(PLANTS))
@pytest.mark.parametrize("where", [0, 1, 77, 159])
def test_a_document_scanned_with_the_memo_finds_what_it_finds_without(tmp_path: Path, what: str, where: int) -> None:
    clean = _document()
    assert find_published(clean, PERSONAL) == []
    assert find_published(clean, PERSONAL, memo=tmp_path, name="internal") == []  # every piece is now known
    assert json.loads((tmp_path / "document-internal.json").read_text(encoding="utf-8"))["clean"]
    planted = _document({where: PLANTS[what]})
    plain = find_published(planted, PERSONAL)
    assert plain, what
    assert _messages(find_published(planted, PERSONAL, memo=tmp_path, name="internal")) == _messages(plain)


def test_the_memo_holds_digests_only_and_is_kept_for_the_latest_text(tmp_path: Path) -> None:
    text = _document()
    find_published(text, PERSONAL, memo=tmp_path, name="internal")
    kept = (tmp_path / "document-internal.json").read_text(encoding="utf-8")
    assert "row-1-1" not in kept and not any(value in kept for value in PERSONAL)
    pieces = json.loads(kept)["clean"]
    assert len(pieces) == len(scan_memo.cuts(scan.DATA_URI.sub("", text))) + 1
    assert all(re.fullmatch(r"[0-9a-f]{32}", piece) for piece in pieces)
    other = _document({5: "<p>新的一行</p>"})
    find_published(other, PERSONAL, memo=tmp_path, name="internal")
    assert len(set(json.loads((tmp_path / "document-internal.json").read_text(encoding="utf-8"))["clean"])) == len(
        pieces
    )  # the changed piece replaced the old one


def test_a_memo_of_other_values_or_a_damaged_memo_is_not_used(tmp_path: Path, monkeypatch) -> None:
    text = _document({3: "<p>孙七</p>"})
    assert find_published(text, PERSONAL, memo=tmp_path, name="internal") == []  # 孙七 is not (yet) personal
    # The same text with 孙七 now among the personal values: the memo's key differs, the piece is scanned.
    assert find_published(text, PERSONAL | {"孙七"}, memo=tmp_path, name="internal")
    find_published(text, PERSONAL, memo=tmp_path, name="internal")
    memo = tmp_path / "document-internal.json"
    memo.write_text("{not json", encoding="utf-8")
    assert find_published(text, PERSONAL | {"孙七"}, memo=tmp_path, name="internal")
    # other scanning code: a memo made by the code before is not used
    find_published(text, PERSONAL, memo=tmp_path, name="internal")
    monkeypatch.setattr(scan, "_scan_code", lambda: "other code")
    assert find_published(text, PERSONAL | {"孙七"}, memo=tmp_path, name="internal")


def test_what_crosses_a_cut_is_found_around_it_and_the_margin_is_what_finds_it(tmp_path: Path) -> None:
    """A notebook's output text is unescaped: a ledger value may hold "<article " and so cross a cut."""
    straddling = "王<article 五"
    text = "".join(f"{_card(n)}" for n in range(150)) + f"<p>{straddling}</p>" + _card(999)
    personal = {straddling}
    index = scan._prefix_index(personal)

    def finds(piece: str) -> bool:
        return bool(scan._personal_findings(piece, index, scan._nowhere, False))

    assert finds(text)
    memo = scan_memo.CleanPieces(tmp_path, "t", "k")
    assert scan_memo.clean_in_pieces(text, finds, memo, margin=len(straddling) + 64) is False
    # without the text around the cuts (margin 0) the value would pass unseen: the margin is what finds it
    assert scan_memo.clean_in_pieces(text, finds, memo, margin=0) is True


def _notebook(path: Path, html: str) -> Path:
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("display(HTML(cards))")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": html, "text/plain": "<HTML>"})]
    notebook.cells = [nbformat.v4.new_code_cell("x = 1"), cell]
    nbformat.write(notebook, str(path))
    return path


@pytest.mark.parametrize("what", ["personal value", "ID number", "mobile", "landline", "nothing"])
def test_a_notebook_verdict_with_the_memo_is_the_verdict_without(tmp_path: Path, what: str) -> None:
    memo = tmp_path / "memo"
    path = _notebook(tmp_path / "90_appendix.internal.ipynb", _document())
    assert notebook_verdict(path, file_identity(path), PERSONAL, memo) == "clean"
    assert (memo / "notebook-90_appendix.internal.json").exists()
    _notebook(path, _document({42: PLANTS.get(what, "<p>无</p>")}))
    plain = notebook_verdict(path, file_identity(path), PERSONAL)
    assert plain == ("clean" if what == "nothing" else "found")
    assert notebook_verdict(path, file_identity(path), PERSONAL, memo) == plain


def test_the_values_digest_tells_every_set_apart(tmp_path: Path) -> None:
    """Found by a review: the digest of "\\0"-joined values made {"张三\\0李四"} and {"张三", "李四"} one key, so a
    memo made with the first let the second's 张三 through."""
    one, two = scan.PrefixIndex(frozenset({"张三\0李四"})), scan.PrefixIndex(frozenset({"张三", "李四"}))
    assert one.digest != two.digest
    text = _document({5: "<p>张三</p>"})
    assert find_published(text, one, memo=tmp_path, name="internal") == []
    assert find_published(text, two, memo=tmp_path, name="internal") == find_published(text, two) != []


def test_a_value_holding_a_tag_s_start_is_looked_for_in_the_whole_document(tmp_path: Path) -> None:
    """Found by a review: a personal value with a "<" can stand across a cut, its first part written in numeric
    entities of any length (&#x00000041; is one letter in 12 characters), beyond any margin. With such a value
    among the personal ones the document is scanned whole."""
    value = "A" * 70 + "<art"
    planted = "<p>" + "&#x00000041;" * 70  # the 70 letters as entities, right before the next card's "<article "
    text = _document()
    at = text.index('<article class="card" data-figure="f41"')
    text = text[:at] + planted + text[at:]
    values = PERSONAL | {value}
    assert find_published(text, values)
    assert _messages(find_published(text, values, memo=tmp_path, name="internal")) == _messages(
        find_published(text, values)
    )
    assert not (tmp_path / "document-internal.json").exists()  # the memo was not even read or written


@pytest.mark.parametrize(
    ("value", "crosses"),
    [
        ("张三<", True),  # its "<" may be the cut's own, the rest of the tag after it
        ("A<art", True),
        ("A<article ", True),
        ("A<article class", True),
        ("<article 张三", True),
        ("回访电话：17000003696<script>alert(1)</script>", False),  # the sample's hostile free text
        ("A<articles", False),
        ("A<b>", False),
        ("张三", False),
        ("A&lt;article ", False),  # written out, not a "<": escaped, it is never a tag
    ],
)
def test_only_a_value_from_a_lt_on_like_the_cut_s_tag_can_cross_a_cut(value: str, crosses: bool) -> None:
    assert scan_memo.may_cross_cut(value) is crosses
    assert scan.PrefixIndex(frozenset(PERSONAL | {value})).crosses_cuts is crosses


def test_a_value_with_another_lt_is_found_through_the_memo_as_without(tmp_path: Path) -> None:
    """A personal value with a "<" that cannot cross a cut (free text holding a tag, as the sample's does) keeps
    the memo in use: the document is read piece by piece, and a planted copy of the value, written raw or in
    long entities, is found as a whole scan finds it."""
    value = "邻居违规搭建雨棚<b>影响采光</b>"
    values = PERSONAL | {value}
    clean = _document()
    assert find_published(clean, values, memo=tmp_path, name="internal") == [] == find_published(clean, values)
    assert (tmp_path / "document-internal.json").exists()  # the memo was used
    entities = "".join(f"&#x{ord(c):08x};" for c in value)
    for planted in (value, entities):
        at = clean.index('<article class="card" data-figure="f41"')
        text = clean[:at] + planted + clean[at:]  # right before a cut
        whole = find_published(text, values)
        assert any(f.value == value for f in whole)
        assert _messages(find_published(text, values, memo=tmp_path, name="internal")) == _messages(whole)


def test_the_memo_key_holds_the_python_and_unicode_versions(monkeypatch) -> None:
    """What \\d, \\w and html.unescape find follows the Python and Unicode versions: pieces found clean by one are
    not taken as clean by another."""
    import sys

    code = scan._read_scan_code()
    monkeypatch.setattr(sys, "version", sys.version + " (another)")
    assert scan._read_scan_code() != code
