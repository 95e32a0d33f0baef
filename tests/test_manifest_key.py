"""BAD-INPUTS.md "Manifests, keys and registers": a manifest read against a typed schema (F015, F017,
F018) and a pseudonymisation key that is refused when empty, blank, short or unreadable (F016, F019,
F020). Each case edits a copy of a sample year; nothing is written and the raw files stay as they were.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import yaml
from support import SAMPLE_RAW, copy_year, tree_hashes

from lawreport.ledgers.errors import LedgerFileError
from lawreport.ledgers.manifest import MANIFEST_NAME, read_manifest
from lawreport.ledgers.pseudonym import DEMO_KEY, KEY_ENV, key_identity, load_key, resolve_key
from lawreport.run.clean_step import clean_year, run_clean, run_key

GOOD_KEY = "0123456789abcdef" * 4  # 64 bytes
YEARS = sorted(int(p.name) for p in SAMPLE_RAW.iterdir() if (p / MANIFEST_NAME).exists())


@pytest.fixture(autouse=True)
def no_key_in_env(monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)


def small_year(tmp_path: Path):
    return copy_year(tmp_path, 2025, tables=["law_exams"])


def manifest_path(params) -> Path:
    return params.raw_dir / MANIFEST_NAME


def set_line(params, key: str, line: str | None) -> None:
    """Replace (or drop, with None) the top-level `key:` line of the copy's manifest."""
    path = manifest_path(params)
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"^{key}:.*\n", re.MULTILINE)
    assert pattern.search(text), key
    path.write_text(pattern.sub("" if line is None else line + "\n", text, count=1), encoding="utf-8")


def refused(params) -> LedgerFileError:
    """run_clean refuses; nothing is written and the raw folder is byte-identical."""
    raw_before = tree_hashes(params.raw_dir)
    with pytest.raises(LedgerFileError) as info:
        run_clean(params)
    assert tree_hashes(params.raw_dir) == raw_before
    assert not params.path(params.clean_root).exists(), "nothing written, not even a staging folder"
    return info.value


def codes(error: LedgerFileError) -> list[str]:
    return [p.code for p in error.problems]


def line_of(params, key: str) -> int:
    lines = manifest_path(params).read_text(encoding="utf-8").splitlines()
    return next(i for i, text in enumerate(lines, 1) if text.startswith(f"{key}:"))


# ---------------------------------------------------------------- the bundled manifests


@pytest.mark.parametrize("year", YEARS)
def test_every_bundled_manifest_is_valid(year):
    manifest = read_manifest(SAMPLE_RAW / str(year))
    assert manifest.year == year and manifest.synthetic is True and manifest.unit
    assert manifest.ledgers and manifest.files
    keys = set(yaml.safe_load((SAMPLE_RAW / str(year) / MANIFEST_NAME).read_text(encoding="utf-8")))
    assert {"note", "generator"} <= keys, "the generator's provenance keys stay valid"


# ---------------------------------------------------------------- F015, F017, F018


def test_missing_manifest_is_f015(tmp_path):
    params = small_year(tmp_path)
    manifest_path(params).unlink()
    error = refused(params)
    assert codes(error) == ["F015"] and MANIFEST_NAME in str(error)


def test_year_differing_from_its_folder_is_f017(tmp_path):
    params = small_year(tmp_path)
    set_line(params, "year", "year: 2024")
    error = refused(params)
    assert codes(error) == ["F017"]
    problem = error.problems[0]
    assert problem.column == "year" and problem.value == "2024" and problem.row == line_of(params, "year")
    assert "year: 2025" in problem.detail


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ('"false"', "quoted"),
        ("'true'", "quoted"),
        ("否", "not a boolean"),
        ('"no"', "quoted"),
        ("1", "not a boolean"),
        ("0", "not a boolean"),
        ("no", "ambiguous YAML 1.1"),
        ("yes", "ambiguous YAML 1.1"),
        ("", "not a boolean"),
    ],
)
def test_synthetic_must_be_a_real_yaml_boolean(tmp_path, written, why):
    """Never Python truthiness: `synthetic: "false"` used to read as True and pick the public demo key."""
    params = small_year(tmp_path)
    set_line(params, "synthetic", f"synthetic: {written}".rstrip())
    error = refused(params)
    assert codes(error) == ["F018"]
    problem = error.problems[0]
    message = str(error)
    assert problem.column == "synthetic" and problem.row == line_of(params, "synthetic")
    assert problem.value == written or (written == "" and problem.value == "")
    assert "synthetic: true" in message and "synthetic: false" in message and "不加引号" in message
    assert why in message and "[F018]" in message and "malformed manifest" in message


