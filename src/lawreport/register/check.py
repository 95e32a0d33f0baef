"""`lawreport register check`: every problem of a register (claims/<year>.yaml), found in one pass.

Reads the register and the report text, writes nothing, never raises, and imports neither pandas
nor Jupyter: an analyst runs it after each edit, before any kernel starts. The checks are the run's
own (lawreport.register.claims.read_register: the schema of lawreport.register.schema, the compute specs of
lawreport.register.spec, wordings, quotes), gathered without stopping at the first kind, plus what
helps while editing: an unreadable file told apart from a broken one (missing, a folder, binary,
empty, not UTF-8), the column of a YAML syntax error and a tab in the indentation, the passage of
the report closest to a quote that is not found, repeated keys (YAML keeps only the last), entries
a draft left for review (`todo:`), and the numbers of the report no entry accounts for, as warnings
with their sentence.

Every problem carries the code P302 (P303 when the year has no register), a severity, the file,
line and entry id, a message in Chinese with the English term, and what to do.
"""

from __future__ import annotations

import ast
import difflib
import sys
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

Severity = Literal["error", "warning"]

# kind -> (Chinese label, English term, what to do). Kinds are stable names for tests and JSON.
KINDS: dict[str, tuple[str, str, str]] = {
    "missing_register": (
        "该年度没有数字登记册",
        "no register for the year",
        "检查 --year 与 --claims-dir；登记册应为 <claims-dir>/<年度>.yaml",
    ),
    "unreadable": ("无法读取登记册", "register unreadable", "确认路径指向登记册文件本身（不是文件夹），且有读取权限"),
    "empty": ("登记册为空", "empty register", "写入 unit、year、report、figures 等项；可参照 claims/2025.yaml"),
    "binary": (
        "不是文本文件",
        "binary file, not YAML text",
        "登记册须为纯文本 YAML（.yaml），不能是 Excel、Word 或 PDF",
    ),
    "not_utf8": ("不是 UTF-8 文本", "not UTF-8", "用 UTF-8 编码另存（记事本/WPS：另存为 → 编码选 UTF-8）"),
    "report_unreadable": (
        "无法读取报告原文",
        "report text unreadable",
        "检查 --raw-root（或登记册的 report 项）：报告原文应为 <raw-root>/<年度>/report.txt，UTF-8 编码",
    ),
    "yaml_syntax": (
        "YAML 语法错误",
        "YAML syntax error",
        "到所示行列检查：缩进只用空格且同级对齐、冒号后留一个空格、引号和括号成对；错误常在所示位置的上一行",
    ),
    "tab": ("缩进用了制表符", "tab in the indentation", "YAML 只能用空格缩进：把该行开头的制表符 (Tab) 换成空格"),
    "top_level": (
        "登记册的结构不对",
        "wrong top-level shape",
        "顶层应为键值结构：unit: …、year: …、report: …、figures: 列表；不能是列表或单个值",
    ),
    "unknown_key": ("未知项", "unknown key", "改成提示的最接近的有效名称；确实多余的项请删除"),
    "missing_key": ("缺少必填项", "missing key", "补上该项"),
    "duplicate_id": ("编号重复", "duplicate id", "每个条目的 id 须唯一：给其中一个改名，或删除重复的条目"),
    "duplicate_key": ("同一处的键重复", "duplicate key", "删除重复的键：YAML 只保留最后一个，前面的会被悄悄丢掉"),
    "unknown_metric": (
        "未知指标",
        "unknown metric",
        "改成提示的最接近的指标名；或删除 metric 与 definition，改写 compute 规格",
    ),
    "unknown_table": ("未知的表", "unknown table", "改成提示的表名；清洗表名见 docs/data-dictionary.md"),
    "unknown_column": ("未知的列", "unknown column", "改成提示的列名；各表的列见 docs/data-dictionary.md"),
    "unknown_category": (
        "类别不在取值范围内",
        "category outside the vocabulary",
        "改成该列允许的取值之一（已列出），注意全角半角和空格",
    ),
    "reference": ("引用了不存在的编号", "unknown figure id", "改成登记册中已有的条目编号（提示了最接近的）"),
    "circular": ("引用成环", "circular reference", "ratio / difference 不能直接或间接引用自己"),
    "spec": ("计算规格问题", "compute spec problem", "按提示改 compute 规格；写法见 README「登记册的计算规格」"),
    "spec_misfit": ("写法与计算规格不符", "spec does not fit the wording", "按提示改 compute 规格或 written"),
    "how_computed": (
        "计算方法写法不对",
        "metric or compute",
        "每个条目恰好写 compute 规格或 metric 之一；compute 条目不写 definition",
    ),
    "wording": ("数字写法无法解析", "wording not understood", "written 应为报告中的数字写法，如 6次、50余场次、99.85%"),
    "wrong_type": ("类型不对", "wrong type", "按提示改：文本请加引号，列表每项以 - 开头"),
    "year_mismatch": ("年度不符", "year mismatch", "登记册的 year 应与 --year 相同"),
    "quote_not_found": (
        "报告中找不到引文",
        "quote not in the report",
        "从报告原文逐字复制引文：标点（全角/半角）、空格和用字须完全一致",
    ),
    "written_not_in_quote": (
        "引文中找不到数字写法",
        "written not inside its quote",
        "written（及 also_covers）须为引文中原样出现的数字写法，如引文“已组织培训6次”中的 6次",
    ),
    "text_not_found": (
        "报告中找不到该文字",
        "text not in the report",
        "not_statistics / commitments 的 text 须从报告原文逐字复制",
    ),
    "unaccounted_number": (
        "数字未登记",
        "number unaccounted for",
        "在 figures 中登记它；不是统计数字（日期、名称、标题）则列入 not_statistics 并写明原因。"
        "注意：lawreport run 把它作为错误，不会启动",
    ),
    "draft_todo": (
        "待审核",
        "draft entry not reviewed",
        "按 todo 所说核对：引文、written、计算规格（compute: TODO 须写成真正的规格；commitments 须填 check_next_year），然后删除 todo 行",
    ),
    "draft_dropped": (
        "草稿中上年有、本年未见的条目",
        "entries dropped by a draft",
        "逐条确认：仍在报告中的（匹配遗漏）移回 figures 并改写 quote 与 written；确实不再报告的，删除 dropped 节",
    ),
    "schema": ("登记册格式问题", "register schema problem", "按提示修改"),
    "internal": ("检查程序内部错误", "internal error of the check", "请把登记册和这条信息交给维护者"),
}
# The run's messages (lawreport.register.schema, .register.spec, .claims) carry an English term in
# brackets; that term says the kind. First match wins.
MESSAGE_KINDS: tuple[tuple[str, str], ...] = (
    ("(draft entry not reviewed)", "draft_todo"),
    ("(YAML syntax error)", "yaml_syntax"),
    ("(a mapping with unit, year, figures", "top_level"),
    ("(not UTF-8)", "not_utf8"),
    ("(report text not found)", "report_unreadable"),
    ("(report not UTF-8)", "report_unreadable"),
    ("(duplicate id)", "duplicate_id"),
    ("(unknown metric)", "unknown_metric"),
    ("(unknown table)", "unknown_table"),
    ("(unknown column)", "unknown_column"),
    ("(category outside the vocabulary)", "unknown_category"),
    ("(unknown key)", "unknown_key"),
    ("(missing key) 'definition'", "how_computed"),
    ("(missing key)", "missing_key"),
    ("(quote not in the report)", "quote_not_found"),
    ("引文中找不到数字写法", "written_not_in_quote"),
    ("：报告中找不到", "text_not_found"),
    ("(circular reference)", "circular"),
    ("不是登记的数字编号", "reference"),
    ("(spec does not fit the wording)", "spec_misfit"),
    ("(wording)", "wording"),
    ("(both metric and compute)", "how_computed"),
    ("(neither metric nor compute)", "how_computed"),
    ("(definition is generated from compute", "how_computed"),
    ("，运行年度为", "year_mismatch"),
    ("compute", "spec"),
    ("应为文本", "wrong_type"),
    ("应为列表", "wrong_type"),
    ("(a list of strings)", "wrong_type"),
    ("(each entry is a mapping)", "wrong_type"),
)
UNREADABLE = frozenset({"missing_register", "unreadable", "empty", "binary", "not_utf8", "report_unreadable"})
# Where a number's sentence ends, for the warnings about numbers no entry accounts for.
SENTENCE_ENDS = "。；！？\n"


