"""Structure features: document symbols (a tree of tasks inside their scopes, plus ``use``
definitions), workspace symbols (open documents), folding ranges, selection ranges, code lens
("N incoming · M outgoing" per task) and semantic tokens for task references, flow keywords,
definitions and expression contexts.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lsprotocol import types

from wfspec.ir import TaskNode, Workflow
from wfspec.lsp import convert, locate, navigation
from wfspec.lsp.hover import edges_of
from wfspec.lsp.state import Snapshot, WfspecServer
from wfspec.syntax.tree import MapNode, Node, ScalarNode, SeqNode, Span

if TYPE_CHECKING:
    from wfspec.analysis.engine import Analysis

_TASK_SYMBOL = {
    "job": types.SymbolKind.Class,
    "step": types.SymbolKind.Function,
    "switch": types.SymbolKind.Enum,
    "for": types.SymbolKind.Array,
    "fork": types.SymbolKind.Struct,
    "try": types.SymbolKind.Object,
    "do": types.SymbolKind.Namespace,
    "raise": types.SymbolKind.Event,
    "emit": types.SymbolKind.Event,
    "listen": types.SymbolKind.Event,
}
_DEF_SYMBOL = {
    "function": types.SymbolKind.Function,
    "error": types.SymbolKind.Struct,
    "secret": types.SymbolKind.Key,
    "authentication": types.SymbolKind.Key,
    "retry": types.SymbolKind.Constant,
    "timeout": types.SymbolKind.Constant,
}


# -- document symbols -------------------------------------------------------------------------


def _task_symbol(wf: Workflow, node: TaskNode) -> types.DocumentSymbol:
    children: list[types.DocumentSymbol] = []
    extra_scopes = [wf.scopes[s] for s in node.inner]
    for scope in extra_scopes:
        inner = [_task_symbol(wf, wf.nodes[t]) for t in scope.tasks]
        if scope.kind in ("catch", "foreach") and inner and scope.span is not None:
            children.append(
                types.DocumentSymbol(
                    name=scope.kind,
                    kind=types.SymbolKind.Namespace,
                    range=_within(convert.range_of(scope.span), node),
                    selection_range=_within(convert.range_of(scope.span), node),
                    children=inner,
                )
            )
        else:
            children.extend(inner)
    rng = convert.range_of(_extent(node))
    return types.DocumentSymbol(
        name=str(node.payload.get("label") or node.name or "(unnamed)"),
        detail=node.kind,
        kind=_TASK_SYMBOL.get(node.kind, types.SymbolKind.Function),
        range=rng,
        selection_range=convert.range_of(node.name_span),
        children=children or None,
    )


def _extent(node: TaskNode) -> Span:
    """A task's whole extent: its name and its body. A GitHub job's body (the mapping under
    ``build:``) starts on the line after its key, so the body alone does not contain the name,
    and VS Code rejects a symbol whose selection range lies outside its range."""
    name, body = node.name_span, node.body_span
    start = min(name.start, body.start, key=lambda p: p.offset)
    end = max(name.end, body.end, key=lambda p: p.offset)
    return Span(start, end)


def _within(rng: types.Range, node: TaskNode) -> types.Range:
    """Clamp a range into a task's range (children must lie inside their parent)."""
    outer = convert.range_of(_extent(node))

    def key(p: types.Position) -> tuple[int, int]:
        return p.line, p.character

    start = max(rng.start, outer.start, key=key)
    end = min(rng.end, outer.end, key=key)
    if key(end) < key(start):
        end = start
    return types.Range(start=start, end=end)


def _definition_symbols(analysis: Analysis) -> list[types.DocumentSymbol]:
    wf = analysis.workflow
    assert wf is not None
    out = []
    for d in wf.definitions:
        if d.kind not in _DEF_SYMBOL:
            continue
        rng = convert.range_of(d.span)
        if d.node is not None and d.node.span.end.offset > d.span.end.offset:
            rng = convert.range_at(analysis.doc.index, d.span.start.offset, d.node.span.end.offset)
        out.append(
            types.DocumentSymbol(
                name=d.name,
                detail=d.kind,
                kind=_DEF_SYMBOL[d.kind],
                range=rng,
                selection_range=convert.range_of(d.span),
            )
        )
    return out


def _flatten(
    symbols: list[types.DocumentSymbol], uri: str, container: str | None
) -> list[types.SymbolInformation]:
    out: list[types.SymbolInformation] = []
    for s in symbols:
        out.append(
            types.SymbolInformation(
                name=s.name,
                kind=s.kind,
                location=types.Location(uri=uri, range=s.selection_range),
                container_name=container,
            )
        )
        out.extend(_flatten(list(s.children or []), uri, s.name))
    return out


