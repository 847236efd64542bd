"""Document and workspace symbols, folding and selection ranges, code lens, semantic tokens and
formatting through the protocol."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import apply, fixture_text, ident, open_doc, pos
from wfspec.lsp.structure import TOKEN_TYPES

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning"),
]

ORDERS = fixture_text("orders.sw.yaml")


@pytest.fixture(scope="module")
def orders_uri(client: LanguageClient) -> str:
    return open_doc(client, ORDERS, name="orders.sw.yaml")


def _contains(outer: types.Range, inner: types.Range) -> bool:
    def key(p: types.Position) -> tuple[int, int]:
        return p.line, p.character

    return key(outer.start) <= key(inner.start) and key(inner.end) <= key(outer.end)


async def test_document_symbols_are_a_tree(client: LanguageClient, orders_uri: str) -> None:
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=ident(orders_uri))
    )
    assert symbols is not None and all(isinstance(s, types.DocumentSymbol) for s in symbols)
    names = [s.name for s in symbols]  # type: ignore[union-attr]
    assert names == [
        "apiKey",
        "unusedKey",
        "notify",
        "outOfStock",
        "fetchOrder",
        "route",
        "review",
        "ship",
        "orphan",
    ]
    review = next(s for s in symbols if s.name == "review")
    assert isinstance(review, types.DocumentSymbol) and review.detail == "do"
    assert [c.name for c in review.children or []] == ["inspect", "approve"]

    def check(sym: types.DocumentSymbol) -> None:
        assert _contains(sym.range, sym.selection_range)
        for child in sym.children or []:
            assert _contains(sym.range, child.range)
            check(child)

    for s in symbols:
        assert isinstance(s, types.DocumentSymbol)
        check(s)


async def test_workspace_symbols_search_open_documents(client: LanguageClient, orders_uri: str) -> None:
    result = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="insp"))
    assert result is not None
    hits = [s for s in result if s.name == "inspect"]
    assert hits and any(isinstance(s.location, types.Location) and s.location.uri == orders_uri for s in hits)


async def test_folding_ranges(client: LanguageClient, orders_uri: str) -> None:
    ranges = await client.text_document_folding_range_async(
        types.FoldingRangeParams(text_document=ident(orders_uri))
    )
    assert ranges is not None
    lines = ORDERS.splitlines()
    folds = {(r.start_line, r.end_line) for r in ranges}
    do_line = lines.index("do:")
    assert (do_line, len(lines) - 1) in folds
    review = lines.index("  - review:")
    assert (review, lines.index("      then: ship")) in folds
    assert all(r.start_line < r.end_line for r in ranges)


async def test_selection_ranges_grow_outwards(client: LanguageClient, orders_uri: str) -> None:
    result = await client.text_document_selection_range_async(
        types.SelectionRangeParams(
            text_document=ident(orders_uri), positions=[pos(ORDERS, "approved: true", 3)]
        )
    )
    assert result is not None and len(result) == 1
    chain = []
    node: types.SelectionRange | None = result[0]
    while node is not None:
        chain.append(node.range)
        node = node.parent
    assert len(chain) >= 8
    for inner, outer in zip(chain, chain[1:], strict=False):
        assert _contains(outer, inner) and inner != outer
    assert chain[0].start == pos(ORDERS, "approved: true") and chain[0].end == pos(
        ORDERS, "approved: true", 8
    )


async def test_code_lens_counts_edges(client: LanguageClient, orders_uri: str) -> None:
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(text_document=ident(orders_uri)))
    assert lenses is not None
    by_line = {lens.range.start.line: lens.command.title for lens in lenses if lens.command}
    assert by_line[pos(ORDERS, "  - ship:").line] == "2 incoming · 1 outgoing"
    assert by_line[pos(ORDERS, "  - orphan:").line] == "0 incoming · 1 outgoing"
    assert all(lens.command and lens.command.command == "wfspec.graph" for lens in lenses)


def _decode(data: list[int], text: str) -> list[tuple[str, str]]:
    lines = text.splitlines()
    out = []
    line = char = 0
    for i in range(0, len(data), 5):
        dl, dc, length, t, _mods = data[i : i + 5]
        line += dl
        char = char + dc if dl == 0 else dc
        out.append((lines[line][char : char + length], TOKEN_TYPES[t]))
    return out


async def test_semantic_tokens(client: LanguageClient, orders_uri: str) -> None:
    tokens = await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=ident(orders_uri))
    )
    assert tokens is not None
    decoded = _decode(list(tokens.data), ORDERS)
    assert ("fetchOrder", "function") in decoded
    assert decoded.count(("ship", "function")) == 3  # the task and its two references
    assert ("end", "keyword") in decoded
    assert ("$secrets", "variable") in decoded and ("apiKey", "variable") in decoded


async def test_formatting_normalises_indentation_and_keeps_comments(client: LanguageClient) -> None:
    messy = (
        "# keep me\n"
        "document:\n"
        "    dsl: '1.0.3'\n"
        "    namespace: test\n"
        "    name: fmt\n"
        "    version: '0.1.0'\n"
        "do:\n"
        "- first:   # and me\n"
        "    set:\n"
        "        a: 1\n"
    )
    uri = open_doc(client, messy)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=ident(uri), options=types.FormattingOptions(tab_size=2, insert_spaces=True)
        )
    )
    assert edits
    new = apply(messy, edits)
    assert new == (
        "# keep me\n"
        "document:\n"
        "  dsl: '1.0.3'\n"
        "  namespace: test\n"
        "  name: fmt\n"
        "  version: '0.1.0'\n"
        "do:\n"
        "  - first: # and me\n"
        "      set:\n"
        "        a: 1\n"
    )


async def test_formatting_refuses_syntax_errors(client: LanguageClient) -> None:
    uri = open_doc(client, "document:\n  dsl: '1.0.3\ndo: []\n")
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=ident(uri), options=types.FormattingOptions(tab_size=2, insert_spaces=True)
        )
    )
    assert not edits


async def test_formatting_a_formatted_document_changes_nothing(
    client: LanguageClient, orders_uri: str
) -> None:
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=ident(orders_uri), options=types.FormattingOptions(tab_size=2, insert_spaces=True)
        )
    )
    assert edits is not None and list(edits) == []


async def test_github_steps_are_named_like_the_graph_names_them(client: LanguageClient) -> None:
    text = (
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - name: Install\n        run: npm ci\n"
        "      - id: test\n        run: npm test\n"
        "      - run: echo done\n"
    )
    uri = open_doc(client, text, name=".github/workflows/steps.yml")
    got = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=ident(uri))
    )
    assert got is not None

    def names(symbols: list[types.DocumentSymbol]) -> list[str]:
        out: list[str] = []
        for s in symbols:
            out.append(s.name)
            out.extend(names(list(s.children or [])))
        return out

    found = names([s for s in got if isinstance(s, types.DocumentSymbol)])
    assert {"build", "actions/checkout@v4", "Install", "test", "run: echo done"} <= set(found), found
    assert not any(n.startswith("step-") for n in found), found
