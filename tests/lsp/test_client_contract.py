"""The server and the VS Code client agree: a client registers every command the server
advertises, so no server command may reuse a command id the extension contributes itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wfspec.lsp.server import create_server

PACKAGE = Path(__file__).resolve().parents[2] / "client-vscode" / "package.json"


def test_server_commands_do_not_collide_with_client_commands() -> None:
    if not PACKAGE.is_file():
        pytest.skip("client-vscode is not present")
    contributed = {
        c["command"] for c in json.loads(PACKAGE.read_text(encoding="utf-8"))["contributes"]["commands"]
    }
    server = create_server()
    advertised = set(server.protocol.fm.commands)
    assert advertised, "the server advertises no command"
    assert advertised & contributed == set()
