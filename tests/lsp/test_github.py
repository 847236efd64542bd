"""The same features on a GitHub Actions workflow: everything goes through the dialect-neutral
IR, so jobs and steps behave like tasks (needs completion, definition, rename, symbols)."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import FIXTURES, apply, diagnostics, fixture_text, ident, pos, workspace_edits
from wfspec.analysis.engine import analyze

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning"),
]

CI = fixture_text("ci.yml")
_n = [0]


def _open(client: LanguageClient, text: str) -> str:
    _n[0] += 1
    uri = (FIXTURES / ".github" / "workflows" / f"ci{_n[0]}.yml").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
        )
    )
    return uri


async def test_clean_workflow_and_symbols(client: LanguageClient) -> None:
    uri = _open(client, CI)
    assert await diagnostics(client, uri) == []
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=ident(uri))
    )
    assert symbols is not None
    jobs = {s.name: s for s in symbols if isinstance(s, types.DocumentSymbol)}
    assert set(jobs) == {"lint", "test", "deploy"}
    assert "toolchain" in {c.name for c in jobs["lint"].children or []}


async def test_needs_completion_offers_other_jobs(client: LanguageClient) -> None:
    text = CI.replace("    needs: lint\n", "    needs: \n")
    uri = _open(client, text)
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=ident(uri), position=pos(text, "    needs: \n", len("    needs: "))
        )
    )
    assert isinstance(result, types.CompletionList)
    assert {i.label for i in result.items} == {"lint", "deploy"}


async def test_definition_and_rename_of_a_job(client: LanguageClient) -> None:
    uri = _open(client, CI)
    result = await client.text_document_definition_async(
        types.DefinitionParams(text_document=ident(uri), position=pos(CI, "needs.test.result", 7))
    )
    assert isinstance(result, list) and [loc.range.start for loc in result] == [pos(CI, "  test:", 2)]  # type: ignore[union-attr]
    edit = await client.text_document_rename_async(
        types.RenameParams(text_document=ident(uri), position=pos(CI, "  test:", 3), new_name="unit-tests")
    )
    new = apply(CI, workspace_edits(edit, uri))
    assert "  unit-tests:" in new and "needs: [lint, unit-tests]" in new and "needs.unit-tests.result" in new
    assert analyze(new, uri).findings == []


async def test_rename_a_step_id_used_in_an_expression(client: LanguageClient) -> None:
    uri = _open(client, CI)
    edit = await client.text_document_rename_async(
        types.RenameParams(text_document=ident(uri), position=pos(CI, "id: toolchain", 5), new_name="tools")
    )
    new = apply(CI, workspace_edits(edit, uri))
    assert "id: tools" in new and "steps.tools.outputs.path" in new
    assert analyze(new, uri).findings == []


async def test_hover_and_code_lens_on_jobs(client: LanguageClient) -> None:
    uri = _open(client, CI)
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=ident(uri), position=pos(CI, "  deploy:", 3))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "**deploy** · job" in hover.contents.value and '"test" (needs)' in hover.contents.value
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(text_document=ident(uri)))
    assert lenses and any(lens.command and "incoming" in lens.command.title for lens in lenses)
