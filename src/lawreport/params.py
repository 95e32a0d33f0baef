"""The run's parameters: one typed contract, checked before any kernel starts."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class ParameterError(ValueError):
    """A run parameter is unknown, mistyped or points at nothing."""


@dataclass(frozen=True)
class RunParams:
    year: int  # report year, e.g. 2025
    unit: str = ""  # reporting unit as in the manifest (county + 街道/镇); empty = take it from the manifest
    raw_root: str = "data/raw"  # folder holding <year>/ raw ledgers
    clean_root: str = "data/clean"  # folder receiving <year>/ clean tables
    build_root: str = "build"  # folder receiving <year>/ run outputs
    expectations_dir: str = "expectations"  # Great Expectations suites, one JSON per table
    claims_dir: str = "claims"  # registers of the reports' figures, one <year>.yaml per year
    key_file: str = ""  # pseudonymisation key file (outside git); empty = env or demo key

    def path(self, value: str) -> Path:
        path = Path(value)
        return path if path.is_absolute() else PROJECT_ROOT / path

    @property
    def raw_dir(self) -> Path:
        return self.path(self.raw_root) / str(self.year)

    @property
    def clean_dir(self) -> Path:
        return self.path(self.clean_root) / str(self.year)

    @property
    def previous_clean_dir(self) -> Path:
        return self.path(self.clean_root) / str(self.year - 1)

    @property
    def register_path(self) -> Path:
        return self.path(self.claims_dir) / f"{self.year}.yaml"

    @property
    def report_path(self) -> Path:
        return self.raw_dir / "report.txt"

    @property
    def build_dir(self) -> Path:
        return self.path(self.build_root) / str(self.year)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_params(raw: dict[str, Any]) -> RunParams:
    """Reject unknown names, a year given as a date or text, and a year without ledgers."""
    known = {f.name for f in fields(RunParams)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ParameterError(
            f"未知参数 (unknown parameter)：{', '.join(unknown)}；可用参数：{', '.join(sorted(known))}"
        )
    if "year" not in raw:
        raise ParameterError("缺少参数 year (missing parameter)")
    year = raw["year"]
    if isinstance(year, str) and re.fullmatch(r"\d{4}", year.strip()):
        year = int(year)
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        raise ParameterError(
            f"参数 year 应为四位年份整数，如 2025 (year must be a 4-digit integer)，收到 {raw['year']!r}"
        )
    values = {**raw, "year": year}
    for name in known - {"year"}:
        if name in values and not isinstance(values[name], str):
            raise ParameterError(f"参数 {name} 应为文本 (must be a string)，收到 {values[name]!r}")
    params = RunParams(**values)
    check_paths(params)
    from .ledgers import use_unit  # the unit whose ledgers the run reads (P307 if its configuration is bad)

    use_unit(params.path(params.raw_root))
    return params


def check_paths(params: RunParams) -> None:
    """Every path parameter must point at something before any kernel starts: a mistyped folder
    is an error, never a run that checks nothing."""
    raw_root = params.path(params.raw_root)
    expected = (
        "请检查 --raw-root：它应为存放各年度台账的文件夹 (the folder holding one <year>/ folder per year)，"
        f"其下每年一个文件夹，如 {Path(RunParams.raw_root) / str(params.year)}/MANIFEST.yaml"
    )
    if not raw_root.is_dir():
        relative = (
            f"\n相对路径按项目根目录计算 (relative to the project root)：{params.raw_root} → {raw_root}"
            if not Path(params.raw_root).is_absolute()
            else ""
        )
        raise ParameterError(f"[P301] 台账根目录不存在 (raw root not found)：{raw_root}；{expected}{relative}")
    years = sorted(p.name for p in raw_root.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name))
    if not params.raw_dir.is_dir():
        if not years:
            looks_like_year = re.fullmatch(r"\d{4}", raw_root.name) or (raw_root / "MANIFEST.yaml").exists()
            more = (
                f"\n{raw_root} 看起来是某一年度的文件夹 (a year folder)；--raw-root 应为它的上一级：{raw_root.parent}"
                if looks_like_year
                else ""
            )
            raise ParameterError(
                f"[P301] {raw_root} 下没有任何年度文件夹 (no <year>/ folders in the raw root)；{expected}{more}"
            )
        raise ParameterError(
            f"[P301] {params.year} 年没有台账目录 (no ledgers for this year)：{params.raw_dir}；"
            f"{raw_root} 下有的年度：{'、'.join(years)}\n"
            f"请改用其中一年，如 --year {years[-1]}，或把 {params.year} 年的台账放入 {params.raw_dir}/"
        )
    expectations = params.path(params.expectations_dir)
    if not expectations.is_dir() or not any(expectations.glob("*.json")):
        raise ParameterError(
            f"[P301] 期望套件目录不存在或没有 *.json (expectations not found)：{expectations}；请检查 --expectations-dir"
        )
    claims = params.path(params.claims_dir)
    if not claims.is_dir():
        raise ParameterError(f"[P301] 数字登记册目录不存在 (register folder not found)：{claims}；请检查 --claims-dir")
    if params.key_file and not params.path(params.key_file).is_file():
        raise ParameterError(
            f"[P301] 脱敏密钥文件不存在或不是文件 (key file not found)：{params.path(params.key_file)}；请检查 --key-file"
        )


CLI_OPTIONS = {f.name: f"--{f.name.replace('_', '-')}" for f in fields(RunParams)}


def non_defaults(params: RunParams) -> dict[str, Any]:
    """The parameters of a run other than `year` that differ from their defaults, as given."""
    return {
        f.name: getattr(params, f.name)
        for f in fields(RunParams)
        if f.name != "year" and getattr(params, f.name) != f.default
    }


def shell_word(text: str) -> str:
    """A value as one shell word: `~/` stays unquoted (the shell expands it), placeholders like
    〔目录〕 too (they are to be replaced by hand)."""
    import shlex

    def quote(word: str) -> str:  # shlex.quote also quotes Chinese; only quote what the shell would split
        return word if word and not re.search(r"[^\w@%+=:,./-]", word) else shlex.quote(word)

    if text.startswith("~/"):
        return "~/" + quote(text[2:]) if text[2:] else "~/"
    if text.startswith("〔"):
        return text
    return quote(text)


def rerun_command(params: RunParams, shown: Any = None) -> str:
    """The command line that reproduces a run: `make run YEAR=…` when every other parameter is its
    default, else `lawreport run --year …` with each parameter that was not its default
    (`shown(name, value)` may mask a value; paths relative to the project root stay relative)."""
    others = non_defaults(params)
    if not others:
        return f"make run YEAR={params.year}"
    words = ["lawreport", "run", "--year", str(params.year)]
    for name, value in others.items():
        words += [CLI_OPTIONS[name], shell_word(str(shown(name, value) if shown else value))]
    return " ".join(words)


class MissingInput(ParameterError):
    """A notebook was started before the step that makes its input: says which step to run first."""


# papermill writes the parameters it was given into a cell of its own, after the parameters cell,
# opening with this comment (papermill.translators.Translator.codify), and only *warns* about a name
# the notebook does not declare. The setup cell finds that cell in the kernel's input history.
INJECTED_CELL = "# Parameters"
# What each step's setup cell calls: tells the step when the notebook does not say it.
STEP_CALLS = {
    "run_clean_years": "clean",
    "run_validation": "validate",
    "run_figures": "figures",
    "load_appendix": "appendix",
}
STEP_NOTEBOOKS = {"10_clean": "clean", "20_validate": "validate", "30_figures": "figures", "90_appendix": "appendix"}


def injected_parameters(namespace: dict[str, Any]) -> list[str]:
    """The names papermill injected into this kernel (empty when no papermill ran it)."""
    import ast

    names: list[str] = []
    for source in namespace.get("In") or namespace.get("_ih") or []:
        if not isinstance(source, str) or not source.lstrip().startswith(INJECTED_CELL):
            continue
        try:
            body = ast.parse(source).body
        except SyntaxError:
            continue
        for node in body:
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AnnAssign)
                else []
            )
            names.extend(t.id for t in targets if isinstance(t, ast.Name))
    return names


def check_injected(namespace: dict[str, Any], extra: tuple[str, ...] = ()) -> None:
    """Fail loudly on a parameter name the notebook does not know (`-p yaer 2024` would otherwise
    run the notebook's default year with only papermill's warning to show for it)."""
    import difflib

    known = sorted({f.name for f in fields(RunParams)} | set(extra))
    unknown = [name for name in dict.fromkeys(injected_parameters(namespace)) if name not in known]
    if unknown:
        guesses = [f"{n} → {m[0]}" for n in unknown if (m := difflib.get_close_matches(n, known, n=1, cutoff=0.6))]
        hint = f"；是不是想写 (did you mean)：{'、'.join(guesses)}" if guesses else ""
        raise ParameterError(
            f"未知参数 (unknown parameter)：{'、'.join(unknown)}{hint}\n"
            f"papermill 对未知参数只给出警告 (warning)，笔记本会照常用默认值运行，所以这里停止。可用参数：{'、'.join(known)}"
        )


def guess_step(namespace: dict[str, Any]) -> str | None:
    """Which step's notebook this is: the pipeline says so in the kernel's environment, JupyterLab
    names the notebook (JPY_SESSION_NAME), else the step's call in the cell now running."""
    import os

    from .run.pipeline import PIPELINE_ENV

    if os.environ.get(PIPELINE_ENV) in STEP_NOTEBOOKS.values():
        return os.environ[PIPELINE_ENV]
    stem = Path(os.environ.get("JPY_SESSION_NAME", "")).name.split(".")[0]
    if stem in STEP_NOTEBOOKS:
        return STEP_NOTEBOOKS[stem]
    history = namespace.get("In") or namespace.get("_ih") or []
    current = history[-1] if history and isinstance(history[-1], str) else ""
    return next((step for call, step in STEP_CALLS.items() if f"{call}(" in current), None)


def params_from_namespace(namespace: dict[str, Any], step: str | None = None, extra: tuple[str, ...] = ()) -> RunParams:
    """The run parameters of a notebook's setup cell: those its parameters cell defined, as papermill
    overrode them (a name it does not declare is an error, `extra` names the notebook's own).

    Then, for the notebook of `step` (guessed when not given): its input must exist (MissingInput
    names the step to run first), and a run that is not the pipeline's takes the run lock and keeps
    the step's stamp true (lawreport.run.pipeline.notebook_step)."""
    check_injected(namespace, extra)
    params = check_params({f.name: namespace[f.name] for f in fields(RunParams) if f.name in namespace})
    step = step or guess_step(namespace)
    if step is not None:
        from .run.pipeline import notebook_step

        notebook_step(params, step)
    return params
