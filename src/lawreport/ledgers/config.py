"""A unit's configuration (单位配置), read from its raw-ledger folder: what differs between units.

    <raw_root>/unit.yaml            the unit's name, its vocabularies and programme names, and the
                                    ledger files in cleaning order
    <raw_root>/ledgers/<name>.yaml  the layouts of one family of ledgers (file, sheet, columns)

The package holds none of a unit's names: the cleaner, the suites, the register's specs, the data
dictionary and the appendix all read the ledgers from here. Every problem of a configuration is
found in one pass and names the file, the line and the ledger, in Chinese with the English term.
"""

from __future__ import annotations

import hashlib
import shutil
import string
from dataclasses import dataclass, fields
from functools import cached_property
from pathlib import Path
from typing import Any, get_args

import yaml

from ..params import ParameterError
from ..register.schema import LOADER, closest
from .spec import MONTH_PLACEHOLDER, ROW_RULES, Column, Kind, Ledger

UNIT_FILE = "unit.yaml"
LEDGER_FOLDER = "ledgers"

UNIT_KEYS = {
    "unit": "单位名称",
    "ledger_files": "台账版式文件，按清洗顺序 (ledgers/<name>.yaml)",
    "vocabularies": "分类词表 (named category lists)",
    "programmes": "本单位的工作品牌、机制和平台名称 (programme names)",
    "charts": "附录中的图表 (the appendix's charts)",
}
CHART_KINDS = {
    "years": "按年度合计的柱状图 (one bar per year)",
    "months": "报告年度按月的柱状图 (by month: stacked by a column, or side by side for several dates)",
    "categories": "报告年度按某列取值的条形图 (horizontal bars by the values of a column)",
}
CHART_KEYS = (
    "kind", "table", "title", "x_label", "y_label", "alt", "caption",
    "sum", "value_unit", "date", "series", "series_title", "styles", "dates", "column",
)  # fmt: skip
CHART_ROLES = ("good", "pending", "bad")
# The placeholders each kind fills in its title, alt text and caption.
CHART_FIELDS = {
    "years": ("year", "first_year", "last_year", "values"),
    "months": ("year", "series"),
    "categories": ("year", "count"),
}
LEDGER_KEYS = {f.name for f in fields(Ledger)}
LEDGER_REQUIRED = ("table", "title", "file", "sheet", "keeper", "description", "columns")
COLUMN_KEYS = {f.name for f in fields(Column)}
COLUMN_REQUIRED = ("name", "header", "kind", "meaning")
KINDS: tuple[str, ...] = get_args(Kind)
FLAGS = ("required", "nullable", "key", "in_year", "fill_down", "multi_year")


class UnitConfigError(ParameterError):
    """The unit's configuration is missing or invalid; the message lists every problem."""


@dataclass(frozen=True)
class ChartSpec:
    """One chart of the appendix, drawn from a clean table (see CHART_KINDS)."""

    kind: str
    table: str
    title: str  # may hold {year} and the kind's other fields (CHART_FIELDS)
    x_label: str
    y_label: str
    alt: str  # the text a screen reader says
    caption: str
    sum: str | None = None  # years: sum this column (default: count rows)
    value_unit: str = ""  # years: the unit after each value in {values}
    date: str | None = None  # months: the date column whose month places a row
    series: str | None = None  # months: stack by this column's values
    series_title: str = ""  # months: the legend's title
    styles: dict[str, str] | None = None  # months: value -> good/pending/bad (colours that mean it)
    dates: dict[str, str] | None = None  # months: label -> date column, side by side
    column: str | None = None  # categories: the column whose values are counted


@dataclass(frozen=True)
class Unit:
    """One unit's configuration: its name, vocabularies, programme names and ledger layouts."""

    name: str
    folder: Path
    vocabularies: dict[str, tuple[str, ...]]
    programmes: tuple[str, ...]
    ledgers: tuple[Ledger, ...]
    charts: tuple[ChartSpec, ...]
    files: tuple[Path, ...]  # the configuration files read, unit.yaml first
    digest: str  # sha256 over the files' bytes: a change reruns what they made

    @cached_property
    def by_table(self) -> dict[str, Ledger]:
        return {ledger.table: ledger for ledger in self.ledgers}


def config_files(raw_root: Path) -> list[Path]:
    """The configuration files of the unit whose ledgers are under raw_root (for fingerprints)."""
    folder = raw_root / LEDGER_FOLDER
    return [raw_root / UNIT_FILE, *sorted(folder.glob("*.yaml"))] if folder.is_dir() else [raw_root / UNIT_FILE]


