"""The server and the VS Code client agree: a client registers every command the server
advertises, so no server command may reuse a command id the extension contributes itself; and
every setting the extension contributes for the server has the server's default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wfspec.lsp.server import create_server
from wfspec.lsp.settings import describe

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


def test_contributed_defaults_are_the_server_defaults() -> None:
    if not PACKAGE.is_file():
        pytest.skip("client-vscode is not present")
    properties = json.loads(PACKAGE.read_text(encoding="utf-8"))["contributes"]["configuration"]["properties"]
    differ = {}
    for key, default, _ in describe():
        contributed = properties[key]["default"]
        if key == "wfspec.dialect" and contributed == "auto":
            contributed = None  # the client's spelling of "detect"
        if contributed != json.loads(default):
            differ[key] = (contributed, json.loads(default))
    assert differ == {}
    assert properties["wfspec.llm.enabled"]["default"] is True  # AI on, with the embedded model
