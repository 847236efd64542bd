import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { API_KEY_ENV, describeModel, needsRestart, serverEnv, toServerSettings, type Read } from '../../src/settings';

const reader = (values: Record<string, unknown>): Read => (key) => values[key];

test('unset values are left out so the server keeps its defaults', () => {
  assert.deepEqual(toServerSettings(reader({}), { hasApiKey: false }), {});
});

test('flat VS Code keys become the server tree in camelCase', () => {
  const out = toServerSettings(
    reader({
      'rules.select': ['unknown-target', 'unreachable'],
      'rules.ignore': ['unused-definition'],
      'rules.severity': { unreachable: 'error' },
      debounceMs: 0,
      maxFileSize: 1024,
      dialect: 'serverless',
      dialectOverrides: { '**/flows/*.yaml': 'serverless' },
      useProjectConfig: false,
      codeLens: false,
      workspaceDiagnostics: false,
      rulesDocsUrl: 'https://example.invalid/rules',
      logLevel: 'debug',
      'llm.enabled': true,
      'llm.provider': 'openai',
      'llm.baseUrl': 'http://127.0.0.1:8000/v1',
      'llm.model': 'qwen',
      'llm.apiKeyEnv': 'MY_KEY',
      'llm.timeoutSeconds': 12.5,
      'llm.maxRounds': 2,
    }),
    { hasApiKey: false },
  );
  assert.deepEqual(out, {
    rules: { select: ['unknown-target', 'unreachable'], ignore: ['unused-definition'], severity: { unreachable: 'error' } },
    debounceMs: 0,
    maxFileSize: 1024,
    dialect: 'serverless',
    dialectOverrides: { '**/flows/*.yaml': 'serverless' },
    useProjectConfig: false,
    codeLens: false,
    workspaceDiagnostics: false,
    rulesDocsUrl: 'https://example.invalid/rules',
    logLevel: 'debug',
    llm: {
      enabled: true,
      provider: 'openai',
      baseUrl: 'http://127.0.0.1:8000/v1',
      model: 'qwen',
      apiKeyEnv: 'MY_KEY',
      timeoutSeconds: 12.5,
      maxRounds: 2,
    },
  });
});

test('client spellings map to the server\'s: "auto" dialect and empty strings are null', () => {
  const out = toServerSettings(reader({ dialect: 'auto', 'llm.baseUrl': '  ', 'llm.model': '', rulesDocsUrl: null }), { hasApiKey: false });
  assert.deepEqual(out, { dialect: null, llm: { baseUrl: null, model: null }, rulesDocsUrl: null });
});

test('values of the wrong JSON type are dropped, not sent', () => {
  const out = toServerSettings(
    reader({ debounceMs: '150', maxFileSize: 1.5, codeLens: 'yes', 'rules.select': 42, 'rules.severity': ['error'], 'llm.maxRounds': Number.NaN }),
    { hasApiKey: false },
  );
  assert.deepEqual(out, {});
});

test('rule lists are trimmed and deduplicated; a single string is a list of one', () => {
  const out = toServerSettings(reader({ 'rules.select': [' cycle', 'cycle', '', 3], 'rules.ignore': 'unreachable' }), { hasApiKey: false });
  assert.deepEqual(out, { rules: { select: ['cycle'], ignore: ['unreachable'] } });
});

test('client-only keys never reach the server', () => {
  const out = toServerSettings(reader({ 'server.path': '/x/wfspec', python: '/x/python', 'trace.server': 'verbose' }), { hasApiKey: false });
  assert.deepEqual(out, {});
});

test('a stored API key points the server at WFSPEC_API_KEY unless apiKeyEnv is set', () => {
  assert.deepEqual(toServerSettings(reader({}), { hasApiKey: true }), { llm: { apiKeyEnv: API_KEY_ENV } });
  assert.deepEqual(toServerSettings(reader({ 'llm.apiKeyEnv': '' }), { hasApiKey: true }), { llm: { apiKeyEnv: API_KEY_ENV } });
  assert.deepEqual(toServerSettings(reader({ 'llm.apiKeyEnv': 'OTHER' }), { hasApiKey: true }), { llm: { apiKeyEnv: 'OTHER' } });
  assert.deepEqual(toServerSettings(reader({ 'llm.enabled': true }), { hasApiKey: true }), { llm: { enabled: true, apiKeyEnv: API_KEY_ENV } });
});

test('serverEnv adds the stored key and keeps the rest of the environment', () => {
  const env = serverEnv({ PATH: '/bin', HOME: '/h', UNSET: undefined }, 'sk-test');
  assert.equal(env['PATH'], '/bin');
  assert.equal(env[API_KEY_ENV], 'sk-test');
  assert.ok(!('UNSET' in env));
  const without = serverEnv({ PATH: '/bin', [API_KEY_ENV]: 'inherited' }, undefined);
  assert.equal(without[API_KEY_ENV], 'inherited');
  assert.equal(serverEnv({}, '')[API_KEY_ENV], undefined);
});

test('describeModel says what the status bar shows', () => {
  // AI is on by default, with the embedded model when no base URL is set
  assert.equal(describeModel({}), 'local model');
  assert.equal(describeModel({ llm: { enabled: true, baseUrl: null } }), 'local model');
  assert.equal(describeModel({ llm: { enabled: false, model: 'm' } }), 'AI off');
  assert.equal(describeModel({ llm: { enabled: true, provider: 'local', baseUrl: 'http://h/v1' } }), 'local model');
  assert.equal(describeModel({ llm: { enabled: true, model: 'gpt-x' } }), 'local model');
  assert.equal(describeModel({ llm: { enabled: true, model: 'gpt-x', baseUrl: 'http://h/v1' } }), 'gpt-x');
  assert.equal(describeModel({ llm: { enabled: true, baseUrl: 'http://127.0.0.1:8000/v1' } }), '127.0.0.1:8000');
  assert.equal(describeModel({ llm: { enabled: true, baseUrl: 'not a url' } }), 'default model');
});

test('only the settings that choose the program restart the server', () => {
  assert.equal(needsRestart((s) => s === 'wfspec.python'), true);
  assert.equal(needsRestart((s) => s === 'wfspec.server.path'), true);
  assert.equal(needsRestart((s) => s === 'wfspec.debounceMs'), false);
});
