"""The protocol never leaves the client waiting and never offers an edit for a text it was not
computed for: requests with params that do not fit get ``InvalidParams``; an edit the server
cannot read marks the document out of sync (the user is told once, nothing is offered from it)
until the client sends the whole text again; a version number sent twice still gets the
analysis of the newest text; and notifications leave no futures behind in pygls.

Malformed messages are written straight to the server's stdin through the client's transport
(pytest-lsp's typed API cannot build them). The server answers messages in order, so a request
sent after a malformed message is answered after whatever the server sent about it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from concurrent.futures import Future
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.lsp.conftest import (
    SERVER,
    apply,
    diagnostics,
    fixture_text,
    ident,
    open_doc,
    pos,
    vscode_capabilities,
    workspace_edits,
)
from wfspec.analysis.engine import analyze
from wfspec.lsp import convert
from wfspec.lsp.documents import TextDocument
from wfspec.lsp.server import create_server

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning"),
]

INVALID_PARAMS = -32602
FAULTY = fixture_text("faulty.sw.yaml")


def _send_raw(client: LanguageClient, message: dict[str, Any]) -> None:
    client.protocol._send_data({"jsonrpc": "2.0", **message})


def _raw_request(client: LanguageClient, method: str, params: Any) -> Future[Any]:
    """Send a request exactly as given; the future gets the server's answer."""
    msg_id = f"raw-{uuid.uuid4().hex}"
    future: Future[Any] = Future()
    client.protocol._request_futures[msg_id] = future
    _send_raw(client, {"id": msg_id, "method": method, "params": params})
    return future


async def _state(client: LanguageClient, uri: str) -> Any:
    """The server's view of a document, None when it is not open (answered after every
    message sent before it)."""
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="wfspec.documentState", arguments=[uri])
    )


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _told(client: LanguageClient, since: int) -> list[str]:
    return [m.message for m in client.messages[since:] if "lost track" in m.message]


# -- 7: every request gets an answer -------------------------------------------------------------


def _hover(uri: str, line: Any, character: Any = 0) -> dict[str, Any]:
    return {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("textDocument/hover", _hover("URI", -1)),
        ("textDocument/hover", _hover("URI", 2**40)),
        ("textDocument/hover", _hover("URI", 0, -5)),
        ("textDocument/hover", _hover("URI", "one")),
        ("textDocument/hover", None),
        ("textDocument/hover", [1, 2]),
        ("textDocument/hover", {"position": {"line": 0, "character": 0}}),
        ("textDocument/completion", None),
        ("textDocument/definition", _hover("URI", -1)),
        ("textDocument/codeAction", {"textDocument": {"uri": "URI"}, "range": None, "context": {}}),
        ("textDocument/formatting", {"textDocument": {"uri": "URI"}, "options": {"tabSize": "x"}}),
        ("textDocument/rename", {**_hover("URI", 2**31), "newName": "x"}),
        ("textDocument/documentSymbol", {"textDocument": None}),
    ],
)
async def test_a_request_with_invalid_params_gets_invalid_params(
    client: LanguageClient, method: str, params: Any
) -> None:
    uri = open_doc(client, FAULTY)
    if params is not None:
        params = json.loads(json.dumps(params).replace('"URI"', json.dumps(uri)))
    answer = _raw_request(client, method, params)
    await _state(client, uri)  # answered after the malformed request
    assert answer.done(), f"no answer to {method} with params {params!r}"
    error = answer.exception()
    assert isinstance(error, JsonRpcException)
    assert error.code == INVALID_PARAMS
    assert method in error.message
    # the server is fine and answers the same request with valid params
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=ident(uri), position=pos(FAULTY, "finsh"))
    )
    assert hover is not None


# -- 8: an edit that cannot be applied -----------------------------------------------------------


def _change(
    uri: str, version: int, start: tuple[int, int], end: tuple[int, int], text: str
) -> dict[str, Any]:
    return {
        "method": "textDocument/didChange",
        "params": {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [
                {
                    "range": {
                        "start": {"line": start[0], "character": start[1]},
                        "end": {"line": end[0], "character": end[1]},
                    },
                    "text": text,
                }
            ],
        },
    }


BAD_CHANGES = {
    "negative position": lambda uri: _change(uri, 2, (0, -1), (0, 0), "x"),
    "line 2**31": lambda uri: _change(uri, 2, (2**31, 0), (2**31, 0), "x"),
    "version 2**31": lambda uri: _change(uri, 2**31, (0, 0), (0, 0), "# x\n"),
    "a line past the end": lambda uri: _change(uri, 2, (400, 0), (400, 0), "x"),
    "null params": lambda uri: {"method": "textDocument/didChange", "params": None},
}


async def _actions(client: LanguageClient, uri: str, diags: list[types.Diagnostic]) -> list[types.CodeAction]:
    got = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=ident(uri), range=diags[0].range, context=types.CodeActionContext(diagnostics=diags)
        )
    )
    return [a for a in got or [] if isinstance(a, types.CodeAction)]


