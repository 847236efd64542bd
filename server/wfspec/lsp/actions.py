"""Code actions and commands: the deterministic fixes of :mod:`wfspec.fixes` as quick fixes
bound to their diagnostics, "ignore this rule on this line", ``source.fixAll.wfspec``, and the
``wfspec.graph`` command (the Mermaid text of a document's control-flow graph). With the model
enabled, :mod:`wfspec.lsp.ai` adds "Fix with AI" and "Generate from comment" beside them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from wfspec import fsio
from wfspec.findings import Finding
from wfspec.fixes import TextEdit, fix_all, fixes_for
from wfspec.lsp import ai, convert, locate
from wfspec.lsp.state import Snapshot, WfspecServer, uri_to_path

if TYPE_CHECKING:
    from wfspec.analysis.engine import Analysis

log = logging.getLogger("wfspec.lsp")

FIX_ALL_KIND = "source.fixAll.wfspec"
GRAPH_COMMAND = "wfspec.graph"
STATE_COMMAND = "wfspec.documentState"
OPTIONS = types.CodeActionOptions(
    code_action_kinds=[
        types.CodeActionKind.QuickFix,
        types.CodeActionKind.SourceFixAll,
        FIX_ALL_KIND,
        ai.GENERATE_KIND,
    ],
    resolve_provider=True,  # "Fix with AI" (wfspec.lsp.ai) is resolved lazily
)

_IGNORE = re.compile(r"(wfspec:\s*(?:ignore|disable))(?:\[([^\]]*)\])?", re.IGNORECASE)


def _wanted(only: Sequence[str] | None, kind: str) -> bool:
    if not only:
        return True
    return any(kind == k or kind.startswith(k + ".") for k in only)


def _edit(ls: WfspecServer, snap: Snapshot, edits: list[TextEdit]) -> types.WorkspaceEdit:
    """The workspace edit of fix edits computed from ``snap``, tagged with its version."""
    return ls.workspace_edit([(snap.uri, snap.version, convert.text_edits(snap.analysis.doc.index, edits))])


def ignore_edit(analysis: Analysis, finding: Finding, multiline: set[int]) -> TextEdit | None:
    """The edit that silences ``finding`` with ``# wfspec: ignore[rule]``: extends an existing
    suppression comment on the line or the line above, else adds an own-line comment above."""
    doc = analysis.doc
    line = finding.span.start.line
    for ln in (line, line - 1):
        c = doc.comments.get(ln)
        if c is None or (ln == line - 1 and not c.own_line):
            continue
        m = _IGNORE.search(c.text)
        if m is None:
            continue
        if m.group(2) is None:
            return None  # ignores every rule already
        ids = [x.strip() for x in m.group(2).split(",") if x.strip()]
        if finding.rule in ids:
            return None
        start = c.span.start.offset + 1 + m.start()
        end = c.span.start.offset + 1 + m.end()
        return TextEdit(start, end, f"{m.group(1)}[{', '.join([*ids, finding.rule])}]")
    if line in multiline:
        return None  # inside a multi-line scalar: a comment line would become part of it
    text = analysis.text
    at = doc.index.starts[line] if line < len(doc.index.starts) else len(text)
    indent = locate.indent_at(text, at)
    nl = "\r\n" if "\r\n" in text else "\n"
    return TextEdit(at, at, f"{indent}# wfspec: ignore[{finding.rule}]{nl}")


def _findings_for(
    analysis: Analysis, params: types.CodeActionParams
) -> list[tuple[Finding, types.Diagnostic | None]]:
    out: list[tuple[Finding, types.Diagnostic | None]] = []
    sent = list(params.context.diagnostics or [])
    ours = [d for d in sent if d.source in (None, convert.SOURCE)]
    for f in analysis.findings:
        match = next((d for d in ours if convert.same_place(d, f)), None)
        if match is not None:
            out.append((f, match))
    if out or ours:
        return out
    # no diagnostics of ours came along (some clients send none): the findings in the range
    idx = analysis.doc.index
    start = convert.offset(idx, params.range.start)
    end = convert.offset(idx, params.range.end)
    for f in analysis.findings:
        if f.span.start.offset <= end and start <= f.span.end.offset:
            out.append((f, None))
    return out


async def code_action(ls: WfspecServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    """The actions for the current text: computed from its analysis, and computed again when
    the text changed meanwhile (an edit is offered only for the text it was computed from)."""
    for _ in range(3):
        snap = await ls.snapshot(params.text_document.uri)
        if snap is None:
            return None
        actions = _code_actions(ls, snap, params)
        if ls.is_current(snap):
            return actions
    return None


def _code_actions(ls: WfspecServer, snap: Snapshot, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = snap.uri
    analysis = snap.analysis
    only = params.context.only
    actions: list[types.CodeAction] = []
    support = ls.diagnostic_support
    if _wanted(only, types.CodeActionKind.QuickFix):
        multiline = snap.get("multiline", lambda: locate.multiline_scalar_lines(analysis.doc.root))
        for f, diag in _findings_for(analysis, params):
            d = diag or convert.diagnostic(f, uri, support)
            for fix in fixes_for(analysis, f):
                actions.append(
                    types.CodeAction(
                        title=fix.title,
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[d],
                        is_preferred=fix.preferred or None,
                        edit=_edit(ls, snap, list(fix.edits)),
                    )
                )
            if f.rule == "syntax" and analysis.doc.fatal:
                continue  # a broken document cannot be silenced line by line
            edit = ignore_edit(analysis, f, multiline)
            if edit is not None:
                actions.append(
                    types.CodeAction(
                        title=f'Ignore "{f.rule}" on this line',
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[d],
                        edit=_edit(ls, snap, [edit]),
                    )
                )
    if _wanted(only, FIX_ALL_KIND) and (only or actions):
        edits = fix_all(analysis)
        if edits:
            actions.append(
                types.CodeAction(
                    title="Fix all wfspec problems with a preferred fix",
                    kind=FIX_ALL_KIND,
                    edit=_edit(ls, snap, edits),
                )
            )
    if ls.settings.llm.enabled:  # "Fix with AI" per finding, "Generate from comment"
        actions.extend(ai.code_actions(ls, snap, params, _findings_for(analysis, params)))
    return actions


# -- commands -------------------------------------------------------------------------------


def _uri_arg(args: tuple[Any, ...]) -> str:
    if not args:
        raise JsonRpcInvalidParams(message="expected a document URI")
    first = args[0]
    if isinstance(first, dict):
        first = first.get("uri") or first.get("textDocument", {}).get("uri")
    if not isinstance(first, str):
        raise JsonRpcInvalidParams(message="expected a document URI")
    return first


async def graph_command(ls: WfspecServer, *args: Any) -> str:
    """``wfspec.graph [uri, format]``: the control-flow graph of a document (Mermaid by
    default; ``dot`` and ``json`` too). Unopened files are read from disk."""
    from wfspec.analysis.render import render

    uri = _uri_arg(args)
    fmt = args[1] if len(args) > 1 and args[1] in ("mermaid", "dot", "json") else "mermaid"
    snap: Snapshot | None = await ls.snapshot(uri)
    if snap is not None:
        analysis = snap.analysis
    else:
        path = uri_to_path(uri)
        if path is None or not Path(path).is_file():
            raise JsonRpcInvalidParams(message=f"{uri}: not open and not a readable file")
        config = ls.config_for(uri)
        try:
            data = fsio.read_bytes(path, config.max_file_size)
        except OSError as exc:
            raise JsonRpcInvalidParams(message=f"{uri}: cannot read: {exc.strerror or exc}") from None
        from wfspec.analysis.engine import analyze

        analysis = analyze(data, uri, config)
    if analysis.workflow is None:
        raise JsonRpcInvalidParams(
            message="this document has no workflow graph (not a workflow, or it does not parse)"
        )
    return render(analysis, fmt)


async def document_state_command(ls: WfspecServer, *args: Any) -> dict[str, Any] | None:
    """``wfspec.documentState [uri]``: the server's view of an open document (version, length,
    SHA-256 of the text, line count, analyzed version, whether it is in sync), to check that
    client and server agree."""
    import hashlib

    uri = _uri_arg(args)
    doc = ls.documents.get(uri)
    if doc is None:
        return None
    snap = ls.snapshots.get(uri)
    return {
        "version": doc.version,
        "length": len(doc.text),
        "lines": doc.line_count,
        "sha256": hashlib.sha256(doc.text.encode("utf-8", "surrogatepass")).hexdigest(),
        "analyzedVersion": snap.version if snap is not None else None,
        "inSync": doc.in_sync,
    }