@dataclass(frozen=True)
class CheckProblem:
    """One problem of a register, located precisely enough to fix it."""

    code: str  # P302; P303 when the year has no register
    severity: Severity
    kind: str  # a key of KINDS
    file: str
    line: int | None
    entry: str  # the figure id ("" for the register as a whole, or the report text)
    message: str  # Chinese, with the English term
    todo: str  # what to do
    column: int | None = None

    @property
    def label(self) -> str:
        zh, en, _ = KINDS[self.kind]
        return f"{zh} ({en})"

    @property
    def where(self) -> str:
        line = f" 第{self.line}行" if self.line else ""
        column = f"第{self.column}列" if self.line and self.column else ""
        return f"{self.file}{line}{column}"

    @property
    def detail(self) -> str:
        """The message without a leading repeat of the label (the run's messages often start with it)."""
        zh, en, _ = KINDS[self.kind]
        for head in (f"{zh} ({en})", zh):
            if self.message.startswith(head):
                return self.message[len(head) :].lstrip(" ：:，") or self.message
        return self.message

    def text(self) -> str:
        severity = "错误 (error)" if self.severity == "error" else "警告 (warning)"
        entry = f" 条目「{self.entry}」" if self.entry else ""
        return f"[{self.code}] {severity} {self.where}{entry}：{self.label}：{self.detail}"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "label": self.label}