@pytest.mark.parametrize("kind", list(BAD_CHANGES))
async def test_an_edit_that_cannot_be_applied_puts_the_document_out_of_sync(
    client: LanguageClient, kind: str
) -> None:
    uri = open_doc(client, FAULTY)
    diags = [d for d in await diagnostics(client, uri) if d.code == "unknown-target"]
    assert diags and any(a.edit for a in await _actions(client, uri, diags))
    since = len(client.messages)

    _send_raw(client, BAD_CHANGES[kind](uri))
    state = await _state(client, uri)
    assert state["inSync"] is False
    assert len(_told(client, since)) == 1, "the user is told"
    # nothing is offered from a text that may not be the editor's
    assert await diagnostics(client, uri) == []
    assert not [a for a in await _actions(client, uri, diags) if a.edit]
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=ident(uri), position=pos(FAULTY, "finsh"))
    )
    assert hover is None
    formatted = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=ident(uri), options=types.FormattingOptions(tab_size=2, insert_spaces=True)
        )
    )
    assert not formatted

    # told once, not for every edit after it
    _send_raw(client, BAD_CHANGES[kind](uri))
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)
                    ),
                    text="",
                )
            ],
        )
    )
    assert (await _state(client, uri))["inSync"] is False
    assert len(_told(client, since)) == 1

    # the whole text again: in sync, and everything is back
    fixed = FAULTY.replace("finish:\n      set:\n        again", "again:\n      set:\n        again")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=4),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)],
        )
    )
    state = await _state(client, uri)
    assert state["inSync"] is True and state["sha256"] == _sha(fixed) and state["version"] == 4
    now = [d for d in await diagnostics(client, uri) if d.code == "unknown-target"]
    assert now and any(a.edit for a in await _actions(client, uri, now))


async def test_reopening_brings_a_document_back_in_sync(client: LanguageClient) -> None:
    uri = open_doc(client, FAULTY)
    await diagnostics(client, uri)
    _send_raw(client, BAD_CHANGES["negative position"](uri))
    assert (await _state(client, uri))["inSync"] is False
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=ident(uri)))
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=7, text=FAULTY)
        )
    )
    state = await _state(client, uri)
    assert state["inSync"] is True and state["sha256"] == _sha(FAULTY)
    assert any(d.code == "unknown-target" for d in await diagnostics(client, uri))


async def test_an_invalid_open_is_reported(client: LanguageClient) -> None:
    uri = open_doc(client, FAULTY)
    await diagnostics(client, uri)
    since = len(client.messages)
    _send_raw(
        client,
        {
            "method": "textDocument/didOpen",
            "params": {
                "textDocument": {"uri": uri, "languageId": "yaml", "version": 2**31, "text": "a: 1\n"}
            },
        },
    )
    assert (await _state(client, uri))["inSync"] is False
    assert len(_told(client, since)) == 1
    # a document that never opened: told too
    other = uri.replace(".sw.yaml", "-other.sw.yaml")
    _send_raw(
        client,
        {
            "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": other, "languageId": "yaml", "version": -(2**40), "text": ""}},
        },
    )
    assert await _state(client, other) is None
    assert len(_told(client, since)) == 2


# -- 9: edits carry their version and are computed for the current text -------------------------


def _whole(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def _unknown_target(uri: str, text: str) -> types.Diagnostic:
    """The "unknown-target" diagnostic of ``text`` as a client holds it (no ``data``)."""
    (finding,) = [f for f in analyze(text, uri).findings if f.rule == "unknown-target"]
    return convert.diagnostic(finding, uri, convert.DiagnosticSupport(data=False))


async def _fix(client: LanguageClient, uri: str, text: str) -> types.CodeAction | None:
    diag = _unknown_target(uri, text)
    got = await _actions(client, uri, [diag])
    return next((a for a in got if a.title == 'Change to "finish"'), None)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), scope="session", name="slow_client")
async def _slow_client(lsp_client: LanguageClient):  # noqa: ANN202
    """A server with a long debounce: an edit is analyzed only when a request needs it."""
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=vscode_capabilities(), initialization_options={"debounceMs": 600_000}
        )
    )
    yield
    await lsp_client.shutdown_session()


async def _same_version_twice(client: LanguageClient) -> types.WorkspaceEdit:
    uri = open_doc(client, FAULTY)
    first = FAULTY.replace("name: lsp-faulty", "name: lsp-faulty-2")
    _whole(client, uri, 2, first)
    assert await _fix(client, uri, first) is not None  # the analysis of the first text of version 2
    # version 2 again, with three lines more above the finding
    second = first.replace("do:\n", "# one\n# two\n# three\ndo:\n")
    _whole(client, uri, 2, second)
    fix = await _fix(client, uri, second)
    assert fix is not None and fix.edit is not None, "no fix for the finding where it is now"
    assert apply(second, workspace_edits(fix.edit, uri)) == second.replace("then: finsh", "then: finish")
    return fix.edit


