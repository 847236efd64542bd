/**
 * The settings contribution in package.json mirrors the server's settings tree: every server
 * setting is contributed (with a description), every contributed key is mapped or client-only,
 * and the LLM endpoint settings are machine-scoped. When the repository's Python environment is
 * there, the server's own list (wfspec.lsp.settings.describe) is compared too.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { CLIENT_ONLY_SETTINGS, SERVER_SETTINGS } from '../../src/settings';

const root = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const properties: Record<string, { scope?: string; description?: string; markdownDescription?: string; default?: unknown }> =
  manifest.contributes.configuration.properties;

test('every server setting is contributed with a description, and nothing else is', () => {
  const contributed = Object.keys(properties).map((k) => k.replace(/^wfspec\./, '')).sort();
  const expected = [...SERVER_SETTINGS.map((s) => s.key), ...CLIENT_ONLY_SETTINGS].sort();
  assert.deepEqual(contributed, expected);
  for (const [key, p] of Object.entries(properties)) {
    assert.ok((p.description ?? p.markdownDescription ?? '').length > 20, `${key} needs a description`);
    assert.ok('default' in p, `${key} needs a default`);
  }
});

test('endpoint, model and the programs that run are machine-scoped', () => {
  for (const key of ['wfspec.llm.baseUrl', 'wfspec.llm.model', 'wfspec.llm.apiKeyEnv', 'wfspec.server.path', 'wfspec.python']) {
    assert.equal(properties[key]?.scope, 'machine', key);
  }
});

test('activation, language and selectors cover *.sw.yaml and .github/workflows', () => {
  const events: string[] = manifest.activationEvents;
  assert.ok(events.includes('onLanguage:yaml'));
  assert.ok(events.includes('workspaceContains:**/*.sw.yaml'));
  assert.ok(events.some((e) => e.startsWith('workspaceContains:.github/workflows/')));
  const lang = manifest.contributes.languages.find((l: { id: string }) => l.id === 'wfspec-serverless');
  assert.deepEqual(lang.extensions, ['.sw.yaml', '.sw.yml']);
  const grammar = JSON.parse(readFileSync(path.join(root, 'syntaxes', 'wfspec-serverless.tmLanguage.json'), 'utf8'));
  assert.deepEqual(grammar.patterns, [{ include: 'source.yaml' }]);
});

test('every contributed command has a category', () => {
  for (const c of manifest.contributes.commands) assert.equal(c.category, 'wfspec', c.command);
});

function findPython(): string | undefined {
  const candidates = [process.env['WFSPEC_PYTHON'], path.resolve(root, '..', '.venv', 'bin', 'python')];
  return candidates.find((p): p is string => typeof p === 'string' && existsSync(p));
}

test('the server\'s own settings list matches the contribution', (t) => {
  const python = findPython();
  if (!python) {
    t.skip('no Python environment with wfspec (set WFSPEC_PYTHON)');
    return;
  }
  let out: string;
  try {
    out = execFileSync(python, ['-c', 'import json; from wfspec.lsp.settings import describe; print(json.dumps([k for k, _, _ in describe()]))'], {
      encoding: 'utf8',
    });
  } catch {
    t.skip('wfspec.lsp.settings is not importable here');
    return;
  }
  const serverKeys: string[] = JSON.parse(out).map((k: string) => k.replace(/^wfspec\./, ''));
  assert.deepEqual([...serverKeys].sort(), SERVER_SETTINGS.map((s) => s.key).sort());
});
