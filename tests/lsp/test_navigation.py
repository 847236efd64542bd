"""Definition, references, highlight, prepareRename and rename through the protocol, and hover."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import apply, fixture_text, ident, open_doc, pos, workspace_edits
from wfspec.analysis.engine import analyze

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning"),
]

ORDERS = fixture_text("orders.sw.yaml")


@pytest.fixture(scope="module")
def orders_uri(client: LanguageClient) -> str:
    return open_doc(client, ORDERS)


def _lines(locations: list[types.Location] | None) -> list[int]:
    assert locations is not None
    return sorted(loc.range.start.line for loc in locations)


async def test_definition_of_a_then_target(client: LanguageClient, orders_uri: str) -> None:
    result = await client.text_document_definition_async(
        types.DefinitionParams(text_document=ident(orders_uri), position=pos(ORDERS, "then: ship", 8))
    )
    assert isinstance(result, list) and len(result) == 1
    loc = result[0]
    assert isinstance(loc, types.Location)
    assert loc.range.start == pos(ORDERS, "  - ship:", 4) and loc.range.end == pos(ORDERS, "  - ship:", 8)


async def test_definition_of_a_secret_inside_an_expression(client: LanguageClient, orders_uri: str) -> None:
    result = await client.text_document_definition_async(
        types.DefinitionParams(text_document=ident(orders_uri), position=pos(ORDERS, "$secrets.apiKey", 11))
    )
    assert isinstance(result, list)
    assert [loc.range.start for loc in result] == [pos(ORDERS, "- apiKey", 2)]  # type: ignore[union-attr]


async def test_references_of_a_task_and_a_function(client: LanguageClient, orders_uri: str) -> None:
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=ident(orders_uri),
            position=pos(ORDERS, "  - ship:", 5),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    ship_lines = [
        i for i, line in enumerate(ORDERS.splitlines()) if "ship" in line and "shipment" not in line
    ]
    assert _lines(refs) == ship_lines
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=ident(orders_uri),
            position=pos(ORDERS, "    notify:", 5),
            context=types.ReferenceContext(include_declaration=False),
        )
    )
    assert _lines(refs) == [i for i, line in enumerate(ORDERS.splitlines()) if "call: notify" in line]


async def test_highlight_marks_writes_and_reads(client: LanguageClient, orders_uri: str) -> None:
    result = await client.text_document_document_highlight_async(
        types.DocumentHighlightParams(
            text_document=ident(orders_uri), position=pos(ORDERS, "error: outOfStock", 9)
        )
    )
    assert result is not None
    kinds = sorted((h.range.start.line, h.kind) for h in result)
    assert [k for _, k in kinds] == [types.DocumentHighlightKind.Write, types.DocumentHighlightKind.Read]


async def test_rename_a_task_updates_every_then(client: LanguageClient) -> None:
    uri = open_doc(client, ORDERS)
    prep = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=ident(uri), position=pos(ORDERS, "then: review", 8))
    )
    assert isinstance(prep, types.PrepareRenamePlaceholder) and prep.placeholder == "review"
    edit = await client.text_document_rename_async(
        types.RenameParams(
            text_document=ident(uri), position=pos(ORDERS, "then: review", 8), new_name="audit"
        )
    )
    new = apply(ORDERS, workspace_edits(edit, uri))
    assert "  - audit:" in new and "then: audit" in new and "review" not in new
    assert [f.rule for f in analyze(new, uri).findings] == [f.rule for f in analyze(ORDERS, uri).findings]


async def test_rename_a_secret_used_in_an_expression(client: LanguageClient) -> None:
    uri = open_doc(client, ORDERS)
    edit = await client.text_document_rename_async(
        types.RenameParams(
            text_document=ident(uri), position=pos(ORDERS, "- apiKey", 3), new_name="ordersToken"
        )
    )
    new = apply(ORDERS, workspace_edits(edit, uri))
    assert "- ordersToken" in new and "$secrets.ordersToken }" in new and "apiKey" not in new


async def test_rename_refuses_collisions_and_bad_names(client: LanguageClient) -> None:
    uri = open_doc(client, ORDERS)
    with pytest.raises(Exception, match="already exists"):
        await client.text_document_rename_async(
            types.RenameParams(
                text_document=ident(uri), position=pos(ORDERS, "  - ship:", 5), new_name="route"
            )
        )
    with pytest.raises(Exception, match="not a valid name"):
        await client.text_document_rename_async(
            types.RenameParams(
                text_document=ident(uri), position=pos(ORDERS, "- apiKey", 3), new_name="api-key"
            )
        )
    with pytest.raises(Exception, match="flow directive"):
        await client.text_document_rename_async(
            types.RenameParams(text_document=ident(uri), position=pos(ORDERS, "  - ship:", 5), new_name="end")
        )


async def test_prepare_rename_elsewhere_is_null(client: LanguageClient, orders_uri: str) -> None:
    prep = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=ident(orders_uri), position=pos(ORDERS, "namespace: test", 3))
    )
    assert prep is None


async def test_hover_on_a_task_shows_kind_and_edges(client: LanguageClient, orders_uri: str) -> None:
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=ident(orders_uri), position=pos(ORDERS, "  - ship:", 5))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    text = hover.contents.value
    assert "**ship** · `call` task" in text
    assert '"route" (case)' in text and '"review"' in text
    assert "end of the workflow (end)" in text


async def test_hover_on_a_diagnostic_explains_the_rule(client: LanguageClient, orders_uri: str) -> None:
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=ident(orders_uri), position=pos(ORDERS, "  - orphan:", 6))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "*unreachable: no path from the start leads here*" in hover.contents.value
    assert "**unreachable** (warning)" in hover.contents.value and "```yaml" in hover.contents.value


async def test_hover_on_a_reference(client: LanguageClient, orders_uri: str) -> None:
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=ident(orders_uri), position=pos(ORDERS, "$secrets.apiKey", 12))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "**apiKey** · secret declared on line 9; 1 use" in hover.contents.value


async def test_nothing_to_hover(client: LanguageClient, orders_uri: str) -> None:
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=ident(orders_uri), position=pos(ORDERS, "namespace: test", 2))
    )
    assert hover is None


AUTH = """\
document:
  dsl: '1.0.3'
  namespace: test
  name: auth
  version: '0.1.0'
use:
  authentications:
    crmAuth:
      bearer:
        token: ${ $secrets.crmToken }
  secrets:
    - crmToken
do:
  - lookup:
      call: http
      with:
        method: get
        endpoint:
          uri: https://crm.example.com/customers
          authentication:
            use: crmAuth
"""


async def test_authentication_references_completion_and_rename(client: LanguageClient) -> None:
    uri = open_doc(client, AUTH)
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=ident(uri),
            position=pos(AUTH, "use: crmAuth", 6),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert _lines(refs) == [pos(AUTH, "crmAuth:").line, pos(AUTH, "use: crmAuth").line]
    edit = await client.text_document_rename_async(
        types.RenameParams(text_document=ident(uri), position=pos(AUTH, "crmAuth:", 1), new_name="crmBearer")
    )
    new = apply(AUTH, workspace_edits(edit, uri))
    assert "    crmBearer:" in new and "use: crmBearer" in new and analyze(new, uri).findings == []
    text = AUTH.replace("use: crmAuth", "use: ")
    uri2 = open_doc(client, text)
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=ident(uri2), position=pos(text, "use: \n", 5))
    )
    assert isinstance(result, types.CompletionList) and [i.label for i in result.items] == ["crmAuth"]
