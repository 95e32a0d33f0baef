"""The register's schema (claims/<year>.yaml), checked before any kernel starts.

Every problem names the file, the line and the entry id, in Chinese with the English term, with the
closest valid name where a key or a metric is misspelt. All problems of a register are found in one
pass: an analyst fixes them together, not one per run.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

TOP_LEVEL = {
    "unit": "单位",
    "year": "报告年度",
    "report": "报告原文路径",
    "figures": "登记的数字",
    "not_statistics": "非统计数字",
    "commitments": "下一步承诺",
    "relations": "数字之间的关系",
    # Written by `lawreport register draft`: last year's entries the new text no longer continues,
    # whole, for the analyst to move back or delete. Nothing reads them.
    "dropped": "上年登记、本年报告未见的数字",
}
REQUIRED_TOP_LEVEL = ("unit", "year", "figures")
FIGURE_REQUIRED = ("id", "quote", "written")
# How an entry is computed: a Python metric (with its hand-written 口径 in `definition`), or a
# `compute:` spec (lawreport.register), whose 口径 is written from the spec, so `definition` is refused.
HOW_COMPUTED = ("metric", "compute")
TEXT_ITEM_REQUIRED = ("text",)
# The keys an item of not_statistics or commitments may hold. A text with an unquoted comma in a
# flow mapping ({text: 2025年,共受理, …}) is read by YAML as a second key: that is caught here.
TEXT_ITEM_KEYS = {
    "not_statistics": ("text", "reason", "todo"),
    "commitments": ("id", "text", "check_next_year", "next_year", "todo"),
}
RELATION_KEYS = ("left", "op", "right", "note")
RELATION_OPS = ("<=",)


@dataclass(frozen=True)
class RegisterProblem:
    file: str
    line: int | None
    entry: str
    message: str
    column: int | None = None  # 1-based; given for YAML syntax errors (not shown in the run's message)

    def __str__(self) -> str:
        where = (
            self.file + (f" 第{self.line}行" if self.line else "") + (f" 条目「{self.entry}」" if self.entry else "")
        )
        return f"[P302] {where}：{self.message}"


# The findings an analyst may acknowledge after review (a match needs none).
ACKNOWLEDGEABLE = ("mismatch", "inconsistent", "no_data")


def acknowledged_problems(value: Any) -> list[str]:
    """`acknowledged: {status: …, reason: …}`: a status a figure can be found in, and why it is accepted."""
    shape = "acknowledged 应写成 {status: inconsistent, reason: 为什么接受这一结果}"
    if not isinstance(value, dict):
        return [shape]
    problems = [f"acknowledged 的未知项 (unknown key) {k!r}；{shape}" for k in value if k not in ("status", "reason")]
    if value.get("status") not in ACKNOWLEDGEABLE:
        problems.append(f"acknowledged 的 status 只能是 {'、'.join(ACKNOWLEDGEABLE)}，收到 {value.get('status')!r}")
    if not isinstance(value.get("reason"), str) or not value["reason"].strip():
        problems.append("acknowledged 须写明 reason：核实了什么、为什么接受这一结果")
    return problems


def closest(name: str, valid: list[str] | tuple[str, ...]) -> str:
    near = difflib.get_close_matches(name, list(valid), n=1, cutoff=0.5)
    return f"；是否应为 {near[0]!r}？" if near else ""


def _line(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


def _mapping_nodes(node: yaml.Node) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): (k, v) for k, v in node.value}


def check_register_data(
    path: Path, known_metrics: list[str], figure_fields: list[str]
) -> tuple[Any, list[RegisterProblem]]:
    """Parse the YAML and check its shape. Returns (data, problems); data is None if it does not parse."""
    name = str(path)
    problems: list[RegisterProblem] = []

    def add(node: yaml.Node | None, entry: str, message: str) -> None:
        problems.append(RegisterProblem(name, _line(node), entry, message))

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return None, [RegisterProblem(name, None, "", f"不是 UTF-8 文本 (not UTF-8): {error.reason}")]
    try:
        # libyaml's parser (same nodes, marks and errors as the pure-Python one, ~8× faster): the
        # register is read by the preflight, the figures step and each appendix edition.
        root = yaml.compose(text, Loader=LOADER)
        data = yaml.load(text, Loader=LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        what = error.problem or error.context or "格式错误"
        message = f"YAML 无法解析 (YAML syntax error)：{what}；请检查缩进和冒号"
        return None, [RegisterProblem(name, line, "", message, column)]
    if not isinstance(data, dict) or root is None:
        return None, [RegisterProblem(name, 1, "", "登记册应为键值结构 (a mapping with unit, year, figures…)")]
    top = _mapping_nodes(root)
    for key, (key_node, _) in top.items():
        if key not in TOP_LEVEL:
            add(key_node, "", f"未知项 (unknown key) {key!r}{closest(key, list(TOP_LEVEL))}")
    for key in REQUIRED_TOP_LEVEL:
        if key not in data:
            add(root, "", f"缺少必填项 (missing key) {key!r}：{TOP_LEVEL[key]}")
    if "year" in data and (not isinstance(data["year"], int) or isinstance(data["year"], bool)):
        add(top["year"][1], "", f"year 应为四位整数年份，收到 {data['year']!r}")

    figures_node = top.get("figures", (None, None))[1]
    figures = data.get("figures")
    ids: dict[str, int | None] = {}
    if "figures" in data and (not isinstance(figures, list) or not isinstance(figures_node, yaml.SequenceNode)):
        add(figures_node, "", "figures 应为列表 (a list of entries, each starting with '- id:')")
        figures, figure_nodes = [], []
    else:
        figure_nodes = list(figures_node.value) if figures_node is not None else []
    for raw, node in zip(figures or [], figure_nodes, strict=False):
        entry_id = str(raw.get("id", "")) if isinstance(raw, dict) else ""
        if not isinstance(raw, dict):
            add(node, "", "每个数字条目应为键值结构 (each entry is a mapping)")
            continue
        nodes = _mapping_nodes(node)
        for key, (key_node, _) in nodes.items():
            if key not in figure_fields:
                add(key_node, entry_id, f"未知项 (unknown key) {key!r}{closest(key, figure_fields)}")
        for key in FIGURE_REQUIRED:
            if key not in raw or raw[key] in (None, ""):
                add(node, entry_id, f"缺少必填项 (missing key) {key!r}")
        for key, value in raw.items():
            if key == "compute":
                continue
            if key == "acknowledged":
                problems.extend(
                    RegisterProblem(name, _line(nodes[key][1]), entry_id, message)
                    for message in acknowledged_problems(value)
                )
                continue
            if key in ("also_covers", "each"):
                if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                    add(nodes[key][1], entry_id, f"{key} 应为文本列表 (a list of strings)")
            elif key in figure_fields and value is not None and not isinstance(value, str):
                add(nodes[key][1], entry_id, f"{key} 应为文本 (a string)，收到 {value!r}；数字请加引号")
        if entry_id:
            if entry_id in ids:
                add(nodes.get("id", (node, node))[1], entry_id, f"编号重复 (duplicate id)，第{ids[entry_id]}行已用过")
            else:
                ids[entry_id] = _line(node)
        problems.extend(_check_how_computed(raw, node, nodes, entry_id, name))
        metric = raw.get("metric")
        if isinstance(metric, str) and metric and metric not in known_metrics:
            add(
                nodes["metric"][1],
                entry_id,
                f"未知指标 (unknown metric) {metric!r}{closest(metric, known_metrics)}",
            )
    for key in ("not_statistics", "commitments"):
        items = data.get(key)
        items_node = top.get(key, (None, None))[1]
        if items is None:
            continue
        if not isinstance(items, list) or not isinstance(items_node, yaml.SequenceNode):
            add(items_node, "", f"{key} 应为列表")
            continue
        for item, node in zip(items, items_node.value, strict=False):
            if not isinstance(item, dict) or not isinstance(item.get("text"), str) or not item.get("text"):
                add(node, str(item.get("id", "")) if isinstance(item, dict) else "", f"{key} 的每一项都要有 text")
            elif "todo" in item:
                add(
                    node,
                    str(item.get("id", "")),
                    f"{key} 的这一项仍标有 todo (draft entry not reviewed)：{item['todo']}",
                )
            for item_key, (key_node, _) in _mapping_nodes(node).items():
                if item_key not in TEXT_ITEM_KEYS[key]:
                    hint = "；text 中有逗号时请加引号，如 text: '2025年,共受理'" if item.get(item_key) is None else ""
                    add(
                        key_node,
                        str(item.get("id", "")) if isinstance(item, dict) else "",
                        f"{key} 的未知项 (unknown key) {item_key!r}{closest(item_key, TEXT_ITEM_KEYS[key])}{hint}",
                    )
            if key == "commitments" and isinstance(item, dict) and "next_year" in item:
                # How next year's ledgers check it: the compute spec language, per period, a target.
                from .commitments import commitment_problems

                next_year = _mapping_nodes(node)["next_year"][1]
                for line, message in commitment_problems(next_year):
                    problems.append(RegisterProblem(name, line, str(item.get("id", "")), f"next_year：{message}"))
    relations = data.get("relations")
    relations_node = top.get("relations", (None, None))[1]
    if relations is not None:
        if not isinstance(relations, list) or not isinstance(relations_node, yaml.SequenceNode):
            add(relations_node, "", "relations 应为列表")
        else:
            for item, node in zip(relations, relations_node.value, strict=False):
                if not isinstance(item, dict):
                    add(node, "", "relations 的每一项应为键值结构")
                    continue
                nodes = _mapping_nodes(node)
                for key, (key_node, _) in nodes.items():
                    if key not in RELATION_KEYS:
                        add(key_node, "", f"未知项 (unknown key) {key!r}{closest(key, RELATION_KEYS)}")
                if item.get("op") not in RELATION_OPS:
                    add(node, "", f"relations 的 op 只能是 {'、'.join(RELATION_OPS)}，收到 {item.get('op')!r}")
                for side in ("left", "right"):
                    ref = item.get(side)
                    if not isinstance(ref, str) or ref not in ids:
                        add(node, "", f"relations 的 {side} {ref!r} 不是登记的数字编号{closest(str(ref), list(ids))}")
    # References between entries, once every id is known.
    for raw, node in zip(figures or [], figure_nodes, strict=False):
        if not isinstance(raw, dict):
            continue
        spec = raw.get("compute")
        for operand in spec.operands() if spec is not None and not isinstance(spec, dict) else ():
            if operand.id not in ids:
                where = _mapping_nodes(node).get("compute", (node, node))[1]
                add(
                    where,
                    str(raw.get("id", "")),
                    f"compute 引用的 {operand.id!r} 不是登记的数字编号{closest(operand.id, list(ids))}",
                )
        for key in ("numerator_figure", "denominator_figure"):
            ref = raw.get(key)
            if ref and ref not in ids:
                add(node, str(raw.get("id", "")), f"{key} {ref!r} 不是登记的数字编号{closest(str(ref), list(ids))}")
    return data, problems


def _check_how_computed(
    raw: dict[str, Any], node: yaml.Node, nodes: dict[str, tuple[yaml.Node, yaml.Node]], entry_id: str, name: str
) -> list[RegisterProblem]:
    """Exactly one of `metric` and `compute`; `definition` with a metric only. A parsed spec replaces
    the `compute` mapping in `raw` (None when it has problems, each reported at its own line)."""
    from .spec import parse_compute

    problems: list[RegisterProblem] = []
    has = [key for key in HOW_COMPUTED if raw.get(key) not in (None, "")]
    if len(has) == 2:
        problems.append(
            RegisterProblem(
                name,
                _line(nodes["compute"][0]),
                entry_id,
                "metric 与 compute 只能写一个 (both metric and compute)：用 compute 规格时请删除 metric",
            )
        )
    elif not has:
        problems.append(
            RegisterProblem(
                name,
                _line(node),
                entry_id,
                "缺少计算方法 (neither metric nor compute)：请写 compute 规格，或写 metric 指标函数名",
            )
        )
    if "compute" in raw:
        if raw.get("definition") not in (None, ""):
            problems.append(
                RegisterProblem(
                    name,
                    _line(nodes["definition"][0]),
                    entry_id,
                    "compute 条目的口径由规格自动生成，请删除手写的 definition "
                    "(definition is generated from compute, not written by hand)",
                )
            )
        spec, spec_problems = parse_compute(nodes["compute"][1])
        problems.extend(RegisterProblem(name, p.line, entry_id, p.message) for p in spec_problems)
        raw["compute"] = spec
    elif raw.get("metric") not in (None, "") and raw.get("definition") in (None, ""):
        problems.append(
            RegisterProblem(
                name, _line(node), entry_id, "缺少必填项 (missing key) 'definition'：Python 指标的口径须手写"
            )
        )
    return problems


def figure_field_names(entry_class: type) -> list[str]:
    return [f.name for f in fields(entry_class)]
