"""Mutation check of the figures' row filters: every mutant of a Python metric's filter or of a
register spec's `where` must fail a unit test.

    .venv/bin/python tools/mutate_metrics.py [--jobs 2] [--module petitions ...] [--no-isin] [--no-specs]
                                             [--only-specs] [--figure ID ...] [--keep-temp]

A developer tool, not part of the package (stdlib and PyYAML, which the suite pins). Two kinds of mutants:

Register specs (claims/2025.yaml, `compute:` of each entry): for every row selection of a spec (the rows
of count / count_distinct / sum / min / max, the `of` and `base` of a rate)

  * a selection with a `where` made to keep every row (`where` removed), one without made to keep no
    row (`where: {row_id: {empty: true}}`; a rate without `base` gets such a base);
  * each condition of a `where` with more than one condition dropped, one at a time;
  * each element of an `in` / `not_in` list of two or more dropped, one at a time (--no-isin skips).

The mutated register is written to a temporary claims/2025.yaml (every mutant is first loaded with
lawreport.register.claims.load_register, so none is killed by being invalid), and the unit test files that name
the figure (tests/unit/test_metrics_*.py, tests/unit/test_spec_*.py) run with
LAWREPORT_TEST_REGISTER pointing at it (tests/frames.py reads the register from there).

Python metrics: it copies src/ to a temporary folder once per worker and, for each metric module
src/lawreport/metrics/<module>.py, enumerates mutants:

  * every one-argument `lambda` of the module (each is a row filter over a frame: an argument of
    select / count_rows / sum_column / rate or of a module helper such as _two_years, or the lambda
    a helper such as _service returns) replaced by "keep every row" `lambda f: f.row_id.notna()`,
    or by "keep no row" `lambda f: f.row_id.isna()` when it already keeps every row;
  * every non-lambda filter argument of a base.py helper (a parameter annotated
    `Callable[[pd.DataFrame], ...]`), e.g. `_service("法律咨询")` or `_every`, replaced at that call
    site the same way;
  * each clause of a top-level `&` conjunction in a filter lambda dropped, one at a time;
  * each element of an `.isin([...])` list, or of the module constant `.isin(CONST)` names, dropped
    one at a time (--no-isin skips these).

Each mutant replaces the exact source segment (ast positions), so the rest of the file stays
byte-identical. It is written into the copy, tests/unit/test_metrics_<module>.py runs against it
(PYTHONPATH=<copy>/src, cwd = the repository so the tests are the working tree's), and the copy's
file is restored. A mutant is killed when pytest exits non-zero, survived when it exits 0.

Exit status: 0 when every mutant is killed or listed in EQUIVALENT (with the reason it cannot change
any result), 1 otherwise, 2 when the set-up is wrong (baseline tests fail, the copy is not imported).
"""

from __future__ import annotations

import argparse
import ast
import copy as copying
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
METRICS_DIR = Path("src/lawreport/metrics")
MODULES = ("petitions", "enforcement", "security")
REGISTER = ROOT / "claims" / "2025.yaml"
REGISTER_ENV = "LAWREPORT_TEST_REGISTER"  # read by tests/frames.py
SPEC_MODULE = "register"  # the `module` column of spec mutants
BASE_HELPERS = ("select", "count_rows", "sum_column", "rate")
PYTEST_TIMEOUT = 300  # seconds per run; a mutant that hangs counts as killed (reported as a timeout)

# Mutants that cannot change any result, keyed by (module, enclosing def, mutation) as printed.
# Every entry needs a one-line reason; a real test gap belongs in the tests, not here.
# Spec mutants are keyed ("register", figure id, mutation).
EQUIVALENT: dict[tuple[str, str, str], str] = {}


@dataclass
class Mutant:
    module: str
    line: int
    function: str
    mutation: str
    start: int  # byte offsets in the module's source
    end: int
    replacement: str
    result: str = ""
    failing_test: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.module, self.function, self.mutation)


# --- enumerating mutants ------------------------------------------------------------------------


