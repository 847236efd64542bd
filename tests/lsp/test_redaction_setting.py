"""Redaction through the real protocol: "Fix with AI" against the scripted model on 127.0.0.1
sends a document's credential redacted by default (a loopback endpoint may be a proxy or a
tunnel), and in clear only to an endpoint listed in ``wfspec.llm.unredactedEndpoints``."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.llm.scripted import Reply, ScriptedServer
from tests.lsp.conftest import FIXTURES, SERVER, diagnostics, open_doc, vscode_capabilities, vscode_client

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning"),
]

KEY = "hk_9f8e7d6c5b4a3f2e1d0c"
DOC = f"""\
document:
  dsl: '1.0.3'
  namespace: support
  name: replies
  version: '0.1.0'
do:
  - reply:
      call: http
      with:
        method: post
        endpoint: https://helpdesk.example.com/api/replies
        headers:
          X-Api-Key: {KEY}
      then: clos
  - close:
      set:
        closed: true
"""


@pytest.fixture(scope="module")
def srv() -> Iterator[ScriptedServer]:
    with ScriptedServer(default=Reply(json.dumps({"choice": 1, "replacement": ""}))) as s:
        yield s


def _client() -> LanguageClient:
    lc = vscode_client()

    @lc.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(
        ls: LanguageClient, params: types.ApplyWorkspaceEditParams
    ) -> types.ApplyWorkspaceEditResult:
        return types.ApplyWorkspaceEditResult(applied=True)

    return lc


CONFIG = ClientServerConfig(
    server_command=SERVER, client_factory=_client, server_env={**os.environ, "WFSPEC_API_KEY": "sk-lsp-0000"}
)


async def _start(client: LanguageClient, srv: ScriptedServer, **llm: object) -> None:
    options = {"enabled": True, "baseUrl": srv.base_url, "model": "scripted", "timeoutSeconds": 5, **llm}
    await client.initialize_session(
        types.InitializeParams(
            capabilities=vscode_capabilities(),
            initialization_options={"debounceMs": 0, "llm": options},
            workspace_folders=[types.WorkspaceFolder(uri=FIXTURES.as_uri(), name="fixtures")],
        )
    )


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def default_client(lsp_client: LanguageClient, srv: ScriptedServer):
    await _start(lsp_client, srv)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def unredacted_client(lsp_client: LanguageClient, srv: ScriptedServer):
    await _start(lsp_client, srv, unredactedEndpoints=[srv.base_url + "/"])
    yield
    await lsp_client.shutdown_session()


async def _fix_with_ai(client: LanguageClient, srv: ScriptedServer) -> str:
    """Run "Fix with AI" on the document's finding; the text the model was sent."""
    srv.requests.clear()
    uri = open_doc(client, DOC)
    (d,) = [d for d in await diagnostics(client, uri) if d.code == "unknown-target"]
    rng = {
        "start": {"line": d.range.start.line, "character": d.range.start.character},
        "end": {"line": d.range.end.line, "character": d.range.end.character},
    }
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="wfspec.fixWithAI", arguments=[{"uri": uri, "version": 1, "range": rng, "code": d.code}]
        )
    )
    assert result["ok"], result
    assert srv.requests, "the model was not asked"
    return "\n".join(r.text for r in srv.requests)


async def test_a_loopback_endpoint_gets_the_credential_redacted(
    default_client: LanguageClient, srv: ScriptedServer
) -> None:
    sent = await _fix_with_ai(default_client, srv)
    assert "X-Api-Key: REDACTED_1" in sent and KEY not in sent


async def test_an_endpoint_listed_in_the_setting_gets_the_text_as_it_is(
    unredacted_client: LanguageClient, srv: ScriptedServer
) -> None:
    sent = await _fix_with_ai(unredacted_client, srv)
    assert f"X-Api-Key: {KEY}" in sent
