"""Evaluate a `compute:` spec on clean tables: the same MetricResult (value and lineage) a Python metric gives.

Rules every spec follows (the README states them for analysts):
- a table of year Y is data/clean/Y/<table>.parquet; `years` says which Y are read, and a year that
  is needed but not cleaned is NoData, never zero;
- a row is kept when it satisfies every condition of `where`; an empty value satisfies no condition
  except `empty: true`; the rows left out are recorded with the spec's `excluded_as` (or a reason
  written from the conditions);
- a sum adds each amount as the decimal it was written as; an empty amount counts as 0 and its rows
  are listed ("「column」为空，按 0 计").
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pandas as pd

from ..metrics.base import METRICS, CleanData, MetricResult, NoData, RowSet, ids
from .definition import describe_conditions
from .spec import ColumnRef, Compute, Condition, Operand, Selection

COMPARE: dict[str, Callable[[pd.Series, object], pd.Series]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def condition_mask(frame: pd.DataFrame, condition: Condition, year: int) -> pd.Series:
    """Rows of `frame` (a table of `year`) that satisfy one condition; empty values never do, but for `empty`."""
    values = frame[condition.column]
    op, value = condition.op, condition.value
    if op == "empty":
        return values.isna() if value else values.notna()
    if op == "eq":
        mask = values == value
    elif op == "not":
        mask = values != value
    elif op == "in":
        mask = values.isin(list(value))
    elif op == "not_in":
        mask = ~values.isin(list(value))
    elif op in COMPARE:
        other = frame[value.name] if isinstance(value, ColumnRef) else value
        mask = COMPARE[op](values, other)
    elif op == "in_year":
        mask = values.dt.year == year
    elif op == "to_year_end":
        mask = values.dt.year <= year
    elif op == "from":
        mask = values >= pd.Timestamp(f"{year}-{value}")
    elif op == "to":
        mask = values <= pd.Timestamp(f"{year}-{value}")
    else:  # pragma: no cover - the parser admits no other operator
        raise ValueError(f"unknown operator {op!r}")
    return mask.fillna(False).astype(bool) & values.notna()


def keep_mask(frame: pd.DataFrame, where: tuple[Condition, ...], year: int) -> pd.Series:
    mask = pd.Series(True, index=frame.index, dtype=bool)
    for condition in where:
        mask &= condition_mask(frame, condition, year)
    return mask


def left_out_reason(selection: Selection, default: str = "") -> str:
    if selection.excluded_as:
        return selection.excluded_as
    return default or f"不满足条件：{describe_conditions(selection.table, selection.where)}"


def _years(spec: Compute, data: CleanData) -> list[int]:
    table = spec.table
    if spec.years.mode == "report":
        return [data.year]
    present = data.years_with(table)
    if spec.years.mode == "all":
        if data.year not in present:
            raise NoData(f"报告年度 {data.year} 没有清洗后的「{table}」表 (no clean table {table} for {data.year})")
        return present
    wanted = list(range(data.year - spec.years.n + 1, data.year + 1))
    missing = [y for y in wanted if y not in present]
    if missing:
        raise NoData(f"需要 {'、'.join(map(str, missing))} 年的「{table}」表 (no clean table {table} for {missing})")
    return wanted


def _select(data: CleanData, selection: Selection, year: int, result: MetricResult) -> pd.DataFrame:
    frame = data.table(selection.table, year)
    mask = keep_mask(frame, selection.where, year)
    kept, dropped = frame[mask], frame[~mask]
    result.add_source(selection.table, year, frame)
    result.counted.append(RowSet(selection.table, year, ids(kept)))
    if len(dropped):
        result.excluded.append(RowSet(selection.table, year, ids(dropped), left_out_reason(selection)))
    return kept


def _decimal(value: object) -> Decimal:
    # Each amount as the decimal it was written as (a float's shortest repr), summed exactly.
    return Decimal(repr(float(value)))  # type: ignore[arg-type]


def _tidy(total: Decimal) -> Decimal:
    total = total.normalize()
    return total.quantize(Decimal(1)) if total == total.to_integral_value() else total


def _sum(kept: pd.DataFrame, column: str) -> Decimal:
    return sum((_decimal(v) for v in kept[column].dropna()), Decimal(0))


def _rate(data: CleanData, spec: Compute, year: int, result: MetricResult) -> tuple[int, int]:
    assert spec.rows is not None and spec.of is not None
    frame = data.table(spec.rows.table, year)
    result.add_source(spec.rows.table, year, frame)
    in_base = keep_mask(frame, spec.rows.where, year)
    if (~in_base).any():
        reason = left_out_reason(spec.rows, f"不计入分母：不满足 {describe_conditions(spec.table, spec.rows.where)}")
        result.excluded.append(RowSet(spec.rows.table, year, ids(frame[~in_base]), reason))
    frame = frame[in_base]
    hit = keep_mask(frame, spec.of.where, year)
    result.counted.append(RowSet(spec.rows.table, year, ids(frame[hit])))
    if (~hit).any():
        reason = left_out_reason(spec.of, f"不计入分子：不满足 {describe_conditions(spec.table, spec.of.where)}")
        result.excluded.append(RowSet(spec.rows.table, year, ids(frame[~hit]), reason))
    return int(hit.sum()), len(frame)


def _percent(k: int, n: int) -> Decimal:
    return Decimal(k) / Decimal(n) * 100 if n else Decimal(0)


def _one_year(data: CleanData, spec: Compute, year: int, result: MetricResult) -> object:
    """The aggregate over one year's table: an int, a Decimal, a (k, n) pair or a dict per key."""
    if spec.aggregate == "rate":
        return _rate(data, spec, year, result)
    assert spec.rows is not None
    kept = _select(data, spec.rows, year, result)
    if spec.aggregate == "count":
        if spec.by:
            return {str(k): int(v) for k, v in kept.groupby(spec.by).size().items()}
        return len(kept)
    column = spec.column
    empty = kept[kept[column].isna()]
    if spec.aggregate == "sum":
        if len(empty):
            result.excluded.append(RowSet(spec.table, year, ids(empty), f"「{column}」为空，按 0 计"))
        return _sum(kept, column)
    if len(empty):
        # The rows stay out of the value: move them from counted to excluded.
        result.counted[-1] = RowSet(spec.table, year, ids(kept[kept[column].notna()]))
        result.excluded.append(RowSet(spec.table, year, ids(empty), f"「{column}」为空，不计"))
    present = kept[column].dropna()
    if spec.aggregate == "count_distinct":
        return int(present.nunique())
    if present.empty:
        raise NoData(f"「{spec.table}」中没有可取{'最小' if spec.aggregate == 'min' else '最大'}值的行 (no rows)")
    chosen = present.min() if spec.aggregate == "min" else present.max()
    return _tidy(_decimal(chosen))


