"""Every range the server returns for every shipped spec is one VS Code accepts.

Each file in ``specs/github/`` and ``specs/serverless/`` (clean and faulty) goes through the
structure requests (symbols, folding, selection ranges, code lens, semantic tokens), diagnostics,
formatting and the quick fixes of its findings, and each result is checked with
:mod:`tests.lsp.ranges`. The checker itself is tested first, on the shapes VS Code rejects.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp import ranges
from tests.lsp.conftest import FIXTURES, diagnostics, ident, open_doc

pytestmark = [pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")]
protocol = pytest.mark.asyncio(loop_scope="session")

SPECS = Path(__file__).resolve().parents[2] / "specs"
FILES = sorted(
    p
    for d in ("github", "serverless")
    for p in (SPECS / d).rglob("*")
    if p.suffix in (".yml", ".yaml") and p.is_file()
)


def _r(a: int, b: int, c: int, d: int) -> types.Range:
    return types.Range(start=types.Position(a, b), end=types.Position(c, d))


def _sym(name: str, rng: types.Range, sel: types.Range, children=None) -> types.DocumentSymbol:  # noqa: ANN001
    return types.DocumentSymbol(
        name=name, kind=types.SymbolKind.Class, range=rng, selection_range=sel, children=children
    )


# -- the checker --------------------------------------------------------------------------------

TEXT = "jobs:\n  build:\n    runs-on: x\n"


def test_checker_rejects_a_selection_range_outside_the_range() -> None:
    # the shape GitHub job symbols had: the body starts on the line after the key
    bad = _sym("build", _r(2, 4, 3, 0), _r(1, 2, 1, 7))
    with pytest.raises(ranges.RangeError, match="selectionRange must be contained in fullRange"):
        ranges.assert_symbols([bad], TEXT)
    ranges.assert_symbols([_sym("build", _r(1, 2, 3, 0), _r(1, 2, 1, 7))], TEXT)


def test_checker_rejects_nested_faults_empty_names_and_ranges_outside_the_text() -> None:
    child = _sym("x", _r(2, 4, 2, 9), _r(2, 5, 2, 4))  # selection ends before it starts
    with pytest.raises(ranges.RangeError, match="ends before it starts"):
        ranges.assert_symbols([_sym("jobs", _r(0, 0, 3, 0), _r(0, 0, 0, 4), [child])], TEXT)
    outside = _sym("x", _r(0, 0, 3, 0), _r(0, 0, 0, 4))
    with pytest.raises(ranges.RangeError, match="outside its parent"):
        ranges.assert_symbols([_sym("build", _r(1, 2, 2, 0), _r(1, 2, 1, 7), [outside])], TEXT)
    with pytest.raises(ranges.RangeError, match="falsy"):
        ranges.assert_symbols([_sym("", _r(0, 0, 0, 4), _r(0, 0, 0, 4))], TEXT)
    with pytest.raises(ranges.RangeError, match="past the end of line"):
        ranges.assert_symbols([_sym("jobs", _r(0, 0, 0, 9), _r(0, 0, 0, 4))], TEXT)
    with pytest.raises(ranges.RangeError, match="past the last line"):
        ranges.assert_symbols([_sym("jobs", _r(0, 0, 4, 0), _r(0, 0, 0, 4))], TEXT)


def test_checker_rejects_bad_folding_selection_tokens_and_edits() -> None:
    with pytest.raises(ranges.RangeError):
        ranges.assert_folding([types.FoldingRange(start_line=2, end_line=1)], TEXT)
    with pytest.raises(ranges.RangeError):
        ranges.assert_folding([types.FoldingRange(start_line=1, end_line=4)], TEXT)
    ranges.assert_folding([types.FoldingRange(start_line=1, end_line=2)], TEXT)

    inner = types.SelectionRange(range=_r(1, 2, 1, 7))
    ranges.assert_selection(
        [types.SelectionRange(range=_r(1, 0, 3, 0), parent=None)], [types.Position(1, 3)], TEXT
    )
    with pytest.raises(ranges.RangeError, match="must contain the previous range"):
        ranges.assert_selection([inner], [types.Position(2, 0)], TEXT)
    with pytest.raises(ranges.RangeError, match="must contain the previous range"):
        ranges.assert_selection(
            [types.SelectionRange(range=_r(1, 0, 3, 0), parent=types.SelectionRange(range=_r(1, 2, 1, 7)))],
            [types.Position(1, 3)],
            TEXT,
        )
    with pytest.raises(ranges.RangeError, match="2 positions"):
        ranges.assert_selection([inner], [types.Position(1, 3), types.Position(1, 4)], TEXT)

    ranges.assert_tokens([1, 2, 5, 0, 0], TEXT)
    with pytest.raises(ranges.RangeError, match="past the end of line"):
        ranges.assert_tokens([1, 2, 9, 0, 0], TEXT)
    with pytest.raises(ranges.RangeError, match="overlaps"):
        ranges.assert_tokens([1, 2, 5, 0, 0, 0, 1, 2, 0, 0], TEXT)
    with pytest.raises(ranges.RangeError, match="empty"):
        ranges.assert_tokens([1, 2, 0, 0, 0], TEXT)

    ranges.assert_edits([types.TextEdit(range=_r(1, 2, 1, 7), new_text="b")], TEXT)
    with pytest.raises(ranges.RangeError, match="overlapping"):
        ranges.assert_edits(
            [
                types.TextEdit(range=_r(1, 2, 1, 7), new_text="b"),
                types.TextEdit(range=_r(1, 4, 2, 0), new_text=""),
            ],
            TEXT,
        )
    with pytest.raises(ranges.RangeError, match="past the last line"):
        ranges.assert_edits([types.TextEdit(range=_r(0, 0, 5, 0), new_text="")], TEXT)


def test_checker_follows_related_information_and_workspace_edits_into_their_documents() -> None:
    other = "file:///other.yml"
    texts = {"file:///doc.yml": TEXT, other: "a: 1\n"}
    diag = types.Diagnostic(
        range=_r(1, 2, 1, 7),
        message="m",
        related_information=[
            types.DiagnosticRelatedInformation(
                location=types.Location(uri=other, range=_r(0, 0, 0, 9)), message="r"
            )
        ],
    )
    with pytest.raises(ranges.RangeError, match="other.yml"):
        ranges.check_result([diag], "file:///doc.yml", texts.get)
    edit = types.WorkspaceEdit(changes={other: [types.TextEdit(range=_r(2, 0, 2, 0), new_text="x")]})
    with pytest.raises(ranges.RangeError, match="past the last line"):
        ranges.check_result(edit, "file:///doc.yml", texts.get)
    ranges.check_result(
        types.WorkspaceEdit(changes={other: [types.TextEdit(range=_r(1, 0, 1, 0), new_text="x")]}),
        "file:///doc.yml",
        texts.get,
    )
    # a workspace diagnostic report is about the document it names
    report = types.WorkspaceDiagnosticReport(
        items=[
            types.WorkspaceFullDocumentDiagnosticReport(
                uri=other, version=None, items=[types.Diagnostic(range=_r(0, 0, 0, 9), message="m")]
            )
        ]
    )
    with pytest.raises(ranges.RangeError, match="past the end of line 0"):
        ranges.check_result(report, None, texts.get)


# -- every shipped spec through the protocol ---------------------------------------------------

_n = [0]


def _open(client: LanguageClient, path: Path) -> tuple[str, str]:
    text = path.read_text(encoding="utf-8")
    if SPECS / "github" in path.parents:
        _n[0] += 1
        uri = (FIXTURES / ".github" / "workflows" / f"r{_n[0]}-{path.name}").as_uri()
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
            )
        )
        return uri, text
    return open_doc(client, text, name=path.name), text


def _positions(text: str) -> list[types.Position]:
    """Positions on every line: its first character, its middle and its end."""
    out = []
    for i, line in enumerate(text.split("\n")):
        for ch in sorted({0, len(line) // 2, len(line)}):
            out.append(types.Position(line=i, character=len(line[:ch].encode("utf-16-le")) // 2))
    return out


@protocol
@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
async def test_every_range_of_a_shipped_spec(client: LanguageClient, path: Path) -> None:
    uri, text = _open(client, path)
    doc = ident(uri)

    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc))
    ranges.assert_symbols(symbols, text)
    if path.parent == SPECS / "github":
        assert symbols, "a GitHub workflow has job symbols"

    folds = await client.text_document_folding_range_async(types.FoldingRangeParams(text_document=doc))
    ranges.assert_folding(folds, text)

    positions = _positions(text)
    sel = await client.text_document_selection_range_async(
        types.SelectionRangeParams(text_document=doc, positions=positions)
    )
    ranges.assert_selection(sel, positions, text)

    lenses = await client.text_document_code_lens_async(types.CodeLensParams(text_document=doc))
    for lens in lenses or []:
        ranges.Lines(text).check_range(lens.range, "code lens")

    tokens = await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=doc)
    )
    assert tokens is not None
    ranges.assert_tokens(tokens.data, text)

    diags = await diagnostics(client, uri)
    ranges.check_result(diags, uri, {uri: text}.get)
    for d in diags:
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=doc, range=d.range, context=types.CodeActionContext(diagnostics=[d])
            )
        )
        for a in actions or []:
            if isinstance(a, types.CodeAction) and a.edit is not None:
                ranges.check_result(a.edit, uri, {uri: text}.get)

    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=doc, options=types.FormattingOptions(tab_size=2, insert_spaces=True)
        )
    )
    ranges.assert_edits(edits or [], text)


@protocol
@pytest.mark.parametrize("path", [p for p in FILES if p.suffix == ".yml"], ids=lambda p: p.name)
async def test_flat_symbols_of_github_specs(minimal_client: LanguageClient, path: Path) -> None:
    uri, text = _open(minimal_client, path)
    symbols = await minimal_client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=ident(uri))
    )
    ranges.assert_symbols(symbols, text)


def test_checker_rejects_completion_ranges_vscode_drops() -> None:
    at = types.Position(1, 4)

    def item(rng: types.Range) -> types.CompletionItem:
        return types.CompletionItem(label="x", text_edit=types.TextEdit(range=rng, new_text="x"))

    ranges.assert_completion([item(_r(1, 2, 1, 7))], at, TEXT)
    with pytest.raises(ranges.RangeError, match="single line"):
        ranges.assert_completion([item(_r(1, 2, 2, 0))], at, TEXT)
    with pytest.raises(ranges.RangeError, match="single line"):
        ranges.assert_completion([item(_r(2, 0, 2, 4))], at, TEXT)
    with pytest.raises(ranges.RangeError, match="does not contain the position"):
        ranges.assert_completion([item(_r(1, 5, 1, 7))], at, TEXT)
    replace = types.InsertReplaceEdit(new_text="x", insert=_r(1, 2, 1, 4), replace=_r(1, 2, 2, 1))
    with pytest.raises(ranges.RangeError, match="replace"):
        ranges.assert_completion(
            types.CompletionList(
                is_incomplete=False, items=[types.CompletionItem(label="y", text_edit=replace)]
            ),
            at,
            TEXT,
        )
