"""A draft register for next year's report: `lawreport register draft --year 2026`.

Reads the year's report text and the previous register (claims/<year-1>.yaml, or none for a new unit)
and writes a draft claims/<year>.yaml:

- **matched** (接续上年): a figure of the new text whose sentence continues an entry of last year's
  register — the same words with the numbers masked, small edits tolerated. The entry keeps its id,
  name, compute spec (or metric and definition), wording, qualifier and each; its quote, written and
  also_covers are taken from the new text. A match the draft is not sure of (a low score, a qualifier
  the new words no longer say, a written form the wording rules cannot read, a reference to a dropped
  figure) keeps a `todo:` key saying why.
- **TODO** (待审核): a figure mention of the new text that continues nothing: an id placeholder, its
  quote and written, a comment with the scanner's reading (role, unit, interval, wording words, period)
  and a `todo:` key, which the register check refuses until an analyst has filled the spec and removed it.
- **dropped** (上年有、本年未见): last year's entries with no continuation, under `dropped:` whole, so an
  entry the matching missed can be moved back into `figures:`.

Numbers that are not figures (dates, document numbers, headings, names) are never TODOs: last year's
`not_statistics` are carried when their text (or the text with the year moved on) still occurs, and any
other such number is listed there for review. Plans of the 下一步 part become `commitments`.

The text layer is the one `lawreport check` uses (lawreport.text.documents, lawreport.text.mentions);
nothing here scans numbers itself. `draft_register` is pure and deterministic: the same text and
register give the same bytes from `render_draft`.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import yaml

from ..text.mentions import Mention, find_mentions
from ..text.scan import scan_numbers
from ..text.wording import CN_NUMERAL_CHARS, COUNT_KINDS, FigureError, parse_figure

__all__ = [
    "Draft",
    "DroppedEntry",
    "MatchedEntry",
    "TodoEntry",
    "add_draft_parser",
    "draft_register",
    "main_draft",
    "render_draft",
]

# A pair scoring below MATCH_MIN is no continuation; below SURE it is kept but marked for review.
MATCH_MIN = 0.5
SURE = 0.75
_SENTENCE_END = "。！？!?；;\n"
_CLAUSE_END = "，,。；;：:！!？?\n"
_TRIM = "，,。；;：:、 \t\u3000"
# Between the figures of one old entry group written 分别 (参考率、合格率分别为98%、100%).
_SEPARATORS = set("、，,和及与 ")
# Mention kinds that can continue each other: a count stays a count (50余 → 60), a rate a rate.
_CLASS = {
    "number": "count",
    "above_approx": "count",
    "about": "count",
    "at_least": "count",
    "more_than": "count",
    "range": "count",
    "zero": "zero",
    "percent": "percent",
    "points": "points",
    "streak": "streak",
    "rank": "rank",
}
# What a qualifier needs the new words to say; one word of each group must occur in the new quote.
_QUALIFIER_WORDS = {
    "同比下降": (("同比", "比上年", "较上年", "比去年", "较去年"), ("下降", "减少", "降低")),
    "同比上升": (("同比", "比上年", "较上年", "比去年", "较去年"), ("上升", "增长", "提高", "增加")),
    "持续保持": (("持续保持", "保持"),),
    "持续提升": (("持续提升", "逐年提升", "持续上升", "逐年上升"),),
}
_ROLE_ZH = {
    "date": "日期或年度 (date)",
    "period": "统计期 (period)",
    "time": "时间 (time)",
    "doc_number": "文号 (document number)",
    "heading": "标题序号 (heading)",
    "name": "名称中的数字 (name)",
    "figure": "数字 (figure)",
    "commitment": "下一步打算 (commitment)",
}
_KIND_ZH = {
    "number": "整数",
    "above_approx": "余/多",
    "about": "约/左右",
    "at_least": "以上/不少于",
    "more_than": "超过",
    "range": "区间",
    "zero": "零",
    "percent": "百分比",
    "points": "百分点",
    "streak": "连续N年",
    "rank": "名次",
}
TODO_KEYS = "name、compute（或 metric 与 definition）；需要时 wording、qualifier、also_covers"


# ------------------------------------------------------------------------------------------ results


@dataclass(frozen=True)
class MatchedEntry:
    """A previous entry continued by a figure of the new text."""

    id: str
    score: float
    old_quote: str
    old_written: str
    quote: str
    written: str
    start: int  # where the figure is in the new text (for the order of the register)
    entry: dict[str, Any] = field(compare=False)  # the new entry, keys in the previous entry's order
    review: tuple[str, ...] = ()  # why an analyst must look (then the entry holds a `todo:` key)


@dataclass(frozen=True)
class TodoEntry:
    """A figure of the new text that continues no previous entry."""

    id: str
    quote: str
    written: str
    start: int
    reading: str  # the scanner's reading, one line in Chinese
    form: str  # what the wording rules make of `written` (or why they cannot read it)


@dataclass(frozen=True)
class DroppedEntry:
    """A previous entry whose sentence the new text no longer has."""

    id: str
    name: str
    quote: str
    written: str
    entry: dict[str, Any] = field(compare=False)


@dataclass(frozen=True)
class Draft:
    unit: str
    year: int
    report: str
    previous: str  # the previous register as named on the command line ("" = none)
    matched: tuple[MatchedEntry, ...]
    todo: tuple[TodoEntry, ...]
    dropped: tuple[DroppedEntry, ...]
    not_statistics: tuple[dict[str, str], ...]  # carried and listed; listed ones end with AUTO_MARK
    commitments: tuple[dict[str, Any], ...]
    relations: tuple[dict[str, Any], ...]
    notes: tuple[str, ...] = ()

    @property
    def needs_review(self) -> tuple[MatchedEntry, ...]:
        return tuple(m for m in self.matched if m.review)


AUTO_MARK = "（草稿自动列出，请核对）"


# ------------------------------------------------------------------------------------------ the text


@dataclass(frozen=True)
class _Span:
    """A figure's written span in the new text: the mention with its unit (and quotes, where last
    year's written had them)."""

    start: int
    end: int
    cls: str
    mention: Mention | None  # None for a written form with no number (持续提升)