def _evaluate_spec(spec: Compute, data: CleanData) -> MetricResult:
    years = _years(spec, data)
    result = MetricResult(kind="count", value=0)
    values = {year: _one_year(data, spec, year, result) for year in years}
    if spec.aggregate == "rate":
        k, n = values[data.year]  # type: ignore[misc]
        result.numerator, result.denominator, result.value = k, n, _percent(k, n)
        result.kind = "rate"
        if spec.per_year:
            result.kind = "rate_by_year"
            result.by_year = dict(values)
        return result
    if spec.by:
        result.kind, result.value = "by_key", values[data.year]  # type: ignore[assignment]
        return result
    amount = spec.aggregate in ("sum", "min", "max")
    if spec.per_year:
        result.kind = "by_year"
        result.by_year = {y: (int(v) if amount else v) for y, v in values.items()}  # type: ignore[call-overload]
        result.value = {str(y): v for y, v in result.by_year.items()}
        return result
    total = sum(values.values(), Decimal(0) if amount else 0)  # type: ignore[arg-type]
    result.kind = "amount" if amount else "count"
    result.value = _tidy(total) if amount else total  # type: ignore[arg-type]
    if len(years) > 1:
        result.by_year = dict(values)
    return result


def evaluate_operand(operand: Operand, data: CleanData) -> MetricResult:
    if operand.compute is not None:
        return evaluate(operand.compute, data)
    return METRICS[operand.metric](data)


def _number(result: MetricResult, operand: Operand) -> Decimal:
    if result.kind == "rate":
        return Decimal(result.value)  # type: ignore[arg-type]
    if isinstance(result.value, int | Decimal) and not isinstance(result.value, bool):
        return Decimal(result.value)
    raise NoData(f"「{operand.title or operand.id}」不是单个数值，不能用于比或差 (not a single number)")


def _combine(spec: Compute, data: CleanData) -> MetricResult:
    assert spec.left is not None and spec.right is not None
    left, right = evaluate_operand(spec.left, data), evaluate_operand(spec.right, data)
    a, b = _number(left, spec.left), _number(right, spec.right)
    result = MetricResult(kind="count", value=0)
    result.sources = {**right.sources, **left.sources}
    result.counted = list(left.counted)
    result.excluded = list(left.excluded)
    # The other figure's rows are evidence too: listed as excluded with their role.
    role = "分母" if spec.aggregate == "ratio" else "减数"
    for rowset in right.counted:
        result.excluded.append(
            RowSet(rowset.table, rowset.year, rowset.row_ids, f"作为{role}「{spec.right.title or spec.right.id}」计入")
        )
    if spec.aggregate == "ratio":
        integral = all(isinstance(r.value, int) and r.kind == "count" for r in (left, right))
        result.kind = "rate"
        if integral:
            result.numerator, result.denominator = int(a), int(b)
        if b == 0:
            raise NoData(f"「{spec.right.title or spec.right.id}」为 0，比值无法计算 (division by zero)")
        result.value = a / b * 100
        return result
    difference = a - b
    result.kind = "count" if difference == difference.to_integral_value() and left.kind == "count" else "amount"
    result.value = int(difference) if result.kind == "count" else _tidy(difference)
    return result


def evaluate(spec: Compute, data: CleanData) -> MetricResult:
    """The figure a spec describes, computed from the clean tables of `data`, with its lineage."""
    if spec.aggregate in ("ratio", "difference"):
        return _combine(spec, data)
    return _evaluate_spec(spec, data)
