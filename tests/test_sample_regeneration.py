"""The committed sample ledgers in data/raw/<year>/ are exactly what the generator produces.

Regenerates every year into a temporary folder at scale 1 (`make bench-scale` writes larger copies with
the same generator) and compares file names and every file's bytes; a .xlsx whose bytes differ is then
compared sheet by sheet, cell by cell (values, sheet names, merged ranges) to say where; then checks that
every committed file's sha256 matches its MANIFEST.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml

from lawreport.sample.generator import DEFAULT_YEARS, MANIFEST_NAME, generate_year

REPO_ROOT = Path(__file__).parents[1]
RAW = REPO_ROOT / "data" / "raw"
GENERATED_SUFFIXES = (".xlsx", ".csv")


def _committed(year: int) -> Path:
    folder = RAW / str(year)
    if not (folder / MANIFEST_NAME).exists():
        pytest.fail(f"{folder} has no {MANIFEST_NAME}; run `python -m lawreport.sample.generator --out data/raw`")
    return folder


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All years regenerated into a temporary raw root.

    Files the generator does not write (such as report.txt, copied in by hand) are copied first,
    because the MANIFEST hashes whatever sits in the folder.
    """
    root = tmp_path_factory.mktemp("raw")
    for year in DEFAULT_YEARS:
        out = root / str(year)
        out.mkdir()
        committed = RAW / str(year)
        if committed.is_dir():
            for path in sorted(committed.iterdir()):
                if path.is_file() and path.name != MANIFEST_NAME and path.suffix.lower() not in GENERATED_SUFFIXES:
                    shutil.copy2(path, out / path.name)
        generate_year(year, out, scale=1)
    return root


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file())


@pytest.mark.parametrize("year", DEFAULT_YEARS)
def test_same_file_names(regenerated: Path, year: int) -> None:
    assert _names(regenerated / str(year)) == _names(_committed(year))


@pytest.mark.parametrize("year", DEFAULT_YEARS)
def test_scale_one_writes_the_committed_files_byte_for_byte(regenerated: Path, year: int) -> None:
    committed = _committed(year)
    for name in _names(committed):
        assert (regenerated / str(year) / name).read_bytes() == (committed / name).read_bytes(), name


@pytest.mark.parametrize("year", DEFAULT_YEARS)
def test_xlsx_identical_cell_by_cell(regenerated: Path, year: int) -> None:
    """Where a workbook differs (identical bytes read as identical cells: only a differing file is opened)."""
    committed = _committed(year)
    for path in sorted(committed.glob("*.xlsx")):
        if (regenerated / str(year) / path.name).read_bytes() == path.read_bytes():
            continue
        old = openpyxl.load_workbook(path)
        new = openpyxl.load_workbook(regenerated / str(year) / path.name)
        assert new.sheetnames == old.sheetnames, path.name
        for name in old.sheetnames:
            ws_old, ws_new = old[name], new[name]
            where = f"{path.name}:{name}"
            assert sorted(map(str, ws_new.merged_cells.ranges)) == sorted(map(str, ws_old.merged_cells.ranges)), where
            assert (ws_new.max_row, ws_new.max_column) == (ws_old.max_row, ws_old.max_column), where
            for row_old, row_new in zip(
                ws_old.iter_rows(values_only=True), ws_new.iter_rows(values_only=True), strict=True
            ):
                assert row_new == row_old, where


@pytest.mark.parametrize("year", DEFAULT_YEARS)
def test_csv_byte_identical(regenerated: Path, year: int) -> None:
    for path in sorted(_committed(year).glob("*.csv")):
        assert (regenerated / str(year) / path.name).read_bytes() == path.read_bytes(), path.name


@pytest.mark.parametrize("year", DEFAULT_YEARS)
def test_manifest_identical(regenerated: Path, year: int) -> None:
    old = (_committed(year) / MANIFEST_NAME).read_text(encoding="utf-8")
    new = (regenerated / str(year) / MANIFEST_NAME).read_text(encoding="utf-8")
    assert new == old


@pytest.mark.parametrize("year", DEFAULT_YEARS)
def test_committed_files_match_manifest(year: int) -> None:
    folder = _committed(year)
    manifest = yaml.safe_load((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["synthetic"] is True
    assert manifest["year"] == year
    listed = {entry["name"]: entry for entry in manifest["files"]}
    assert sorted(listed) == [n for n in _names(folder) if n != MANIFEST_NAME]
    for name, entry in listed.items():
        data = (folder / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
        assert len(data) == entry["bytes"], name


# The 2026 report text is written as next year's report of the sample unit: the wording forms the
# suite must read beyond the 2025 text, and the sample label on its first line.
REPORT_2026 = RAW / "2026" / "report.txt"
SAMPLE_LABEL = "【样例（合成数据）"
WORDING_FORMS_2026 = {
    "N个百分点": r"\d+(?:\.\d+)?个百分点",
    "比上年增长/同比增长": r"(?:比上年|同比)增长\d",
    "以上": r"\d+(?:\.\d+)?万?[\u4e00-\u9fff]{0,2}以上",
    "全覆盖 (as a result)": r"实现[^。；;,，]*全覆盖",
    "今年以来": r"今年以来",
    "近N年 (N > 2)": r"近(?:[三四五六七八九十]|\d{1,2})年",
    "a rank other than first": r"(?:位列|位居|排名)全县第(?:[2-9]|[二三四五六七八九十])",
}


@pytest.mark.parametrize("form", sorted(WORDING_FORMS_2026))
def test_report_2026_has_wording_form(form: str) -> None:
    text = REPORT_2026.read_text(encoding="utf-8")
    assert re.search(WORDING_FORMS_2026[form], text), f"{REPORT_2026.name}: no {form}"


def test_report_2026_is_labelled_a_sample() -> None:
    first_line = REPORT_2026.read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith(SAMPLE_LABEL) and first_line.endswith("】"), first_line
    manifest = yaml.safe_load((RAW / "2026" / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["synthetic"] is True
    assert "report.txt" in {entry["name"] for entry in manifest["files"]}
