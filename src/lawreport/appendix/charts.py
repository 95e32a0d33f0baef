"""Charts as deterministic PNGs (Agg, fixed size and dpi, no Software metadata), Chinese labels in
Noto Sans CJK SC from the installed `noto_cjk_sans_otc` package. A label with a glyph the font
lacks is an error, not a silent box."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import json
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

from ..ledgers import ChartSpec  # noqa: E402
from ..metrics import CleanData, NoData  # noqa: E402
from .html import el, esc  # noqa: E402
from .kept import LOADED_SOURCE  # noqa: E402

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _pyplot() -> Any:
    """pyplot, imported when a chart is drawn, not with this module: an edition that reads the kept
    charts (their key needs only matplotlib's settings, the same with or without pyplot) does not
    load it and the font manager (~0.2 s)."""
    import matplotlib.pyplot as plt

    return plt


FONT_FAMILY = "Noto Sans CJK SC"
SIZE = (6.0, 3.4)  # inches; small enough that 10-point labels stay legible when a phone scales it to 360 px
DPI = 150  # 900 x 510 px: sharp when scaled on a phone and on paper
COLOURS = ("#1a5fb4", "#e66100", "#2e7d32", "#9141ac", "#a51d2d", "#63452c", "#5e5c64", "#c64600", "#1c71d8")
# Colours that mean what they say, named by a chart's `styles` (good green, pending amber, bad red),
# each with its own hatching so that the series stay apart in greyscale print; other values take
# COLOURS and HATCHES in turn.
ROLE_STYLE = {
    "good": ("#2e7d32", ""),
    "pending": ("#e5a50a", "//"),
    "bad": ("#c01c28", "xx"),
}
HATCHES = ("", "//", "xx", "..", "\\\\", "++", "oo")


class ChartGlyphError(ValueError):
    """A chart label holds a character the CJK font cannot draw."""


def font_path() -> Path:
    import noto_cjk_sans_otc

    return Path(noto_cjk_sans_otc.__file__).resolve().parent / "NotoSansCJK-Regular.ttc"


_registered = False


def register_font() -> None:
    global _registered
    if not _registered:
        from matplotlib import font_manager

        font_manager.fontManager.addfont(str(font_path()))
        _registered = True


@contextmanager
def chart_style() -> Iterator[None]:
    """Only the CJK font (no fallback that would hide a missing glyph); missing glyphs raise."""
    register_font()
    rc = {
        "font.family": [FONT_FAMILY],
        "font.size": 10,
        "svg.hashsalt": "lawreport",
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
    with matplotlib.rc_context(rc), warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph .* missing from font")
        try:
            yield
        except UserWarning as warning:
            if "missing from font" in str(warning):
                raise ChartGlyphError(f"图表文字含字体 {FONT_FAMILY} 缺少的字符 (missing glyph)：{warning}") from None
            raise


def png_bytes(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    finally:
        _pyplot().close(fig)
    return buffer.getvalue()


def img(png: bytes, alt: str, caption: str) -> str:
    """The chart as a figure; width and height from the PNG header keep its shape while the page's
    CSS scales it to the column (max-width: 100%; height: auto)."""
    data = base64.b64encode(png).decode("ascii")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    return el(
        "figure",
        f'<img src="data:image/png;base64,{data}" alt="{esc(alt)}" width="{width}" height="{height}">'
        + el("figcaption", esc(caption)),
        class_="chart",
    )


def new_figure() -> tuple[Figure, Any]:
    fig, ax = _pyplot().subplots(figsize=SIZE, dpi=DPI, layout="constrained")
    return fig, ax


def labelled(title: str, xlabel: str, ylabel: str, draw) -> bytes:
    """Draw a chart with the CJK style; any missing glyph raises ChartGlyphError."""
    with chart_style():
        fig, ax = new_figure()
        draw(ax)
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        return png_bytes(fig)


def _months(frame: pd.DataFrame, column: str, year: int) -> pd.Series:
    dates = pd.to_datetime(frame[column], errors="coerce")
    return dates[dates.dt.year == year].dt.month.astype(int)


# ------------------------------------------------------------------ the unit's charts (unit.yaml, charts:)


@dataclass(frozen=True)
class Plan:
    """What one chart shows, as plain values: what its drawer (`DRAWERS[draw]`) reads, its texts.
    A chart's PNG is a function of its plan and the drawing's settings (`plan_key`), not of the
    tables it was counted from: a changed ledger redraws only the charts whose counts it changes."""

    draw: str
    data: dict[str, Any]
    title: str
    x_label: str
    y_label: str
    alt: str
    caption: str


def _text(template: str, **values: object) -> str:
    return template.format_map(values)


def _plan(chart: ChartSpec, draw: str, data: dict[str, Any], **fields: object) -> Plan:
    return Plan(
        draw,
        data,
        _text(chart.title, **fields),
        chart.x_label,
        chart.y_label,
        _text(chart.alt, **fields),
        _text(chart.caption, **fields),
    )


def yearly_totals(chart: ChartSpec, data: CleanData) -> Plan | None:
    """kind: years — one bar per year: the rows (or the sum of a column) of every year's table."""
    years = data.years_with(chart.table)
    if not years:
        return None

    def total(frame: pd.DataFrame) -> int:
        return int(pd.to_numeric(frame[chart.sum]).fillna(0).sum()) if chart.sum else len(frame)

    totals = {y: total(data.table(chart.table, y)) for y in years}
    bars = {"labels": [f"{y}年" for y in totals], "values": list(totals.values()), "colour": COLOURS[0]}
    values = "，".join(f"{y}年{v}{chart.value_unit}" for y, v in totals.items())
    return _plan(chart, "bars", bars, year=data.year, first_year=years[0], last_year=years[-1], values=values)


def monthly(chart: ChartSpec, data: CleanData) -> Plan | None:
    """kind: months — the report year's rows by month: stacked by `series` (a column) on the month
    of `date`, or side by side for each of `dates` (label -> date column)."""
    try:
        frame = data.table(chart.table)
    except NoData:
        return None
    year = data.year
    if chart.dates:
        return _monthly_dates(chart, frame, year)
    dates = pd.to_datetime(frame[chart.date], errors="coerce")
    inside = frame[dates.dt.year == year].assign(month=dates[dates.dt.year == year].dt.month.astype(int))
    table = inside.groupby(["month", chart.series]).size().unstack(fill_value=0).reindex(range(1, 13), fill_value=0)
    known = [r for r in chart.styles if r in table.columns]  # in the order the styles are listed
    series = known + sorted(c for c in table.columns if c not in chart.styles)
    stacked = []
    for i, value in enumerate(series):
        role = chart.styles.get(value)
        colour, hatch = ROLE_STYLE[role] if role else (COLOURS[i % len(COLOURS)], HATCHES[i % len(HATCHES)])
        stacked.append(
            {"label": str(value), "values": [int(v) for v in table[value]], "colour": colour, "hatch": hatch}
        )
    plan = {"series": stacked, "legend": chart.series_title}
    return _plan(chart, "stacked", plan, year=year, series="、".join(map(str, series)))


def _monthly_dates(chart: ChartSpec, frame: pd.DataFrame, year: int) -> Plan:
    grouped = []
    for i, (label, column) in enumerate(chart.dates.items()):
        counts = _months(frame, column, year).value_counts().reindex(range(1, 13), fill_value=0)
        colour, hatch = COLOURS[i % len(COLOURS)], HATCHES[i % len(HATCHES)] if i else None
        grouped.append({"label": label, "values": [int(v) for v in counts], "colour": colour, "hatch": hatch})
    return _plan(chart, "grouped", {"series": grouped}, year=year, series="、".join(chart.dates))


def by_category(chart: ChartSpec, data: CleanData) -> Plan | None:
    """kind: categories — the report year's rows by the values of `column`, as horizontal bars."""
    try:
        frame = data.table(chart.table)
    except NoData:
        return None
    counts = frame[chart.column].fillna("（空）").astype(str).value_counts()
    counts = counts.sort_index(kind="stable").sort_values(ascending=True, kind="stable")
    bars = {"labels": list(counts.index), "values": [int(v) for v in counts.values], "colour": COLOURS[0]}
    return _plan(chart, "barh", bars, year=data.year, count=len(counts))  # a count: neutral blue


PLAN = {"years": yearly_totals, "months": monthly, "categories": by_category}


def plan_chart(chart: ChartSpec, data: CleanData) -> Plan | None:
    """What one chart of the unit's configuration shows, or None when its table has no data."""
    return PLAN[chart.kind](chart, data)


# ------------------------------------------------------------------ drawers: a plan's data -> axes


def _bars(ax: Any, data: dict[str, Any]) -> None:
    ax.bar(data["labels"], data["values"], color=data["colour"])


def _barh(ax: Any, data: dict[str, Any]) -> None:
    ax.barh(data["labels"], data["values"], color=data["colour"])


def _stacked(ax: Any, data: dict[str, Any]) -> None:
    bottom = [0] * 12
    for series in data["series"]:
        ax.bar(
            [f"{m}月" for m in range(1, 13)],
            series["values"],
            bottom=bottom,
            label=series["label"],
            color=series["colour"],
            hatch=series["hatch"],
            edgecolor="white",
            linewidth=0,
        )
        bottom = [b + v for b, v in zip(bottom, series["values"], strict=True)]
    ax.legend(title=data["legend"], fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))