class _Text:
    """The new text with its mentions, and a masked copy (every mention one "#") for comparing words."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.mentions = find_mentions(text)
        self.figures = [m for m in self.mentions if m.role == "figure"]
        self.starts = [m.start for m in self.mentions]
        masked: list[str] = []
        index = [0] * (len(text) + 1)
        spans = sorted((m.start, m.end) for m in self.mentions)
        j = 0
        for i, char in enumerate(text):
            index[i] = len(masked)
            while j < len(spans) and spans[j][1] <= i:
                j += 1
            if j < len(spans) and spans[j][0] <= i < spans[j][1]:
                if i == spans[j][0]:
                    masked.append("#")
                continue
            masked.append(char)
        index[len(text)] = len(masked)
        self.masked = "".join(masked)
        self.index = index

    def sentence(self, pos: int) -> tuple[int, int]:
        return _bounds(self.text, pos, _SENTENCE_END)

    def clause(self, pos: int) -> tuple[int, int]:
        return _bounds(self.text, pos, _CLAUSE_END)

    def mention_at(self, pos: int) -> Mention | None:
        i = bisect_left(self.starts, pos + 1) - 1
        if i >= 0 and self.mentions[i].start <= pos < self.mentions[i].end:
            return self.mentions[i]
        return None


def _bounds(text: str, pos: int, ends: str) -> tuple[int, int]:
    a = max(text.rfind(c, 0, pos) for c in ends) + 1
    found = [p for p in (text.find(c, pos) for c in ends) if p >= 0]
    return a, min(found) if found else len(text)


def _written_span(text: str, m: Mention) -> int:
    """End of a mention with its unit, where the unit follows it in the text."""
    if m.unit and text.startswith(m.unit, m.end):
        return m.end + len(m.unit)
    return m.end


def _mask(quote: str, keep: tuple[int, int]) -> tuple[str, str, str]:
    """(left, written, right) of a quote split around `keep`, every other number masked as "#"."""
    spans = [(m.start, m.end) for m in find_mentions(quote) if m.end <= keep[0] or m.start >= keep[1]]

    def masked(a: int, b: int) -> str:
        out, i = [], a
        for s, e in spans:
            if s >= a and e <= b:
                out.append(quote[i:s] + "#")
                i = e
        return "".join(out) + quote[i:b]

    return masked(0, keep[0]), quote[keep[0] : keep[1]], masked(keep[1], len(quote))


def _weights(n: int, from_end: bool) -> list[float]:
    """Words nearer the figure weigh more: they say what is counted."""
    return [1.0 / (1.0 + (n - 1 - i if from_end else i) / 6.0) for i in range(n)]


def _side(old: str, new: str, from_end: bool) -> tuple[float, float, int]:
    """(matched weight, total weight, extent in `new`) of one side of a figure.

    `old` is last year's context (left of the figure: read from its end), `new` a longer window of the
    new text. Blocks of one character count only next to the figure (a lone 的 or 和 says nothing).
    The extent is how far into the window (from the figure) the matched words reach."""
    if not old:
        return 0.0, 0.0, 0
    weights = _weights(len(old), from_end)
    total = sum(weights)
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    got = 0.0
    reach = 0
    for a, b, size in matcher.get_matching_blocks():
        if size == 0:
            continue
        near = (a + size == len(old) and b + size == len(new)) if from_end else (a == 0 and b == 0)
        if size < 2 and not near:
            continue
        got += sum(weights[a : a + size])
        reach = max(reach, len(new) - b if from_end else b + size)
    return got, total, reach


@dataclass(frozen=True)
class _Old:
    """One previous entry, as the matching sees it."""

    index: int
    id: str
    entry: dict[str, Any]
    quote: str
    written: str
    left: str  # masked context before the written form inside the quote
    right: str
    cls: str  # mention class of the written form; "text" when it holds no number (持续提升)
    unit: str
    prefix: str  # characters of `written` before the number (“ of “零”)
    suffix: str  # characters after the number and its unit (” of “零”)
    followers: tuple[int, ...] = ()  # entries sharing this entry's figure in last year's text


def _affixes(written: str) -> tuple[str, str, str, str]:
    """(class, unit, prefix, suffix) of a written form: “零” is prefix “, the mention 零, suffix ”."""
    found = scan_numbers(written)
    if not found:
        return "text", "", "", ""
    m = found[0]
    core_end = m.end + (len(m.unit) if m.unit and written.startswith(m.unit, m.end) else 0)
    return _CLASS.get(m.kind, "other"), m.unit, written[: m.start], written[core_end:]


def _widened(text: str, start: int, end: int, prefix: str, suffix: str) -> tuple[int, int]:
    """A new figure's span widened by the characters last year's written form had around it."""
    if prefix and text[max(0, start - len(prefix)) : start] == prefix:
        start -= len(prefix)
    if suffix and text.startswith(suffix, end):
        end += len(suffix)
    return start, end


def _old_entries(figures: Sequence[Any]) -> tuple[list[_Old], list[int]]:
    """The previous entries that can be matched, and the indexes of those that cannot (no quote or
    written, or written not inside the quote)."""
    olds: list[_Old] = []
    broken: list[int] = []
    leaders: dict[tuple[str, int, str], int] = {}
    for index, raw in enumerate(figures):
        if not isinstance(raw, Mapping):
            broken.append(index)
            continue
        quote, written = str(raw.get("quote") or ""), str(raw.get("written") or "")
        p = quote.find(written) if written else -1
        if p < 0:
            broken.append(index)
            continue
        left, _, right = _mask(quote, (p, p + len(written)))
        cls, unit, prefix, suffix = _affixes(written)
        key = (quote, p, written)
        old = _Old(index, str(raw.get("id", "")), dict(raw), quote, written, left, right, cls, unit, prefix, suffix)
        if key in leaders:
            lead = next(o for o in olds if o.index == leaders[key])
            olds[olds.index(lead)] = _replace_followers(lead, (*lead.followers, index))
            continue
        leaders[key] = index
        olds.append(old)
    return olds, broken


def _replace_followers(old: _Old, followers: tuple[int, ...]) -> _Old:
    return _Old(
        old.index,
        old.id,
        old.entry,
        old.quote,
        old.written,
        old.left,
        old.right,
        old.cls,
        old.unit,
        old.prefix,
        old.suffix,
        followers,
    )


def _candidates(new: _Text, old: _Old) -> list[_Span]:
    text = new.text
    if old.cls == "text":
        spans, pos = [], 0
        while (pos := text.find(old.written, pos)) >= 0:
            spans.append(_Span(pos, pos + len(old.written), "text", None))
            pos += 1
        return spans
    out = []
    for m in new.figures:
        cls = _CLASS.get(m.kind, "other")
        if cls != old.cls and {cls, old.cls} != {"count", "zero"}:
            continue
        start, end = _widened(text, m.start, _written_span(text, m), old.prefix, old.suffix)
        out.append(_Span(start, end, cls, m))
    return out


@dataclass(frozen=True)
class _Pair:
    score: float
    old: _Old
    span: _Span
    quote: tuple[int, int]


def _score(new: _Text, old: _Old, span: _Span) -> _Pair:
    s0, s1 = new.sentence(span.start)
    slack_left = max(6, len(old.left) // 2)
    slack_right = max(6, len(old.right) // 2)
    # Windows in the masked text, where every number is one character, as in last year's context.
    at, end = new.index[span.start], new.index[span.end]
    a = max(new.index[s0], at - len(old.left) - slack_left)
    b = min(new.index[s1], end + len(old.right) + slack_right)
    got_l, total_l, reach_l = _side(old.left, new.masked[a:at], from_end=True)
    got_r, total_r, reach_r = _side(old.right, new.masked[end:b], from_end=False)
    total = total_l + total_r
    if total:
        score = (got_l + got_r) / total
    else:  # the quote is the figure alone: only the same written form is a (weak) continuation
        score = 0.55 if new.text[span.start : span.end] == old.written else 0.0
    if span.mention is not None:
        if span.cls != old.cls:
            score -= 0.1
        elif old.cls == "count" and span.mention.unit != old.unit:
            score -= 0.15
    # The masked reach back to the text's offsets: count masked characters as the mentions they stand for.
    q0 = _unmask_left(new, span.start, reach_l)
    q1 = _unmask_right(new, span.end, reach_r)
    return _Pair(round(score, 4), old, span, (q0, q1))


def _unmask_left(new: _Text, end: int, reach: int) -> int:
    target = new.index[end] - reach
    pos = end
    while pos > 0 and new.index[pos] > target:
        pos -= 1
    m = new.mention_at(pos)
    return m.start if m is not None and m.start < pos else pos


def _unmask_right(new: _Text, start: int, reach: int) -> int:
    target = new.index[start] + reach
    pos = start
    while pos < len(new.text) and new.index[pos] < target:
        pos += 1
    m = new.mention_at(pos - 1) if pos > start else None
    if m is not None and m.end > pos:
        return _written_span(new.text, m)
    return pos


_PAIRS = {"(": ")", "（": "）", "“": "”", "「": "」", "《": "》"}


def _trimmed(text: str, a: int, b: int, keep: tuple[int, int]) -> tuple[int, int]:
    """[a, b) without separators at its ends, nor a bracket or quotation mark whose partner it lacks."""
    while True:
        was = (a, b)
        while a < keep[0] and text[a] in _TRIM:
            a += 1
        while b > keep[1] and text[b - 1] in _TRIM:
            b -= 1
        part = text[a:b]
        for opening, closing in _PAIRS.items():
            if b > keep[1] and text[b - 1] == closing and part.count(closing) > part.count(opening):
                b -= 1
            if a < keep[0] and text[a] == opening and part.count(opening) > part.count(closing):
                a += 1
        if (a, b) == was:
            return a, b


def _quote(new: _Text, a: int, b: int, written: tuple[int, int]) -> tuple[str, bool]:
    """A quote holding the written span that `load_register` reads back to the same place: the first
    occurrence of the quote is this one, and the first occurrence of the written form inside it is the
    figure. Returns (quote, unique); starts from [a, b) and widens to the right, then to the left,
    within the sentence."""
    text = new.text
    s0, s1 = new.sentence(written[0])
    a, b = _trimmed(text, max(a, s0), min(b, s1), written)
    form = text[written[0] : written[1]]
    # An earlier copy of the written form inside the quote (5件 before 15件…): start after it.
    while (hit := text.find(form, a, b)) != written[0] and 0 <= hit < written[0]:
        a = hit + 1
        m = new.mention_at(a)
        if m is not None and m.start < a:
            a = min(_written_span(text, m), written[0])
        a, b = _trimmed(text, a, b, written)
    while text.find(text[a:b]) != a and b < s1:
        b += 1
        m = new.mention_at(b - 1)
        if m is not None and m.end > b:
            b = _written_span(text, m)
    while text.find(text[a:b]) != a and a > s0:
        a -= 1
        if text.find(form, a, b) != written[0]:
            a += 1
            break
    return text[a:b], text.find(text[a:b]) == a and text.find(form, a, b) == written[0]


# ------------------------------------------------------------------------------------------ drafting


def draft_register(
    text: str,
    previous: Mapping[str, Any] | None,
    year: int,
    unit: str,
    *,
    report: str = "",
    previous_name: str = "",
) -> Draft:
    """Draft the register of `year` from its report text and the previous register's data (as
    `yaml.safe_load` reads claims/<year-1>.yaml; None or {} for a unit without one)."""
    previous = previous or {}
    figures = previous.get("figures") or []
    figures = figures if isinstance(figures, list) else []
    new = _Text(text)
    prev_year = previous.get("year")

    def shift(words: str) -> str:
        """Last year's words with its year moved on (2025年 → 2026年)."""
        return words.replace(str(prev_year), str(year)) if isinstance(prev_year, int) else words

    olds, broken = _old_entries(figures)
    notes: list[str] = []
    for index in broken:
        raw = figures[index]
        name = raw.get("id", f"第{index + 1}条") if isinstance(raw, Mapping) else f"第{index + 1}条"
        notes.append(f"上年条目 {name} 没有可比的引文和写法 (quote/written)，列为 dropped")

    # Every (previous entry, new figure) pair worth considering, best first; ties by register order,
    # then by position in the new text.
    pairs = [
        pair for old in olds for span in _candidates(new, old) if (pair := _score(new, old, span)).score >= MATCH_MIN
    ]
    pairs.sort(key=lambda p: (-p.score, p.old.index, p.span.start))
    taken: set[int] = set()  # starts of new written spans already used
    done: dict[int, tuple[_Pair, list[_Span], dict[str, _Span | None]]] = {}
    for pair in pairs:
        if pair.old.index in done or pair.span.start in taken:
            continue
        taken.add(pair.span.start)
        followers = _split_followers(new, pair, taken)
        covers = _also_covers(new, pair, taken)
        done[pair.old.index] = (pair, followers, covers)

    matched: list[MatchedEntry] = []
    matched_ids = set()
    for index, (pair, followers, covers) in done.items():
        old = pair.old
        members = [old.index, *old.followers]
        spans = [pair.span, *followers] if followers else [pair.span] * len(members)
        last = max(s.end for s in spans)
        for member, span in zip(members, spans, strict=True):
            raw = figures[member]
            matched_ids.add(str(raw.get("id", "")))
            matched.append(_matched(new, pair, raw, span, last, covers if member == index else {}, shift))
    dropped = [
        DroppedEntry(
            str(raw.get("id", "")),
            str(raw.get("name", "")),
            str(raw.get("quote", "")),
            str(raw.get("written", "")),
            raw,
        )
        for index, raw in enumerate(figures)
        if isinstance(raw, Mapping) and str(raw.get("id", "")) not in matched_ids
    ]
    dropped_ids = {d.id for d in dropped}
    matched = [_check_references(m, dropped_ids) for m in matched]

    # Non-statistics and commitments: carried where their text still occurs.
    not_statistics = _carried_texts(text, previous.get("not_statistics"), prev_year, year)
    commitments = _carried_texts(text, previous.get("commitments"), prev_year, year)
    covered = _covered(text, not_statistics, commitments)

    # Figures that continue nothing: TODO, in text order.
    used_ids = {m.id for m in matched}
    todo: list[TodoEntry] = []
    accounted = set(taken)
    for m in new.figures:
        end = _written_span(text, m)
        if (
            m.start in accounted
            or _inside(covered, m.start, end)
            or any(s.start <= m.start < s.end for s in _matched_spans(new, matched))
        ):
            continue
        number = len(todo) + 1
        while f"todo_{number:02d}" in used_ids:
            number += 1
        todo.append(_todo(new, m, f"todo_{number:02d}"))
        used_ids.add(todo[-1].id)

    # Plans of the 下一步 part, and every other number still unaccounted for.
    spans = _accounted(new, matched, todo, not_statistics, commitments)
    commitments.extend(_new_commitments(new, spans, commitments))
    spans = _accounted(new, matched, todo, not_statistics, commitments)
    not_statistics.extend(_new_not_statistics(new, spans))

    relations = []
    for item in previous.get("relations") or []:
        if isinstance(item, Mapping) and item.get("left") in matched_ids and item.get("right") in matched_ids:
            relations.append(dict(item))
        elif isinstance(item, Mapping):
            notes.append(f"关系 {item.get('left')} {item.get('op')} {item.get('right')} 的数字已删去，未沿用")

    matched.sort(key=lambda m: (m.start, _order(figures, m.id)))
    return Draft(
        unit=unit or str(previous.get("unit") or ""),
        year=year,
        report=report or f"data/raw/{year}/report.txt",
        previous=previous_name,
        matched=tuple(matched),
        todo=tuple(todo),
        dropped=tuple(dropped),
        not_statistics=tuple(not_statistics),
        commitments=tuple(commitments),
        relations=tuple(relations),
        notes=tuple(notes),
    )


