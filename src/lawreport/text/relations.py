"""Relations between the figures of a report, judged by interval arithmetic, without ledgers.

A relation names the mentions it uses and gets a verdict: `holds`, `fails` or `unclear`, with the
arithmetic in Chinese. Approximate figures are intervals (see `mentions`): a relation `fails` only
when no values allowed by the wording make it hold. A false `fails` costs a reviewer's trust more
than a missed one, so each rule below says `fails` only on a pattern it can read without doubt, and
`unclear` otherwise.

Kinds: part_whole (共 N，其中 a、b), list_sum (分别为 a、b、c against a total), subset (a part larger
than its whole), rate_counts (a rate with both counts), attainability (a percentage from a stated
base, GRIM, half-up at the written decimals), points_vs_percent (a change of two percentages written
in percent), yoy (a year-on-year change with both values), repeat (the same quantity twice with
different values), share_sum (shares of one total summing past 100%).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .mentions import Mention
from .wording import POSTFIX_WORDS, rate_matches, rate_percent, round_half_up

KINDS = (
    "part_whole",
    "list_sum",
    "rate_counts",
    "attainability",
    "points_vs_percent",
    "yoy",
    "repeat",
    "subset",
    "share_sum",
)
VERDICTS = ("holds", "fails", "unclear")
VERDICT_ZH = {"holds": "成立", "fails": "不成立", "unclear": "无法判断"}

_SENTENCE_END = "。！？!?；;\n"
_WHOLE_WORDS = ("共计", "合计", "总计", "累计", "共", "总数")
_EXHAUSTIVE = ("其他", "其余", "其它")
_UP = ("增长", "上升", "提高", "提升", "增加")
_DOWN = ("下降", "减少", "降低")
# Unit families: a whole in 件 and parts in 件 compare; 件 and 人 do not.
_UNIT_FAMILY = {"件次": "件", "宗": "件", "起": "件", "人次": "人次", "名": "人", "户次": "户次", "家次": "家次"}
# GRIM needs to try every k for bases up to this size; beyond it nearly every rate is attainable.
_MAX_BASE = 100_000


@dataclass(frozen=True)
class Relation:
    kind: str
    verdict: str
    mentions: tuple[int, ...]  # indices into the document's mentions
    explanation: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "verdict": self.verdict,
            "mentions": list(self.mentions),
            "explanation": self.explanation,
        }


def _family(unit: str) -> str:
    return _UNIT_FAMILY.get(unit, unit)


def _fmt(value: Decimal | Fraction | int | None) -> str:
    if value is None:
        return "∞"
    if isinstance(value, Fraction):
        value = round(Decimal(value.numerator) / Decimal(value.denominator), 4)
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return format(value.normalize(), "f")


def _show(m: Mention) -> str:
    if m.exact:
        return f"{m.text}{m.unit if m.unit and m.unit not in m.text else ''}"
    lo = _fmt(m.low) if m.low is not None else "0"
    hi = _fmt(m.high)
    return f"{m.text}{m.unit if m.unit and m.unit not in m.text else ''}(即 {lo}~{hi})"


# A sentence longer than this (a text with no sentence ends: an export's cells run together) is cut
# at its last comma before each such length (else at a list's mark or a space): the rules compare the
# figures of a sentence pairwise.
_LONGEST_SENTENCE = 3000


def _bounded(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for start, end in spans:
        while end - start > _LONGEST_SENTENCE:
            cut = max(text.rfind(c, start + 1, start + _LONGEST_SENTENCE) for c in "，,")
            if cut <= start:  # no comma: a list's mark, a space, else anywhere
                cut = max(text.rfind(c, start + 1, start + _LONGEST_SENTENCE) for c in "、 ")
            cut = cut + 1 if cut > start else start + _LONGEST_SENTENCE
            out.append((start, cut))
            start = cut
        out.append((start, end))
    return out


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for i, c in enumerate(text):
        if c in _SENTENCE_END:
            spans.append((start, i + 1))
            start = i + 1
    if start < len(text):
        spans.append((start, len(text)))
    return _bounded(text, spans)


def _part_units(text: str) -> list[tuple[int, int]]:
    """Sentences ended by 。！？ or a line break only; one that opens with 其中 joins the one before."""
    units: list[tuple[int, int]] = []
    start = 0
    for i, c in enumerate(text):
        if c in "。！？!?\n":
            units.append((start, i + 1))
            start = i + 1
    if start < len(text):
        units.append((start, len(text)))
    merged: list[tuple[int, int]] = []
    for a, b in units:
        if (
            merged
            and text[a:b].lstrip().startswith(("其中", "包括", "其他", "其余"))
            and text[merged[-1][0] : merged[-1][1]].strip()
        ):
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return _bounded(text, merged)


class _Brackets:
    """The brackets open at a point of the text among those opened after `start`, read forward once
    (`at`, called with rising positions). A closing bracket with none open is ignored: 一) 二)
    enumerators, a stray one from a PDF."""

    def __init__(self, text: str, start: int) -> None:
        self.text, self.position, self.depth = text, start, 0

    def at(self, end: int) -> int:
        for c in self.text[self.position : end]:
            if c in "(（":
                self.depth += 1
            elif c in ")）" and self.depth:
                self.depth -= 1
        self.position = max(self.position, end)
        return self.depth


def _counts(mentions: list[Mention], indices: list[int]) -> list[int]:
    """Figures that are counts or amounts (not rates, ranks or ranges)."""
    return [
        i
        for i in indices
        if mentions[i].role == "figure"
        and mentions[i].kind in ("number", "above_approx", "about", "at_least", "more_than")
        and mentions[i].low is not None
    ]


def _sum_interval(parts: list[Mention]) -> tuple[Decimal, Decimal | None]:
    low = sum((p.low or Decimal(0) for p in parts), Decimal(0))
    highs = [p.high for p in parts]
    high = None if any(h is None for h in highs) else sum((h for h in highs if h is not None), Decimal(0))
    return low, high


def _exceeds(low: Decimal, low_strict: bool, whole: Mention) -> bool:
    """Is every value ≥ low (or > low) above every value the whole allows?"""
    if whole.high is None:
        return False
    return low > whole.high or (low == whole.high and (low_strict or not whole.high_closed))


def _percent_text(k: Fraction, decimals: int) -> Decimal:
    return rate_percent(k, 1, decimals)


# ------------------------------------------------------------------ part and whole


_PART_WORDS = {"其中", "包括", "分别为", "分别是", "分别"}
# 其中来信、来访分别为50件、40件: a list of some of the whole's parts, not all of them.
_SUBSET_WORDS = ("其中", "包括")


def _subset(words: str) -> bool:
    return any(w in words for w in _SUBSET_WORDS)


def _respectively(m: Mention) -> bool:
    """分别为 60%、70%: each value is of its own thing, named before."""
    return any(w.startswith("分别") for w in m.wording)


# A count after a comma that states how far something got (已办结1121件, 审结42件, 成功化解145件) is a
# fact about the parts, not one of them.
_STAGE = re.compile(r"^(?:已|均|全部|累计|共)|办结|审结|结案|化解|办理|答复|回复|完成|成功|解决|整改|落实|处理")
_NEGATED = re.compile(r"^(?:未|不|没|无|非(?!常))")


def _list_end(text: str, mentions: list[Mention], parts: list[int], bracketed: bool) -> list[int]:
    """Where a list of parts ends. In brackets, where they close. Else a list joined by 、 ends at the
    first comma (40件、60件、30件，成功化解145件), unless what follows is its last class (其他/其余); and in
    a list joined by commas, a count that states how far something got is not a part (其中直接答复430件，
    受理转办1133件，已办结1121件: 1121 is within 1133). 未办结 is a part (a class, not a stage)."""
    if bracketed:
        return parts
    kept = parts[:1]
    for previous, i in zip(parts, parts[1:], strict=False):
        m = mentions[i]
        joint = text[mentions[previous].end : m.start]
        label = _label(text, m.start)
        last_class = label.startswith(_EXHAUSTIVE)
        if re.search(r"[，,]", joint) and not last_class:
            if "、" in text[mentions[parts[0]].start : mentions[previous].start]:
                break  # a list joined by 、 ends at its comma
            if _STAGE.search(label) and not _NEGATED.match(label):
                break
        kept.append(i)
    return kept


def _is_whole(text: str, mentions: list[Mention], i: int) -> bool:
    """共/合计 N, or N 件中 (151件中，…): a figure stated as a total. The word must stand in the figure's
    clause after any figure before it: in 共45件（其中成功40件、未成功5件）, 45 is a total and 40 and 5
    are not; in 共办结2023年度申请（含上年结转）120件, 120 is (a year, a name, a bracket do not end it)."""
    m = mentions[i]
    floor = next((mentions[j].end for j in range(i - 1, -1, -1) if mentions[j].role == "figure"), 0)
    left = text[max(floor, m.start - 24) : m.start]
    left = re.split(r"[，,。；;\n]", left)[-1]
    if any(word in left for word in _WHOLE_WORDS):
        return True
    after = text[m.end : m.end + len(m.unit) + 2] if m.unit and m.unit not in m.text else text[m.end : m.end + 2]
    return after.removeprefix(m.unit).startswith("中")


def _part_whole(text: str, mentions: list[Mention], sentence: list[int]) -> list[Relation]:
    """共 N 件，其中 a 件、b 件 (and 分别为 lists): parts against their nearest whole, same unit family."""
    relations = []
    counts = _counts(mentions, sentence)

    def opens_list(position: int) -> bool:
        """其中/包括/分别 stands between this count and the one before it."""
        before = mentions[counts[position - 1]].end if position else mentions[counts[0]].start
        return any(word in text[before : mentions[counts[position]].start] for word in _PART_WORDS)

    whole_at = {i: _is_whole(text, mentions, i) for i in counts}
    latest: dict[str, int] = {}  # unit family -> the nearest total so far
    for position, first in enumerate(counts):
        if position and whole_at[counts[position - 1]]:
            latest[_family(mentions[counts[position - 1]].unit)] = counts[position - 1]
        if not position or not opens_list(position):
            continue
        family = _family(mentions[first].unit)
        if family not in latest or not mentions[first].unit:
            continue
        w = latest[family]  # the nearest total before the parts
        whole = mentions[w]
        parts = []
        # Brackets opened after the whole: a list may stand in brackets (45件（其中成功40件、未成功5件）)
        # and ends where they close; a figure in brackets within the list is a detail of a part
        # (处罚60件(重大处罚8件)), not a part.
        brackets = _Brackets(text, whole.end)
        level = brackets.at(mentions[first].start)
        for offset, i in enumerate(counts[position:]):
            m = mentions[i]
            if parts and (whole_at[i] or opens_list(position + offset)):
                break  # a new total, or a new 其中 list, starts
            depth = brackets.at(m.start)
            if depth < level:
                break
            if _family(m.unit) == family and m.unit and depth == level:
                parts.append(i)
        if not parts:
            continue
        opening = text[mentions[counts[position - 1]].end : mentions[parts[0]].start]
        if "分别" in opening and not _subset(opening) and counts.index(w) < position - 1:
            continue  # 共受理复议45件、诉讼20件，分别办结42件、18件: 分别 pairs with the counts before it
        parts = _list_end(text, mentions, parts, level > 0)
        # Complete only when this list itself says so (分别 without 其中, or a last class 其他/其余).
        listed = text[mentions[parts[0]].start : mentions[parts[-1]].end]
        exhaustive = ("分别" in opening and not _subset(opening)) or any(x in listed for x in _EXHAUSTIVE)
        if len(parts) == 1 and not exhaustive:
            part = mentions[parts[0]]
            if part.low is not None and _exceeds(part.low, not part.low_closed, whole):
                relations.append(
                    Relation(
                        "subset",
                        "fails",
                        (w, parts[0]),
                        f"其中 {_show(part)} 大于总数 {_show(whole)}：部分不可能多于整体",
                    )
                )
            continue
        relations.extend(_judge_parts(whole, w, [mentions[i] for i in parts], parts, exhaustive, "part_whole"))
    return relations


def _judge_parts(whole: Mention, w: int, parts: list[Mention], indices: list[int], exhaustive: bool,
                 kind: str) -> list[Relation]:  # fmt: skip
    low, high = _sum_interval(parts)
    strict = any(not p.low_closed for p in parts)
    shown = " + ".join(_show(p) for p in parts)
    ids = (w, *indices)
    out = []
    # A single part larger than its whole is a subset error of its own.
    for p, i in zip(parts, indices, strict=True):
        if p.low is not None and _exceeds(p.low, not p.low_closed, whole) and len(parts) > 1:
            out.append(
                Relation(
                    "subset", "fails", (w, i), f"其中一项 {_show(p)} 已大于总数 {_show(whole)}：部分不可能多于整体"
                )
            )
    if _exceeds(low, strict, whole):
        out.append(
            Relation(
                kind, "fails", ids, f"{shown} 至少为 {_fmt(low)}，已超过总数 {_show(whole)}：各部分之和不可能多于整体"
            )
        )
        return out
    if not exhaustive:
        if whole.exact and high is not None and low == high == whole.low:
            out.append(Relation(kind, "holds", ids, f"{shown} = {_fmt(low)}，等于总数 {_show(whole)}"))
        else:
            out.append(
                Relation(kind, "unclear", ids, f"{shown} 不超过总数 {_show(whole)}；未说明是否列全，少于总数不能判错")
            )
        return out
    # Exhaustive (分别 / 其他): the sum must reach the whole.
    whole_low = whole.low if whole.low is not None else Decimal(0)
    if high is not None and (high < whole_low or (high == whole_low and not whole.low_closed)):
        out.append(
            Relation(
                kind,
                "fails",
                ids,
                f"{shown} 至多为 {_fmt(high)}，达不到总数 {_show(whole)}：分项已列全，合计应等于总数",
            )
        )
    else:
        out.append(Relation(kind, "holds", ids, f"{shown} 合计 {_fmt(low)}~{_fmt(high)}，与总数 {_show(whole)} 相容"))
    return out


def _list_sum(text: str, mentions: list[Mention], sentence: list[int], start: int, end: int) -> list[Relation]:
    """A、B、C 分别为 a、b、c: the listed values against a total stated just before in the sentence."""
    relations = []
    segment = text[start:end]
    for m in re.finditer(r"分别(?:为|是|达|有)?", segment):
        at = start + m.end()
        after = [i for i in _counts(mentions, sentence) if mentions[i].start >= at]
        before = [i for i in _counts(mentions, sentence) if mentions[i].end <= start + m.start()]
        if len(after) < 2 or not before:
            continue
        unit = _family(mentions[after[0]].unit)
        listed = [i for i in after if _family(mentions[i].unit) == unit]
        wholes = [i for i in before if _family(mentions[i].unit) == unit and _is_whole(text, mentions, i)]
        if not wholes or len(listed) < 2:
            continue
        w = wholes[-1]
        if any(r.mentions[0] == w for r in relations):
            continue
        between = text[mentions[w].end : start + m.start()]
        if any(_family(mentions[i].unit) == unit for i in before if i > w):
            continue  # 分别 pairs with the counts after the total (复议45件、诉讼20件，分别办结42件、18件)
        # A 分别 list after a total splits it completely, unless 其中 makes it some of its parts.
        exhaustive = not _subset(between)
        relations.extend(_judge_parts(mentions[w], w, [mentions[i] for i in listed], listed, exhaustive, "list_sum"))
    return relations


# ------------------------------------------------------------------ rates


def _attainable(rate: Mention, base_low: Decimal, base_high: Decimal | None) -> bool | None:
    """Can some whole k and n in the base interval give a percentage, at the rate's written decimals,
    that its wording allows (exactly p%, or within 95%以上, 约19.2% …)? None: too many to try."""
    if base_high is None or base_high - base_low > 2000 or base_high > _MAX_BASE or rate.decimals is None:
        return None
    if base_low == base_high and base_low != int(base_low):
        return None  # 0.8公里: not a count of cases, any share of it may be
    lowest = rate.low if rate.low is not None else Decimal(0)
    highest = rate.high if rate.high is not None else Decimal(100)
    lo = max(1, int(base_low) if base_low == int(base_low) else int(base_low) + 1)
    for n in range(lo, int(base_high) + 1):
        # k from just below the lowest allowed share of n to just above the highest.
        for k in range(max(0, int(lowest * n / 100) - 1), min(n, int(highest * n / 100) + 2) + 1):
            if _allowed(Fraction(k, n), rate):
                return True
    return False


_LABEL_STRIP = re.compile(r"(?:达到|达|为|是|约|共计|共|累计|合计|总计|超过|不少于|近|逾|有)+$")


def _label(text: str, start: int) -> str:
    """The words naming a figure: the Chinese characters just before it in its clause."""
    left = text[max(0, start - 16) : start]
    left = re.split(r"[，,。；;：:、（）()\s“”]", left)[-1]
    return _LABEL_STRIP.sub("", left)


# Rates of those asked (满意率, 知晓率): their base is who answered, seldom the count stated before them.
_SURVEYED = ("满意", "知晓", "认可", "好评")
_ASKED = re.compile(r"回访|调查|测评|评价|参评|问卷|受访")


def _same_words(label: str, stem: str) -> bool:
    """办结 / 办结率, 成功调处 / 调处成功率: the count's label and the rate's stem share their words."""
    if len(label) < 2 or len(stem) < 2:
        return False
    if _NEGATED.match(label) and not _NEGATED.match(stem):
        return False  # 未办结1件 is not what 办结率 counts (非常满意 is no negation)
    if label == stem or stem.endswith(label) or label.endswith(stem):
        return True
    common = set(label) & set(stem)
    return len(common) >= 2 and len(common) / len(set(label) | set(stem)) >= 0.5


_EARLIER_STATE = re.compile(
    r"(?:由|从)\s*(?:原来|原先|以前|之前|过去|上年|去年|(?:19|20)\d{2}年)?(?:底|末)?(?:的)?\s*$"
)


def _rates(text: str, mentions: list[Mention], sentence: list[int]) -> list[Relation]:
    relations = []
    counts = _counts(mentions, sentence)
    for r in sentence:
        rate = mentions[r]
        if rate.role != "figure" or rate.kind != "percent" or rate.value is None or rate.decimals is None:
            continue
        if rate.negative:
            continue  # -12.5%: a change, not a rate of counts
        if set(rate.wording) & {"同比", "比上年", "较上年", "环比", *_UP, *_DOWN}:
            continue
        if _respectively(rate) and sum(mentions[i].end <= rate.start for i in counts) > 1:
            continue  # 办结42件…办结18件，办结率分别为93.3%、90%: which counts each rate is of is not read
        if _EARLIER_STATE.search(text, max(0, rate.start - 12), rate.start):
            continue  # 覆盖率由原来的37.55%提升到95.65%: a state before, not a rate of the counts here
        if rate.low is None and rate.high is None:
            continue  # 约95%, 95%左右, 低于5%: no bound to check
        before = [i for i in counts if mentions[i].end <= rate.start]
        if not before:
            continue
        # A rate or a share: 率/占/比例 between the last count and the percentage (占受理案件数比例最高，达92.71%).
        lead = text[mentions[before[-1]].end : rate.start]
        is_share = bool({"占", "占比"} & set(rate.wording)) or "占" in lead
        if not (is_share or "率" in lead or "比例" in lead or any(w.endswith("率") for w in rate.wording)):
            continue
        wholes = [i for i in before if _is_whole(text, mentions, i)]
        base = wholes[-1] if wholes else None
        # A longer label names the base: 行政检查506户次 … 行政检查规范率99.7%.
        stem = _label(text, rate.start).removesuffix("率")
        labels = {i: _label(text, mentions[i].start) for i in before}
        named = [i for i in before if len(labels[i]) >= 2 and stem.startswith(labels[i]) and stem != labels[i]]
        if named:
            base = max(named, key=lambda i: len(labels[i]))
        surveyed = any(w in stem for w in _SURVEYED)
        asked = [i for i in before if surveyed and _ASKED.search(labels[i])]
        if asked:
            base = asked[-1]  # 回访60件，满意50件，满意率83.3%: of those asked
        # The numerator is the count just before the rate (办结14件，办结率93.3%; 140件，占…92.71%), never
        # one with another count between them: 非常满意802条，满意163条，合计965条，满意率100% has none.
        last = before[-1]
        # A share's numerator is the count just before it (140件，占…92.71%); a rate's must also be named
        # by it (办结14件，办结率: yes; 超时办理4件，结案率: no), past the counts of what it does not count
        # (办结49件，未办结1件，办结率98%: 49).
        while (
            not is_share
            and _NEGATED.match(labels[last])
            and before.index(last) > 0
            and not _same_words(labels[last], stem)
        ):
            last = before[before.index(last) - 1]
        label = labels[last]
        named_k = is_share or _same_words(label, stem)
        k_candidates = (
            [last]
            if base is not None
            and named_k
            and last != base
            and last > base
            and _family(mentions[last].unit) == _family(mentions[base].unit)
            else []
        )
        p = rate.value
        if base is not None and len(k_candidates) == 1 and mentions[k_candidates[0]].exact and mentions[base].exact:
            k, n = mentions[k_candidates[0]], mentions[base]
            assert k.low is not None and n.low is not None
            if n.low <= 0:
                continue
            share = Fraction(k.low) / Fraction(n.low)  # (exact: 2.7公里 ÷ 3.6公里 is 3/4)
            shown = _percent_text(share, rate.decimals)
            arithmetic = f"{_show(k)} ÷ {_show(n)} ≈ {_fmt(share * 100)}%，保留 {rate.decimals} 位小数为 {shown}%"
            verdict = "holds" if _allowed(share, rate) else "fails"
            other = next(
                (
                    i
                    for i in before
                    if verdict == "fails"
                    and i not in (base, k_candidates[0])
                    and mentions[i].exact
                    and _family(mentions[i].unit) == _family(n.unit)
                    and (mentions[i].low or 0) > 0
                    and _allowed(Fraction(k.low) / Fraction(mentions[i].low or 1), rate)
                ),
                None,
            )
            if other is not None:
                # 共收到来信1563件，其中…转办1133件，已办结1121件，办结率98.94%: 1121 ÷ 1133.
                relations.append(
                    Relation(
                        "rate_counts",
                        "unclear",
                        (k_candidates[0], base, r),
                        f"{arithmetic}；但 {_show(k)} ÷ {_show(mentions[other])} 符合所写的 {_qualified(rate)}，"
                        "分母不能确定",
                    )
                )
                continue
            graded = any(base < i < k_candidates[0] for i in before)  # 非常满意150人，满意40人
            if verdict == "fails" and surveyed and (graded or not asked):
                # 非常满意150人，满意40人，满意率95%: a satisfaction rate often adds up several grades.
                relations.append(
                    Relation(
                        "rate_counts",
                        "unclear",
                        (k_candidates[0], base, r),
                        f"{arithmetic}；满意度一类的比率常合计几档（如非常满意与满意），不能判错",
                    )
                )
                continue
            if rate.exact and verdict == "fails" and shown == rate.value:
                explanation = f"{arithmetic}，但 {rate.text} 只在 {'k = n' if rate.value else 'k = 0'} 时成立"
            elif rate.exact:
                explanation = arithmetic + ("，与所写一致" if verdict == "holds" else f"，不是所写的 {rate.text}")
            else:
                explanation = (
                    arithmetic + ("，符合" if verdict == "holds" else "，不符合") + f"所写的“{_qualified(rate)}”"
                )
            relations.append(Relation("rate_counts", verdict, (k_candidates[0], base, r), explanation))
            continue
        if base is not None and not is_share and mentions[base].low is not None and p not in (Decimal(0), Decimal(100)):
            n = mentions[base]
            assert n.low is not None
            ok = _attainable(rate, n.low, n.high)
            if ok is None:
                continue
            others = [i for i in counts if i != base and mentions[i].exact and mentions[i].low]
            if not ok and not named and any(_attainable(rate, mentions[i].low, mentions[i].high) for i in others):  # type: ignore[arg-type]
                ok = None  # another count of the sentence could be the base: do not accuse
            if ok is False and ((len(stem) >= 2 and stem in labels[base]) or surveyed):
                # 累计化解8件，化解率6.61%: the total is what the rate counts, its base is not stated;
                # 满意率: the base is who answered.
                ok = None
            if (
                ok is not None
                and named
                and base == before[-1]
                and any(i != base and _family(mentions[i].unit) == _family(n.unit) for i in before)
            ):
                # 受理275件，办结273件，办结率98.2%: the count the rate names may be its numerator,
                # an earlier count its base.
                ok = None
            if ok is None:
                relations.append(
                    Relation("attainability", "unclear", (base, r), f"{rate.text} 的分母不能确定是 {_show(n)}")
                )
            elif ok:
                relations.append(
                    Relation(
                        "attainability",
                        "holds",
                        (base, r),
                        f"以 {_show(n)} 为分母，{_qualified(rate)} 可以由整数个案得到",
                    )
                )
            else:
                relations.append(
                    Relation(
                        "attainability",
                        "fails",
                        (base, r),
                        f"以 {_show(n)} 为分母，没有任何整数 k 使 k ÷ n 保留 {rate.decimals} 位小数"
                        + (f"等于 {rate.text}" if rate.exact else f"符合所写的“{_qualified(rate)}”"),
                    )
                )
    return relations


def _within(value: Decimal, m: Mention) -> bool:
    """Does `value` lie in the interval the mention's wording allows?"""
    above = m.low is None or value > m.low or (value == m.low and m.low_closed)
    below = m.high is None or value < m.high or (value == m.high and m.high_closed)
    return above and below


