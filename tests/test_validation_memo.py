"""lawreport.run.validation's two patches of GX change nothing GX computes: _memoized_configurations (a
memo of Expectation.configuration, scoped to one suite validation) and _plain_values_fast_path
(convert_to_json_serializable answering plain values first). Real GX, frames with failures of every
expectation type our suites use; the full results, the stored suite and result and the rendered Data
Docs page compared with and without them, and the two conversions compared on every value a
validation passes to them.

A memo that mixes up expectations (keyed by class instead of by object), a fast path that keeps NaN or
non-str keys, must make the comparisons fail: the test_comparison_catches_* tests show that they do.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from lawreport.ledgers.suites import YEAR_END, YEAR_START
from lawreport.run import validation

ROOT = Path(__file__).resolve().parents[1]
TABLE = "memo_table"
YEAR = 2024

# Types used by expectations/*.json (test_suite_covers_the_types_of_our_suites keeps this true).
SUITE: dict[str, Any] = {
    "name": TABLE,
    "expectations": [
        {
            "type": "expect_table_columns_to_match_set",
            "kwargs": {"column_set": ["row_id", "name", "amount", "category", "filed", "closed"], "exact_match": True},
        },
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "name"}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "amount"}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "row_id"}},
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "row_id"}},
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "name"}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "amount", "min_value": 0}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "amount", "min_value": 0, "max_value": 50}},
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {
                "column": "filed",
                "min_value": {"$PARAMETER": YEAR_START},
                "max_value": {"$PARAMETER": YEAR_END},
            },
        },
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "category", "value_set": ["甲", "乙"]}},
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "name", "value_set": ["张三", "李四"]}},
        {
            "type": "expect_column_pair_values_a_to_be_greater_than_b",
            "kwargs": {
                "column_A": "closed",
                "column_B": "filed",
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
            },
        },
        # Passing ones between the failing ones: the rerun with COMPLETE must pick the right ids.
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "category", "value_set": ["甲", "乙", "丙"]},
        },
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "amount", "min_value": -10, "max_value": 500},
        },
    ],
    "meta": {},
}


def broken_frame() -> pd.DataFrame:
    """Six rows that break every expectation of SUITE marked failing above, some more than once."""
    day = dt.datetime(YEAR, 3, 1)
    return pd.DataFrame(
        {
            "row_id": pd.array(["r1", "r2", "r2", None, "r5", "r6"], dtype="string"),
            "name": pd.array(["张三", None, "王五", "张三", "李四", "赵六"], dtype="string"),
            "amount": pd.array([10.0, -5.0, 120.0, None, 50.0, 0.0], dtype="Float64"),
            "category": pd.array(["甲", "乙", "丙", "甲", None, "丙"], dtype="string"),
            "filed": pd.to_datetime([day, day, dt.datetime(YEAR - 1, 12, 30), day, dt.datetime(YEAR + 1, 1, 2), day]),
            "closed": pd.to_datetime([day + dt.timedelta(days=3), day - dt.timedelta(days=1), None, day, None, day]),
            "extra": [1, 2, 3, 4, 5, 6],  # not in the column set
        }
    ).astype({"filed": "datetime64[ms]", "closed": "datetime64[ms]"})


def validate_once(tmp_path: Path, memo: Any, fast: Any = None) -> dict[str, Any]:
    """The production path (_GXSession: the suite stored, validated with BASIC, then the failing ones
    with COMPLETE, the result stored and rendered by Data Docs) with `memo` standing in for
    _memoized_configurations and `fast` for _plain_values_fast_path (None: no fast path);
    everything GX returned, as JSON, and the stored texts."""
    originals = validation._memoized_configurations, validation._plain_values_fast_path
    validation._memoized_configurations = memo
    validation._plain_values_fast_path = fast or (lambda: nullcontext())
    try:
        session = validation._GXSession(tmp_path / "out", validation._Clock(), [TABLE])
        suite, failure = session.load_suite(TABLE, SUITE)
        assert failure is None
        frame = broken_frame()
        validated = session.validate(TABLE, suite, SUITE, frame, validation.year_parameters(YEAR))
        stored = session.store_result(TABLE, validated.suite_result, session.suite_texts[TABLE])
        session.build_docs()
    finally:
        validation._memoized_configurations, validation._plain_values_fast_path = originals
    results = [r.to_json_dict() for r in validated.suite_result.results]
    page = next((tmp_path / "out" / validation.DATA_DOCS_DIR / "validations").rglob("*.html"))
    text = json.dumps(  # the dates in partial_unexpected_list as str
        {
            "results": results,
            "success": validated.suite_result.success,
            "statistics": validated.suite_result.statistics,
            "checks": [c.to_json() for c in validated.checks],
            "evaluated": validated.evaluated,
            "reruns": validated.reruns,
            "suite_text": stored.suite,
            # the stored result and its page, but for the run's time, ids and the uuids of the page
            "result_text": re.sub(r"\d{8}T\d{6}\.\d+Z|\d{4}-\d\d-\d\dT[\d:.+]+", "T", stored.result),
            "page": re.sub(
                r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{8}T\d{6}\.\d+Z"
                r"|\d{4}-\d\d-\d\d[T ][\d:.+]+( UTC)?",
                "X",
                page.read_text(encoding="utf-8"),
            ),
        },
        sort_keys=True,
        default=str,
        ensure_ascii=False,
    )
    return json.loads(text)


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Without the memo and the fast path: GX as shipped."""
    return validate_once(tmp_path_factory.mktemp("plain"), lambda: nullcontext())


