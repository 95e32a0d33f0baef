"""The manifest of a year's raw folder: unit, year, synthetic flag, ledgers held, file hashes.

The manifest is read against a typed schema (`SCHEMA` below): every key known, every value of its
type, `year` equal to the folder's year, `synthetic` a real YAML boolean (`true`/`false`, never a
quoted text, a number, `否` or YAML 1.1's `yes`/`no`). Every problem of one manifest is reported at
once (`LedgerFileError`), with the line number and what to write instead.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ..register.schema import LOADER
from . import LEDGERS_BY_TABLE, Ledger
from .errors import LedgerFileError, Problem

if TYPE_CHECKING:
    from ..params import RunParams

MANIFEST_NAME = "MANIFEST.yaml"

# key -> (required, what to write). `files` entries have their own keys.
SCHEMA: dict[str, tuple[bool, str]] = {
    "unit": (True, "单位全称文本，如 unit: XX县XX街道"),
    "year": (True, "四位年份整数，与目录名相同，如 year: 2025(不加引号)"),
    "synthetic": (False, "synthetic: true(样例数据)或 synthetic: false(真实台账)，不加引号"),
    "note": (False, "说明文字"),
    "generator": (False, "生成程序名称文字"),
    "ledgers": (True, "台账表名列表，每行一项，如 - petitions"),
    "files": (False, "文件列表，每项含 name 和 sha256(64位十六进制)，可选 bytes"),
}
FILE_KEYS: dict[str, tuple[bool, str]] = {
    "name": (True, "文件名文本，如 name: 2025年某某台账.xlsx"),
    "sha256": (True, "64 位十六进制 SHA-256 哈希值"),
    "bytes": (False, "文件字节数，非负整数"),
}
SHA256 = re.compile(r"[0-9a-fA-F]{64}")
BOOL_TAG = "tag:yaml.org,2002:bool"
TYPE_ZH = {
    "tag:yaml.org,2002:str": "文本 (str)",
    "tag:yaml.org,2002:int": "整数 (int)",
    "tag:yaml.org,2002:float": "小数 (float)",
    BOOL_TAG: "布尔值 (bool)",
    "tag:yaml.org,2002:null": "空值 (null)",
    "tag:yaml.org,2002:timestamp": "日期 (date)",
    "tag:yaml.org,2002:seq": "列表 (list)",
    "tag:yaml.org,2002:map": "映射 (mapping)",
}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Manifest:
    unit: str
    year: int
    synthetic: bool
    ledgers: tuple[Ledger, ...]
    files: dict[str, str]  # name -> sha256

    @property
    def unit_short(self) -> str:
        return short_unit_name(self.unit)


def split_unit(unit: str) -> tuple[str, str]:
    """Split "XX县XX街道" into the county ("XX县") and the unit's short name ("XX街道")."""
    positions = [i for i in (unit.find(m) for m in ("县", "市", "区")) if 0 < i < len(unit) - 1]
    if not positions:
        return "", unit
    cut = min(positions) + 1
    return unit[:cut], unit[cut:]


def short_unit_name(unit: str) -> str:
    """The unit without its county prefix, as county notices name it."""
    return split_unit(unit)[1]


# ------------------------------------------------------------------ schema checks on the YAML nodes


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _shown(node: yaml.Node) -> str:
    """A scalar as written in the file (quotes kept), a collection by its type."""
    if isinstance(node, yaml.ScalarNode):
        quote = node.style if node.style in ("'", '"') else ""
        return f"{quote}{node.value}{quote}"[:80]
    return TYPE_ZH.get(node.tag, node.tag)


def _type(node: yaml.Node) -> str:
    return TYPE_ZH.get(node.tag, node.tag)