def _order(figures: Sequence[Any], figure_id: str) -> int:
    for i, raw in enumerate(figures):
        if isinstance(raw, Mapping) and str(raw.get("id", "")) == figure_id:
            return i
    return len(figures)


def _split_followers(new: _Text, pair: _Pair, taken: set[int]) -> list[_Span]:
    """For entries that shared one figure last year (参考率、合格率持续保持100%): the figures that
    follow it in the new text, one per follower, when the text now gives each its own (分别为98%、100%)."""
    followers = pair.old.followers
    if not followers or pair.span.mention is None:
        return []
    text = new.text
    _, s1 = new.sentence(pair.span.start)
    found: list[_Span] = []
    end = pair.span.end
    for m in new.figures:
        if len(found) == len(followers):
            break
        if m.start < end:
            continue
        if m.start >= s1 or not set(text[end : m.start]) <= _SEPARATORS or m.start in taken:
            break
        if _CLASS.get(m.kind) != pair.span.cls:
            break
        found.append(_Span(m.start, _written_span(text, m), pair.span.cls, m))
        end = found[-1].end
    if len(found) != len(followers):
        return []
    taken.update(s.start for s in found)
    return found


def _also_covers(new: _Text, pair: _Pair, taken: set[int]) -> dict[str, _Span | None]:
    """Last year's also_covers mentions found again in the new quote (the “零” of 连续4年…“零”发生)."""
    items = pair.old.entry.get("also_covers") or []
    out: dict[str, _Span | None] = {}
    text = new.text
    q0, q1 = pair.quote
    for item in items if isinstance(items, list) else []:
        item = str(item)
        cls, _, prefix, suffix = _affixes(item)
        hit = None
        for m in new.figures:
            if not q0 <= m.start < q1 or m.start in taken or m.start == pair.span.start:
                continue
            if _CLASS.get(m.kind) != cls:
                continue
            start, end = _widened(text, m.start, _written_span(text, m), prefix, suffix)
            hit = _Span(start, end, cls, m)
            break
        if hit is not None:
            taken.add(hit.mention.start if hit.mention else hit.start)
        out[item] = hit
    return out