@pytest.mark.parametrize("written", ["true", "True", "false", "FALSE"])
def test_real_booleans_are_read_as_written(tmp_path, written):
    params = small_year(tmp_path)
    set_line(params, "synthetic", f"synthetic: {written}")
    assert read_manifest(params.raw_dir).synthetic is (written.lower() == "true")


def test_a_manifest_without_synthetic_counts_as_real_ledgers(tmp_path):
    params = small_year(tmp_path)
    set_line(params, "synthetic", None)
    assert read_manifest(params.raw_dir).synthetic is False
    assert codes(refused(params)) == ["F016"]


def test_unknown_key_names_the_closest_known_key(tmp_path):
    params = small_year(tmp_path)
    set_line(params, "synthetic", "synthetc: true")
    error = refused(params)
    assert codes(error) == ["F018"]
    problem = error.problems[0]
    assert problem.column == "synthetc" and problem.row == line_of(params, "synthetc")
    assert "synthetic" in problem.detail and "unknown key" in problem.detail


def test_yaml_that_does_not_parse_names_the_line(tmp_path):
    params = small_year(tmp_path)
    set_line(params, "unit", "unit: [垫江县桂阳街道")
    error = refused(params)
    assert codes(error) == ["F018"]
    assert error.problems[0].row is not None and "YAML does not parse" in str(error)
    assert f"第{error.problems[0].row}行" in str(error)


def test_every_problem_of_one_manifest_is_listed_at_once(tmp_path):
    params = small_year(tmp_path)
    path = manifest_path(params)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["year"] = "2025"  # text, not an integer
    data["unit"] = ""
    data["ledgers"] = ["law_exam", "law_exams", "law_exams"]
    data["files"][0]["sha256"] = "abc"
    data["files"][0]["size"] = 3
    data["owner"] = "someone"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    error = refused(params)
    assert set(codes(error)) == {"F018"}
    columns = {p.column for p in error.problems}
    assert {"year", "unit", "ledgers", "files.sha256", "files.size", "owner"} <= columns
    assert sum(p.column == "ledgers" for p in error.problems) == 2, "an unknown table and a repeated one"
    message = str(error)
    assert "law_exams" in message and "bytes" in message, "closest known table and file key named"
    assert all(p.row for p in error.problems), "every problem has its line"


def test_a_manifest_that_is_not_a_mapping(tmp_path):
    params = small_year(tmp_path)
    manifest_path(params).write_text("- petitions\n- law_exams\n", encoding="utf-8")
    assert codes(refused(params)) == ["F018"]


# ---------------------------------------------------------------- F016, F019, F020: the key


def with_key_file(params, key_file: Path):
    return params.__class__(**{**params.as_dict(), "key_file": str(key_file)})


def real_year(tmp_path: Path):
    params = small_year(tmp_path)
    set_line(params, "synthetic", "synthetic: false")
    return params


def test_real_ledgers_without_a_key_are_f016(tmp_path):
    params = real_year(tmp_path)
    error = refused(params)
    assert codes(error) == ["F016"]
    assert KEY_ENV in str(error) and "--key-file" in str(error) and "secrets.token_hex(32)" in str(error)


def test_quoted_false_never_reaches_the_demo_key(tmp_path):
    params = small_year(tmp_path)
    set_line(params, "synthetic", 'synthetic: "false"')
    error = refused(params)
    assert "F016" not in codes(error) and codes(error) == ["F018"]


@pytest.mark.parametrize(("value", "what"), [("", "为空"), ("   \n\t", "只有空白"), ("short-key", "只有 9 字节")])
def test_empty_blank_or_short_key_in_env_is_f019(tmp_path, monkeypatch, value, what):
    params = real_year(tmp_path)
    monkeypatch.setenv(KEY_ENV, value)
    error = refused(params)
    assert codes(error) == ["F019"]
    message = str(error)
    assert KEY_ENV in message and what in message and "32" in message
    assert 'python -c "import secrets;print(secrets.token_hex(32))"' in message
    assert not value.strip() or value.strip() not in message, "the key itself is never shown"


def test_a_short_key_is_refused_for_synthetic_ledgers_too(tmp_path, monkeypatch):
    params = small_year(tmp_path)
    monkeypatch.setenv(KEY_ENV, "x" * 31)
    assert codes(refused(params)) == ["F019"]


