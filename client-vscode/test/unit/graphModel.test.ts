import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { isGraphJson, mermaidNodes, nodeTargets, type GraphJson } from '../../src/graphModel';

// The shape `wfspec graph --format mermaid|json` prints for a small switch workflow.
const MERMAID = `flowchart TD
  n0(["end"])
  n1(["start"])
  n2(["done"])
  n3["classifyTicket<br/><small>call</small>"]
  n4["routeTicket<br/><small>switch</small>"]
  class n4 finding
  n5["postReply<br/><small>call</small>"]
  n1 --> n3
  n3 --> n4
  n4 -->|case| n5
  n5 --> n2
  n2 -->|end| n0
  classDef finding stroke:#d33,stroke-width:3px
`;

const JSON_MODEL: GraphJson = {
  workflow: 'triage',
  dialect: 'serverless',
  nodes: [
    { id: '<end>', name: 'end', kind: 'pseudo' },
    { id: '/do#entry', name: 'start', kind: 'pseudo' },
    { id: '/do#exit', name: 'done', kind: 'pseudo' },
    { id: '/do/0/classifyTicket', name: 'classifyTicket', kind: 'call', line: 8 },
    { id: '/do/1/routeTicket', name: 'routeTicket', kind: 'switch', line: 23, findings: ['unknown-target'] },
    { id: '/do/2/postReply', name: 'postReply', kind: 'call', line: 40 },
  ],
};

test('mermaidNodes reads node declarations, not edges or classes', () => {
  const nodes = mermaidNodes(MERMAID);
  assert.deepEqual([...nodes.keys()], ['n0', 'n1', 'n2', 'n3', 'n4', 'n5']);
  assert.equal(nodes.get('n3'), 'classifyTicket');
  assert.equal(nodes.get('n1'), 'start');
});

test('tasks link to their lines by index; pseudo nodes do not link', () => {
  assert.deepEqual(nodeTargets(MERMAID, JSON_MODEL), {
    n3: { name: 'classifyTicket', line: 8 },
    n4: { name: 'routeTicket', line: 23 },
    n5: { name: 'postReply', line: 40 },
  });
});

test('a renumbered graph still links unique names', () => {
  const shuffled = MERMAID.replace(/n3/g, 'x').replace(/n5/g, 'n3').replace(/\bx\b/g, 'n5');
  const t = nodeTargets(shuffled, JSON_MODEL);
  assert.deepEqual(t['n5'], { name: 'classifyTicket', line: 8 });
  assert.deepEqual(t['n3'], { name: 'postReply', line: 40 });
});

test('without the JSON model nothing links (the graph is still drawn)', () => {
  assert.deepEqual(nodeTargets(MERMAID, undefined), {});
  assert.equal(isGraphJson({ nodes: [] }), true);
  assert.equal(isGraphJson('flowchart TD'), false);
  assert.equal(isGraphJson(null), false);
});

test('against the real `wfspec graph`: every task node links to the line naming it', (t) => {
  const repo = path.resolve(__dirname, '..', '..', '..', '..');
  const wfspec = process.env['WFSPEC_BIN'] ?? path.join(repo, '.venv', 'bin', 'wfspec');
  const spec = path.join(repo, 'specs', 'serverless', 'faulty', 'unknown-target-support-triage.yaml');
  if (!existsSync(wfspec) || !existsSync(spec)) {
    t.skip('no wfspec executable or spec in this checkout');
    return;
  }
  const mermaid = execFileSync(wfspec, ['graph', spec, '--format', 'mermaid'], { encoding: 'utf8' });
  const json: unknown = JSON.parse(execFileSync(wfspec, ['graph', spec, '--format', 'json'], { encoding: 'utf8' }));
  assert.ok(isGraphJson(json));
  const targets = nodeTargets(mermaid, json);
  const lines = readFileSync(spec, 'utf8').split('\n');
  const tasks = json.nodes.filter((n) => typeof n.line === 'number');
  assert.equal(Object.keys(targets).length, tasks.length);
  for (const target of Object.values(targets)) {
    assert.match(lines[target.line]!, new RegExp(`\\b${target.name}:`), `line ${target.line} names ${target.name}`);
  }
});
