"""Metrics of 社会治安: villages, patrol cars, stations, street incidents, cases."""

from __future__ import annotations

from .base import CleanData, MetricResult, NoData, RowSet, count_rows, ids, metric, select


@metric
def count_villages(data: CleanData) -> MetricResult:
    """口径: villages rows (村 and 社区 of the unit)."""
    return count_rows(data, "villages", lambda f: f.village_type.isin(["村", "社区"]), "类型不符")


@metric
def count_patrol_cars(data: CleanData) -> MetricResult:
    """口径: patrol_cars rows delivered in the report year."""
    return count_rows(data, "patrol_cars", lambda f: f.delivered_date.dt.year == data.year, "不在报告年度配发")


@metric
def police_stations_built_by_community(data: CleanData) -> MetricResult:
    """口径: police_stations rows built in the report year, counted per 所在社区."""
    kept, result = select(data, "police_stations", lambda f: f.built_date.dt.year == data.year, "不在报告年度建成")
    result.kind = "by_key"
    result.value = {str(k): int(v) for k, v in kept.groupby("village").size().items()}
    return result


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


@metric
def juvenile_crime_by_year(data: CleanData) -> MetricResult:
    """口径: case_records rows of 类别 未成年人犯罪, report year and the year before."""
    return _by_year(data, "case_records", lambda f: f.case_type == "未成年人犯罪")


def _zero_cases(data: CleanData, kind: str) -> MetricResult:
    return count_rows(data, "case_records", lambda f: f.case_type == kind, f"类别不是{kind}")


@metric
def count_pickpocketing_cases(data: CleanData) -> MetricResult:
    """口径: case_records rows of the report year with 类别 扒窃."""
    return _zero_cases(data, "扒窃")


@metric
def count_vehicle_theft_cases(data: CleanData) -> MetricResult:
    """口径: case_records rows of the report year with 类别 盗窃机动车."""
    return _zero_cases(data, "盗窃机动车")


@metric
def count_student_abnormal_deaths(data: CleanData) -> MetricResult:
    """口径: case_records rows of the report year with 类别 在校学生非正常死亡."""
    return _zero_cases(data, "在校学生非正常死亡")
