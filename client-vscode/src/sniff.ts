/**
 * A cheap guess whether a YAML document is a workflow wfspec analyzes. The server decides for
 * real (it ignores non-workflow YAML); this only drives the `wfspec.isWorkflow` context key
 * (the graph button in the editor title) and the status bar. No `vscode` import.
 */

export type Dialect = 'serverless' | 'github';

const SW_SUFFIX = /\.sw\.ya?ml$/i;
const GH_PATH = /(^|[\\/])\.github[\\/]workflows[\\/][^\\/]+\.ya?ml$/i;

/** Top-level keys (column 0) of a YAML document, ignoring comments and flow content. */
export function topLevelKeys(text: string, maxLines = 400): Set<string> {
  const keys = new Set<string>();
  const lines = text.split(/\r?\n/, maxLines);
  for (const line of lines) {
    const m = /^([A-Za-z_][\w-]*|"[^"]+"|'[^']+')\s*:(\s|$)/.exec(line);
    if (m) keys.add(m[1]!.replace(/^["']|["']$/g, ''));
  }
  return keys;
}

/** The dialect a document looks like, from its path and content, or undefined. */
export function sniffDialect(fileName: string, text: string): Dialect | undefined {
  if (SW_SUFFIX.test(fileName)) return 'serverless';
  if (GH_PATH.test(fileName)) return 'github';
  if (!/\.ya?ml$/i.test(fileName) && !fileName.startsWith('Untitled')) return undefined;
  const keys = topLevelKeys(text);
  if (keys.has('document') && keys.has('do')) return 'serverless';
  if (keys.has('document') && /^\s+dsl\s*:/m.test(text)) return 'serverless';
  if (keys.has('jobs') && (keys.has('on') || keys.has('"on"') || keys.has('true'))) return 'github';
  return undefined;
}