def symbols_of(snap: Snapshot) -> list[types.DocumentSymbol]:
    def compute() -> list[types.DocumentSymbol]:
        wf = snap.analysis.workflow
        if wf is None:
            return []
        top = [_task_symbol(wf, wf.nodes[t]) for t in wf.scopes[wf.root_scope].tasks]
        return _definition_symbols(snap.analysis) + top

    return snap.get("symbols", compute)


async def document_symbol(
    ls: WfspecServer, params: types.DocumentSymbolParams
) -> list[types.DocumentSymbol] | list[types.SymbolInformation] | None:
    snap = await ls.snapshot(params.text_document.uri, urgent=False)
    if snap is None:
        return None
    symbols = symbols_of(snap)
    if ls.capability("text_document.document_symbol.hierarchical_document_symbol_support"):
        return symbols
    return _flatten(symbols, snap.uri, None)


def _matches(query: str, name: str) -> bool:
    """Case-insensitive subsequence match (what editors' symbol pickers expect)."""
    it = iter(name.lower())
    return all(ch in it for ch in query.lower())


async def workspace_symbol(
    ls: WfspecServer, params: types.WorkspaceSymbolParams
) -> list[types.WorkspaceSymbol]:
    out: list[types.WorkspaceSymbol] = []
    for uri in list(ls.documents):
        snap = ls.snapshots.get(uri) or await ls.snapshot(uri, urgent=False)
        if snap is None:
            continue
        for info in _flatten(symbols_of(snap), uri, None):
            if _matches(params.query, info.name):
                out.append(
                    types.WorkspaceSymbol(
                        name=info.name,
                        kind=info.kind,
                        location=info.location,
                        container_name=info.container_name,
                    )
                )
                if len(out) >= 1000:
                    return out
    return out


# -- folding ----------------------------------------------------------------------------------


def _last_line(text: str, start: int, end: int, index_line: int) -> int:
    """The line of the last non-blank character in ``text[start:end]``."""
    j = end - 1
    while j > start and text[j] in " \t\r\n":
        j -= 1
    return text.count("\n", start, j + 1) + index_line if j >= start else index_line


def folding_ranges_of(analysis: Analysis) -> list[types.FoldingRange]:
    root = analysis.doc.root
    text = analysis.text
    out: list[types.FoldingRange] = []
    seen: set[int] = set()
    stack: list[Node] = [root] if root is not None else []
    while stack:
        n = stack.pop()
        if isinstance(n, MapNode):
            for k, v in n.pairs:
                start = k.span.start.line
                if not isinstance(v, ScalarNode) or v.style in ("|", ">"):
                    end = _last_line(text, v.span.start.offset, v.span.end.offset, v.span.start.line)
                    if end > start and start not in seen:
                        seen.add(start)
                        out.append(types.FoldingRange(start_line=start, end_line=end))
                stack.append(v)
        elif isinstance(n, SeqNode):
            stack.extend(n.items)
    # runs of own-line comments
    lines = sorted(ln for ln, c in analysis.doc.comments.items() if c.own_line)
    i = 0
    while i < len(lines):
        j = i
        while j + 1 < len(lines) and lines[j + 1] == lines[j] + 1:
            j += 1
        if j > i:
            out.append(
                types.FoldingRange(
                    start_line=lines[i], end_line=lines[j], kind=types.FoldingRangeKind.Comment
                )
            )
        i = j + 1
    out.sort(key=lambda r: (r.start_line, r.end_line))
    return out


async def folding_range(
    ls: WfspecServer, params: types.FoldingRangeParams
) -> list[types.FoldingRange] | None:
    snap = await ls.snapshot(params.text_document.uri, urgent=False)
    if snap is None:
        return None
    return snap.get("folding", lambda: folding_ranges_of(snap.analysis))


# -- selection ranges -------------------------------------------------------------------------


async def selection_range(
    ls: WfspecServer, params: types.SelectionRangeParams
) -> list[types.SelectionRange] | None:
    snap = await ls.snapshot(params.text_document.uri)
    if snap is None:
        return None
    analysis = snap.analysis
    index = analysis.doc.index
    out: list[types.SelectionRange] = []
    whole = (0, len(analysis.text))
    for pos in params.positions:
        offset = convert.offset(index, pos)
        chain: list[tuple[int, int]] = [whole]
        for s, e, _node in locate.path_at(analysis.doc.root, offset):
            if (s, e) != chain[-1] and chain[-1][0] <= s and e <= chain[-1][1]:
                chain.append((s, e))
        current: types.SelectionRange | None = None
        for s, e in chain:
            current = types.SelectionRange(range=convert.range_at(index, s, e), parent=current)
        if chain[-1][0] > offset or chain[-1][1] < offset:
            current = types.SelectionRange(range=convert.range_at(index, offset, offset), parent=current)
        assert current is not None
        out.append(current)
    return out


