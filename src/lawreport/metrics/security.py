"""Python metric of 社会治安 still named by tests of other modules (the register's other 治安
figures are `compute:` specs): street incidents per year."""

from __future__ import annotations

from .base import CleanData, MetricResult, NoData, RowSet, ids, metric


def _by_year(data: CleanData, table: str, count) -> MetricResult:
    years = data.years_with(table)
    if data.year not in years or data.year - 1 not in years:
        raise NoData(f"同比需要 {data.year - 1} 和 {data.year} 两年的「{table}」")
    result = MetricResult(kind="by_year", value={})
    for year in (data.year - 1, data.year):
        frame = data.table(table, year)
        kept = frame[count(frame).fillna(False).astype(bool)] if len(frame) else frame
        result.add_source(table, year, frame)
        result.counted.append(RowSet(table, year, ids(kept)))
        left = frame.drop(kept.index)
        if len(left):
            result.excluded.append(RowSet(table, year, ids(left), "类别不符"))
        result.by_year[year] = int(kept["incidents"].sum()) if "incidents" in kept else len(kept)
    result.value = {str(y): v for y, v in result.by_year.items()}
    return result


@metric
def street_incidents_by_year(data: CleanData) -> MetricResult:
    """口径: sum of 警情数 over all months and the nine categories, report year and the year before."""
    return _by_year(data, "street_incidents", lambda f: f.row_id.notna())