@pytest.mark.parametrize("content", [b"", b"  \n", b"0123456789\n"])
def test_empty_blank_or_short_key_file_is_f019_naming_the_file(tmp_path, content):
    params = real_year(tmp_path)
    key_file = tmp_path / "keys" / "office.key"
    key_file.parent.mkdir()
    key_file.write_bytes(content)
    error = refused(with_key_file(params, key_file))
    assert codes(error) == ["F019"] and str(key_file) in str(error)


def test_the_public_demo_key_is_refused_for_real_ledgers(tmp_path, monkeypatch):
    params = real_year(tmp_path)
    monkeypatch.setenv(KEY_ENV, DEMO_KEY.decode())
    error = refused(params)
    assert codes(error) == ["F019"] and "demo key" in str(error)


def test_missing_key_file_is_f020_and_never_falls_back(tmp_path, monkeypatch):
    params = small_year(tmp_path)  # synthetic: the demo key would have been used silently
    monkeypatch.setenv(KEY_ENV, GOOD_KEY)  # and so would the environment
    missing = tmp_path / "nowhere" / "office.key"
    error = refused(with_key_file(params, missing))
    assert codes(error) == ["F020"]
    assert str(missing) in str(error) and "key file not found" in str(error)


def test_key_file_that_is_a_directory_is_f020(tmp_path):
    params = real_year(tmp_path)
    folder = tmp_path / "keydir"
    folder.mkdir()
    error = refused(with_key_file(params, folder))
    assert codes(error) == ["F020"] and str(folder) in str(error) and "directory" in str(error)


def test_unreadable_key_file_is_f020(tmp_path, monkeypatch):
    params = real_year(tmp_path)
    key_file = tmp_path / "office.key"
    key_file.write_text(GOOD_KEY, encoding="utf-8")
    original = Path.read_bytes

    def denied(self):
        if self == key_file:
            raise PermissionError(13, "Permission denied", str(self))
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", denied)  # chmod 000 does not stop root
    error = refused(with_key_file(params, key_file))
    assert codes(error) == ["F020"] and str(key_file) in str(error) and "Permission denied" in str(error)


def test_run_parameter_and_key_problems_are_listed_together(tmp_path, monkeypatch):
    params = real_year(tmp_path)
    monkeypatch.setenv(KEY_ENV, "short")
    error = refused(params.__class__(**{**params.as_dict(), "unit": "某县某镇"}))
    assert codes(error) == ["F017", "F019"]


def test_a_manifest_that_does_not_read_stops_before_the_key_is_looked_at(tmp_path, monkeypatch):
    params = real_year(tmp_path)
    set_line(params, "year", "year: 2024")
    monkeypatch.setenv(KEY_ENV, "short")
    assert codes(refused(params)) == ["F017"]


# ---------------------------------------------------------------- a good key


def test_a_good_key_file_cleans_real_ledgers_and_wins_over_the_env(tmp_path, monkeypatch):
    params = real_year(tmp_path)
    key_file = tmp_path / "office.key"
    key_file.write_text(f"  {GOOD_KEY}\n", encoding="utf-8")
    monkeypatch.setenv(KEY_ENV, "z" * 40)
    keyed = with_key_file(params, key_file)
    manifest = read_manifest(params.raw_dir)
    assert run_key(keyed, manifest) == GOOD_KEY.encode(), "stripped, and the file wins"
    summary = clean_year(keyed)
    assert summary.manifest.synthetic is False and summary.results[0].rows_kept > 0
    monkeypatch.setenv(KEY_ENV, f"\t{GOOD_KEY} \n")
    first = clean_year(params).results[0].table
    assert first.equals(summary.results[0].table), "the same key in env or file gives the same pseudonyms"


def test_resolve_key_rules():
    assert resolve_key(None, synthetic=True) == DEMO_KEY
    with pytest.raises(LedgerFileError) as info:
        resolve_key(None, synthetic=False)
    assert codes(info.value) == ["F016"]
    assert load_key(None, synthetic=False) is None, "older callers still get None for no key"


def test_key_identity_names_a_key_without_revealing_it():
    key = GOOD_KEY.encode()
    identity = key_identity(key)
    assert re.fullmatch(r"[0-9a-f]{64}", identity)
    assert identity == key_identity(key) != key_identity(key + b"!")
    assert GOOD_KEY not in identity and identity != hashlib.sha256(key).hexdigest()
    assert identity != key_identity(DEMO_KEY)
