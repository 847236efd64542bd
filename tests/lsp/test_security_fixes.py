"""The script-injection quick fix through the protocol: the code action moves the expression
into the step's ``env:`` and uses the variable, quoted for where it stood; source.fixAll does
the same for every finding (``tests/security/test_check_fix.py``: ``wfspec check --fix``)."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp import ranges
from tests.lsp.conftest import FIXTURES, apply, diagnostics, ident, workspace_edits
from wfspec.analysis.engine import analyze

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning"),
]

#: also read by tests/security/test_check_fix.py
WORKFLOW = """\
on:
  issues:
    types: [opened]
  issue_comment:
permissions:
  issues: write
jobs:
  triage:
    runs-on: ubuntu-latest
    steps:
      - run: echo "New issue ${{ github.event.issue.title }} (#${{ github.event.issue.number }})"
      - name: Reply
        env:
          GH_TOKEN: ${{ github.token }}
        run: |
          echo '${{ github.event.comment.body }}' > body.txt
          gh issue comment "${{ github.event.issue.number }}" --body-file body.txt
      - uses: actions/github-script@v7
        with:
          script: |
            const body = "${{ github.event.comment.body }}";
            core.info(`title: ${{ github.event.issue.title }}`);
"""
_n = [0]


def _open(client: LanguageClient, text: str) -> str:
    _n[0] += 1
    uri = (FIXTURES / ".github" / "workflows" / f"security{_n[0]}.yml").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
        )
    )
    return uri


async def _actions(
    client: LanguageClient, uri: str, diags: list[types.Diagnostic], only: list[str] | None = None
) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=ident(uri),
            range=diags[0].range
            if diags
            else types.Range(
                start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)
            ),
            context=types.CodeActionContext(diagnostics=diags, only=only),
        )
    )
    assert result is not None
    return [a for a in result if isinstance(a, types.CodeAction)]


def _injections(text: str, uri: str) -> list[int]:
    return [f.span.start.line for f in analyze(text, uri).findings if f.rule == "script-injection"]


async def test_quick_fix_moves_the_title_into_env(client: LanguageClient) -> None:
    uri = _open(client, WORKFLOW)
    diags = [d for d in await diagnostics(client, uri) if d.code == "script-injection"]
    assert [d.range.start.line for d in diags] == [10, 15, 20, 21]
    actions = await _actions(client, uri, diags[:1])
    fix = next(a for a in actions if a.title == 'Pass "github.event.issue.title" through env "ISSUE_TITLE"')
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    edits = workspace_edits(fix.edit, uri)
    ranges.assert_edits(edits, WORKFLOW)
    new = apply(WORKFLOW, edits)
    assert '      - run: echo "New issue $ISSUE_TITLE (#${{ github.event.issue.number }})"\n' in new
    assert (
        "        env:\n          ISSUE_TITLE: ${{ github.event.issue.title }}\n      - name: Reply\n" in new
    )
    assert _injections(new, uri) == [17, 22, 23]


async def test_quick_fix_adds_to_an_existing_env_and_unquotes_a_single_quoted_word(
    client: LanguageClient,
) -> None:
    uri = _open(client, WORKFLOW)
    diags = [d for d in await diagnostics(client, uri) if d.code == "script-injection"]
    actions = await _actions(client, uri, [diags[1]])
    fix = next(a for a in actions if a.title.startswith('Pass "github.event.comment.body"'))
    new = apply(WORKFLOW, workspace_edits(fix.edit, uri))
    assert (
        "          GH_TOKEN: ${{ github.token }}\n          COMMENT_BODY: ${{ github.event.comment.body }}\n"
        in new
    )
    assert '          echo "$COMMENT_BODY" > body.txt\n' in new


async def test_github_script_uses_process_env(client: LanguageClient) -> None:
    uri = _open(client, WORKFLOW)
    diags = [d for d in await diagnostics(client, uri) if d.code == "script-injection"]
    expected = (
        "            const body = process.env.COMMENT_BODY;\n",  # the whole string literal
        "            core.info(`title: ${process.env.ISSUE_TITLE}`);\n",  # inside a template
    )
    for d, line in zip(diags[2:], expected, strict=True):
        actions = await _actions(client, uri, [d])
        fix = next(
            a for a in actions if a.kind == types.CodeActionKind.QuickFix and a.title.startswith("Pass")
        )
        assert fix.is_preferred
        new = apply(WORKFLOW, workspace_edits(fix.edit, uri))
        assert line in new
        assert "    steps:" in new and "          script: |\n" in new
        assert new.count("        env:\n") == 2  # the Reply step's and the new one


async def test_fix_all_leaves_no_injection(client: LanguageClient) -> None:
    uri = _open(client, WORKFLOW)
    await diagnostics(client, uri)
    text = WORKFLOW
    for _ in range(4):  # fixes that touch the same env: mapping land in later rounds
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=_ + 2),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        await diagnostics(client, uri)
        actions = await _actions(client, uri, [], only=[types.CodeActionKind.SourceFixAll])
        if not actions or not workspace_edits(actions[0].edit, uri):
            break
        text = apply(text, workspace_edits(actions[0].edit, uri))
    assert _injections(text, uri) == []
    assert [f.rule for f in analyze(text, uri).findings] == []