def test_suite_covers_the_types_of_our_suites() -> None:
    used = {
        e["type"]
        for p in (ROOT / "expectations").glob("*.json")
        for e in json.loads(p.read_text("utf-8"))["expectations"]
    }
    assert used, "no suites found"
    assert used <= {e["type"] for e in SUITE["expectations"]}


def test_frame_breaks_the_suite_as_intended(plain: dict[str, Any]) -> None:
    """The comparison below is only worth something if many kinds of failure are in it."""
    by_index = plain["checks"]
    failed = [i for i, c in enumerate(by_index) if not c["success"]]
    assert failed == list(range(12)), failed
    assert plain["reruns"] == 12 and plain["evaluated"] == len(SUITE["expectations"])
    located = {i: [r["row_id"] for r in by_index[i]["offending_rows"]] for i in failed if by_index[i]["offending_rows"]}
    assert located[7] == ["r2", "r2"]  # amount -5 and 120: row positions 1 and 2
    assert located[8] == ["r2", "r5"]  # filed outside the year (suite parameters)
    assert located[11] == ["r2"]  # closed before filed
    assert by_index[0]["details"]["unexpected_columns"] == ["extra"]
    assert all(r["exception_info"]["raised_exception"] is False for r in plain["results"])


def test_memo_changes_no_result(plain: dict[str, Any], tmp_path: Path) -> None:
    memoized = validate_once(tmp_path / "memo", validation._memoized_configurations)
    again = validate_once(tmp_path / "again", lambda: nullcontext())
    assert again == plain, "GX without the memo is not deterministic here: the comparison would mean nothing"
    assert memoized == plain


@contextmanager
def memo_by_class() -> Iterator[None]:
    """A wrong memo: one configuration per expectation class (every not-null check would check the
    first column it met)."""
    from great_expectations.expectations.expectation import Expectation

    original = Expectation.__dict__["configuration"]
    memo: dict[type, Any] = {}

    def configuration(self: Any) -> Any:
        if type(self) not in memo:
            memo[type(self)] = original.fget(self)
        return memo[type(self)]

    Expectation.configuration = property(configuration)
    try:
        yield
    finally:
        Expectation.configuration = original


def test_comparison_catches_a_wrong_memo(plain: dict[str, Any], tmp_path: Path) -> None:
    assert validate_once(tmp_path, memo_by_class) != plain


def test_memo_is_scoped_and_restored() -> None:
    from great_expectations.expectations.expectation import Expectation

    original = Expectation.__dict__["configuration"]
    with pytest.raises(KeyError), validation._memoized_configurations():
        assert Expectation.__dict__["configuration"] is not original
        with validation._memoized_configurations():  # nested: the same memo
            pass
        assert Expectation.__dict__["configuration"] is not original
        raise KeyError("inside")
    assert Expectation.__dict__["configuration"] is original


