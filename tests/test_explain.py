"""Issue 10: `lawreport explain` says where a figure comes from in the ledgers' words — --list, suggestions,
Chinese statuses, 口径 first, ledger headers, 是/否, raw values beside cleaned ones, run's folder options.

A two-figure register over a two-row 行政处罚 sheet, built in a temporary folder (no pipeline run).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from frames import clean_frame
from penalty_sample import CLEAN_ROWS as PENALTY_CLEAN_ROWS
from penalty_sample import write_penalty_sheet
from support import copy_unit

from lawreport.cli import main
from lawreport.params import check_params
from lawreport.register.explain import explain
from lawreport.text.scan import scan_numbers

YEAR = 2025
REPORT = "本年度行政处罚结案2件，罚没1500元。"
REGISTER = """unit: 测试街道
year: 2025
figures:
  - id: penalty_cases_closed
    name: 行政处罚结案数
    quote: 结案2件
    written: 2件
    metric: count_penalty_cases_closed
    definition: 行政处罚案件台账中结案日期在报告年度内的案件。
  - id: fines_total
    name: 罚没金额
    quote: 罚没{fine}元
    written: {fine}元
    metric: sum_fines
    definition: 行政处罚案件台账中报告年度内结案案件的罚没金额之和(元)。
"""
# The shared sheet's clean rows with the row ids the clean step gives them (sheet row n -> -0000n).
CLEAN_ROWS = [{"row_id": f"penalty_cases-{row['source_row']:05d}", **row} for row in PENALTY_CLEAN_ROWS]


def make_folders(root: Path, fine: str = "1500", clean: bool = True) -> dict[str, str]:
    raw = root / "raw" / str(YEAR)
    raw.mkdir(parents=True)
    copy_unit(root / "raw")
    (raw / "MANIFEST.yaml").write_text("unit: 测试街道\n", encoding="utf-8")
    (raw / "report.txt").write_text(REPORT.replace("1500", fine), encoding="utf-8")
    write_penalty_sheet(raw)
    claims = root / "my_claims"
    claims.mkdir()
    (claims / f"{YEAR}.yaml").write_text(REGISTER.format(fine=fine), encoding="utf-8")
    if clean:
        folder = root / "clean" / str(YEAR)
        folder.mkdir(parents=True)
        clean_frame("penalty_cases", YEAR, CLEAN_ROWS).to_parquet(folder / "penalty_cases.parquet")
        (folder / "clean_report.json").write_text(json.dumps({"unit": "测试街道"}), encoding="utf-8")
    return {
        "raw_root": str(root / "raw"),
        "clean_root": str(root / "clean"),
        "claims_dir": str(claims),
        "build_root": str(root / "build"),
    }


def said(params, figure_id: str, rows: int = 20) -> tuple[str, str]:
    lines: list[str] = []
    status = explain(params, figure_id, limit=rows, say=lines.append)
    return status, "\n".join(lines)


def test_explain_speaks_the_ledgers_language(tmp_path):
    params = check_params({"year": YEAR, **make_folders(tmp_path)})
    status, text = said(params, "fines_total")
    assert status == "match"
    assert text.startswith("数字：罚没金额（fines_total）")
    # The 口径 in Chinese first, then the code's own (English) note.
    assert text.index("口径：行政处罚案件台账中报告年度内结案案件的罚没金额之和(元)。") < text.index("metric docstring")
    assert "状态 (status)：一致 (match)" in text
    assert "计算值：1,500 元（计入行「罚没金额(元)」之和，不是行数）" in text
    assert "「行政处罚案件台账」(2025年综合行政执法台账.xlsx，工作表「行政处罚」，2025 年)：台账共 2 行" in text
    assert "计入的行 (rows counted)：「行政处罚案件台账」2025 年，2 行，罚没金额(元)合计 1,500 元" in text
    header = next(line for line in text.splitlines() if "原始行号" in line).split()
    assert header == ["原始行号", "案件编号", "立案日期", "违法行为", "当事人", "结案日期", "罚没金额(元)"]
    for clean_name in ("fine_amount", "filed_date", "party_key", "penalty_cases", "True", "False"):
        assert clean_name not in text, clean_name
    # The raw cell beside the cleaned one where they read differently; never a personal value.
    assert "2025-01-01（原值 45658）" in text and "2025-01-11（原值 2025.1.11）" in text
    assert "1,200 元（原值 1,200元）" in text and "300 元  " not in text
    assert "P-abcdefgh" in text and "王某某" not in text and "李某" not in text
    assert not [m for m in scan_numbers(text) if m.kind == "number" and len(m.text) in (11, 18)]


def test_statuses_read_in_chinese_with_the_english_term(tmp_path):
    params = check_params({"year": YEAR, **make_folders(tmp_path, fine="1600")})
    status, text = said(params, "fines_total")
    assert status == "mismatch" and "状态 (status)：不一致 (mismatch)" in text
    assert "原因：按“1600元”的含义" in text


def test_rows_are_limited_with_a_breakdown_that_adds_up(tmp_path):
    params = check_params({"year": YEAR, **make_folders(tmp_path)})
    _, text = said(params, "fines_total", rows=1)
    assert "按「立案日期(月份)」汇总(合计即上面的数)：" in text and "前 1 行(全部行：--rows 0)" in text
    assert re.search(r"合计\s+2\s+1,500 元", text)
    assert "ZF-0001" in text and "ZF-0002" not in text


def test_list_names_every_figure_with_its_status(tmp_path, capsys):
    folders = make_folders(tmp_path)
    args = ["--year", str(YEAR), *(f"--{k.replace('_', '-')}={v}" for k, v in folders.items())]
    assert main(["explain", "--list", *args]) == 0
    out = capsys.readouterr().out
    assert re.search(r"penalty_cases_closed\s+行政处罚结案数\s+一致 \(match\)\s+2件", out)
    assert re.search(r"fines_total\s+罚没金额\s+一致 \(match\)\s+1500元", out)
    assert "一致 (match) 2 个" in out


def test_list_without_clean_data_still_names_every_figure(tmp_path, capsys):
    folders = make_folders(tmp_path, clean=False)
    args = ["--year", str(YEAR), *(f"--{k.replace('_', '-')}={v}" for k, v in folders.items())]
    assert main(["explain", "--list", *args]) == 0
    out = capsys.readouterr().out
    assert re.search(r"fines_total\s+罚没金额\s+1500元", out) and "未计算状态" in out
    assert main(["explain", "fines_total", *args]) == 2
    assert "没有清洗后的数据" in capsys.readouterr().err


def test_an_unknown_id_suggests_the_closest_and_lists_every_id(tmp_path, capsys):
    folders = make_folders(tmp_path)
    args = ["--year", str(YEAR), *(f"--{k.replace('_', '-')}={v}" for k, v in folders.items())]
    assert main(["explain", "fine_total", *args]) == 2
    err = capsys.readouterr().err
    assert "没有数字 'fine_total'" in err and "是否应为：fines_total(罚没金额)" in err
    assert re.search(r"penalty_cases_closed\s+行政处罚结案数", err), "every id is listed with its name"
    # A Chinese name is understood too; without an id nor --list the command says what to give.
    assert main(["explain", "罚没金额", *args]) == 0
    assert "数字：罚没金额（fines_total）" in capsys.readouterr().out
    assert main(["explain", *args]) == 2
    assert "--list" in capsys.readouterr().err


def test_explain_takes_runs_folder_options(tmp_path, capsys):
    folders = make_folders(tmp_path)
    args = ["--year", str(YEAR), *(f"--{k.replace('_', '-')}={v}" for k, v in folders.items())]
    # --claims-dir is read: the register in my_claims/ (the project's claims/ has no such figures).
    assert main(["explain", "penalty_cases_closed", *args]) == 0
    assert "行政处罚结案数" in capsys.readouterr().out
    missing = [a if not a.startswith("--claims-dir") else f"--claims-dir={tmp_path / 'nowhere'}" for a in args]
    assert main(["explain", "fines_total", *missing]) == 2
    assert "--claims-dir" in capsys.readouterr().err
    # --build-root: the last run's figures.json is compared with the recomputation.
    build = Path(folders["build_root"]) / str(YEAR)
    build.mkdir(parents=True)
    (build / "figures.json").write_text(
        json.dumps({"figures": [{"id": "fines_total", "status": "mismatch"}]}), encoding="utf-8"
    )
    assert main(["explain", "fines_total", *args]) == 0
    out = capsys.readouterr().out
    assert "上次运行" in out and "的状态是 不一致 (mismatch)" in out


@pytest.mark.parametrize("option", ["--raw-root", "--clean-root", "--claims-dir", "--build-root", "--list"])
def test_the_options_are_documented(capsys, option):
    with pytest.raises(SystemExit):
        main(["explain", "--help"])
    assert option in capsys.readouterr().out