def _grouped(ax: Any, data: dict[str, Any]) -> None:
    months = list(range(1, 13))
    count = len(data["series"])
    width = 0.8 / count
    for i, series in enumerate(data["series"]):
        offset = (i - (count - 1) / 2) * width
        style = {"hatch": series["hatch"], "edgecolor": "white", "linewidth": 0} if series["hatch"] is not None else {}
        ax.bar(
            [m + offset for m in months],
            series["values"],
            width,
            label=series["label"],
            color=series["colour"],
            **style,
        )
    ax.set_xticks(months, [f"{m}月" for m in months])
    ax.legend(fontsize=8)


DRAWERS = {"bars": _bars, "barh": _barh, "stacked": _stacked, "grouped": _grouped}


def render(plan: Plan) -> bytes:
    """The plan's chart as PNG bytes."""
    return labelled(plan.title, plan.x_label, plan.y_label, lambda ax: DRAWERS[plan.draw](ax, plan.data))


# ------------------------------------------------------------------ drawn once for both editions (kept.shared)


def plan_key(plan: Plan) -> str:
    """What a chart's figure (`img(render(plan), plan.alt, plan.caption)`) is a function of: its
    plan, the package's source (the drawers), matplotlib with its settings and the font, the Python
    and library versions (numpy, Pillow). Equal keys give byte-identical figures (Agg, fixed size and dpi, no
    metadata)."""
    import numpy
    import PIL

    font = font_path()
    stat = font.stat()
    parts = [
        LOADED_SOURCE,
        sys.version,
        matplotlib.__version__,
        numpy.__version__,
        PIL.__version__,  # matplotlib writes PNGs through Pillow
        repr(sorted((k, repr(v)) for k, v in matplotlib.rcParams.items())),
        f"{font}:{stat.st_size}:{stat.st_mtime_ns}",
        json.dumps(dataclasses.asdict(plan), sort_keys=True, ensure_ascii=False),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()
