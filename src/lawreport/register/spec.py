"""The `compute:` spec of a register entry: typed, parsed from YAML nodes, checked against the clean tables.

A spec says over which clean table a figure is computed, with which filters, which aggregate, over
which years, or that it is the ratio or difference of two other figures. Its shape (see README,
"登记册的计算规格"):

    compute:
      count: {table: sessions, where: {session_type: 培训}, excluded_as: 不是培训}
    compute:
      rate:
        of: {table: law_exams, where: {passed: true}, excluded_as: 参考但未合格}
        base: {table: law_exams, where: {sat_exam: true}, excluded_as: 未参考，不计入合格率分母}
      years: all            # report (default) | all | {last: N}
      per_year: true        # a series by year (同比, 连续N年, 持续保持, 持续提升)
    compute:
      ratio: {of: active_officers, to: enforcement_staff_on_platform}

Every problem is a RegisterProblem (code P302) with file, line, entry id and, for a misspelt name,
the closest valid one; parsing never raises on a malformed spec.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..ledgers import LEDGERS_BY_TABLE, Column, Ledger

AGGREGATES = {
    "count": "行数 (count of rows)",
    "count_distinct": "不同取值个数 (count of distinct values)",
    "sum": "求和 (sum of a column)",
    "min": "最小值 (minimum)",
    "max": "最大值 (maximum)",
    "rate": "比率 k/n (rate)",
    "ratio": "两个数字之比 (ratio of two figures)",
    "difference": "两个数字之差 (difference of two figures)",
}
COMPUTE_KEYS = (*AGGREGATES, "years", "per_year")
SELECTION_KEYS = ("table", "where", "excluded_as", "column", "by")
RATE_SIDE_KEYS = ("table", "where", "excluded_as")
OPERATORS = {
    "in": "取值之一 (one of a list)",
    "not_in": "不是其中任何一个 (none of a list)",
    "not": "不等于 (not equal)",
    "empty": "为空 / 不为空 (empty: true / false)",
    "<": "小于/早于 (less than)",
    "<=": "不大于/不晚于 (at most)",
    ">": "大于/晚于 (greater than)",
    ">=": "不小于/不早于 (at least)",
    "from": "日期不早于该年某月某日 (date on or after MM-DD of the year)",
    "to": "日期不晚于该年某月某日 (date on or before MM-DD of the year)",
}
COMPARISONS = ("<", "<=", ">", ">=")
DATE_WORDS = {
    "in_year": "在该年度内 (within the year)",
    "to_year_end": "不晚于该年度末 (on or before the year's end)",
}
NUMERIC_KINDS = ("int", "amount", "month", "year")
# The columns every clean table starts with (where each row came from); a spec may filter on them,
# e.g. `row_id: {empty: true}` keeps no row (what tools/mutate_metrics.py uses for "keep no row").
SOURCE_PSEUDO_COLUMNS = (
    Column("row_id", "行标识", "code", "清洗后每行的标识"),
    Column("source_file", "原始文件", "text", "原始文件名"),
    Column("source_sheet", "原始工作表", "text", "原始工作表名"),
    Column("source_row", "原始行号", "int", "原始行号"),
)
MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class ColumnRef:
    """Another column of the same row, for a comparison (`<=: {column: deadline}`)."""

    name: str


@dataclass(frozen=True)
class Condition:
    """One filter on one column. `op`: eq, not, in, not_in, empty, <, <=, >, >=, in_year, to_year_end,
    from, to. Rows whose value is empty satisfy no condition except `empty: true`."""

    column: str
    op: str
    value: Any = None
    line: int | None = None


@dataclass(frozen=True)
class Selection:
    """Rows of one clean table that satisfy every condition of `where`; the others are left out with
    `excluded_as` (a reason written for reviewers; generated from the conditions when not given)."""

    table: str
    where: tuple[Condition, ...] = ()
    excluded_as: str = ""


@dataclass(frozen=True)
class Years:
    """Which years a spec reads: the report year, every cleaned year up to it, or the last N."""

    mode: str = "report"  # report | all | last
    n: int = 1


@dataclass(frozen=True)
class Operand:
    """A figure a ratio or difference uses: its id, title, and how it is computed (spec or metric name)."""

    id: str
    title: str = ""
    compute: Compute | None = None
    metric: str = ""


@dataclass(frozen=True)
class Compute:
    """A parsed `compute:` spec."""

    aggregate: str  # one of AGGREGATES
    rows: Selection | None = None  # count, count_distinct, sum, min, max; the base of a rate
    column: str = ""  # count_distinct, sum, min, max
    by: str = ""  # count per value of this column (e.g. per community)
    of: Selection | None = None  # the numerator of a rate (rows of `rows` that also satisfy it)
    years: Years = field(default_factory=Years)
    per_year: bool = False
    left: Operand | None = None  # ratio / difference
    right: Operand | None = None

    @property
    def table(self) -> str:
        return self.rows.table if self.rows else ""

    @property
    def label(self) -> str:
        """What figures.json shows as the figure's `metric`: compute.<aggregate> (per year marked)."""
        return "compute." + ("per_year." if self.per_year else "") + self.aggregate

    def operands(self) -> tuple[Operand, ...]:
        return tuple(o for o in (self.left, self.right) if o is not None)


