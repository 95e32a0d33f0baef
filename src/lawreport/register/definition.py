"""The 口径 text of a `compute:` spec, in Chinese, written from the spec so that it cannot disagree with it.

Tables are named by their ledger titles and columns by their headers (lawreport.ledgers), the way
the ledgers' keepers and the reviewers name them.
"""

from __future__ import annotations

from typing import Any

from ..ledgers import LEDGERS_BY_TABLE, Column
from .spec import SOURCE_PSEUDO_COLUMNS, ColumnRef, CommitmentCheck, Compute, Condition, Selection, Target

BEFORE_AFTER = {"<": "早于", "<=": "不晚于", ">": "晚于", ">=": "不早于"}
LESS_MORE = {"<": "小于", "<=": "不大于", ">": "大于", ">=": "不小于"}


def _column(table: str, name: str) -> Column | None:
    ledger = LEDGERS_BY_TABLE.get(table)
    columns = (*ledger.columns, *SOURCE_PSEUDO_COLUMNS) if ledger else SOURCE_PSEUDO_COLUMNS
    return next((c for c in columns if c.clean_name == name), None)


def header(table: str, name: str) -> str:
    """「受理日期」: the column's header as the ledger writes it (a two-level header joined)."""
    column = _column(table, name)
    return f"「{column.header.replace('|', '') if column else name}」"


def title(table: str) -> str:
    ledger = LEDGERS_BY_TABLE.get(table)
    return f"「{ledger.title if ledger else table}」"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "“是”" if value else "“否”"
    if isinstance(value, str):
        return f"“{value}”"
    return f"{value}"


def _month_day(text: str) -> str:
    month, day = text.split("-")
    return f"{int(month)}月{int(day)}日"


def describe_condition(table: str, condition: Condition) -> str:
    name = header(table, condition.column)
    op, value = condition.op, condition.value
    column = _column(table, condition.column)
    is_date = column is not None and column.kind == "date"
    if op == "eq":
        return f"{name}为{_value(value)}"
    if op == "not":
        return f"{name}不为{_value(value)}"
    if op == "in":
        return f"{name}为{'或'.join(_value(v) for v in value)}"
    if op == "not_in":
        return f"{name}不为{'、'.join(_value(v) for v in value)}中任何一个"
    if op == "empty":
        return f"{name}为空" if value else f"{name}不为空"
    if op in BEFORE_AFTER:
        other = header(table, value.name) if isinstance(value, ColumnRef) else _value(value)
        return f"{name}{(BEFORE_AFTER if is_date else LESS_MORE)[op]}{other}"
    if op == "in_year":
        return f"{name}在该年度内"
    if op == "to_year_end":
        return f"{name}不晚于该年度末"
    if op == "from":
        return f"{name}不早于该年{_month_day(value)}"
    if op == "to":
        return f"{name}不晚于该年{_month_day(value)}"
    return f"{name} {op} {value}"


def describe_conditions(table: str, where: tuple[Condition, ...]) -> str:
    return "、且".join(describe_condition(table, c) for c in where)


def _rows(selection: Selection) -> str:
    """「表」中…的行 / 「表」的全部行."""
    if not selection.where:
        return f"{title(selection.table)}的全部行"
    return f"{title(selection.table)}中{describe_conditions(selection.table, selection.where)}的行"


def _scope(spec: Compute) -> str:
    years = spec.years
    if years.mode == "report":
        return "报告年度"
    if years.mode == "all":
        span = "台账所覆盖的每一年度(至报告年度)"
    elif years.n == 2:
        span = "报告年度及上一年度"
    else:
        span = f"报告年度及之前共 {years.n} 个年度"
    return f"{span}分别计算：每年" if spec.per_year else f"{span}合计："


def describe(spec: Compute) -> str:
    """The 口径 of a spec as one Chinese sentence (ends with 。)."""
    if spec.aggregate in ("ratio", "difference"):
        assert spec.left is not None and spec.right is not None
        a, b = (f"「{o.title or o.id}」" for o in (spec.left, spec.right))
        if spec.aggregate == "ratio":
            return f"登记的数字{a} ÷ 登记的数字{b}(两者各按其口径计算)。"
        return f"登记的数字{a} − 登记的数字{b}(两者各按其口径计算)。"
    scope = _scope(spec)
    assert spec.rows is not None
    if spec.aggregate == "rate":
        assert spec.of is not None
        numerator = describe_conditions(spec.table, spec.of.where) or "全部"
        if spec.rows.where:
            base = describe_conditions(spec.table, spec.rows.where)
            text = f"{title(spec.table)}中{base}的行里，{numerator}的行数 ÷ {base}的行数"
        else:
            text = f"{title(spec.table)}中{numerator}的行数 ÷ 全部行数"
        return f"{scope}{text}。"
    rows = _rows(spec.rows)
    if spec.aggregate == "count":
        by = f"，按{header(spec.table, spec.by)}分别计数" if spec.by else ""
        return f"{scope}{rows}数(每行计 1){by}。"
    column = header(spec.table, spec.column)
    if spec.aggregate == "sum":
        return f"{scope}{rows}的{column}之和(空值按 0 计)。"
    if spec.aggregate == "count_distinct":
        return f"{scope}{rows}中{column}不同取值的个数(空值不计)。"
    extreme = "最小值" if spec.aggregate == "min" else "最大值"
    return f"{scope}{rows}中{column}的{extreme}(空值不计)。"


# ------------------------------------------------------------------ 下一步 commitments

PERIOD_UNITS = {"month": "月", "quarter": "季度", "half_year": "半年", "year": "年度"}


def _number(value: Any) -> str:
    return f"{int(value)}" if float(value).is_integer() else f"{value}"


def target_text(target: Target) -> str:
    """不少于 4 / 不多于 2 / 介于 2 与 3 之间(含两端)."""
    if target.kind == "at_least":
        return f"不少于 {_number(target.low)}"
    if target.kind == "at_most":
        return f"不多于 {_number(target.high)}"
    return f"介于 {_number(target.low)} 与 {_number(target.high)} 之间(含两端)"


def target_symbol(target: Target) -> str:
    """≥ 4 / ≤ 2 / 2~3: the target beside each period's value."""
    if target.kind == "at_least":
        return f"≥ {_number(target.low)}"
    if target.kind == "at_most":
        return f"≤ {_number(target.high)}"
    return f"{_number(target.low)}~{_number(target.high)}"


def describe_commitment(check: CommitmentCheck) -> str:
    """The 口径 of a commitment's `next_year:` spec as Chinese sentences (ends with 。)."""
    if check.no_data:
        return f"没有台账记录这项承诺，不能用台账核对：{check.no_data.rstrip('。')}。"
    assert check.compute is not None and check.target is not None
    spec = check.compute
    body = describe(spec).removeprefix("报告年度").removesuffix("。")
    date = header(spec.table, check.date)
    unit = PERIOD_UNITS[check.per]
    target = target_text(check.target)
    amount = {"count": "行数", "count_distinct": "个数", "sum": "合计"}[spec.aggregate]
    if check.per == "year":
        return (
            f"承诺的下一年度(本次核对的年度)全年计算：{body}；只计{date}在该年度内的行；全年{amount}{target}即为落实。"
        )
    return (
        f"承诺的下一年度(本次核对的年度)每个{unit}分别计算：{body}；一行按其{date}所在的{unit}计入，"
        f"{date}为空或不在该年度内的行不计；每个{unit}的{amount}都{target} 才算落实。"
    )
