"""The deprecated-command quick fix through the protocol: the diagnostic on a ``::set-output``
line carries a preferred quick fix whose edit appends to ``$GITHUB_OUTPUT`` (``$env:GITHUB_OUTPUT``
on a Windows runner), every range checked as VS Code would, and the fixed text analyzes clean;
``source.fixAll`` applies it too."""

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

_n = [0]


def _workflow(runs_on: str) -> str:
    return (
        "on: push\npermissions:\n  contents: read\njobs:\n  release:\n"
        f"    runs-on: {runs_on}\n    steps:\n      - id: version\n"
        '        run: |\n          tag="v1.2.3"\n          echo "::set-output name=tag::$tag"\n'
        '      - run: echo "${{ steps.version.outputs.tag }}"\n'
    )


def _open(client: LanguageClient, text: str) -> str:
    _n[0] += 1
    uri = (FIXTURES / ".github" / "workflows" / f"deprecated{_n[0]}.yml").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
        )
    )
    return uri


async def _actions(
    client: LanguageClient, uri: str, text: str, diags: list[types.Diagnostic], only: list[str] | None = None
) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=ident(uri),
            range=diags[0].range,
            context=types.CodeActionContext(diagnostics=diags, only=only),
        )
    )
    assert result is not None
    ranges.check_result(result, uri, lambda u: text if u == uri else None)
    return [a for a in result if isinstance(a, types.CodeAction)]


@pytest.mark.parametrize(
    "runs_on, line",
    [
        ("ubuntu-latest", '          echo "tag=$tag" >> "$GITHUB_OUTPUT"\n'),
        ("windows-latest", '          echo "tag=$tag" >> $env:GITHUB_OUTPUT\n'),
    ],
)
async def test_quick_fix_rewrites_set_output(client: LanguageClient, runs_on: str, line: str) -> None:
    text = _workflow(runs_on)
    uri = _open(client, text)
    diags = [d for d in await diagnostics(client, uri) if d.code == "deprecated-command"]
    assert len(diags) == 1
    d = diags[0]
    assert (d.range.start.line, d.range.start.character) == (10, 16)
    assert d.severity == types.DiagnosticSeverity.Warning
    assert list(d.tags or []) == [types.DiagnosticTag.Deprecated]
    actions = await _actions(client, uri, text, diags)
    fix = next(a for a in actions if a.title.startswith("Append to"))
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    assert fix.diagnostics and fix.diagnostics[0].code == "deprecated-command"
    edits = workspace_edits(fix.edit, uri)
    ranges.assert_edits(edits, text)
    new = apply(text, edits)
    assert new == text.replace('          echo "::set-output name=tag::$tag"\n', line)
    assert analyze(new, uri).findings == []


async def test_fix_all_applies_it(client: LanguageClient) -> None:
    text = _workflow("ubuntu-latest")
    uri = _open(client, text)
    diags = await diagnostics(client, uri)
    actions = await _actions(client, uri, text, diags, only=[types.CodeActionKind.SourceFixAll])
    (fix_all,) = actions
    edit = fix_all.edit
    if edit is None:
        resolved = await client.code_action_resolve_async(fix_all)
        edit = resolved.edit
    new = apply(text, workspace_edits(edit, uri))
    assert 'echo "tag=$tag" >> "$GITHUB_OUTPUT"' in new
    assert analyze(new, uri).findings == []
