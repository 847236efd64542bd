/**
 * Links the server's Mermaid graph to source lines so that clicking a node in the webview
 * reveals its task. The server's `wfspec.graph` command answers Mermaid by default and the JSON
 * model (nodes with `name`, `kind` and a 0-based `line`) when asked for "json". No `vscode` import.
 */

export interface GraphJsonNode {
  readonly id: string;
  readonly name: string;
  readonly kind?: string;
  readonly line?: number;
  readonly findings?: readonly string[];
}

export interface GraphJson {
  readonly workflow?: string;
  readonly dialect?: string;
  readonly nodes: readonly GraphJsonNode[];
}

export interface NodeTarget {
  readonly name: string;
  /** 0-based line of the task's name. */
  readonly line: number;
}

/** Mermaid node declarations: id -> the label's first part (the task name). */
export function mermaidNodes(mermaid: string): Map<string, string> {
  const out = new Map<string, string>();
  const decl = /^\s*([A-Za-z_][\w-]*)\s*(?:\(\[|\[\[|\[\(|\(\(|\[|\(|\{\{|\{|>)\s*"?([^"\]\)\}<]*)/;
  for (const line of mermaid.split(/\r?\n/)) {
    if (/-->|-\.->|==>|---/.test(line)) continue;
    const m = decl.exec(line);
    if (!m) continue;
    const id = m[1]!;
    if (['flowchart', 'graph', 'classDef', 'class', 'click', 'style', 'linkStyle', 'subgraph', 'end', 'direction'].includes(id)) continue;
    out.set(id, m[2]!.trim());
  }
  return out;
}

export function isGraphJson(v: unknown): v is GraphJson {
  return typeof v === 'object' && v !== null && Array.isArray((v as { nodes?: unknown }).nodes);
}

/**
 * Mermaid node id -> the line to reveal. The server numbers Mermaid nodes `n0, n1, ...` in the
 * JSON model's node order; a node is linked by that index when its label matches, else by a
 * unique name. Nodes without a line (start, end, done) are not linked.
 */
export function nodeTargets(mermaid: string, graph: GraphJson | undefined): Record<string, NodeTarget> {
  const out: Record<string, NodeTarget> = {};
  if (!graph) return out;
  const declared = mermaidNodes(mermaid);
  const byName = new Map<string, GraphJsonNode[]>();
  for (const n of graph.nodes) {
    if (typeof n.line !== 'number') continue;
    byName.set(n.name, [...(byName.get(n.name) ?? []), n]);
  }
  const used = new Set<string>();
  graph.nodes.forEach((n, i) => {
    if (typeof n.line !== 'number') return;
    const id = `n${i}`;
    const label = declared.get(id);
    if (label !== undefined && label === n.name) {
      out[id] = { name: n.name, line: n.line };
      used.add(id);
    }
  });
  for (const [id, label] of declared) {
    if (used.has(id)) continue;
    const same = byName.get(label);
    if (same && same.length === 1 && typeof same[0]!.line === 'number') out[id] = { name: label, line: same[0]!.line };
  }
  return out;
}
