"""`lawreport check PATH...`: the arithmetic of any report, without its ledgers or a kernel.

Reads each document (text/documents.py), finds every number mention with its role (mentions.py)
and the relations between figures with their verdicts (relations.py), and gives a terminal summary,
the JSON below (others read it: keep it stable) and, optionally, a self-contained HTML page.

    {"documents": [{"path": ..., "error": null | "<message>", "mentions": [...], "relations": [...]}]}
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .mentions import ROLES, Mention, find_mentions
from .relations import _LONGEST_SENTENCE, VERDICT_ZH, VERDICTS, Relation, find_relations


@dataclass
class CheckedDocument:
    path: str
    text: str = ""
    error: str | None = None
    mentions: list[Mention] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    notices: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "error": self.error,
            "notices": list(self.notices),
            "mentions": [m.to_json() for m in self.mentions],
            "relations": [r.to_json() for r in self.relations],
        }

    def roles(self) -> dict[str, int]:
        counts = Counter(m.role for m in self.mentions)
        return {role: counts[role] for role in ROLES if counts[role]}

    def verdicts(self) -> dict[str, int]:
        counts = Counter(r.verdict for r in self.relations)
        return {verdict: counts[verdict] for verdict in VERDICTS}

    def sentence_of(self, relation: Relation) -> str:
        """The sentence(s) holding a relation's mentions, for the reader to find it."""
        start = min(self.mentions[i].start for i in relation.mentions)
        end = max(self.mentions[i].end for i in relation.mentions)
        # (at most a sentence's longest each way: a text with no sentence ends is not scanned whole for
        # each relation)
        floor, ceiling = max(0, start - _LONGEST_SENTENCE), min(len(self.text), end + _LONGEST_SENTENCE)
        left = max(max(self.text.rfind(c, floor, start) for c in "。！？；\n") + 1, floor)
        rights = [p for p in (self.text.find(c, end, ceiling) for c in "。！？；\n") if p >= 0]
        right = min(rights) + 1 if rights else ceiling
        return self.text[left:right].strip()


def check_text(text: str, path: str = "<text>") -> CheckedDocument:
    mentions = find_mentions(text)
    return CheckedDocument(path, text, None, mentions, find_relations(text, mentions))


def check_paths(paths: list[Path]) -> list[CheckedDocument]:
    """Every document under the paths, each checked on its own: one unreadable file stops nothing."""
    return list(iter_checked(paths))


def iter_checked(paths: list[Path], skipped: list[str] | None = None) -> Iterator[CheckedDocument]:
    """As check_paths, one document at a time (a folder of thousands is never held in memory).
    Files left out of folders (other types, lock files) and folders with nothing readable are
    appended to `skipped`."""
    from .documents import DocumentError, documents_in, read_document

    for item in documents_in(paths, skipped):
        path, shown = item if isinstance(item, tuple) else (item, str(item))
        try:
            document = read_document(path, shown)
        except DocumentError as error:
            yield CheckedDocument(shown, error=str(error))
            continue
        try:
            one = check_text(document.text, shown)
        except Exception as error:  # noqa: BLE001 - a defect met in one report must not stop the others
            yield CheckedDocument(
                shown,
                error=f"检查时出错 (internal error)：{type(error).__name__}: {error}。"
                "这是本工具的缺陷，不是报告的问题：请把该文件交给维护者；其余文件照常检查",
            )
            continue
        one.notices = tuple(document.problems)
        yield one


def summary_lines(document: CheckedDocument) -> list[str]:
    if document.error:
        return [f"✗ {document.path}", f"  无法读取 (cannot read)：{document.error}"]
    figures = sum(1 for m in document.mentions if m.is_figure)
    roles = "，".join(f"{role} {n}" for role, n in document.roles().items())
    verdicts = "，".join(f"{VERDICT_ZH[v]}({v}) {n}" for v, n in document.verdicts().items())
    lines = [
        f"{'✗' if document.verdicts()['fails'] else '✓'} {document.path}",
        f"  数字 (mentions) {len(document.mentions)} 个，其中统计数字 (figures) {figures} 个；{roles}",
        f"  关系 (relations) {len(document.relations)} 个：{verdicts}",
    ]
    for notice in document.notices:
        lines.append(f"  提示 (notice)：{notice}")
    for relation in document.relations:
        if relation.verdict == "fails":
            lines.append(f"  不成立 [{relation.kind}]：{relation.explanation}")
            lines.append(f"    原文：{document.sentence_of(relation)}")
    return lines


def to_json(documents: list[CheckedDocument]) -> dict[str, Any]:
    return {"documents": [d.to_json() for d in documents]}


def write_json(documents: list[CheckedDocument], target: Path) -> None:
    with JsonWriter(target) as writer:
        for document in documents:
            writer.add(document)


class JsonWriter:
    """Writes {"documents": [...]} one document at a time, then swaps the file in atomically."""

    def __init__(self, target: Path):
        self.target = target
        self.temporary = target.with_name(f".{target.name}.tmp")
        self.count = 0

    def __enter__(self) -> JsonWriter:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.handle = self.temporary.open("w", encoding="utf-8")
        self.handle.write('{"documents": [\n')
        return self

    def add(self, document: CheckedDocument) -> None:
        self.handle.write((",\n" if self.count else "") + json.dumps(document.to_json(), ensure_ascii=False))
        self.count += 1

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        self.handle.write("\n]}\n")
        self.handle.close()
        if error is None:
            self.temporary.replace(self.target)
        else:
            self.temporary.unlink(missing_ok=True)