# ------------------------------------------------------------------ parsing from YAML nodes


@dataclass(frozen=True)
class SpecProblem:
    line: int | None
    message: str


def _line(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


def closest(name: object, valid: Any) -> str:
    near = difflib.get_close_matches(str(name), [str(v) for v in valid], n=1, cutoff=0.5)
    return f"；是否应为 {near[0]!r}？(closest valid name)" if near else ""


_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _value(node: yaml.Node) -> Any:
    return _CONSTRUCTOR.construct_object(node, deep=True)


def _mapping(node: yaml.Node) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return {str(k.value): (k, v) for k, v in node.value}


class _Parser:
    def __init__(self) -> None:
        self.problems: list[SpecProblem] = []

    def add(self, node: yaml.Node | None, message: str) -> None:
        self.problems.append(SpecProblem(_line(node), message))

    def keys(self, node: yaml.Node, valid: tuple[str, ...], what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        items = _mapping(node)
        if items is None:
            self.add(node, f"{what} 应为键值结构 (a mapping)，收到 {_value(node)!r}")
            return {}
        for key, (key_node, _) in items.items():
            if key not in valid:
                self.add(key_node, f"{what} 中未知项 (unknown key) {key!r}{closest(key, valid)}")
        return items

    def text(self, node: yaml.Node, what: str) -> str:
        value = _value(node)
        if not isinstance(value, str) or not value.strip():
            self.add(node, f"{what} 应为文本 (a string)，收到 {value!r}")
            return ""
        return value

    # --- tables and columns

    def ledger(self, node: yaml.Node) -> Ledger | None:
        name = _value(node)
        if not isinstance(name, str) or name not in LEDGERS_BY_TABLE:
            self.add(node, f"未知的表 (unknown table) {name!r}{closest(name, sorted(LEDGERS_BY_TABLE))}")
            return None
        return LEDGERS_BY_TABLE[name]

    def column(self, ledger: Ledger, node: yaml.Node, purpose: str = "") -> Column | None:
        name = _value(node)
        columns = (*ledger.columns, *SOURCE_PSEUDO_COLUMNS)
        names = [c.clean_name for c in ledger.columns]
        found = next((c for c in columns if c.clean_name == name), None)
        if found is None:
            self.add(
                node,
                f"表 {ledger.table}（{ledger.title}）没有列 (unknown column) {name!r}{closest(name, names)}",
            )
            return None
        if purpose == "sum" and found.kind not in ("int", "amount"):
            self.add(node, f"列 {name}（{found.kind}）不是数量或金额，不能求和 (sum needs an int or amount column)")
            return None
        if purpose == "extreme" and found.kind not in NUMERIC_KINDS:
            self.add(node, f"列 {name}（{found.kind}）不是数值，不能取最小/最大值 (min/max need a number column)")
            return None
        if purpose == "by" and found.personal:
            self.add(node, f"列 {name} 是个人信息，不能按它分组 (cannot group by a personal column)")
            return None
        return found

    # --- filters

    def where(self, ledger: Ledger, node: yaml.Node) -> tuple[Condition, ...]:
        items = _mapping(node)
        if items is None:
            self.add(node, f"where 应为「列: 条件」的键值结构 (a mapping of column: condition)，收到 {_value(node)!r}")
            return ()
        conditions: list[Condition] = []
        for _, (key_node, value_node) in items.items():
            column = self.column(ledger, key_node)
            if column is not None:
                conditions.extend(self.condition(ledger, column, value_node))
        return tuple(conditions)

    def condition(self, ledger: Ledger, column: Column, node: yaml.Node) -> list[Condition]:
        line = _line(node)
        name = column.clean_name
        if isinstance(node, yaml.MappingNode):
            items = _mapping(node) or {}
            out = []
            for op, (op_node, value_node) in items.items():
                if op not in OPERATORS:
                    self.add(op_node, f"列 {name} 的条件中未知运算 (unknown operator) {op!r}{closest(op, OPERATORS)}")
                    continue
                checked = self.operand(ledger, column, op, value_node)
                if checked is not _BAD:
                    out.append(Condition(name, op, checked, _line(value_node)))
            if not items:
                self.add(node, f"列 {name} 的条件为空 (empty condition)")
            return out
        if isinstance(node, yaml.SequenceNode):
            self.add(node, f"列 {name} 的条件是列表；取值之一请写成 {{in: [...]}} (a list needs `in:`)")
            return []
        value = _value(node)
        if isinstance(value, str) and value in DATE_WORDS:
            if column.kind != "date":
                self.add(node, f"{value} 只能用于日期列，列 {name} 是 {column.kind} (bad filter value type)")
                return []
            return [Condition(name, value, None, line)]
        checked = self.literal(column, value, node)
        return [] if checked is _BAD else [Condition(name, "eq", checked, line)]

    def operand(self, ledger: Ledger, column: Column, op: str, node: yaml.Node) -> Any:
        name = column.clean_name
        if column.personal and op != "empty":
            self.add(node, f"列 {name} 是个人信息(假名)，只能写 empty 条件 (personal column)")
            return _BAD
        if op == "empty":
            value = _value(node)
            if not isinstance(value, bool):
                self.add(node, f"empty 应为 true 或 false (bad filter value type)，收到 {value!r}")
                return _BAD
            return value
        if op in ("in", "not_in"):
            if not isinstance(node, yaml.SequenceNode) or not node.value:
                self.add(node, f"{op} 应为非空列表 (a non-empty list)，收到 {_value(node)!r}")
                return _BAD
            values = [self.literal(column, _value(item), item) for item in node.value]
            return _BAD if any(v is _BAD for v in values) else tuple(values)
        if op == "not":
            return self.literal(column, _value(node), node)
        if op in ("from", "to"):
            value = _value(node)
            if column.kind != "date":
                self.add(node, f"{op} 只能用于日期列，列 {name} 是 {column.kind} (bad filter value type)")
                return _BAD
            match = MONTH_DAY.match(value) if isinstance(value, str) else None
            if match is None or not _valid_month_day(int(match[1]), int(match[2])):
                self.add(node, f'{op} 应为该年的月-日，如 "10-31"（请加引号）(MM-DD)，收到 {value!r}')
                return _BAD
            return value
        # comparisons: with another column of the row, or with a number
        items = _mapping(node)
        if items is not None:
            if set(items) != {"column"}:
                self.add(node, f"比较对象应写成 {{column: 列名}} (compare with another column)，收到 {_value(node)!r}")
                return _BAD
            other = self.column(ledger, items["column"][1])
            if other is None:
                return _BAD
            if (other.kind == "date") != (column.kind == "date") or other.personal:
                self.add(node, f"列 {name}（{column.kind}）不能与列 {other.clean_name}（{other.kind}）比较")
                return _BAD
            return ColumnRef(other.clean_name)
        value = _value(node)
        if column.kind not in NUMERIC_KINDS or isinstance(value, bool) or not isinstance(value, int | float):
            hint = "日期请用 from/to 或 {column: 列名}" if column.kind == "date" else "应为数字"
            self.add(node, f"列 {name}（{column.kind}）的 {op} 条件{hint} (bad filter value type)，收到 {value!r}")
            return _BAD
        return value

    def literal(self, column: Column, value: Any, node: yaml.Node) -> Any:
        """A value compared for equality (or listed in `in`): its type must suit the column."""
        name = column.clean_name
        kind = column.kind
        if column.personal:
            self.add(node, f"列 {name} 是个人信息(假名)，不能按取值筛选 (personal column)")
            return _BAD
        if kind == "flag":
            if not isinstance(value, bool):
                self.add(
                    node, f"列 {name} 是是否标记(flag)，条件应为 true 或 false (bad filter value type)，收到 {value!r}"
                )
                return _BAD
            return value
        if kind in NUMERIC_KINDS:
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.add(node, f"列 {name}（{kind}）的条件应为数字 (bad filter value type)，收到 {value!r}")
                return _BAD
            return value
        if kind == "date":
            self.add(
                node,
                f'日期列 {name} 的条件应为 in_year、to_year_end 或 {{from: "MM-DD", to: "MM-DD"}} '
                f"(bad filter value type)，收到 {value!r}",
            )
            return _BAD
        if not isinstance(value, str):
            self.add(node, f"列 {name}（{kind}）的条件应为文本 (bad filter value type)，收到 {value!r}；数字请加引号")
            return _BAD
        if kind == "category" and column.allowed and value not in column.allowed:
            self.add(
                node,
                f"{value!r} 不在列 {name} 的取值范围内 (category outside the vocabulary)"
                f"{closest(value, column.allowed)}；取值：{'、'.join(column.allowed)}",
            )
            return _BAD
        return value

    # --- selections

    def selection(
        self, node: yaml.Node, valid: tuple[str, ...], what: str, table: str = ""
    ) -> tuple[Selection | None, dict]:
        items = self.keys(node, valid, what)
        if not items and _mapping(node) is None:
            return None, {}
        ledger = None
        if "table" in items:
            ledger = self.ledger(items["table"][1])
            if ledger is not None and table and ledger.table != table:
                self.add(items["table"][1], f"比率的分子与分母应为同一张表 (same table)：{ledger.table} 与 {table}")
                return None, items
        elif table:
            ledger = LEDGERS_BY_TABLE.get(table)
        else:
            self.add(node, "缺少 table (missing key)：要计算哪张清洗表")
        if ledger is None:
            return None, items
        where = self.where(ledger, items["where"][1]) if "where" in items else ()
        reason = self.text(items["excluded_as"][1], "excluded_as") if "excluded_as" in items else ""
        return Selection(ledger.table, where, reason), items

    def years(self, node: yaml.Node) -> Years:
        value = _value(node)
        if value in ("report", "all"):
            return Years(str(value))
        if isinstance(value, dict) and set(value) == {"last"}:
            n = value["last"]
            if isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= 20:
                return Years("last", n)
        self.add(node, f"years 应为 report、all 或 {{last: N}} (which years)，收到 {value!r}")
        return Years()

    def compute(self, node: yaml.Node) -> Compute | None:
        items = _mapping(node)
        if items is None:
            self.add(node, f"compute 应为键值结构，如 {{count: {{table: ..., where: ...}}}}，收到 {_value(node)!r}")
            return None
        aggregates = [k for k in items if k in AGGREGATES]
        for key, (key_node, _) in items.items():
            if key not in COMPUTE_KEYS:
                self.add(key_node, f"compute 中未知的计算方式 (unknown aggregate) {key!r}{closest(key, COMPUTE_KEYS)}")
        if len(aggregates) != 1:
            if not aggregates and all(k in COMPUTE_KEYS for k in items):
                self.add(node, f"compute 缺少计算方式 (missing aggregate)：{'、'.join(AGGREGATES)} 之一")
            elif len(aggregates) > 1:
                self.add(node, f"compute 只能有一种计算方式 (one aggregate)，收到 {'、'.join(aggregates)}")
            return None
        aggregate = aggregates[0]
        body = items[aggregate][1]
        years = self.years(items["years"][1]) if "years" in items else Years()
        per_year = False
        if "per_year" in items:
            per_year = _value(items["per_year"][1])
            if not isinstance(per_year, bool):
                self.add(items["per_year"][1], f"per_year 应为 true 或 false，收到 {per_year!r}")
                per_year = False
        if per_year and years.mode == "report":
            self.add(items["per_year"][1], "per_year 需要 years: all 或 {last: N} (a series needs several years)")
        if aggregate in ("ratio", "difference"):
            if "years" in items or "per_year" in items:
                self.add(node, f"{aggregate} 用两个登记数字的结果，不能再写 years/per_year")
            parts = self.keys(body, ("of", "to"), f"compute.{aggregate}")
            if set(parts) != {"of", "to"}:
                if parts:
                    self.add(body, f"{aggregate} 需要 of 和 to 两个数字编号 (figure ids)")
                return None
            left, right = (self.text(parts[k][1], f"{aggregate}.{k}") for k in ("of", "to"))
            if not left or not right:
                return None
            return Compute(aggregate, left=Operand(left), right=Operand(right))
        if aggregate == "rate":
            if per_year is False and years.mode != "report":
                self.add(items["years"][1], "多年合计的比率请写 per_year: true (a rate over several years is per year)")
            parts = self.keys(body, ("of", "base"), "compute.rate")
            if "of" not in parts:
                if _mapping(body) is not None:
                    self.add(body, "rate 缺少 of (the numerator's rows)")
                return None
            base, base_items = (
                (None, {})
                if "base" not in parts
                else self.selection(parts["base"][1], RATE_SIDE_KEYS, "compute.rate.base")
            )
            table = base.table if base else ""
            of, of_items = self.selection(parts["of"][1], RATE_SIDE_KEYS, "compute.rate.of", table)
            if of is None or ("base" in parts and base is None):
                return None
            if base is None:
                base = Selection(of.table)
            return Compute("rate", rows=base, of=of, years=years, per_year=per_year)
        valid = ("table", "where", "excluded_as") + {
            "count": ("by",),
            "count_distinct": ("column",),
            "sum": ("column",),
            "min": ("column",),
            "max": ("column",),
        }[aggregate]
        rows, parts = self.selection(body, valid, f"compute.{aggregate}")
        if rows is None:
            return None
        ledger = LEDGERS_BY_TABLE[rows.table]
        column = by = ""
        if aggregate != "count":
            if "column" not in parts:
                self.add(body, f"{aggregate} 缺少 column (missing key)：对哪一列计算")
                return None
            purpose = {"sum": "sum", "min": "extreme", "max": "extreme"}.get(aggregate, "")
            found = self.column(ledger, parts["column"][1], purpose)
            if found is None:
                return None
            column = found.clean_name
        if "by" in parts:
            found = self.column(ledger, parts["by"][1], "by")
            if found is None:
                return None
            by = found.clean_name
            if per_year or years.mode != "report":
                self.add(parts["by"][1], "按列分组计数 (by) 只用于报告年度 (by is for the report year only)")
        if aggregate in ("min", "max") and years.mode != "report":
            self.add(items["years"][1], f"{aggregate} 只用于报告年度 (min/max are for the report year only)")
        return Compute(aggregate, rows=rows, column=column, by=by, years=years, per_year=per_year)


_BAD = object()


def _valid_month_day(month: int, day: int) -> bool:
    try:
        dt.date(2024, month, day)  # a leap year: 02-29 is a valid end of February
    except ValueError:
        return False
    return True


def parse_compute(node: yaml.Node) -> tuple[Compute | None, list[SpecProblem]]:
    """The typed spec of one entry's `compute:` node, and every problem found (spec None if any)."""
    parser = _Parser()
    spec = parser.compute(node)
    return (spec if not parser.problems else None), parser.problems


def parse_compute_data(data: Any) -> Compute:
    """A spec from plain data (tests, tools); raises ValueError listing the problems."""
    node = yaml.compose(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    spec, problems = parse_compute(node)
    if spec is None:
        raise ValueError("；".join(p.message for p in problems) or "compute 规格无效")
    return spec


# ------------------------------------------------------------------ 下一步 commitments, checked next year

# The periods a commitment is checked by (每月…, 每季度…, 每半年…, 全年…).
PERIODS = {
    "month": "每月 (per month)",
    "quarter": "每季度 (per quarter)",
    "half_year": "每半年 (per half year)",
    "year": "全年 (the year)",
}
COMMITMENT_AGGREGATES = ("count", "count_distinct", "sum")
TARGETS = {
    "at_least": "不少于 N (at least N)",
    "at_most": "不多于 N (at most N)",
    "between": "介于 a 与 b 之间，含两端 (between a and b)",
}
COMMITMENT_KEYS = (*COMMITMENT_AGGREGATES, "per", "date", *TARGETS, "no_data")


@dataclass(frozen=True)
class Target:
    """What every period's value must be: at_least `low`, at_most `high`, or between both (inclusive)."""

    kind: str  # one of TARGETS
    low: int | float | None = None
    high: int | float | None = None

    def holds(self, value: Any) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


@dataclass(frozen=True)
class CommitmentCheck:
    """A parsed `next_year:` spec of a commitment: an aggregate (`compute`, over the next year's clean
    table) per period, placed by the `date` column, that every period must bring within `target`; or
    `no_data`, the reason no ledger records what was promised."""

    compute: Compute | None = None
    per: str = "year"
    date: str = ""
    target: Target | None = None
    no_data: str = ""


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def _commitment(parser: _Parser, node: yaml.Node) -> CommitmentCheck | None:
    items = _mapping(node)
    if items is None:
        parser.add(
            node, f"next_year 应为键值结构，如 {{count: {{table: ...}}, per: month, ...}}，收到 {_value(node)!r}"
        )
        return None
    for key, (key_node, _) in items.items():
        if key in COMMITMENT_KEYS:
            continue
        if key in AGGREGATES or key in ("years", "per_year"):
            parser.add(
                key_node,
                f"next_year 不能用 {key}：承诺在下一年度按期间核对，计算方式只能是 "
                f"{'、'.join(COMMITMENT_AGGREGATES)} 之一 (not for commitments)",
            )
        else:
            parser.add(key_node, f"next_year 中未知项 (unknown key) {key!r}{closest(key, COMMITMENT_KEYS)}")
    if not items:
        if _mapping(node) is not None:
            parser.add(node, "next_year 为空：请写计算规格与目标，或 {no_data: 原因}")
        return None
    if "no_data" in items:
        if len(items) > 1:
            parser.add(node, "next_year 写了 no_data 就不能再写计算规格 (no_data stands alone)")
        reason = parser.text(items["no_data"][1], "no_data（没有台账记录的原因）")
        return CommitmentCheck(no_data=reason) if reason else None
    aggregates = [k for k in items if k in COMMITMENT_AGGREGATES]
    if len(aggregates) != 1:
        if not aggregates and not any(k in AGGREGATES for k in items):
            parser.add(node, f"next_year 缺少计算方式 (missing aggregate)：{'、'.join(COMMITMENT_AGGREGATES)} 之一")
        else:
            parser.add(node, f"next_year 只能有一种计算方式 (one aggregate)，收到 {'、'.join(aggregates)}")
        return None
    key_node, body = items[aggregates[0]]
    # The aggregate alone, parsed by the figures' own spec parser (same checks, same lines); the
    # year is the one after the register's, so `years`/`per_year` have no place here.
    sub = yaml.MappingNode("tag:yaml.org,2002:map", [(key_node, body)], node.start_mark, node.end_mark)
    spec = parser.compute(sub)
    if spec is not None and spec.by:
        parser.add(body, "承诺按期间核对，不能再按列分组 (no `by` in next_year)")
        spec = None
    per = ""
    if "per" not in items:
        parser.add(node, f"next_year 缺少 per (missing key)：{'、'.join(PERIODS)} 之一")
    else:
        per = _value(items["per"][1])
        if per not in PERIODS:
            parser.add(items["per"][1], f"per 应为 {'、'.join(PERIODS)} 之一，收到 {per!r}{closest(per, PERIODS)}")
            per = ""
    date = ""
    if "date" not in items:
        parser.add(node, "next_year 缺少 date (missing key)：哪一列的日期决定一行属于哪个月/季度/半年")
    elif spec is not None and spec.rows is not None:
        column = parser.column(LEDGERS_BY_TABLE[spec.table], items["date"][1])
        if column is not None:
            if column.kind == "date" or (column.kind == "year" and per == "year"):
                date = column.clean_name
            else:
                allowed = "日期列，或 per: year 时的年度列" if per != "year" else "日期列或年度列"
                parser.add(items["date"][1], f"date 应为{allowed}，列 {column.clean_name} 是 {column.kind}")
    target = _target(parser, node, items)
    if spec is None or not per or not date or target is None:
        return None
    return CommitmentCheck(compute=spec, per=per, date=date, target=target)


def _target(parser: _Parser, node: yaml.Node, items: dict[str, tuple[yaml.Node, yaml.Node]]) -> Target | None:
    given = [k for k in items if k in TARGETS]
    if len(given) != 1:
        what = "缺少目标 (missing target)" if not given else "只能有一个目标 (one target)"
        parser.add(node, f"next_year {what}：at_least: N、at_most: N 或 between: [a, b] 之一")
        return None
    kind = given[0]
    value_node = items[kind][1]
    value = _value(value_node)
    if kind == "between":
        if isinstance(value, list) and len(value) == 2 and all(_number(v) for v in value) and value[0] <= value[1]:
            return Target(kind, value[0], value[1])
        parser.add(value_node, f"between 应为 [a, b]，两个不小于 0 的数且 a ≤ b，收到 {value!r}")
        return None
    if not _number(value):
        parser.add(value_node, f"{kind} 应为不小于 0 的数，收到 {value!r}")
        return None
    return Target(kind, low=value) if kind == "at_least" else Target(kind, high=value)


def parse_commitment(node: yaml.Node) -> tuple[CommitmentCheck | None, list[SpecProblem]]:
    """The typed `next_year:` spec of a commitment, and every problem found (spec None if any)."""
    parser = _Parser()
    check = _commitment(parser, node)
    return (check if not parser.problems else None), parser.problems


def parse_commitment_data(data: Any) -> CommitmentCheck:
    """A `next_year:` spec from plain data (tests, tools); raises ValueError listing the problems."""
    node = yaml.compose(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    check, problems = parse_commitment(node)
    if check is None:
        raise ValueError("；".join(p.message for p in problems) or "next_year 规格无效")
    return check
