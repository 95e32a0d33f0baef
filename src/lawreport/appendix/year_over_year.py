"""与上年对照 (year over year): each figure of this year's and last year's registers side by side,
with what was kept, what is new and what was dropped from the report.

Last year's figures come from its register (`<claims_dir>/<year-1>.yaml`, the figures as reported)
and, when a run of last year is at hand, from its results: `<build_root>/<year-1>/figures.json`, else
the released `published/<year-1>/figures.json` — used only when it is of the same unit. Without a
run of last year, its statuses are said to be unknown, never guessed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..params import PROJECT_ROOT
from ..register.schema import LOADER
from .data import AppendixData
from .html import el, status_label, table, text_el

TITLE = "与上年对照"
CHANGE_ZH = {"kept": "保留", "new": "新增", "dropped": "删去"}


@dataclass
class YearOverYear:
    """The rows of the view and where last year's statuses came from."""

    rows: list[dict[str, Any]] = field(default_factory=list)  # id, name, change, previous, current
    previous_register: Path | None = None
    previous_results: Path | None = None
    notes: list[str] = field(default_factory=list)

    def count(self, change: str) -> int:
        return sum(1 for row in self.rows if row["change"] == change)


def _previous_entries(path: Path) -> list[dict[str, Any]] | None:
    """Last year's figure entries as written (id, name, written, quote); None if it cannot be read."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    figures = data.get("figures") if isinstance(data, dict) else None
    if not isinstance(figures, list):
        return None
    return [f for f in figures if isinstance(f, dict) and isinstance(f.get("id"), str)]


def _previous_results(app: AppendixData, unit: str) -> tuple[dict[str, dict[str, Any]], Path | None]:
    params = app.params
    year = app.year - 1
    for path in (
        params.path(params.build_root) / str(year) / "figures.json",
        PROJECT_ROOT / "published" / str(year) / "figures.json",
    ):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("unit") == unit and data.get("year") == year:
            return {f["id"]: f for f in data.get("figures", []) if isinstance(f, dict) and "id" in f}, path
    return {}, None


def year_over_year(app: AppendixData) -> YearOverYear:
    params = app.params
    view = YearOverYear()
    path = params.path(params.claims_dir) / f"{app.year - 1}.yaml"
    if not path.is_file():
        view.notes.append(f"没有 {app.year - 1} 年的数字登记册 ({path.name})，无从对照。")
        return view
    entries = _previous_entries(path)
    if entries is None:
        view.notes.append(f"{app.year - 1} 年的数字登记册 {path.name} 无法读取，无从对照；请运行 register check。")
        return view
    view.previous_register = path
    results, view.previous_results = _previous_results(app, app.unit)
    if view.previous_results is None:
        view.notes.append(
            f"没有找到 {app.year - 1} 年的运行结果（build 或 published 下的 figures.json），上年各数字的核对状态未知；"
            f"运行 make run YEAR={app.year - 1} 后重新生成附录即可显示。"
        )
    previous = {e["id"]: e for e in entries}
    current = {f["id"]: f for f in app.results}
    for figure_id, figure in current.items():
        before = previous.get(figure_id)
        view.rows.append(
            {
                "id": figure_id,
                "name": figure.get("name") or figure_id,
                "change": "kept" if before else "new",
                "previous": _side(before, results.get(figure_id)) if before else None,
                "current": {"written": figure.get("reported", ""), "status": figure.get("status")},
            }
        )
    for figure_id, before in previous.items():
        if figure_id not in current:
            view.rows.append(
                {
                    "id": figure_id,
                    "name": before.get("name") or figure_id,
                    "change": "dropped",
                    "previous": _side(before, results.get(figure_id)),
                    "current": None,
                }
            )
    return view


def _side(entry: dict[str, Any], result: dict[str, Any] | None) -> dict[str, Any]:
    return {"written": str(entry.get("written", "")), "status": result.get("status") if result else None}


def _status(side: dict[str, Any] | None) -> str:
    if side is None:
        return "—"
    return status_label(side["status"]) if side["status"] else "未知 (no run)"


def year_over_year_section(app: AppendixData, section_id: str = "years") -> str:
    view = year_over_year(app)
    notes = "".join(text_el("p", note, class_="hint") for note in view.notes)
    if view.previous_register is None:
        return el("section", text_el("h2", TITLE) + notes, id=section_id)
    intro = text_el(
        "p",
        f"{app.year} 年报告登记的数字与 {app.year - 1} 年报告逐项对照（按数字编号 id 对应）："
        f"保留 {view.count('kept')} 个，新增 {view.count('new')} 个，删去 {view.count('dropped')} 个。"
        "“删去”是上年报告有、本年报告没有的数字；上年的核对状态取自上年运行的 figures.json。",
        class_="hint",
    )
    rows = [
        [
            row["name"],
            row["id"],
            CHANGE_ZH[row["change"]],
            row["previous"]["written"] if row["previous"] else "—",
            _status(row["previous"]),
            row["current"]["written"] if row["current"] else "—",
            _status(row["current"]),
        ]
        for row in view.rows
    ]
    headers = [
        "数字",
        "编号 (id)",
        "变化",
        f"{app.year - 1} 年报告",
        f"{app.year - 1} 年核对",
        f"{app.year} 年报告",
        f"{app.year} 年核对",
    ]
    body = table(headers, rows, caption=f"{app.year - 1} 年与 {app.year} 年报告数字对照", class_="year-over-year")
    return el("section", text_el("h2", TITLE) + intro + notes + body, id=section_id)