def copy_config(source: Path, target: Path) -> list[Path]:
    """Copy the unit configuration under raw root `source` into raw root `target` (unit.yaml and
    ledgers/*.yaml); the files written, none when both are the same folder."""
    if Path(source).resolve() == Path(target).resolve():
        return []
    written = []
    for path in config_files(Path(source)):
        copied = Path(target) / path.relative_to(source)
        copied.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copied)
        written.append(copied)
    return written


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: Path, node: yaml.Node | None, where: str, message: str) -> None:
        line = f" 第{node.start_mark.line + 1}行" if node is not None else ""
        self.items.append(f"[P307] {path}{line}{' ' + where if where else ''}：{message}")


def _unknown_keys(
    path: Path, nodes: dict[str, tuple[yaml.Node, yaml.Node]], known: Any, where: str, problems: _Problems
) -> bool:
    """Say each key not in `known`, with the closest known one; True when there was none."""
    unknown = [(key, key_node) for key, (key_node, _) in nodes.items() if key not in known]
    for key, key_node in unknown:
        problems.add(path, key_node, where, f"未知项 (unknown key) {key!r}{closest(key, sorted(known))}")
    return not unknown


def _nodes(node: yaml.Node | None) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): (k, v) for k, v in node.value}


def _parse(path: Path, problems: _Problems) -> tuple[Any, yaml.Node | None]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.add(path, None, "", "文件不存在 (file not found)")
        return None, None
    except UnicodeDecodeError as error:
        problems.add(path, None, "", f"不是 UTF-8 文本 (not UTF-8)：{error.reason}；请以 UTF-8 编码保存")
        return None, None
    except OSError as error:
        problems.add(path, None, "", f"无法读取 (cannot read)：{error.strerror or error}")
        return None, None
    try:
        data, root = yaml.load(text, Loader=LOADER), yaml.compose(text, Loader=LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"第{mark.line + 1}行第{mark.column + 1}列" if mark is not None else ""
        what = error.problem or error.context or "格式错误"
        problems.add(path, None, where, f"YAML 无法解析 (YAML syntax error)：{what}；请检查缩进和冒号")
        return None, None
    except yaml.reader.ReaderError as error:  # a control character pasted from Word or a PDF
        # libyaml counts the position in bytes of the UTF-8 text, the Python reader in characters
        before = text.encode("utf-8")[: error.position] if LOADER is not yaml.SafeLoader else text[: error.position]
        line = before.count(b"\n" if isinstance(before, bytes) else "\n") + 1
        character = f"U+{error.character:04X}" if isinstance(error.character, int) else repr(error.character)
        problems.add(
            path,
            None,
            f"第{line}行",
            f"含不可见的控制字符 (control character) {character}：请删除该字符后保存",
        )
        return None, None
    except yaml.YAMLError as error:
        problems.add(path, None, "", f"YAML 无法解析 (YAML error)：{error}")
        return None, None
    _repeated_keys(path, root, problems)
    return data, root


def _repeated_keys(path: Path, node: yaml.Node | None, problems: _Problems) -> None:
    """A key written twice in one mapping: YAML keeps the last silently, so the first is lost."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if str(key.value) in seen:
                problems.add(
                    path, key, "", f"同一处的键重复 (duplicate key) {key.value!r}：YAML 只保留最后一个，请合并或删除"
                )
            seen.add(str(key.value))
            _repeated_keys(path, value, problems)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _repeated_keys(path, item, problems)


def _text_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(x, str) and x.strip() for x in value)


def _column(
    path: Path, raw: Any, node: yaml.Node, where: str, vocabularies: dict[str, tuple[str, ...]], problems: _Problems
) -> Column | None:
    if not isinstance(raw, dict):
        problems.add(path, node, where, "每一列应为键值结构 (each column is a mapping: {name, header, kind, meaning})")
        return None
    nodes = _nodes(node)
    ok = _unknown_keys(path, nodes, COLUMN_KEYS, where, problems)
    for key in COLUMN_REQUIRED:
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            problems.add(path, node, where, f"缺少必填项或不是文本 (missing or not text) {key!r}")
            ok = False
    kind = raw.get("kind")
    if isinstance(kind, str) and kind not in KINDS:
        problems.add(path, nodes["kind"][1], where, f"未知的列类型 (unknown kind) {kind!r}{closest(kind, KINDS)}")
        ok = False
    for key in FLAGS:
        if key in raw and not isinstance(raw[key], bool):
            problems.add(path, nodes[key][1], where, f"{key} 应为 true 或 false，收到 {raw[key]!r}")
            ok = False
    maximum = raw.get("maximum")
    if maximum is not None and (isinstance(maximum, bool) or not isinstance(maximum, int | float) or maximum <= 0):
        problems.add(path, nodes["maximum"][1], where, f"maximum 应为正数 (a positive number)，收到 {maximum!r}")
        ok = False
    aliases = raw.get("aliases", [])
    if aliases and not _text_list(aliases):
        problems.add(path, nodes["aliases"][1], where, "aliases 应为文本列表 (a list of other headers)")
        ok = False
    allowed: tuple[str, ...] = ()
    value = raw.get("allowed")
    if isinstance(value, str):
        if value not in vocabularies:
            more = closest(value, sorted(vocabularies))
            problems.add(
                path,
                nodes["allowed"][1],
                where,
                f"unit.yaml 的 vocabularies 中没有词表 (unknown vocabulary) {value!r}{more}",
            )
            ok = False
        else:
            allowed = vocabularies[value]
    elif value is not None:
        if not _text_list(value):
            problems.add(path, nodes["allowed"][1], where, "allowed 应为词表名或文本列表 (a vocabulary name or a list)")
            ok = False
        else:
            allowed = tuple(value)
    if ok and (kind == "category") != bool(allowed):
        message = (
            "分类列须给出 allowed (a category column needs its allowed values)"
            if kind == "category"
            else "只有 kind: category 的列可以有 allowed (allowed is for category columns)"
        )
        problems.add(path, node, where, message)
        ok = False
    if not ok:
        return None
    extra = {k: raw[k] for k in ("required", "nullable", "key", "in_year", "fill_down") if k in raw}
    return Column(
        raw["name"],
        raw["header"],
        kind,
        raw["meaning"],
        allowed=allowed,
        aliases=tuple(aliases),
        maximum=float(maximum) if isinstance(maximum, float) else maximum,
        **extra,
    )


def _ledgers(
    path: Path, data: Any, root: yaml.Node | None, vocabularies: dict[str, tuple[str, ...]], problems: _Problems
) -> list[Ledger]:
    top = _nodes(root)
    if not isinstance(data, dict) or "ledgers" not in data or not isinstance(data["ledgers"], list):
        problems.add(path, root, "", "应有 ledgers: 列表 (a top-level 'ledgers:' list, one entry per sheet)")
        return []
    for key, (key_node, _) in top.items():
        if key != "ledgers":
            problems.add(path, key_node, "", f"未知项 (unknown key) {key!r}；文件只应有 ledgers:")
    out: list[Ledger] = []
    for raw, node in zip(data["ledgers"], top["ledgers"][1].value, strict=True):
        if not isinstance(raw, dict):
            problems.add(path, node, "", "每本台账应为键值结构 (each ledger is a mapping starting with '- table:')")
            continue
        table = raw.get("table")
        where = f"台账「{table}」" if isinstance(table, str) else ""
        nodes = _nodes(node)
        ok = _unknown_keys(path, nodes, LEDGER_KEYS, where, problems)
        for key in LEDGER_REQUIRED:
            if key not in raw:
                problems.add(path, node, where, f"缺少必填项 (missing key) {key!r}")
                ok = False
            elif key not in ("sheet", "columns") and (not isinstance(raw[key], str) or not raw[key].strip()):
                problems.add(path, nodes[key][1], where, f"{key} 应为文本 (must be text)，收到 {raw[key]!r}")
                ok = False
        if not ok:
            continue
        sheet, is_csv = raw["sheet"], raw["file"].lower().endswith(".csv")
        if isinstance(sheet, dict):  # sheet: {month}月 unquoted reads as a YAML mapping
            problems.add(path, nodes["sheet"][1], where, 'sheet 含 {month} 时须加引号，如 sheet: "{month}月"')
            ok = False
        elif sheet is not None and not isinstance(sheet, str):
            problems.add(path, nodes["sheet"][1], where, "sheet 应为工作表名称，CSV 文件写 null")
            ok = False
        elif is_csv and isinstance(sheet, str) and MONTH_PLACEHOLDER in sheet:
            problems.add(
                path,
                nodes["sheet"][1],
                where,
                "CSV 文件只有一张表，不能每月一个工作表 (a CSV has no sheets)：sheet 写 null，或改用 .xlsx 工作簿",
            )
            ok = False
        elif (sheet is None) != is_csv:
            problems.add(path, nodes["sheet"][1], where, "xlsx 文件须写 sheet（工作表名称）；CSV 文件的 sheet 写 null")
            ok = False
        elif isinstance(sheet, str) and ("{" in sheet or "}" in sheet):
            rest = sheet.replace(MONTH_PLACEHOLDER, "", 1)
            if MONTH_PLACEHOLDER not in sheet or "{" in rest or "}" in rest:
                problems.add(
                    path,
                    nodes["sheet"][1],
                    where,
                    "工作表名称中的占位符只能是一个 {month} (only one {month} placeholder)："
                    f'每月一个工作表写 sheet: "{{month}}月"（匹配 1月、01月、一月…十二月），收到 {sheet!r}',
                )
                ok = False
        try:
            fields_in_file = {f for _, f, _, _ in string.Formatter().parse(raw["file"]) if f is not None}
        except ValueError as error:
            fields_in_file = {f"格式错误：{error}"}
        if fields_in_file - {"year"}:
            problems.add(
                path,
                nodes["file"][1],
                where,
                f"文件名中只能用占位符 {{year}}（报告年度），收到 {sorted(fields_in_file - {'year'})}；"
                "文件名本身含花括号时请改名",
            )
            ok = False
        if "multi_year" in raw and not isinstance(raw["multi_year"], bool):
            problems.add(
                path, nodes["multi_year"][1], where, f"multi_year 应为 true 或 false，收到 {raw['multi_year']!r}"
            )
            ok = False
        checks = raw.get("checks", [])
        if not isinstance(checks, list) or any(not isinstance(c, str) or c not in ROW_RULES for c in checks):
            bad = (
                [c for c in checks if not isinstance(c, str) or c not in ROW_RULES]
                if isinstance(checks, list)
                else [checks]
            )
            problems.add(
                path,
                nodes["checks"][1],
                where,
                f"未知的行规则 (unknown row rule) {bad!r}；可用：{', '.join(ROW_RULES)}",
            )
            ok = False
        if not isinstance(raw["columns"], list) or not raw["columns"]:
            problems.add(path, nodes["columns"][1], where, "columns 应为非空列表 (a non-empty list of columns)")
            continue
        columns: list[Column] = []
        for column_raw, column_node in zip(raw["columns"], nodes["columns"][1].value, strict=True):
            column = _column(path, column_raw, column_node, where, vocabularies, problems)
            if column is None:
                ok = False
            elif column.name in {c.name for c in columns}:
                problems.add(path, column_node, where, f"列名重复 (duplicate column name) {column.name!r}")
                ok = False
            else:
                columns.append(column)
        if sum(c.key for c in columns) > 1:
            problems.add(path, nodes["columns"][1], where, "至多一列可标 key: true (at most one key column)")
            ok = False
        for rule in checks if ok else []:
            missing = [c for c in ROW_RULES[rule] if c not in {x.name for x in columns}]
            if missing:
                problems.add(path, nodes["checks"][1], where, f"行规则 {rule} 需要列 {missing}")
                ok = False
        if ok:
            values = {k: raw[k] for k in ("table", "title", "file", "sheet", "keeper", "description")}
            out.append(
                Ledger(
                    **values,
                    columns=tuple(columns),
                    multi_year=raw.get("multi_year", False),
                    checks=tuple(checks),
                )
            )
    return out


def load_unit(raw_root: Path) -> Unit:
    """Read and check the unit configuration under raw_root. Raises UnitConfigError listing every
    problem (P307), never a traceback, when a file is missing, unreadable or invalid."""
    problems = _Problems()
    unit_path = raw_root / UNIT_FILE
    if not unit_path.is_file():
        raise UnitConfigError(
            f"[P307] 没有单位配置 (no unit configuration)：{unit_path}\n"
            f"每个单位的台账文件夹须有 {UNIT_FILE}（单位名称、分类词表、台账版式文件）和 {LEDGER_FOLDER}/*.yaml"
            "（各台账的文件、工作表和列）；请参照 data/raw/unit.yaml 编写，见 README「单位配置」"
        )
    data, root = _parse(unit_path, problems)
    unit_data = data
    top = _nodes(root)
    vocabularies: dict[str, tuple[str, ...]] = {}
    programmes: tuple[str, ...] = ()
    names: list[str] = []
    unit_name = ""
    raw_charts: Any = []
    if data is None and root is None and not problems.items:
        problems.add(
            unit_path, None, "", "单位配置为空 (empty)：至少要写 unit（单位名称）和 ledger_files（台账版式文件）"
        )
    elif data is not None and not isinstance(data, dict):
        problems.add(unit_path, root, "", "单位配置应为键值结构 (a mapping with unit, ledger_files, vocabularies…)")
    elif isinstance(data, dict):
        _unknown_keys(unit_path, top, UNIT_KEYS, "", problems)
        for key in ("unit", "ledger_files"):
            if key not in data:
                problems.add(unit_path, root, "", f"缺少必填项 (missing key) {key!r}：{UNIT_KEYS[key]}")
        if "unit" in data and (not isinstance(data["unit"], str) or not data["unit"].strip()):
            problems.add(unit_path, top["unit"][1], "", f"unit 应为单位名称文本，收到 {data['unit']!r}")
        else:
            unit_name = str(data.get("unit", ""))
        raw_vocabularies = data.get("vocabularies") or {}
        if not isinstance(raw_vocabularies, dict):
            problems.add(unit_path, top["vocabularies"][1], "", "vocabularies 应为「词表名: [取值, …]」的键值结构")
        else:
            for name, (key_node, _) in _nodes(top.get("vocabularies", (None, None))[1]).items():
                if name not in raw_vocabularies:  # 1, on, yes… are read as a number or a boolean
                    problems.add(unit_path, key_node, "", f"词表名 {name!r} 应为文本：请换个名字或加引号")
                    continue
                values = raw_vocabularies[name]
                if _text_list(values) and any("，" in v or "、" in v for v in values):
                    problems.add(
                        unit_path,
                        key_node,
                        "",
                        f"词表 {name!r} 的取值中有全角逗号或顿号：取值之间请用半角逗号分隔，如 [甲, 乙, 丙]",
                    )
                elif not _text_list(values) or len(set(values)) != len(values):
                    problems.add(
                        unit_path, key_node, "", f"词表 {name!r} 应为不重复的非空文本列表 (a list of distinct values)"
                    )
                else:
                    vocabularies[name] = tuple(values)
        raw_programmes = data.get("programmes", [])
        if raw_programmes and not _text_list(raw_programmes):
            problems.add(unit_path, top["programmes"][1], "", "programmes 应为文本列表 (a list of names)")
        else:
            programmes = tuple(raw_programmes)
        raw_charts = data.get("charts", [])
        raw_names = data.get("ledger_files")
        if "ledger_files" in data:
            if not _text_list(raw_names):
                problems.add(
                    unit_path, top["ledger_files"][1], "", "ledger_files 应为文件名列表，如 [study, petitions]"
                )
            else:
                names = list(dict.fromkeys(raw_names))
                for twice in sorted({n for n in raw_names if raw_names.count(n) > 1}):
                    problems.add(
                        unit_path, top["ledger_files"][1], "", f"ledger_files 中重复列出 (listed twice) {twice!r}"
                    )
    ledgers: list[Ledger] = []
    files = [unit_path]
    folder = raw_root / LEDGER_FOLDER
    for name in names:
        path = folder / f"{name}.yaml"
        files.append(path)
        data, root = _parse(path, problems)
        if data is not None or root is not None:
            ledgers.extend(_ledgers(path, data, root, vocabularies, problems))
    listed = {f"{n}.yaml" for n in names}
    unit_read = isinstance(unit_data, dict)
    for extra in sorted(folder.glob("*.yaml")) if folder.is_dir() and unit_read else []:
        if extra.name not in listed:
            problems.add(
                unit_path, top.get("ledger_files", (None, None))[1], "", f"{extra} 未列入 ledger_files，不会被读取"
            )
    seen: dict[str, Ledger] = {}
    for ledger in ledgers:
        if ledger.table in seen:
            problems.add(unit_path, None, "", f"台账表名重复 (duplicate table) {ledger.table!r}")
        seen[ledger.table] = ledger
    if names and not ledgers and not problems.items:
        problems.add(unit_path, None, "", "没有任何台账 (no ledgers configured)")
    charts = _charts(unit_path, raw_charts, top.get("charts", (None, None))[1], seen, problems)
    if problems.items:
        raise UnitConfigError(
            f"单位配置有 {len(problems.items)} 处问题 (invalid unit configuration)，请逐条修改：\n"
            + "\n".join(problems.items)
        )
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return Unit(
        name=unit_name,
        folder=raw_root,
        vocabularies=vocabularies,
        programmes=programmes,
        ledgers=tuple(ledgers),
        charts=tuple(charts),
        files=tuple(files),
        digest=digest.hexdigest(),
    )


def _charts(
    path: Path, raw: Any, node: yaml.Node | None, ledgers: dict[str, Ledger], problems: _Problems
) -> list[ChartSpec]:
    if not raw:
        return []
    if not isinstance(raw, list) or not isinstance(node, yaml.SequenceNode):
        problems.add(path, node, "", "charts 应为列表 (a list of charts, each starting with '- kind:')")
        return []
    out = []
    for item, item_node in zip(raw, node.value, strict=True):
        nodes = _nodes(item_node)
        where = f"图表「{item.get('title')}」" if isinstance(item, dict) else ""
        if not isinstance(item, dict):
            problems.add(path, item_node, "", "每个图表应为键值结构 (each chart is a mapping)")
            continue
        before = len(problems.items)
        _unknown_keys(path, nodes, CHART_KEYS, where, problems)
        for key in ("kind", "table", "title", "x_label", "y_label", "alt", "caption"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                problems.add(path, item_node, where, f"缺少必填项或不是文本 (missing or not text) {key!r}")
        for key in ("sum", "date", "series", "column", "value_unit", "series_title"):
            if key in item and not isinstance(item[key], str):
                problems.add(path, nodes[key][1], where, f"{key} 应为文本 (a column name or text)，收到 {item[key]!r}")
        if len(problems.items) > before:
            continue
        kind, table = item.get("kind"), item.get("table")
        if isinstance(kind, str) and kind not in CHART_KINDS:
            more = "；可用：" + "；".join(f"{k} {v}" for k, v in CHART_KINDS.items())
            problems.add(path, nodes["kind"][1], where, f"未知的图表类型 (unknown kind) {kind!r}{more}")
        ledger = ledgers.get(table) if isinstance(table, str) else None
        if isinstance(table, str) and ledger is None:
            problems.add(
                path, nodes["table"][1], where, f"未知的表 (unknown table) {table!r}{closest(table, sorted(ledgers))}"
            )
        columns = {c.name for c in ledger.columns} if ledger else set()
        for key in ("sum", "date", "series", "column"):
            value = item.get(key)
            if value is not None and ledger is not None and value not in columns:
                problems.add(
                    path,
                    nodes[key][1],
                    where,
                    f"表 {table} 没有列 (no column) {value!r}{closest(str(value), sorted(columns))}",
                )
        dates = item.get("dates")
        if dates is not None and (not isinstance(dates, dict) or not dates):
            problems.add(path, nodes["dates"][1], where, "dates 应为「图例: 日期列」的键值结构")
        elif dates and any(not isinstance(v, str) or not isinstance(k, str) for k, v in dates.items()):
            problems.add(path, nodes["dates"][1], where, "dates 的每一项应为「图例文本: 日期列名」")
        elif dates and ledger is not None:
            for label, column in dates.items():
                if column not in columns:
                    problems.add(path, nodes["dates"][1], where, f"{label}：表 {table} 没有列 {column!r}")
        styles = item.get("styles")
        if styles is not None and (
            not isinstance(styles, dict) or any(not isinstance(r, str) or r not in CHART_ROLES for r in styles.values())
        ):
            problems.add(path, nodes["styles"][1], where, f"styles 应为「取值: {'/'.join(CHART_ROLES)}」的键值结构")
        if kind == "months" and not (dates or (item.get("date") and item.get("series"))):
            problems.add(path, item_node, where, "months 图表须有 date 和 series，或 dates")
        if kind == "categories" and not item.get("column"):
            problems.add(path, item_node, where, "categories 图表须有 column")
        if kind in CHART_FIELDS:
            fields_ = {name: 0 for name in CHART_FIELDS[kind]}
            for key in ("title", "alt", "caption"):
                try:
                    str(item.get(key, "")).format_map(fields_)
                except (KeyError, ValueError, IndexError) as error:
                    problems.add(
                        path,
                        nodes.get(key, (None, item_node))[1],
                        where,
                        f"{key} 中的占位符无效 ({error})；{kind} 图表可用："
                        + "、".join("{" + f + "}" for f in CHART_FIELDS[kind]),
                    )
        if len(problems.items) == before:
            out.append(ChartSpec(**{k: item[k] for k in CHART_KEYS if k in item}))
    return out
