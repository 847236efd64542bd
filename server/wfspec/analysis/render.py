"""Renderings of analysis results: the control-flow graph (Mermaid, DOT, JSON) and the rules
reference (text, Markdown, JSON). Shared by the CLI, the language server and the docs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from wfspec import ir
from wfspec.analysis.engine import Analysis
from wfspec.analysis.rules.base import Rule

_PSEUDO_LABEL = {ir.END_NODE: "end", ir.FAULT_NODE: "fault"}
#: edges drawn dashed: loops back, error handlers, a dynamic target's possible continuations
_DASHED = (ir.LOOP, ir.CATCH, "unresolved")


def _contracted(result: Analysis) -> tuple[list[str], list[tuple[str, str, str]]]:
    """The graph's nodes and edges as drawn: the entry and exit pseudo nodes of nested scopes
    (a job's steps, a try block, a loop body) are contracted into edges between what they
    connect, so the drawing has one start and one done (plus end and fault). Parallel edges
    collapse; a loop, catch or branch kind wins over a plain next or enter."""
    assert result.workflow is not None and result.graph is not None
    wf = result.workflow
    g = result.graph.graph
    root = wf.scopes[wf.root_scope]
    keep = {root.entry, root.exit, ir.END_NODE, ir.FAULT_NODE}
    succ: dict[str, dict[str, str]] = {n: {} for n in g.nodes}
    for a, b, d in g.edges(data=True):
        succ[a][b] = d.get("kind", "")
    plain = {ir.NEXT, ir.ENTER, ""}

    def pick(first: str, second: str) -> str:
        return second if first in plain else first

    for nid in list(g.nodes):
        if nid in wf.nodes or nid in keep or not g.nodes[nid].get("pseudo"):
            continue
        outs = succ.pop(nid)
        for targets in succ.values():
            kind_in = targets.pop(nid, None)
            if kind_in is None:
                continue
            for b, kind_out in outs.items():
                if b == nid:
                    continue
                kind = pick(kind_out, kind_in)
                old = targets.get(b)
                targets[b] = kind if old is None else pick(old, kind)
    nodes = [n for n in g.nodes if n in succ]
    edges = [(a, b, k) for a in nodes for b, k in succ[a].items()]
    return nodes, edges


def _flagged(result: Analysis) -> dict[str, list[str]]:
    assert result.workflow is not None
    wf = result.workflow
    flagged: dict[str, list[str]] = {}
    for f in result.findings:
        node = f.data.get("node") or f.data.get("source")
        ids = [node] if isinstance(node, str) else list(f.data.get("nodes", []) or [])
        if f.rule == "cycle" and isinstance(f.data.get("cycle"), list):
            names = set(f.data["cycle"])
            ids = [nid for nid, n in wf.nodes.items() if n.name in names and n.kind == "job"]
        for nid in ids:
            if isinstance(nid, str):
                flagged.setdefault(nid, []).append(f.rule)
        if not ids:
            for nid, n in wf.nodes.items():
                if n.body_span.start.line <= f.span.start.line <= n.body_span.end.line and not n.inner:
                    flagged.setdefault(nid, []).append(f.rule)
                    break
    return flagged


def _graph_model(result: Analysis) -> dict[str, Any]:
    """The drawing's model: nodes (tasks, start, done, end, fault, and one ``unresolved`` node
    per reference that names nothing), edges from what runs first to what runs next (a GitHub
    job's ``needs`` drawn from the dependency to the dependent), each task's findings."""
    assert result.workflow is not None and result.graph is not None
    wf = result.workflow
    flagged = _flagged(result)
    graph_nodes, graph_edges = _contracted(result)
    g = result.graph.graph
    nodes = []
    for nid in graph_nodes:
        data = g.nodes[nid]
        if nid in wf.nodes:
            n = wf.nodes[nid]
            label = n.payload.get("label")
            nodes.append(
                {
                    "id": nid,
                    "name": n.name,
                    "label": label if isinstance(label, str) and label else n.name,
                    "kind": n.kind,
                    "scope": n.scope,
                    "line": n.name_span.start.line,
                    "findings": sorted(set(flagged.get(nid, []))),
                }
            )
        else:
            label = _PSEUDO_LABEL.get(nid) or (
                "start" if nid.endswith("#entry") else "any task" if nid.endswith("#any") else "done"
            )
            nodes.append(
                {
                    "id": nid,
                    "name": label,
                    "label": label,
                    "kind": "pseudo",
                    "scope": data.get("scope"),
                    "findings": [],
                }
            )
    edges: list[dict[str, Any]] = []
    # "b needs a": a runs first; a job that another one waits for is not drawn straight to done
    waited_for = {t for _, t, kind in graph_edges if kind == ir.NEEDS}
    done = wf.scopes[wf.root_scope].exit
    for s, t, kind in graph_edges:
        if kind == ir.NEEDS:
            s, t = t, s
        elif t == done and s in waited_for:
            continue
        edges.append({"source": s, "target": t, "kind": kind})
    # a reference that names nothing leads nowhere: one dangling edge to a marker per reference
    for i, e in enumerate(result.graph.dangling):
        mid = f"unresolved#{i}"
        name = e.target_name or ""
        nodes.append(
            {"id": mid, "name": name, "label": name, "kind": "unresolved", "scope": None, "findings": []}
        )
        if e.kind == ir.NEEDS:
            edges.append({"source": mid, "target": e.source, "kind": e.kind, "unresolved": True})
        else:
            edges.append({"source": e.source, "target": mid, "kind": e.kind, "unresolved": True})
    return {"workflow": wf.name, "dialect": wf.dialect, "nodes": nodes, "edges": edges}


def _mermaid_id(ids: dict[str, str], nid: str) -> str:
    if nid not in ids:
        ids[nid] = f"n{len(ids)}"
    return ids[nid]


_MERMAID_ESCAPES = {'"': "#quot;", "<": "#lt;", ">": "#gt;", **{c: f"#{ord(c)};" for c in "#[](){}|"}}


def _label(text: str) -> str:
    """A Mermaid label: quotes, angle brackets, brackets and braces as entity codes (a step's
    command may hold ``${{ }}``), which the VS Code client decodes to link nodes."""
    return "".join(_MERMAID_ESCAPES.get(c, c) for c in text)


def _dot(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def render(result: Analysis, fmt: str) -> str:
    """The control-flow graph of an analyzed document as ``mermaid``, ``dot`` or ``json``."""
    model = _graph_model(result)
    if fmt == "json":
        return json.dumps(model, indent=2) + "\n"
    ids: dict[str, str] = {}
    if fmt == "dot":
        lines = ["digraph workflow {", "  rankdir=TB;", '  node [shape=box, fontname="Helvetica"];']
        for n in model["nodes"]:
            nid = _mermaid_id(ids, n["id"])
            if n["kind"] == "unresolved":
                attrs = [f'label="{_dot(n["label"])}?"', "shape=plaintext", "fontcolor=red"]
            else:
                label = _dot(n["label"]) if n["kind"] == "pseudo" else f"{_dot(n['label'])}\\n({n['kind']})"
                attrs = [f'label="{label}"']
            if n["kind"] == "pseudo":
                attrs.append("shape=ellipse")
            if n["findings"]:
                attrs.append('color=red, penwidth=2, tooltip="' + ", ".join(n["findings"]) + '"')
            lines.append(f"  {nid} [{', '.join(attrs)}];")
        for e in model["edges"]:
            style = ", style=dashed" if e["kind"] in _DASHED or e.get("unresolved") else ""
            if e.get("unresolved"):
                style += ", color=red, fontcolor=red"
            lines.append(
                f'  {_mermaid_id(ids, e["source"])} -> {_mermaid_id(ids, e["target"])} [label="{e["kind"]}"{style}];'
            )
        lines.append("}")
        return "\n".join(lines) + "\n"
    lines = ["flowchart TD"]
    for n in model["nodes"]:
        nid = _mermaid_id(ids, n["id"])
        if n["kind"] == "pseudo":
            lines.append(f'  {nid}(["{_label(n["label"])}"])')
        elif n["kind"] == "unresolved":
            lines.append(f'  {nid}["{_label(n["label"])}?"]')
            lines.append(f"  class {nid} unresolved")
        else:
            lines.append(f'  {nid}["{_label(n["label"])}<br/><small>{n["kind"]}</small>"]')
        if n["findings"]:
            lines.append(f"  class {nid} finding")
    red: list[int] = []
    for i, e in enumerate(model["edges"]):
        arrow = "-.->" if e["kind"] in _DASHED or e.get("unresolved") else "-->"
        label = e["kind"] if e["kind"] not in (ir.NEXT, ir.ENTER, "") else ""
        mid = f"|{label}|" if label else ""
        lines.append(f"  {_mermaid_id(ids, e['source'])} {arrow}{mid} {_mermaid_id(ids, e['target'])}")
        if e.get("unresolved"):
            red.append(i)
    lines.append("  classDef finding stroke:#d33,stroke-width:3px")
    lines.append("  classDef unresolved fill:none,stroke:#d33,stroke-dasharray:4 3,color:#d33")
    if red:
        lines.append(f"  linkStyle {','.join(map(str, red))} stroke:#d33,stroke-width:2px,color:#d33")
    return "\n".join(lines) + "\n"


def rules_text(rules: Sequence[Rule]) -> str:
    width = max(len(r.id) for r in rules)
    return "".join(f"{r.id:<{width}}  {r.severity.label:<11}  {r.description}\n" for r in rules)


def rules_json(rules: Sequence[Rule]) -> str:
    data = [
        {
            "id": r.id,
            "severity": r.severity.label,
            "description": r.description,
            "dialects": sorted(r.dialects),
        }
        for r in rules
    ]
    return json.dumps({"rules": data}, indent=2) + "\n"


def rules_markdown(rules: Sequence[Rule]) -> str:
    """The rules reference page (docs/rules.md), generated from the registry."""
    out = [
        "# Rules reference",
        "",
        "The rules wfspec applies to Open Workflow Specification (formerly CNCF Serverless Workflow,",
        "`dsl: 1.0.x`) and GitHub Actions workflows.",
        "",
        "Generated by `wfspec rules --format markdown` from the rule registry; do not edit by hand.",
        "",
        "Every example is a complete document that the test suite analyzes: the Bad one yields the",
        "rule's finding, the Good one no error or warning of any rule.",
        "",
        "Severities are defaults: override them with `[tool.wfspec.severity]` in `pyproject.toml` or",
        "`.wfspec.toml`, and silence one line with `# wfspec: ignore[rule-id]` on it or on the line above.",
        "",
        "| rule | default severity | dialects | what it finds |",
        "|---|---|---|---|",
    ]
    for r in rules:
        out.append(
            f"| [`{r.id}`](#{r.id}) | {r.severity.label} | {', '.join(sorted(r.dialects))} | {r.description} |"
        )
    for r in rules:
        out += [
            "",
            f"## {r.id}",
            "",
            f"Default severity: **{r.severity.label}**. Dialects: {', '.join(sorted(r.dialects))}.",
            "",
        ]
        out += _doc_markdown(r.doc)
    return "\n".join(out) + "\n"


def _literal_block(lines: list[str], i: int) -> tuple[list[str], int]:
    """The literal block that starts after the ``Title::`` line ``i - 1``: its lines without
    the four-space indent and trailing blank lines, and the index of the line after it."""
    while i < len(lines) and not lines[i].strip():
        i += 1
    body: list[str] = []
    while i < len(lines) and (not lines[i].strip() or lines[i].startswith("    ")):
        body.append(lines[i][4:])
        i += 1
    while body and not body[-1].strip():
        body.pop()
    return body, i


def rule_examples(doc: str) -> list[tuple[str, str]]:
    """The ``Title::`` literal blocks of a rule docstring (``Bad``, ``Good``) as (title, YAML
    text), in order: what the rules reference shows, and what its test analyzes."""
    lines = doc.splitlines()
    examples: list[tuple[str, str]] = []
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        i += 1
        if line.endswith("::"):
            body, i = _literal_block(lines, i)
            examples.append((line[:-2].strip(), "".join(f"{ln}\n" for ln in body)))
    return examples


def _doc_markdown(doc: str) -> list[str]:
    """Turn a rule docstring (prose plus ``Bad::``/``Good::`` literal blocks) into Markdown."""
    out: list[str] = []
    lines = doc.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.rstrip().endswith("::"):
            title = line.rstrip()[:-2].strip()
            body, i = _literal_block(lines, i + 1)
            out += [f"**{title}**" if title else "", "", "```yaml", *body, "```", ""]
            continue
        out.append(line.replace("``", "`"))
        i += 1
    while out and not out[-1].strip():
        out.pop()
    return out