def _closest(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
    if close:
        return f"最接近的已知项为「{close[0]}」(did you mean {close[0]!r}?)"
    return f"已知项：{'、'.join(known)}"


class _Checker:
    """Collects every problem of one manifest."""

    def __init__(self, label: str):
        self.label = label
        self.problems: list[Problem] = []

    def fail(self, node: yaml.Node | None, key: str, detail: str, code: str = "F018", value: str | None = None) -> None:
        shown = value if value is not None else (_shown(node) if node is not None else "")
        row = _line(node) if node is not None else None
        self.problems.append(Problem(code, "file", self.label, row=row, column=key, value=shown, detail=detail))

    def mapping(self, node: yaml.MappingNode, known: dict[str, tuple[bool, str]], where: str) -> dict[str, yaml.Node]:
        """Key -> value node; unknown, duplicate, non-text and missing required keys reported."""
        found: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                self.fail(key_node, where, f"项名应为文本，读到{_type(key_node)}")
                continue
            key = key_node.value
            name = f"{where}.{key}" if where else key
            if key in found:
                self.fail(key_node, name, f"「{key}」重复出现(第{_line(found[key])}行已有)，请只保留一处", value=key)
            elif key not in known:
                self.fail(key_node, name, f"未知项 (unknown key)「{key}」；{_closest(key, list(known))}", value=key)
            else:
                found[key] = value_node
        for key, (required, hint) in known.items():
            if required and key not in found:
                name = f"{where}.{key}" if where else key
                self.fail(node, name, f"缺少必需项 (required key missing)「{key}」：应为{hint}", value="")
        return found

    def text(self, node: yaml.Node, key: str, hint: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str" or not node.value.strip():
            what = "空文本" if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":str") else _type(node)
            self.fail(node, key, f"应为非空文本 (non-empty string)，读到{what}；应为{hint}")
            return None
        return node.value.strip()

    def integer(self, node: yaml.Node, key: str, hint: str) -> int | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:int":
            self.fail(node, key, f"应为整数 (integer)，读到{_type(node)}；应为{hint}")
            return None
        try:
            return int(yaml.safe_load(node.value))
        except (ValueError, TypeError, yaml.YAMLError):
            self.fail(node, key, f"整数无法解析；应为{hint}")
            return None

    def boolean(self, node: yaml.Node, key: str) -> bool | None:
        """Only `true` / `false` (any case): never text, numbers, `否`, or YAML 1.1's yes/no/on/off."""
        hint = SCHEMA["synthetic"][1]
        if isinstance(node, yaml.ScalarNode) and node.tag == BOOL_TAG and node.value.lower() in ("true", "false"):
            return node.value.lower() == "true"
        if isinstance(node, yaml.ScalarNode) and node.tag == BOOL_TAG:
            why = f"「{node.value}」是 YAML 1.1 的旧写法，各程序读法不一 (ambiguous YAML 1.1 boolean)"
        elif isinstance(node, yaml.ScalarNode) and node.style in ("'", '"'):
            why = "加了引号，读到的是文本 (quoted: a string, not a boolean)"
        else:
            why = f"读到的是{_type(node)}，不是布尔值 (not a boolean)"
        self.fail(node, key, f"{key} 必须是 YAML 布尔值 (must be a YAML boolean)：{why}；请写 {hint}")
        return None


def _parse_error(label: str, error: Exception) -> Problem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    row = mark.line + 1 if mark is not None else None
    reason = getattr(error, "problem", None) or str(error).splitlines()[0]
    return Problem(
        "F018",
        "file",
        label,
        row=row,
        detail=f"YAML 无法解析 (YAML does not parse)：{reason}；请检查该行的缩进、冒号和引号",
    )


def _check(root: yaml.Node, label: str, folder_year: int | None) -> tuple[Manifest | None, list[Problem]]:
    check = _Checker(label)
    if not isinstance(root, yaml.MappingNode):
        check.fail(root, "", f"清单应为「项: 值」的映射 (mapping)，读到{_type(root)}")
        return None, check.problems
    nodes = check.mapping(root, SCHEMA, "")
    unit = check.text(nodes["unit"], "unit", SCHEMA["unit"][1]) if "unit" in nodes else None
    year = check.integer(nodes["year"], "year", SCHEMA["year"][1]) if "year" in nodes else None
    if year is not None and folder_year is not None and year != folder_year:
        check.fail(
            nodes["year"],
            "year",
            f"清单年度与所在目录 {folder_year}/ 不符 (year differs from its folder)；"
            f"请改为 year: {folder_year}，或把台账放到 {year}/ 目录",
            code="F017",
        )
    synthetic = check.boolean(nodes["synthetic"], "synthetic") if "synthetic" in nodes else False
    for key in ("note", "generator"):
        if key in nodes:
            check.text(nodes[key], key, SCHEMA[key][1])
    tables: list[str] = []
    if "ledgers" in nodes:
        seq = nodes["ledgers"]
        if not isinstance(seq, yaml.SequenceNode):
            check.fail(seq, "ledgers", f"应为列表 (list)，读到{_type(seq)}；应为{SCHEMA['ledgers'][1]}")
        else:
            known = sorted(LEDGERS_BY_TABLE)
            for item in seq.value:
                if not isinstance(item, yaml.ScalarNode) or item.tag != "tag:yaml.org,2002:str":
                    check.fail(item, "ledgers", f"台账表名应为文本，读到{_type(item)}")
                elif item.value not in LEDGERS_BY_TABLE:
                    check.fail(item, "ledgers", f"未知台账名称 (unknown ledger)；{_closest(item.value, known)}")
                elif item.value in tables:
                    check.fail(item, "ledgers", "台账重复列出，请只保留一处")
                else:
                    tables.append(item.value)
    files: dict[str, str] = {}
    if "files" in nodes:
        seq = nodes["files"]
        if not isinstance(seq, yaml.SequenceNode):
            check.fail(seq, "files", f"应为列表 (list)，读到{_type(seq)}；应为{SCHEMA['files'][1]}")
        else:
            for item in seq.value:
                if not isinstance(item, yaml.MappingNode):
                    check.fail(item, "files", f"每项应为含 name、sha256 的映射，读到{_type(item)}")
                    continue
                entry = check.mapping(item, FILE_KEYS, "files")
                name = check.text(entry["name"], "files.name", FILE_KEYS["name"][1]) if "name" in entry else None
                digest = None
                if "sha256" in entry:
                    node = entry["sha256"]
                    if isinstance(node, yaml.ScalarNode) and SHA256.fullmatch(node.value):
                        digest = node.value.lower()
                    else:
                        check.fail(node, "files.sha256", f"应为 64 位十六进制 SHA-256 值，读到{_type(node)}")
                if "bytes" in entry:
                    size = check.integer(entry["bytes"], "files.bytes", FILE_KEYS["bytes"][1])
                    if size is not None and size < 0:
                        check.fail(entry["bytes"], "files.bytes", "文件字节数不能为负")
                if name is not None and name in files:
                    check.fail(entry["name"], "files.name", "文件重复列出，请只保留一处")
                elif name is not None and digest is not None:
                    files[name] = digest
    if check.problems or unit is None or year is None or synthetic is None:
        return None, check.problems
    manifest = Manifest(
        unit=unit,
        year=year,
        synthetic=synthetic,
        ledgers=tuple(LEDGERS_BY_TABLE[t] for t in tables),
        files=files,
    )
    return manifest, []


def read_manifest(raw_dir: Path) -> Manifest:
    """The folder's manifest, checked against the schema; LedgerFileError lists every problem."""
    path = raw_dir / MANIFEST_NAME
    if not path.is_file():
        raise LedgerFileError(
            [Problem("F015", "file", MANIFEST_NAME, detail=f"{raw_dir} 下应有 {MANIFEST_NAME}，列明单位、年度和台账")]
        )
    label = f"{raw_dir.name}/{MANIFEST_NAME}"
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise LedgerFileError(
            [
                Problem(
                    "F018", "file", label, detail=f"清单应以 UTF-8 编码保存 (not UTF-8)：第 {error.start} 字节无法解码"
                )
            ]
        ) from None
    try:
        root = yaml.compose(text, Loader=LOADER)  # libyaml's parser: ~10x the pure-Python one's speed
    except yaml.YAMLError as error:
        raise LedgerFileError([_parse_error(label, error)]) from None
    if root is None:
        raise LedgerFileError(
            [Problem("F018", "file", label, detail="清单为空 (empty manifest)；应列明单位、年度和台账")]
        )
    folder_year = int(raw_dir.name) if raw_dir.name.isdigit() else None
    manifest, problems = _check(root, label, folder_year)
    if problems:
        raise LedgerFileError(problems)
    assert manifest is not None
    return manifest


def years_to_clean(params: RunParams) -> list[int]:
    """The report year and every earlier year under raw_root with a manifest: multi-year figures
    (同比, 连续N年, 持续提升, 近两年) read those years' clean data."""
    root = params.path(params.raw_root)
    years = [int(p.name) for p in root.iterdir() if p.name.isdigit() and (p / MANIFEST_NAME).exists()]
    return sorted(y for y in years if y <= params.year)