def test_memo_is_pinned_to_the_locked_gx_version(monkeypatch: pytest.MonkeyPatch) -> None:
    import great_expectations

    locked = re.search(r"^great_expectations==(\S+)$", (ROOT / "requirements.lock").read_text(), re.M)
    assert locked is not None
    assert validation.GX_VERSION_CHECKED == locked.group(1) == great_expectations.__version__
    monkeypatch.setattr(great_expectations, "__version__", "1.99.0")
    with pytest.raises(RuntimeError, match=r"GX 1\.99\.0"), validation._memoized_configurations():
        pass


# ------------------------------------------------------------------ _plain_values_fast_path


def test_fast_path_changes_no_result_nor_what_is_stored_and_rendered(plain: dict[str, Any], tmp_path: Path) -> None:
    fast = validate_once(tmp_path / "fast", lambda: nullcontext(), validation._plain_values_fast_path)
    both = validate_once(tmp_path / "both", validation._memoized_configurations, validation._plain_values_fast_path)
    assert fast == plain
    assert both == plain


def _recorded_values(tmp_path: Path) -> list[Any]:
    """Every value GX passes to convert_to_json_serializable in validate_once (GX as shipped), as it
    was passed (deep copies: the function may convert in place)."""
    import copy
    import sys

    from great_expectations import util

    original = util.convert_to_json_serializable
    seen: list[Any] = []

    def recording(data: Any) -> Any:
        try:
            seen.append(copy.deepcopy(data))
        except Exception:  # noqa: BLE001 - not copyable: compared only through the results above
            pass
        return original(data)

    modules = [
        m
        for n, m in list(sys.modules.items())
        if n.startswith("great_expectations")
        and getattr(m, "__dict__", {}).get("convert_to_json_serializable") is original
    ]
    for module in modules:
        module.convert_to_json_serializable = recording
    try:
        validate_once(tmp_path, lambda: nullcontext())
    finally:
        for module in modules:
            module.convert_to_json_serializable = original
    return seen


EDGES = [
    "",
    "甲",
    0,
    -1,
    2**70,
    True,
    False,
    None,
    0.0,
    -0.0,
    1.5,
    float("nan"),
    float("inf"),
    float("-inf"),
    {1: "a", "1": "b", None: [1, (2, 3)], 2.5: {"x": float("nan")}},
    [],
    (),
    [[{}]],
    ("a", None),
    {"nested": {"deeper": [1.0, "s", None, True]}},
]


def _differences(convert: Any, values: list[Any]) -> list[tuple[Any, str, str]]:
    import copy

    from great_expectations import util

    found = []
    for value in values:
        try:
            # repr: the very values, types (list or tuple, 1 or 1.0 or True) and key order
            expected = repr(util.convert_to_json_serializable(copy.deepcopy(value)))
        except TypeError:
            continue  # not serializable by GX either: nothing to compare
        got = repr(convert(copy.deepcopy(value)))
        if got != expected:
            found.append((value, expected, got))
    return found


def test_fast_path_answers_every_value_of_a_validation_as_gx_does(tmp_path: Path) -> None:
    from great_expectations import util

    values = _recorded_values(tmp_path)
    plain_kinds = {type(v) for v in values} & {str, int, bool, float, dict, list, tuple, type(None)}
    assert len(values) > 1000 and plain_kinds >= {str, int, bool, dict, list, type(None)}, len(values)
    fast = validation._plain_values_first(util.convert_to_json_serializable)
    assert _differences(fast, values + EDGES) == []


def test_the_comparison_catches_a_wrong_fast_path() -> None:
    from great_expectations import util

    original = util.convert_to_json_serializable

    def nan_kept(data: Any) -> Any:  # wrong: NaN is None in GX's JSON
        return data if type(data) is float else original(data)

    def keys_kept(data: Any) -> Any:  # wrong: a JSON key must be a str
        return {key: original(value) for key, value in data.items()} if type(data) is dict else original(data)

    assert _differences(nan_kept, EDGES) and _differences(keys_kept, EDGES)


