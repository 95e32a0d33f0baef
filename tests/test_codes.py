"""Every problem code (lawreport.ledgers.errors CODES and RUN_CODES) is tripped by at least one test.

A heuristic over the test sources, read with `ast` (so comments never count, and neither do docstrings):
a code counts as tested when a string holding it (as a whole word: "F001", "[F001]", "R102 …") stands

- inside an `assert` statement, or in a comparison anywhere (`p.code == "R116"`, `"N205" in codes`);
- as the `match=` of pytest.raises / pytest.warns;
- as an argument of a helper of the tests that asserts (a function, not a test, whose body has an `assert`,
  `pytest.raises` or `pytest.fail`: `problem_at(result, row, "R111")`);
- in the values of a `pytest.mark.parametrize` whose test asserts on one of the parametrized names;
- in a value assigned to a name that an `assert` of the same file reads (`EXPECTED = {"F001"}` … `assert … EXPECTED`).

Only files named test_*.py other than this one are read.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from lawreport.ledgers.errors import CODES, RUN_CODES

TESTS = Path(__file__).resolve().parent
ALL_CODES = {**CODES, **RUN_CODES}
CODE_WORD = re.compile(r"(?<![A-Za-z0-9_])([FRNP]\d{3})(?![0-9])")

# Codes being implemented by colleagues right now; their tests come with them. Allowed to lack a test
# for the moment only: shrink this set as the tests land (test_pending_codes_are_real_codes warns which
# ones already have a test and can be taken out).
PENDING: set[str] = set()


# ------------------------------------------------------------------ the heuristic


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_pytest_check(call: ast.Call) -> bool:
    """pytest.raises(...), pytest.warns(...), pytest.fail(...)."""
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr in ("raises", "warns", "fail")
        and isinstance(func.value, ast.Name)
        and func.value.id == "pytest"
    )


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _checked_names(function: ast.AST) -> set[str]:
    """Names a function's checks read (asserts, pytest.raises/warns/fail and the body they guard), and,
    one assignment at a time back to its parameters, the names those were computed from."""
    checked: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assert) or (isinstance(node, ast.Call) and _is_pytest_check(node)):
            checked |= _names(node)
        if isinstance(node, ast.With) and any(
            isinstance(item.context_expr, ast.Call) and _is_pytest_check(item.context_expr) for item in node.items
        ):
            checked |= {name for stmt in node.body for name in _names(stmt)}
    flows = []  # (names assigned, names read)
    for node in ast.walk(function):
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            flows.append(({n for t in targets for n in _names(t)}, _names(node.value)))
        elif isinstance(node, ast.For | ast.comprehension):
            flows.append((_names(node.target), _names(node.iter)))
    changed = True
    while changed:
        changed = False
        for assigned, read in flows:
            if assigned & checked and not read <= checked:
                checked |= read
                changed = True
    return checked


def asserting_helpers(trees: list[ast.Module]) -> dict[str, list[tuple[list[str], set[str]]]]:
    """Functions (not tests) of the test sources that check one of their parameters:
    name -> [(parameter names, the parameters that reach an assert or pytest.raises/fail)]."""
    helpers: dict[str, list[tuple[list[str], set[str]]]] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("test_"):
                params = [a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)]
                checked = set(params) & _checked_names(node)
                if checked:
                    helpers.setdefault(node.name, []).append((params, checked))
    return helpers


def _helper_checks(call: ast.Call, argument: ast.AST, helpers: dict[str, list[tuple[list[str], set[str]]]]) -> bool:
    """Is `argument` (a positional argument or keyword of `call`) a parameter the called helper checks?"""
    for params, checked in helpers.get(_call_name(call), []):
        if params and params[0] in ("self", "cls") and isinstance(call.func, ast.Attribute):
            params = params[1:]
        if isinstance(argument, ast.keyword):
            name = argument.arg
        elif argument in call.args and not any(isinstance(a, ast.Starred) for a in call.args):
            index = call.args.index(argument)
            name = params[index] if index < len(params) else None
        else:
            name = None
        if name in checked:
            return True
    return False


def _names_read_by_asserts(tree: ast.AST) -> set[str]:
    return {
        name.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assert)
        for name in ast.walk(node)
        if isinstance(name, ast.Name)
    }


def _parametrize_asserted(decorator: ast.Call, function: ast.AST) -> bool:
    """Does the decorated test assert on one of the parametrized argument names?"""
    if not decorator.args or not isinstance(decorator.args[0], ast.Constant):
        return False
    argnames = {a.strip() for a in str(decorator.args[0].value).split(",")}
    return bool(argnames & _names_read_by_asserts(function))


def _strings(tree: ast.AST) -> Iterator[ast.Constant]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node


Helpers = dict[str, list[tuple[list[str], set[str]]]]


def _in_assertion(
    constant: ast.Constant, parents: dict[ast.AST, ast.AST], helpers: Helpers, asserted: set[str]
) -> bool:
    """Walk up from the string to its statement: is it held by an assertion context on the way?"""
    node: ast.AST = constant
    through_call = False  # a value computed by a call is not the literal an assert compares with
    while node in parents:
        parent = parents[node]
        if isinstance(parent, ast.Assert | ast.Compare):
            return True
        if isinstance(parent, ast.keyword) and parent.arg == "match":
            return True
        if isinstance(parent, ast.Call) and node is not parent.func:
            if _is_pytest_check(parent) or _helper_checks(parent, node, helpers):
                return True
            if _call_name(parent) == "parametrize":
                function = parents.get(parent)
                return isinstance(function, ast.FunctionDef) and _parametrize_asserted(parent, function)
            through_call = True
        if isinstance(parent, ast.Assign | ast.AnnAssign):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            return not through_call and any(isinstance(t, ast.Name) and t.id in asserted for t in targets)
        if isinstance(parent, ast.stmt):
            return False  # any other statement (an expression on its own, an `if`, a docstring…)
        node = parent
    return False


def asserted_codes(source: str, helpers: Helpers) -> set[str]:
    """The codes that the source holds in an assertion context (see the module docstring)."""
    tree = ast.parse(source)
    parents = _parents(tree)
    asserted = _names_read_by_asserts(tree)
    found: set[str] = set()
    for constant in _strings(tree):
        codes = set(CODE_WORD.findall(constant.value))
        if codes and not codes <= found and _in_assertion(constant, parents, helpers, asserted):
            found |= codes
    return found


def _test_files() -> list[Path]:
    return sorted(p for p in TESTS.rglob("test_*.py") if p.resolve() != Path(__file__).resolve())


def coverage() -> dict[str, list[str]]:
    """code -> the test files that assert on it."""
    files = _test_files()
    sources = {p: p.read_text(encoding="utf-8") for p in files}
    support = [p for p in TESTS.rglob("*.py") if p not in sources]
    trees = [ast.parse(s) for s in sources.values()] + [ast.parse(p.read_text(encoding="utf-8")) for p in support]
    helpers = asserting_helpers(trees)
    found: dict[str, list[str]] = {code: [] for code in ALL_CODES}
    for path, source in sources.items():
        for code in asserted_codes(source, helpers):
            if code in found:
                found[code].append(str(path.relative_to(TESTS)))
    return found


# ------------------------------------------------------------------ the rule


def test_every_code_is_tripped_by_a_test():
    untested = sorted(code for code, files in coverage().items() if not files and code not in PENDING)
    assert untested == [], "codes no test asserts on: " + ", ".join(
        f"{code} ({ALL_CODES[code][1]})" for code in untested
    )


def test_pending_codes_are_real_codes():
    assert PENDING <= set(ALL_CODES), sorted(PENDING - set(ALL_CODES))
    done = sorted(code for code, files in coverage().items() if files and code in PENDING)
    assert done == [], f"PENDING codes that now have a test: take them out of PENDING: {done}"


def test_the_codes_are_what_the_heuristic_looks_for():
    assert ALL_CODES and all(CODE_WORD.fullmatch(code) for code in ALL_CODES)


# ------------------------------------------------------------------ the heuristic can say no


HELPERS = asserting_helpers(
    [
        ast.parse(
            "def problem_at(result, row, code):\n    hits = [p for p in result if p.code == code]\n    assert hits\n"
        )
    ]
)


@pytest.mark.parametrize(
    "source",
    [
        "def test_a():\n    x = run()  # F001 here only in a comment\n    assert x\n",
        'def test_a():\n    """Trips F001."""\n    assert run()\n',
        'def test_a():\n    label = "F001"\n    assert run()\n',
        'def test_a():\n    print("F001")\n    assert run()\n',
        'def test_a():\n    if run():\n        log("F001")\n    assert True\n',
        'def test_a():\n    assert run("F0012")\n',
        'def test_a():\n    assert run("XF001")\n',
        'def test_a():\n    other(result, 3, "F001")\n',
        'def test_a():\n    problem_at(result, "F001", "R1")\n',  # the helper does not check `row`
        'def test_a():\n    rows = edit(params, [("c", 0, "F001")])\n    assert rows\n',  # planted, not asserted
        '@pytest.mark.parametrize("raw", ["F001"])\ndef test_a(raw):\n    run(raw)\n    assert True\n',
    ],
)
def test_a_code_outside_an_assertion_does_not_count(source):
    assert asserted_codes(source, HELPERS) == set()


@pytest.mark.parametrize(
    "source",
    [
        'def test_a():\n    assert codes(run()) == {"F001"}\n',
        'def test_a():\n    assert "F001" in str(error)\n',
        'def test_a():\n    assert any(p.code == "F001" for p in problems)\n',
        'def test_a():\n    hits = [p for p in problems if p.code == "F001"]\n    assert hits\n',
        'def test_a():\n    with pytest.raises(E, match="F001"):\n        run()\n',
        'def test_a():\n    problem_at(result, 3, "F001")\n',
        'def test_a():\n    problem_at(result, 3, code="F001")\n',
        'def test_a():\n    assert "[F001] 台账" in message\n',
        'EXPECTED = {"F001"}\n\ndef test_a():\n    assert codes() == EXPECTED\n',
        '@pytest.mark.parametrize("raw, code", [("x", "F001")])\ndef test_a(raw, code):\n    assert run(raw) == code\n',
    ],
)
def test_a_code_in_an_assertion_counts(source):
    assert asserted_codes(source, HELPERS) == {"F001"}


def test_asserting_helpers_are_found_with_the_parameters_they_check():
    tree = ast.parse(
        "def problem_at(r, row, code):\n    hits = [p for p in r if p.code == code]\n    assert hits, row\n"
        "def file_error(params):\n    with pytest.raises(E) as info:\n        run(params)\n    return info.value\n"
        "def locate(params, table, column):\n    ledger = get(table)\n    assert ledger.sheet\n    return find(column)\n"
        "def plain(x):\n    return x\n"
        "def test_x(y):\n    assert y\n"
    )
    assert asserting_helpers([tree]) == {
        "problem_at": [(["r", "row", "code"], {"r", "row", "code"})],
        "file_error": [(["params"], {"params"})],
        "locate": [(["params", "table", "column"], {"table"})],
    }