def _matched(
    new: _Text,
    pair: _Pair,
    raw: Mapping[str, Any],
    span: _Span,
    last: int,
    covers: dict[str, _Span | None],
    shift: Callable[[str], str],
) -> MatchedEntry:
    text = new.text
    q0, q1 = pair.quote
    q0, q1 = min(q0, span.start), max(q1, span.end, last)
    for hit in covers.values():
        if hit is not None:
            q0, q1 = min(q0, hit.start), max(q1, hit.end)
    quote, unique = _quote(new, q0, q1, (span.start, span.end))
    written = text[span.start : span.end]
    review: list[str] = []
    if pair.score < SURE:
        review.append(f"措辞改动较大，请核对是否接续上年的这个数字 (low-confidence match, score {pair.score:.2f})")
    if not unique:
        review.append("引文在报告中不唯一，请改写引文 (quote not unique)")
    qualifier = str(raw.get("qualifier") or "")
    try:
        kind = parse_figure(written, qualifier).kind
    except FigureError as error:
        review.append(f"写法无法按规则解读 (wording)：{error}")
    else:
        try:
            old_kind = parse_figure(str(raw.get("written") or ""), qualifier).kind
        except FigureError:
            old_kind = kind
        # 第一 → 第三: a claim of another kind, whose spec or metric may not fit (余, 以上, 约… are all counts)
        if old_kind != kind and not {old_kind, kind} <= COUNT_KINDS:
            review.append(f"写法的类型变了 (form changed: {old_kind} → {kind})：请核对计算规格或指标是否仍适用")
    for group in _QUALIFIER_WORDS.get(qualifier, ()):
        if not any(word in quote for word in group):
            review.append(f"限定语「{qualifier}」在新引文中已不成立：请核对 qualifier 与计算规格")
            break
    # Other numbers of the quote that set what is counted (近两年 → 近三年, 2025年 → 2026年 is expected).
    q0 = text.find(quote)
    before = [shift(m.text) for m in find_mentions(pair.old.quote) if m.role not in ("figure", "commitment")]
    after = [m.text for m in new.mentions if q0 <= m.start < q0 + len(quote) and m.role not in ("figure", "commitment")]
    if before != after:
        review.append(
            f"引文中的其他数字有变：{'、'.join(before) or '无'} → {'、'.join(after) or '无'}；请核对计算规格的年度或范围 (years, where)"
        )
    # each names its places (天宝社区, 文毕社区); the text may write them short (在天宝、文毕社区).
    each = raw.get("each") or []
    s0, s1 = new.sentence(span.start)
    missing = [str(x) for x in each if isinstance(each, list) and str(x)[:2] not in text[s0:s1]]
    if missing:
        review.append(f"each 中的 {'、'.join(missing)} 在新句中找不到")
    also = []
    for item, hit in covers.items():
        if hit is None:
            review.append(f"also_covers 的 {item!r} 在新引文中找不到")
        else:
            also.append(text[hit.start : hit.end])
    entry: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "id":
            entry["id"] = value
            entry["todo"] = ""  # placeholder, kept only when there is something to review
        elif key == "quote":
            entry["quote"] = quote
        elif key == "written":
            entry["written"] = written
        elif key == "also_covers":
            if also:
                entry["also_covers"] = also
        elif key == "todo":
            continue
        else:
            entry[key] = value
    return MatchedEntry(
        id=str(raw.get("id", "")),
        score=pair.score,
        old_quote=str(raw.get("quote", "")),
        old_written=str(raw.get("written", "")),
        quote=quote,
        written=written,
        start=span.start,
        entry=entry,
        review=tuple(review),
    )


