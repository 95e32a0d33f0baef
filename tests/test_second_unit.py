"""The fictional second unit examples/qinghe (岚溪县青禾镇, 虚构单位，合成数据), brought in with data only.

Fast checks, no kernel: its configuration loads (with a ledger kept as one sheet per month); none of
its names is in the package code; tools/sample_second_unit.py writes the committed ledgers again (CSV
and MANIFEST byte for byte, workbooks cell by cell when their zip bytes differ); the committed files
match their MANIFEST; the report text is labelled a fictional sample; `lawreport register check`
passes on its register. The whole run of the unit is exercised elsewhere.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import yaml

from lawreport.ledgers import load_unit
from lawreport.params import PROJECT_ROOT

EXAMPLE = PROJECT_ROOT / "examples" / "qinghe"
RAW = EXAMPLE / "raw"
GENERATOR = PROJECT_ROOT / "tools" / "sample_second_unit.py"
SRC = PROJECT_ROOT / "src" / "lawreport"
YEARS = (2024, 2025)
MANIFEST = "MANIFEST.yaml"
TABLES = [
    "party_study",
    "staff_exams",
    "outreach_events",
    "village_services",
    "mediators_roster",
    "mediation_cases",
    "platform_disputes",
    "letters_visits",
    "inspections",
    "penalties",
]


def test_the_configuration_loads():
    unit = load_unit(RAW)
    assert unit.name == "岚溪县青禾镇"
    assert [ledger.table for ledger in unit.ledgers] == TABLES
    assert [ledger.table for ledger in unit.ledgers if ledger.monthly] == ["mediation_cases"]
    assert [ledger.table for ledger in unit.ledgers if ledger.fmt == "csv"] == ["platform_disputes"]
    assert unit.by_table["mediation_cases"].column("mediation_body").allowed[0] == "禾安调解室"
    assert {chart.table for chart in unit.charts} == {"mediation_cases", "letters_visits"}


def unit_names() -> set[str]:
    """The unit's own words: name, programmes, vocabulary values, ledger titles and file names, chart
    titles; two-character words (满意, 来信…) are everybody's words."""
    unit = load_unit(RAW)
    names = {unit.name, *unit.programmes, *(v for values in unit.vocabularies.values() for v in values)}
    for ledger in unit.ledgers:
        names |= {
            ledger.title,
            *(part for part in ledger.file.replace(".xlsx", "").replace(".csv", "").split("{year}")),
        }
    names |= {chart.title.replace("{year}", "") for chart in unit.charts}
    return {name for name in names if len(name) > 2}


def test_none_of_its_names_is_in_the_package_code():
    """As tests/test_unit_config.py checks every bundled unit: the sample generator (src/lawreport/sample)
    is the sample unit's data and shares ordinary words with this one (不满意, 专职调解员, 已化解), so it is
    searched for this unit's own name, programmes and ledger titles only."""
    names = unit_names()
    unit = load_unit(RAW)
    own = {unit.name, *unit.programmes, *(ledger.title for ledger in unit.ledgers)}
    assert {"禾安调解室", "老茶客说和团", "矛盾纠纷多元化解平台", "人民调解案件登记簿"} <= names & own
    found = []
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        searched = own if SRC / "sample" in path.parents else names
        found += [f"{path.relative_to(PROJECT_ROOT)}: {name}" for name in sorted(searched) if name in text]
    assert not found, "虚构单位的名称出现在包代码中 (the fictional unit's names in src/)：\n" + "\n".join(found)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generator run into a temporary raw root, report.txt copied first (the MANIFEST lists it)."""
    root = tmp_path_factory.mktemp("qinghe-raw")
    for year in YEARS:
        (root / str(year)).mkdir()
        report = RAW / str(year) / "report.txt"
        if report.exists():
            shutil.copy2(report, root / str(year) / "report.txt")
    result = subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(root)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return root


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file())


def cells(path: Path) -> dict[str, object]:
    book = openpyxl.load_workbook(path)
    return {
        name: (
            sorted(map(str, book[name].merged_cells.ranges)),
            list(book[name].iter_rows(values_only=True)),
        )
        for name in book.sheetnames
    } | {"__sheets__": book.sheetnames}


@pytest.mark.parametrize("year", YEARS)
def test_the_generator_writes_the_committed_files(regenerated: Path, year: int):
    committed, new = RAW / str(year), regenerated / str(year)
    assert files(new) == files(committed)
    for name in files(committed):
        old_bytes, new_bytes = (committed / name).read_bytes(), (new / name).read_bytes()
        if name.endswith(".xlsx") and old_bytes != new_bytes:
            assert cells(new / name) == cells(committed / name), name
        else:
            assert new_bytes == old_bytes, name


@pytest.mark.parametrize("year", YEARS)
def test_the_committed_files_match_their_manifest(year: int):
    folder = RAW / str(year)
    manifest = yaml.safe_load((folder / MANIFEST).read_text(encoding="utf-8"))
    assert (manifest["unit"], manifest["year"], manifest["synthetic"]) == ("岚溪县青禾镇", year, True)
    assert "虚构单位" in manifest["note"]
    assert manifest["ledgers"] == (TABLES if year == 2025 else ["letters_visits"])
    listed = {entry["name"]: entry for entry in manifest["files"]}
    assert sorted(listed) == [name for name in files(folder) if name != MANIFEST]
    for name, entry in listed.items():
        data = (folder / name).read_bytes()
        assert (hashlib.sha256(data).hexdigest(), len(data)) == (entry["sha256"], entry["bytes"]), name


def test_the_report_is_labelled_a_fictional_sample():
    first = (RAW / "2025" / "report.txt").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("【样例（合成数据）") and "虚构单位" in first and first.endswith("】")


def test_register_check_passes_on_its_register(tmp_path):
    out = tmp_path / "check.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "lawreport.cli",
            "register",
            "check",
            "--year",
            "2025",
            "--raw-root",
            str(RAW),
            "--claims-dir",
            str(EXAMPLE / "claims"),
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert (data["exit_code"], data["errors"], data["warnings"], data["figures"]) == (0, 0, 0, 25)