def _allowed(share: Fraction, rate: Mention) -> bool:
    """Is the share k/n what the rate's wording allows? Exact: k/n rounds to it. Bounded (95%以上,
    超过95%, 不足5%, 约19.2%): the exact value or the value rounded at the written decimals lies in
    its interval (953/1000 = 95.3% is 超过95% though it rounds to 95%; 94.6% written 95%以上 is let
    pass: a report rounds before it words)."""
    if rate.exact and rate.value is not None:
        return rate_matches(rate.value, rate.decimals or 0, share, 1)  # (100% only when k = n, 0% when k = 0)
    shown = _percent_text(share, rate.decimals or 0)
    exact = Decimal(share.numerator) * 100 / Decimal(share.denominator)
    return _within(exact, rate) or _within(shown, rate)


def _qualified(m: Mention) -> str:
    """The percentage with the word that bounds it, as written: 95%以上, 超过95%."""
    if m.qualifier in POSTFIX_WORDS:
        return m.text + m.qualifier
    return m.qualifier + m.text


def _share_label(text: str, m: Mention) -> str:
    """男性 of 其中男性占比60%."""
    label = re.sub(r"(?:占比|占|比例|比重)(?:为|达|达到|约)?$", "", _label(text, m.start))
    return re.sub(r"^(?:其中|包括|另有)", "", label)