def _check_references(m: MatchedEntry, dropped: set[str]) -> MatchedEntry:
    """A matched entry referring to a dropped one (ratio of, numerator_figure…) cannot stand as it is."""
    refs = [str(m.entry.get(k)) for k in ("numerator_figure", "denominator_figure") if m.entry.get(k)]
    refs += _spec_refs(m.entry.get("compute"))
    gone = [r for r in refs if r in dropped]
    if not gone:
        return m
    reason = f"引用的数字 {'、'.join(gone)} 本年已删去 (refers to a dropped figure)"
    return MatchedEntry(
        m.id, m.score, m.old_quote, m.old_written, m.quote, m.written, m.start, m.entry, (*m.review, reason)
    )


def _spec_refs(spec: Any) -> list[str]:
    if not isinstance(spec, Mapping):
        return []
    out = []
    for key in ("ratio", "difference"):
        inner = spec.get(key)
        if isinstance(inner, Mapping):
            out += [str(inner[k]) for k in ("of", "to") if isinstance(inner.get(k), str)]
    return out


def _matched_spans(new: _Text, matched: list[MatchedEntry]) -> list[_Span]:
    return [_Span(m.start, m.start + len(m.written), "", None) for m in matched]


def _carried_texts(text: str, items: Any, prev_year: Any, year: int) -> list[dict[str, Any]]:
    """Items whose text still occurs, or occurs with last year's year moved on (2025年,共受理 → 2026年,共受理)."""
    out = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping) or not isinstance(item.get("text"), str) or not item["text"]:
            continue
        item = dict(item)
        if item["text"] not in text and isinstance(prev_year, int) and str(prev_year) in item["text"]:
            shifted = {k: v.replace(str(prev_year), str(year)) if isinstance(v, str) else v for k, v in item.items()}
            if shifted["text"] in text:
                item = shifted
        if item["text"] in text:
            item.pop("todo", None)
            out.append(item)
    return out


def _covered(text: str, *lists: list[dict[str, Any]]) -> list[tuple[int, int]]:
    spans = []
    for items in lists:
        for item in items:
            pos = 0
            while (pos := text.find(item["text"], pos)) >= 0:
                spans.append((pos, pos + len(item["text"])))
                pos += 1
    return sorted(spans)


def _inside(spans: list[tuple[int, int]], a: int, b: int) -> bool:
    return any(s <= a and b <= e for s, e in spans)


