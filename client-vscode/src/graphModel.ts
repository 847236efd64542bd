/**
 * Links the server's Mermaid graph to source lines so that clicking a node in the webview
 * reveals its task. The server's `wfspec.graph` command answers Mermaid by default and the JSON
 * model (nodes with `name`, `kind` and a 0-based `line`) when asked for "json". No `vscode` import.
 */

export interface GraphJsonNode {
  readonly id: string;
  readonly name: string;
  /** What the drawing shows (a GitHub step's name or `uses`); `name` when absent. */
  readonly label?: string;
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

/** Mermaid node declarations: id -> the label's first part (the task name), entities decoded. */
export function mermaidNodes(mermaid: string): Map<string, string> {
  const out = new Map<string, string>();
  const decl = /^\s*([A-Za-z_][\w-]*)\s*(?:\(\[|\[\[|\[\(|\(\(|\[|\(|\{\{|\{|>)\s*"?([^"\]\)\}<]*)/;
  for (const line of mermaid.split(/\r?\n/)) {
    if (/-->|-\.->|==>|---/.test(line)) continue;
    const m = decl.exec(line);
    if (!m) continue;
    const id = m[1]!;
    if (['flowchart', 'graph', 'classDef', 'class', 'click', 'style', 'linkStyle', 'subgraph', 'end', 'direction'].includes(id)) continue;
    out.set(id, decodeEntities(m[2]!.trim()));
  }
  return out;
}

/** Mermaid's entity codes in labels (`#quot;`, `#lt;`, `#123;`) back to characters. */
export function decodeEntities(label: string): string {
  const named: Record<string, string> = { quot: '"', lt: '<', gt: '>', amp: '&' };
  return label.replace(/#(quot|lt|gt|amp|\d+);/g, (all, code: string) =>
    /^\d+$/.test(code) ? String.fromCodePoint(Number(code)) : (named[code] ?? all),
  );
}

export function isGraphJson(v: unknown): v is GraphJson {
  return typeof v === 'object' && v !== null && Array.isArray((v as { nodes?: unknown }).nodes);
}

/**
 * Mermaid node id -> the line to reveal. The server numbers Mermaid nodes `n0, n1, ...` in the
 * JSON model's node order; a node is linked by that index when its label matches (the model's
 * `label`, else its `name`), else by a unique label. Nodes without a line (start, end, done) are not linked.
 */
export function nodeTargets(mermaid: string, graph: GraphJson | undefined): Record<string, NodeTarget> {
  const out: Record<string, NodeTarget> = {};
  if (!graph) return out;
  const declared = mermaidNodes(mermaid);
  const byName = new Map<string, GraphJsonNode[]>();
  for (const n of graph.nodes) {
    if (typeof n.line !== 'number') continue;
    const shown = n.label ?? n.name;
    byName.set(shown, [...(byName.get(shown) ?? []), n]);
  }
  const used = new Set<string>();
  graph.nodes.forEach((n, i) => {
    if (typeof n.line !== 'number') return;
    const id = `n${i}`;
    const label = declared.get(id);
    if (label !== undefined && label === (n.label ?? n.name)) {
      out[id] = { name: n.name, line: n.line };
      used.add(id);
    }
  });
  for (const [id, label] of declared) {
    if (used.has(id)) continue;
    const same = byName.get(label);
    if (same && same.length === 1 && typeof same[0]!.line === 'number') out[id] = { name: same[0]!.name, line: same[0]!.line };
  }
  return out;
}

/** The label size the graph is drawn with (CSS px) and the smallest it may be shown at. */
export const LABEL_FONT_PX = 14;
export const MIN_LABEL_PX = 11;

/** The mermaid configuration of the graph webview: readable labels, drawn at their own size. */
export function mermaidConfig(dark: boolean): Record<string, unknown> {
  return {
    startOnLoad: false,
    securityLevel: 'strict',
    theme: dark ? 'dark' : 'default',
    themeVariables: { fontSize: `${LABEL_FONT_PX}px` },
    // the webview scales the drawing itself (fitScale): mermaid's own max-width shrinks a tall
    // graph until its labels are a few pixels high
    flowchart: { htmlLabels: true, useMaxWidth: false, nodeSpacing: 30, rankSpacing: 40 },
  };
}

/**
 * The scale that fits a drawing of `width` x `height` into the view, never shrinking labels
 * below MIN_LABEL_PX (the view scrolls instead) and never enlarging.
 */
export function fitScale(width: number, height: number, viewWidth: number, viewHeight: number): number {
  if (!(width > 0 && height > 0 && viewWidth > 0 && viewHeight > 0)) return 1;
  const fit = Math.min(viewWidth / width, viewHeight / height, 1);
  return Math.max(fit, MIN_LABEL_PX / LABEL_FONT_PX);
}
