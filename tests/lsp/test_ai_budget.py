"""The time budget of the model-backed features (``wfspec.llm.budgetSeconds``), through the real
protocol against the scripted model server: a model that never answers in time gives the user
the plan of the request (validated, computed without the model) or, when the request states
nothing to plan, a reason when the budget runs out, not silence."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.llm.scripted import Reply, ScriptedServer
from tests.lsp.conftest import (
    SERVER,
    apply,
    diagnostics,
    ident,
    open_doc,
    vscode_capabilities,
    workspace_edits,
)
from tests.lsp.test_ai import (
    COMMENT,
    GEN_DOC,
    NO_INTENT,
    REPAIR_DOC,
    _command,
    _line,
    _serious,
    _settled,
    ai_client,
)

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning"),
]

BUDGET = 1  # second: the smallest budget the setting takes


@pytest.fixture(scope="module")
def srv() -> Iterator[ScriptedServer]:
    with ScriptedServer() as s:
        yield s


@pytest.fixture
def hold(srv: ScriptedServer) -> Iterator[threading.Event]:
    """Every model answer waits for this event, set after the test (the budget runs out first)."""
    event = threading.Event()
    srv.replies, srv.requests[:] = [], []
    srv.default = Reply(json.dumps({"choice": 1, "replacement": ""}), hold=event)
    yield event
    event.set()


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, client_factory=ai_client), scope="module"
)
async def client(lsp_client: LanguageClient, srv: ScriptedServer):
    llm = {"enabled": True, "baseUrl": srv.base_url, "model": "scripted", "budgetSeconds": BUDGET}
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=vscode_capabilities(), initialization_options={"debounceMs": 0, "llm": llm}
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_generation_past_the_budget_applies_the_plan_of_the_request(
    client: LanguageClient, hold: threading.Event
) -> None:
    uri = open_doc(client, GEN_DOC)
    applied = len(client.applied)  # type: ignore[attr-defined]
    line = _line(GEN_DOC, COMMENT)
    result = await _command(
        client, "wfspec.generate", {"uri": uri, "position": {"line": line, "character": 2}, "version": 1}
    )
    end = await _settled(client, result)
    assert end.message is not None and "from the plan of the request" in end.message, end.message
    (edit,) = client.applied[applied:]  # type: ignore[attr-defined]
    new = apply(GEN_DOC, workspace_edits(edit, uri))
    assert "askBillingAgent" in new and _serious(new, uri) == []


async def test_generation_past_the_budget_with_nothing_to_plan_says_why(
    client: LanguageClient, hold: threading.Event
) -> None:
    text = GEN_DOC.replace(COMMENT, NO_INTENT)
    uri = open_doc(client, text)
    shown, applied = len(client.messages), len(client.applied)  # type: ignore[attr-defined]
    line = _line(text, NO_INTENT)
    result = await _command(
        client, "wfspec.generate", {"uri": uri, "position": {"line": line, "character": 2}, "version": 1}
    )
    end = await _settled(client, result)
    assert end.message == "nothing was inserted" and len(client.applied) == applied  # type: ignore[attr-defined]
    (said,) = client.messages[shown:]
    assert "time budget" in said.message, said


async def test_ghost_text_past_the_budget_says_why_once(
    client: LanguageClient, hold: threading.Event
) -> None:
    text = GEN_DOC.replace(COMMENT, NO_INTENT)
    uri = open_doc(client, text)
    line = _line(text, NO_INTENT)
    shown = len(client.messages)
    params = types.InlineCompletionParams(
        text_document=ident(uri),
        position=types.Position(line=line, character=len(NO_INTENT)),
        context=types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Invoked),
    )
    for _ in range(2):
        got = await client.text_document_inline_completion_async(params)
        assert got is None or not got.items
    (said,) = client.messages[shown:]
    assert "no ghost text" in said.message and "time budget" in said.message, said


async def test_ghost_text_past_the_budget_is_the_plan_of_the_request(
    client: LanguageClient, hold: threading.Event
) -> None:
    uri = open_doc(client, GEN_DOC)
    line = _line(GEN_DOC, COMMENT)
    params = types.InlineCompletionParams(
        text_document=ident(uri),
        position=types.Position(line=line, character=len(COMMENT)),
        context=types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Invoked),
    )
    got = await client.text_document_inline_completion_async(params)
    assert got is not None
    (item,) = got.items
    assert isinstance(item.insert_text, str) and "askBillingAgent" in item.insert_text
    new = apply(GEN_DOC, [types.TextEdit(range=item.range, new_text=item.insert_text)])
    assert _serious(new, uri) == []


async def test_repair_past_the_budget_says_why(client: LanguageClient, hold: threading.Event) -> None:
    uri = open_doc(client, REPAIR_DOC)
    diags = [d for d in await diagnostics(client, uri) if d.code == "unknown-target"]
    got = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=ident(uri), range=diags[0].range, context=types.CodeActionContext(diagnostics=diags)
        )
    )
    ai = next(a for a in got or [] if isinstance(a, types.CodeAction) and a.title.startswith("Fix with AI"))
    shown = len(client.messages)
    resolved = await client.code_action_resolve_async(ai)
    assert resolved.edit is None
    assert resolved.disabled is not None and "time budget" in resolved.disabled.reason
    (said,) = client.messages[shown:]
    assert "time budget" in said.message
