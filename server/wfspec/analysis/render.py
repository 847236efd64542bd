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


def _graph_model(result: Analysis) -> dict[str, Any]:
    assert result.workflow is not None and result.graph is not None
    wf = result.workflow
    flagged: dict[str, list[str]] = {}
    for f in result.findings:
        node = f.data.get("node") or f.data.get("source")
        ids = [node] if isinstance(node, str) else list(f.data.get("nodes", []) or [])
        for nid in ids:
            if isinstance(nid, str):
                flagged.setdefault(nid, []).append(f.rule)
        if not ids:
            for nid, n in wf.nodes.items():
                if n.body_span.start.line <= f.span.start.line <= n.body_span.end.line and not n.inner:
                    flagged.setdefault(nid, []).append(f.rule)
                    break
    nodes = []
    for nid in result.graph.graph.nodes:
        data = result.graph.graph.nodes[nid]
        if nid in wf.nodes:
            n = wf.nodes[nid]
            nodes.append(
                {
                    "id": nid,
                    "name": n.name,
                    "kind": n.kind,
                    "scope": n.scope,
                    "line": n.name_span.start.line,
                    "findings": sorted(set(flagged.get(nid, []))),
                }
            )
        else:
            label = _PSEUDO_LABEL.get(nid) or (
                "start" if nid.endswith("#entry") else "unresolved" if nid.endswith("#any") else "done"
            )
            nodes.append(
                {"id": nid, "name": label, "kind": "pseudo", "scope": data.get("scope"), "findings": []}
            )
    edges = [
        {"source": s, "target": t, "kind": d.get("kind", "")}
        for s, t, d in result.graph.graph.edges(data=True)
    ]
    return {"workflow": wf.name, "dialect": wf.dialect, "nodes": nodes, "edges": edges}


def _mermaid_id(ids: dict[str, str], nid: str) -> str:
    if nid not in ids:
        ids[nid] = f"n{len(ids)}"
    return ids[nid]


def _label(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


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
            label = n["name"] if n["kind"] == "pseudo" else f"{n['name']}\\n({n['kind']})"
            attrs = [f'label="{label}"']
            if n["kind"] == "pseudo":
                attrs.append("shape=ellipse")
            if n["findings"]:
                attrs.append('color=red, penwidth=2, tooltip="' + ", ".join(n["findings"]) + '"')
            lines.append(f"  {nid} [{', '.join(attrs)}];")
        for e in model["edges"]:
            style = ", style=dashed" if e["kind"] in (ir.LOOP, ir.CATCH, "unresolved") else ""
            lines.append(
                f'  {_mermaid_id(ids, e["source"])} -> {_mermaid_id(ids, e["target"])} [label="{e["kind"]}"{style}];'
            )
        lines.append("}")
        return "\n".join(lines) + "\n"
    lines = ["flowchart TD"]
    for n in model["nodes"]:
        nid = _mermaid_id(ids, n["id"])
        if n["kind"] == "pseudo":
            lines.append(f'  {nid}(["{_label(n["name"])}"])')
        else:
            lines.append(f'  {nid}["{_label(n["name"])}<br/><small>{n["kind"]}</small>"]')
        if n["findings"]:
            lines.append(f"  class {nid} finding")
    for e in model["edges"]:
        arrow = "-.->" if e["kind"] in (ir.LOOP, ir.CATCH, "unresolved") else "-->"
        label = e["kind"] if e["kind"] not in (ir.NEXT, ir.ENTER, "") else ""
        mid = f"|{label}|" if label else ""
        lines.append(f"  {_mermaid_id(ids, e['source'])} {arrow}{mid} {_mermaid_id(ids, e['target'])}")
    lines.append("  classDef finding stroke:#d33,stroke-width:3px")
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
        "Generated by `wfspec rules --format markdown` from the rule registry; do not edit by hand.",
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


def _doc_markdown(doc: str) -> list[str]:
    """Turn a rule docstring (prose plus ``Bad::``/``Good::`` literal blocks) into Markdown."""
    out: list[str] = []
    lines = doc.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.rstrip().endswith("::"):
            title = line.rstrip()[:-2].strip()
            out.append(f"**{title}**" if title else "")
            out.append("")
            out.append("```yaml")
            i += 1
            while i < len(lines) and not lines[i].strip():
                i += 1
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith("    ")):
                out.append(lines[i][4:])
                i += 1
            while out and not out[-1].strip():
                out.pop()
            out.append("```")
            out.append("")
            continue
        out.append(line.replace("``", "`"))
        i += 1
    while out and not out[-1].strip():
        out.pop()
    return out
