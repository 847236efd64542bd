import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { sniffDialect, topLevelKeys } from '../../src/sniff';

test('*.sw.yaml is Serverless Workflow whatever it holds', () => {
  assert.equal(sniffDialect('/w/flow.sw.yaml', ''), 'serverless');
  assert.equal(sniffDialect('/w/flow.SW.yml', 'a: 1'), 'serverless');
});

test('files under .github/workflows are GitHub Actions', () => {
  assert.equal(sniffDialect('/repo/.github/workflows/ci.yml', ''), 'github');
  assert.equal(sniffDialect('C:\\repo\\.github\\workflows\\ci.yaml', ''), 'github');
  assert.equal(sniffDialect('/repo/.github/ci.yml', ''), undefined);
});

test('Serverless Workflow by content: document + do, or document with dsl', () => {
  const spec = "# triage\ndocument:\n  dsl: '1.0.3'\n  namespace: support\ndo:\n  - a:\n      call: http\n";
  assert.equal(sniffDialect('/w/triage.yaml', spec), 'serverless');
  assert.equal(sniffDialect('/w/partial.yaml', "document:\n  dsl: '1.0.0'\n"), 'serverless');
  assert.equal(sniffDialect('Untitled-1', spec), 'serverless');
});

test('GitHub Actions by content outside .github/workflows', () => {
  assert.equal(sniffDialect('/w/ci.yml', 'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n'), 'github');
  assert.equal(sniffDialect('/w/ci.yml', '"on": push\njobs: {}\n'), 'github');
});

test('other YAML is not a workflow', () => {
  assert.equal(sniffDialect('/w/docker-compose.yml', 'services:\n  web:\n    image: nginx\n'), undefined);
  assert.equal(sniffDialect('/w/notes.md', 'document:\ndo:\n'), undefined);
  assert.equal(sniffDialect('/w/k8s.yaml', 'apiVersion: v1\nkind: Pod\n  document: x\n'), undefined);
});

test('topLevelKeys ignores nested keys and comments', () => {
  assert.deepEqual([...topLevelKeys('# a: 1\nb: 2\n  c: 3\n"d": 4\ne:\n')], ['b', 'd', 'e']);
});
