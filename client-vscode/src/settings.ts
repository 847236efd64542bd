/**
 * Settings mapping: VS Code's flat `wfspec.*` configuration -> the server's settings tree.
 *
 * Pure (no `vscode` import) so it is unit-tested with node's test runner. The server
 * (server/wfspec/lsp/settings.py) already falls back to defaults for invalid values and reports
 * them; this side only drops values of the wrong JSON type, turns the client's spellings into
 * the server's ("auto" dialect -> null, "" -> null) and leaves out client-only keys.
 */

/** Environment variable through which the extension hands the stored API key to the server. */
export const API_KEY_ENV = 'WFSPEC_API_KEY';

/** Reads one key relative to the `wfspec` section, e.g. `read("llm.model")`. */
export type Read = (key: string) => unknown;

type Kind = 'boolean' | 'integer' | 'number' | 'string' | 'nullableString' | 'stringList' | 'stringMap' | 'dialect';

interface Mapped {
  /** Key under `wfspec.` in package.json. */
  readonly key: string;
  /** Path in the server's tree (camelCase JSON keys, see settings.py `describe()`). */
  readonly server: readonly string[];
  readonly kind: Kind;
}

/** Every setting the server understands, in the order of the server's settings tree. */
export const SERVER_SETTINGS: readonly Mapped[] = [
  { key: 'rules.select', server: ['rules', 'select'], kind: 'stringList' },
  { key: 'rules.ignore', server: ['rules', 'ignore'], kind: 'stringList' },
  { key: 'rules.severity', server: ['rules', 'severity'], kind: 'stringMap' },
  { key: 'debounceMs', server: ['debounceMs'], kind: 'integer' },
  { key: 'maxFileSize', server: ['maxFileSize'], kind: 'integer' },
  { key: 'dialect', server: ['dialect'], kind: 'dialect' },
  { key: 'dialectOverrides', server: ['dialectOverrides'], kind: 'stringMap' },
  { key: 'useProjectConfig', server: ['useProjectConfig'], kind: 'boolean' },
  { key: 'scriptLinters', server: ['scriptLinters'], kind: 'boolean' },
  { key: 'codeLens', server: ['codeLens'], kind: 'boolean' },
  { key: 'workspaceDiagnostics', server: ['workspaceDiagnostics'], kind: 'boolean' },
  { key: 'rulesDocsUrl', server: ['rulesDocsUrl'], kind: 'nullableString' },
  { key: 'logLevel', server: ['logLevel'], kind: 'string' },
  { key: 'llm.enabled', server: ['llm', 'enabled'], kind: 'boolean' },
  { key: 'llm.provider', server: ['llm', 'provider'], kind: 'string' },
  { key: 'llm.baseUrl', server: ['llm', 'baseUrl'], kind: 'nullableString' },
  { key: 'llm.model', server: ['llm', 'model'], kind: 'nullableString' },
  { key: 'llm.apiKeyEnv', server: ['llm', 'apiKeyEnv'], kind: 'string' },
  { key: 'llm.timeoutSeconds', server: ['llm', 'timeoutSeconds'], kind: 'number' },
  { key: 'llm.maxRounds', server: ['llm', 'maxRounds'], kind: 'integer' },
  { key: 'llm.unredactedEndpoints', server: ['llm', 'unredactedEndpoints'], kind: 'stringList' },
  { key: 'llm.budgetSeconds', server: ['llm', 'budgetSeconds'], kind: 'number' },
];

/** Settings only the client reads; never sent to the server. */
export const CLIENT_ONLY_SETTINGS: readonly string[] = ['server.path', 'python', 'trace.server'];

/** Settings that decide which process runs: changing one restarts the server. */
export const RESTART_SETTINGS: readonly string[] = ['server.path', 'python'];

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

