"""The body nbconvert makes of an executed appendix notebook, without nbconvert, for the plain shapes.

`export.notebook_html` converts with nbconvert's HTMLExporter (template "basic", inputs, prompts,
markdown, raw and unknown cells excluded), whose result is the template's output parsed and written
again by BeautifulSoup (html.parser): attributes sorted by name, `class` values split and joined by
single spaces, text and attribute values re-escaped (only & < > in text; " quoted by the quoting
rule), void elements written <img …/>, whitespace-only text outside <pre> reduced to one newline or
space. Importing and running all that costs seconds for the internal edition's 4 MB.

`body(notebook)` writes the same string directly when the notebook and every output's HTML are of
the plain shape the appendix's own builders produce: code cells whose outputs are display_data with
text/html (and text/plain) only, HTML made of allowed elements written <name attr="value">, entities
only &amp; &lt; &gt; &quot; &#x27;, every element closed in order. For anything else it returns None
and the caller uses nbconvert. tests/test_appendix_nbhtml.py holds the two equal on the real
notebooks and on generated ones.
"""

from __future__ import annotations

import re
from typing import Any

# Elements the fast path writes (others, such as <script>, <style>, <textarea> or <template>, which
# html.parser or BeautifulSoup treat specially, go through nbconvert).
ELEMENTS = frozenset(
    "a abbr article aside b blockquote br caption code col colgroup dd del details dfn div dl dt em "
    "figcaption figure footer h1 h2 h3 h4 h5 h6 header hr i img ins kbd li main mark nav ol p pre q s "
    "samp section small span strong sub summary sup table tbody td tfoot th thead time tr u ul var wbr".split()
)
# BeautifulSoup's HTMLTreeBuilder.empty_element_tags among them: written <name …/>, never closed.
VOID = frozenset({"br", "col", "hr", "img", "wbr"})
# Attributes BeautifulSoup reads as lists (cdata_list_attributes) other than class: not handled here.
LIST_ATTRIBUTES = frozenset({"accesskey", "dropzone", "rel", "rev", "headers", "accept-charset", "archive", "sizes"})
LIST_ATTRIBUTES |= {"sandbox", "for"}
ENTITIES = ("&amp;", "&lt;", "&gt;", "&quot;", "&#x27;")
ASCII_SPACES = " \n\t\x0c\r"  # BeautifulSoup.ASCII_SPACES

_PIECES = re.compile(r"(<[^<>]*>)")
_START = re.compile(r'<([a-z][a-z0-9]*)((?: [a-z][a-z0-9-]*="[^"<>]*")*)>')
_END = re.compile(r"</([a-z][a-z0-9]*)>")
_ATTRIBUTE = re.compile(r' ([a-z][a-z0-9-]*)="([^"<>]*)"')
_SIMPLE = re.compile(r"[A-Za-z0-9_-]+")

CELL = '<div class="cell border-box-sizing code_cell rendered{tags}" id="cell-id={id}">\n'
OUTPUT = '<div class="output_area">\n<div class="output_html rendered_html output_subarea">{html}</div>\n</div>\n'


class NotPlain(Exception):
    """The notebook or an output is not of the plain shape: use nbconvert."""


def _entities_only(text: str) -> bool:
    """Every & of text starts one of ENTITIES."""
    return text.count("&") == sum(text.count(entity) for entity in ENTITIES)


def _unescape(text: str) -> str:
    """html.unescape for a text whose every & starts one of ENTITIES."""
    if "&" not in text:
        return text
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&#x27;", "'")
    return text.replace("&amp;", "&")


