"""Definition, references and rename across files, for the interface of local reusable workflows.

A reusable workflow's ``on.workflow_call`` inputs, secrets and outputs are also named in the
workflows that call it (``uses: ./.github/workflows/x.yml``): the ``with:`` and ``secrets:`` keys
of each calling job, and reads of its outputs (``needs.<job>.outputs.<name>``,
``jobs.<job>.outputs.<name>``). On such a name, on either side, these handlers cover the reusable
workflow and every caller in the workspace (and every open document): open documents as the
server holds them, other files as they are on disk. Renames come back as one workspace edit
(``documentChanges`` with the open documents' versions, null for the others, where the client
supports it). Every other name is answered by :mod:`wfspec.lsp.navigation` within its document.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.exceptions import JsonRpcContentModified

from wfspec.dialects.github import local
from wfspec.lsp import convert, navigation, workspace
from wfspec.lsp.navigation import Index, Occurrence, build_index, call_key, failed, index_of
from wfspec.lsp.state import Snapshot, WfspecServer, uri_to_path

if TYPE_CHECKING:
    from wfspec.analysis.engine import Analysis

#: caller-side reference kind -> interface kind, and the declaring side's definition kinds
CALLED = {"call-input": "input", "call-secret": "secret", "call-output": "output"}
DECLARED = {"input": "input", "secret": "workflow-secret", "output": "workflow-output"}
_CALLER_KIND = {v: k for k, v in CALLED.items()}
_DECLARING_KIND = {v: k for k, v in DECLARED.items()}


@dataclass(frozen=True, slots=True)
class Symbol:
    """A name in the interface of one reusable workflow file."""

    target: str  # the reusable workflow (local.path_key form)
    kind: str  # "input", "secret" or "output"
    name: str  # lower-cased


@dataclass(slots=True)
class Site:
    """The places one file names a symbol."""

    uri: str
    version: int | None  # the open document's version; None for a file read from disk
    analysis: Analysis
    index: Index
    occurrences: list[Occurrence]


def symbol_at(snap: Snapshot, occ: Occurrence) -> Symbol | None:
    """The interface name at ``occ``, or None for a name local to its document."""
    kind, name = occ.key
    if kind in CALLED:
        lname, _, target = name.partition("\0")
        return Symbol(target, CALLED[kind], lname) if target else None
    what = _DECLARING_KIND.get(kind)
    wf = snap.analysis.workflow
    if what is None or wf is None or wf.dialect != "github":
        return None
    if not any(
        d.kind == kind and d.name == name and d.data.get("event") == "workflow_call" for d in wf.definitions
    ):
        return None  # an input of workflow_dispatch only
    path = uri_to_path(snap.uri)
    return Symbol(local.path_key(path), what, name.lower()) if path is not None else None


def _declared(analysis: Analysis, index: Index, sym: Symbol) -> list[Occurrence]:
    wf = analysis.workflow
    if wf is None:
        return []
    kind = DECLARED[sym.kind]
    names = {
        d.name
        for d in wf.definitions
        if d.kind == kind and d.name.lower() == sym.name and d.data.get("event") == "workflow_call"
    }
    return [o for n in sorted(names) for o in index.of((kind, n))]


async def _sites(ls: WfspecServer, sym: Symbol) -> tuple[Site | None, list[Site]]:
    """The declaring file's site (None when it cannot be analyzed) and every caller's."""
    project = workspace.project_of(ls)
    open_docs: dict[str, str] = {}
    for uri in list(ls.documents):
        path = uri_to_path(uri)
        open_docs[local.path_key(path) if path is not None else uri] = uri
    files = await project.workflows()
    declaring: Site | None = None
    callers: list[Site] = []
    caller_key = (_CALLER_KIND[sym.kind], call_key(sym.name, sym.target))

    async def open_site(uri: str) -> tuple[Snapshot, Index] | None:
        snap = await ls.snapshot(uri)
        if snap is None or snap.analysis.workflow is None or snap.analysis.dialect != "github":
            return None
        return snap, index_of(snap)

    for key, uri in open_docs.items():
        got = await open_site(uri)
        if got is None:
            continue
        snap, index = got
        if key == sym.target:
            declaring = Site(uri, snap.version, snap.analysis, index, _declared(snap.analysis, index, sym))
        elif occurrences := index.of(caller_key):
            callers.append(Site(uri, snap.version, snap.analysis, index, occurrences))
    for wf in files:
        if wf.key in open_docs or (wf.key != sym.target and sym.target not in wf.deps):
            continue
        analysis = await project.analyze(wf)
        if analysis is None or analysis.workflow is None:
            continue
        index = build_index(analysis)
        if wf.key == sym.target:
            declaring = Site(wf.uri, None, analysis, index, _declared(analysis, index, sym))
        elif occurrences := index.of(caller_key):
            callers.append(Site(wf.uri, None, analysis, index, occurrences))
    if declaring is None and sym.target not in open_docs:
        # a reusable workflow outside the workspace folders (or none are open)
        target = await project.file(Path(sym.target))
        if target is not None and target.dialect == "github":
            analysis = await project.analyze(target)
            if analysis is not None and analysis.workflow is not None:
                index = build_index(analysis)
                declaring = Site(target.uri, None, analysis, index, _declared(analysis, index, sym))
    callers.sort(key=lambda s: s.uri)
    return declaring, callers


def _location(site: Site, o: Occurrence) -> types.Location:
    return types.Location(uri=site.uri, range=convert.range_at(site.analysis.doc.index, o.start, o.end))


def _file_name(uri: str) -> str:
    path = uri_to_path(uri)
    return path.name if path is not None else uri


async def _renamable_sites(ls: WfspecServer, sym: Symbol) -> tuple[Site, list[Site]]:
    """The sites of a symbol that can be renamed; raises RequestFailed saying why not."""
    declaring, callers = await _sites(ls, sym)
    if declaring is None:
        raise failed(f'the reusable workflow that declares {sym.kind} "{sym.name}" cannot be read')
    if not any(o.definition for o in declaring.occurrences):
        raise failed(
            f'{_file_name(declaring.uri)} declares no {sym.kind} "{sym.name}" under on.workflow_call; '
            "declare it there first"
        )
    for site in (declaring, *callers):
        if not all(o.literal for o in site.occurrences):
            raise failed(f'"{sym.name}" is not spelled literally everywhere in {_file_name(site.uri)}')
    return declaring, callers


def _check_new_name(sym: Symbol, declaring: Site, callers: list[Site], new: str) -> None:
    rule = "secret" if sym.kind == "secret" else "github"
    pattern, what = navigation.NAME_RULES[rule]
    if not pattern.fullmatch(new):
        raise failed(f'"{new}" is not a valid {sym.kind} name: use {what}')
    low = new.lower()
    if low == sym.name:
        return
    wf = declaring.analysis.workflow
    assert wf is not None
    kind = DECLARED[sym.kind]
    if any(
        d.kind == kind and d.name.lower() == low and d.data.get("event") == "workflow_call"
        for d in wf.definitions
    ):
        raise failed(f'{_file_name(declaring.uri)} already declares {sym.kind} "{new}"')
    if sym.kind != "output":
        taken = (_CALLER_KIND[sym.kind], call_key(low, sym.target))
        for site in callers:
            if site.index.of(taken):
                raise failed(f'a job in {_file_name(site.uri)} already passes {sym.kind} "{new}"')


async def _lookup_symbol(
    ls: WfspecServer, uri: str, pos: types.Position
) -> tuple[Snapshot, Occurrence, Symbol] | None:
    found = await navigation.lookup(ls, uri, pos)
    if found is None:
        return None
    snap, _, occ = found
    sym = symbol_at(snap, occ)
    return (snap, occ, sym) if sym is not None else None


# -- handlers -------------------------------------------------------------------------------


async def definition(ls: WfspecServer, params: types.DefinitionParams) -> list[types.Location] | None:
    found = await _lookup_symbol(ls, params.text_document.uri, params.position)
    if found is None or found[1].key[0] not in CALLED:
        return await navigation.definition(ls, params)
    declaring, _ = await _sites(ls, found[2])
    if declaring is None:
        return None
    return [_location(declaring, o) for o in declaring.occurrences if o.definition] or None


async def references(ls: WfspecServer, params: types.ReferenceParams) -> list[types.Location] | None:
    found = await _lookup_symbol(ls, params.text_document.uri, params.position)
    if found is None:
        return await navigation.references(ls, params)
    declaring, callers = await _sites(ls, found[2])
    include = params.context.include_declaration
    sites = ([declaring] if declaring is not None else []) + callers
    return [_location(site, o) for site in sites for o in site.occurrences if include or not o.definition]


async def prepare_rename(
    ls: WfspecServer, params: types.PrepareRenameParams
) -> types.PrepareRenamePlaceholder | None:
    found = await _lookup_symbol(ls, params.text_document.uri, params.position)
    if found is None:
        return await navigation.prepare_rename(ls, params)
    snap, occ, sym = found
    await _renamable_sites(ls, sym)
    return types.PrepareRenamePlaceholder(
        range=convert.range_at(snap.analysis.doc.index, occ.start, occ.end),
        placeholder=snap.analysis.text[occ.start : occ.end],
    )


async def rename(ls: WfspecServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
    found = await _lookup_symbol(ls, params.text_document.uri, params.position)
    if found is None:
        return await navigation.rename(ls, params)
    snap, occ, sym = found
    declaring, callers = await _renamable_sites(ls, sym)
    new = params.new_name
    if new == snap.analysis.text[occ.start : occ.end] and all(
        site.analysis.text[o.start : o.end] == new for site in (declaring, *callers) for o in site.occurrences
    ):
        return types.WorkspaceEdit(changes={})
    _check_new_name(sym, declaring, callers, new)
    per_site: list[tuple[Site, list[types.TextEdit]]] = []
    for site in (declaring, *callers):
        spans = sorted({(o.start, o.end) for o in site.occurrences})
        index = site.analysis.doc.index
        edits = [types.TextEdit(range=convert.range_at(index, s, e), new_text=new) for s, e in spans]
        if edits:
            per_site.append((site, edits))
    for site, _ in per_site:  # open documents: still the text the edits were computed for
        if site.version is not None and not ls.text_is_current(site.uri, site.version, site.analysis.text):
            raise JsonRpcContentModified(message="a document changed while renaming; try again")
    return ls.workspace_edit((site.uri, site.version, edits) for site, edits in per_site)