const absent = Symbol('absent');

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function convert(kind: Kind, v: unknown): Json | typeof absent {
  switch (kind) {
    case 'boolean':
      return typeof v === 'boolean' ? v : absent;
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) ? v : absent;
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? v : absent;
    case 'string':
      return typeof v === 'string' && v.trim() !== '' ? v.trim() : absent;
    case 'nullableString':
      if (v === null) return null;
      return typeof v === 'string' ? (v.trim() === '' ? null : v.trim()) : absent;
    case 'dialect':
      if (v === null || v === undefined) return absent;
      if (typeof v !== 'string') return absent;
      return v === '' || v === 'auto' ? null : v;
    case 'stringList': {
      const list = typeof v === 'string' ? [v] : v;
      if (!Array.isArray(list)) return absent;
      const out = [...new Set(list.filter((x): x is string => typeof x === 'string').map((x) => x.trim()))];
      return out.filter((x) => x !== '');
    }
    case 'stringMap': {
      if (!isPlainObject(v)) return absent;
      const out: JsonObject = {};
      for (const [k, val] of Object.entries(v)) {
        if (typeof val === 'string') out[k] = val;
      }
      return out;
    }
  }
}

function setPath(target: JsonObject, path: readonly string[], value: Json): void {
  let node = target;
  for (const part of path.slice(0, -1)) {
    const next = node[part];
    if (!isPlainObject(next)) {
      const fresh: JsonObject = {};
      node[part] = fresh;
      node = fresh;
    } else {
      node = next as JsonObject;
    }
  }
  node[path[path.length - 1]!] = value;
}

export interface MapOptions {
  /** Whether an API key is stored in SecretStorage (and so set as WFSPEC_API_KEY). */
  readonly hasApiKey: boolean;
}

/**
 * The server's settings tree from the client's configuration. Values that are unset
 * (`undefined`) or of the wrong JSON type are left out so the server keeps its default.
 */
export function toServerSettings(read: Read, options: MapOptions): JsonObject {
  const out: JsonObject = {};
  for (const s of SERVER_SETTINGS) {
    const raw = read(s.key);
    if (raw === undefined) continue;
    const value = convert(s.kind, raw);
    if (value === absent) continue;
    setPath(out, s.server, value);
  }
  const llm = isPlainObject(out['llm']) ? (out['llm'] as JsonObject) : undefined;
  if (options.hasApiKey && (llm === undefined || llm['apiKeyEnv'] === undefined)) {
    setPath(out, ['llm', 'apiKeyEnv'], API_KEY_ENV);
  }
  return out;
}

/**
 * The environment for the server process: the extension host's, plus the stored API key.
 * A stored key wins over an inherited WFSPEC_API_KEY; without one, nothing is added.
 */
export function serverEnv(base: Readonly<Record<string, string | undefined>>, apiKey: string | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) {
    if (v !== undefined) env[k] = v;
  }
  if (apiKey !== undefined && apiKey !== '') env[API_KEY_ENV] = apiKey;
  // Python writes the LSP stream unbuffered only with this set; stdout is the transport.
  env['PYTHONUNBUFFERED'] = '1';
  return env;
}

/**
 * "AI off" | "local model" | "<model>" | "<host>" | "default model", for the status bar. Like the
 * server: AI is on unless `enabled` is false, and with no base URL (or provider "local") the
 * embedded local model answers, whatever the model name says.
 */
export function describeModel(settings: JsonObject): string {
  const llm = isPlainObject(settings['llm']) ? (settings['llm'] as JsonObject) : {};
  if (llm['enabled'] === false) return 'AI off';
  const baseUrl = llm['baseUrl'];
  if (llm['provider'] === 'local' || typeof baseUrl !== 'string' || baseUrl === '') return 'local model';
  if (typeof llm['model'] === 'string' && llm['model'] !== '') return llm['model'];
  try {
    return new URL(baseUrl).host || 'default model';
  } catch {
    return 'default model';
  }
}

/** Whether a configuration change for `affects("wfspec.<key>")` means a restart. */
export function needsRestart(affects: (section: string) => boolean): boolean {
  return RESTART_SETTINGS.some((k) => affects(`wfspec.${k}`));
}
