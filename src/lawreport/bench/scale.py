"""`make bench-scale`: how the suite grows with the data and with the number of units (not a test).

Everything runs on temporary folders; in the working tree only build/bench-scale.json is written.
Two measurements:

- scales: for each k in --scales, the sample ledgers are generated at k times their rows
  (`python -m lawreport.sample.generator --scale k`, report.txt copied from data/raw), then a cold
  `lawreport run --fail-on none` runs on them. Recorded per step: wall time and peak memory. Peak
  memory comes from build/<year>/timings.json when the pipeline writes one (`peak_rss_mib` of
  each notebook's kernel: a run's two kernels each run several notebooks, so a later notebook's
  figure includes the earlier ones' peak), and always from our own sampling of the run's process tree (sum of the
  resident memory of the `lawreport` process and its kernels, every SAMPLE_SECONDS; attributed to
  the step running at the time). Also: the run's largest single process (ru_maxrss), the rows of
  the clean tables, the size of the two appendix editions, and growth ratios between scales.
- units: --units copies of the 1x sample, each with its own raw/clean/build roots, run cold one
  after another, then (fresh copies) --workers at a time; total wall time of each and the ratio.

A scale whose workbooks would exceed the reader's limit on unpacked size
(lawreport.ledgers.reading.MAX_UNCOMPRESSED_BYTES, error F006) is reported and not run: the clean step
would refuse the file and stop the run.

    python -m lawreport.bench.scale --scales 1,10,100 --units 20   # the figures for the README
    python -m lawreport.bench.scale --quick                        # --scales 1,2 --units 3
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..params import PROJECT_ROOT
from ..run.spare_kernels import IDLE_ENV
from .suite import suite_command

STEP_NAMES: tuple[str, ...] = ("clean", "validate", "figures", "appendix")  # when the run does not say
SAMPLE_SECONDS = 0.2  # process-tree memory sampling interval
QUICK_SCALES: tuple[int, ...] = (1, 2)
QUICK_UNITS = 3
SIZE_MARGIN = 1.05  # keys of copies are a few characters longer: unpacked size grows a bit faster than k
MIB = 1024 * 1024
DONE_LINE = re.compile(r"^\[(?P<step>[A-Za-z_]+)\] 完成 \(done\) (?P<seconds>[0-9.]+)s")
PLAN_LINE = re.compile(r"：(?P<steps>[A-Za-z_]+(?: → [A-Za-z_]+)+)\s*$")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


# ------------------------------------------------------------------ one run, measured


class TreeSampler(threading.Thread):
    """Samples the summed resident memory of a process and all its descendants (Linux /proc)."""

    def __init__(self, pid: int, current_step: Any) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.current_step = current_step  # callable -> name of the step running now
        self.peak_mib = 0.0
        self.step_peaks_mib: dict[str, float] = {}
        self.samples = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(SAMPLE_SECONDS):
            mib = tree_rss_bytes(self.pid) / MIB
            if mib <= 0:
                continue
            self.samples += 1
            self.peak_mib = max(self.peak_mib, mib)
            step = self.current_step()
            self.step_peaks_mib[step] = max(self.step_peaks_mib.get(step, 0.0), mib)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def _proc_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, resident pages), for every process we can read."""
    table: dict[int, tuple[int, int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="utf-8", errors="replace") as handle:
                text = handle.read()
        except OSError:
            continue
        fields = text[text.rfind(")") + 2 :].split()  # the command name may hold spaces and ")"
        try:
            table[int(entry.name)] = (int(fields[1]), int(fields[21]))
        except (IndexError, ValueError):
            continue
    return table


def tree_rss_bytes(pid: int) -> int:
    """Resident bytes of `pid` and every descendant; 0 where /proc is unavailable."""
    if not os.path.isdir("/proc"):
        return 0
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for child, (parent, _) in table.items():
        children.setdefault(parent, []).append(child)
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        if current in table:
            total += table[current][1] * PAGE_SIZE
        todo.extend(children.get(current, ()))
    return total


@dataclass
class RunMeasure:
    """One cold `lawreport run`."""

    seconds: float
    exit_code: int
    step_seconds: dict[str, float] = field(default_factory=dict)  # from timings.json, else the run's output
    step_seconds_source: str = "n/a"
    kernel_peak_mib: dict[str, float | None] = field(default_factory=dict)  # timings.json peak_rss_mib, max per step
    kernel_peaks_by_notebook: dict[str, dict[str, float]] = field(default_factory=dict)
    step_parts_seconds: dict[str, dict[str, float]] = field(default_factory=dict)  # timings.json notebooks, phases
    tree_peak_mib: dict[str, float] = field(default_factory=dict)  # sampled, per step
    tree_peak_total_mib: float | None = None
    largest_process_mib: float | None = None  # ru_maxrss of the run and its waited-for descendants
    error_tail: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "seconds": round(self.seconds, 2),
            "exit_code": self.exit_code,
            "step_seconds": {k: round(v, 2) for k, v in self.step_seconds.items()},
            "step_seconds_source": self.step_seconds_source,
            "kernel_peak_rss_mib": self.kernel_peak_mib,
            "kernel_peak_rss_mib_by_notebook": self.kernel_peaks_by_notebook,
            "step_parts_seconds": self.step_parts_seconds,
            "tree_peak_rss_mib_sampled": {k: round(v, 1) for k, v in self.tree_peak_mib.items()},
            "tree_peak_rss_mib_sampled_whole_run": _round(self.tree_peak_total_mib, 1),
            "largest_process_peak_rss_mib": _round(self.largest_process_mib, 1),
            "error_tail": self.error_tail,
        }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def read_timings(path: Path) -> dict[str, dict[str, Any]] | None:
    """Per step {seconds, kernel_peak_mib, notebooks: {name: peak}, parts: {name: seconds}} from
    build/<year>/timings.json (parts: each executed notebook and each phase, such as the appendix's
    export); None when the file is absent or not in the expected shape. Any field may be missing."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    steps = data.get("steps") if isinstance(data, dict) else None
    if not isinstance(steps, dict):
        return None
    found: dict[str, dict[str, Any]] = {}
    for name, step in steps.items():
        if not isinstance(step, dict):
            continue
        notebooks = step.get("notebooks") if isinstance(step.get("notebooks"), dict) else {}
        peaks = {
            str(nb): peak
            for nb, info in notebooks.items()
            if isinstance(info, dict) and (peak := _number(info.get("peak_rss_mib"))) is not None
        }
        parts = {
            str(nb): seconds
            for nb, info in notebooks.items()
            if isinstance(info, dict) and (seconds := _number(info.get("seconds"))) is not None
        }
        phases = step.get("phases") if isinstance(step.get("phases"), dict) else {}
        parts.update({str(k): v for k, value in phases.items() if (v := _number(value)) is not None})
        found[str(name)] = {
            "seconds": _number(step.get("seconds")),
            "kernel_peak_mib": max(peaks.values()) if peaks else None,
            "notebooks": peaks,
            "parts": parts,
        }
    return found


def _wait(process: subprocess.Popen[Any]) -> tuple[int, float | None]:
    """Wait for `process`; its exit code and peak RSS in MiB (Linux: ru_maxrss is in KiB)."""
    if hasattr(os, "wait4"):
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        return process.returncode, usage.ru_maxrss / 1024
    return process.wait(), None


def measure_run(year: int, root: Path, sample_memory: bool = True) -> RunMeasure:
    """A cold `lawreport run` on root/raw; times per step from timings.json or the run's output."""
    steps = list(STEP_NAMES)
    done: dict[str, float] = {}
    lock = threading.Lock()

    def current_step() -> str:
        with lock:
            return next((s for s in steps if s not in done), "after")

    out_log, err_log = root / "run-stdout.txt", root / "run-stderr.txt"
    started = time.perf_counter()
    with out_log.open("w", encoding="utf-8") as output, err_log.open("w", encoding="utf-8") as errors:
        process = subprocess.Popen(
            suite_command(year, root),
            cwd=PROJECT_ROOT,
            # every run cold: no warm kernel left for the next (`spare_kernels`; `make bench` measures those)
            env={**os.environ, IDLE_ENV: "0"},
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        sampler = TreeSampler(process.pid, current_step) if sample_memory else None
        if sampler:
            sampler.start()
        assert process.stdout is not None
        for line in process.stdout:
            output.write(line)
            if plan := PLAN_LINE.search(line.strip()):
                with lock:
                    steps[:] = plan["steps"].split(" → ")
            if found := DONE_LINE.match(line.strip()):
                with lock:
                    done[found["step"]] = float(found["seconds"])
        exit_code, largest = _wait(process)
        seconds = time.perf_counter() - started
        if sampler:
            sampler.stop()
    measure = RunMeasure(seconds=seconds, exit_code=exit_code, largest_process_mib=largest)
    timings = read_timings(root / "build" / str(year) / "timings.json")
    if timings and all(t["seconds"] is not None for t in timings.values()):
        measure.step_seconds = {name: t["seconds"] for name, t in timings.items()}
        measure.step_seconds_source = "timings.json"
    elif done:
        measure.step_seconds = dict(done)
        measure.step_seconds_source = "run output"
    if timings:
        measure.kernel_peak_mib = {name: t["kernel_peak_mib"] for name, t in timings.items()}
        measure.kernel_peaks_by_notebook = {name: t["notebooks"] for name, t in timings.items() if t["notebooks"]}
        measure.step_parts_seconds = {name: t["parts"] for name, t in timings.items() if len(t["parts"]) > 1}
    if sampler and sampler.samples:
        measure.tree_peak_mib = dict(sampler.step_peaks_mib)
        measure.tree_peak_total_mib = sampler.peak_mib
    if exit_code != 0:
        measure.error_tail = [
            line
            for log in (out_log, err_log)
            for line in log.read_text(encoding="utf-8", errors="replace").splitlines()[-10:]
        ]
    return measure


# ------------------------------------------------------------------ data at k times its rows


def copy_extras(raw_root: Path, years: Sequence[int]) -> None:
    """Files the generator does not write (report.txt) go in first: the MANIFEST hashes the folder."""
    from ..sample.generator import MANIFEST_NAME

    for year in years:
        source, target = PROJECT_ROOT / "data" / "raw" / str(year), raw_root / str(year)
        target.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            for path in sorted(source.iterdir()):
                if path.is_file() and path.name != MANIFEST_NAME and path.suffix.lower() not in (".xlsx", ".csv"):
                    shutil.copy2(path, target / path.name)


def unpacked_bytes(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(info.file_size for info in archive.infolist())


def over_reader_limit(raw_root: Path, files_scale: int, target_scale: int) -> list[dict[str, Any]]:
    """Workbooks under raw_root (generated at `files_scale`) whose unpacked size at `target_scale`
    exceeds the reader's limit: measured when the scales are equal, else estimated (linear, with a
    margin). Each with the largest scale that would fit."""
    from ..ledgers.reading import MAX_UNCOMPRESSED_BYTES

    margin = 1.0 if target_scale == files_scale else SIZE_MARGIN
    over = []
    for path in sorted(raw_root.glob("*/*.xlsx")):
        per_copy = unpacked_bytes(path) / files_scale
        size = per_copy * target_scale * margin
        if size > MAX_UNCOMPRESSED_BYTES:
            over.append(
                {
                    "file": f"{path.parent.name}/{path.name}",
                    "unpacked_mib": round(size / MIB, 1),
                    "limit_mib": round(MAX_UNCOMPRESSED_BYTES / MIB, 1),
                    "largest_scale_that_fits": int(MAX_UNCOMPRESSED_BYTES / (per_copy * SIZE_MARGIN)),
                }
            )
    return over


def generate(raw_root: Path, scale: int) -> dict[str, Any]:
    """Generate every sample year at `scale` into raw_root (a subprocess, so its memory is its own)."""
    from ..sample.generator import DEFAULT_YEARS

    copy_extras(raw_root, DEFAULT_YEARS)
    command = [sys.executable, "-m", "lawreport.sample.generator", "--out", str(raw_root), "--scale", str(scale)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL)
    exit_code, peak = _wait(process)
    if exit_code != 0:
        raise RuntimeError(f"生成失败 (generator failed, exit {exit_code}) at scale {scale}")
    files = [p for p in raw_root.rglob("*") if p.is_file()]
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "peak_rss_mib": _round(peak, 1),
        "raw_bytes": sum(p.stat().st_size for p in files),
        "largest_unpacked_mib": round(max(unpacked_bytes(p) for p in files if p.suffix == ".xlsx") / MIB, 1),
    }


def clean_rows(clean_root: Path) -> dict[str, int]:
    """Rows of the clean tables per year (quarantine excluded), from the parquet footers."""
    import pyarrow.parquet as pq

    rows: dict[str, int] = {}
    for folder in sorted(p for p in clean_root.iterdir() if p.is_dir() and p.name.isdigit()):
        tables = [p for p in folder.glob("*.parquet") if p.stem != "quarantine"]
        rows[folder.name] = sum(pq.read_metadata(p).num_rows for p in tables)
    return rows


def appendix_sizes(build_dir: Path) -> dict[str, int]:
    """Bytes of every appendix edition the run wrote (public at the top, internal in internal/)."""
    return {
        str(path.relative_to(build_dir)): path.stat().st_size
        for path in sorted(build_dir.rglob("appendix*.html"))
        if "notebooks" not in path.parts
    }


def measure_scale(year: int, scale: int, root: Path) -> dict[str, Any]:
    result: dict[str, Any] = {"scale": scale}
    estimate = over_reader_limit(PROJECT_ROOT / "data" / "raw", 1, scale)
    if estimate:
        result.update(status="over_reader_limit", over_limit=estimate, estimated=True)
        return result
    try:
        result["generate"] = generate(root / "raw", scale)
    except RuntimeError as error:
        result.update(status="generate_failed", error=str(error))
        return result
    over = over_reader_limit(root / "raw", scale, scale)
    if over:
        result.update(status="over_reader_limit", over_limit=over, estimated=False)
        return result
    run = measure_run(year, root)
    result["run"] = run.to_json()
    result["status"] = "ok" if run.exit_code == 0 else "failed"
    result["clean_rows"] = clean_rows(root / "clean") if (root / "clean").is_dir() else {}
    result["clean_rows_total"] = sum(result["clean_rows"].values())
    result["appendix_bytes"] = appendix_sizes(root / "build" / str(year))
    return result


# ------------------------------------------------------------------ many units


def measure_units(year: int, units: int, workers: int, root: Path) -> dict[str, Any]:
    """`units` copies of the 1x sample run cold one after another, then `workers` at a time."""
    source = PROJECT_ROOT / "data" / "raw"
    results: dict[str, Any] = {"units": units, "workers": workers}
    for mode in ("sequential", "parallel"):
        folders = []
        for number in range(1, units + 1):
            folder = root / mode / f"unit-{number:02d}"
            folder.mkdir(parents=True)
            shutil.copytree(source, folder / "raw")
            folders.append(folder)
        started = time.perf_counter()
        if mode == "sequential":
            runs = [measure_run(year, folder, sample_memory=False) for folder in folders]
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                runs = list(pool.map(lambda f: measure_run(year, f, sample_memory=False), folders))
        results[mode] = {
            "seconds": round(time.perf_counter() - started, 2),
            "per_unit_seconds": [round(r.seconds, 2) for r in runs],
            "failed": sum(1 for r in runs if r.exit_code != 0),
            "largest_process_peak_rss_mib": _round(
                max((r.largest_process_mib for r in runs if r.largest_process_mib is not None), default=None), 1
            ),
        }
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
    results["ratio_sequential_over_parallel"] = round(
        results["sequential"]["seconds"] / results["parallel"]["seconds"], 2
    )
    return results


# ------------------------------------------------------------------ growth and printing


def _step_values(entry: dict[str, Any], key: str) -> dict[str, float]:
    run = entry.get("run") or {}
    values = run.get(key) or {}
    return {k: v for k, v in values.items() if isinstance(v, (int, float))}


def _growth_between(base: dict[str, Any], later: dict[str, Any]) -> dict[str, Any]:
    row_ratio = later["clean_rows_total"] / base["clean_rows_total"] if base["clean_rows_total"] else None
    t0, t1 = _step_values(base, "step_seconds"), _step_values(later, "step_seconds")
    k0, k1 = _step_values(base, "kernel_peak_rss_mib"), _step_values(later, "kernel_peak_rss_mib")
    m0, m1 = _step_values(base, "tree_peak_rss_mib_sampled"), _step_values(later, "tree_peak_rss_mib_sampled")
    # The whole run: wall time, and the sampled peak of the process tree over the run.
    t0["total"], t1["total"] = base["run"]["seconds"], later["run"]["seconds"]
    for values, entry in ((m0, base), (m1, later)):
        if (peak := _number(entry["run"].get("tree_peak_rss_mib_sampled_whole_run"))) is not None:
            values["total"] = peak
    steps: dict[str, Any] = {}
    for step in [*(s for s in t1 if s != "total"), "total"]:
        a, b = t0.get(step), t1.get(step)
        time_ratio = b / a if a and b else None
        from_kernel = bool(k0.get(step) and k1.get(step))
        m_a, m_b = (k0.get(step), k1.get(step)) if from_kernel else (m0.get(step), m1.get(step))
        memory_ratio = m_b / m_a if m_a and m_b else None
        slope = math.log(time_ratio) / math.log(row_ratio) if time_ratio and row_ratio and row_ratio > 1 else None
        steps[step] = {
            "time_ratio": _round(time_ratio, 2),
            "memory_ratio": _round(memory_ratio, 2),
            "memory_source": "kernel (timings.json)" if from_kernel else "process tree (sampled)",
            "slope_time_vs_rows": _round(slope, 2),
        }
    return {"from": base["scale"], "to": later["scale"], "rows_ratio": _round(row_ratio, 2), "steps": steps}


def growth(scales: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per step, between consecutive measured scales (and from the first to the last when there are
    more than two): ratio of time, of peak memory (the kernel's when timings.json has it, else the
    sampled process tree), and the log-log slope of time against clean rows (1: grows like the
    rows; 0: a fixed cost; above 1: faster than the rows)."""
    measured = [s for s in scales if s.get("status") == "ok"]
    pairs = list(zip(measured, measured[1:], strict=False))
    if len(measured) > 2:
        pairs.append((measured[0], measured[-1]))
    return [_growth_between(a, b) for a, b in pairs]


def _fmt(value: object, spec: str = ".1f") -> str:
    return format(value, spec) if isinstance(value, (int, float)) and not isinstance(value, bool) else "n/a"


def print_report(result: dict[str, Any]) -> None:
    scales = result["scales"]
    steps = list(STEP_NAMES)
    for entry in scales:
        for step in _step_values(entry, "step_seconds"):
            if step not in steps:
                steps.append(step)
    machine = result["machine"]
    print(
        f"== 规模测量 (scale bench)：{result['year']} 年冷启动 (cold run)；{machine['cpus']} 核 (cores)，"
        f"Python {machine['python']}，{machine['platform']}"
    )
    print("-- 时间 (wall time, s)；行数 = 全部年度清洗后表的行数 (rows of all clean tables)")
    print(
        f"{'规模 scale':>10} {'行数 rows':>11} {'生成 generate':>14} "
        + " ".join(f"{s:>9}" for s in steps)
        + f" {'合计 total':>10}  来源 (source)"
    )
    for entry in scales:
        scale = f"{entry['scale']}×"
        if entry.get("status") == "over_reader_limit":
            for over in entry["over_limit"]:
                how = "估计 (estimated)" if entry.get("estimated") else "实测 (measured)"
                print(
                    f"{scale:>10}  未运行 (not run)：{over['file']} 解压后 {over['unpacked_mib']} MiB {how}，"
                    f"超过读取上限 (over the reader limit, F006) {over['limit_mib']} MiB；"
                    f"最大可行规模 (largest scale that fits) ≈ {over['largest_scale_that_fits']}×"
                )
            continue
        if entry.get("status") == "generate_failed":
            print(f"{scale:>10}  {entry['error']}")
            continue
        run = entry["run"]
        times = run["step_seconds"]
        print(
            f"{scale:>10} {entry['clean_rows_total']:>11,} {_fmt(entry['generate']['seconds']):>14} "
            + " ".join(f"{_fmt(times.get(s)):>9}" for s in steps)
            + f" {_fmt(run['seconds']):>10}  {run['step_seconds_source']}"
            + ("" if run["exit_code"] == 0 else f"  运行失败 (run failed, exit {run['exit_code']})")
        )
        for step, parts in (run.get("step_parts_seconds") or {}).items():
            shown = "，".join(f"{part} {_fmt(seconds)}" for part, seconds in parts.items())
            print(f"{'':>10}   {step} 细分 (parts, s)：{shown}")
        for line in run["error_tail"][-6:]:
            print(f"{'':>10}   ! {line}")
    print(
        "-- 峰值内存 (peak memory, MiB)：内核 kernel (timings.json) / 进程树采样 (process tree, sampled："
        "lawreport 进程与全部内核之和，两个内核各跑几个笔记本 (sum of the run and its kernels; each of the two "
        "kernels runs several notebooks, so a kernel's peak is that of the notebooks it has run so far))"
    )
    print(
        f"{'规模 scale':>10} " + " ".join(f"{s:>17}" for s in steps) + f" {'单进程 largest':>15} {'生成 generate':>14}"
    )
    for entry in scales:
        if "run" not in entry:
            continue
        run = entry["run"]
        kernel, tree = run["kernel_peak_rss_mib"], run["tree_peak_rss_mib_sampled"]
        cells = [f"{_fmt(kernel.get(s), '.0f')} / {_fmt(tree.get(s), '.0f')}" for s in steps]
        print(
            f"{str(entry['scale']) + '×':>10} "
            + " ".join(f"{c:>17}" for c in cells)
            + f" {_fmt(run['largest_process_peak_rss_mib'], '.0f'):>15}"
            + f" {_fmt(entry['generate']['peak_rss_mib'], '.0f'):>14}"
        )
    print("-- 附录大小 (appendix size, MB)")
    for entry in scales:
        if "run" in entry:
            sizes = "，".join(f"{name} {size / 1e6:.1f}" for name, size in entry["appendix_bytes"].items())
            print(f"{str(entry['scale']) + '×':>10}  {sizes or 'n/a'}")
    for step_growth in result["growth"]:
        print(
            f"-- 增长 (growth) {step_growth['from']}× → {step_growth['to']}×，"
            f"行数 (rows) ×{_fmt(step_growth['rows_ratio'], '.2f')}；"
            "斜率 = 时间对行数的对数斜率 (log-log slope of time vs rows: 1 linear, 0 fixed cost)"
        )
        for step, g in step_growth["steps"].items():
            print(
                f"{step:>12}  时间 (time) ×{_fmt(g['time_ratio'], '.2f'):>6}  "
                f"内存 (memory) ×{_fmt(g['memory_ratio'], '.2f'):>5} [{g['memory_source']}]  "
                f"斜率 (slope) {_fmt(g['slope_time_vs_rows'], '.2f')}"
            )
    units = result.get("units")
    if units:
        seq, par = units["sequential"], units["parallel"]
        print(f"-- 多单位 (units)：{units['units']} 个 1× 样例单位，各自冷启动 (cold, own raw/clean/build)")
        print(f"   依次运行 (one after another)       {seq['seconds']:8.1f} s   失败 (failed) {seq['failed']}")
        print(
            f"   并行 {units['workers']} 个 (parallel, {units['workers']} workers)  "
            f"{par['seconds']:8.1f} s   失败 (failed) {par['failed']}"
        )
        print(f"   依次 ÷ 并行 (ratio)                {units['ratio_sequential_over_parallel']:8.2f}")


# ------------------------------------------------------------------ entry point


def run_bench_scale(year: int, scales: Sequence[int], units: int, workers: int, keep: bool = False) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="lawreport-bench-scale-"))
    try:
        measured = []
        for scale in scales:
            print(f"规模 (scale) {scale}× …", file=sys.stderr, flush=True)
            measured.append(measure_scale(year, scale, root / f"scale-{scale}"))
            entry = measured[-1]
            print(
                f"  {entry.get('status')}：生成 (generate) {_fmt((entry.get('generate') or {}).get('seconds'))} s，"
                f"运行 (run) {_fmt((entry.get('run') or {}).get('seconds'))} s",
                file=sys.stderr,
                flush=True,
            )
            if not keep:  # a 50x or 100x folder holds hundreds of MB: one scale on disk at a time
                shutil.rmtree(root / f"scale-{scale}", ignore_errors=True)
        result: dict[str, Any] = {
            "year": year,
            "scales": measured,
            "growth": growth(measured),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        }
        if units > 0:
            print(f"多单位 (units) {units} …", file=sys.stderr, flush=True)
            result["units"] = measure_units(year, units, workers, root / "units")
        if keep:
            result["kept_folder"] = str(root)
        return result
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


def _scales(text: str) -> list[int]:
    values = [int(part) for part in text.split(",") if part.strip()]
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError("scales are positive integers, e.g. 1,10,100")
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark how the suite grows with data and units (not a test).")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--scales", type=_scales, default=[1, 10, 100], help="row factors, e.g. 1,10,100")
    parser.add_argument("--units", type=int, default=20, help="units for the one-after-another/parallel run (0: skip)")
    parser.add_argument("--workers", type=int, default=2, help="parallel workers for the units (default 2)")
    parser.add_argument("--quick", action="store_true", help=f"development: --scales 1,2 --units {QUICK_UNITS}")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "build" / "bench-scale.json")
    args = parser.parse_args(argv)
    scales, units = (list(QUICK_SCALES), QUICK_UNITS) if args.quick else (args.scales, args.units)
    result = run_bench_scale(args.year, scales, units, args.workers, args.keep)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print_report(result)
    print(f"已写入 (written to) {args.out}")
    if args.keep:
        print(f"临时文件夹已保留 (kept) {result['kept_folder']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
