"""A minimal client (no pull diagnostics, no snippets, no resolve support, no hierarchical
symbols, plain-text hover, UTF-8 preferred): the server pushes diagnostics and falls back
everywhere else."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import fixture_text, ident, open_doc, pos

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning"),
]


async def test_position_encoding_is_utf16(minimal_client: LanguageClient) -> None:
    # the client preferred UTF-8 only; the server answers with the mandatory UTF-16
    result = minimal_client.init_result  # type: ignore[attr-defined]
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf16


async def test_diagnostics_are_pushed(minimal_client: LanguageClient) -> None:
    text = fixture_text("faulty.sw.yaml")
    uri = open_doc(minimal_client, text)
    while True:
        params = await minimal_client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if params.uri == uri:
            break
    codes = sorted(d.code for d in params.diagnostics)
    assert codes == ["duplicate-id", "unknown-target"]
    # the client did not announce relatedInformation, so none is sent
    assert all(d.related_information is None for d in params.diagnostics)
    # edits are pushed again, for the latest version only
    line = text.splitlines().index("      then: finsh")
    minimal_client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=line, character=15),
                        end=types.Position(line=line, character=15),
                    ),
                    text="i",
                )
            ],
        )
    )
    while True:
        params = await minimal_client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if params.uri == uri:
            break
    assert [d.code for d in params.diagnostics] == ["duplicate-id"]
    minimal_client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=ident(uri)))
    params = await minimal_client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert params.uri == uri and list(params.diagnostics) == []


async def test_completion_without_snippets_or_resolve(minimal_client: LanguageClient) -> None:
    text = fixture_text("orders.sw.yaml").replace("      then: ship\n  - ship:", "      then: \n  - ship:")
    uri = open_doc(minimal_client, text)
    at = pos(text, "      then: \n  - ship:", len("      then: "))
    result = await minimal_client.text_document_completion_async(
        types.CompletionParams(text_document=ident(uri), position=at)
    )
    assert isinstance(result, types.CompletionList)
    labels = {i.label for i in result.items}
    assert {"fetchOrder", "route", "ship", "orphan", "end"} <= labels and "review" not in labels
    target = next(i for i in result.items if i.label == "ship")
    assert isinstance(target.documentation, str) and "call" in target.documentation  # inline, no resolve
    # task snippets as plain text
    text2 = text.replace("  - orphan:", "  - \n  - orphan:")
    uri2 = open_doc(minimal_client, text2)
    at2 = pos(text2, "  - \n  - orphan:", 4)
    result = await minimal_client.text_document_completion_async(
        types.CompletionParams(text_document=ident(uri2), position=at2)
    )
    assert isinstance(result, types.CompletionList) and result.items
    assert all(i.insert_text_format is None for i in result.items)
    assert all("${" not in (i.text_edit.new_text if i.text_edit else "") for i in result.items)


async def test_flat_symbols_and_plain_hover(minimal_client: LanguageClient) -> None:
    text = fixture_text("orders.sw.yaml")
    uri = open_doc(minimal_client, text)
    symbols = await minimal_client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=ident(uri))
    )
    assert symbols and all(isinstance(s, types.SymbolInformation) for s in symbols)
    names = {s.name: s.container_name for s in symbols}  # type: ignore[union-attr]
    assert names["inspect"] == "review"
    hover = await minimal_client.text_document_hover_async(
        types.HoverParams(text_document=ident(uri), position=pos(text, "  - ship:", 5))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.PlainText
