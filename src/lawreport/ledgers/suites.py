"""Great Expectations suites derived from the ledger specs, as plain JSON (no GX import here).

Step 2 of the pipeline validates `data/clean/<year>/<table>.parquet` against one suite per ledger.
The suites are generated from `lawreport.ledgers` so a rule is written once (in the spec) and the
committed `expectations/<table>.json` files cannot drift from it (tests/test_suites.py checks).

This module deliberately does not import great_expectations: generating and diffing suites must
stay cheap (GX takes seconds to import) and must work where GX is not installed. The dicts follow
the GX 1.x ExpectationSuite JSON shape (`name`, `expectations: [{type, kwargs, meta}]`, `meta`);
`lawreport.run.validation` turns them into GX objects.

The suites are year-independent: the report-year window is expressed with GX 1.x suite parameters
(`{"$PARAMETER": "year_start"}` / `year_end`) whose values are passed at validation time.

    python -m lawreport.ledgers.suites --write expectations/
    python -m lawreport.ledgers.suites --check expectations/
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from . import ALL_LEDGERS, ROW_RULES, SOURCE_COLUMNS, Column, Ledger

# Suite parameter names for the report-year window; validation passes datetimes for both.
YEAR_START = "year_start"
YEAR_END = "year_end"

# Row rules named in Ledger.checks (the clean data contract in ledgers/spec.py): the cleaner
# quarantines rows that break them, the suites check the result again.
PAIR_RULES = ROW_RULES
# GX's expect_column_values_to_be_of_type cannot tell "Int64" from "int64" or "string" from object
# (it reports the scalar type), so lawreport.run.validation checks clean_dtypes in pandas instead.


# Plausible bounds for kinds whose range is fixed by meaning rather than by the spec.
MONTH_RANGE = (1, 12)
YEAR_RANGE = (2000, 2100)

Expectation = dict[str, Any]


def _expectation(type_: str, kwargs: dict[str, Any], zh: str) -> Expectation:
    return {"type": type_, "kwargs": kwargs, "meta": {"zh": zh}}


def _number(value: float) -> int | float:
    # Spec maxima are written as ints or floats; keep ints as ints so the JSON reads "500", not "500.0".
    return int(value) if float(value).is_integer() else float(value)


def _label(column: Column) -> str:
    # Chinese header (both levels of a two-level header, e.g. 受理|日期 -> 受理日期) plus the clean name.
    return f"「{column.header.replace('|', '')}」({column.clean_name})"


def _column_expectations(ledger: Ledger, column: Column) -> list[Expectation]:
    name = column.clean_name
    label = _label(column)
    out: list[Expectation] = []

    if not column.nullable or column.key:  # a key must always identify its row
        out.append(_expectation("expect_column_values_to_not_be_null", {"column": name}, f"{label}不得为空"))

    if column.key:
        out.append(_expectation("expect_column_values_to_be_unique", {"column": name}, f"编号{label}不得重复"))

    if column.kind == "category":
        if not column.allowed:
            # A category without a vocabulary is a spec bug; failing here beats a silently empty check.
            raise ValueError(f"{ledger.table}.{column.name}: category column without `allowed` values")
        out.append(
            _expectation(
                "expect_column_values_to_be_in_set",
                {"column": name, "value_set": list(column.allowed)},
                f"{label}须为规定类别之一：{'、'.join(column.allowed)}",
            )
        )
    elif column.kind in ("int", "amount"):
        kwargs: dict[str, Any] = {"column": name, "min_value": 0}
        zh = f"{label}不得为负"
        if column.maximum is not None:
            kwargs["max_value"] = _number(column.maximum)
            zh = f"{label}应在 0 至 {column.maximum:g} 之间"
        out.append(_expectation("expect_column_values_to_be_between", kwargs, zh))
    elif column.kind == "month":
        lo, hi = MONTH_RANGE
        out.append(
            _expectation(
                "expect_column_values_to_be_between",
                {"column": name, "min_value": lo, "max_value": hi},
                f"{label}应为 {lo} 至 {hi} 月",
            )
        )
    elif column.kind == "year":
        lo, hi = YEAR_RANGE
        out.append(
            _expectation(
                "expect_column_values_to_be_between",
                {"column": name, "min_value": lo, "max_value": hi},
                f"{label}应为 {lo} 至 {hi} 年间的年份",
            )
        )
    elif column.kind == "date" and column.in_year and not ledger.multi_year:
        # Same condition as the cleaner's R103: multi-year ledgers legitimately hold older rows.
        out.append(
            _expectation(
                "expect_column_values_to_be_between",
                {"column": name, "min_value": {"$PARAMETER": YEAR_START}, "max_value": {"$PARAMETER": YEAR_END}},
                f"{label}应在报告年度内",
            )
        )
    return out


def build_suite(ledger: Ledger) -> dict[str, Any]:
    """The GX 1.x ExpectationSuite JSON dict for one ledger, derived only from its spec.

    Order is fixed (table shape, provenance columns, spec columns in spec order, row rules) so the
    generated file is stable and diffs stay readable.
    """
    clean_names = [c.clean_name for c in ledger.columns]
    expectations: list[Expectation] = [
        _expectation(
            "expect_table_columns_to_match_set",
            {"column_set": sorted([*SOURCE_COLUMNS, *clean_names]), "exact_match": True},
            "表的列须与台账规格完全一致(不多不少)",
        ),
        _expectation("expect_column_values_to_not_be_null", {"column": "row_id"}, "行标识 row_id 不得为空"),
        _expectation("expect_column_values_to_be_unique", {"column": "row_id"}, "行标识 row_id 不得重复"),
        _expectation("expect_column_values_to_not_be_null", {"column": "source_file"}, "来源文件 source_file 不得为空"),
        # "" is the legitimate sheet of a CSV export, so only null is wrong here.
        _expectation(
            "expect_column_values_to_not_be_null",
            {"column": "source_sheet"},
            "来源工作表 source_sheet 不得为空(CSV 为空字符串)",
        ),
        _expectation("expect_column_values_to_not_be_null", {"column": "source_row"}, "来源行号 source_row 不得为空"),
        _expectation(
            "expect_column_values_to_be_between",
            {"column": "source_row", "min_value": 1},
            "来源行号 source_row 应从 1 起计",
        ),
    ]
    for column in ledger.columns:
        expectations.extend(_column_expectations(ledger, column))

    known = {c.name for c in ledger.columns}
    for rule in ledger.checks:
        if rule not in PAIR_RULES:
            raise ValueError(f"{ledger.table}: unknown row rule {rule!r}; known: {sorted(PAIR_RULES)}")
        later, earlier = PAIR_RULES[rule]
        if later not in known or earlier not in known:
            raise ValueError(f"{ledger.table}: rule {rule!r} needs columns {later!r} and {earlier!r}")
        a, b = ledger.column(later), ledger.column(earlier)
        expectations.append(
            _expectation(
                "expect_column_pair_values_a_to_be_greater_than_b",
                {
                    "column_A": a.clean_name,
                    "column_B": b.clean_name,
                    "or_equal": True,
                    # A still-open case has no closing date; that is not a violation of the order rule.
                    "ignore_row_if": "either_value_is_missing",
                },
                f"{_label(a)}不得早于{_label(b)}",
            )
        )

    return {
        "name": ledger.table,
        "expectations": expectations,
        "meta": {
            "zh": f"{ledger.title}({ledger.keeper})数据质量期望",
            "generated_by": "lawreport.ledgers.suites.build_suite — do not edit by hand; regenerate with "
            "`python -m lawreport.ledgers.suites --write expectations/`",
        },
    }


def suite_json(ledger: Ledger) -> str:
    """The exact text written to expectations/<table>.json (stable: sorted keys, no ids, no timestamps)."""
    return json.dumps(build_suite(ledger), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_suites(expectations_dir: Path) -> list[Path]:
    """Write one suite file per ledger; return the paths written (in ALL_LEDGERS order)."""
    expectations_dir = Path(expectations_dir)
    expectations_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for ledger in ALL_LEDGERS:
        path = expectations_dir / f"{ledger.table}.json"
        path.write_text(suite_json(ledger), encoding="utf-8")
        written.append(path)
    return written


def stale_suites(expectations_dir: Path) -> list[str]:
    """Tables whose committed suite file is missing or differs from build_suite()."""
    stale = []
    for ledger in ALL_LEDGERS:
        path = Path(expectations_dir) / f"{ledger.table}.json"
        if not path.is_file() or path.read_text(encoding="utf-8") != suite_json(ledger):
            stale.append(ledger.table)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lawreport.ledgers.suites", description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", metavar="DIR", type=Path, help="write expectations/<table>.json for every ledger")
    group.add_argument("--check", metavar="DIR", type=Path, help="exit 1 if any suite file is missing or stale")
    parser.add_argument(
        "--raw-root", type=Path, default=None, help="the unit's raw root holding unit.yaml (default: the sample unit)"
    )
    args = parser.parse_args(argv)
    if args.raw_root is not None:
        from . import UnitConfigError, use_unit

        try:
            use_unit(args.raw_root)
        except UnitConfigError as error:
            print(error, file=sys.stderr)
            return 2
    if args.write is not None:
        for path in write_suites(args.write):
            print(path)
        return 0
    stale = stale_suites(args.check)
    for table in stale:
        print(f"期望套件过期或缺失 (stale or missing suite): {table}", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
