"""Runs fail fast and loudly: every path and the register checked before any kernel starts, and a
summary with an exit code at the end (issue 7, part 5). No test here starts a Jupyter kernel."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import copy_year

from lawreport.params import PROJECT_ROOT, ParameterError, check_params
from lawreport.register.claims import RegisterError
from lawreport.run.pipeline import run_suite
from lawreport.run.summary import DEFAULT_FAIL_ON, RunSummary, parse_fail_on, summarise

REGISTER = PROJECT_ROOT / "claims" / "2025.yaml"


@pytest.fixture
def year_copy(tmp_path):
    params = copy_year(tmp_path, 2025)
    claims = tmp_path / "claims"
    claims.mkdir()
    shutil.copy2(REGISTER, claims / "2025.yaml")
    raw = {
        "year": 2025,
        "raw_root": str(tmp_path / "raw"),
        "clean_root": str(tmp_path / "clean"),
        "build_root": str(tmp_path / "build"),
        "claims_dir": str(claims),
    }
    return params, raw


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "lawreport.cli", *args]
    return subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("claims_dir", "/nonexistent/claims", "--claims-dir"),
        ("raw_root", "/nonexistent/raw", "--raw-root"),
        ("expectations_dir", "/nonexistent/expectations", "--expectations-dir"),
        ("key_file", "/nonexistent/key", "--key-file"),
    ],
)
def test_a_path_pointing_nowhere_is_an_error_before_any_kernel(year_copy, name, value, said):
    _, raw = year_copy
    with pytest.raises(ParameterError, match=f"P301.*{said}"):
        check_params({**raw, name: value})
    option = f"--{name.replace('_', '-')}"
    started = time.perf_counter()
    done = cli("run", "--year", "2025", f"--raw-root={raw['raw_root']}", f"--build-root={raw['build_root']}",
               f"--clean-root={raw['clean_root']}", option, value)  # fmt: skip
    assert done.returncode == 2 and "P301" in done.stderr and said in done.stderr
    assert time.perf_counter() - started < 30  # no kernel started
    assert not Path(raw["build_root"], "2025").exists()


def test_a_missing_year_lists_the_years_present(year_copy):
    _, raw = year_copy
    with pytest.raises(ParameterError, match="有的年度：2025"):
        check_params({**raw, "year": 2030})


def test_an_empty_expectations_folder_is_an_error(year_copy, tmp_path):
    _, raw = year_copy
    (tmp_path / "empty").mkdir()
    with pytest.raises(ParameterError, match="P301"):
        check_params({**raw, "expectations_dir": str(tmp_path / "empty")})


BROKEN_REGISTERS = [
    # (what is broken, edit of the register text, words the message must contain)
    (
        "bad indentation",
        lambda t: t.replace("figures:\n", "figures:\n  - id: x\n   quote: y\n", 1),
        # the broken line: two below `figures:`
        [f"第{REGISTER.read_text(encoding='utf-8').splitlines().index('figures:') + 3}行", "YAML"],
    ),
    (
        "unknown metric",
        lambda t: t.replace("metric: count_petitions_received", "metric: count_petition_received", 1),
        ["未知指标", "count_petitions_received", "petitions_received"],
    ),
    ("misspelt key", lambda t: t.replace("    definition:", "    defintion:", 1), ["defintion", "'definition'"]),
    ("quote not in the text", lambda t: t.replace("quote: ", "quote: 不在报告中的", 1), ["找不到引文"]),
    ("unknown top-level key", lambda t: t.replace("relations:", "relation:", 1), ["'relation'", "'relations'"]),
    (
        "dangling reference",
        lambda t: t.replace("denominator_figure: ", "denominator_figure: no_", 1),
        ["不是登记的数字编号"],
    ),
    (
        "a number where text is due",
        lambda t: t.replace("    definition:", "    qualifier: 3\n    definition:", 1),
        ["qualifier 应为文本"],
    ),
    (
        "an acknowledgement of a match, without a reason",
        lambda t: t.replace(
            "      status: inconsistent\n      reason: 已核对", "      status: match\n      note: 已核对", 1
        ),
        ["acknowledged 的 status 只能是", "须写明 reason", "'note'"],
    ),
    (
        "an unquoted comma in a not_statistics text",
        lambda t: t.replace("  - {text: '2025年,共受理',", "  - {text: 2025年,共受理,", 1),
        ["not_statistics 的未知项", "'共受理'", "请加引号"],
    ),
]


@pytest.mark.parametrize(("what", "edit", "words"), BROKEN_REGISTERS, ids=[b[0] for b in BROKEN_REGISTERS])
def test_a_broken_register_is_named_with_line_and_entry_before_any_kernel(year_copy, what, edit, words):
    params, raw = year_copy
    path = Path(raw["claims_dir"]) / "2025.yaml"
    text = path.read_text(encoding="utf-8")
    broken = edit(text)
    assert broken != text, what
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(RegisterError) as caught:
        run_suite(raw, say=lambda _: None)
    message = str(caught.value)
    assert "[P302]" in message and str(path) in message and "第" in message
    for word in words:
        assert word in message, (what, message)
    assert not (params.build_dir / "notebooks").exists()  # no kernel started
    done = cli("run", "--year", "2025", *(f"--{k.replace('_', '-')}={v}" for k, v in raw.items() if k != "year"))
    assert done.returncode == 2 and "[P302]" in done.stderr and "Traceback" not in done.stderr


def test_a_year_without_a_register_says_so(year_copy):
    _, raw = year_copy
    (Path(raw["claims_dir"]) / "2025.yaml").unlink()
    said: list[str] = []
    run_suite(raw, say=said.append, steps=())
    assert any("[P303]" in line and "report.txt" in line for line in said)


def test_clean_data_left_without_raw_ledgers_is_reported(year_copy):
    params, raw = year_copy
    (Path(raw["clean_root"]) / "2023").mkdir(parents=True)
    said: list[str] = []
    run_suite(raw, say=said.append, steps=())
    assert any("[P304]" in line and "2023" in line for line in said)
    assert summarise(params).stale_clean_years == [2023]


def test_fail_on_names_are_checked():
    assert parse_fail_on("none") == ()
    assert parse_fail_on("mismatch, quarantine") == ("mismatch", "quarantine")
    with pytest.raises(ParameterError, match="--fail-on"):
        parse_fail_on("mismatches")
    with pytest.raises(ParameterError):
        parse_fail_on("")


def test_findings_follow_fail_on():
    clean = RunSummary(2025, has_register=True, has_report=True, statuses={"match": 3})
    assert clean.findings(DEFAULT_FAIL_ON) == []
    found = RunSummary(
        2025,
        has_register=True,
        has_report=True,
        statuses={"match": 1, "mismatch": 1, "inconsistent": 0, "no_data": 2},
        quarantined={(2023, "petitions"): 2},
        notices=[(2025, "N205", "a.xlsx", "")],
    )
    assert found.findings(DEFAULT_FAIL_ON) == ["mismatch×1", "no_data×2", "quarantine×2"]
    assert found.findings(("notice",)) == ["notice×1"]
    assert found.findings(()) == []
    unchecked = RunSummary(2025, has_register=False, has_report=True)
    assert unchecked.findings(DEFAULT_FAIL_ON) == ["unchecked"]
    assert RunSummary(2024, has_register=False, has_report=False).findings(DEFAULT_FAIL_ON) == []
    assert any("[P303]" in line for line in unchecked.lines())
    assert any("[N205]" in line and "a.xlsx" in line for line in found.lines())
    assert any("2023 年 petitions：2 行" in line for line in found.lines())


def test_an_acknowledged_finding_is_shown_but_fails_only_for_another_status():
    def summary(status: str) -> RunSummary:
        return RunSummary(
            2025,
            has_register=True,
            has_report=True,
            statuses={"match": 1, status: 1},
            not_match=[("rate", status, "99.7% 不可能由 506 得到")],
            acknowledged={"rate": ("inconsistent", "原文如此，已核对")},
        )

    accepted = summary("inconsistent")
    assert accepted.findings(DEFAULT_FAIL_ON) == []
    assert any("已在登记册中确认 (acknowledged)" in line and "原文如此" in line for line in accepted.lines())
    changed = summary("mismatch")  # the acknowledgement covers 报告自身矛盾 only
    assert changed.findings(DEFAULT_FAIL_ON) == ["mismatch×1"]
    assert any("stale acknowledgement" in line for line in changed.lines())


def test_summary_reads_quarantine_and_notices_of_every_cleaned_year(year_copy):
    params, _ = year_copy
    folder = params.clean_dir
    folder.mkdir(parents=True)
    report = {
        "ledgers": {"petitions": {"rows_quarantined": 3}, "law_exams": {"rows_quarantined": 0}},
        "notices": [{"code": "N205", "file": "x.xlsx", "detail": "哈希不符"}],
    }
    (folder / "clean_report.json").write_text(json.dumps(report), encoding="utf-8")
    summary = summarise(params)
    assert summary.quarantined == {(2025, "petitions"): 3}
    assert summary.notices == [(2025, "N205", "x.xlsx", "哈希不符")]
    assert summary.findings(DEFAULT_FAIL_ON) == ["quarantine×3", "unchecked"]  # no figures.json: nothing checked


def test_explain_on_a_folder_without_clean_data_is_an_error(year_copy, tmp_path):
    _, raw = year_copy
    done = cli("explain", "petitions_received", "--year", "2025", f"--raw-root={raw['raw_root']}",
               f"--clean-root={tmp_path / 'nowhere'}")  # fmt: skip
    assert done.returncode == 2 and "没有清洗后的数据" in done.stderr


def test_the_key_is_part_of_the_clean_fingerprint(year_copy, monkeypatch):
    from lawreport.ledgers.pseudonym import KEY_ENV
    from lawreport.run.pipeline import NOTEBOOK_DIR, fingerprint

    params, _ = year_copy
    monkeypatch.delenv(KEY_ENV, raising=False)
    demo = fingerprint("clean", NOTEBOOK_DIR / "10_clean.py", params)
    monkeypatch.setenv(KEY_ENV, "k" * 40)
    keyed = fingerprint("clean", NOTEBOOK_DIR / "10_clean.py", params)
    assert demo["keys"].keys() == keyed["keys"].keys() == {"2025"}
    assert demo["keys"] != keyed["keys"]
    assert "k" * 40 not in json.dumps(keyed)  # the key's identity, never the key


def test_a_bad_manifest_or_key_stops_the_run_before_any_kernel(year_copy, monkeypatch):
    from lawreport.ledgers.errors import LedgerFileError
    from lawreport.ledgers.pseudonym import KEY_ENV

    params, raw = year_copy
    monkeypatch.setenv(KEY_ENV, "short")
    with pytest.raises(LedgerFileError) as caught:
        run_suite(raw, say=lambda _: None)
    assert [p.code for p in caught.value.problems] == ["F019"]
    monkeypatch.delenv(KEY_ENV)
    manifest = params.raw_dir / "MANIFEST.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("synthetic: true", 'synthetic: "false"'), "utf-8")
    with pytest.raises(LedgerFileError) as caught:
        run_suite(raw, say=lambda _: None)
    assert "F018" in [p.code for p in caught.value.problems]
    assert not (params.build_dir / "notebooks").exists()


PREFLIGHT_PROBE = """
import json, sys
from lawreport.params import check_params
from lawreport.run.pipeline import preflight
preflight(check_params(json.loads(sys.argv[1])), say=lambda _: None)
print("LOADED", sorted(m for m in ("pandas", "great_expectations", "jupyter_client") if m in sys.modules))
"""


def test_the_preflight_checks_the_register_without_importing_pandas(year_copy):
    """It runs before any kernel starts, on the critical path of every run: the metric names come
    from the metrics' source (register.check.metric_names), not from importing them."""
    _, raw = year_copy

    def loaded() -> str:
        done = subprocess.run(
            [sys.executable, "-c", PREFLIGHT_PROBE, json.dumps(raw)], capture_output=True, text=True, timeout=120
        )
        return done.stdout + done.stderr

    assert "LOADED []" in loaded()
    # The same register naming a metric that does not exist is still refused without pandas.
    register = Path(raw["claims_dir"]) / "2025.yaml"
    text = register.read_text(encoding="utf-8")
    metric = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.strip().startswith("metric:"))
    register.write_text(text.replace(f"metric: {metric}", "metric: no_such_metric_here", 1), encoding="utf-8")
    out = loaded()
    assert "RegisterError" in out and "no_such_metric_here" in out and "LOADED" not in out