def _one_whole(labels: list[str]) -> bool:
    """本地户籍 / 外地户籍, 男性 / 女性: shares of classes of one thing (a shared ending, each its own
    start), not of different traits (网上可办 / 全程网办, 专业人员 / 本科学历), which may overlap."""
    if len(labels) < 2 or any(not x for x in labels) or len(set(labels)) < len(labels):
        return False
    common = 0
    while all(len(x) > common for x in labels) and len({x[-common - 1] for x in labels}) == 1:
        common += 1
    return common >= 2 or (common == 1 and all(len(x) <= 3 for x in labels))


def _shares(text: str, mentions: list[Mention], sentence: list[int]) -> list[Relation]:
    shares = [
        i
        for i in sentence
        if mentions[i].role == "figure"
        and mentions[i].kind == "percent"
        and not mentions[i].negative
        and {"占", "占比"} & set(mentions[i].wording)
        and not {"合计", "共", "共计", "总计", "累计"} & set(mentions[i].wording)
        and not re.search(r"二者|两者|三者|合计|共计|总计", _label(text, mentions[i].start))
    ]
    if len(shares) < 2:
        return []
    # Shares of one whole only where the text says they are parts (其中男性占比60%，女性占比45%; 男性、女性分别
    # 占60%、45%), and, with 其中, of classes of one thing: 党员干部占60%，年轻干部占50% may overlap.
    lead = text[max(0, mentions[shares[0]].start - 24) : mentions[shares[0]].start]
    if not _respectively(mentions[shares[0]]) and not (
        "其中" in lead and _one_whole([_share_label(text, mentions[i]) for i in shares])
    ):
        return []
    total = sum((mentions[i].low or Decimal(0) for i in shares), Decimal(0))
    # Each share may have been rounded down by half a unit of its last written place.
    slack = sum((Decimal(5) * Decimal(10) ** -((mentions[i].decimals or 0) + 1) for i in shares), Decimal(0))
    listed = " + ".join(mentions[i].text for i in shares)
    if total - slack > 100:
        return [
            Relation("share_sum", "fails", tuple(shares), f"{listed} = {_fmt(total)}%，同一总体的占比之和超过 100%")
        ]
    return []


