"""Scores `lawreport check` on the labelled corpus of published passages (tests/corpus/passages.yaml).

Each passage is verbatim from a published report with its address; every number in it is labelled
with its role and every arithmetic relation with a verdict computed by hand. Run as a script to print
the figures the README quotes: `python tests/corpus_eval.py`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

CORPUS = Path(__file__).resolve().parent / "corpus" / "passages.yaml"


@dataclass
class Score:
    figures_labelled: int = 0
    figures_found: int = 0  # labelled figures that the check reports as figures
    figures_reported: int = 0
    figures_right: int = 0  # reported figures that are labelled figures
    fails_labelled: int = 0
    fails_found: int = 0
    fails_reported: int = 0
    fails_real: int = 0
    missed_figures: list[str] = field(default_factory=list)
    false_figures: list[str] = field(default_factory=list)
    missed_fails: list[str] = field(default_factory=list)
    false_fails: list[str] = field(default_factory=list)

    @staticmethod
    def ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def figure_recall(self) -> float:
        return self.ratio(self.figures_found, self.figures_labelled)

    @property
    def figure_precision(self) -> float:
        return self.ratio(self.figures_right, self.figures_reported)

    @property
    def fails_recall(self) -> float:
        return self.ratio(self.fails_found, self.fails_labelled)

    @property
    def fails_precision(self) -> float:
        return self.ratio(self.fails_real, self.fails_reported)


def _spans(text: str, pieces: list[str]) -> list[tuple[int, int]]:
    """Positions of labelled pieces, taken in order of appearance (a repeated text is found again)."""
    spans, cursor = [], 0
    for piece in pieces:
        at = text.find(piece, cursor)
        if at < 0:
            at = text.find(piece)
        if at < 0:
            raise ValueError(f"{piece!r} is not in its passage")
        spans.append((at, at + len(piece)))
        cursor = at + len(piece)
    return spans


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _number_span(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """A relation's labelled mention carries context (“共受理…120件”): keep its last number only."""
    import re

    numbers = list(
        re.finditer(r"[\d０-９]+(?:[.．][\d０-９]+)?|[零〇一二两三四五六七八九十百千万]+", text[span[0] : span[1]])
    )
    if not numbers:
        return span
    last = numbers[-1]
    return span[0] + last.start(), span[0] + last.end()


def score(passages: list[dict]) -> Score:
    from lawreport.text.check import check_text

    result = Score()
    for passage in passages:
        text = passage["text"]
        document = check_text(text, passage["id"])
        labelled = passage.get("mentions") or []
        spans = _spans(text, [m["text"] for m in labelled])
        labelled_figures = [s for s, m in zip(spans, labelled, strict=True) if m["role"] == "figure"]
        ours = [(m.start, m.end) for m in document.mentions if m.role == "figure"]
        result.figures_labelled += len(labelled_figures)
        result.figures_reported += len(ours)
        for span in labelled_figures:
            if any(_overlaps(span, o) for o in ours):
                result.figures_found += 1
            else:
                result.missed_figures.append(f"{passage['id']}: {text[span[0] : span[1]]}")
        for span in ours:
            if any(_overlaps(span, s) for s in labelled_figures):
                result.figures_right += 1
            else:
                result.false_figures.append(f"{passage['id']}: {text[span[0] : span[1]]}")
        relations = []
        for relation in passage.get("relations") or []:
            pieces = _spans(text, relation["mentions"])
            relations.append((relation, [_number_span(text, p) for p in pieces]))

        def matches(our_spans: list[tuple[int, int]], their_spans: list[tuple[int, int]]) -> bool:
            shared = sum(1 for o in our_spans if any(_overlaps(o, t) for t in their_spans))
            return shared >= min(2, len(their_spans), len(our_spans))

        our_fails = [r for r in document.relations if r.verdict == "fails"]
        our_fail_spans = [
            [(document.mentions[i].start, document.mentions[i].end) for i in r.mentions] for r in our_fails
        ]
        for relation, spans_ in relations:
            if relation["verdict"] != "fails":
                continue
            result.fails_labelled += 1
            if any(matches(o, spans_) for o in our_fail_spans):
                result.fails_found += 1
            else:
                result.missed_fails.append(f"{passage['id']}: {relation['kind']} {relation['mentions']}")
        for relation, our_spans in zip(our_fails, our_fail_spans, strict=True):
            result.fails_reported += 1
            if any(r["verdict"] == "fails" and matches(our_spans, s) for r, s in relations):
                result.fails_real += 1
            else:
                result.false_fails.append(f"{passage['id']}: {relation.kind} {relation.explanation}")
    return result


def load() -> list[dict]:
    return yaml.safe_load(CORPUS.read_text(encoding="utf-8"))


if __name__ == "__main__":
    s = score(load())
    print(f"passages {len(load())}")
    print(f"figures: recall {s.figure_recall:.1%} ({s.figures_found}/{s.figures_labelled}), "
          f"precision {s.figure_precision:.1%} ({s.figures_right}/{s.figures_reported})")  # fmt: skip
    print(f"failing relations: recall {s.fails_recall:.1%} ({s.fails_found}/{s.fails_labelled}), "
          f"real {s.fails_precision:.1%} ({s.fails_real}/{s.fails_reported})")  # fmt: skip
    if "-v" in sys.argv:
        for name in ("missed_figures", "false_figures", "missed_fails", "false_fails"):
            print(f"\n{name}:")
            for line in getattr(s, name):
                print("  ", line)
