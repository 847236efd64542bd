"""Soak benchmark: resident memory of ``wfspec serve`` over many document edits.

Starts the server over stdio (as an editor does) and sends edits through the real protocol:
cycles of one ``didOpen``, ``didChange`` notifications typing into a task and deleting again,
and one ``didClose``, over a few documents at once, with a request after each cycle (so the
server has handled everything sent before it). Resident memory (VmRSS) is read after a warm-up,
after the edits, and after the server's idle garbage collection with every document closed.
Memory that grows with the number of edits is a leak: every edit's state should be freed.

    python benchmarks/bench_soak.py [--edits 20000] [--warmup 2000] [--tasks 20]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_lsp import Client  # noqa: E402
from gen_serverless import generate  # noqa: E402

PER_CYCLE = 10  # edits per document cycle: didOpen, 8 didChange, didClose
DOCUMENTS = 4  # documents edited side by side


def _position(text: str, offset: int) -> dict[str, int]:
    line = text.count("\n", 0, offset)
    return {"line": line, "character": offset - (text.rfind("\n", 0, offset) + 1)}


async def _cycle(c: Client, uri: str, text: str, at: dict[str, int]) -> int:
    """One document's cycle of edits; returns how many edits were sent."""
    c.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}},
    )
    sent = 1
    for v in range(2, PER_CYCLE):
        if v % 2 == 0:
            change: dict[str, Any] = {"range": {"start": at, "end": at}, "text": "1"}
        else:
            after = {"line": at["line"], "character": at["character"] + 1}
            change = {"range": {"start": at, "end": after}, "text": ""}
        c.notify(
            "textDocument/didChange", {"textDocument": {"uri": uri, "version": v}, "contentChanges": [change]}
        )
        sent += 1
    c.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    return sent + 1


async def _edits(c: Client, count: int, text: str, at: dict[str, int], start: int) -> int:
    """Send ``count`` edits (whole cycles) and wait until the server handled them."""
    sent = 0
    cycle = start
    while sent < count:
        for d in range(DOCUMENTS):
            if sent >= count:
                break
            sent += await _cycle(c, f"file:///soak/doc-{d}-{cycle}.sw.yaml", text, at)
        cycle += 1
        await c.request("workspace/executeCommand", {"command": "wfspec.aiStatus"})
    return sent


async def _idle(c: Client, seconds: float) -> None:
    """Wait past the server's idle garbage collection (2 s after the last analysis)."""
    await asyncio.sleep(seconds)
    await c.request("workspace/executeCommand", {"command": "wfspec.aiStatus"})


async def main(edits: int, warmup: int, tasks: int) -> int:
    text = generate(tasks)
    endpoint = text.index("https://api.example.com/items/")
    at = _position(text, text.index("\n", endpoint))  # the end of a task's endpoint line
    c = await Client.start()
    await c.initialize()
    await c.request("workspace/executeCommand", {"command": "wfspec.aiStatus"})
    rows: list[tuple[str, int, float, float]] = []
    started = time.perf_counter()
    rows.append(("initialized", 0, c.rss_mib(), 0.0))
    done = await _edits(c, warmup, text, at, 0)
    await _idle(c, 3)
    rows.append(("after warm-up, idle", done, c.rss_mib(), time.perf_counter() - started))
    base = rows[-1][2]
    t0 = time.perf_counter()
    done += await _edits(c, edits, text, at, 10**6)
    rows.append((f"after {edits:,} more edits", done, c.rss_mib(), time.perf_counter() - t0))
    await _idle(c, 3)
    rows.append(("idle, every document closed", done, c.rss_mib(), time.perf_counter() - t0))
    await c.close()

    print(
        f"wfspec serve: {edits:,} edits (didOpen / didChange / didClose, {PER_CYCLE} per cycle) on a {tasks}-task spec"
    )
    print()
    print(f"| {'phase':<32} | {'edits':>7} | {'RSS MiB':>8} | {'seconds':>7} |")
    print(f"|{'-' * 34}|{'-' * 9}|{'-' * 10}|{'-' * 9}|")
    for name, n, rss, secs in rows:
        print(f"| {name:<32} | {n:>7,} | {rss:>8.1f} | {secs:>7.1f} |")
    grown = rows[-1][2] - base
    print()
    print(f"growth after the warm-up: {grown:+.1f} MiB ({grown * 1024 * 1024 / edits:+.0f} bytes per edit)")
    return 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--edits", type=int, default=20_000)
    ap.add_argument("--warmup", type=int, default=2_000)
    ap.add_argument("--tasks", type=int, default=20, help="tasks in the edited spec")
    args = ap.parse_args()
    sys.exit(asyncio.run(main(args.edits, args.warmup, args.tasks)))
