"""Charts as deterministic PNGs (Agg, fixed size and dpi, no Software metadata), Chinese labels in
Noto Sans CJK SC from the installed `noto_cjk_sans_otc` package. A label with a glyph the font
lacks is an error, not a silent box."""

from __future__ import annotations

import base64
import fcntl
import hashlib
import io
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from ..metrics import CleanData, NoData  # noqa: E402
from .html import el, esc  # noqa: E402

FONT_FAMILY = "Noto Sans CJK SC"
SIZE = (6.0, 3.4)  # inches; small enough that 10-point labels stay legible when a phone scales it to 360 px
DPI = 150  # 900 x 510 px: sharp when scaled on a phone and on paper
COLOURS = ("#1a5fb4", "#e66100", "#2e7d32", "#9141ac", "#a51d2d", "#63452c", "#5e5c64", "#c64600", "#1c71d8")
# Colours that mean what they say (resolved green, in progress amber, unresolved red), each with its own
# hatching so that the series stay apart in greyscale print; other values take COLOURS and HATCHES in turn.
RESULT_STYLE = {
    "化解成功": ("#2e7d32", ""),
    "化解中": ("#e5a50a", "//"),
    "未化解": ("#c01c28", "xx"),
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
        plt.close(fig)
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


def new_figure() -> tuple[Figure, plt.Axes]:
    fig, ax = plt.subplots(figsize=SIZE, dpi=DPI, layout="constrained")
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


# ------------------------------------------------------------------ the four charts


def street_incidents_by_year(data: CleanData) -> tuple[bytes, str, str] | None:
    years = data.years_with("street_incidents")
    if not years:
        return None
    totals = {y: int(pd.to_numeric(data.table("street_incidents", y)["incidents"]).fillna(0).sum()) for y in years}
    labels = [f"{y}年" for y in totals]

    def draw(ax):
        ax.bar(labels, list(totals.values()), color=COLOURS[0])

    png = labelled("九类街面110警情（按年度）", "年度", "警情数（起）", draw)
    alt = "柱状图：九类街面110警情按年度合计，" + "，".join(f"{y}年{v}起" for y, v in totals.items())
    return png, alt, f"九类街面110警情，{years[0]}—{years[-1]}年（来源：街面警情月报，各年清洗后数据）"


def disputes_by_month(data: CleanData) -> tuple[bytes, str, str] | None:
    try:
        frame = data.table("dispute_screening")
    except NoData:
        return None
    year = data.year
    dates = pd.to_datetime(frame["found_date"], errors="coerce")
    inside = frame[dates.dt.year == year].assign(month=dates[dates.dt.year == year].dt.month.astype(int))
    table = inside.groupby(["month", "result"]).size().unstack(fill_value=0).reindex(range(1, 13), fill_value=0)
    known = [r for r in RESULT_STYLE if r in table.columns]  # resolved at the bottom, unresolved on top
    results = known + sorted(c for c in table.columns if c not in RESULT_STYLE)

    def draw(ax):
        bottom = [0] * 12
        for i, result in enumerate(results):
            values = [int(v) for v in table[result]]
            colour, hatch = RESULT_STYLE.get(result, (COLOURS[i % len(COLOURS)], HATCHES[i % len(HATCHES)]))
            ax.bar(
                [f"{m}月" for m in range(1, 13)],
                values,
                bottom=bottom,
                label=str(result),
                color=colour,
                hatch=hatch,
                edgecolor="white",
                linewidth=0,
            )
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.legend(title="化解结果", fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))

    png = labelled(f"{year}年矛盾纠纷排查（按月、按化解结果）", "月份", "纠纷数（件）", draw)
    return (
        png,
        f"堆积柱状图：{year}年各月排查的矛盾纠纷数，按化解结果（{'、'.join(map(str, results))}）分色",
        "矛盾纠纷排查化解台账（按排查日期所在月份）",
    )


def petitions_by_category(data: CleanData) -> tuple[bytes, str, str] | None:
    try:
        frame = data.table("petitions")
    except NoData:
        return None
    counts = frame["category"].fillna("（空）").astype(str).value_counts()
    counts = counts.sort_index(kind="stable").sort_values(ascending=True, kind="stable")

    def draw(ax):
        ax.barh(list(counts.index), [int(v) for v in counts.values], color=COLOURS[0])  # a count: neutral blue

    png = labelled(f"{data.year}年信访事项（按类别）", "件数", "类别", draw)
    return png, f"条形图：{data.year}年受理的信访事项按类别分布，共 {len(counts)} 类", "信访事项登记台账（按事项类别）"


def penalty_cases_by_month(data: CleanData) -> tuple[bytes, str, str] | None:
    try:
        frame = data.table("penalty_cases")
    except NoData:
        return None
    year = data.year
    filed = _months(frame, "filed_date", year).value_counts().reindex(range(1, 13), fill_value=0)
    closed = _months(frame, "closed_date", year).value_counts().reindex(range(1, 13), fill_value=0)
    months = list(range(1, 13))

    def draw(ax):
        width = 0.4
        ax.bar([m - width / 2 for m in months], [int(v) for v in filed], width, label="立案", color=COLOURS[0])
        ax.bar(
            [m + width / 2 for m in months],
            [int(v) for v in closed],
            width,
            label="结案",
            color=COLOURS[1],
            hatch="//",
            edgecolor="white",
            linewidth=0,
        )
        ax.set_xticks(months, [f"{m}月" for m in months])
        ax.legend(fontsize=8)

    png = labelled(f"{year}年行政处罚案件（按月立案、结案）", "月份", "案件数（件）", draw)
    return png, f"分组柱状图：{year}年各月行政处罚立案数与结案数", "行政处罚案件台账（按立案日期、结案日期所在月份）"


CHARTS = (street_incidents_by_year, disputes_by_month, petitions_by_category, penalty_cases_by_month)


# ------------------------------------------------------------------ drawn once for both editions


@cache
def _code_digest() -> str:
    """One digest of the package's source (what draws the charts and reads the data)."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        if "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def inputs_key(data: CleanData) -> str:
    """What the charts section is a function of: the clean tables of the years it may read, the
    package's source, matplotlib with its settings and the font, the Python and library versions.
    Equal keys give byte-identical charts (Agg, fixed size and dpi, no metadata)."""
    import numpy

    digest = hashlib.sha256()
    font = font_path()
    stat = font.stat()
    parts = [
        _code_digest(),
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


def shared(folder: Path, key: str | Callable[[], str], make: Callable[[], str]) -> str:
    """`make()` for `key`, made once for the editions of a run: both run side by side, the first to
    get here makes it under a lock and keeps it in `folder`; the other waits, then reads it. Only
    the latest key is kept. A callable key is computed under the lock: `inputs_key` reads
    matplotlib's live settings, which a drawing in another thread changes while it draws."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "charts.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        kept = folder / f"charts-{key() if callable(key) else key}.html"
        if kept.exists():
            return kept.read_text(encoding="utf-8")
        made = make()
        for old in folder.glob("charts-*.html"):
            old.unlink(missing_ok=True)
        temporary = folder / f".{kept.stem}.{os.getpid()}.tmp"
        temporary.write_text(made, encoding="utf-8")
        os.replace(temporary, kept)
        return made
