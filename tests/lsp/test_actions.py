"""Code actions through the protocol: quick fixes bound to diagnostics, "ignore this rule on
this line", source.fixAll, and the wfspec.graph command."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import FIXTURES, apply, diagnostics, fixture_text, ident, open_doc, workspace_edits
from wfspec.analysis.engine import analyze

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning"),
]


async def _actions(
    client: LanguageClient, uri: str, diags: list[types.Diagnostic], only: list[str] | None = None
) -> list[types.CodeAction]:
    rng = (
        diags[0].range
        if diags
        else types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
    )
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=ident(uri),
            range=rng,
            context=types.CodeActionContext(diagnostics=diags, only=only),
        )
    )
    assert result is not None
    return [a for a in result if isinstance(a, types.CodeAction)]


async def test_quick_fix_is_bound_and_preferred(client: LanguageClient) -> None:
    text = fixture_text("faulty.sw.yaml")
    uri = open_doc(client, text)
    diags = [d for d in await diagnostics(client, uri) if d.code == "unknown-target"]
    actions = await _actions(client, uri, diags)
    fix = next(a for a in actions if a.title == 'Change to "finish"')
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    assert fix.diagnostics and fix.diagnostics[0].code == "unknown-target"
    new = apply(text, workspace_edits(fix.edit, uri))
    assert "then: finish" in new
    assert [f.rule for f in analyze(new, uri).findings] == ["duplicate-id"]


async def test_ignore_rule_on_this_line(client: LanguageClient) -> None:
    text = fixture_text("orders.sw.yaml")
    uri = open_doc(client, text)
    diags = [d for d in await diagnostics(client, uri) if d.code == "unreachable"]
    actions = await _actions(client, uri, diags)
    ignore = next(a for a in actions if a.title == 'Ignore "unreachable" on this line')
    assert not ignore.is_preferred
    new = apply(text, workspace_edits(ignore.edit, uri))
    assert "  # wfspec: ignore[unreachable]\n  - orphan:" in new
    assert [f.rule for f in analyze(new, uri).findings] == ["unused-definition"]


async def test_ignore_extends_an_existing_comment(client: LanguageClient) -> None:
    text = fixture_text("faulty.sw.yaml").replace(
        "  - finish:\n      set:\n        again",
        "  # wfspec: ignore[unreachable]\n  - finish:\n      set:\n        again",
    )
    uri = open_doc(client, text)
    diags = [d for d in await diagnostics(client, uri) if d.code == "duplicate-id"]
    actions = await _actions(client, uri, diags)
    ignore = next(a for a in actions if a.title == 'Ignore "duplicate-id" on this line')
    new = apply(text, workspace_edits(ignore.edit, uri))
    assert "# wfspec: ignore[unreachable, duplicate-id]" in new
    assert "duplicate-id" not in {f.rule for f in analyze(new, uri).findings}


async def test_fix_all_source_action(client: LanguageClient) -> None:
    text = fixture_text("faulty.sw.yaml")
    uri = open_doc(client, text)
    await diagnostics(client, uri)
    actions = await _actions(client, uri, [], only=[types.CodeActionKind.SourceFixAll])
    assert [a.kind for a in actions] == ["source.fixAll.wfspec"]
    new = apply(text, workspace_edits(actions[0].edit, uri))
    assert analyze(new, uri).findings == []
    # quick fixes are not offered when only source actions are asked for
    assert all(a.kind != types.CodeActionKind.QuickFix for a in actions)


async def test_no_actions_for_a_clean_range(client: LanguageClient) -> None:
    uri = open_doc(client, fixture_text("orders.sw.yaml"))
    await diagnostics(client, uri)
    assert await _actions(client, uri, []) == []


async def test_graph_command_returns_mermaid(client: LanguageClient) -> None:
    uri = open_doc(client, fixture_text("orders.sw.yaml"))
    text = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="wfspec.graph", arguments=[uri])
    )
    assert isinstance(text, str) and text.startswith("flowchart TD")
    assert "fetchOrder" in text and "orphan" in text
    # a file that is not open is read from disk
    disk = (FIXTURES / "faulty.sw.yaml").as_uri()
    text = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="wfspec.graph", arguments=[{"uri": disk}, "dot"])
    )
    assert isinstance(text, str) and text.startswith("digraph")


async def test_graph_command_rejects_bad_arguments(client: LanguageClient) -> None:
    with pytest.raises(Exception, match="URI"):
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="wfspec.graph", arguments=[])
        )
