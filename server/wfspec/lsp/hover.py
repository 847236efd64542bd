"""Hover: for a task, its kind and what flows in and out (the graph's incoming and outgoing
edges); for a reference, what it resolves to; on a diagnostic, the rule's explanation.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import TYPE_CHECKING

from lsprotocol import types

from wfspec import ir
from wfspec.ir import TaskNode, Workflow
from wfspec.lsp import convert, navigation
from wfspec.lsp.state import WfspecServer

if TYPE_CHECKING:
    from wfspec.analysis.engine import Analysis

_PSEUDO = {ir.END_NODE: "end of the workflow", ir.FAULT_NODE: "fault (an uncaught error)"}


def node_label(wf: Workflow, nid: str) -> str:
    """A readable name for a graph node, pseudo nodes included."""
    if nid in wf.nodes:
        return f'"{wf.nodes[nid].name}"'
    if nid in _PSEUDO:
        return _PSEUDO[nid]
    sid, _, which = nid.rpartition("#")
    scope = wf.scopes.get(sid)
    owner = wf.nodes.get(scope.owner) if scope is not None and scope.owner else None
    if which == "entry":
        return (
            "the start" if owner is None else f'the start of "{owner.name}" ({scope.kind if scope else ""})'
        )
    if owner is None:
        return "the end of the top-level tasks"
    return f'the end of "{owner.name}" ({scope.kind if scope else ""})'


def edges_of(analysis: Analysis, nid: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(incoming, outgoing) as (other node, edge kind), without unresolved placeholders."""
    g = analysis.graph.graph if analysis.graph is not None else None
    if g is None or nid not in g:
        return [], []
    incoming = [
        (s, d.get("kind", "")) for s, _, d in g.in_edges(nid, data=True) if d.get("kind") != "unresolved"
    ]
    outgoing = [
        (t, d.get("kind", "")) for _, t, d in g.out_edges(nid, data=True) if d.get("kind") != "unresolved"
    ]
    return incoming, outgoing


def flow_notes(analysis: Analysis, node: TaskNode) -> list[str]:
    """What the findings say about a task's place in the flow, in their own words: unreachable,
    unreachable until a typo'd reference is fixed, part of a dependency cycle. Nothing the
    findings do not say (a job in a cycle is not "unreachable": the cycle rule reports it)."""
    out: list[str] = []
    for f in analysis.findings:
        if f.rule == "unreachable" and f.data.get("node") == node.id:
            out.append("unreachable: no path from the start leads here")
        elif f.rule == "cycle" and node.name in (f.data.get("cycle") or []):
            cycle = [str(n) for n in f.data["cycle"]]
            path = " -> ".join(f'"{n}"' for n in [*cycle, cycle[0]])
            out.append(f"in a dependency cycle: {path}")
        else:
            masked = f.data.get("masked")
            if isinstance(masked, list) and any(
                isinstance(m, dict) and m.get("node") == node.id for m in masked
            ):
                line = f.span.start.line + 1
                out.append(f'unreachable until "{f.data.get("name")}" on line {line} is fixed ({f.rule})')
    return list(dict.fromkeys(out))


def task_markdown(analysis: Analysis, node: TaskNode) -> str:
    """Markdown describing a task: kind, scope, incoming and outgoing edges."""
    wf = analysis.workflow
    assert wf is not None
    what = {"job": "job", "step": "step"}.get(node.kind, f"`{node.kind}` task")
    lines = [f"**{node.name}** · {what}"]
    scope = wf.scopes.get(node.scope)
    if scope is not None and scope.owner and scope.owner in wf.nodes:
        lines.append(f'in the {scope.kind} of "{wf.nodes[scope.owner].name}"')
    incoming, outgoing = edges_of(analysis, node.id)
    lines.extend(f"*{note}*" for note in flow_notes(analysis, node))
    if incoming:
        lines.append("")
        lines.append(
            "**in:** "
            + ", ".join(f"{node_label(wf, s)} ({k})" if k else node_label(wf, s) for s, k in incoming)
        )
    out = [f"{node_label(wf, t)} ({k})" if k else node_label(wf, t) for t, k in outgoing]
    dangling = analysis.graph.dangling if analysis.graph is not None else []
    out += [
        f'"{e.target_name}" ({e.kind}, names nothing: leads nowhere)' for e in dangling if e.source == node.id
    ]
    if out:
        lines.append("")
        lines.append("**out:** " + ", ".join(out))
    return "\n".join(lines)


def rule_markdown(rule_id: str) -> str:
    """The rule's one-line description and its reference text (bad and good examples)."""
    from wfspec.analysis.render import rules_markdown
    from wfspec.analysis.rules import BY_ID

    rule = BY_ID.get(rule_id)
    if rule is None:
        return f"`{rule_id}`"
    page = rules_markdown((rule,))
    marker = f"## {rule.id}\n"
    body = page.split(marker, 1)[1].strip() if marker in page else rule.doc
    return f"**{rule.id}** ({rule.severity.label}): {rule.description}\n\n{body}"


def _definition_markdown(analysis: Analysis, kind: str, name: str, idx: navigation.Index) -> str:
    defs = [o for o in idx.of((kind, name)) if o.definition]
    uses = [o for o in idx.of((kind, name)) if not o.definition]
    if not defs:
        return f"**{name}** · {kind}, *not declared*"
    line = analysis.doc.index.position(defs[0].start).line + 1
    return f"**{name}** · {kind} declared on line {line}; {len(uses)} use{'s' if len(uses) != 1 else ''}"


async def hover(ls: WfspecServer, params: types.HoverParams) -> types.Hover | None:
    snap = await ls.snapshot(params.text_document.uri)
    if snap is None:
        return None
    analysis = snap.analysis
    offset = convert.offset(analysis.doc.index, params.position)
    parts: list[str] = []
    rng: types.Range | None = None
    wf = analysis.workflow
    if wf is not None:
        idx = navigation.index_of(snap)
        occ = idx.at(offset)
        if occ is not None:
            rng = convert.range_at(analysis.doc.index, occ.start, occ.end)
            if occ.key[0] == navigation.TASK:
                parts.append(task_markdown(analysis, wf.nodes[occ.key[1]]))
            elif occ.key[0] in navigation.CALL_KINDS:
                _, _, target = occ.key[1].partition("\0")
                what = occ.key[0].removeprefix("call-")
                name = analysis.text[occ.start : occ.end]
                parts.append(f"**{name}** · {what} of the reusable workflow `{PurePath(target).name}`")
            else:
                parts.append(_definition_markdown(analysis, occ.key[0], occ.key[1], idx))
    for f in analysis.findings:
        if f.span.start.offset <= offset <= f.span.end.offset:
            text = rule_markdown(f.rule)
            if text not in parts:
                parts.append(text)
            if rng is None:
                rng = convert.range_of(f.span)
    if not parts:
        return None
    formats = ls.capability("text_document.hover.content_format") or []
    if formats and types.MarkupKind.Markdown not in formats:
        return types.Hover(
            contents=types.MarkupContent(
                kind=types.MarkupKind.PlainText, value="\n\n".join(parts).replace("**", "")
            ),
            range=rng,
        )
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)),
        range=rng,
    )
