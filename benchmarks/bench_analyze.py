"""Latency and scale benchmark of ``analyze`` on generated Serverless Workflow specs.

Prints a Markdown table: tasks, lines, p50 and p95 of full ``analyze`` (parse, lower, graph,
every rule), peak traced memory, p50 and p95 of an incremental re-analysis after typing one
character into a task in the middle of the document (``analyze(..., previous=...)``, what the
language server does on each edit), and the growth exponent fitted between sizes.

    python benchmarks/bench_analyze.py [--sizes 100,1000,5000,20000] [--runs N]
"""

from __future__ import annotations

import argparse
import gc
import math
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_serverless import generate  # noqa: E402
from wfspec.analysis.engine import analyze  # noqa: E402
from wfspec.syntax.parse import FAST  # noqa: E402


def measure(text: str, runs: int) -> tuple[float, float, float, int]:
    """(p50 ms, p95 ms, peak MiB, findings) over ``runs`` analyses of ``text``."""
    result = analyze(text, "bench.sw.yaml")  # warm-up
    times = []
    for _ in range(runs):
        gc.collect()
        t0 = time.perf_counter()
        analyze(text, "bench.sw.yaml")
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p50 = statistics.median(times)
    p95 = times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)]
    tracemalloc.start()
    analyze(text, "bench.sw.yaml")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return p50, p95, peak / (1024 * 1024), len(result.findings)


def measure_edits(text: str, runs: int) -> tuple[float, float]:
    """(p50 ms, p95 ms) of re-analyzing after typing a character into a task's endpoint in the
    middle of the document, then deleting it again, with the previous analysis given."""
    lines = text.split("\n")
    endpoints = [i for i, line in enumerate(lines) if "endpoint: https://api.example.com/items/" in line]
    i = endpoints[len(endpoints) // 2]
    prev = analyze(text, "bench.sw.yaml")
    times = []
    for k in range(runs * 2):
        edited = list(lines)
        if k % 2 == 0:
            edited[i] += "1"
        new = "\n".join(edited)
        gc.collect()
        t0 = time.perf_counter()
        prev = analyze(new, "bench.sw.yaml", previous=prev)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,1000,5000,20000")
    ap.add_argument("--runs", type=int, default=0, help="runs per size (default: scaled to the size)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"C-accelerated YAML composer: {'yes' if FAST else 'NO (install ruamel.yaml.clib)'}")
    print()
    print("| tasks | lines | p50 ms | p95 ms | peak MiB | findings | edit p50 ms | edit p95 ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    rows = []
    for n in sizes:
        text = generate(n)
        runs = args.runs or max(5, min(50, 20000 // n))
        p50, p95, peak, nfind = measure(text, runs)
        e50, e95 = measure_edits(text, runs)
        rows.append((n, p50))
        print(
            f"| {n:,} | {text.count(chr(10)):,} | {p50:.1f} | {p95:.1f} | {peak:.1f} | {nfind} "
            f"| {e50:.1f} | {e95:.1f} |"
        )
        sys.stdout.flush()
    if len(rows) >= 2:
        xs = [math.log(n) for n, _ in rows]
        ys = [math.log(t) for _, t in rows]
        mx, my = statistics.mean(xs), statistics.mean(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)
        print()
        print(f"growth exponent (log-log fit of p50 against tasks): {slope:.2f}  (1.00 = linear)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
