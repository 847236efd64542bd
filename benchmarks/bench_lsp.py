"""Editor-like latency benchmark of ``wfspec serve`` over stdio.

Starts the server as an editor would (a subprocess speaking JSON-RPC on stdin/stdout), opens a
generated Serverless Workflow spec of each size and measures, as p50/p95 milliseconds:

- didChange -> diagnostics: an edit inside one task until ``publishDiagnostics`` for that
  version arrives (debounce set to 0, so it is excluded);
- completion after ``then:`` sent right after an edit (while that version is analyzed);
- completion after ``then:``, hover on a task name, definition of a ``then`` target, rename of a
  task (answered, not applied) on the settled document;
- start -> initialize result (process spawn included);
- resident memory of the server with the largest spec open.

    python benchmarks/bench_lsp.py [--sizes 100,1000,5000] [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_serverless import generate  # noqa: E402

SERVER = [sys.executable, "-m", "wfspec.cli", "serve"]
CAPS: dict[str, Any] = {
    "textDocument": {
        "synchronization": {"didSave": True},
        "publishDiagnostics": {
            "relatedInformation": True,
            "versionSupport": True,
            "tagSupport": {"valueSet": [1, 2]},
        },
        "completion": {"completionItem": {"snippetSupport": True, "documentationFormat": ["markdown"]}},
        "hover": {"contentFormat": ["markdown"]},
        "rename": {"prepareSupport": True},
    },
    "workspace": {"workspaceEdit": {"documentChanges": True}},
}


class Client:
    """A bare JSON-RPC client on a server subprocess's stdio."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.next_id = 0
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.waiters: list[tuple[str, Any, asyncio.Future[Any]]] = []
        self.reader = asyncio.ensure_future(self._read())

    @classmethod
    async def start(cls) -> Client:
        proc = await asyncio.create_subprocess_exec(
            *SERVER,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            limit=1 << 26,
        )
        return cls(proc)

    def _send(self, msg: dict[str, Any]) -> None:
        body = json.dumps(msg).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    async def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = 0
            while True:
                line = await out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            msg = json.loads(await out.readexactly(length))
            if "id" in msg and "method" not in msg:
                fut = self.pending.pop(msg["id"], None)
                if fut is not None and not fut.done():
                    fut.set_result(msg.get("result"))
            elif "method" in msg:
                if "id" in msg:  # a request from the server: answer with null
                    self._send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
                for entry in list(self.waiters):
                    method, pred, fut = entry
                    if method == msg["method"] and pred(msg.get("params")) and not fut.done():
                        fut.set_result(msg.get("params"))
                        self.waiters.remove(entry)

    async def request(self, method: str, params: Any) -> Any:
        self.next_id += 1
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = fut
        self._send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return await fut

    def notify(self, method: str, params: Any) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def expect(self, method: str, pred: Any) -> asyncio.Future[Any]:
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.waiters.append((method, pred, fut))
        return fut

    async def initialize(self) -> None:
        await self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": None,
                "capabilities": CAPS,
                "initializationOptions": {"debounceMs": 0},
            },
        )
        self.notify("initialized", {})

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self.request("shutdown", None), 30)
            self.notify("exit", None)
            await asyncio.wait_for(self.proc.wait(), 10)
        except (TimeoutError, ConnectionError):
            self.proc.kill()
        self.reader.cancel()

    def rss_mib(self) -> float:
        with open(f"/proc/{self.proc.pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return float("nan")


def pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, max(0, math.ceil(q * len(s)) - 1))]


def position(text: str, needle: str, delta: int = 0) -> dict[str, int]:
    at = text.index(needle) + delta
    line = text.count("\n", 0, at)
    return {"line": line, "character": at - (text.rfind("\n", 0, at) + 1)}