# ------------------------------------------------------------------ changes


_FROM_TO = re.compile(
    r"(?:从|由)\s*(?P<a>\d+(?:\.\d+)?)\s*%\s*(?:提高|提升|上升|增长|增加|下降|降低|减少)?(?:到|至)\s*(?P<b>\d+(?:\.\d+)?)\s*%"
)
# 败诉率为5.2%，较2022年的8.4%下降3.2个百分点: this value, then the earlier one it is compared with.
_VERSUS = re.compile(
    r"(?P<b>\d+(?:\.\d+)?)\s*%[，,]?\s*(?:较|比)(?:上年|去年|上一年|(?:19|20)\d{2}年)(?:同期|底|末)?(?:的)?\s*"
    r"(?P<a>\d+(?:\.\d+)?)\s*%"
)


# Between a pair of percentages and their change: only the change's verb (…到95%，提高10个百分点;
# …8.4%下降3.2个百分点), not another quantity's name (…到95%，败诉率下降10个百分点).
_CHANGE_ONLY = re.compile(r"\s*[，,]?\s*(?:共|了|又|分别)?\s*(?:提高|提升|上升|增长|增加|下降|降低|减少)(?:了)?\s*")


def _points(text: str, mentions: list[Mention], sentence: list[int], start: int, end: int) -> list[Relation]:
    """从 A% 提高到 B%，提高 C% (or B%，较上年的 A% 提高 C%): C is the change in percentage points only if
    written 个百分点."""
    relations = []
    by_start = {mentions[i].start: i for i in sentence}
    folded = text[start:end]
    for m in [*_FROM_TO.finditer(folded), *_VERSUS.finditer(folded)]:
        a_i, b_i = by_start.get(start + m.start("a")), by_start.get(start + m.start("b"))
        if a_i is None or b_i is None:
            continue
        a, b = Decimal(m["a"]), Decimal(m["b"])
        after = [
            i for i in sentence if mentions[i].start >= start + m.end() and mentions[i].kind in ("percent", "points")
        ]
        if not after:
            continue
        c_i = after[0]
        c = mentions[c_i]
        if c.value is None or not c.exact or c.negative:
            continue  # (提高5个百分点以上: a bound, not the change; 提高-3.2个百分点: not read)
        if not _CHANGE_ONLY.fullmatch(text, start + m.end(), c.start):
            continue  # the change of another quantity (…提高到95%，败诉率下降10个百分点), or not next to it
        up, down = bool(set(c.wording) & set(_UP)), bool(set(c.wording) & set(_DOWN))
        if up != down and b != a and (b > a) != up:
            said = next(w for w in reversed(c.wording) if w in _UP or w in _DOWN)
            relations.append(
                Relation(
                    "points_vs_percent",
                    "fails",
                    (a_i, b_i, c_i),
                    f"{a}% 到 {b}% 是{'上升' if b > a else '下降'}，所写为“{said}{c.text}"
                    + ("个百分点”" if c.kind == "points" else "”"),
                )
            )
            continue
        decimals = c.decimals or 0
        points = round_half_up(abs(b - a), decimals)
        relative = round_half_up(abs(b - a) / a * 100, decimals) if a else None
        ids = (a_i, b_i, c_i)
        if c.kind == "points":
            verdict = "holds" if points == c.value else "fails"
            relations.append(
                Relation(
                    "points_vs_percent",
                    verdict,
                    ids,
                    f"{a}% 到 {b}% 相差 {_fmt(abs(b - a))} 个百分点，所写为 {c.text}个百分点",
                )
            )
        elif points == c.value and relative == c.value:
            relations.append(
                Relation(
                    "points_vs_percent",
                    "unclear",
                    ids,
                    f"{a}% 到 {b}%：相差 {_fmt(abs(b - a))} 个百分点，按百分比计算也约为 {relative}%，两种读法都说得通",
                )
            )
        elif points == c.value and relative != c.value:
            relations.append(
                Relation(
                    "points_vs_percent",
                    "fails",
                    ids,
                    f"{a}% 到 {b}% 相差 {_fmt(abs(b - a))} 个百分点，应写“{c.text[:-1]}个百分点”；按百分比计算的变化是 {relative}%",
                )
            )
        elif relative is not None and relative == c.value:
            relations.append(
                Relation("points_vs_percent", "holds", ids, f"|{b} − {a}| ÷ {a} = {relative}%，与所写一致")
            )
    return relations


