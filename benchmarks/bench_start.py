"""Start-up of ``wfspec serve`` beside a bare pygls server that imports the same lsprotocol.

Each run spawns the server as an editor does (a subprocess speaking JSON-RPC on stdio) and
measures, in milliseconds from the spawn:

- the initialize result;
- the first diagnostics of a document opened right after ``initialized`` (a faulty Serverless
  Workflow spec), the way an editor opens the file that activated it: ``publishDiagnostics``
  for that version, or the answer to a ``textDocument/diagnostic`` pull sent with the didOpen
  (``--pull``, what VS Code does).

The bare server (this file run with ``--bare-server``) imports ``lsprotocol.types`` and
``pygls.lsp.server``, answers initialize and publishes no diagnostics on didOpen: the floor any
pygls server pays. Runs alternate between the two servers so that machine load hits both alike.
Prints a Markdown table of p50/p95 over ``--runs`` and the difference; on Linux also the server
process's CPU time (user + system) up to the initialize result, which machine load hardly moves.

    python benchmarks/bench_start.py [--runs 20] [--pull] [--spec PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "specs" / "serverless" / "faulty" / "unknown-target-support-triage.yaml"
WFSPEC = [sys.executable, "-m", "wfspec.cli", "serve"]
BARE = [sys.executable, str(Path(__file__).resolve()), "--bare-server"]


def bare_server() -> int:
    """The baseline: a pygls server with nothing of wfspec in it."""
    from lsprotocol import types
    from pygls.lsp.server import LanguageServer

    server = LanguageServer("bare", "0")

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        doc = params.text_document
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=doc.uri, diagnostics=[], version=doc.version)
        )

    @server.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, types.DiagnosticOptions(False, False))
    def diagnostic(
        ls: LanguageServer, params: types.DocumentDiagnosticParams
    ) -> types.RelatedFullDocumentDiagnosticReport:
        return types.RelatedFullDocumentDiagnosticReport(items=[])

    server.start_io()
    return 0


class Client:
    """A bare JSON-RPC client on a server subprocess's stdio."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.next_id = 0
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.waiters: list[tuple[str, Any, asyncio.Future[Any]]] = []
        self.reader = asyncio.ensure_future(self._read())

    @classmethod
    async def start(cls, command: list[str]) -> Client:
        proc = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            limit=1 << 24,
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
                if "id" in msg:  # a request from the server (configuration, registration): null
                    self._send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
                for entry in list(self.waiters):
                    method, pred, fut = entry
                    if method == msg["method"] and pred(msg.get("params")) and not fut.done():
                        fut.set_result(msg.get("params"))
                        self.waiters.remove(entry)

    def request(self, method: str, params: Any) -> asyncio.Future[Any]:
        self.next_id += 1
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = fut
        self._send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return fut

    def notify(self, method: str, params: Any) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def expect(self, method: str, pred: Any) -> asyncio.Future[Any]:
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.waiters.append((method, pred, fut))
        return fut

    def cpu_ms(self) -> float:
        """User + system CPU time of the server process so far (Linux), else NaN."""
        try:
            with open(f"/proc/{self.proc.pid}/stat", encoding="ascii") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self.request("shutdown", None), 30)
            self.notify("exit", None)
            await asyncio.wait_for(self.proc.wait(), 10)
        except (TimeoutError, ConnectionError):
            self.proc.kill()
            await self.proc.wait()
        self.reader.cancel()


def capabilities(pull: bool) -> dict[str, Any]:
    text: dict[str, Any] = {
        "synchronization": {"didSave": True},
        "publishDiagnostics": {"relatedInformation": True, "versionSupport": True},
    }
    if pull:
        text["diagnostic"] = {"relatedDocumentSupport": False}
    return {"textDocument": text, "workspace": {"configuration": True}}


async def one_run(command: list[str], text: str, pull: bool) -> tuple[float, float, float]:
    """(initialize result, first diagnostics) in ms from the spawn, and the CPU ms to the first."""
    t0 = time.perf_counter()
    c = await Client.start(command)
    await c.request(
        "initialize",
        {
            "processId": os.getpid(),
            "rootUri": None,
            "capabilities": capabilities(pull),
            "initializationOptions": {"debounceMs": 0},
        },
    )
    t_init = time.perf_counter()
    cpu = c.cpu_ms()
    uri = "file:///bench/support-triage.sw.yaml"
    pushed = c.expect("textDocument/publishDiagnostics", lambda p: p["uri"] == uri and p.get("version") == 1)
    c.notify("initialized", {})
    c.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "wfspec-serverless", "version": 1, "text": text}},
    )
    if pull:
        await c.request("textDocument/diagnostic", {"textDocument": {"uri": uri}})
    else:
        await pushed
    t_diag = time.perf_counter()
    await c.close()
    return (t_init - t0) * 1000, (t_diag - t0) * 1000, cpu


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


async def main_async(runs: int, pull: bool, spec: Path) -> None:
    text = spec.read_text(encoding="utf-8")
    servers = {"bare pygls": BARE, "wfspec serve": WFSPEC}
    init: dict[str, list[float]] = {k: [] for k in servers}
    diag: dict[str, list[float]] = {k: [] for k in servers}
    cpu: dict[str, list[float]] = {k: [] for k in servers}
    for command in servers.values():  # warm the file cache; not counted
        await one_run(command, text, pull)
    for _ in range(runs):
        for name, command in servers.items():
            a, b, c = await one_run(command, text, pull)
            init[name].append(a)
            diag[name].append(b)
            cpu[name].append(c)
    mode = "pull (textDocument/diagnostic)" if pull else "push (publishDiagnostics)"
    print(f"{runs} runs each, alternating; first diagnostics by {mode}; spec {spec.name}\n")
    print(
        "| from spawn to | bare pygls p50 / p95 (ms) | wfspec serve p50 / p95 (ms) | wfspec - bare p50 / p95 (ms) |"
    )
    print("|---|---:|---:|---:|")
    rows = [("initialize result", init), ("first diagnostics after didOpen", diag)]
    if not any(math.isnan(v) for v in cpu["wfspec serve"]):
        rows.append(("initialize result, server CPU time", cpu))
    for label, data in rows:
        b, w = data["bare pygls"], data["wfspec serve"]
        bp, bq, wp, wq = statistics.median(b), pct(b, 0.95), statistics.median(w), pct(w, 0.95)
        print(f"| {label} | {bp:.0f} / {bq:.0f} | {wp:.0f} / {wq:.0f} | {wp - bp:+.0f} / {wq - bq:+.0f} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--pull", action="store_true", help="ask for diagnostics with textDocument/diagnostic")
    ap.add_argument("--spec", type=Path, default=SPEC)
    ap.add_argument("--bare-server", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.bare_server:
        return bare_server()
    asyncio.run(main_async(args.runs, args.pull, args.spec))
    return 0


if __name__ == "__main__":
    sys.exit(main())