def _escape(text: str) -> str:
    """BeautifulSoup's minimal formatter (EntitySubstitution.substitute_xml)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _quoted(value: str) -> str:
    """EntitySubstitution.quoted_attribute_value."""
    if '"' in value:
        if "'" in value:
            return '"' + value.replace('"', "&quot;") + '"'
        return "'" + value + "'"
    return '"' + value + '"'


def _start_tag(tag: str) -> tuple[str, str]:
    """(name, the tag as BeautifulSoup writes it) of a start tag; NotPlain if it is not plain."""
    match = _START.fullmatch(tag)
    if match is None or match.group(1) not in ELEMENTS:
        raise NotPlain(tag)
    name, written = match.group(1), match.group(2)
    if not written:
        return name, f"<{name}/>" if name in VOID else tag
    if not _entities_only(written):
        raise NotPlain(tag)
    attributes: dict[str, str] = {}
    for key, value in _ATTRIBUTE.findall(written):
        if key in attributes or key in LIST_ATTRIBUTES:
            raise NotPlain(tag)
        value = _unescape(value)
        attributes[key] = " ".join(re.findall(r"\S+", value)) if key == "class" else value
    shown = " ".join(f"{key}={_quoted(_escape(value))}" for key, value in sorted(attributes.items()))
    return name, f"<{name} {shown}/>" if name in VOID else f"<{name} {shown}>"


def output_html(html: str, tags: dict[str, tuple[str, str]] | None = None) -> str:
    """One output's HTML as BeautifulSoup (html.parser) writes it again; NotPlain if not plain.
    `tags`: a cache of start tags already seen (most tags of a page repeat)."""
    tags = {} if tags is None else tags
    pieces = _PIECES.split(html)
    stack: list[str] = []
    pre = 0  # open <pre> elements: whitespace kept inside
    for i, piece in enumerate(pieces):
        if i % 2 == 0:  # text between tags
            if not piece:
                continue
            if "<" in piece:
                raise NotPlain(piece[:40])
            if "&" in piece:
                if not _entities_only(piece):
                    raise NotPlain(piece[:40])
                piece = _escape(_unescape(piece))
            elif ">" in piece:
                piece = piece.replace(">", "&gt;")
            if not pre and not piece.strip(ASCII_SPACES):
                piece = "\n" if "\n" in piece else " "
            pieces[i] = piece
        elif piece[1] == "/":
            match = _END.fullmatch(piece)
            if match is None or not stack or stack[-1] != match.group(1):
                raise NotPlain(piece)
            if stack.pop() == "pre":
                pre -= 1
        else:
            known = tags.get(piece)
            if known is None:
                known = tags[piece] = _start_tag(piece)
            name, pieces[i] = known
            if name not in VOID:
                stack.append(name)
                if name == "pre":
                    pre += 1
    if stack:
        raise NotPlain(f"<{stack[-1]}> not closed")
    return "".join(pieces)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return "".join(value)
    raise NotPlain("not text")


def body(notebook: Any) -> str | None:
    """nbconvert's basic-template body for the notebook (see the module), or None when it is not of
    the plain shape."""
    try:
        return _body(notebook)
    except NotPlain:
        return None


def _body(notebook: Any) -> str:
    if not isinstance(notebook, dict) or notebook.get("nbformat") != 4:
        raise NotPlain("not nbformat 4")
    parts: list[str] = []
    tags: dict[str, tuple[str, str]] = {}
    for cell in notebook.get("cells") or []:
        kind = cell.get("cell_type")
        metadata = cell.get("metadata") or {}
        if kind in ("markdown", "raw"):
            continue
        if kind != "code" or (metadata.get("transient") or {}).get("remove_source"):
            raise NotPlain(f"cell {kind}")
        cell_id, cell_tags = cell.get("id"), metadata.get("tags") or []
        if not isinstance(cell_id, str) or not _SIMPLE.fullmatch(cell_id):
            raise NotPlain("cell id")
        if not isinstance(cell_tags, list) or not all(isinstance(t, str) and _SIMPLE.fullmatch(t) for t in cell_tags):
            raise NotPlain("cell tags")
        parts.append(CELL.format(tags="".join(f" celltag_{t}" for t in cell_tags), id=cell_id))
        outputs = cell.get("outputs") or []
        if outputs:
            parts.append('<div class="output_wrapper">\n<div class="output">\n')
            for output in outputs:
                data = output.get("data") or {}
                if (
                    output.get("output_type") != "display_data"
                    or output.get("metadata")
                    or "text/html" not in data
                    or not set(data) <= {"text/html", "text/plain"}
                ):
                    raise NotPlain("output")
                parts.append(OUTPUT.format(html=output_html(_text(data["text/html"]), tags)))
            parts.append("</div>\n</div>\n")
        parts.append("</div>\n")
    if not parts:
        raise NotPlain("no code cell")
    return "".join(parts)
