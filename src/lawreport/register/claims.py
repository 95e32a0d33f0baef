"""The register of a report's figures, and their verification against clean data.

Reads claims/<year>.yaml and the report text; computes each figure on clean data — from its
`compute:` spec (lawreport.register) or with its Python metric (lawreport.metrics); applies
the wording rule (lawreport.text.wording) and the data-independent consistency checks
(lawreport.register.consistency); returns one FigureResult per figure with its status:
`match`, `mismatch`, `inconsistent` (the report cannot hold the figure, whatever the ledgers say)
or `no_data`. Statuses are computed, never written by hand.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ..text.scan import NumberMention, scan_numbers
from ..text.wording import (
    COUNT_KINDS,
    POINTS_KINDS,
    Figure,
    FigureError,
    Kind,
    NotComputable,
    check_change,
    check_count,
    check_points,
    check_rank,
    check_rank_first,
    check_rate,
    check_rate_series,
    check_rising,
    check_series_zero,
    parse_figure,
    round_half_up,
)
from . import Compute, consistency, describe
from .spec import Operand
from .statuses import STATUS_ZH, STATUSES  # noqa: F401 (STATUSES re-exported)

if TYPE_CHECKING:
    from ..metrics import CleanData, MetricResult
    from ..run.figures_kept import KeptFigures
    from .schema import RegisterProblem

# The metrics (and pandas, which they use) are imported where a figure is computed, not here: the
# register is read and checked (`lawreport register check`, the run's preflight) without them.


class RegisterError(ValueError):
    """The register does not fit the report text or the metrics."""


@dataclass(frozen=True)
class FigureEntry:
    """One figure of the register. It is computed either by a `compute:` spec (then `metric` is the
    spec's label, compute.<aggregate>, and `definition` is written from the spec) or by the Python
    metric named in `metric`, with its 口径 written by hand in `definition`."""

    id: str
    quote: str
    written: str
    metric: str = ""
    definition: str = ""
    # Short Chinese name (信访事项受理数): the card title and what `explain --list` prints. Optional, so
    # that a register written before names existed still loads; without it the id stands in.
    name: str = ""
    wording: str = ""
    qualifier: str = ""
    also_covers: tuple[str, ...] = ()
    each: tuple[str, ...] = ()
    numerator_figure: str = ""
    denominator_figure: str = ""
    compute: Compute | None = None
    # A finding reviewed and accepted: {status: inconsistent, reason: …}. Shown with its reason; it
    # does not fail the run while the computed status is that status (lawreport.run.summary).
    acknowledged: dict[str, str] | None = None

    @property
    def figure(self) -> Figure:
        return parse_figure(self.written, self.qualifier)

    @property
    def title(self) -> str:
        """The Chinese name, or the id when the register gives none."""
        return self.name or self.id


@dataclass(frozen=True)
class Register:
    unit: str
    year: int
    report_path: Path
    figures: tuple[FigureEntry, ...]
    not_statistics: tuple[dict[str, str], ...]
    commitments: tuple[dict[str, str], ...]
    relations: tuple[dict[str, str], ...]

    def entry(self, figure_id: str) -> FigureEntry:
        for entry in self.figures:
            if entry.id == figure_id:
                return entry
        raise KeyError(f"登记册中没有数字 {figure_id!r} (no such figure id)")

    @property
    def report_text(self) -> str:
        return self.report_path.read_text(encoding="utf-8")


def load_register(
    path: Path, report_path: Path | None = None, year: int | None = None, known_metrics: list[str] | None = None
) -> Register:
    """Read and check claims/<year>.yaml; the report text is the year's raw report.txt unless given;
    `known_metrics` as read_register takes them.

    Raises RegisterError listing every problem (file, line, entry id, closest valid name) at once:
    YAML syntax, unknown or missing keys, unknown metrics, wordings that cannot be parsed, quotes not
    in the report text, dangling references, and numbers of the text no entry accounts for.
    """
    if not path.exists():
        raise RegisterError(f"没有 {path.name} 数字登记册 (no register of the report's figures): {path}")
    register, problems = read_register(path, report_path, year, known_metrics=known_metrics)
    if register is None or problems:
        raise RegisterError(_problem_text(path, problems))
    return register


def read_register(
    path: Path,
    report_path: Path | None = None,
    year: int | None = None,
    *,
    known_metrics: list[str] | None = None,
    keep_going: bool = False,
) -> tuple[Register | None, list[RegisterProblem]]:
    """The register and every problem load_register reports, without raising.

    By default it stops where load_register stops (the register is None after schema problems).
    `keep_going` (lawreport register check) goes on past them, building the entries that can be
    built, and leaves the numbers no entry accounts for to the caller (unaccounted_numbers).
    `known_metrics`: the metric names (default: lawreport.metrics, which imports pandas).
    """
    from .schema import RegisterProblem, check_register_data, figure_field_names

    if known_metrics is None:
        from ..metrics import METRICS

        known_metrics = sorted(METRICS)
    entry_fields = figure_field_names(FigureEntry)
    data, problems = check_register_data(path, known_metrics, entry_fields)
    if data is None or (problems and not keep_going):
        return None, problems
    lines = _entry_lines(path)
    if year is not None and data.get("year") != year:
        problems.append(
            RegisterProblem(str(path), lines.get("year"), "", f"year 为 {data.get('year')}，运行年度为 {year}")
        )
    root = path.resolve().parents[1]
    figures = []
    raw_figures = data.get("figures")
    for raw in raw_figures if isinstance(raw_figures, list) else ():
        raw = _buildable_entry(raw, entry_fields) if keep_going else dict(raw)
        if raw is None:
            continue  # its problems are reported by the schema check
        for key in ("also_covers", "each"):
            raw[key] = tuple(raw.get(key) or ())
        entry = FigureEntry(**raw)
        try:
            entry.figure  # noqa: B018 - parsing the wording is the check
        except FigureError as error:
            problems.append(
                RegisterProblem(str(path), lines.get(entry.id), entry.id, f"写法无法解析 (wording): {error}")
            )
        else:
            misfit = spec_misfit(entry)
            if misfit:
                problems.append(RegisterProblem(str(path), lines.get(entry.id), entry.id, misfit))
        figures.append(entry)
    figures, cycles = _resolve_specs(figures)
    problems.extend(RegisterProblem(str(path), lines.get(i), i, message) for i, message in cycles)
    if report_path is None:
        report_path = Path(str(data.get("report") or ""))
        report_path = report_path if report_path.is_absolute() else root / report_path
    register = Register(
        unit=str(data.get("unit", "")),
        year=data["year"] if isinstance(data.get("year"), int) else (year or 0),
        report_path=report_path,
        figures=tuple(figures),
        not_statistics=_text_items(data.get("not_statistics"), keep_going),
        commitments=_text_items(data.get("commitments"), keep_going),
        # keep_going is for the text checks, which do not read relations (the schema check did)
        relations=tuple(data.get("relations") or ()) if not keep_going else (),
    )
    if not report_path.is_file():
        problems.append(RegisterProblem(str(path), None, "", f"找不到报告原文 (report text not found): {report_path}"))
    else:
        try:
            text = register.report_text
        except UnicodeDecodeError as error:
            problems.append(
                RegisterProblem(str(path), None, "", f"报告原文不是 UTF-8 (report not UTF-8): {error.reason}")
            )
        else:
            problems.extend(_text_problems(register, text, str(path), lines, numbers=not keep_going))
    return register, problems


def _buildable_entry(raw: Any, entry_fields: list[str]) -> dict[str, Any] | None:
    """For keep_going: the entry's known keys with values of the right type, or None when its id,
    quote or written is missing (the schema check has reported what was left out)."""
    if not isinstance(raw, dict) or not all(isinstance(raw.get(k), str) and raw[k] for k in ("id", "quote", "written")):
        return None
    kept: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in entry_fields or value is None:
            continue
        if key == "compute":
            kept[key] = value if isinstance(value, Compute) else None
        elif key in ("also_covers", "each"):
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                kept[key] = value
        elif isinstance(value, str):
            kept[key] = value
    return kept


def _text_items(items: Any, keep_going: bool) -> tuple[dict[str, str], ...]:
    if not keep_going:
        return tuple(items or ())
    if not isinstance(items, list):
        return ()
    return tuple(i for i in items if isinstance(i, dict) and isinstance(i.get("text"), str) and i["text"])


def acknowledgements(path: Path) -> dict[str, tuple[str, str]]:
    """Figure id -> (status, reason) of the register's `acknowledged:` findings (none if the file
    cannot be read: the run's preflight has already refused such a register)."""
    import yaml

    from .schema import LOADER

    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    figures = data.get("figures") if isinstance(data, dict) else None
    found = {}
    for figure in figures if isinstance(figures, list) else ():
        given = figure.get("acknowledged") if isinstance(figure, dict) else None
        if isinstance(given, dict) and "id" in figure and {"status", "reason"} <= set(given):
            found[str(figure["id"])] = (str(given["status"]), str(given["reason"]))
    return found


def spec_misfit(entry: FigureEntry) -> str:
    """Why a spec cannot give what the entry's wording needs ("" when it can), e.g. 持续保持100% needs
    a rate per year; 位居第一 is left to a Python metric."""
    spec = entry.compute
    if spec is None:
        return ""
    kind = entry.figure.kind
    shape = ("per_year " if spec.per_year else "") + spec.aggregate + (" by" if spec.by else "")
    need = ""
    if kind in (Kind.RANK_FIRST, Kind.RANK):
        need = "排名(位居第一、位列第N)须由 Python 指标计算 (ranks need a metric)"
    elif kind in (Kind.STEADY_PERCENT, Kind.RISING) or kind in POINTS_KINDS:
        if not (spec.aggregate == "rate" and spec.per_year):
            need = "需要逐年的比率 (rate with per_year: true)"
    elif kind == Kind.PERCENT:
        if spec.aggregate not in ("rate", "ratio") or spec.per_year:
            need = "需要比率 (rate, or ratio of two figures)"
    elif kind in (Kind.YOY_DECREASE, Kind.YOY_INCREASE, Kind.ZERO_STREAK):
        if not (spec.aggregate in ("count", "sum") and spec.per_year and not spec.by):
            need = "需要逐年的计数或求和 (count or sum with per_year: true)"
    elif entry.each:
        if not (spec.aggregate == "count" and spec.by):
            need = "each 需要按列分组计数 (count with by: column)"
    elif spec.aggregate == "rate" or spec.per_year or spec.by:
        need = "需要单个数值 (a single count, sum, distinct count, min/max, or difference)"
    if not need:
        return ""
    return f"写法 {entry.written!r} 与计算规格不符 (spec does not fit the wording)：{need}；compute 给出的是 {shape}"


def _resolve_specs(figures: list[FigureEntry]) -> tuple[list[FigureEntry], list[tuple[str, str]]]:
    """Fill in the figures a ratio or difference uses, then write each spec's label and 口径.
    Returns the entries and (entry id, message) for references that go round in a circle."""
    by_id = {e.id: e for e in figures}
    done: dict[str, Compute | None] = {}
    problems: list[tuple[str, str]] = []

    def resolved(figure_id: str, visiting: tuple[str, ...]) -> Compute | None:
        entry = by_id.get(figure_id)
        if entry is None or entry.compute is None:
            return None
        if figure_id in done:
            return done[figure_id]
        if figure_id in visiting:
            chain = " → ".join((*visiting, figure_id))
            problems.append((visiting[0], f"compute 引用成环 (circular reference)：{chain}"))
            return None
        spec = entry.compute
        operands = []
        for operand in spec.operands():
            other = by_id.get(operand.id)
            if other is None:
                return None  # reported by the schema check with the closest id
            operands.append(
                Operand(operand.id, other.title, resolved(operand.id, (*visiting, figure_id)), other.metric)
            )
        if operands:
            spec = replace(spec, left=operands[0], right=operands[1])
        done[figure_id] = spec
        return spec

    out = []
    for entry in figures:
        if entry.compute is None:
            out.append(entry)
            continue
        spec = resolved(entry.id, ())
        spec = spec or entry.compute
        out.append(replace(entry, compute=spec, metric=spec.label, definition=describe(spec)))
    return out, problems


def _problem_text(path: Path, problems: list[Any]) -> str:
    return f"数字登记册有 {len(problems)} 个问题 (invalid register)，未启动任何计算：{path}\n" + "\n".join(
        f"  {p}" for p in problems
    )


def _entry_lines(path: Path) -> dict[str, int]:
    """Line of each figure entry (by id) and of the top-level keys, for messages."""
    lines: dict[str, int] = {}
    from .schema import LOADER

    root = yaml.compose(path.read_text(encoding="utf-8"), Loader=LOADER)
    for key, value in root.value if isinstance(root, yaml.MappingNode) else []:
        lines[str(key.value)] = key.start_mark.line + 1
        if key.value == "figures" and isinstance(value, yaml.SequenceNode):
            for item in value.value:
                for k, v in item.value if isinstance(item, yaml.MappingNode) else []:
                    if k.value == "id":
                        lines[str(v.value)] = item.start_mark.line + 1
    return lines


def _text_problems(register: Register, text: str, name: str, lines: dict[str, int], numbers: bool = True) -> list[Any]:
    """Quotes and wordings not found in the text, and (`numbers`) numbers of the text no entry
    accounts for."""
    from .schema import RegisterProblem

    problems = []
    for entry in register.figures:
        where = lines.get(entry.id)
        start = text.find(entry.quote)
        if start < 0:
            problems.append(
                RegisterProblem(name, where, entry.id, f"报告中找不到引文 (quote not in the report): {entry.quote}")
            )
            continue
        for written in (entry.written, *entry.also_covers):
            if text.find(written, start, start + len(entry.quote)) < 0:
                problems.append(RegisterProblem(name, where, entry.id, f"引文中找不到数字写法 {written!r}"))
    for key, items in (("not_statistics", register.not_statistics), ("commitments", register.commitments)):
        for item in items:
            if item["text"] not in text:
                problems.append(
                    RegisterProblem(
                        name, lines.get(key), str(item.get("id", "")), f"{key}：报告中找不到 {item['text']!r}"
                    )
                )
    if numbers and not problems:
        for mention in unaccounted_numbers(register):
            line = text.count("\n", 0, mention.start) + 1
            problems.append(
                RegisterProblem(
                    name,
                    None,
                    "",
                    f"报告第{line}行的数字 {mention.text!r} 未登记，也未列为非统计数字 (number unaccounted for)；"
                    "请在 figures 中登记，或在 not_statistics 中说明",
                )
            )
    return problems


# ------------------------------------------------------------------ the register against the text


def quote_span(text: str, quote: str) -> tuple[int, int]:
    start = text.find(quote)
    if start < 0:
        raise RegisterError(f"报告中找不到引文 (quote not found): {quote}")
    return start, start + len(quote)


def covered_spans(register: Register, text: str) -> list[tuple[int, int, str]]:
    """Spans of the text accounted for: each figure as written inside its quote (and what it also
    covers), each non-statistic and each commitment text."""
    spans = []
    for entry in register.figures:
        q0, q1 = quote_span(text, entry.quote)
        for written in (entry.written, *entry.also_covers):
            offset = text.find(written, q0, q1)
            if offset < 0:
                raise RegisterError(f"{entry.id}: 引文中找不到数字写法 {written!r}")
            spans.append((offset, offset + len(written), entry.id))
    for item in (*register.not_statistics, *register.commitments):
        start = 0
        found = False
        while (start := text.find(item["text"], start)) >= 0:
            spans.append((start, start + len(item["text"]), item.get("id", "not_statistic")))
            start += 1
            found = True
        if not found:
            raise RegisterError(f"报告中找不到 {item['text']!r}")
    return spans


def unaccounted_numbers(register: Register) -> list[NumberMention]:
    """Every number mention of the report that no register entry or non-statistic accounts for."""
    text = register.report_text
    spans = covered_spans(register, text)
    return [m for m in scan_numbers(text) if not any(a <= m.start and m.end <= b for a, b, _ in spans)]


# ------------------------------------------------------------------ verification


@dataclass
class FigureResult:
    entry: FigureEntry
    status: str
    rule: str
    computed: str
    computed_value: Any = None
    reasons: list[str] = field(default_factory=list)
    metric_result: MetricResult | None = None
    quarantined: list[dict[str, Any]] = field(default_factory=list)  # rows of its tables the clean step set aside
    summed_column: str = ""  # the clean column the figure sums over its counted rows ("" when it counts rows)

    def sources(self) -> dict[str, Any]:
        result = self.metric_result
        if result is None:
            return {"tables": {}, "rows_counted": 0, "rows_excluded": 0}
        return {
            "tables": dict(sorted(result.sources.items())),
            "rows_counted": sum(len(r.row_ids) for r in result.counted),
            "rows_excluded": sum(len(r.row_ids) for r in result.excluded),
            "summed_column": self.summed_column,
            "lineage": f"lineage/{self.entry.id}.json",
        }

    def to_json(self) -> dict[str, Any]:
        entry = self.entry
        return {
            "id": entry.id,
            "name": entry.name,
            "quote": entry.quote,
            "reported": entry.written,
            "wording": entry.wording,
            "rule": self.rule,
            "computed": self.computed,
            "computed_value": self.computed_value,
            "status": self.status,
            "status_zh": STATUS_ZH[self.status],
            "reasons": self.reasons,
            "metric": entry.metric,
            "definition": entry.definition,
            "sources": self.sources(),
            "quarantined_rows": self.quarantined,
        }

    def lineage(self) -> dict[str, Any]:
        result = self.metric_result
        return {
            "id": self.entry.id,
            "metric": self.entry.metric,
            "summed_column": self.summed_column,
            "counted": [r.to_dict() for r in result.counted] if result else [],
            "excluded": [r.to_dict() for r in result.excluded] if result else [],
        }


def _fmt(value: Decimal | int) -> str:
    value = Decimal(value)
    return f"{value.normalize():f}" if value != value.to_integral_value() else f"{int(value)}"


def _rate_text(k: int, n: int, decimals: int) -> str:
    shown = round_half_up(Decimal(k) / Decimal(n) * 100, decimals) if n else Decimal(0)
    return f"{shown}%({k}/{n})"


def _ranks_cover_each(entry: FigureEntry, ranks: Any) -> None:
    """A rank claim over the indicators of `each` needs every one of them in the notice: a name the
    notice lacks (a typo, an indicator renamed) would otherwise be skipped and the claim judged on
    the others."""
    import difflib

    missing = [name for name in entry.each if not isinstance(ranks, dict) or name not in ranks]
    if missing:
        known = sorted(ranks) if isinstance(ranks, dict) else []
        hints = "；".join(
            f"「{m}」" + (f"，是否应为「{near[0]}」" if (near := difflib.get_close_matches(m, known, n=1)) else "")
            for m in missing
        )
        raise NotComputable(f"each 所列指标在通报中没有 (indicator not in the notice)：{hints}")


def _judge(entry: FigureEntry, figure: Figure, result: MetricResult) -> tuple[bool, str, Any]:
    """Apply the wording rule to the metric's result: (holds, computed as shown, computed value)."""
    kind = figure.kind
    decimals = figure.decimals or 0
    if kind in (Kind.PERCENT,) and result.numerator is not None and result.denominator is not None:
        k, n = result.numerator, result.denominator
        return check_rate(figure, k, n), _rate_text(k, n, decimals), {"numerator": k, "denominator": n}
    if kind == Kind.STEADY_PERCENT:
        series = {int(y): tuple(v) for y, v in result.by_year.items()}
        shown = "；".join(f"{y}年 {_rate_text(k, n, decimals)}" for y, (k, n) in sorted(series.items()))
        return check_rate_series(figure, series), shown, {str(y): list(v) for y, v in series.items()}
    if kind in (Kind.YOY_DECREASE, Kind.YOY_INCREASE):
        years = sorted(result.by_year)
        previous, current = result.by_year[years[-2]], result.by_year[years[-1]]
        change = (
            (Decimal(previous) - Decimal(current))
            if kind == Kind.YOY_DECREASE
            else (Decimal(current) - Decimal(previous))
        )
        pct = round_half_up(change / Decimal(previous) * 100, decimals) if previous else None
        verb = "下降" if kind == Kind.YOY_DECREASE else "上升"
        shown = f"{years[-2]}年 {previous} → {years[-1]}年 {current}，{verb} {pct}%"
        return check_change(figure, previous, current), shown, {str(y): result.by_year[y] for y in years}
    if kind == Kind.ZERO_STREAK:
        series = {int(y): int(v) for y, v in result.by_year.items()}
        shown = "；".join(f"{y}年 {v} 件" for y, v in sorted(series.items()))
        return check_series_zero(figure, series), shown, {str(y): v for y, v in series.items()}
    if kind == Kind.RISING:
        series = {int(y): Decimal(k) / Decimal(n) for y, (k, n) in result.by_year.items() if n}
        shown = "；".join(f"{y}年 {_rate_text(k, n, 2)}" for y, (k, n) in sorted(result.by_year.items()))
        return check_rising(series), shown, {str(y): list(v) for y, v in result.by_year.items()}
    if kind in (Kind.RANK_FIRST, Kind.RANK):
        _ranks_cover_each(entry, result.value)
    if kind == Kind.RANK_FIRST:
        ranks = result.value
        assert isinstance(ranks, dict)
        ranks = {k: v for k, v in ranks.items() if not entry.each or k in entry.each}
        holds = check_rank_first({k: v["recomputed"] for k, v in ranks.items()}) and check_rank_first(
            {k: v["published"] for k, v in ranks.items()}
        )
        shown = "；".join(f"{k} 第{v['recomputed']}(通报第{v['published']})" for k, v in ranks.items())
        return holds, shown, ranks
    if kind == Kind.RANK:
        ranks = result.value
        assert isinstance(ranks, dict)
        chosen = {k: v for k, v in ranks.items() if not entry.each or k in entry.each}
        holds = check_rank(figure, {k: v["recomputed"] for k, v in chosen.items()}) and check_rank(
            figure, {k: v["published"] for k, v in chosen.items()}
        )
        shown = "；".join(f"{k} 第{v['recomputed']}(通报第{v['published']})" for k, v in chosen.items())
        return holds, shown, chosen
    if kind in POINTS_KINDS:
        years = sorted(result.by_year)
        if len(years) < 2:
            raise NotComputable("比上年提高/下降 N个百分点 需要本年和上年两年的比率")
        previous, current = tuple(result.by_year[years[-2]]), tuple(result.by_year[years[-1]])
        shown = (
            f"{years[-2]}年 {_rate_text(*previous, decimals + 2)} → {years[-1]}年 {_rate_text(*current, decimals + 2)}"
        )
        return check_points(figure, previous, current), shown, {str(y): list(result.by_year[y]) for y in years}
    if entry.each:
        counts = result.value
        assert isinstance(counts, dict)
        values = {name: int(counts.get(name, 0)) for name in entry.each}
        shown = "；".join(f"{k} {v}" for k, v in values.items())
        return all(check_count(figure, v) for v in values.values()), shown, values
    if isinstance(result.value, (int, Decimal)):
        return check_count(figure, result.value), _fmt(result.value), _fmt(result.value)
    raise RegisterError(f"{entry.id}: 指标 {entry.metric} 的结果类型 {result.kind} 与写法 {figure.kind} 不匹配")


def consistency_problems(register: Register) -> dict[str, list[str]]:
    """Data-independent checks of the reported figures: attainable percentages, relations."""
    problems: dict[str, list[str]] = {}
    by_id = {e.id: e for e in register.figures}
    for entry in register.figures:
        figure = entry.figure
        if figure.kind not in (Kind.PERCENT, Kind.STEADY_PERCENT) or not entry.denominator_figure:
            continue
        denominator = by_id[entry.denominator_figure].figure
        lo, hi, lo_in, hi_in = denominator.interval()
        if lo is None or hi is None:
            continue
        candidates = range(int(lo) + (0 if lo_in else 1), int(hi) + (1 if hi_in else 0))
        percent = f"{figure.value}"
        if entry.numerator_figure:
            numerator = by_id[entry.numerator_figure].figure
            if numerator.kind == Kind.EXACT and denominator.kind == Kind.EXACT:
                check = consistency.check_rate_against_counts(percent, int(numerator.value), int(denominator.value))
                if not check.ok:
                    problems.setdefault(entry.id, []).append(check.message)
            continue
        if not any(consistency.is_attainable(percent, n) for n in candidates):
            n = candidates[0] if len(candidates) == 1 else None
            near = consistency.nearest_attainable(percent, n) if n else []
            nearest = "、".join(f"{k}/{n}={r}%" for k, r in near) if n else ""
            problems.setdefault(entry.id, []).append(
                f"{figure.written} 不可能由分母 {denominator.written} 得到(无整数 k 使 k/n 四舍五入为该值)"
                + (f"；最接近的是 {nearest}" if nearest else "")
            )
    for relation in register.relations:
        left, right = by_id[relation["left"]].figure, by_id[relation["right"]].figure
        if relation["op"] != "<=" or left.kind not in COUNT_KINDS or right.kind not in COUNT_KINDS:
            continue
        if left.kind == Kind.EXACT and right.kind == Kind.EXACT:
            check = consistency.check_not_greater(
                by_id[relation["left"]].written, left.value, by_id[relation["right"]].written, right.value
            )
            if not check.ok:
                problems.setdefault(relation["left"], []).append(f"{check.message}({relation.get('note', '')})")
            continue
        # Approximate wordings (400余, 约8万, 不少于…): the relation is broken when every value the
        # left wording allows exceeds every value the right one allows (结案400余件 > 立案390件).
        left_low, _, left_low_in, _ = left.interval()
        _, right_high, _, right_high_in = right.interval()
        if left_low is not None and right_high is not None:
            if left_low > right_high or (left_low == right_high and not (left_low_in and right_high_in)):
                problems.setdefault(relation["left"], []).append(
                    f"{left.written} 的取值({left.describe_zh()})都大于 {right.written} 的取值"
                    f"({right.describe_zh()})，不合逻辑({relation.get('note', '')})"
                )
    return problems


def _row_place(row: dict[str, Any]) -> str:
    where = [f"{row['year']}年 {row['file']}"]
    if row["sheet"]:
        where.append(f"工作表「{row['sheet']}」")
    if row["row"] is not None:
        where.append(f"第{row['row']}行")
    if row["column"]:
        where.append(f"列「{row['column']}」")
    return " / ".join(where) + f" [{row['code']}]"


def _quarantine_reason(universal: bool, rows: list[dict[str, Any]], limit: int = 5) -> str:
    places = "；".join(_row_place(r) for r in rows[:limit]) + (
        f"；另 {len(rows) - limit} 行" if len(rows) > limit else ""
    )
    if universal:
        return (
            f"[P306] 全称判断(零、连续N年、100%、第一、持续…)所依据的表有 {len(rows)} 行被隔离或无法读取 "
            f"(universal claim resting on quarantined rows)，不能判为一致：{places}。请修正这些行后重新运行。"
        )
    return f"所依据的表另有 {len(rows)} 行被隔离，未计入 (quarantined rows not counted)：{places}"


def compute_entry(entry: FigureEntry, data: CleanData) -> MetricResult:
    """The entry's figure from clean data: its spec evaluated, or its Python metric run (which must
    return a MetricResult, the one shape every figure has)."""
    from ..metrics import METRICS, MetricResult
    from . import evaluate

    if entry.compute is not None:
        return evaluate(entry.compute, data)
    result = METRICS[entry.metric](data)
    if not isinstance(result, MetricResult):
        raise RegisterError(f"{entry.id}: 指标 {entry.metric} 应返回 MetricResult，返回了 {type(result).__name__}")
    return result


def verify_entry(entry: FigureEntry, data: CleanData, inconsistent: list[str]) -> FigureResult:
    from ..metrics import NoData

    figure = entry.figure
    rule = figure.describe_zh()
    try:
        result = compute_entry(entry, data)
    except NoData as missing:
        status = "inconsistent" if inconsistent else "no_data"
        return FigureResult(entry, status, rule, "—", None, [*inconsistent, str(missing)])
    quarantined = data.quarantined_rows(result.sources)
    # A claim about every row or year (or about each of a list) cannot hold on evidence it did not see.
    universal = figure.universal or bool(entry.each)
    try:
        holds, shown, value = _judge(entry, figure, result)
    except NotComputable as reason:
        status = "inconsistent" if inconsistent else "no_data"
        return FigureResult(entry, status, rule, "—", None, [*inconsistent, str(reason)], result, quarantined)
    if inconsistent:
        status = "inconsistent"
    elif universal and quarantined:
        status = "no_data"
    else:
        status = "match" if holds else "mismatch"
    reasons = list(inconsistent)
    summed = summed_column(result, data)
    if status == "mismatch":
        reasons.append(f"按“{entry.written}”的含义({rule})，计算值 {shown} 不符")
    if quarantined:
        reasons.append(_quarantine_reason(universal, quarantined))
    return FigureResult(entry, status, rule, shown, value, reasons, result, quarantined, summed)


def _expected_totals(result: MetricResult) -> dict[tuple[str, int], Decimal]:
    """What each counted row set adds up to, for a figure that is a total (a count, a sum, or one
    per year); empty for rates, ranks and counts per key, whose rows are counted, never summed."""
    counted = result.counted
    if result.kind == "amount" and len(counted) == 1 and isinstance(result.value, (int, Decimal)):
        return {(counted[0].table, counted[0].year): Decimal(result.value)}
    if result.kind in ("by_year", "count") and result.by_year:
        by_year = {r.year: r for r in counted}
        if len(by_year) != len(counted) or set(by_year) != set(result.by_year):
            return {}
        if not all(isinstance(v, int) for v in result.by_year.values()):
            return {}
        return {(r.table, r.year): Decimal(int(result.by_year[r.year])) for r in counted}  # type: ignore[call-overload]
    if result.kind == "count" and len(counted) == 1 and isinstance(result.value, int):
        return {(counted[0].table, counted[0].year): Decimal(result.value)}
    return {}


def summed_column(result: MetricResult, data: CleanData) -> str:
    """The clean column whose sum over each counted row set is the figure (警情数, 罚没金额), or ""
    when the figure counts rows (or is a rate, a rank, a count per key).

    Metrics do not declare it (sum_column takes it as an argument), so it is found from the result:
    when the row counts already give the totals, the figure counts rows; otherwise it is the first
    count or amount column of the ledger whose sums (each amount as written, like sum_column) give
    every total. A breakdown by that column therefore adds up to the figure by construction.
    """
    from ..ledgers import LEDGERS_BY_TABLE

    expected = _expected_totals(result)
    if not expected or all(len(r.row_ids) == expected[(r.table, r.year)] for r in result.counted):
        return ""
    tables = {table for table, _ in expected}
    ledger = LEDGERS_BY_TABLE.get(next(iter(tables))) if len(tables) == 1 else None
    if ledger is None:
        return ""
    rows = {}
    for rowset in result.counted:
        frame = data.table(rowset.table, rowset.year)
        rows[(rowset.table, rowset.year)] = frame[frame["row_id"].astype(str).isin(set(rowset.row_ids))]
    for column in ledger.columns:
        if column.kind not in ("int", "amount") or column.personal:
            continue
        if all(
            column.name in chosen and _column_total(chosen[column.name]) == expected[key]
            for key, chosen in rows.items()
        ):
            return column.name
    return ""


def _column_total(series: Any) -> Decimal:
    return sum((Decimal(repr(float(v))) for v in series.dropna()), Decimal(0))


def verify_register(register: Register, data: CleanData, kept: KeptFigures | None = None) -> list[FigureResult]:
    """Every entry's result; with `kept` (the figures step), taken from the run before where still
    current (`lawreport.run.figures_kept`)."""
    problems = consistency_problems(register)
    if kept is None:
        return [verify_entry(entry, data, problems.get(entry.id, [])) for entry in register.figures]
    results = [
        kept.verify(
            entry, problems.get(entry.id, []), lambda entry=entry: verify_entry(entry, data, problems.get(entry.id, []))
        )
        for entry in register.figures
    ]
    kept.forget_others([entry.id for entry in register.figures])
    return results


SPEC_NOTE = (
    "由登记册中的 compute 规格计算 (computed from the register's compute spec, lawreport.register)；"
    "口径即由规格生成的上述文字。\nEvaluated by lawreport.register.compute.evaluate; the spec is in claims/<year>.yaml."
)


def metric_docstring(name: str) -> str:
    """The Python metric's docstring, or, for a spec's label (compute.…), what computes it."""
    from ..metrics import METRICS

    if name.startswith("compute."):
        return SPEC_NOTE
    return inspect.getdoc(METRICS[name]) or ""