_PREVIOUS = re.compile(r"(?:上年|去年|上一年|(?:19|20)\d{2}年)(?:同期)?(?:的|为|是)?\s*$")
# 由2022年的45件下降到2023年的38件: between the two counts, within their clause.
_COUNT_TO = re.compile(
    r"^[^，。；;,\d]{0,4}(?:下降|减少|降低|增长|增加|上升|提高|提升|降|升|增|减)?(?:到|至)"
    r"(?:(?:19|20)\d{2}年)?[^，。；;,\d]{0,6}$"
)
_COUNT_FROM = re.compile(r"(?:从|由)[^，。；;,\d]{0,8}(?:(?:19|20)\d{2}年[^，。；;,\d]{0,4})?$")
_ANY_YOY = ("同比", "比上年", "较上年", "较去年", "比去年")


def _count_changes(text: str, mentions: list[Mention], sentence: list[int]) -> list[Relation]:
    """由（2022年的）45件下降到（2023年的）38件，下降15.6%: the change written after two stated counts,
    relative to the first (a 同比 change is `_yoy`'s)."""
    relations = []
    counts = [i for i in _counts(mentions, sentence) if mentions[i].exact]
    for a_i, b_i in zip(counts, counts[1:], strict=False):
        a, b = mentions[a_i], mentions[b_i]
        if _family(a.unit) != _family(b.unit) or not a.low or b.low is None:
            continue
        if not _COUNT_FROM.search(text[max(0, a.start - 16) : a.start]):
            continue
        if not _COUNT_TO.match(text[a.end : b.start].removeprefix(a.unit)):
            continue
        change_i = next((i for i in sentence if mentions[i].start >= b.end and mentions[i].role == "figure"), None)
        if change_i is None:
            continue
        change = mentions[change_i]
        words = set(change.wording)
        if change.kind != "percent" or not change.exact or change.value is None or words & set(_ANY_YOY):
            continue
        if re.search(r"[。；;\n]", text[b.end : change.start]):
            continue
        up, down = bool(words & set(_UP)), bool(words & set(_DOWN))
        rises = up != change.negative  # 下降-5%: a rise, as written
        if up == down or (rises and b.low < a.low) or (not rises and b.low > a.low):
            continue  # no direction, or one the two counts contradict: not read as this change
        relations.append(_change((a_i, b_i, change_i), a, b, change, up, f"{_show(a)} → {_show(b)}"))
    return relations


