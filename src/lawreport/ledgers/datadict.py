"""The data dictionary (docs/data-dictionary.md), rendered from the ledger specs so it stays true.

`python -m lawreport.ledgers.datadict` rewrites the file; tests/test_datadict.py fails when it is stale.
"""

from __future__ import annotations

import sys

from ..params import PROJECT_ROOT
from . import ALL_LEDGERS, KIND_DTYPES, PERSONAL_KINDS

DICTIONARY_PATH = PROJECT_ROOT / "docs" / "data-dictionary.md"

KIND_RULES = {
    "text": "文本，去除首尾及多余空白",
    "code": "编号，按文本保存(保留前导零)，全角转半角",
    "int": "整数；接受 `12`、`１２`、`3件`、`1,200`；中文数字报错；空白与 `—`、`/`、`无` 视为空值(必填列报错)",
    "amount": "金额(元)，≥0；接受 `1,200元`、`1200.00`；`万元` 报错",
    "date": "日期；接受 Excel 日期、序列号、`2025-03-05`、`2025/3/5`、`2025.3.5`、`2025年3月5日`",
    "month": "月份 1-12",
    "year": "四位年份",
    "flag": "是否标记：是/√/✓/Y/1 为是，否/×/N/0 为否",
    "category": "取值范围见“允许取值”；不在范围内的值隔离并提示最接近的取值",
    "person_name": "个人姓名 → 带密钥假名 `P-…`",
    "id_number": "身份证号：校验18位、出生日期与校验位 → 假名 `ID-…`",
    "phone": "电话：11位手机号或带区号固话 → 假名 `T-…`",
    "address": "住址 → 假名 `A-…`",
    "narrative": "自由文本(含个人信息) → 仅保留假名 `N-…`，原文不进入清洗数据",
}


def render() -> str:
    lines = [
        "# 数据字典 (data dictionary)",
        "",
        "Generated from the unit configuration (`data/raw/unit.yaml`, `data/raw/ledgers/*.yaml`) by "
        "`python -m lawreport.ledgers.datadict`; do not edit by hand.",
        "Every clean table also has `row_id`, `source_file`, `source_sheet`, `source_row` (the raw row it came from); "
        "`row_id` is `<table>-<row:05d>`, or `<table>-<month:02d>-<row:05d>` for a ledger kept as one sheet per month "
        '(`sheet: "{month}月"`: the sheets 1月…12月, 01月 or 一月…十二月, read in month order).',
        "Personal columns (kinds "
        + ", ".join(f"`{k}`" for k in sorted(PERSONAL_KINDS))
        + ") are stored only as keyed pseudonyms, with a `_key` suffix.",
        "",
        "## 值的规则 (value rules by kind)",
        "",
        "| kind | clean dtype | 规则 |",
        "| --- | --- | --- |",
    ]
    for kind, rule in KIND_RULES.items():
        lines.append(f"| `{kind}` | {KIND_DTYPES.get(kind, 'string')} | {rule} |")
    lines += [
        "",
        "## 清洗输出 (clean outputs besides the ledger tables)",
        "",
        "- `quarantine.parquet`: one row per problem of a quarantined row — `table`, `file`, `sheet`, `row`, "
        "`column` (Chinese header), `value` (masked for personal columns), `code` (see `src/lawreport/ledgers/errors.py`), "
        "`reason`, `detail`.",
        "- `clean_report.json`: per ledger `rows_read`, `rows_kept`, `rows_quarantined`, `rows_dropped` by code, "
        "header row, ignored columns; unit, year, `synthetic`; `notices`: N205 (file hash differs from the "
        "manifest), N206 (invisible characters removed, counted per column), N207 (personal data masked in a "
        "column that is not personal, one per cell, value shown masked), N208 (months without a sheet in a "
        "ledger kept as one sheet per month); such a ledger also lists its `sheets` (sheet, month, header row, rows "
        "read).",
        "- `provenance.json`: sha256 of every input file, parameters, package versions.",
        "",
        "## 核对输出 (build/<year>/figures.json)",
        "",
        "- per figure: `status`, `reasons`, `computed`, `sources`, and `quarantined_rows` (rows of the tables it "
        "reads that the clean step set aside, with year, file, sheet, row, column and code; a universal claim "
        "with any is `no_data`).",
        "- `report_checks`: what `lawreport check` finds in the report text alone — mentions by role, relations "
        "with their verdicts, the figures involved and the sentence.",
    ]
    for ledger in ALL_LEDGERS:
        if ledger.monthly:
            where = f"`{ledger.file}` / {ledger.sheet_label}，工作表名 `{ledger.sheet}`"
        else:
            where = f"`{ledger.file}`" + (f" / 工作表 `{ledger.sheet}`" if ledger.sheet else " (CSV 导出)")
        lines += [
            "",
            f"## `{ledger.table}` — {ledger.title}",
            "",
            f"- 文件 (file): {where}",
            f"- 保管 (kept by): {ledger.keeper}",
            f"- {ledger.description}",
            f"- 年度检查 (in-year dates): {'否，多年度名册/快照' if ledger.multi_year else '是'}",
        ]
        if ledger.checks:
            lines.append(f"- 行规则 (row rules): {', '.join(ledger.checks)}")
        lines += [
            "",
            "| 表头 (header) | clean column | kind | 含义 (meaning) | 必有列 | 可空 | 允许取值 / 上限 |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for c in ledger.columns:
            extra = "、".join(c.allowed) if c.allowed else (f"≤ {c.maximum:g}" if c.maximum is not None else "")
            flags = " (主键 key)" if c.key else ""
            lines.append(
                f"| {c.header.replace('|', ' / ')} | `{c.clean_name}`{flags} | `{c.kind}` | {c.meaning} | "
                f"{'是' if c.required else '否'} | {'是' if c.nullable else '否'} | {extra} |"
            )
    return "\n".join(lines) + "\n"


def main() -> int:
    DICTIONARY_PATH.parent.mkdir(parents=True, exist_ok=True)
    DICTIONARY_PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {DICTIONARY_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
