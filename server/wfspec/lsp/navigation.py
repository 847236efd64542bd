"""Go to definition, find references, document highlight, rename and prepareRename for task,
job and step names (as flow targets), functions, errors, secrets, authentications, retries,
timeouts and any other named definition the dialect reports, including references written
inside runtime expressions (``$secrets.name``).

An :class:`Index` of name occurrences is built once per snapshot from the IR: task names and
resolved edges, definitions and references, each narrowed to the characters of the name. A name
that belongs to another file (a ``with:`` key passed to a local reusable workflow, a read of its
outputs) is keyed by that file too (:func:`call_key`); :mod:`wfspec.lsp.crossfile` follows such
names across files.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.exceptions import JsonRpcContentModified, JsonRpcException, JsonRpcInvalidParams

from wfspec.lsp import convert, locate
from wfspec.lsp.state import Snapshot, WfspecServer
from wfspec.syntax.tree import Span

if TYPE_CHECKING:
    from wfspec.analysis.engine import Analysis

TASK = "task"
REQUEST_FAILED = -32803  # LSP ErrorCodes.RequestFailed


def failed(message: str) -> JsonRpcException:
    return JsonRpcException(message=message, code=REQUEST_FAILED)


_NODE_REF_KINDS = frozenset({"job", "step", "task", "node"})
#: reference kinds naming a part of another file's interface (``data["target"]`` says which)
CALL_KINDS = frozenset({"call-input", "call-secret", "call-output"})


def call_key(name: str, target: str) -> str:
    """The index key name of ``name`` in the interface of the file ``target`` (names compare
    case-insensitively, as GitHub does)."""
    return f"{name.lower()}\0{target}"


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One place a name is written."""

    key: tuple[str, str]  # ("task", node id) or (definition kind, name)
    start: int
    end: int
    definition: bool
    literal: bool  # the source spells the name exactly there (safe to rename)


@dataclass(slots=True)
class Index:
    """Every name occurrence of a document, sorted by start offset."""

    items: list[Occurrence] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    by_key: dict[tuple[str, str], list[Occurrence]] = field(default_factory=dict)

    def at(self, offset: int) -> Occurrence | None:
        """The narrowest occurrence containing ``offset`` (its end included)."""
        best: Occurrence | None = None
        i = bisect_right(self.starts, offset) - 1
        # occurrences never nest deeply: look back a few entries
        for j in range(i, max(i - 8, -1), -1):
            o = self.items[j]
            if o.start <= offset <= o.end and (best is None or o.end - o.start < best.end - best.start):
                best = o
        return best

    def of(self, key: tuple[str, str]) -> list[Occurrence]:
        return self.by_key.get(key, [])


def build_index(analysis: Analysis) -> Index:
    """The name occurrences of an analyzed document."""
    wf = analysis.workflow
    idx = Index()
    if wf is None:
        return idx
    text = analysis.text
    seen: set[tuple[int, tuple[str, str]]] = set()

    def add(key: tuple[str, str], span: Span, name: str, definition: bool) -> None:
        nr = locate.name_range(text, span, name)
        start, end = (nr.start, nr.end) if nr is not None else (span.start.offset, span.end.offset)
        if (start, key) in seen:
            return
        seen.add((start, key))
        idx.items.append(Occurrence(key, start, end, definition, nr is not None))

    by_name: dict[tuple[str, str], str] = {}
    node_at: dict[int, str] = {}
    for node in wf.nodes.values():
        if node.payload.get("anonymous"):
            continue
        add((TASK, node.id), node.name_span, node.name, True)
        by_name.setdefault((node.kind, node.name), node.id)
        node_at[node.name_span.start.offset] = node.id
    for e in wf.edges:
        if e.span is None or e.target is None or e.target not in wf.nodes:
            continue
        add((TASK, e.target), e.span, wf.nodes[e.target].name, False)
    # a definition written where a node's name is (a GitHub step id) is that node
    alias: dict[tuple[str, str], str] = {}
    for d in wf.definitions:
        nid = node_at.get(d.span.start.offset)
        if nid is not None:
            alias[(d.kind, d.name)] = nid
            continue
        add((d.kind, d.name), d.span, d.name, True)
    for r in wf.references:
        target = r.data.get("target")
        if r.kind in CALL_KINDS and isinstance(target, str):
            add((r.kind, call_key(r.name, target)), r.span, r.name, False)
            continue
        nid = alias.get((r.kind, r.name))
        if nid is None and r.kind in _NODE_REF_KINDS:
            nid = (
                by_name.get((r.kind, r.name)) or by_name.get(("job", r.name)) or by_name.get(("step", r.name))
            )
        if nid is not None:
            add((TASK, nid), r.span, wf.nodes[nid].name, False)
            continue
        add((r.kind, r.name), r.span, r.name, False)
    idx.items.sort(key=lambda o: (o.start, o.end))
    idx.starts = [o.start for o in idx.items]
    for o in idx.items:
        idx.by_key.setdefault(o.key, []).append(o)
    return idx


def index_of(snap: Snapshot) -> Index:
    return snap.get("nav", lambda: build_index(snap.analysis))


