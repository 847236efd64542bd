"""``wfspec serve --tcp HOST:PORT`` answers initialize over TCP; a malformed address is a usage
error; the server exits cleanly on shutdown/exit."""

from __future__ import annotations

import json
import socket
import subprocess
import time

import pytest

from tests.lsp.conftest import SERVER


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _send(sock: socket.socket, msg: dict[str, object]) -> None:
    body = json.dumps(msg).encode()
    sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)


def _receive(sock: socket.socket) -> dict[str, object]:
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += sock.recv(65536)
    head, _, rest = buf.partition(b"\r\n\r\n")
    length = int(
        next(h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")).split(b":")[1]
    )
    while len(rest) < length:
        rest += sock.recv(65536)
    return json.loads(rest[:length])


def test_tcp_transport() -> None:
    port = _free_port()
    proc = subprocess.Popen([*SERVER, "--tcp", f"127.0.0.1:{port}"], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=30)
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "server did not listen"
                time.sleep(0.1)
        with sock:
            _send(sock, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})
            reply = _receive(sock)
            assert reply["id"] == 1
            result = reply["result"]
            assert isinstance(result, dict) and result["serverInfo"]["name"] == "wfspec"
            _send(sock, {"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
            assert _receive(sock)["id"] == 2
            _send(sock, {"jsonrpc": "2.0", "method": "exit"})
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_bad_tcp_address_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    from wfspec.lsp.server import run

    assert run("nonsense") == 2 and run("localhost:99999") == 2
    out, err = capsys.readouterr()
    assert "HOST:PORT" in err and out == ""  # stdout is the transport: nothing else goes there