def _change(ids: tuple[int, ...], before: Mention, after: Mention, change: Mention, up: bool, pair: str) -> Relation:
    """The change from `before` to `after` relative to `before`, against the percentage written: its
    size and its direction (增长 or 下降, turned round by a minus sign: 增长-12.5% is a fall)."""
    assert before.low and after.low is not None and change.value is not None
    delta = after.low - before.low
    shown = round_half_up(abs(delta) / before.low * 100, change.decimals or 0)
    written = abs(change.value)
    rises = up != change.negative
    same_way = shown == 0 or (delta > 0) == rises
    verdict = "holds" if shown == written and same_way else "fails"
    verb = "上升" if delta > 0 else "下降" if delta < 0 else "持平，变化"
    said = next((w for w in reversed(change.wording) if w in _UP or w in _DOWN), "上升" if up else "下降")
    arithmetic = f"{pair}，{verb} {_fmt(abs(delta))} ÷ {_fmt(before.low)} = {shown}%"
    if change.negative and not up:
        # 下降-12.5%: a rise as the signs read, but often a fall written twice over.
        return Relation("yoy", "unclear", ids, f"{arithmetic}；所写“{said}{change.text}”的方向不能确定")
    return Relation(
        "yoy",
        verdict,
        ids,
        arithmetic + ("，与所写一致" if verdict == "holds" else f"，不是所写的“{said}{change.text}”"),
    )


