"""What a run found, on the terminal, and the exit code a scheduler acts on.

Reads build/<year>/figures.json and data/clean/<y>/clean_report.json of every year the run cleaned
(it does not matter whether a step ran or was skipped as unchanged). `--fail-on` names the findings
that make the run exit 1; a run that could not finish exits 2 (see cli.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..ledgers.errors import CODES, RUN_CODES
from ..params import ParameterError, RunParams

# finding -> what it means, for --help and the README.
FAIL_ON_CHOICES: dict[str, str] = {
    "mismatch": "报告数字与台账不一致 (a figure does not match the ledgers)",
    "inconsistent": "报告自身矛盾 (the report contradicts itself)",
    "no_data": "数字无法核对 (a figure could not be checked)",
    "quarantine": "有被隔离的行 (rows quarantined in any cleaned year)",
    "unchecked": "有报告原文却没有登记册，或登记册为空 (a report with no register: nothing checked)",
    "notice": "有提示，如文件哈希与清单不符 (notices such as N205)",
}
DEFAULT_FAIL_ON = ("mismatch", "inconsistent", "no_data", "quarantine", "unchecked")


def parse_fail_on(text: str) -> tuple[str, ...]:
    """'mismatch,quarantine' -> ('mismatch', 'quarantine'); 'none' -> (); unknown names rejected."""
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    if names == ("none",):
        return ()
    unknown = [n for n in names if n not in FAIL_ON_CHOICES]
    if unknown or not names:
        raise ParameterError(
            f"--fail-on 的取值无效 (invalid --fail-on)：{text!r}；可用：{','.join(FAIL_ON_CHOICES)} 或 none"
        )
    return names


@dataclass
class RunSummary:
    year: int
    has_register: bool
    has_report: bool
    statuses: dict[str, int] = field(default_factory=dict)
    not_match: list[tuple[str, str, str]] = field(default_factory=list)  # id, status, first reason
    quarantined: dict[tuple[int, str], int] = field(default_factory=dict)  # (year, table) -> rows
    notices: list[tuple[int, str, str, str]] = field(default_factory=list)  # year, code, file, detail
    stale_clean_years: list[int] = field(default_factory=list)
    # last year's 下一步 commitments checked on this year's ledgers: id, status, first reason
    commitments: list[tuple[str, str, str]] | None = None
    # the register's acknowledged findings: id -> (status, reason)
    acknowledged: dict[str, tuple[str, str]] = field(default_factory=dict)

    def is_acknowledged(self, figure_id: str, status: str) -> bool:
        """A finding reviewed and accepted in the register, for the status it was accepted for."""
        return self.acknowledged.get(figure_id, ("", ""))[0] == status

    def findings(self, fail_on: tuple[str, ...]) -> list[str]:
        found = []
        for status in ("mismatch", "inconsistent", "no_data"):
            accepted = sum(1 for i, s, _ in self.not_match if s == status and self.is_acknowledged(i, s))
            open_ = self.statuses.get(status, 0) - accepted
            if status in fail_on and open_:
                found.append(f"{status}×{open_}")
        if "quarantine" in fail_on and self.quarantined:
            found.append(f"quarantine×{sum(self.quarantined.values())}")
        if "unchecked" in fail_on and self.has_report and not sum(self.statuses.values()):
            found.append("unchecked")
        if "notice" in fail_on and self.notices:
            found.append(f"notice×{len(self.notices)}")
        return found

    def lines(self) -> list[str]:
        from ..register.statuses import STATUS_ZH

        out = [f"—— {self.year} 年运行小结 (run summary) ——"]
        if not self.has_register:
            label = RUN_CODES["P303"][0]
            more = "；该年度有报告原文 report.txt，却没有登记册" if self.has_report else ""
            out.append(f"[P303] {label}{more}")
        else:
            counts = "，".join(f"{STATUS_ZH[s]} {n}" for s, n in self.statuses.items())
            out.append(f"报告数字 (figures) {sum(self.statuses.values())} 个：{counts}")
            for figure_id, status, reason in self.not_match:
                line = f"  {STATUS_ZH[status]} ({status})：{figure_id} — {reason}"
                if self.is_acknowledged(figure_id, status):
                    line += f"［已在登记册中确认 (acknowledged)，不计入 --fail-on：{self.acknowledged[figure_id][1]}］"
                out.append(line)
            found = {i: s for i, s, _ in self.not_match}
            for figure_id, (status, _) in sorted(self.acknowledged.items()):
                if found.get(figure_id, "match") != status:
                    out.append(
                        f"  登记册确认的结果已不成立 (stale acknowledgement)：{figure_id} 确认的是 {status}，"
                        f"本次为 {found.get(figure_id, 'match')}；请核对后修改或删除 acknowledged"
                    )
        if self.commitments is not None:
            from ..register.statuses import COMMITMENT_STATUS_ZH, COMMITMENT_STATUSES

            counts = "，".join(
                f"{COMMITMENT_STATUS_ZH[s]} {sum(1 for c in self.commitments if c[1] == s)}"
                for s in COMMITMENT_STATUSES
            )
            out.append(f"上年承诺 (last year's commitments) {len(self.commitments)} 项：{counts}")
            for commitment_id, status, reason in self.commitments:
                if status == "not_met":
                    out.append(f"  {COMMITMENT_STATUS_ZH[status]} ({status})：{commitment_id} — {reason}")
        if self.quarantined:
            total = sum(self.quarantined.values())
            out.append(f"被隔离的行 (quarantined rows) 共 {total} 行：")
            for (year, table), n in sorted(self.quarantined.items()):
                out.append(f"  {year} 年 {table}：{n} 行")
        else:
            out.append("被隔离的行 (quarantined rows)：无")
        for year, code, file, detail in self.notices:
            label = CODES.get(code, (code, ""))[0]
            out.append(f"[{code}] {label} — {year} 年 {file}" + (f"：{detail}" if detail else ""))
        if self.stale_clean_years:
            years = "、".join(str(y) for y in self.stale_clean_years)
            out.append(f"[P304] {RUN_CODES['P304'][0]}：{years} 年 (clean folders without raw ledgers)")
        return out


def stale_clean_years(params: RunParams) -> list[int]:
    """Clean year folders up to the report year that have no raw year with a manifest in this run."""
    from ..ledgers.manifest import years_to_clean

    clean_root = params.path(params.clean_root)
    cleaned = set(years_to_clean(params))
    if not clean_root.is_dir():
        return []
    found = (int(p.name) for p in clean_root.iterdir() if p.is_dir() and p.name.isdigit())
    return sorted(y for y in found if y <= params.year and y not in cleaned)


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def summarise(params: RunParams) -> RunSummary:
    from ..ledgers.manifest import years_to_clean

    figures = _json(params.build_dir / "figures.json")
    summary = RunSummary(
        year=params.year,
        has_register=params.register_path.exists(),
        has_report=params.report_path.exists(),
        statuses={s: int(n) for s, n in (figures.get("summary") or {}).items()},
        stale_clean_years=stale_clean_years(params),
    )
    if summary.has_register:
        from ..register.claims import acknowledgements

        summary.acknowledged = acknowledgements(params.register_path)
    for figure in figures.get("figures", []):
        if figure.get("status") != "match":
            reasons = figure.get("reasons") or ["—"]
            summary.not_match.append((str(figure["id"]), str(figure["status"]), str(reasons[0])))
    if "previous_commitments" in figures:
        summary.commitments = [
            (str(c["id"]), str(c["status"]), "；".join(c.get("reasons") or ["—"]))
            for c in figures["previous_commitments"]
        ]
    for year in years_to_clean(params):
        report = _json(params.path(params.clean_root) / str(year) / "clean_report.json")
        for table, ledger in (report.get("ledgers") or {}).items():
            if int(ledger.get("rows_quarantined") or 0):
                summary.quarantined[(year, table)] = int(ledger["rows_quarantined"])
        for notice in report.get("notices") or []:
            summary.notices.append(
                (year, str(notice.get("code", "")), str(notice.get("file", "")), str(notice.get("detail", "")))
            )
    return summary