def _location(uri: str, analysis: Analysis, o: Occurrence) -> types.Location:
    return types.Location(uri=uri, range=convert.range_at(analysis.doc.index, o.start, o.end))


async def lookup(
    ls: WfspecServer, uri: str, pos: types.Position
) -> tuple[Snapshot, Index, Occurrence] | None:
    snap = await ls.snapshot(uri)
    if snap is None or snap.analysis.workflow is None:
        return None
    idx = index_of(snap)
    occ = idx.at(convert.offset(snap.analysis.doc.index, pos))
    if occ is None:
        return None
    return snap, idx, occ


async def definition(ls: WfspecServer, params: types.DefinitionParams) -> list[types.Location] | None:
    found = await lookup(ls, params.text_document.uri, params.position)
    if found is None:
        return None
    snap, idx, occ = found
    defs = [o for o in idx.of(occ.key) if o.definition]
    if not defs:
        return None
    return [_location(snap.uri, snap.analysis, o) for o in defs]


async def references(ls: WfspecServer, params: types.ReferenceParams) -> list[types.Location] | None:
    found = await lookup(ls, params.text_document.uri, params.position)
    if found is None:
        return None
    snap, idx, occ = found
    include = params.context.include_declaration
    return [_location(snap.uri, snap.analysis, o) for o in idx.of(occ.key) if include or not o.definition]


async def highlight(
    ls: WfspecServer, params: types.DocumentHighlightParams
) -> list[types.DocumentHighlight] | None:
    found = await lookup(ls, params.text_document.uri, params.position)
    if found is None:
        return None
    snap, idx, occ = found
    index = snap.analysis.doc.index
    return [
        types.DocumentHighlight(
            range=convert.range_at(index, o.start, o.end),
            kind=types.DocumentHighlightKind.Write if o.definition else types.DocumentHighlightKind.Read,
        )
        for o in idx.of(occ.key)
    ]


# -- rename ---------------------------------------------------------------------------------

NAME_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    "secret": (re.compile(r"[A-Za-z_][A-Za-z0-9_]*"), "letters, digits and _ (it is read as $secrets.name)"),
    "github": (
        re.compile(r"[A-Za-z_][A-Za-z0-9_-]*"),
        "letters, digits, - and _, starting with a letter or _",
    ),
    "default": (re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*"), "letters, digits, ., - and _"),
}


def _current_name(snap: Snapshot, occ: Occurrence) -> str:
    wf = snap.analysis.workflow
    assert wf is not None
    if occ.key[0] == TASK:
        return wf.nodes[occ.key[1]].name
    return occ.key[1]


def _check_new_name(snap: Snapshot, occ: Occurrence, new: str) -> None:
    wf = snap.analysis.workflow
    assert wf is not None
    kind = occ.key[0]
    rule = "secret" if kind == "secret" else ("github" if wf.dialect == "github" else "default")
    pattern, what = NAME_RULES[rule]
    if not pattern.fullmatch(new):
        raise JsonRpcInvalidParams(message=f'"{new}" is not a valid name here: use {what}')
    if kind == TASK:
        node = wf.nodes[occ.key[1]]
        if wf.dialect == "serverless" and new in ("continue", "exit", "end"):
            raise JsonRpcInvalidParams(message=f'"{new}" is a flow directive, not a task name')
        for tid in wf.scopes[node.scope].tasks:
            if tid != node.id and wf.nodes[tid].name == new:
                raise failed(f'a task named "{new}" already exists in this scope')
    elif any(d.kind == kind and d.name == new for d in wf.definitions):
        raise failed(f'a {kind} named "{new}" already exists')


def _renamable(idx: Index, occ: Occurrence) -> bool:
    group = idx.of(occ.key)
    if occ.key[0] != TASK and not any(o.definition for o in group):
        return False  # nothing declares it: rename the declaration into existence first
    return all(o.literal for o in group)


async def prepare_rename(
    ls: WfspecServer, params: types.PrepareRenameParams
) -> types.PrepareRenamePlaceholder | None:
    found = await lookup(ls, params.text_document.uri, params.position)
    if found is None:
        return None
    snap, idx, occ = found
    if not _renamable(idx, occ):
        return None
    return types.PrepareRenamePlaceholder(
        range=convert.range_at(snap.analysis.doc.index, occ.start, occ.end),
        placeholder=_current_name(snap, occ),
    )


async def rename(ls: WfspecServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
    found = await lookup(ls, params.text_document.uri, params.position)
    if found is None:
        return None
    snap, idx, occ = found
    if not _renamable(idx, occ):
        raise failed("this name cannot be renamed here (it is not spelled literally everywhere)")
    new = params.new_name
    if new == _current_name(snap, occ):
        return types.WorkspaceEdit(changes={})
    _check_new_name(snap, occ, new)
    index = snap.analysis.doc.index
    edits = [
        types.TextEdit(range=convert.range_at(index, o.start, o.end), new_text=new) for o in idx.of(occ.key)
    ]
    edit = ls.edit_of(snap, edits)
    if edit is None:
        raise JsonRpcContentModified(message="the document changed while renaming; try again")
    return edit