async def test_the_same_version_twice_gets_edits_for_the_newest_text(slow_client: LanguageClient) -> None:
    edit = await _same_version_twice(slow_client)
    # documentChanges, with the version the edit was computed for
    assert edit.changes is None and edit.document_changes is not None
    (change,) = edit.document_changes
    assert isinstance(change, types.TextDocumentEdit) and change.text_document.version == 2


async def test_without_document_changes_edits_are_a_changes_map(minimal_client: LanguageClient) -> None:
    edit = await _same_version_twice(minimal_client)
    assert edit.document_changes is None and edit.changes is not None


async def test_an_analysis_is_current_only_for_the_text_it_analyzed() -> None:
    """The server side of the above, without timing: a snapshot of version 2 is not the
    analysis of another text sent as version 2."""
    ls = create_server()
    try:
        uri = "file:///twice.sw.yaml"
        ls.documents[uri] = TextDocument(uri, FAULTY, 2)
        stale = await ls.snapshot(uri)
        assert stale is not None and ls.is_current(stale)
        ls.documents[uri].apply_change((6, 0, 6, 0), "# one more line\n")  # still version 2
        assert not ls.is_current(stale)
        assert ls.edit_of(stale, []) is None
        snap = await ls.snapshot(uri)
        assert snap is not None and snap is not stale and ls.is_current(snap)
        assert snap.analysis.text == ls.documents[uri].text
    finally:
        ls.shutdown()


async def test_rename_and_fix_all_carry_the_version(client: LanguageClient) -> None:
    uri = open_doc(client, FAULTY, version=5)
    await diagnostics(client, uri)
    renamed = await client.text_document_rename_async(
        types.RenameParams(text_document=ident(uri), position=pos(FAULTY, "start:"), new_name="begin")
    )
    assert renamed is not None and renamed.document_changes is not None
    for change in renamed.document_changes:
        assert isinstance(change, types.TextDocumentEdit) and change.text_document.version == 5
    got = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=ident(uri),
            range=types.Range(
                start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)
            ),
            context=types.CodeActionContext(diagnostics=[], only=["source.fixAll.wfspec"]),
        )
    )
    (fix_all,) = [a for a in got or [] if isinstance(a, types.CodeAction)]
    assert fix_all.edit is not None and fix_all.edit.document_changes is not None
    (change,) = fix_all.edit.document_changes
    assert isinstance(change, types.TextDocumentEdit) and change.text_document.version == 5


# -- 10: no futures left behind -----------------------------------------------------------------


class _Sink:
    """A transport that keeps what the server writes."""

    def __init__(self) -> None:
        self.data: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.data.append(data)

    def close(self) -> None:
        pass


async def test_notifications_leave_no_futures_behind() -> None:
    """pygls 2.1 keeps a future in ``_request_futures`` for every notification handled by a
    generator or a coroutine, and for every step of a generator request; wfspec's protocol
    keeps only the futures of requests in flight."""
    ls = create_server()
    proto = ls.protocol
    sink = _Sink()
    proto.set_writer(sink)

    def feed(message: dict[str, Any]) -> None:
        proto.handle_message(
            json.loads(json.dumps({"jsonrpc": "2.0", **message}), object_hook=proto.structure_message)
        )

    feed(
        {
            "id": 1,
            "method": "initialize",
            "params": {"capabilities": {}, "initializationOptions": {"debounceMs": 0}},
        }
    )
    feed({"method": "initialized", "params": {}})
    text = "do:\n  - a:\n      set:\n        x: 1\n"
    try:
        for i in range(60):
            uri = f"file:///soak/{i}.sw.yaml"
            item = {"uri": uri, "languageId": "yaml", "version": 1, "text": text}
            feed({"method": "textDocument/didOpen", "params": {"textDocument": item}})
            for v in range(2, 5):
                change = {
                    "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                    "text": "#\n",
                }
                feed(
                    {
                        "method": "textDocument/didChange",
                        "params": {"textDocument": {"uri": uri, "version": v}, "contentChanges": [change]},
                    }
                )
            feed(
                {
                    "method": "workspace/didChangeConfiguration",
                    "params": {"settings": {"wfspec": {"debounceMs": 0}}},
                }
            )
            feed(
                {
                    "id": f"state-{i}",
                    "method": "workspace/executeCommand",
                    "params": {"command": "wfspec.documentState", "arguments": [uri]},
                }
            )
            feed({"method": "textDocument/didClose", "params": {"textDocument": {"uri": uri}}})

        def answered() -> int:
            bodies = [json.loads(d.split(b"\r\n\r\n", 1)[1]) for d in sink.data]
            return sum(1 for b in bodies if str(b.get("id", "")).startswith("state-"))

        for _ in range(500):  # let the coroutine handlers and the analyses finish
            if answered() == 60 and all(t.done() for t in ls._pending.values()):
                break
            await asyncio.sleep(0.01)
        assert answered() == 60
        assert len(proto._request_futures) == 0, f"{len(proto._request_futures)} futures left behind"
    finally:
        ls.shutdown()
