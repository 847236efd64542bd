"""Completion through the protocol with VS Code's capabilities: flow targets (scope-correct,
never the task itself), property keys, task snippets, use definitions, expression variables,
resolve; also while the document does not parse."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import diagnostics, fixture_text, ident, open_doc, pos

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning"),
]

ORDERS = fixture_text("orders.sw.yaml")
FLOW = {"continue", "exit", "end"}


async def _complete(client: LanguageClient, text: str, marker: str, delta: int) -> list[types.CompletionItem]:
    uri = open_doc(client, text)
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=ident(uri), position=pos(text, marker, delta))
    )
    assert isinstance(result, types.CompletionList)
    return list(result.items)


async def test_then_offers_tasks_of_the_same_scope_but_not_itself(client: LanguageClient) -> None:
    text = ORDERS.replace("      then: ship\n  - ship:", "      then: \n  - ship:")
    items = await _complete(client, text, "      then: \n  - ship:", len("      then: "))
    labels = {i.label for i in items}
    assert labels == FLOW | {"fetchOrder", "route", "ship", "orphan"}
    ship = next(i for i in items if i.label == "ship")
    assert ship.kind == types.CompletionItemKind.Reference
    assert ship.text_edit is not None and ship.text_edit.new_text == "ship"


async def test_then_inside_a_nested_do(client: LanguageClient) -> None:
    text = ORDERS.replace(
        "            call: notify\n        - approve:",
        "            call: notify\n            then: \n        - approve:",
    )
    items = await _complete(client, text, "            then: \n", len("            then: "))
    assert {i.label for i in items} == FLOW | {"approve"}


async def test_switch_case_then_excludes_the_switch(client: LanguageClient) -> None:
    text = ORDERS.replace("            then: review", "            then: rev")
    items = await _complete(client, text, "then: rev", len("then: rev"))
    labels = {i.label for i in items}
    assert "review" in labels and "route" not in labels
    review = next(i for i in items if i.label == "review")
    assert review.text_edit is not None
    edit = review.text_edit
    assert isinstance(edit, types.TextEdit) and edit.range.end.character - edit.range.start.character == 3


async def test_property_keys_for_the_task_kind(client: LanguageClient) -> None:
    text = ORDERS.replace(
        "      call: notify\n      then: end", "      call: notify\n      \n      then: end"
    )
    items = await _complete(client, text, "      call: notify\n      \n", len("      call: notify\n      "))
    labels = {i.label for i in items}
    assert {"with", "if", "input", "output", "export", "timeout", "metadata"} <= labels
    assert "call" not in labels and "then" not in labels and "switch" not in labels
    with_item = next(i for i in items if i.label == "with")
    assert with_item.text_edit is not None and with_item.text_edit.new_text == "with: "
    assert with_item.documentation is not None


async def test_task_snippets_for_a_new_list_item(client: LanguageClient) -> None:
    text = ORDERS.replace("  - orphan:", "  - \n  - orphan:")
    items = await _complete(client, text, "  - \n  - orphan:", 4)
    labels = {i.label for i in items}
    assert {"call http task", "switch task", "for task", "try / catch task", "set task"} <= labels
    http = next(i for i in items if i.label == "call http task")
    assert http.insert_text_format == types.InsertTextFormat.Snippet
    assert http.insert_text_mode == types.InsertTextMode.AsIs
    assert http.text_edit is not None
    assert http.text_edit.new_text.startswith("${1:callTask}:\n      call: http\n      with:\n")


async def test_snippet_on_an_empty_line_adds_the_dash(client: LanguageClient) -> None:
    text = ORDERS.replace("  - orphan:", "  \n  - orphan:")
    items = await _complete(client, text, "  \n  - orphan:", 2)
    sw = next(i for i in items if i.label == "switch task")
    assert sw.text_edit is not None and sw.text_edit.new_text.startswith("- ${1:switchTask}:\n      switch:")


async def test_secrets_in_expressions(client: LanguageClient) -> None:
    text = ORDERS.replace("$secrets.apiKey }", "$secrets.ap }")
    items = await _complete(client, text, "$secrets.ap", len("$secrets.ap"))
    assert {i.label for i in items} == {"apiKey", "unusedKey"}
    api = next(i for i in items if i.label == "apiKey")
    assert (
        api.text_edit is not None
        and api.text_edit.range.end.character - api.text_edit.range.start.character == 2
    )


async def test_runtime_variables_after_dollar(client: LanguageClient) -> None:
    text = ORDERS.replace("$secrets.apiKey }", "$ }")
    items = await _complete(client, text, "+ $ }", 3)
    assert {"$secrets", "$context", "$workflow", "$task", "$runtime"} <= {i.label for i in items}


async def test_call_offers_functions_and_builtins(client: LanguageClient) -> None:
    text = ORDERS.replace("      call: notify\n      then: end", "      call: \n      then: end")
    items = await _complete(client, text, "      call: \n      then: end", len("      call: "))
    labels = {i.label for i in items}
    assert {"notify", "http", "grpc", "openapi", "asyncapi", "a2a", "mcp"} == labels


async def test_raise_error_offers_declared_errors(client: LanguageClient) -> None:
    text = ORDERS.replace("error: outOfStock", "error: out")
    items = await _complete(client, text, "error: out", len("error: out"))
    assert [i.label for i in items] == ["outOfStock"]


async def test_http_with_keys_and_method_values(client: LanguageClient) -> None:
    text = ORDERS.replace("        method: get\n", "        method: \n        \n")
    items = await _complete(client, text, "        method: \n", len("        method: "))
    assert "post" in {i.label for i in items}
    items = await _complete(client, text, "        method: \n        \n", len("        method: \n        "))
    labels = {i.label for i in items}
    assert {"body", "query", "output"} <= labels and not {"method", "endpoint", "headers"} & labels


async def test_top_level_keys(client: LanguageClient) -> None:
    text = ORDERS + "\n"
    items = await _complete(client, text, "error: outOfStock\n\n", len("error: outOfStock\n\n"))
    labels = {i.label for i in items}
    assert {"input", "output", "timeout", "schedule"} <= labels and "do" not in labels


async def test_resolve_fills_in_documentation(client: LanguageClient) -> None:
    text = ORDERS.replace("      then: ship\n  - ship:", "      then: \n  - ship:")
    items = await _complete(client, text, "      then: \n  - ship:", len("      then: "))
    ship = next(i for i in items if i.label == "ship")
    assert ship.documentation is None and ship.data
    resolved = await client.completion_item_resolve_async(ship)
    assert isinstance(resolved.documentation, types.MarkupContent)
    assert "**ship**" in resolved.documentation.value and "`call` task" in resolved.documentation.value


async def test_completion_while_the_document_does_not_parse(client: LanguageClient) -> None:
    uri = open_doc(client, ORDERS)
    await diagnostics(client, uri)
    broken = ORDERS.replace("      then: ship\n  - ship:", '      then: "\n  - ship:')
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=broken)],
        )
    )
    assert (await diagnostics(client, uri))[0].code == "syntax"
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=ident(uri), position=pos(broken, 'then: "\n', len('then: "')))
    )
    assert isinstance(result, types.CompletionList)
    assert {"fetchOrder", "route", "ship", "orphan"} <= {i.label for i in result.items}


async def test_nothing_inside_comments(client: LanguageClient) -> None:
    text = ORDERS.replace("# Orders: a small", "# then: a small")
    uri = open_doc(client, text)
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=ident(uri), position=pos(text, "# then: ", 8))
    )
    assert result is None or not result.items