def _reading(m: Mention) -> str:
    parts = [f"角色 {m.role}", f"形式 {_KIND_ZH.get(m.kind, m.kind)}"]
    if m.unit:
        parts.append(f"单位 {m.unit}")
    if m.low is not None or m.high is not None:
        low = "−∞" if m.low is None else _num(m.low)
        high = "+∞" if m.high is None else _num(m.high)
        parts.append(f"区间 {'[' if m.low_closed else '('}{low}, {high}{']' if m.high_closed else ')'}")
    if m.wording:
        parts.append(f"措辞 {'、'.join(dict.fromkeys(m.wording))}")
    if m.period:
        parts.append(f"统计期 {m.period}")
    return "；".join(parts)


def _num(value: Any) -> str:
    text = format(value.normalize(), "f")
    return text


def _todo(new: _Text, m: Mention, todo_id: str) -> TodoEntry:
    text = new.text
    end = _written_span(text, m)
    a, b = new.clause(m.start)
    if b - a > 50:  # a long list: the item of the 、-list holding the figure
        a = max(a, text.rfind("、", a, m.start) + 1)
        stop = text.find("、", end, b)
        b = stop if stop >= 0 else b
    quote, _ = _quote(new, a, b, (m.start, end))
    written = text[m.start : end]
    try:
        figure = parse_figure(written)
        form = f"按写法规则读作 {figure.kind.value}：{figure.describe_zh()}"
    except FigureError as error:
        form = f"写法规则读不了 (wording)：{error}；可能需要 qualifier 或 Python 指标 (metric)"
    return TodoEntry(todo_id, quote, written, m.start, _reading(m), form)


def _accounted(
    new: _Text,
    matched: list[MatchedEntry],
    todo: list[TodoEntry],
    not_statistics: list[dict[str, Any]],
    commitments: list[dict[str, Any]],
) -> list[tuple[int, int]]:
    """Spans of the text the draft accounts for, as load_register will see them."""
    text = new.text
    spans = []
    for quote, writtens in [(m.quote, [m.written, *(m.entry.get("also_covers") or [])]) for m in matched] + [
        (t.quote, [t.written]) for t in todo
    ]:
        q0 = text.find(quote)
        for w in writtens:
            pos = text.find(w, q0, q0 + len(quote))
            if pos >= 0:
                spans.append((pos, pos + len(w)))
    return sorted(spans + _covered(text, not_statistics, commitments))


