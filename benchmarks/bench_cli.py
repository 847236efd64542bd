"""Throughput of ``wfspec check`` as a whole process, ``--jobs 1`` beside ``--jobs 2``.

The GitHub starter workflows and the Serverless Workflow examples
(``../shared/corpora/gha-starter-workflows`` and ``serverlessworkflow-spec/examples``) are checked
as they are, and copied ``--copies`` times into a temporary tree (start-up spread over more
files). Each command is timed from spawn to exit, start-up included. Prints a Markdown table of
files/s (median of ``--runs``). actionlint is not available here, so there is no column for it.

    python benchmarks/bench_cli.py [--runs 5] [--copies 8]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
TREES = [CORPORA / "gha-starter-workflows", CORPORA / "serverlessworkflow-spec" / "examples"]


def count(paths: list[Path]) -> int:
    return sum(1 for d in paths for p in d.rglob("*") if p.suffix in (".yml", ".yaml"))


def wall(paths: list[Path], jobs: int, runs: int) -> float:
    cmd = [sys.executable, "-m", "wfspec.cli", "check", "-q", "--no-config", "--jobs", str(jobs)]
    cmd += [str(p) for p in paths]
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--copies", type=int, default=8)
    args = ap.parse_args()
    trees = [t for t in TREES if t.is_dir()]
    if not trees:
        print("corpora absent; nothing to measure", file=sys.stderr)
        return 0
    rows = ["| tree | files | --jobs 1 files/s | --jobs 2 files/s | actionlint |", "|---|---:|---:|---:|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp)
        for i in range(args.copies):
            for t in trees:
                shutil.copytree(t, big / f"{i}-{t.name}")
        for label, paths in (("corpora", trees), (f"corpora x{args.copies}", [big])):
            n = count(paths)
            one, two = wall(paths, 1, args.runs), wall(paths, 2, args.runs)
            rows.append(f"| {label} | {n} | {n / one:.0f} | {n / two:.0f} | not available |")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
