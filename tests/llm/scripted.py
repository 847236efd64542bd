"""A scripted OpenAI-compatible HTTP server on 127.0.0.1 for the LLM tests.

Serves ``POST /v1/chat/completions`` (streaming and not) from a list of scripted replies, one
per request, and records every request it got. Standard library only (``http.server`` in a
thread); a reply can be a status code with an error body, a malformed body, a delay (for
timeouts and cancellation), an answer held until the test releases it, or a normal answer.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer."""

    content: str = ""
    status: int = 200
    delay: float = 0.0
    raw: bytes | None = None  # sent as the body instead of a completion (malformed answers)
    headers: dict[str, str] = field(default_factory=dict)
    error: str = ""  # error message for non-200 statuses
    hold: threading.Event | None = None  # the answer waits until the test sets it (at most 60 s)
    trickle: float = 0.0  # seconds between the bytes of the body (0: all at once)


def ok(content: str) -> Reply:
    return Reply(content)


def as_json(**data: Any) -> Reply:
    return Reply(json.dumps(data))


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, str]]:
        return list(self.body.get("messages", []))

    @property
    def text(self) -> str:
        """All message contents joined (for assertions on what the model saw)."""
        return "\n".join(m.get("content", "") for m in self.messages)


class ScriptedServer:
    """``with ScriptedServer([...]) as srv: ... srv.base_url ...``"""

    def __init__(self, replies: Iterable[Reply | str] = (), *, default: Reply | None = None) -> None:
        self.replies: list[Reply] = [r if isinstance(r, Reply) else Reply(r) for r in replies]
        self.default = default
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------
    def __enter__(self) -> ScriptedServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
                pass

            def do_POST(self) -> None:  # noqa: N802
                server._handle(self)

            def do_GET(self) -> None:  # noqa: N802
                self.send_response(404)
                self.end_headers()

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        httpd.daemon_threads = True
        httpd.block_on_close = False
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    @property
    def port(self) -> int:
        assert self._httpd is not None
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # -- requests ------------------------------------------------------------------------
    def _next(self) -> Reply:
        with self._lock:
            if self.replies:
                return self.replies.pop(0)
        if self.default is not None:
            return self.default
        return Reply(status=500, error="script exhausted")

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("content-length") or 0)
        raw = h.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        with self._lock:
            self.requests.append(Recorded(h.path, {k.lower(): v for k, v in h.headers.items()}, body))
        if not h.path.rstrip("/").endswith("/chat/completions"):
            self._send(h, 404, json.dumps({"error": {"message": "not found"}}).encode())
            return
        reply = self._next()
        if reply.delay:
            time.sleep(reply.delay)
        if reply.hold is not None:
            reply.hold.wait(60)
        if reply.status != 200:
            err = {"error": {"message": reply.error or f"status {reply.status}", "type": "scripted"}}
            self._send(h, reply.status, json.dumps(err).encode(), reply.headers)
            return
        if reply.raw is not None:
            self._send(h, 200, reply.raw, reply.headers, trickle=reply.trickle)
            return
        prompt_tokens = sum(len(m.get("content", "")) for m in body.get("messages", [])) // 4
        completion_tokens = max(1, len(reply.content) // 4)
        if body.get("stream"):
            self._stream(h, reply.content, prompt_tokens, completion_tokens, body, reply.trickle)
            return
        answer = {
            "id": "chatcmpl-scripted",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "scripted"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
        self._send(h, 200, json.dumps(answer).encode(), reply.headers, trickle=reply.trickle)

    def _send(
        self,
        h: BaseHTTPRequestHandler,
        status: int,
        data: bytes,
        headers: dict[str, str] | None = None,
        *,
        trickle: float = 0.0,
    ) -> None:
        try:
            h.send_response(status)
            h.send_header("content-type", "application/json")
            h.send_header("content-length", str(len(data)))
            for k, v in (headers or {}).items():
                h.send_header(k, v)
            h.end_headers()
            if not trickle:
                h.wfile.write(data)
                return
            h.wfile.flush()
            for i in range(len(data)):  # until the client gives up or the server stops
                if self._httpd is None:
                    return
                h.wfile.write(data[i : i + 1])
                h.wfile.flush()
                time.sleep(trickle)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _stream(
        self,
        h: BaseHTTPRequestHandler,
        content: str,
        pt: int,
        ct: int,
        body: dict[str, Any],
        trickle: float = 0.0,
    ) -> None:
        def event(payload: dict[str, Any] | str) -> bytes:
            data = payload if isinstance(payload, str) else json.dumps(payload)
            return f"data: {data}\n\n".encode()

        base = {
            "id": "chatcmpl-scripted",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body.get("model", "scripted"),
        }
        try:
            h.send_response(200)
            h.send_header("content-type", "text/event-stream")
            h.send_header("cache-control", "no-cache")
            h.end_headers()
            h.wfile.write(
                event(
                    {
                        **base,
                        "choices": [
                            {"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}
                        ],
                    }
                )
            )
            for i in range(0, len(content), 16):
                piece = content[i : i + 16]
                h.wfile.write(
                    event(
                        {
                            **base,
                            "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
                        }
                    )
                )
                h.wfile.flush()
                if trickle:  # one chunk at a time, until the client gives up or the server stops
                    if self._httpd is None:
                        return
                    time.sleep(trickle)
            h.wfile.write(event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
            if (body.get("stream_options") or {}).get("include_usage"):
                h.wfile.write(
                    event(
                        {
                            **base,
                            "choices": [],
                            "usage": {"prompt_tokens": pt, "completion_tokens": ct, "total_tokens": pt + ct},
                        }
                    )
                )
            h.wfile.write(event("[DONE]"))
            h.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
