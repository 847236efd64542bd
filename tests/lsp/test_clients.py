"""The capability sets pytest-lsp recorded from real editors (Emacs 29 eglot, Neovim 0.7 and
0.11): diagnostics by pull or push as announced, completion, a quick fix, hover and symbols, all
without LSP specification warnings."""

from __future__ import annotations

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.lsp.conftest import INIT_OPTIONS, SERVER, fixture_text, ident, open_doc, pos

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning"),
]

FAULTY = fixture_text("faulty.sw.yaml")


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER),
    scope="module",
    params=["emacs@v29.1", "neovim@v0.7.0", "neovim@v0.11.0"],
)
async def editor(lsp_client: LanguageClient, request: pytest.FixtureRequest):
    lsp_client.editor = request.param  # type: ignore[attr-defined]
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param), initialization_options=INIT_OPTIONS
        )
    )
    yield
    await lsp_client.shutdown_session()


async def _diagnostics(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    caps = client.capabilities
    assert caps is not None
    if caps.text_document is not None and caps.text_document.diagnostic is not None:
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=ident(uri))
        )
        assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
        return list(report.items)
    while True:
        params = await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if params.uri == uri:
            return list(params.diagnostics)


async def test_editor_round_trip(editor: LanguageClient) -> None:
    client = editor
    uri = open_doc(client, FAULTY)
    diags = await _diagnostics(client, uri)
    assert sorted(str(d.code) for d in diags) == ["duplicate-id", "unknown-target"]
    at = pos(FAULTY, "then: finsh", len("then: "))
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=ident(uri), position=at)
    )
    items = result.items if isinstance(result, types.CompletionList) else result or []
    assert "finish" in {i.label for i in items} and "start" not in {i.label for i in items}
    target = next(d for d in diags if d.code == "unknown-target")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=ident(uri),
            range=target.range,
            context=types.CodeActionContext(diagnostics=[target]),
        )
    )
    assert actions and any(isinstance(a, types.CodeAction) and a.is_preferred for a in actions)
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=ident(uri), position=pos(FAULTY, "  - start:", 5))
    )
    assert hover is not None
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=ident(uri))
    )
    assert symbols and {s.name for s in symbols} == {"start", "finish"}
