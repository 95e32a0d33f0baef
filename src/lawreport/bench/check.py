"""`make bench-check`: `lawreport check` on 1,000 full-length reports (a benchmark, not a test).

The reports are built in a temporary folder from the bundled 2025 report and, when present, the
verbatim passages of tests/corpus/passages.yaml: each is the bundled report with passages drawn by
a seeded generator appended until it reaches the bundled report's length or more, so every report
is different and full length. The real command runs on the folder (`python -m lawreport.cli check
FOLDER --json OUT`) as a subprocess, so imports and file reading count; the median wall time of the
repeats and the peak memory of the child are printed and written to build/bench-check.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from ..params import PROJECT_ROOT

REPORT = PROJECT_ROOT / "data" / "raw" / "2025" / "report.txt"
CORPUS = PROJECT_ROOT / "tests" / "corpus" / "passages.yaml"


def build_reports(folder: Path, count: int, seed: int = 2025) -> int:
    """Write `count` different full-length reports into `folder`; returns the total characters."""
    base = REPORT.read_text(encoding="utf-8")
    passages = [str(p["text"]) for p in yaml.safe_load(CORPUS.read_text(encoding="utf-8"))] if CORPUS.exists() else []
    pool = passages or [line for line in base.splitlines() if line.strip()]
    rng = random.Random(seed)
    total = 0
    for number in range(count):
        parts = [base]
        length = len(base)
        while length < 2 * len(base):
            piece = rng.choice(pool)
            parts.append(piece)
            length += len(piece)
        text = "\n".join(parts) + "\n"
        (folder / f"report-{number:04d}.txt").write_text(text, encoding="utf-8")
        total += len(text)
    return total


def run_bench_check(count: int = 1000, repeats: int = 3) -> dict[str, object]:
    seconds = []
    with tempfile.TemporaryDirectory(prefix="lawreport-bench-check-") as tmp:
        folder = Path(tmp) / "reports"
        folder.mkdir()
        characters = build_reports(folder, count)
        for _ in range(repeats):
            command = [
                sys.executable,
                "-m",
                "lawreport.cli",
                "check",
                str(folder),
                "--json",
                str(Path(tmp) / "out.json"),
            ]
            started = time.perf_counter()
            done = subprocess.run(command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            seconds.append(time.perf_counter() - started)
            if done.returncode == 2:
                raise RuntimeError(done.stderr.decode("utf-8", "replace")[-2000:])
        result = json.loads((Path(tmp) / "out.json").read_text(encoding="utf-8"))
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Linux: KiB, the largest child
    relations = sum(len(d["relations"]) for d in result["documents"])
    mentions = sum(len(d["mentions"]) for d in result["documents"])
    return {
        "reports": count,
        "characters": characters,
        "repeats": repeats,
        "seconds": [round(s, 2) for s in seconds],
        "median_seconds": round(statistics.median(seconds), 2),
        "ms_per_report": round(statistics.median(seconds) / count * 1000, 1),
        "peak_memory_mib": round(peak_kib / 1024, 1),
        "mentions": mentions,
        "relations": relations,
        "corpus_passages_used": CORPUS.exists(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark `lawreport check` (not a test).")
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    result = run_bench_check(args.reports, args.repeats)
    out = PROJECT_ROOT / "build" / "bench-check.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"lawreport check: {result['reports']} reports ({result['characters']:,} characters), "
        f"median of {result['repeats']} runs {result['median_seconds']} s "
        f"({result['ms_per_report']} ms per report; target ≤ 60 s), peak memory {result['peak_memory_mib']} MiB; "
        f"{result['mentions']:,} mentions, {result['relations']:,} relations. Runs: {result['seconds']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
