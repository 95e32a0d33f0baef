"""Long texts scanned piece by piece, the pieces found clean before taken from a memo.

The internal edition's document and its notebook's output carry ~6 MB of ledger rows; the scans for
personal data read all of it (`scan.find_published` in the run, `scan.notebook_verdict` in its forked
scanner), each run, although a changed ledger changes only the cards that read it. `clean_in_pieces`
cuts a long text before each `CUT` (a card) into pieces, runs the scan on each piece it does not
know clean and on the text around each cut (`margin` characters each side), and says whether all of
it was clean. What the scan looks for is local: each thing it finds lies within `margin` characters
(a personal value, an ID or phone number, a path, a marker, with the characters around it that its
rule looks at), so whatever lies in the text lies inside one piece or inside the text around one
cut. Clean everywhere thus means the whole text is clean; anything found, and the caller scans the
whole text as before, for what it reports. A cut falls on a "<", never inside an HTML entity, so a
piece of markup unescapes to its part of the unescaped text.

The memo (`CleanPieces`) holds the digests of the pieces found clean, under a key of what the scan
finds: its code, the personal values, the machine's names and the kind of scan. It holds digests
only, never text, in <build_root>/.cache/<year>/scan/ (removed by `--force`). Only the pieces of the
latest text are kept.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from ..storage import replace_text

LONG_TEXT = 256 * 1024  # characters: shorter texts are scanned whole
CUT = "<article "  # a long text is cut before each (the appendix's cards)


def _digest(piece: str) -> str:
    return hashlib.sha256(piece.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class CleanPieces:
    """The pieces found clean by one kind of scan of one text (a document, a notebook), kept in
    <folder>/<name>.json under `key`: read once, replaced by `save` with the pieces of this scan."""

    def __init__(self, folder: Path, name: str, key: str) -> None:
        self.path = Path(folder) / f"{name}.json"
        self.key = key
        self.known = self._read()
        self.clean: set[str] = set()  # this time's clean pieces, `save`d

    def _read(self) -> frozenset[str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return frozenset()
        if not isinstance(data, dict) or data.get("key") != self.key or not isinstance(data.get("clean"), list):
            return frozenset()
        return frozenset(str(d) for d in data["clean"])

    def save(self) -> None:
        """Keep this time's clean pieces (no room or no right to write: nothing kept)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            replace_text(self.path, json.dumps({"key": self.key, "clean": sorted(self.clean)}))
        except OSError:
            pass


def may_cross_cut(value: str) -> bool:
    """Whether an occurrence of `value` in markup can stand across a cut: a cut is a raw "<" followed by
    the rest of CUT, which unescape to themselves, so only a value with a "<" from which on it is a start
    of CUT, or starts with CUT, can hold the cut's first character. Any other value, whatever entities
    write it, lies inside one piece."""
    at = value.find("<")
    while at != -1:
        rest = value[at:]
        if CUT.startswith(rest) or rest.startswith(CUT):
            return True
        at = value.find("<", at + 1)
    return False


def cuts(text: str) -> list[int]:
    """Where a long text is cut: before each CUT but one at its very start."""
    found = []
    at = text.find(CUT, 1)
    while at != -1:
        found.append(at)
        at = text.find(CUT, at + 1)
    return found


def clean_in_pieces(text: str, finds: Callable[[str], bool], memo: CleanPieces, margin: int) -> bool:
    """True if `finds` (the scan, True when it finds anything) finds nothing in any piece of `text`
    not known clean in `memo`, nor in the `margin` characters each side of each cut: then it finds
    nothing in `text` (see the module). False as soon as it finds something, or when the text is
    not long or has no cut: the caller scans it whole. The clean pieces go into `memo.clean`."""
    at = cuts(text) if len(text) >= LONG_TEXT else []
    if not at:
        return False
    bounds = [0, *at, len(text)]
    clean: set[str] = set()
    for start, end in zip(bounds, bounds[1:], strict=False):
        piece = text[start:end]
        digest = _digest(piece)
        if digest not in memo.known and finds(piece):
            return False
        clean.add(digest)
    for cut in at:
        if finds(text[max(0, cut - margin) : cut + margin]):
            return False
    memo.clean |= clean
    return True
