"""Last year's 下一步 commitments checked against this year's clean ledgers.

Reads the `commitments:` of claims/<year-1>.yaml (each with `text`, a prose `check_next_year` and an
optional `next_year:` spec) and the run year's clean tables; gives one CommitmentResult per
commitment: `met` (every period meets the target), `not_met` (the periods that miss it, with their
values) or `no_data` (no spec, `next_year: {no_data: 原因}`, the table not cleaned this year, or rows
of it quarantined), always with the rows counted per period.

A `next_year:` spec is the figures' `compute:` language (lawreport.register.spec) for one aggregate
(count, count_distinct or sum, with where filters), plus `per` (month, quarter, half_year, year),
`date` (the column that places a row in its period) and a target (at_least, at_most, between):

    next_year:
      count: {table: <表名 table>, where: {<列名 column>: <取值 value>}}
      per: month
      date: <日期列 date column>
      at_least: 4

pandas is imported where a commitment is evaluated, not with this module (reading a register and
its problems does not need it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .definition import describe_commitment, header, target_symbol, target_text, title
from .spec import CommitmentCheck, parse_commitment
from .statuses import COMMITMENT_STATUS_ZH, COMMITMENT_STATUSES

if TYPE_CHECKING:
    import pandas as pd

    from ..metrics.base import CleanData, RowSet
    from .schema import RegisterProblem

HALVES = {1: "上半年", 2: "下半年"}
QUARTERS = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


@dataclass(frozen=True)
class Commitment:
    """One item of a register's `commitments:`, its `next_year:` spec parsed (None: none given, or
    problems, which are in `problems`)."""

    id: str
    text: str
    check_next_year: str = ""
    check: CommitmentCheck | None = None
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class PeriodValue:
    period: str  # 2026-01, 2026-Q1, 2026-H1, 2026
    label: str  # 2026年1月, 2026年第一季度, 2026年上半年, 2026年
    value: int | Decimal
    ok: bool
    row_ids: list[str]


@dataclass
class CommitmentResult:
    commitment: Commitment
    year: int  # the year whose ledgers were read (the year after the register's)
    status: str  # one of COMMITMENT_STATUSES
    definition: str
    periods: list[PeriodValue] = field(default_factory=list)
    counted: list[RowSet] = field(default_factory=list)
    excluded: list[RowSet] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    quarantined: list[dict[str, Any]] = field(default_factory=list)

    @property
    def missed(self) -> list[PeriodValue]:
        return [p for p in self.periods if not p.ok]

    def to_json(self) -> dict[str, Any]:
        check = self.commitment.check
        target = check.target if check is not None else None
        return {
            "id": self.commitment.id,
            "text": self.commitment.text,
            "check_next_year": self.commitment.check_next_year,
            "year": self.year,
            "status": self.status,
            "status_zh": COMMITMENT_STATUS_ZH[self.status],
            "definition": self.definition,
            "per": check.per if check is not None and check.compute is not None else None,
            "target": target_text(target) if target else None,
            "periods": [
                {
                    "period": p.period,
                    "label": p.label,
                    "value": _plain(p.value),
                    "target": target_symbol(target) if target else None,
                    "ok": p.ok,
                    "row_ids": p.row_ids,
                }
                for p in self.periods
            ],
            "reasons": self.reasons,
            "rows": [r.to_dict() for r in self.counted],
            "excluded": [r.to_dict() for r in self.excluded],
            "quarantined_rows": self.quarantined,
        }


def _plain(value: int | Decimal) -> int | float:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return int(value)


# ------------------------------------------------------------------ reading


def commitment_problems(node: yaml.Node) -> list[tuple[int | None, str]]:
    """(line, message) of every problem of one `next_year:` node (the register schema's check)."""
    return [(p.line, p.message) for p in parse_commitment(node)[1]]


def read_commitments(path: Path) -> tuple[list[Commitment], list[RegisterProblem]]:
    """The commitments of a register, each with its parsed `next_year:` spec, and the [P302] problems
    of those specs (file, line, commitment id). The rest of the register is not read."""
    from .schema import LOADER, RegisterProblem

    root = yaml.compose(path.read_text(encoding="utf-8"), Loader=LOADER)
    items = _commitments_node(root)
    commitments: list[Commitment] = []
    problems: list[RegisterProblem] = []
    for node in items:
        if not isinstance(node, yaml.MappingNode):
            continue
        values = {str(k.value): v for k, v in node.value}
        scalar = {k: str(v.value) for k, v in values.items() if isinstance(v, yaml.ScalarNode)}
        commitment_id, text = scalar.get("id", ""), scalar.get("text", "")
        if not text:
            continue
        check, messages = None, []
        if "next_year" in values:
            check, found = parse_commitment(values["next_year"])
            messages = [p.message for p in found]
            problems.extend(RegisterProblem(str(path), p.line, commitment_id, p.message) for p in found)
        commitments.append(Commitment(commitment_id, text, scalar.get("check_next_year", ""), check, tuple(messages)))
    return commitments, problems


def _commitments_node(root: yaml.Node | None) -> list[yaml.Node]:
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if key.value == "commitments" and isinstance(value, yaml.SequenceNode):
            return list(value.value)
    return []


# ------------------------------------------------------------------ evaluating


def period_labels(per: str, year: int) -> list[tuple[int, str, str]]:
    """(key, period, label) of every period of `year`: key 1-12 for months, 1-4 quarters, 1-2 halves."""
    if per == "month":
        return [(m, f"{year}-{m:02d}", f"{year}年{m}月") for m in range(1, 13)]
    if per == "quarter":
        return [(q, f"{year}-Q{q}", f"{year}年{QUARTERS[q]}") for q in range(1, 5)]
    if per == "half_year":
        return [(h, f"{year}-H{h}", f"{year}年{HALVES[h]}") for h in (1, 2)]
    return [(1, str(year), f"{year}年")]


def _period_keys(dates: pd.Series, per: str, year: int) -> pd.Series:
    """The period key of each row (0: no period of `year` — empty, or another year)."""
    import pandas as pd

    if not pd.api.types.is_datetime64_any_dtype(dates):  # a year column (per: year only)
        return (dates == year).fillna(False).astype(int)
    in_year = (dates.dt.year == year).fillna(False)
    month = dates.dt.month.fillna(0).astype(int)
    key = {
        "month": month,
        "quarter": (month - 1) // 3 + 1,
        "half_year": (month - 1) // 6 + 1,
        "year": month * 0 + 1,
    }[per]
    return key.where(in_year, 0).astype(int)


def evaluate_commitment(commitment: Commitment, data: CleanData) -> CommitmentResult:
    """The commitment checked on the clean tables of `data.year` (the year after its register's)."""
    from ..metrics.base import NoData, RowSet, ids
    from .compute import _sum, _tidy, keep_mask, left_out_reason

    year = data.year
    check = commitment.check

    def no_data(definition: str, *reasons: str) -> CommitmentResult:
        return CommitmentResult(commitment, year, "no_data", definition, reasons=list(reasons))

    if check is None:
        if commitment.problems:
            return no_data("", "[P302] next_year 规格有误，未核对：" + "；".join(commitment.problems))
        return no_data("", "登记册没有写 next_year 规格，只有文字说明 (check_next_year)，未用台账核对")
    definition = describe_commitment(check)
    if check.no_data:
        return no_data(definition, f"没有台账记录 (no ledger records it)：{check.no_data}")
    spec, target = check.compute, check.target
    assert spec is not None and spec.rows is not None and target is not None
    try:
        frame = data.table(spec.table, year)
    except NoData as error:
        return no_data(definition, f"{year} 年的清洗数据中没有{title(spec.table)}表 ({error})")
    result = CommitmentResult(commitment, year, "met", definition)
    keep = keep_mask(frame, spec.rows.where, year)
    if (~keep).any():
        result.excluded.append(RowSet(spec.table, year, ids(frame[~keep]), left_out_reason(spec.rows)))
    kept = frame[keep]
    keys = _period_keys(kept[check.date], check.per, year)
    outside = kept[keys == 0]
    if len(outside):
        reason = f"{header(spec.table, check.date)}为空或不在 {year} 年内，不属于任何期间"
        result.excluded.append(RowSet(spec.table, year, ids(outside), reason))
    kept, keys = kept[keys != 0], keys[keys != 0]
    column = spec.column
    if column and kept[column].isna().any():
        empty = kept[kept[column].isna()]
        note = "按 0 计" if spec.aggregate == "sum" else "不计"
        result.excluded.append(RowSet(spec.table, year, ids(empty), f"{header(spec.table, column)}为空，{note}"))
        if spec.aggregate == "count_distinct":
            kept, keys = kept[kept[column].notna()], keys[kept[column].notna()]
    result.counted.append(RowSet(spec.table, year, ids(kept)))
    for key, period, label in period_labels(check.per, year):
        rows = kept[keys == key]
        value: int | Decimal
        if spec.aggregate == "count":
            value = len(rows)
        elif spec.aggregate == "count_distinct":
            value = int(rows[column].nunique())
        else:
            value = _tidy(_sum(rows, column))
        result.periods.append(PeriodValue(period, label, value, target.holds(value), ids(rows)))
    missed = result.missed
    if missed:
        result.status = "not_met"
        result.reasons = [
            f"{p.label}：{_plain(p.value)}，未达到{target_text(target)} (misses the target)" for p in missed
        ]
    result.quarantined = data.quarantined_rows({f"{spec.table}/{year}"})
    if result.quarantined:
        # Whether every period meets the target is a claim on every row: a row set aside could
        # change it either way, so it is not judged (as P306 does for universal figures).
        places = "、".join(sorted({f"{q['file']} {q['sheet']} 第{q['row']}行" for q in result.quarantined})[:5])
        result.status = "no_data"
        result.reasons.append(
            f"[P306] 所依据的{title(spec.table)}表有 {len(result.quarantined)} 行被隔离，不能判定是否落实："
            f"{places}。请修正这些行后重新运行。"
        )
    return result


def check_commitments(register_path: Path, data: CleanData) -> list[CommitmentResult] | None:
    """The commitments of `register_path` (last year's register) checked on `data` (this year's
    clean tables); None when that register does not exist or lists no commitments."""
    if not register_path.is_file():
        return None
    commitments, _ = read_commitments(register_path)
    if not commitments:
        return None
    return [evaluate_commitment(c, data) for c in commitments]


def commitment_counts(results: list[CommitmentResult]) -> dict[str, int]:
    return {s: sum(1 for r in results if r.status == s) for s in COMMITMENT_STATUSES}


def counts_text(counts: dict[str, int]) -> str:
    """已落实 1，未落实 1，无数据 4."""
    return "，".join(f"{COMMITMENT_STATUS_ZH[s]} {counts.get(s, 0)}" for s in COMMITMENT_STATUSES)