@dataclass(frozen=True)
class RegisterReport:
    """Everything `register check` found in one register, and what the exit code is."""

    register: str
    report: str
    year: int | None
    problems: tuple[CheckProblem, ...]
    figures: int = 0  # figure entries read
    entry_lines: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[CheckProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[CheckProblem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def readable(self) -> bool:
        return not any(p.kind in UNREADABLE for p in self.problems)

    @property
    def exit_code(self) -> int:
        """2: the register or the report could not be read; 1: errors; 0: none (warnings allowed)."""
        return 2 if not self.readable else 1 if self.errors else 0

    def lines(self) -> list[str]:
        """The summary for the terminal, grouped by entry (in the register's order), with line numbers."""
        out = [
            f"数字登记册检查 (register check)：{self.register}" + (f"（报告原文 {self.report}）" if self.report else "")
        ]
        groups: dict[str, list[CheckProblem]] = {}
        for problem in self.problems:
            key = problem.entry if problem.entry else ("" if problem.kind != "unaccounted_number" else "\0report")
            groups.setdefault(key, []).append(problem)

        def order(key: str) -> tuple[int, int]:
            if key == "":
                return (0, 0)
            if key == "\0report":
                return (2, 0)
            return (1, self.entry_lines.get(key) or min(p.line or 0 for p in groups[key]))

        for key in sorted(groups, key=order):
            if key == "":
                out.append("登记册整体 (the register as a whole)")
            elif key == "\0report":
                out.append(
                    f"报告原文中未登记的数字 (numbers of the report no entry accounts for)：{len(groups[key])} 个"
                )
            else:
                line = self.entry_lines.get(key)
                out.append(f"条目「{key}」" + (f"（第{line}行起）" if line else ""))
            for problem in groups[key]:
                severity = "错误 (error)" if problem.severity == "error" else "警告 (warning)"
                place = problem.where if problem.file != self.register else problem.where.replace(self.register, "", 1)
                place = place.strip() or "—"
                out.append(f"  {place} {severity} [{problem.code}] {problem.label}：{problem.detail}")
                out.append(f"      怎么改 (what to do)：{problem.todo}")
        errors, warnings = len(self.errors), len(self.warnings)
        if self.exit_code == 2:
            verdict = "无法读取，未检查内容 (could not be read)"
        elif errors:
            verdict = "有错误，lawreport run 不会启动 (errors: the run would not start)"
        elif warnings:
            verdict = "没有错误，有警告 (no errors, warnings only)"
        else:
            verdict = "没有发现问题 (no problems found)"
        out.append(
            f"共 {self.figures} 个数字条目；错误 {errors} 个，警告 {warnings} 个：{verdict}（退出码 exit {self.exit_code}）"
        )
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "register": self.register,
            "report": self.report,
            "year": self.year,
            "figures": self.figures,
            "exit_code": self.exit_code,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [p.to_dict() for p in self.problems],
        }


def check_register(
    path: Path,
    report_path: Path | None = None,
    year: int | None = None,
    *,
    known_metrics: list[str] | None = None,
    shown: str | None = None,
) -> RegisterReport:
    """Every problem of the register at `path` against the report text at `report_path` (default:
    the register's `report:` entry), for the report `year` (None: not compared). Never raises.

    `known_metrics`: the Python metrics' names (default: read from lawreport/metrics/ without
    importing it). `shown`: how the register's path is written in messages (default: as given).
    """
    name = shown or str(path)
    problems: list[CheckProblem] = []
    try:
        text = _read_text(path, name, problems)
        if text is None:
            return RegisterReport(name, "", year, tuple(problems))
        return _check_text(path, name, text, report_path, year, known_metrics, problems)
    except Exception as error:  # noqa: BLE001 - the check reports, it never shows a traceback
        problems.append(
            _problem("internal", name, None, "", f"{type(error).__name__}: {error}"),
        )
        return RegisterReport(name, str(report_path or ""), year, tuple(problems))


def _problem(
    kind: str,
    file: str,
    line: int | None,
    entry: str,
    message: str,
    *,
    severity: Severity = "error",
    column: int | None = None,
    todo: str = "",
) -> CheckProblem:
    code = "P303" if kind == "missing_register" else "P302"
    return CheckProblem(code, severity, kind, file, line, entry, message, todo or KINDS[kind][2], column)


def _read_text(path: Path, name: str, problems: list[CheckProblem]) -> str | None:
    """The register's text, or None with the reason it cannot be read."""
    if not path.exists():
        problems.append(_problem("missing_register", name, None, "", f"找不到文件 (no such file)：{path}"))
        return None
    if path.is_dir():
        problems.append(
            _problem("unreadable", name, None, "", "这是一个文件夹，不是登记册文件 (a directory, not a file)")
        )
        return None
    try:
        data = path.read_bytes()
    except OSError as error:
        problems.append(_problem("unreadable", name, None, "", f"无法读取 (cannot read)：{error.strerror or error}"))
        return None
    if not data.strip():
        problems.append(_problem("empty", name, None, "", f"文件为空 (empty file)，{len(data)} 字节"))
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.append(_problem("not_utf8", name, 1, "", '文件是 UTF-16 编码 (UTF-16, "Unicode text")，不是 UTF-8'))
        return None
    what = _binary_kind(data)
    if what:
        problems.append(_problem("binary", name, None, "", f"文件内容不是文本 (binary content)：{what}"))
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        line_start = data.rfind(b"\n", 0, error.start) + 1
        column = len(data[line_start : error.start].decode("utf-8", errors="ignore")) + 1
        guess = ""
        try:
            data.decode("gb18030")
            guess = "；看起来是 GB18030/GBK 编码 (looks like GB18030/GBK)"
        except UnicodeDecodeError:
            pass
        problems.append(
            _problem(
                "not_utf8",
                name,
                line,
                "",
                f"第{line}行第{column}列的字节 0x{data[error.start]:02x} 不是 UTF-8 (not UTF-8){guess}",
                column=column,
            )
        )
        return None


def _binary_kind(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04"):
        return "ZIP 压缩包（.xlsx / .docx 也是这种格式）"
    if data.startswith(b"%PDF"):
        return "PDF 文件"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "旧版 Office 文件（.xls / .doc）"
    if b"\x00" in data[:4096]:
        return "含有空字节 (NUL bytes)"
    return ""


def _check_text(
    path: Path,
    name: str,
    text: str,
    report_path: Path | None,
    year: int | None,
    known_metrics: list[str] | None,
    problems: list[CheckProblem],
) -> RegisterReport:
    from .claims import read_register
    from .schema import LOADER

    register, found = read_register(
        path,
        report_path,
        year,
        known_metrics=known_metrics if known_metrics is not None else metric_names(),
        keep_going=True,
    )
    try:
        root = yaml.compose(text, Loader=LOADER)
    except yaml.YAMLError:
        root = None  # reported by read_register as a YAML syntax error
    marks = _Marks(root, name)
    lines = marks.entry_lines
    report_text = None
    if register is not None and register.report_path.is_file():
        try:
            report_text = register.report_path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            report_text = None
    for raw in found:
        kind = _kind(raw.message)
        if marks.superseded(raw.line, raw.entry, kind):
            continue
        line, message = raw.line, raw.message
        if kind == "yaml_syntax":
            message = _yaml_syntax_message(text) or message
            if _tab_at(text, raw.line):
                kind = "tab"
                message += "；该行的缩进含制表符 (tab)"
        elif kind == "top_level":
            line = line or 1
        elif kind in ("quote_not_found", "written_not_in_quote"):
            # The value the message names tells apart two entries with the same id.
            key = "quote" if kind == "quote_not_found" else "written"
            value = _named_value(raw.message)
            line = marks.key_line(raw.entry, key, value) or line
            if kind == "quote_not_found" and report_text is not None and value:
                message += _closest_passage(report_text, value)
        elif kind == "report_unreadable" and register is not None:
            message = message.replace(str(register.report_path), shown_path(register.report_path))
        problems.append(
            _problem(kind, raw.file if raw.file != str(path) else name, line, raw.entry, message, column=raw.column)
        )
    problems.extend(marks.problems)
    report_shown = shown_path(register.report_path) if register is not None else ""
    if register is not None and report_text is not None:
        problems.extend(_unaccounted(register, report_text, report_shown))
    problems.sort(key=lambda p: (p.kind == "unaccounted_number", p.line or 0))
    return RegisterReport(
        name,
        report_shown,
        year if year is not None else (register.year if register is not None else None),
        tuple(problems),
        len(register.figures) if register is not None else 0,
        lines,
    )


def _named_value(message: str) -> str:
    """The quote or written that a message of lawreport.register.claims names."""
    if "(quote not in the report): " in message:
        return message.split("(quote not in the report): ", 1)[1]
    if "引文中找不到数字写法 " in message:
        value = message.split("引文中找不到数字写法 ", 1)[1]
        return value[1:-1] if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"" else value
    return ""


def _kind(message: str) -> str:
    return next((kind for term, kind in MESSAGE_KINDS if term in message), "schema")


# PyYAML's messages (libyaml's wording), said in Chinese; the English stays beside it.
YAML_PROBLEMS_ZH: tuple[tuple[str, str], ...] = (
    ("cannot start any token", "这里的字符不能开始任何内容（常见：用制表符缩进，或值以 ` @ % 开头而未加引号）"),
    ("mapping values are not allowed", "这里不能出现「键: 值」（常见：冒号后少了空格，或值中含“: ”而未加引号）"),
    ("did not find expected key", "缩进不一致：同一层的键没有对齐"),
    ("did not find expected '-' indicator", "列表项缩进不一致：同一列表的 - 没有对齐"),
    ("expected ',' or ']'", "方括号 [ ] 没有闭合，或列表项之间少了逗号"),
    ("expected ',' or '}'", "花括号 { } 没有闭合，或项之间少了逗号"),
    ("could not find expected ':'", "少了冒号：每个键后要有「: 」"),
    ("unexpected end of stream", "文件结束时引号或括号还没有闭合"),
    ("found unknown escape character", "双引号中的反斜杠 \\ 不是有效的转义；请改用单引号"),
    ("found undefined alias", "用了未定义的别名 *name"),
    ("expected <block end>", "缩进不一致：这一行比上一层缩进得少或多"),
)


def _yaml_syntax_message(text: str) -> str:
    """The YAML error said in Chinese, with where the construct it broke started (PyYAML marks
    where it noticed the problem, often a line after the mistake); "" if it parses after all."""
    from .schema import LOADER

    try:
        yaml.compose(text, Loader=LOADER)
    except yaml.MarkedYAMLError as error:
        problem = error.problem or error.context or ""
        zh = next((z for term, z in YAML_PROBLEMS_ZH if term in problem), "格式错误")
        started = ""
        context, mark = error.context_mark, error.problem_mark
        if context is not None and (mark is None or (context.line, context.column) != (mark.line, mark.column)):
            started = f"；所在结构从第{context.line + 1}行第{context.column + 1}列开始 ({error.context})"
        return f"YAML 无法解析 (YAML syntax error)：{zh} ({problem}){started}"
    except yaml.YAMLError:
        return ""
    return ""


def _tab_at(text: str, line: int | None) -> bool:
    lines = text.splitlines()
    if not line or line > len(lines):
        return False
    here = lines[line - 1]
    return "\t" in here[: len(here) - len(here.lstrip(" \t"))]


class _Marks:
    """What the YAML nodes show and the parsed data hides: the line of each key of each entry,
    keys written twice in one mapping, and the `todo` markers a draft leaves."""

    def __init__(self, root: yaml.Node | None, name: str) -> None:
        self.name = name
        self.entry_lines: dict[str, int] = {}
        self.keys: dict[str, list[dict[str, tuple[int, Any]]]] = {}  # id -> each entry's key -> (line, value)
        self.problems: list[CheckProblem] = []
        self._todo_lines: set[tuple[int, str]] = set()
        if not isinstance(root, yaml.MappingNode):
            return
        self._duplicates(root, "")
        for key, value in root.value:
            if key.value == "todo":
                self._top_level_todo(key, value)
            if key.value == "dropped":
                self._dropped(key, value)
            if key.value == "figures" and isinstance(value, yaml.SequenceNode):
                for item in value.value:
                    self._entry(item)

    def _duplicates(self, node: yaml.Node, entry: str) -> None:
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            pairs = {str(k.value): v for k, v in node.value}
            if "id" in pairs and isinstance(pairs["id"], yaml.ScalarNode):
                entry = str(pairs["id"].value)
            for key, value in node.value:
                line = key.start_mark.line + 1
                if isinstance(key, yaml.ScalarNode) and key.value in seen:
                    self.problems.append(
                        _problem(
                            "duplicate_key",
                            self.name,
                            line,
                            entry,
                            f"键 {key.value!r} 重复 (duplicate key)，第{seen[key.value]}行已有；只有这一个会被读取",
                        )
                    )
                elif isinstance(key, yaml.ScalarNode):
                    seen[key.value] = line
                self._duplicates(value, entry)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                self._duplicates(item, entry)

    def _top_level_todo(self, key: yaml.Node, value: yaml.Node) -> None:
        self._todo_lines.add((key.start_mark.line + 1, ""))
        items = value.value if isinstance(value, yaml.SequenceNode) else [value]
        for item in items:
            data = _plain(item)
            entry = str(data.get("id", "")) if isinstance(data, dict) else ""
            what = _short(data if not isinstance(data, dict) else data.get("note") or data.get("reason") or data)
            self.problems.append(
                _problem(
                    "draft_todo",
                    self.name,
                    item.start_mark.line + 1,
                    entry,
                    f"草稿留下的待办 (todo left by a draft)：{what}",
                )
            )

    def _dropped(self, key: yaml.Node, value: yaml.Node) -> None:
        """`dropped:` lists last year's entries a draft found no continuation for (register/draft.py).
        The schema allows it (nothing reads it); left in a reviewed register it is a warning."""
        line = key.start_mark.line + 1
        items = value.value if isinstance(value, yaml.SequenceNode) else []
        ids = [str(_plain(i).get("id", "")) for i in items if isinstance(_plain(i), dict)]
        self.problems.append(
            _problem(
                "draft_dropped",
                self.name,
                line,
                "",
                f"草稿列出的上年条目 {len(items)} 个，本年报告中未找到接续的句子 (dropped by the draft)："
                + ("、".join(ids[:10]) + ("…" if len(ids) > 10 else "") if ids else "（空）"),
                severity="warning",
            )
        )

    def _entry(self, item: yaml.Node) -> None:
        if not isinstance(item, yaml.MappingNode):
            return
        pairs = {str(k.value): (k, v) for k, v in item.value}
        entry = str(pairs["id"][1].value) if "id" in pairs and isinstance(pairs["id"][1], yaml.ScalarNode) else ""
        if entry:
            self.entry_lines.setdefault(entry, item.start_mark.line + 1)
            self.keys.setdefault(entry, []).append(
                {k: (key.start_mark.line + 1, _plain(value)) for k, (key, value) in pairs.items()}
            )
        if "todo" in pairs:
            key, value = pairs["todo"]
            self._todo_lines.add((key.start_mark.line + 1, entry))
            self.problems.append(
                _problem(
                    "draft_todo",
                    self.name,
                    key.start_mark.line + 1,
                    entry,
                    f"条目仍标有 todo，未经审核 (draft entry not reviewed)：{_short(_plain(value))}",
                )
            )
        compute = pairs.get("compute")
        if (
            compute is not None
            and isinstance(compute[1], yaml.ScalarNode)
            and compute[1].value.strip().upper() == "TODO"
        ):
            line = compute[1].start_mark.line + 1
            self._todo_lines.add((line, entry))
            self.problems.append(
                _problem(
                    "draft_todo",
                    self.name,
                    line,
                    entry,
                    "compute: TODO —— 草稿没能写出计算规格，须人工补写 (compute spec left as TODO by a draft)",
                )
            )

    def superseded(self, line: int | None, entry: str, kind: str) -> bool:
        """A schema problem that only restates a todo marker (unknown key 'todo', compute not a mapping)."""
        return kind in ("unknown_key", "spec") and (line or 0, entry) in self._todo_lines

    def key_line(self, entry: str, key: str, value: str) -> int | None:
        """The line of `key` (quote or written) in the entry with this id that holds `value` (as
        its quote, or as its written or one of its also_covers); else in the first with the id."""
        entries = self.keys.get(entry, [])
        names = ("quote",) if key == "quote" else ("written", "also_covers")
        for keys in entries:
            for name in names:
                held = keys.get(name, (None, None))[1]
                if value == held or (isinstance(held, list) and value in held):
                    return keys[name][0]
        return entries[0].get(key, (None, None))[0] if entries else None


def _plain(node: yaml.Node) -> Any:
    try:
        return yaml.constructor.SafeConstructor().construct_object(node, deep=True)
    except yaml.YAMLError:
        return getattr(node, "value", "")


def _short(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _closest_passage(text: str, quote: str) -> str:
    """Where the report says nearly the same as a quote that is not found (a full-width comma for
    a half-width one, a character more or less), or "" when nothing is close."""
    folded = unicodedata.normalize("NFKC", quote)
    origin: list[int] = []  # for each character of the folded text, its offset in the text
    pieces = []
    for offset, char in enumerate(text):
        piece = unicodedata.normalize("NFKC", char)
        pieces.append(piece)
        origin.extend([offset] * len(piece))
    at = "".join(pieces).find(folded) if folded else -1
    if at >= 0:
        start, end = origin[at], origin[at + len(folded) - 1] + 1
        line = text.count("\n", 0, start) + 1
        return (
            f"；报告第{line}行有「{text[start:end]}」，只是全角/半角字符不同 (full-width vs half-width)：请照原文复制"
        )
    size = len(quote)
    if size < 4 or not text:
        return ""
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(quote)
    best, best_start, best_width = 0.0, -1, size
    for width in (size - 2, size, size + 2):
        for start in range(0, max(1, len(text) - width + 1)):
            matcher.set_seq1(text[start : start + width])
            if matcher.real_quick_ratio() <= best or matcher.quick_ratio() <= best:
                continue
            ratio = matcher.ratio()
            if ratio > best:
                best, best_start, best_width = ratio, start, width
    if best < 0.6 or best_start < 0:
        return ""
    passage = text[best_start : best_start + best_width].replace("\n", " ")
    line = text.count("\n", 0, best_start) + 1
    return f"；最接近的原文 (closest passage, 报告第{line}行)：「{passage}」"


def _unaccounted(register: Any, text: str, report_shown: str) -> list[CheckProblem]:
    """Warnings for the numbers of the report that no entry, also_covers, non-statistic or commitment
    accounts for (lawreport.register.claims.unaccounted_numbers), counted with the entries whose quote and
    written are found (the others are errors of their own)."""
    from dataclasses import replace

    from .claims import unaccounted_numbers

    def fits(entry: Any) -> bool:
        start = text.find(entry.quote)
        end = start + len(entry.quote)
        return start >= 0 and all(text.find(w, start, end) >= 0 for w in (entry.written, *entry.also_covers))

    usable = replace(
        register,
        figures=tuple(e for e in register.figures if fits(e)),
        not_statistics=tuple(i for i in register.not_statistics if i["text"] in text),
        commitments=tuple(i for i in register.commitments if i["text"] in text),
    )
    out = []
    for mention in unaccounted_numbers(usable):
        line = text.count("\n", 0, mention.start) + 1
        out.append(
            _problem(
                "unaccounted_number",
                report_shown,
                line,
                "",
                f"数字 {mention.text!r} 没有条目登记，也未列为非统计数字 (number unaccounted for)；"
                f"句子 (sentence)：「{_sentence(text, mention.start, mention.end)}」",
                severity="warning",
            )
        )
    return out


def _sentence(text: str, start: int, end: int, limit: int = 40) -> str:
    """The sentence around text[start:end], at most `limit` characters either side."""
    left = max((text.rfind(c, 0, start) for c in SENTENCE_ENDS), default=-1) + 1
    ends = [i for i in (text.find(c, end) for c in SENTENCE_ENDS) if i >= 0]
    right = min(ends) + 1 if ends else len(text)
    left, right = max(left, start - limit), min(right, end + limit)
    return text[left:right].strip()


def metric_names() -> list[str]:
    """The names of the Python metrics: the functions decorated with @metric in lawreport/metrics/,
    read from their source, so that checking a register does not import them (they import pandas).
    When the metrics are already imported, their registry is used."""
    loaded = sys.modules.get("lawreport.metrics")  # the package: every metric module imported
    if loaded is not None and hasattr(loaded, "METRICS"):
        return sorted(loaded.METRICS)
    return metric_names_in_source()


def metric_names_in_source() -> list[str]:
    """The functions decorated with @metric in lawreport/metrics/*.py (a test keeps this equal to
    lawreport.metrics.METRICS)."""
    names = []
    for file in sorted((Path(__file__).resolve().parents[1] / "metrics").glob("*.py")):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(_is_metric(d) for d in node.decorator_list):
                names.append(node.name)
    return sorted(names)


def _is_metric(decorator: ast.expr) -> bool:
    return (isinstance(decorator, ast.Name) and decorator.id == "metric") or (
        isinstance(decorator, ast.Attribute) and decorator.attr == "metric"
    )


def shown_path(path: Path) -> str:
    """A path as the analyst typed it: relative to the working folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)