def test_fast_path_is_scoped_restored_and_pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    import great_expectations
    import great_expectations.core.id_dict as id_dict
    from great_expectations import util

    original = util.convert_to_json_serializable
    assert id_dict.convert_to_json_serializable is original  # imported by name there: patched there too
    with pytest.raises(KeyError), validation._plain_values_fast_path():
        fast = util.convert_to_json_serializable
        assert fast is not original and id_dict.convert_to_json_serializable is fast
        with validation._plain_values_fast_path():  # nested: the same
            assert util.convert_to_json_serializable is fast
        assert util.convert_to_json_serializable is fast  # the inner exit leaves the outer in place
        raise KeyError("inside")
    assert util.convert_to_json_serializable is original and id_dict.convert_to_json_serializable is original
    # a GX module first imported inside binds the fast function by name: it gets the original back
    import sys
    import types

    probe = types.ModuleType("great_expectations._lawreport_probe")
    try:
        with validation._plain_values_fast_path():
            sys.modules[probe.__name__] = probe
            exec("from great_expectations.util import convert_to_json_serializable", probe.__dict__)
            assert probe.convert_to_json_serializable is util.convert_to_json_serializable is not original
        assert probe.convert_to_json_serializable is original
    finally:
        sys.modules.pop(probe.__name__, None)
    monkeypatch.setattr(great_expectations, "__version__", "1.99.0")
    with pytest.raises(RuntimeError, match=r"GX 1\.99\.0"), validation._plain_values_fast_path():
        pass


def _index_both_ways(tmp_path: Path, spoil: Any = None) -> tuple[str, str, list[int]]:
    """One session with two tables (one failing, one passing); the Data Docs index as `build_docs` writes it
    (the results read as their top-level fields) and as GX writes it reading each whole result, and how many
    results GX's schema parsed each time. `spoil` may change the stored texts the light reading parses."""
    tables = [TABLE, "memo_passing"]
    session = validation._GXSession(tmp_path / "out", validation._Clock(), tables)
    passing = {**SUITE, "name": "memo_passing", "expectations": SUITE["expectations"][:1]}
    frames = {TABLE: broken_frame(), "memo_passing": broken_frame().drop(columns="extra")}
    for table, suite_dict in ((TABLE, SUITE), ("memo_passing", passing)):
        suite, failure = session.load_suite(table, suite_dict)
        assert failure is None
        validated = session.validate(table, suite, suite_dict, frames[table], validation.year_parameters(YEAR))
        session.store_result(table, validated.suite_result, session.suite_texts[table])
    store = session.context.validation_results_store
    parsed: list[int] = []
    real = store.deserialize

    def counted(value: Any) -> Any:
        parsed[-1] += 1
        return real(value)

    store.deserialize = counted
    index = tmp_path / "out" / validation.DATA_DOCS_DIR / "index.html"
    if spoil is not None:
        spoil(session.result_texts)
    parsed.append(0)
    session.build_docs()
    light = index.read_text(encoding="utf-8")
    parsed.append(0)
    with validation._plain_values_fast_path():
        session.context.build_data_docs(resource_identifiers=session.to_render)
    built = re.compile(r"\?d=\d{8}T\d{6}\.\d+Z")  # the time of the build, on GX's logo
    return built.sub("", light), built.sub("", index.read_text(encoding="utf-8")), parsed


def test_the_data_docs_index_reads_each_result_as_gx_would_show_it(tmp_path: Path) -> None:
    light, whole, parsed = _index_both_ways(tmp_path)
    assert light == whole
    assert "memo_passing" in light and TABLE in light
    # GX's schema parsed only the two results whose pages were rendered; its own way, the index parses both again
    assert parsed == [2, 4]


def test_the_index_comparison_catches_a_wrong_reading(tmp_path: Path) -> None:
    def flip(texts: dict[tuple[str, ...], str]) -> None:
        for key, text in texts.items():
            data = json.loads(text)
            data["success"] = not data["success"]
            texts[key] = json.dumps(data)

    light, whole, _ = _index_both_ways(tmp_path, flip)
    assert light != whole
