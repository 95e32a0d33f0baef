"""“这个数字从哪里来？” — one figure's definition, computation and rows, without a kernel.

`lawreport explain <figure-id> --year 2025` recomputes the figure from clean data and prints its
quote, wording rule, 口径, metric, computed value, status, and the contributing clean rows (with
their raw file, sheet and row; personal columns are pseudonyms), then the rows left out and why.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

import pandas as pd

from .claims import consistency_problems, load_register, metric_docstring, verify_entry
from .clean_step import years_to_clean
from .metrics import CleanData, RowSet
from .params import ParameterError, RunParams


def _rows(data: CleanData, rowset: RowSet, limit: int) -> pd.DataFrame:
    frame = data.table(rowset.table, rowset.year)
    chosen = frame[frame.row_id.isin(rowset.row_ids)]
    return chosen if limit <= 0 else chosen.head(limit)


def explain(params: RunParams, figure_id: str, limit: int = 20, say: Callable[[str], None] = print) -> str:
    if not (params.clean_dir / "clean_report.json").exists():
        raise ParameterError(
            f"{params.year} 年没有清洗后的数据 (no clean data)：{params.clean_dir}；"
            f"请先运行 make run YEAR={params.year}，或检查 --clean-root"
        )
    register = load_register(params.register_path, report_path=params.report_path, year=params.year)
    if figure_id not in {e.id for e in register.figures}:
        ids = [e.id for e in register.figures]
        near = difflib.get_close_matches(figure_id, ids, n=3, cutoff=0.4)
        raise ParameterError(
            f"登记册中没有数字 {figure_id!r} (no such figure id)"
            + (f"；是否应为：{'、'.join(near)}" if near else "")
            + f"；全部编号见 {params.register_path}"
        )
    entry = register.entry(figure_id)
    data = CleanData(params.path(params.clean_root), params.year, years_to_clean(params))
    result = verify_entry(entry, data, consistency_problems(register).get(entry.id, []))
    say(f"数字 (figure)：{entry.id}")
    say(f"引文 (quote)：{entry.quote}")
    say(f"报告写法 (reported)：{entry.written}")
    say(f"写法含义 (rule)：{result.rule}")
    say(f"口径 (definition)：{entry.definition}")
    say(f"计算方法 (metric)：lawreport.metrics.{entry.metric}")
    for line in metric_docstring(entry.metric).splitlines():
        say(f"    {line}")
    say(f"计算值 (computed)：{result.computed}")
    say(f"状态 (status)：{result.status}")
    for reason in result.reasons:
        say(f"  原因：{reason}")
    metric = result.metric_result
    if metric is None:
        return result.status
    say("来源 (sources)：" + "，".join(f"{k} 共 {v} 行" for k, v in sorted(metric.sources.items())))
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 20)
    for rowset in metric.counted:
        shown = _rows(data, rowset, limit)
        say(
            f"\n计入的行 (rows counted)：{rowset.table}/{rowset.year}，{len(rowset.row_ids)} 行"
            + (f"，显示前 {len(shown)} 行" if len(shown) < len(rowset.row_ids) else "")
        )
        if len(shown):
            say(shown.to_string(index=False))
    for rowset in metric.excluded:
        shown = _rows(data, rowset, limit)
        say(
            f"\n未计入的行 (rows left out)：{rowset.table}/{rowset.year}，{len(rowset.row_ids)} 行，原因：{rowset.reason}"
            + (f"，显示前 {len(shown)} 行" if len(shown) < len(rowset.row_ids) else "")
        )
        if len(shown):
            say(shown.to_string(index=False))
    return result.status
