"""Console command `lawreport`: a thin layer over pipeline.run_suite and the sample generator."""

from __future__ import annotations

import argparse
import difflib
import gc
import re
import sys

from .ledgers.errors import LedgerFileError
from .params import ParameterError
from .run.summary import DEFAULT_FAIL_ON, FAIL_ON_CHOICES, parse_fail_on

# argparse's own messages, in Chinese with the English term (Python's wording, as of 3.11-3.13).
ARGPARSE_ZH: tuple[tuple[str, str], ...] = (
    (r"the following arguments are required: (.*)", "缺少必需的参数 (required)：{0}"),
    (r"invalid choice: (.*?) \(choose from (.*)\)", "无效的选择 (invalid choice)：{0}；可选：{1}"),
    (r"unrecognized arguments: (.*)", "无法识别的参数 (unrecognized arguments)：{0}"),
    (r"expected one argument", "这个参数后面需要一个值 (expected one argument)"),
    (r"expected at least one argument", "这个参数后面至少需要一个值 (expected at least one argument)"),
    (r"expected at most one argument", "这个参数后面最多只能有一个值 (expected at most one argument)"),
    (r"invalid (\S+) value: (.*)", "值无效 (invalid {0} value)：{1}"),
    (r"ambiguous option: (\S+) could match (.*)", "选项不明确 (ambiguous option)：{0} 可能是 {1}"),
    (r"one of the arguments (.*) is required", "以下参数必须给出一个 (one of the arguments is required)：{0}"),
    (r"not allowed with argument (.*)", "不能与参数 {0} 同时使用 (not allowed with)"),
    (r"ignored explicit argument (.*)", "这个选项不接受值 (ignored explicit argument)：{0}"),
)