# -- code lens --------------------------------------------------------------------------------


def code_lenses_of(snap: Snapshot) -> list[types.CodeLens]:
    analysis = snap.analysis
    wf = analysis.workflow
    if wf is None:
        return []
    out = []
    for node in wf.nodes.values():
        if node.payload.get("anonymous"):
            continue
        incoming, outgoing = edges_of(analysis, node.id)
        title = f"{len(incoming)} incoming · {len(outgoing)} outgoing"
        out.append(
            types.CodeLens(
                range=convert.range_of(node.name_span),
                command=types.Command(title=title, command="wfspec.graph", arguments=[snap.uri]),
            )
        )
    return out


async def code_lens(ls: WfspecServer, params: types.CodeLensParams) -> list[types.CodeLens] | None:
    if not ls.settings.code_lens:
        return []
    snap = await ls.snapshot(params.text_document.uri, urgent=False)
    if snap is None:
        return None
    return snap.get("lens", lambda: code_lenses_of(snap))


# -- semantic tokens --------------------------------------------------------------------------

TOKEN_TYPES = ["function", "variable", "keyword", "parameter", "property"]
TOKEN_MODIFIERS = ["declaration", "readonly", "defaultLibrary"]
LEGEND = types.SemanticTokensLegend(token_types=TOKEN_TYPES, token_modifiers=TOKEN_MODIFIERS)
_T = {name: i for i, name in enumerate(TOKEN_TYPES)}
_M = {name: 1 << i for i, name in enumerate(TOKEN_MODIFIERS)}

_SW_VAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_GH_CONTEXT = re.compile(
    r"(?<![\w.\-])(github|env|vars|job|jobs|steps|runner|secrets|strategy|matrix|needs|inputs)(?=\s*[.\[])"
)
_FLOW_WORDS = frozenset({"continue", "exit", "end"})


def tokens_of(analysis: Analysis, idx: navigation.Index) -> list[int]:
    wf = analysis.workflow
    if wf is None:
        return []
    text = analysis.text
    index = analysis.doc.index
    raw: list[tuple[int, int, int, int]] = []  # start offset, end offset, type, modifiers

    for o in idx.items:
        kind = o.key[0]
        if kind == navigation.TASK or kind == "function":
            t = _T["function"]
        else:
            t = _T["variable"]
        mods = _M["declaration"] if o.definition else 0
        if kind == "secret":
            mods |= _M["readonly"]
        raw.append((o.start, o.end, t, mods))
    for e in wf.edges:
        if e.span is not None and e.target_name in _FLOW_WORDS and e.kind in ("end", "exit"):
            nr = locate.name_range(text, e.span, e.target_name)
            if nr is not None:
                raw.append((nr.start, nr.end, _T["keyword"], 0))
    for x in wf.expressions:
        if not text.startswith(x.text, x.inner_offset):
            continue
        pattern = _SW_VAR if wf.dialect != "github" else _GH_CONTEXT
        for m in pattern.finditer(x.text):
            s = x.inner_offset + m.start()
            raw.append((s, x.inner_offset + m.end(), _T["variable"], _M["defaultLibrary"]))
    raw.sort()
    data: list[int] = []
    prev_line = 0
    prev_char = 0
    last_end = -1
    for start, end, t, mods in raw:
        if start < last_end or end <= start:
            continue  # overlapping: the earlier token wins
        a = index.position(start)
        b = index.position(end)
        if a.line != b.line:
            continue
        delta_line = a.line - prev_line
        delta_char = a.character - prev_char if delta_line == 0 else a.character
        data += [delta_line, delta_char, b.character - a.character, t, mods]
        prev_line, prev_char = a.line, a.character
        last_end = end
    return data


async def semantic_tokens(
    ls: WfspecServer, params: types.SemanticTokensParams
) -> types.SemanticTokens | None:
    snap = await ls.snapshot(params.text_document.uri, urgent=False)
    if snap is None:
        return None
    data = snap.get("tokens", lambda: tokens_of(snap.analysis, navigation.index_of(snap)))
    return types.SemanticTokens(data=data)
