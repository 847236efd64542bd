"""The model features are on by default, with the embedded model when no base URL is set. Through
the real protocol, with the settings left at their defaults and the embedded model pointed at a
file that does not exist (``WFSPEC_MODEL_PATH``), so no model can start by accident:

- startup and the deterministic features do not start a model; the "Fix with AI" actions come
  after the deterministic fixes of their diagnostic and are never the preferred fix;
- the first AI request that needs the missing model says so once, clearly, and from then on the
  implicit AI entries are left out while every deterministic feature works as before.
"""

from __future__ import annotations

import os

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.lsp.conftest import (
    FIXTURES,
    INIT_OPTIONS,
    SERVER,
    apply,
    diagnostics,
    fixture_text,
    ident,
    open_doc,
    pos,
    vscode_capabilities,
    vscode_client,
    workspace_edits,
)
from wfspec.analysis.engine import analyze

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning"),
]

FAULTY = fixture_text("faulty.sw.yaml")
MISSING = "/nonexistent/wfspec-test/model.gguf"
REQUEST_DOC = """\
document:
  dsl: '1.0.3'
  namespace: test
  name: requests
  version: '0.1.0'
do:
  - start:
      set:
        ready: true
  # then wait ten seconds and set the status to done
"""


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=SERVER,
        client_factory=vscode_client,
        server_env={**os.environ, "WFSPEC_MODEL_PATH": MISSING},
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
            initialization_options=INIT_OPTIONS,  # the debounce only: llm settings at their defaults
            workspace_folders=[types.WorkspaceFolder(uri=FIXTURES.as_uri(), name="fixtures")],
        )
    )
    yield
    await lsp_client.shutdown_session()


async def _status(client: LanguageClient) -> dict[str, object]:
    got = await client.workspace_execute_command_async(types.ExecuteCommandParams(command="wfspec.aiStatus"))
    assert isinstance(got, dict)
    return got


async def _quick_fixes(client: LanguageClient, uri: str) -> list[types.CodeAction]:
    diags = [d for d in await diagnostics(client, uri) if d.code == "unknown-target"]
    got = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=ident(uri), range=diags[0].range, context=types.CodeActionContext(diagnostics=diags)
        )
    )
    return [a for a in got or [] if isinstance(a, types.CodeAction)]


def _is_ai(action: types.CodeAction) -> bool:
    return action.title.startswith("Fix with AI")


async def test_on_by_default_and_nothing_starts(client: LanguageClient) -> None:
    status = await _status(client)
    assert status["enabled"] is True and "embedded model" in str(status["model"])
    uri = open_doc(client, FAULTY)
    actions = await _quick_fixes(client, uri)
    ai = [i for i, a in enumerate(actions) if _is_ai(a)]
    deterministic = [i for i, a in enumerate(actions) if not _is_ai(a)]
    assert ai and deterministic and max(deterministic) < min(ai), [a.title for a in actions]
    (preferred,) = [a for a in actions if a.is_preferred]
    assert not _is_ai(preferred) and preferred.title == 'Change to "finish"'
    new = apply(FAULTY, workspace_edits(preferred.edit, uri))
    assert "unknown-target" not in {f.rule for f in analyze(new, uri).findings}
    # completion, hover: as without AI; and no model was started by any of it
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=ident(uri), position=pos(FAULTY, "then: finsh", len("then: ")))
    )
    assert result is not None and "finish" in {i.label for i in result.items}
    status = await _status(client)
    assert status["started"] == 0 and status["embeddedUrl"] is None and status["unavailable"] is None


async def _inline(
    client: LanguageClient, uri: str, text: str, line: int
) -> types.InlineCompletionList | None:
    got = await client.text_document_inline_completion_async(
        types.InlineCompletionParams(
            text_document=ident(uri),
            position=types.Position(line=line, character=len(text.splitlines()[line])),
            context=types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Automatic),
        )
    )
    assert got is None or isinstance(got, types.InlineCompletionList)
    return got


async def test_missing_model_is_reported_once(client: LanguageClient) -> None:
    line = REQUEST_DOC.splitlines().index("  # then wait ten seconds and set the status to done")
    uri = open_doc(client, REQUEST_DOC)
    shown = len(client.messages)
    assert await _inline(client, uri, REQUEST_DOC, line) is None
    (message,) = client.messages[shown:]
    assert message.type == types.MessageType.Error
    assert "not installed" in message.message and "pip install" in message.message
    assert "wfspec.llm.enabled" in message.message  # and how to turn AI off instead
    status = await _status(client)
    assert status["unavailable"] and status["embeddedUrl"] is None
    # once: ghost text elsewhere asks nothing and says nothing more
    started = status["started"]
    other = open_doc(client, REQUEST_DOC)
    assert await _inline(client, other, REQUEST_DOC, line) is None
    assert len(client.messages) == shown + 1 and (await _status(client))["started"] == started
    # the implicit AI entries are gone; every deterministic feature works as before
    uri = open_doc(client, FAULTY)
    actions = await _quick_fixes(client, uri)
    assert actions and not [a for a in actions if _is_ai(a)]
    assert any(a.is_preferred for a in actions)
    assert sorted(str(d.code) for d in await diagnostics(client, uri)) == ["duplicate-id", "unknown-target"]
    # an explicit request still answers, with the reason
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="wfspec.generate",
            arguments=[{"uri": other, "position": {"line": line, "character": 0}, "version": 1}],
        )
    )
    assert result["ok"] is False and "unavailable" in result["detail"] and "not installed" in result["detail"]