class ChineseArgumentParser(argparse.ArgumentParser):
    """ArgumentParser whose usage, help headings and errors are in Chinese with the English term.

    add_subparsers() makes every subparser of the same class as its parent, so the subcommands
    (run, clean, explain, check) all get it from the top-level parser. An error names what to do
    next: the close option for a misspelt one, the commands for a missing or wrong one, and `-h`.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数 (positional arguments)"
        self._optionals.title = "选项 (options)"
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = "显示本帮助并退出 (show this help message and exit)"

    def format_usage(self) -> str:
        return re.sub(r"^usage: ", "用法 (usage): ", super().format_usage())

    def format_help(self) -> str:
        return re.sub(r"^usage: ", "用法 (usage): ", super().format_help())

    def _commands(self) -> list[str]:
        return [
            name
            for action in self._actions
            if isinstance(action, argparse._SubParsersAction)
            for name in action.choices
        ]

    def _options(self) -> list[str]:
        """Every option string of this parser and of its subcommands (for "did you mean")."""
        found = [o for action in self._actions for o in action.option_strings]
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    found.extend(o for a in sub._actions for o in a.option_strings)
        return sorted(set(found))

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[no-untyped-def]
        # Kept for the hint: a subcommand reports a missing --year before a misspelt --yeer.
        self._given = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def translate(self, message: str) -> str:
        argument = re.fullmatch(r"argument (.+?): (.*)", message, flags=re.DOTALL)
        if argument:
            name, inner = argument.groups()
            wrong = re.fullmatch(r"invalid choice: '([^']*)'.*", inner)
            if wrong and self._commands():
                return f"子命令 {wrong.group(1)} 不存在 (invalid choice)；可用：{'、'.join(self._commands())}"
            return f"参数 {name}：{self.translate(inner)}"
        if message == "the following arguments are required: command":
            return f"缺少子命令 (missing command)：请在 {self.prog} 后写 {'、'.join(self._commands())} 之一"
        for pattern, zh in ARGPARSE_ZH:
            match = re.fullmatch(pattern, message, flags=re.DOTALL)
            if match:
                return zh.format(*match.groups())
        return message

    def hint(self, message: str) -> str:
        unknown = re.fullmatch(r"unrecognized arguments: (.*)", message)
        words = unknown.group(1).split() if unknown else []
        if message.startswith("the following arguments are required"):
            known = set(self._options())
            words = [w for w in getattr(self, "_given", []) if w.split("=")[0] not in known]
        if words:
            guesses = []
            for word in words:
                if word.startswith("-"):
                    close = difflib.get_close_matches(word.split("=")[0], self._options(), n=1, cutoff=0.6)
                    if close:
                        guesses.append(f"{word} → {close[0]}")
            if guesses:
                return f"是不是想写 (did you mean)：{'；'.join(guesses)}"
        wrong = re.fullmatch(r"argument \S+: invalid choice: '([^']*)'.*", message)
        if wrong:
            close = difflib.get_close_matches(wrong.group(1), self._commands(), n=1, cutoff=0.5)
            if close:
                return f"是不是想写 (did you mean)：{self.prog} {close[0]}"
        return ""

    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        hint = self.hint(message)
        lines = [f"{self.prog}: 错误 (error)：{self.translate(message)}"]
        if hint:
            lines.append(hint)
        lines.append(f"查看全部参数 (see all options)：{self.prog} -h")
        self.exit(2, "\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = ChineseArgumentParser(
        prog="lawreport", description="法治政府建设年度报告统计套件 (rule-of-law report statistics suite)"
    )
    sub = parser.add_subparsers(dest="command", required=True, title="子命令 (commands)")
    run = sub.add_parser("run", help="按顺序运行各步骤笔记本 (run the notebooks for a year)")
    run.add_argument("--year", required=True, help="报告年度，如 2025")
    run.add_argument(
        "--unit", default="", help="单位，与清单 MANIFEST.yaml 中的 unit 相同 (default: from the manifest)"
    )
    run.add_argument("--raw-root", default="data/raw")
    run.add_argument("--clean-root", default="data/clean")
    run.add_argument("--build-root", default="build")
    run.add_argument("--expectations-dir", default="expectations")
    run.add_argument("--claims-dir", default="claims", help="数字登记册目录 (registers of the reports' figures)")
    run.add_argument("--key-file", default="")
    run.add_argument(
        "--force",
        action="store_true",
        help="全部重新运行：删除缓存，不跳过未变的步骤 (rerun every step, caches removed)",
    )
    run.add_argument(
        "--fail-on",
        default=",".join(DEFAULT_FAIL_ON),
        help="哪些结果使退出码为 1 (findings that make the exit code 1)，逗号分隔，或 none；可用："
        + "；".join(f"{k} = {v}" for k, v in FAIL_ON_CHOICES.items())
        + f"。默认 {','.join(DEFAULT_FAIL_ON)}",
    )
    clean = sub.add_parser("clean", help="只清洗台账，不启动 Jupyter (clean only, no kernel)")
    clean.add_argument("--year", required=True)
    clean.add_argument("--raw-root", default="data/raw")
    clean.add_argument("--clean-root", default="data/clean")
    explain = sub.add_parser(
        "explain",
        help="这个数字从哪里来？口径、计算和每一行 (where does this figure come from)",
        description="重新计算一个数字，说明其口径、计算步骤、计入和未计入的台账行(列名为台账表头，"
        "清洗后的值旁附台账原值)。--list 列出全部编号及其中文名称和状态。",
    )
    explain.add_argument(
        "figure_id", nargs="?", default="", help="登记册中的数字编号(如 dispute_resolution_rate)或其中文名称"
    )
    explain.add_argument("--year", required=True, help="报告年度，如 2025")
    explain.add_argument("--list", action="store_true", help="列出全部编号、中文名称和状态 (list every figure)")
    explain.add_argument("--rows", type=int, default=20, help="每组最多显示的行数，0 = 全部 (default: 20)")
    explain.add_argument("--raw-root", default="data/raw", help="原始台账根目录，与 run 相同 (raw ledgers)")
    explain.add_argument("--clean-root", default="data/clean", help="清洗后数据根目录，与 run 相同 (clean data)")
    explain.add_argument("--claims-dir", default="claims", help="数字登记册目录，与 run 相同 (registers)")
    explain.add_argument(
        "--build-root", default="build", help="运行结果目录，与 run 相同；用于对照上次运行的状态 (run outputs)"
    )
    check = sub.add_parser(
        "check", help="只核对报告自身的算术，不需要台账 (check the arithmetic of any report, no ledgers)"
    )
    check.add_argument("paths", nargs="+", help="报告文件或文件夹 (.txt .docx .html .pdf)")
    check.add_argument("--json", dest="json_out", default="", help="把结果写成 JSON 文件 (write the JSON here)")
    check.add_argument("--html", dest="html_out", default="", help="把结果写成网页 (write a self-contained HTML page)")
    check.add_argument("--text-out", default="", help="把每份文件提取出的文字写到此文件夹 (write extracted texts here)")
    sub.add_parser(
        "stop-kernels",
        help="立即停止运行后留下的预热内核 (stop the warm kernels runs left for the next run)",
        description="每次运行后留下的预热内核闲置 LAWREPORT_WARM_SECONDS 秒(默认 900)后自行退出；"
        "此命令立即停止本项目的全部闲置预热内核。设 LAWREPORT_WARM_SECONDS=0 则运行后不留。",
    )
    register_actions = add_register_commands(sub)
    if "register" in (sys.argv[1:] if argv is None else argv):
        # Only for `register …`: the draft loads the text layer (~0.3 s), which `run` must not pay.
        from .register.draft import add_draft_parser

        add_draft_parser(register_actions)
    args = parser.parse_args(argv)
    if args.command == "check":
        return run_check(args.paths, args.json_out, args.html_out, args.text_out)
    if args.command == "register":
        return args.handler(args)
    if args.command == "stop-kernels":
        from .run.spare_kernels import stop_all

        print(f"已停止 {stop_all()} 个预热内核 (warm kernels stopped)")
        return 0

    from .run.pipeline import RunLocked, StepFailed, run_suite

    try:
        if args.command == "run":
            fail_on = parse_fail_on(args.fail_on)
            run_suite(
                {
                    "year": args.year,
                    "unit": args.unit,
                    "raw_root": args.raw_root,
                    "clean_root": args.clean_root,
                    "build_root": args.build_root,
                    "expectations_dir": args.expectations_dir,
                    "claims_dir": args.claims_dir,
                    "key_file": args.key_file,
                },
                force=args.force,
            )
            from .params import check_params
            from .run.summary import summarise

            summary = summarise(
                check_params(
                    {
                        "year": args.year,
                        "raw_root": args.raw_root,
                        "clean_root": args.clean_root,
                        "build_root": args.build_root,
                        "expectations_dir": args.expectations_dir,
                        "claims_dir": args.claims_dir,
                        "key_file": args.key_file,
                    }
                )
            )
            for line in summary.lines():
                print(line)
            findings = summary.findings(fail_on)
            if findings:
                print(
                    f"运行完成，但按 --fail-on {','.join(fail_on)} 判为未通过 (exit 1)：{'、'.join(findings)}",
                    file=sys.stderr,
                )
                return 1
            print("运行完成，没有需要处理的结果 (exit 0)")
        elif args.command == "clean":
            from .params import check_params
            from .run.clean_step import run_clean

            summary = run_clean(
                check_params({"year": args.year, "raw_root": args.raw_root, "clean_root": args.clean_root})
            )
            print(summary.accounting().to_string(index=False))
        elif args.command == "explain":
            from .params import check_params
            from .register.explain import explain as explain_figure
            from .register.explain import list_figures

            params = check_params(
                {
                    "year": args.year,
                    "raw_root": args.raw_root,
                    "clean_root": args.clean_root,
                    "claims_dir": args.claims_dir,
                    "build_root": args.build_root,
                }
            )
            if args.list:
                list_figures(params)
            elif not args.figure_id:
                raise ParameterError(
                    f"请给出数字编号，或用 --list 列出全部编号 (give a figure id, or --list)："
                    f"lawreport explain --list --year {args.year}"
                )
            else:
                explain_figure(params, args.figure_id, limit=args.rows)
    except (ParameterError, LedgerFileError, StepFailed, RunLocked, KeyError, FileNotFoundError) as error:
        print(f"错误 (error)：{error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        # Ctrl-C: run_suite has stopped the kernels; every step writes its outputs whole or not at all.
        # The notebooks' threads, ending meanwhile, would log that their kernel died: not news here.
        import logging

        logging.disable(logging.CRITICAL)
        print(
            "已中断 (interrupted)：运行已停止，内核已关闭。已完成的步骤保留其输出；未完成的步骤不标记为完成，"
            "其输出文件都是整体替换的，不会只写一半。再次运行会跳过输入未变的已完成步骤，从未完成的步骤继续。",
            file=sys.stderr,
        )
        return 130
    except Exception as error:
        # The register's and the metrics' errors, imported only when one is raised: a run with
        # nothing to do never imports the metrics (nor pandas).
        from .metrics import NoData
        from .register.claims import RegisterError

        if not isinstance(error, NoData | RegisterError):
            raise
        print(f"错误 (error)：{error}", file=sys.stderr)
        return 2
    return 0


def add_register_commands(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """`lawreport register <action>`: work on a year's register of figures (claims/<year>.yaml)
    without ledgers or kernels. Each action sets `handler(args) -> exit code` (set_defaults); a new
    one is one more parser on the returned subparsers object (register.draft.add_draft_parser)."""
    group = sub.add_parser(
        "register",
        help="数字登记册：检查等 (the register of the report's figures: check, …)",
        description="处理某年度的数字登记册 claims/<年度>.yaml，不需要台账，不启动 Jupyter。",
    )
    actions = group.add_subparsers(dest="register_command", required=True, title="子命令 (commands)")
    check = actions.add_parser(
        "check",
        help="一次列出登记册的全部问题，不启动任何计算 (validate a register: every problem at once)",
        description="检查数字登记册：YAML 语法（行号、列号）、未知的项、指标、表、列和类别（附最接近的有效名称）、"
        "报告中找不到的引文、引文中找不到的数字写法、草稿留下的待审核条目 (todo)，以及报告中没有登记的数字（警告）。"
        "退出码：0 没有错误（可有警告）；1 有错误；2 登记册或报告原文无法读取。",
    )
    check.add_argument("--year", required=True, help="报告年度，如 2025")
    check.add_argument("--claims-dir", default="claims", help="数字登记册目录，与 run 相同 (registers)")
    check.add_argument("--raw-root", default="data/raw", help="原始台账根目录，报告原文为 <raw-root>/<年度>/report.txt")
    check.add_argument("--json", dest="json_out", default="", help="把结果写成 JSON 文件 (write the JSON here)")
    check.set_defaults(handler=run_register_check)
    return actions


def run_register_check(args: argparse.Namespace) -> int:
    """Exit 0: no errors (warnings allowed); 1: errors; 2: the register or the report cannot be read
    (or a bad --year, or the JSON cannot be written). Never a traceback."""
    import json
    from pathlib import Path

    from .params import RunParams

    year_text = str(args.year).strip()
    if not re.fullmatch(r"\d{4}", year_text):
        print(
            f"错误 (error)：参数 --year 应为四位年份，如 2025 (year must be a 4-digit integer)，收到 {args.year!r}",
            file=sys.stderr,
        )
        return 2
    params = RunParams(year=int(year_text), raw_root=args.raw_root, claims_dir=args.claims_dir)
    raw_root = params.path(params.raw_root)
    if not raw_root.is_dir():
        print(
            f"错误 (error)：[P301] 台账根目录不存在 (raw root not found)：{raw_root}；请检查 --raw-root",
            file=sys.stderr,
        )
        return 2
    try:
        from .ledgers import UnitConfigError, use_unit

        # The specs' tables, columns and categories are those of the unit under --raw-root, as in a run.
        try:
            use_unit(raw_root)
        except UnitConfigError as error:
            print(f"错误 (error)：{error}", file=sys.stderr)
            return 2
        from .register.check import check_register, shown_path

        report = check_register(
            params.register_path, params.report_path, params.year, shown=shown_path(params.register_path)
        )
        for line in report.lines():
            print(line)
        if args.json_out:
            out = Path(args.json_out)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except Exception as error:  # noqa: BLE001 - never a traceback: say what failed
        print(
            f"错误 (error)：登记册检查未完成 (register check failed)：{type(error).__name__}: {error}", file=sys.stderr
        )
        return 2
    return report.exit_code


def run_check(paths: list[str], json_out: str, html_out: str, text_out: str) -> int:
    """Exit 2 when a file could not be read (the others are still checked), 1 when a relation
    fails, 0 otherwise. Documents are checked and written one at a time."""
    from contextlib import nullcontext
    from pathlib import Path

    from .text.check import JsonWriter, iter_checked, summary_lines

    missing = [p for p in paths if not Path(p).exists()]
    for path in missing:
        print(f"错误 (error)：找不到 {path} (no such file or folder)", file=sys.stderr)
    kept = []  # only for the HTML page, which shows every text
    count = unreadable = failed = 0
    folder = Path(text_out) if text_out else None
    if folder:
        folder.mkdir(parents=True, exist_ok=True)
    skipped: list[str] = []
    with JsonWriter(Path(json_out)) if json_out else nullcontext() as writer:
        for document in iter_checked([Path(p) for p in paths if Path(p).exists()], skipped):
            count += 1
            for line in summary_lines(document):
                print(line)
            if document.error:
                unreadable += 1
            else:
                failed += document.verdicts()["fails"]
                if folder:
                    name = f"{count:03d}_{Path(document.path).stem}.txt"
                    (folder / name).write_text(document.text, encoding="utf-8")
            if writer is not None:
                writer.add(document)
            if html_out:
                kept.append(document)
    for line in skipped:
        print(f"提示 (notice)：{line}", file=sys.stderr)
    if count == 0 and not missing:
        print("错误 (error)：没有可核对的报告文件 (.txt .docx .html .pdf)", file=sys.stderr)
        return 2
    # A folder that held nothing readable was not checked: say so in the exit code too.
    empty_folders = sum(1 for line in skipped if "没有可读的报告文件" in line)
    if html_out:
        from .text.report_page import write_page

        write_page(kept, Path(html_out))
    unreadable += len(missing) + empty_folders
    total = count + len(missing)
    print(
        f"共 {total} 份：无法读取 {unreadable} 份，不成立的关系 {failed} 个"
        f" ({total} documents, {unreadable} unreadable, {failed} failing relations)"
    )
    return 2 if unreadable else 1 if failed else 0


def entry() -> None:
    """The `lawreport` command: `main`, then exit without Python's last collection of the heap.
    At exit the interpreter walks every object the run left (pandas, nbformat, the notebooks read)
    looking for cycles, 0.3 s measured after a run, while the analyst waits for the prompt. Objects
    frozen (`gc.freeze`) are left out of that walk; the process ends, and its memory goes with it.
    Only here, when the process ends: `main` called in a longer-lived process (the tests) collects
    as usual. What this gives up: the finalizers of objects left in reference cycles do not run at
    exit. The run stops its kernels and removes their files itself (`pipeline.stop_kernel`); the
    standard streams are flushed at exit all the same."""
    code = main()
    gc.freeze()
    raise SystemExit(code)


if __name__ == "__main__":
    entry()