def _yoy(text: str, mentions: list[Mention], sentence: list[int]) -> list[Relation]:
    """N 件，同比下降 P%(上年 M 件): both values stated, the change is checked."""
    relations = []
    for r in sentence:
        change = mentions[r]
        if change.role != "figure" or change.kind != "percent" or change.value is None or not change.exact:
            continue
        words = set(change.wording)
        if not words & set(_ANY_YOY) or _respectively(change):
            continue  # (分别同比增长18.4%、下降20%: which change is of which count is not read)
        up, down = bool(words & set(_UP)), bool(words & set(_DOWN))
        if up == down:
            continue
        counts = [i for i in _counts(mentions, sentence) if mentions[i].exact]
        current = [i for i in counts if mentions[i].end <= change.start]
        previous = [i for i in counts if _PREVIOUS.search(text[max(0, mentions[i].start - 8) : mentions[i].start])]
        current = [i for i in current if i not in previous]
        pair = _year_pair(text, mentions, current)
        if pair:
            p_i, c_i = pair
        elif current and previous:
            c_i, p_i = current[-1], previous[0]
        else:
            continue
        cur, prev = mentions[c_i], mentions[p_i]
        if _family(cur.unit) != _family(prev.unit) or not prev.low:
            continue
        judged = _change((p_i, c_i, r), prev, cur, change, up, f"上年 {_show(prev)} → 本期 {_show(cur)}")
        if judged.verdict == "fails" and not pair:
            # 共受理85件，办结80件，…，受理量同比下降12.4%（上年97件）: the change may be of another count.
            fits = [
                i
                for i in current
                if i != c_i
                and _family(mentions[i].unit) == _family(prev.unit)
                and _change((p_i, i, r), prev, mentions[i], change, up, "").verdict == "holds"
            ]
            if fits:
                judged = Relation(
                    "yoy",
                    "unclear",
                    judged.mentions,
                    f"{judged.explanation}；但按本期 {_show(mentions[fits[-1]])} 计算与所写一致，本期数不能确定",
                )
        relations.append(judged)
    return relations