@dataclass
class Helpers:
    """The base.py helpers: their parameter names, and which of them take a row filter."""

    signatures: dict[str, list[str]]
    filters: dict[str, list[tuple[int, str]]]  # (position, name) annotated `Callable[[pd.DataFrame], ...]`


def base_helpers(base_source: str) -> Helpers:
    helpers = Helpers({}, {})
    for node in ast.parse(base_source).body:
        if isinstance(node, ast.FunctionDef) and node.name in BASE_HELPERS:
            helpers.signatures[node.name] = [arg.arg for arg in node.args.args]
            helpers.filters[node.name] = [
                (position, arg.arg)
                for position, arg in enumerate(node.args.args)
                if arg.annotation and "Callable[[pd.DataFrame]" in ast.unparse(arg.annotation)
            ]
    missing = set(BASE_HELPERS) - set(helpers.signatures)
    if missing:
        raise SystemExit(f"base.py no longer defines {sorted(missing)}: update BASE_HELPERS")
    return helpers


class Source:
    """A module's source as bytes, with ast positions (line, UTF-8 byte column) turned into offsets."""

    def __init__(self, data: bytes):
        self.data = data
        self.starts = [0]
        for line in data.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))

    def span(self, node: ast.AST) -> tuple[int, int]:
        return (
            self.starts[node.lineno - 1] + node.col_offset,
            self.starts[node.end_lineno - 1] + node.end_col_offset,
        )

    def text(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.data[start:end].decode("utf-8")


def parents_of(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    parents = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    return parents


def enclosing_def(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> str:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return node.name
    return "<module>"


def conjuncts(node: ast.expr) -> list[ast.expr]:
    """The clauses of a top-level `a & b & c` (left-associative BinOps), else [node]."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd):
        return conjuncts(node.left) + conjuncts(node.right)
    return [node]


def wrapped(source: Source, node: ast.expr) -> str:
    text = source.text(node)
    atomic = isinstance(node, ast.Name | ast.Attribute | ast.Call | ast.Subscript | ast.Constant)
    return text if atomic else f"({text})"


def keeps_every_row(arg: str, body: str) -> bool:
    return body == f"{arg}.row_id.notna()"


def module_mutants(module: str, data: bytes, helpers: Helpers, isin: bool) -> list[Mutant]:
    source = Source(data)
    tree = ast.parse(data)
    parents = parents_of(tree)
    defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    callers: dict[str, list[str]] = {}  # module helper -> the defs that call it
    for name, function in defs.items():
        for node in ast.walk(function):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in defs:
                callers.setdefault(node.func.id, []).append(name)
    constants = {
        target.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Tuple | ast.List)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    signatures = dict(helpers.signatures) | {name: [a.arg for a in f.args.args] for name, f in defs.items()}
    mutants: list[Mutant] = []

    def where(node: ast.AST) -> str:
        name = enclosing_def(node, parents)
        using = sorted(set(callers.get(name, ())))
        return f"{name} (helper of {len(using)})" if name.startswith("_") and len(using) > 1 else name

    def role(node: ast.Lambda) -> str:
        """Where the filter goes: the parameter it is passed as (keep, numerator, base...) or `returned`."""
        parent = parents.get(node)
        if isinstance(parent, ast.Return):
            return "returned lambda"
        if isinstance(parent, ast.keyword):
            return f"{parent.arg}="
        if isinstance(parent, ast.Call) and node in parent.args:
            position = parent.args.index(node)
            names = signatures.get(parent.func.id, []) if isinstance(parent.func, ast.Name) else []
            return names[position] if position < len(names) else f"argument {position}"
        return "lambda"

    def add(node: ast.AST, mutation: str, start: int, end: int, replacement: str) -> None:
        mutants.append(Mutant(module, node.lineno, where(node), mutation, start, end, replacement))

    for node in ast.walk(tree):
        # 1. every one-argument lambda: a row filter over a frame
        if isinstance(node, ast.Lambda):
            args = node.args
            if len(args.args) != 1 or args.posonlyargs or args.kwonlyargs or args.vararg or args.kwarg:
                print(f"note: {module}:{node.lineno} lambda is not a one-frame filter; not mutated", file=sys.stderr)
                continue
            arg = args.args[0].arg
            body = source.text(node.body)
            start, end = source.span(node.body)
            label = role(node)
            if keeps_every_row(arg, body):
                add(node, f"{label}: keep no row", start, end, f"{arg}.row_id.isna()")
            else:
                add(node, f"{label}: keep every row", start, end, f"{arg}.row_id.notna()")
            clauses = conjuncts(node.body)
            if len(clauses) > 1:
                for i, clause in enumerate(clauses):
                    rest = " & ".join(wrapped(source, c) for j, c in enumerate(clauses) if j != i)
                    add(clause, f"{label}: drop `{source.text(clause)}`", start, end, rest)
        # 2. a filter made by a module helper (`_service("法律咨询")`, `_every`) passed to a base helper,
        #    replaced at its call site (a parameter passed on, as in _two_years, is mutated at its callers)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in helpers.filters:
            for position, name in helpers.filters[node.func.id]:
                given = [a for a in node.args[position : position + 1] if not isinstance(a, ast.Starred)]
                given += [k.value for k in node.keywords if k.arg == name]
                for value in given:
                    made_here = (isinstance(value, ast.Name) and value.id in defs) or (
                        isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in defs
                    )
                    if not made_here:
                        continue
                    text = source.text(value)
                    start, end = source.span(value)
                    every = (
                        isinstance(value, ast.Name)
                        and value.id in defs
                        and _returns_every_row(defs[value.id], source)  # e.g. publicity._every
                    )
                    if every:
                        add(value, f"{name}: `{text}` -> keep no row", start, end, "lambda f: f.row_id.isna()")
                    else:
                        add(value, f"{name}: `{text}` -> keep every row", start, end, "lambda f: f.row_id.notna()")
        # 3. .isin([...]) / .isin(CONST): one element dropped at a time
        elif (
            isin
            and isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "isin"
            and len(node.args) == 1
        ):
            values = node.args[0]
            label = ""
            if isinstance(values, ast.Name) and values.id in constants:
                label, values = f"{values.id} ", constants[values.id]
            if not isinstance(values, ast.List | ast.Tuple | ast.Set):
                print(f"note: {module}:{node.lineno} .isin({source.text(values)}) not mutated", file=sys.stderr)
                continue
            start, end = source.span(values)
            for i, element in enumerate(values.elts):
                rest = [source.text(e) for j, e in enumerate(values.elts) if j != i]
                if isinstance(values, ast.Tuple):
                    replacement = f"({rest[0]},)" if len(rest) == 1 else f"({', '.join(rest)})"
                elif isinstance(values, ast.Set):
                    replacement = "{" + ", ".join(rest) + "}" if rest else "set()"
                else:
                    replacement = f"[{', '.join(rest)}]"
                add(node, f"isin {label}drop {source.text(element)}", start, end, replacement)
    mutants.sort(key=lambda m: (m.line, m.start, m.mutation))
    seen: set[tuple[str, str, str]] = set()
    for mutant in mutants:  # EQUIVALENT needs one name per mutant
        if mutant.key in seen:
            mutant.mutation += f" (col {mutant.start - Source(data).starts[mutant.line - 1]})"
        seen.add(mutant.key)
    return mutants


def _returns_every_row(function: ast.FunctionDef, source: Source) -> bool:
    body = [s for s in function.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if len(function.args.args) != 1 or len(body) != 1 or not isinstance(body[0], ast.Return) or not body[0].value:
        return False
    return keeps_every_row(function.args.args[0].arg, source.text(body[0].value))


def mutant_source(original: bytes, mutant: Mutant) -> bytes:
    mutated = original[: mutant.start] + mutant.replacement.encode("utf-8") + original[mutant.end :]
    compile(mutated, f"{mutant.module}.py", "exec")  # a mutant that does not parse is a bug of this tool
    return mutated


# --- register spec mutants ----------------------------------------------------------------------

KEEP_NONE = {"row_id": {"empty": True}}


@dataclass
class SpecMutant:
    """A mutant of one entry's `compute:` spec; `register` is the whole mutated register's YAML."""

    function: str  # the figure id
    mutation: str
    register: str
    line: int = 0
    module: str = SPEC_MODULE
    result: str = ""
    failing_test: str = ""
    tests: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.module, self.function, self.mutation)


def _show(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _selections(compute: dict) -> list[tuple[str, tuple[str, ...]]]:
    """(label, path inside the spec) of each row selection: an aggregate's rows, a rate's of and base."""
    found = [(name, (name,)) for name in ("count", "count_distinct", "sum", "min", "max") if name in compute]
    rate = compute.get("rate")
    if isinstance(rate, dict):
        found += [(f"rate.{side}", ("rate", side)) for side in ("of", "base") if isinstance(rate.get(side), dict)]
    return [(label, path) for label, path in found if isinstance(_at(compute, path), dict)]


def _at(spec: dict, path: tuple[str, ...]) -> dict:
    for key in path:
        spec = spec[key]
    return spec


def spec_mutations(compute: dict, isin: bool) -> list[tuple[str, dict]]:
    """Every mutation of one spec: (name, mutated spec)."""
    out: list[tuple[str, dict]] = []

    def mutated(path: tuple[str, ...], change) -> dict:
        spec = copying.deepcopy(compute)
        change(_at(spec, path))
        return spec

    for label, path in _selections(compute):
        where = _at(compute, path).get("where")
        if not where:
            out.append((f"{label}: keep no row", mutated(path, lambda s: s.__setitem__("where", dict(KEEP_NONE)))))
            continue
        out.append((f"{label}: keep every row (where removed)", mutated(path, lambda s: s.pop("where"))))
        clauses = [
            (column, op)
            for column, condition in where.items()
            for op in (condition if isinstance(condition, dict) else [None])
        ]
        if len(clauses) > 1:
            for column, op in clauses:

                def drop(s, column=column, op=op):
                    if op is None or len(s["where"][column]) == 1:
                        del s["where"][column]
                    else:
                        del s["where"][column][op]

                shown = _show(where[column]) if op is None else f"{op}: {_show(where[column][op])}"
                out.append((f"{label}: drop `{column}: {shown}`", mutated(path, drop)))
        if isin:
            for column, condition in where.items():
                for op in ("in", "not_in"):
                    values = condition.get(op) if isinstance(condition, dict) else None
                    if not isinstance(values, list) or len(values) < 2:
                        continue
                    for i, value in enumerate(values):

                        def drop_one(s, column=column, op=op, i=i):
                            del s["where"][column][op][i]

                        out.append((f"{label}: {column} {op} drop {_show(value)}", mutated(path, drop_one)))
    rate = compute.get("rate")
    if isinstance(rate, dict) and "base" not in rate and isinstance(rate.get("of"), dict):
        base = {"table": rate["of"].get("table"), "where": dict(KEEP_NONE)}
        spec = copying.deepcopy(compute)
        spec["rate"]["base"] = base
        out.append(("rate.base: keep no row (base added)", spec))
    return out


def tests_naming(figure_id: str) -> tuple[str, ...]:
    files = sorted((ROOT / "tests" / "unit").glob("test_metrics_*.py")) + sorted(
        (ROOT / "tests" / "unit").glob("test_spec_*.py")
    )
    return tuple(str(f.relative_to(ROOT)) for f in files if f'"{figure_id}"' in f.read_text(encoding="utf-8"))


def register_mutants(isin: bool, figures: list[str] | None) -> list[SpecMutant]:
    text = REGISTER.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    lines = {
        line.strip()[len("- id: ") :]: n
        for n, line in enumerate(text.splitlines(), 1)
        if line.strip().startswith("- id: ")
    }
    mutants = []
    for index, entry in enumerate(data["figures"]):
        compute = entry.get("compute")
        if not isinstance(compute, dict) or (figures and entry["id"] not in figures):
            continue
        for name, spec in spec_mutations(compute, isin):
            register = copying.deepcopy(data)
            register["figures"][index]["compute"] = spec
            dumped = yaml.safe_dump(register, allow_unicode=True, sort_keys=False, width=1000)
            mutants.append(
                SpecMutant(entry["id"], name, dumped, lines.get(entry["id"], 0), tests=tests_naming(entry["id"]))
            )
    return mutants


LOAD_CHECK = """
import json, sys
from pathlib import Path
from lawreport.register.claims import RegisterError, load_register
report = Path(sys.argv[1])
bad = {}
for path in sys.argv[2:]:
    try:
        load_register(Path(path), report_path=report)
    except RegisterError as error:
        bad[path] = str(error)
print(json.dumps(bad, ensure_ascii=False))
"""


def write_registers(temp: Path, mutants: list[SpecMutant]) -> list[Path]:
    """Each mutant's register as <temp>/registers/<n>/claims/2025.yaml; all of them must load."""
    paths = []
    for n, mutant in enumerate(mutants):
        path = temp / "registers" / str(n) / "claims" / "2025.yaml"
        path.parent.mkdir(parents=True)
        path.write_text(mutant.register, encoding="utf-8")
        paths.append(path)
    unmutated = temp / "registers" / "unmutated" / "claims" / "2025.yaml"
    unmutated.parent.mkdir(parents=True)
    unmutated.write_text(
        yaml.safe_dump(yaml.safe_load(REGISTER.read_text(encoding="utf-8")), allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    report = ROOT / "data" / "raw" / "2025" / "report.txt"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    command = [sys.executable, "-c", LOAD_CHECK, str(report), str(unmutated), *map(str, paths)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"FATAL: could not load the mutated registers: {done.stderr[-2000:]}")
    bad = json.loads(done.stdout)
    if bad:
        first = next(iter(bad.items()))
        raise SystemExit(f"FATAL: {len(bad)} mutated register(s) do not load (a bug of this tool): {first}")
    return [unmutated, *paths]


def pytest_register_run(register: Path, tests: tuple[str, ...], timeout: int = PYTEST_TIMEOUT) -> tuple[int, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), PYTHONDONTWRITEBYTECODE="1", **{REGISTER_ENV: str(register)})
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-n0", "-p", "no:cacheprovider", "-rf", *tests]
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return -1, f"(timeout after {timeout} s)"
    return done.returncode, done.stdout + done.stderr


def spec_sanity(unmutated: Path, mutants: list[SpecMutant]) -> None:
    """The tests read the register from REGISTER_ENV, and pass on the unmutated one."""
    files = tuple(sorted({t for m in mutants for t in m.tests}))
    if not files:
        return
    code, output = pytest_register_run(unmutated.parent / "nonexistent-canary.yaml", files[:1])
    if code == 0 or "nonexistent-canary" not in output:
        raise SystemExit(f"FATAL: the tests do not read the register from ${REGISTER_ENV} (canary not seen)")
    print(f"sanity: the tests read ${REGISTER_ENV} (canary seen)")
    code, output = pytest_register_run(unmutated, files)
    if code != 0:
        raise SystemExit(f"FATAL: the tests fail on the unmutated register: {first_failure(output)}")
    print(f"sanity: the tests pass on the unmutated register ({len(files)} files)")


def run_spec_mutant(mutant: SpecMutant, register: Path) -> SpecMutant:
    if not mutant.tests:
        mutant.result, mutant.failing_test = "survived", "(no unit test names this figure)"
        return mutant
    code, output = pytest_register_run(register, mutant.tests)
    mutant.result = "killed" if code != 0 else "survived"
    mutant.failing_test = first_failure(output) if code != 0 else ""
    return mutant


# --- running ------------------------------------------------------------------------------------


def pytest_run(copy: Path, module: str, timeout: int = PYTEST_TIMEOUT) -> tuple[int, str]:
    env = dict(os.environ, PYTHONPATH=str(copy / "src"), PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-rf"]
    command.append(f"tests/unit/test_metrics_{module}.py")
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return -1, f"(timeout after {timeout} s)"
    return done.returncode, done.stdout + done.stderr


def first_failure(output: str) -> str:
    for prefix in ("FAILED", "ERROR"):
        match = re.search(rf"^{prefix} (\S+)", output, re.MULTILINE)
        if match:
            name = match.group(1).split("::", 1)[-1] if "::" in match.group(1) else match.group(1)
            return name if prefix == "FAILED" else f"ERROR {name}"
    return output.strip().splitlines()[-1] if output.strip() else ""


def make_copy(parent: Path, n: int) -> Path:
    copy = parent / f"tree{n}"
    shutil.copytree(ROOT / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    # The sample unit's configuration (ledger layouts, vocabularies): the copy's default unit is read
    # from <copy>/data/raw, as the package's is from the repository's data/raw.
    raw = ROOT / "data" / "raw"
    for path in [raw / "unit.yaml", *sorted((raw / "ledgers").glob("*.yaml"))]:
        target = copy / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return copy


def sanity(copies: list[Path], modules: list[str]) -> None:
    """The copies are what gets imported, and the unmutated tests pass on them."""
    for copy in copies:
        env = dict(os.environ, PYTHONPATH=str(copy / "src"), PYTHONDONTWRITEBYTECODE="1")
        probe = [sys.executable, "-c", "import lawreport; print(lawreport.__file__)"]
        imported = subprocess.run(probe, cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout.strip()
        print(f"sanity: lawreport imported from {imported}")
        if not Path(imported).resolve().is_relative_to(copy.resolve()):
            raise SystemExit(f"FATAL: lawreport is imported from {imported}, not from the copy {copy}/src")
    # Under pytest too: a copy whose metrics package cannot be imported must make the tests fail.
    init = copies[0] / METRICS_DIR / "__init__.py"
    kept = init.read_bytes()
    init.write_bytes(b'raise ImportError("mutate_metrics canary")\n' + kept)
    try:
        code, output = pytest_run(copies[0], modules[0])
    finally:
        init.write_bytes(kept)
    if code == 0 or "mutate_metrics canary" not in output:
        raise SystemExit("FATAL: pytest does not import lawreport from the copy (canary not seen)")
    print("sanity: pytest imports the copy (canary seen)")
    with ThreadPoolExecutor(max_workers=len(copies)) as pool:
        runs = dict(zip(modules, pool.map(lambda m: pytest_run(copies[0], m), modules), strict=True))
    broken = {m: first_failure(out) for m, (code, out) in runs.items() if code != 0}
    if broken:
        raise SystemExit(f"FATAL: the unmutated tests fail, no mutant can be judged: {broken}")
    print(f"sanity: unmutated tests pass for {', '.join(modules)}")


def run_mutant(mutant: Mutant, originals: dict[str, bytes], free: queue.Queue[Path]) -> Mutant:
    copy = free.get()
    path = copy / METRICS_DIR / f"{mutant.module}.py"
    try:
        path.write_bytes(mutant_source(originals[mutant.module], mutant))
        code, output = pytest_run(copy, mutant.module)
    finally:
        path.write_bytes(originals[mutant.module])
        free.put(copy)
    mutant.result = "killed" if code != 0 else "survived"
    mutant.failing_test = first_failure(output) if code != 0 else ""
    return mutant


def width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int) -> str:
    while width(text) > columns:
        text = text[:-1]
    return text + " " * (columns - width(text))


def table(mutants: list[Mutant]) -> str:
    rows = [("module", "line", "metric function", "mutation", "result", "first failing test")]
    for m in mutants:
        result = m.result
        if result == "survived" and m.key in EQUIVALENT:
            result = "equivalent"
        rows.append((m.module, str(m.line), m.function, m.mutation, result, m.failing_test))
    widths = [min(60, max(width(r[i]) for r in rows)) for i in range(len(rows[0]) - 1)]
    lines = []
    for r in rows:
        cells = [pad(r[i], widths[i]) for i in range(len(widths))]
        lines.append("  ".join(cells + [r[-1]]).rstrip())
        if r is rows[0]:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 18)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="parallel pytest runs (default 2; the machine has 2 cores)")
    parser.add_argument("--module", action="append", choices=MODULES, help="only this metric module (repeatable)")
    parser.add_argument("--no-isin", action="store_true", help="skip the one-element-dropped isin / in-list mutants")
    parser.add_argument("--no-specs", action="store_true", help="skip the register's spec mutants")
    parser.add_argument("--only-specs", action="store_true", help="only the register's spec mutants")
    parser.add_argument("--figure", action="append", help="only the spec mutants of this figure id (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--keep-temp", action="store_true", help="keep the temporary copies")
    options = parser.parse_args(argv)
    modules = [] if options.only_specs or options.figure else (options.module or list(MODULES))
    jobs = max(1, min(options.jobs, 2))
    began = time.monotonic()

    helpers = base_helpers((ROOT / METRICS_DIR / "base.py").read_text(encoding="utf-8"))
    temp = Path(tempfile.mkdtemp(prefix="mutate_metrics-"))
    try:
        copies = [make_copy(temp, n) for n in range(jobs)]
        originals = {m: (copies[0] / METRICS_DIR / f"{m}.py").read_bytes() for m in modules}
        mutants = [x for m in modules for x in module_mutants(m, originals[m], helpers, not options.no_isin)]
        for mutant in mutants:
            mutant_source(originals[mutant.module], mutant)
        specs = [] if options.no_specs else register_mutants(not options.no_isin, options.figure)
        print(
            f"{len(mutants)} mutants in {len(modules)} modules, {len(specs)} mutants of register specs,"
            f" {jobs} worker(s), copies under {temp}"
        )
        if options.list:
            print(table([*mutants, *specs]))
            return 0
        registers = write_registers(temp, specs)
        if modules:
            sanity(copies, modules)
        spec_sanity(registers[0], specs)
        free: queue.Queue[Path] = queue.Queue()
        for tree in copies:
            free.put(tree)
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            done = list(pool.map(lambda m: run_mutant(m, originals, free), mutants))
            done += list(pool.map(lambda pair: run_spec_mutant(*pair), zip(specs, registers[1:], strict=True)))
    finally:
        if options.keep_temp:
            print(f"temporary copies kept in {temp}")
        else:
            shutil.rmtree(temp, ignore_errors=True)

    print()
    print(table(done))
    killed = [m for m in done if m.result == "killed"]
    survived = [m for m in done if m.result == "survived"]
    unexplained = [m for m in survived if m.key not in EQUIVALENT]
    print()
    for m in survived:
        reason = EQUIVALENT.get(m.key)
        tag = f"equivalent: {reason}" if reason else "NOT KILLED: a test is missing"
        print(f"survivor {m.module}:{m.line} {m.function} {m.mutation} -> {tag}")
    ran = {m.key for m in done}
    for key in EQUIVALENT:
        if key in ran and key not in {m.key for m in survived}:
            print(f"warning: EQUIVALENT lists {key}, but that mutant was killed: remove the entry")
        elif key not in ran and (key[0] in modules or (key[0] == SPEC_MODULE and not options.no_specs)):
            print(f"warning: EQUIVALENT lists {key}, which is no longer a mutant: remove the entry")
    elapsed = time.monotonic() - began
    print(
        f"{len(killed)} killed, {len(survived)} survived"
        f" ({len(survived) - len(unexplained)} listed as equivalent) in {elapsed:.1f} s wall time, {jobs} worker(s)"
    )
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