def _new_commitments(new: _Text, spans: list[tuple[int, int]], carried: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One item per clause holding plan numbers no carried commitment covers."""
    text = new.text
    ids = {str(c.get("id", "")) for c in carried}
    out: list[dict[str, Any]] = []
    seen: set[tuple[int, int]] = set()
    for m in new.mentions:
        if m.role != "commitment" or _inside(spans, m.start, m.end):
            continue
        a, b = _trimmed(text, *new.clause(m.start), (m.start, m.end))
        if (a, b) in seen:
            continue
        seen.add((a, b))
        number = len(out) + 1
        while f"commitment_{number:02d}" in ids:
            number += 1
        ids.add(f"commitment_{number:02d}")
        out.append(
            {
                "id": f"commitment_{number:02d}",
                "todo": "新的下一步打算，请填写 id 和 check_next_year（明年如何核对）后删除本行",
                "text": text[a:b],
                "check_next_year": "",
            }
        )
    return out


def _new_not_statistics(new: _Text, spans: list[tuple[int, int]]) -> list[dict[str, str]]:
    """Numbers the scanner reports that nothing accounts for and that are not figures: listed with the
    role the text layer gives them, with a few following characters so that the text stays specific."""
    text = new.text
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for n in scan_numbers(text):
        if _inside(spans, n.start, n.end):
            continue
        m = new.mention_at(n.start)
        a, b = (m.start, m.end) if m is not None else (n.start, n.end)
        role = m.role if m is not None else "name"
        _, c1 = new.clause(a)
        stop = b
        # A bare numeral (110, 三) would account for the same numeral anywhere: keep a few words after it.
        bare = all(c.isdigit() or c in CN_NUMERAL_CHARS for c in text[a:b])
        while bare and stop < min(c1, b + 3) and "\u4e00" <= text[stop] <= "\u9fff" and new.mention_at(stop) is None:
            stop += 1
        item = text[a:stop]
        if item in seen:
            continue
        seen.add(item)
        spans = sorted([*spans, (a, stop)])
        out.append({"text": item, "reason": _ROLE_ZH.get(role, role) + AUTO_MARK})
    return out


# ------------------------------------------------------------------------------------------ rendering


def _yaml_pair(key: str, value: Any, indent: int) -> str:
    # Block style for the entry's own keys, flow style for the innermost mappings and lists of a spec
    # (where: {column: value}), as the registers are written by hand.
    flow = None if isinstance(value, (dict, list)) else False
    dumped = yaml.safe_dump(
        {key: value}, allow_unicode=True, sort_keys=False, default_flow_style=flow, width=100_000
    ).rstrip("\n")
    pad = " " * indent
    return "\n".join(pad + line for line in dumped.split("\n")) + "\n"


def _flow(item: Mapping[str, Any]) -> str:
    return yaml.safe_dump(
        dict(item), allow_unicode=True, sort_keys=False, default_flow_style=True, width=100_000
    ).rstrip("\n")


def _comment(text: str, indent: int) -> str:
    return "".join(" " * indent + "# " + line + "\n" for line in text.split("\n"))


def _entry_lines(entry: Mapping[str, Any], indent: int = 4) -> str:
    out = []
    first = True
    for key, value in entry.items():
        line = _yaml_pair(key, value, indent)
        if first:
            line = " " * (indent - 2) + "- " + line[indent:]
            first = False
        out.append(line)
    return "".join(out)


def render_draft(draft: Draft) -> str:
    """The draft as YAML text: comments for the analyst, data the register schema reads."""
    out: list[str] = []
    source = draft.previous or "无 (none)"
    out.append(
        _comment(
            f"{draft.year} 年数字登记册草稿 (draft register)，由 lawreport register draft 生成：\n"
            f"报告原文 {draft.report}；上年登记册 {source}。\n"
            f"接续上年 (matched) {len(draft.matched)} 个，其中需复核 {len(draft.needs_review)} 个；"
            f"新数字待审核 (TODO) {len(draft.todo)} 个；上年有、本年未见 (dropped) {len(draft.dropped)} 个。\n"
            "带 todo 的条目须由分析人员审核：填好计算规格后删除 todo 行，登记册检查才会通过。",
            0,
        )
    )
    for note in draft.notes:
        out.append(_comment(f"注意：{note}", 0))
    out.append(_yaml_pair("unit", draft.unit, 0))
    out.append(_yaml_pair("year", draft.year, 0))
    out.append(_yaml_pair("report", draft.report, 0))
    out.append("\nfigures:\n")
    items: list[tuple[int, int, str]] = []
    for order, m in enumerate(draft.matched):
        head = f"接续上年 (matched)，相似度 {m.score:.2f}：上年「{m.old_quote}」{m.old_written} → 本年 {m.written}"
        entry = dict(m.entry)
        if m.review:
            entry["todo"] = "；".join(m.review)
        else:
            entry.pop("todo", None)
        items.append((m.start, order, _comment(head, 2) + _entry_lines(entry)))
    for t in draft.todo:
        head = (
            f"新数字，待审核 (TODO)：{t.reading}\n{t.form}\n"
            f"请填写 {TODO_KEYS}；把 id 改成有意义的编号；审核后删除 todo 行"
        )
        entry = {
            "id": t.id,
            "todo": "新数字，待审核 (not reviewed)",
            "name": "",
            "quote": t.quote,
            "written": t.written,
        }
        body = _entry_lines(entry) + _comment(
            "compute: {count: {table: …, where: {…}}}   # 或 metric: 函数名 + definition: 口径", 4
        )
        items.append((t.start, len(draft.matched) + len(items), _comment(head, 2) + body))
    for _, _, text in sorted(items, key=lambda x: (x[0], x[1])):
        out.append(text)
    if not items:
        out[-1] = "\nfigures: []\n"
    if draft.relations:
        out.append("\nrelations:\n")
        out.extend(f"  - {_flow(r)}\n" for r in draft.relations)
    out.append("\nnot_statistics:\n" if draft.not_statistics else "\nnot_statistics: []\n")
    out.extend(f"  - {_flow(item)}\n" for item in draft.not_statistics)
    if draft.commitments:
        out.append("\n" + _comment("下一步工作打算：明年用台账核对的承诺 (commitments)", 0) + "commitments:\n")
        out.extend(f"  - {_flow(item)}\n" for item in draft.commitments)
    if draft.dropped:
        out.append(
            "\n"
            + _comment(
                "上年登记、本年报告中没有找到接续句子的数字 (dropped)。若其实仍在报告中（匹配遗漏），\n"
                "把整条移回 figures 并改写 quote 与 written；确认删去后可删除本节。",
                0,
            )
            + "dropped:\n"
        )
        for d in draft.dropped:
            out.append(_entry_lines(dict(d.entry)))
    return "".join(out)


# ------------------------------------------------------------------------------------------ command


class DraftError(Exception):
    """A draft that cannot be made: the message says which file and what to do."""


def add_draft_parser(subparsers: Any) -> argparse.ArgumentParser:
    """`register draft`: called by the `register` group of lawreport.cli."""
    parser = subparsers.add_parser(
        "draft",
        help="由本年报告和上年登记册起草本年数字登记册 (draft next year's register)",
        description="读取本年报告原文和上年登记册，写出本年登记册草稿：接续上年的数字沿用计算规格，"
        "新数字列为待审核 (todo)，上年有、本年未见的数字列入 dropped。",
    )
    parser.add_argument("--year", required=True, help="报告年度，如 2026")
    parser.add_argument(
        "--previous",
        default="",
        help="上年登记册 (previous register)，默认 <claims-dir>/<year-1>.yaml；新单位写 none",
    )
    parser.add_argument(
        "--report", default="", help="本年报告原文，默认 <raw-root>/<year>/report.txt (.docx/.html/.pdf)"
    )
    parser.add_argument("--claims-dir", default="claims", help="数字登记册目录 (registers)")
    parser.add_argument("--raw-root", default="data/raw", help="原始台账根目录 (raw ledgers)")
    parser.add_argument("--out", default="", help="写到此文件，默认 <claims-dir>/<year>.yaml")
    parser.add_argument("--force", action="store_true", help="覆盖已有的登记册 (overwrite an existing register)")
    parser.set_defaults(handler=main_draft)
    return parser


def _report_path(args: argparse.Namespace, year: int) -> Path:
    if args.report:
        return Path(args.report)
    folder = Path(args.raw_root) / str(year)
    for suffix in (".txt", ".docx", ".html", ".htm", ".pdf"):
        if (folder / f"report{suffix}").is_file():
            return folder / f"report{suffix}"
    raise DraftError(
        f"找不到 {year} 年的报告原文 (report not found)：{folder}/report.txt（或 .docx/.html/.pdf）；"
        "请放入报告，或用 --report 指定"
    )


def read_previous(path: Path) -> dict[str, Any]:
    """The previous register's data; DraftError when it cannot serve (unreadable, invalid YAML, wrong
    shape, or problems the register schema finds)."""
    from ..metrics import METRICS
    from .claims import FigureEntry
    from .schema import LOADER, check_register_data, figure_field_names

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DraftError(
            f"找不到上年登记册 (previous register not found)：{path}；"
            "请用 --previous 指定，新单位没有上年登记册时写 --previous none"
        ) from None
    except UnicodeDecodeError as error:
        raise DraftError(f"上年登记册不是 UTF-8 文本 (not UTF-8)：{path}：{error.reason}") from None
    except OSError as error:
        raise DraftError(f"无法读取上年登记册 (unreadable)：{path}：{error.strerror}") from None
    try:
        data = yaml.load(text, Loader=LOADER)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" 第{mark.line + 1}行" if mark is not None else ""
        raise DraftError(f"上年登记册 YAML 无法解析 (YAML syntax error)：{path}{line}") from None
    if not isinstance(data, dict) or not isinstance(data.get("figures", []), list):
        raise DraftError(f"上年登记册应为键值结构，figures 为列表 (a mapping with a figures list)：{path}")
    _, problems = check_register_data(path, sorted(METRICS), figure_field_names(FigureEntry))
    if problems:
        listed = "\n".join(f"  {p}" for p in problems[:20])
        more = f"\n  …另有 {len(problems) - 20} 个" if len(problems) > 20 else ""
        raise DraftError(
            f"上年登记册有 {len(problems)} 个问题，请先修正再起草 (previous register invalid)：\n{listed}{more}"
        )
    return data


def _use_unit(raw_root: Path) -> None:
    """The previous register's specs are checked against the tables of the unit under --raw-root, as
    in a run and in register check."""
    from ..ledgers import UnitConfigError, use_unit

    try:
        use_unit(raw_root)
    except UnitConfigError as error:
        raise DraftError(str(error)) from None


def _unit_of(args: argparse.Namespace, year: int, previous: Mapping[str, Any] | None) -> str:
    if previous and previous.get("unit"):
        return str(previous["unit"])
    manifest = Path(args.raw_root) / str(year) / "MANIFEST.yaml"
    try:
        data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return ""
    return str(data.get("unit") or "") if isinstance(data, dict) else ""


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main_draft(args: argparse.Namespace) -> int:
    """Run `register draft`; prints a summary in Chinese; 0 when written, 2 when it cannot be."""
    try:
        return _main_draft(args)
    except DraftError as error:
        print(f"错误 (error)：{error}", file=sys.stderr)
        return 2


def _main_draft(args: argparse.Namespace) -> int:
    from ..text.documents import DocumentError, read_document

    year_text = str(args.year).strip()
    if not re.fullmatch(r"(?:19|20)\d{2}", year_text):
        raise DraftError(f"参数 --year 应为四位年份，如 2026 (year must be a 4-digit integer)，收到 {args.year!r}")
    year = int(year_text)
    claims_dir = Path(args.claims_dir)
    if not claims_dir.is_dir():
        raise DraftError(f"数字登记册目录不存在 (claims dir not found)：{claims_dir}")
    out = Path(args.out) if args.out else claims_dir / f"{year}.yaml"
    if out.is_dir():
        raise DraftError(f"--out 指向的是文件夹 (a folder)：{out}；请给出文件名，如 {out / f'{year}.yaml'}")
    if out.exists() and not args.force:
        raise DraftError(f"{out} 已存在，不覆盖 (exists)；确需重新起草请加 --force")
    if not out.parent.is_dir():
        raise DraftError(f"输出目录不存在 (folder not found)：{out.parent}")
    raw_root = Path(args.raw_root)
    if not raw_root.is_dir():
        raise DraftError(f"[P301] 台账根目录不存在 (raw root not found)：{raw_root}；请检查 --raw-root")
    report = _report_path(args, year)
    try:
        document = read_document(report)
    except DocumentError as error:
        raise DraftError(f"报告原文无法读取 (report unreadable)：{error}") from None
    if args.previous.strip().lower() == "none":
        previous_path, previous = None, None
    else:
        previous_path = Path(args.previous) if args.previous else claims_dir / f"{year - 1}.yaml"
        _use_unit(raw_root)
        previous = read_previous(previous_path)
    draft = draft_register(
        document.text,
        previous,
        year,
        _unit_of(args, year, previous),
        report=report.as_posix(),
        previous_name=previous_path.as_posix() if previous_path else "",
    )
    _write_atomically(out, render_draft(draft))
    for notice in document.problems:
        print(f"提示 (notice)：{notice}")
    print(summary(draft, out))
    return 0


def summary(draft: Draft, out: Path) -> str:
    lines = [f"已写出 {draft.year} 年数字登记册草稿 (draft written)：{out}"]
    lines.append(f"接续上年 (matched) {len(draft.matched)} 个，其中需复核 {len(draft.needs_review)} 个：")
    for m in draft.matched:
        flag = "  ← 需复核 (todo)" if m.review else ""
        lines.append(f"  {m.id}：{m.old_written} → {m.written}{flag}")
    lines.append(f"新数字待审核 (TODO) {len(draft.todo)} 个：")
    lines.extend(f"  {t.id}：{t.written}「{t.quote}」" for t in draft.todo)
    lines.append(f"上年有、本年未见 (dropped) {len(draft.dropped)} 个：")
    lines.extend(f"  {d.id}：{d.written}「{d.quote}」" for d in draft.dropped)
    auto = sum(1 for item in draft.not_statistics if str(item.get("reason", "")).endswith(AUTO_MARK))
    lines.append(f"非统计数字 (not_statistics)：沿用 {len(draft.not_statistics) - auto} 个，新列 {auto} 个（请核对）")
    new_commitments = sum(1 for c in draft.commitments if "todo" in c)
    lines.append(
        f"下一步承诺 (commitments)：沿用 {len(draft.commitments) - new_commitments} 个，新列 {new_commitments} 个（待审核）"
    )
    for note in draft.notes:
        lines.append(f"注意：{note}")
    lines.append(
        "下一步 (next)：逐条审核带 todo 的条目（填写计算规格，删除 todo 行），核对 dropped 和新列的非统计数字，"
        f"然后运行 make register-check YEAR={draft.year}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """`python -m lawreport.register.draft --year 2026 …` (the same as `lawreport register draft`)."""
    from ..cli import ChineseArgumentParser

    parser = ChineseArgumentParser(prog="lawreport register")
    sub = parser.add_subparsers(dest="register_command", required=True, title="子命令 (commands)")
    add_draft_parser(sub)
    args = parser.parse_args(["draft", *(sys.argv[1:] if argv is None else argv)])
    return main_draft(args)


if __name__ == "__main__":
    raise SystemExit(main())
