"""Charts as deterministic PNGs (Agg, fixed size and dpi, no Software metadata), Chinese labels in
Noto Sans CJK SC from the installed `noto_cjk_sans_otc` package. A label with a glyph the font
lacks is an error, not a silent box."""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

from ..ledgers import ChartSpec, active_unit  # noqa: E402
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


def _text(template: str, **values: object) -> str:
    return template.format_map(values)


def yearly_totals(chart: ChartSpec, data: CleanData) -> tuple[bytes, str, str] | None:
    """kind: years — one bar per year: the rows (or the sum of a column) of every year's table."""
    years = data.years_with(chart.table)
    if not years:
        return None

    def total(frame: pd.DataFrame) -> int:
        return int(pd.to_numeric(frame[chart.sum]).fillna(0).sum()) if chart.sum else len(frame)

    totals = {y: total(data.table(chart.table, y)) for y in years}
    labels = [f"{y}年" for y in totals]

    def draw(ax):
        ax.bar(labels, list(totals.values()), color=COLOURS[0])

    fields = {"year": data.year, "first_year": years[0], "last_year": years[-1]}
    fields["values"] = "，".join(f"{y}年{v}{chart.value_unit}" for y, v in totals.items())
    png = labelled(_text(chart.title, **fields), chart.x_label, chart.y_label, draw)
    return png, _text(chart.alt, **fields), _text(chart.caption, **fields)


def monthly(chart: ChartSpec, data: CleanData) -> tuple[bytes, str, str] | None:
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

    def draw(ax):
        bottom = [0] * 12
        for i, value in enumerate(series):
            values = [int(v) for v in table[value]]
            role = chart.styles.get(value)
            colour, hatch = ROLE_STYLE[role] if role else (COLOURS[i % len(COLOURS)], HATCHES[i % len(HATCHES)])
            ax.bar(
                [f"{m}月" for m in range(1, 13)],
                values,
                bottom=bottom,
                label=str(value),
                color=colour,
                hatch=hatch,
                edgecolor="white",
                linewidth=0,
            )
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.legend(title=chart.series_title, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))

    fields = {"year": year, "series": "、".join(map(str, series))}
    png = labelled(_text(chart.title, **fields), chart.x_label, chart.y_label, draw)
    return png, _text(chart.alt, **fields), _text(chart.caption, **fields)


def _monthly_dates(chart: ChartSpec, frame: pd.DataFrame, year: int) -> tuple[bytes, str, str]:
    counts = {
        label: _months(frame, column, year).value_counts().reindex(range(1, 13), fill_value=0)
        for label, column in chart.dates.items()
    }
    months = list(range(1, 13))

    def draw(ax):
        width = 0.8 / len(counts)
        for i, (label, values) in enumerate(counts.items()):
            offset = (i - (len(counts) - 1) / 2) * width
            style = {"hatch": HATCHES[i % len(HATCHES)], "edgecolor": "white", "linewidth": 0} if i else {}
            ax.bar(
                [m + offset for m in months],
                [int(v) for v in values],
                width,
                label=label,
                color=COLOURS[i % len(COLOURS)],
                **style,
            )
        ax.set_xticks(months, [f"{m}月" for m in months])
        ax.legend(fontsize=8)

    fields = {"year": year, "series": "、".join(counts)}
    png = labelled(_text(chart.title, **fields), chart.x_label, chart.y_label, draw)
    return png, _text(chart.alt, **fields), _text(chart.caption, **fields)


def by_category(chart: ChartSpec, data: CleanData) -> tuple[bytes, str, str] | None:
    """kind: categories — the report year's rows by the values of `column`, as horizontal bars."""
    try:
        frame = data.table(chart.table)
    except NoData:
        return None
    counts = frame[chart.column].fillna("（空）").astype(str).value_counts()
    counts = counts.sort_index(kind="stable").sort_values(ascending=True, kind="stable")

    def draw(ax):
        ax.barh(list(counts.index), [int(v) for v in counts.values], color=COLOURS[0])  # a count: neutral blue

    fields = {"year": data.year, "count": len(counts)}
    png = labelled(_text(chart.title, **fields), chart.x_label, chart.y_label, draw)
    return png, _text(chart.alt, **fields), _text(chart.caption, **fields)


DRAW = {"years": yearly_totals, "months": monthly, "categories": by_category}


def draw_chart(chart: ChartSpec, data: CleanData) -> tuple[bytes, str, str] | None:
    """One chart of the unit's configuration, or None when its table has no data."""
    return DRAW[chart.kind](chart, data)


# ------------------------------------------------------------------ drawn once for both editions (kept.shared)


def inputs_key(data: CleanData) -> str:
    """What the charts section is a function of: the clean tables of the years it may read, the
    package's source, matplotlib with its settings and the font, the Python and library versions.
    Equal keys give byte-identical charts (Agg, fixed size and dpi, no metadata)."""
    import numpy

    digest = hashlib.sha256()
    font = font_path()
    stat = font.stat()
    parts = [
        LOADED_SOURCE,  # what draws the charts and reads the data
        active_unit().digest,
        sys.version,
        matplotlib.__version__,
        numpy.__version__,
        pd.__version__,
        repr(sorted((k, repr(v)) for k, v in matplotlib.rcParams.items())),
        f"{font}:{stat.st_size}:{stat.st_mtime_ns}",
        f"{data.year}:{sorted(data.years) if data.years is not None else None}",
    ]
    digest.update("\0".join(parts).encode())
    root = Path(data.clean_root)
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        if folder.name.isdigit() and int(folder.name) <= data.year and data.allowed(int(folder.name)):
            for path in sorted(folder.glob("*.parquet")):
                digest.update(f"\0{folder.name}/{path.name}\0".encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