def _clause_label(text: str, start: int) -> str:
    """All the words of a figure's clause before it: 全年共收到政府信息公开申请 (not just the last few)."""
    left = text[max(0, start - 40) : start]
    return re.split(r"[，,。；;：:、（）()\s“”]", left)[-1]


_YEAR_LABEL = re.compile(r"^(?P<year>(?:19|20)\d{2})年?(?:度)?(?P<rest>.+)$")


def _year_pair(text: str, mentions: list[Mention], counts: list[int]) -> tuple[int, int] | None:
    """2023总共需办理复议案件66件，2024年总共需办理复议案件151件: the same words after two consecutive
    years. Returns (previous, current) or None."""
    labelled = {}
    for i in counts:
        m = _YEAR_LABEL.match(_clause_label(text, mentions[i].start))
        if m:
            labelled[i] = (int(m["year"]), m["rest"])
    if len(labelled) < 2:
        return None
    last = counts[-1]
    if last not in labelled:
        return None
    year, rest = labelled[last]
    earlier = [i for i, (y, r) in labelled.items() if y == year - 1 and r == rest]
    return (earlier[-1], last) if earlier else None


def _repeats(text: str, mentions: list[Mention]) -> list[Relation]:
    """The same quantity stated twice: the same whole clause label (six characters or more) and the
    same counting period, with a different value. Subjects differ often in ways a label cannot show
    (省政府 vs 全省), so a different value is `fails` only when the labels are identical."""
    seen: dict[tuple[str, str, str | None], int] = {}
    relations = []
    for i, m in enumerate(mentions):
        if m.role != "figure" or m.kind not in ("number",) or not m.exact or not m.unit:
            continue
        label = _clause_label(text, m.start)
        if len(label) < 6:
            continue
        key = (label, _family(m.unit), m.period)
        if key in seen:
            first = mentions[seen[key]]
            # Different values under the same words are often different subjects (市直 / 各区县)
            # that the words before the clause name: never `fails` on this reading alone.
            verdict = "holds" if first.low == m.low else "unclear"
            relations.append(
                Relation(
                    "repeat",
                    verdict,
                    (seen[key], i),
                    f"“{label}”先写 {_show(first)}，后写 {_show(m)}"
                    + ("，一致" if verdict == "holds" else "，数值不同：若是同一数量则前后不一，请核对"),
                )
            )
        else:
            seen[key] = i
    return relations


def _series_points(text: str, mentions: list[Mention]) -> list[Relation]:
    """…得分率为59.7%；…得分率为61.74%，上升2.04%: a rise written in percent after a rate whose
    previous value (same label, earlier in the text) differs from it by exactly that many points."""
    relations = []
    rates: dict[str, int] = {}
    for i, m in enumerate(mentions):
        if m.role != "figure" or m.kind != "percent" or m.value is None or not m.exact:
            continue
        words = set(m.wording)
        label = _label(text, m.start)
        if label.endswith("率") or label.endswith("率为"):
            key = label.removesuffix("为")
            if not words & {*_UP, *_DOWN}:
                previous = rates.get(key)
                rates[key] = i
                # The change, if any, is the next percent of the same clause chain.
                nxt = next((j for j in range(i + 1, min(i + 3, len(mentions))) if mentions[j].kind == "percent"), None)
                if previous is None or nxt is None:
                    continue
                change = mentions[nxt]
                between = text[m.end : change.start]
                if (
                    re.search(r"[。；;\n]", between)
                    or not set(change.wording) & {*_UP, *_DOWN}
                    or change.value is None
                    or not change.exact
                ):
                    continue
                a, b = mentions[previous].value, m.value
                assert a is not None
                decimals = change.decimals or 0
                points = round_half_up(abs(b - a), decimals)
                relative = round_half_up(abs(b - a) / a * 100, decimals) if a else None
                ids = (previous, i, nxt)
                if points == change.value and relative != change.value:
                    relations.append(
                        Relation(
                            "points_vs_percent",
                            "fails",
                            ids,
                            f"{a}% 到 {b}% 相差 {_fmt(abs(b - a))} 个百分点，应写“{change.text[:-1]}个百分点”；"
                            f"按百分比计算的变化是 {relative}%",
                        )
                    )
                elif relative == change.value and points != change.value:
                    relations.append(
                        Relation("points_vs_percent", "holds", ids, f"|{b} − {a}| ÷ {a} = {relative}%，与所写一致")
                    )
    return relations


def find_relations(text: str, mentions: list[Mention]) -> list[Relation]:
    """Every relation the rules can read in the text, with its verdict."""
    relations: list[Relation] = []
    starts = [m.start for m in mentions]
    # A total and its parts may run over semicolons, and 其中 may open the next sentence:
    # 共办理…1616.85万宗。其中，行政处罚137.07万宗…；行政许可80.96万宗…
    for start, end in _part_units(text):
        unit = list(range(bisect_left(starts, start), bisect_left(starts, end)))
        if len(unit) >= 2:
            relations += _part_whole(text, mentions, unit)
    for start, end in _sentences(text):
        sentence = list(range(bisect_left(starts, start), bisect_left(starts, end)))
        if len(sentence) < 2:
            continue
        listed = _list_sum(text, mentions, sentence, start, end)
        relations += [r for r in listed if not any(set(r.mentions) == set(x.mentions) for x in relations)]
        relations += _rates(text, mentions, sentence)
        relations += _shares(text, mentions, sentence)
        relations += _points(text, mentions, sentence, start, end)
        relations += _yoy(text, mentions, sentence)
        relations += _count_changes(text, mentions, sentence)
    relations += _repeats(text, mentions)
    covered = {frozenset(r.mentions) for r in relations}
    relations += [r for r in _series_points(text, mentions) if frozenset(r.mentions) not in covered]
    return relations
