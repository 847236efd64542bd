"""Throughput and scale benchmark of the GitHub Actions dialect.

Prints two Markdown tables:

1. GitHub's starter workflows (``../shared/corpora/gha-starter-workflows``) per second, through
   ``analyze`` and through ``wfspec check`` (in process, output discarded). Goal: 300+ files/s.
2. The 2,000-job synthetic workflows (``../shared/corpora/gha-synthetic``): p50 and p95 of a full
   ``analyze`` (parse, lower, graph, every rule) and the median of each phase. Goal: < 150 ms.

    python benchmarks/bench_github.py [--rounds 5] [--runs 15]

Corpora that are absent are skipped with a note.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import math
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from wfspec.analysis.engine import analyze
from wfspec.analysis.graph import build_graph
from wfspec.dialects import github
from wfspec.syntax.parse import FAST, parse

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
STARTER = CORPORA / "gha-starter-workflows"
SYNTHETIC = CORPORA / "gha-synthetic"


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, math.ceil(q * len(s)) - 1))]


def table(rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def bench_starters(rounds: int) -> str:
    files = sorted(p for p in STARTER.rglob("*") if p.suffix in (".yml", ".yaml"))
    data = [(p.read_bytes(), p.resolve().as_uri()) for p in files]
    for text, uri in data:  # warm-up: imports, caches
        analyze(text, uri)
    per_round: list[float] = []
    errors = 0
    for _ in range(rounds):
        gc.collect()
        t0 = time.perf_counter()
        for text, uri in data:
            result = analyze(text, uri)
        per_round.append(time.perf_counter() - t0)
    for text, uri in data:
        errors += sum(1 for f in analyze(text, uri).findings if f.severity == 1)
    del result
    from wfspec import cli

    cli_rounds: list[float] = []
    for _ in range(rounds):
        gc.collect()
        sink = io.StringIO()
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(io.StringIO()):
            cli.main(["check", "--quiet", "--no-config", str(STARTER)])
        cli_rounds.append(time.perf_counter() - t0)
    n = len(files)
    best, med = min(per_round), statistics.median(per_round)
    cbest, cmed = min(cli_rounds), statistics.median(cli_rounds)
    rows = [
        ("path", "files", "median s/round", "files/s (median)", "files/s (best)", "error findings"),
        ("analyze", str(n), f"{med:.3f}", f"{n / med:.0f}", f"{n / best:.0f}", str(errors)),
        ("wfspec check", str(n), f"{cmed:.3f}", f"{n / cmed:.0f}", f"{n / cbest:.0f}", "-"),
    ]
    return table(rows)


def bench_synthetic(runs: int) -> str:
    rows = [
        ("file", "lines", "jobs", "p50 ms", "p95 ms", "cpu p50", "parse", "lower", "graph", "rules", "errors")
    ]
    for path in sorted(SYNTHETIC.glob("*.yml")):
        data = path.read_bytes()
        uri = path.resolve().as_uri()
        first = analyze(data, uri)  # warm-up
        totals: list[float] = []
        cpu: list[float] = []
        phases: dict[str, list[float]] = {"parse": [], "lower": [], "graph": []}
        for _ in range(runs):
            gc.collect()
            t0 = time.perf_counter()
            c0 = time.process_time()
            analyze(data, uri)
            totals.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            gc.disable()  # as analyze does while it runs
            try:
                t0 = time.perf_counter()
                doc = parse(data)
                t1 = time.perf_counter()
                wf = github.lower(doc, uri)
                t2 = time.perf_counter()
                build_graph(wf)
                t3 = time.perf_counter()
            finally:
                gc.enable()
            phases["parse"].append((t1 - t0) * 1000)
            phases["lower"].append((t2 - t1) * 1000)
            phases["graph"].append((t3 - t2) * 1000)
        p50 = statistics.median(totals)
        parse_ms, lower_ms, graph_ms = (statistics.median(phases[k]) for k in ("parse", "lower", "graph"))
        rules_ms = max(0.0, p50 - parse_ms - lower_ms - graph_ms)
        jobs = sum(1 for n in (first.workflow.nodes.values() if first.workflow else ()) if n.kind == "job")
        errors = sum(1 for f in first.findings if f.severity == 1)
        rows.append(
            (
                path.name,
                str(first.text.count("\n")),
                str(jobs),
                f"{p50:.0f}",
                f"{pct(totals, 0.95):.0f}",
                f"{statistics.median(cpu):.0f}",
                f"{parse_ms:.0f}",
                f"{lower_ms:.0f}",
                f"{graph_ms:.0f}",
                f"{rules_ms:.0f}",
                str(errors),
            )
        )
    return table(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5, help="passes over the starter workflows")
    ap.add_argument("--runs", type=int, default=15, help="analyses of each 2,000-job file")
    args = ap.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"python {sys.version.split()[0]}, C YAML composer: {FAST}, cpus: {os.cpu_count()}, load: {load:.1f}"
    )
    if STARTER.is_dir():
        print("\n## Starter workflows (goal: 300+ files/s)\n")
        print(bench_starters(args.rounds))
    else:
        print(f"\n(starter workflows not found at {STARTER}; skipped)")
    if SYNTHETIC.is_dir():
        print(
            "\n## 2,000-job workflows (goal: analyze < 150 ms; wall-clock p50/p95, process CPU time p50, "
            "phase columns are wall-clock medians in ms)\n"
        )
        print(bench_synthetic(args.runs))
    else:
        print(f"\n(synthetic workflows not found at {SYNTHETIC}; skipped)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