async def bench_size(n: int, runs: int) -> tuple[dict[str, list[float]], float]:
    text = generate(n)
    uri = f"file:///bench/generated-{n}.sw.yaml"
    c = await Client.start()
    await c.initialize()
    out: dict[str, list[float]] = {
        k: [] for k in ("change", "typing", "completion", "hover", "definition", "rename")
    }
    opened = c.expect("textDocument/publishDiagnostics", lambda p: p["uri"] == uri and p.get("version") == 1)
    c.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}},
    )
    await asyncio.wait_for(opened, 600)
    doc = {"uri": uri}
    # didChange -> diagnostics: type one character into the endpoint of a task in the middle of
    # the document, then delete it again (everything after it moves by one offset)
    endpoints = re.findall(r"https://api\.example\.com/items/\d+/0", text)
    middle = endpoints[len(endpoints) // 2]
    at = position(text, middle, len(middle) - 1)
    version = 1

    async def type_or_delete(i: int) -> None:
        nonlocal version
        version += 1
        v = version
        if i % 2 == 0:
            change = {"range": {"start": at, "end": at}, "text": "1"}
        else:
            after = {"line": at["line"], "character": at["character"] + 1}
            change = {"range": {"start": at, "end": after}, "text": ""}
        done = c.expect(
            "textDocument/publishDiagnostics", lambda p, v=v: p["uri"] == uri and p.get("version") == v
        )
        t0 = time.perf_counter()
        c.notify(
            "textDocument/didChange", {"textDocument": {"uri": uri, "version": v}, "contentChanges": [change]}
        )
        await asyncio.wait_for(done, 600)
        out["change"].append((time.perf_counter() - t0) * 1000)

    for i in range(runs):
        await type_or_delete(i)
    if runs % 2:  # back to the generated text so positions below hold
        await type_or_delete(1)
        out["change"].pop()
    anchor = position(text, "https://api.example.com/items/0/0", len("https://api.example.com/items/0/"))
    then_at = position(text, "            then: high1", len("            then: "))
    # completion right after a keystroke (the analysis of that version still running)
    for i in range(runs):
        version += 1
        v = version
        rng = {"start": anchor, "end": {"line": anchor["line"], "character": anchor["character"] + 1}}
        done = c.expect(
            "textDocument/publishDiagnostics", lambda p, v=v: p["uri"] == uri and p.get("version") == v
        )
        c.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": v},
                "contentChanges": [{"range": rng, "text": "1" if i % 2 == 0 else "0"}],
            },
        )
        t0 = time.perf_counter()
        result = await c.request("textDocument/completion", {"textDocument": doc, "position": then_at})
        out["typing"].append((time.perf_counter() - t0) * 1000)
        assert result and result["items"], result
        await asyncio.wait_for(done, 600)
    if runs % 2:
        version += 1
        v = version
        rng = {"start": anchor, "end": {"line": anchor["line"], "character": anchor["character"] + 1}}
        done = c.expect(
            "textDocument/publishDiagnostics", lambda p, v=v: p["uri"] == uri and p.get("version") == v
        )
        c.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": v}, "contentChanges": [{"range": rng, "text": "0"}]},
        )
        await asyncio.wait_for(done, 600)
    task_at = position(text, "  - fetch0_2:", 5)
    target_at = position(text, "            then: high1", len("            then: h"))
    requests = [
        ("completion", "textDocument/completion", {"textDocument": doc, "position": then_at}),
        ("hover", "textDocument/hover", {"textDocument": doc, "position": task_at}),
        ("definition", "textDocument/definition", {"textDocument": doc, "position": target_at}),
        (
            "rename",
            "textDocument/rename",
            {"textDocument": doc, "position": task_at, "newName": "fetchRenamed"},
        ),
    ]
    for key, method, params in requests:
        for _ in range(max(runs, 10)):
            t0 = time.perf_counter()
            result = await c.request(method, params)
            out[key].append((time.perf_counter() - t0) * 1000)
            assert result is not None, (method, result)
    rss = c.rss_mib()
    await c.close()
    return out, rss


async def bench_start(runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        c = await Client.start()
        await c.initialize()
        samples.append((time.perf_counter() - t0) * 1000)
        await c.close()
    return samples


async def main_async(sizes: list[int], runs: int) -> None:
    rows: dict[str, dict[int, tuple[float, float]]] = {}
    labels = {
        "change": "didChange -> diagnostics",
        "typing": "completion right after an edit",
        "completion": "completion (then:), settled",
        "hover": "hover (task)",
        "definition": "definition (then target)",
        "rename": "rename (task)",
    }
    memory: dict[int, float] = {}
    for n in sizes:
        r = runs or (30 if n <= 100 else 15 if n <= 1000 else 5)
        samples, rss = await bench_size(n, r)
        memory[n] = rss
        for key, values in samples.items():
            rows.setdefault(labels[key], {})[n] = (statistics.median(values), pct(values, 0.95))
        print(f"  measured {n} tasks ({r} edits)", file=sys.stderr)
    start = await bench_start(10)
    header = "| metric | " + " | ".join(f"{n:,} tasks p50 / p95 (ms)" for n in sizes) + " |"
    print(header)
    print("|---|" + "---|" * len(sizes))
    for label, by_size in rows.items():
        cells = [f"{by_size[n][0]:.1f} / {by_size[n][1]:.1f}" for n in sizes]
        print(f"| {label} | " + " | ".join(cells) + " |")
    print(
        f"| start -> initialize result | {statistics.median(start):.0f} / {pct(start, 0.95):.0f} (any size) |"
        + " |" * (len(sizes) - 1)
    )
    print("| resident memory (MiB) | " + " | ".join(f"{memory[n]:.0f}" for n in sizes) + " |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,1000,5000")
    ap.add_argument("--runs", type=int, default=0, help="edits per size (default: 30 / 15 / 5 by size)")
    args = ap.parse_args()
    asyncio.run(main_async([int(s) for s in args.sizes.split(",")], args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
