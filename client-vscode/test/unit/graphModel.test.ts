import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import {
  decodeEntities,
  fitScale,
  isGraphJson,
  LABEL_FONT_PX,
  MIN_LABEL_PX,
  mermaidConfig,
  mermaidNodes,
  nodeTargets,
  type GraphJson,
} from '../../src/graphModel';

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

test('labels other than the name (a GitHub step named by its uses) still link, entities decoded', () => {
  const mermaid = `flowchart TD
  n0(["start"])
  n1["actions/checkout@v4<br/><small>step</small>"]
  n2["run: echo #quot;$#123;#123; x #125;#125;#quot;<br/><small>step</small>"]
  n0 --> n1
`;
  const model: GraphJson = {
    nodes: [
      { id: '/jobs#entry', name: 'start', kind: 'pseudo' },
      { id: '/jobs/0/steps/0', name: 'step-1', label: 'actions/checkout@v4', kind: 'step', line: 7 },
      { id: '/jobs/0/steps/1', name: 'step-2', label: 'run: echo "${{ x }}"', kind: 'step', line: 8 },
    ],
  };
  assert.equal(decodeEntities('a #quot;b#quot; #123;#125; #lt;'), 'a "b" {} <');
  assert.deepEqual(nodeTargets(mermaid, model), {
    n1: { name: 'step-1', line: 7 },
    n2: { name: 'step-2', line: 8 },
  });
});

test('the graph is drawn with readable labels: never scaled below the minimum label size', () => {
  const config = mermaidConfig(false) as { themeVariables: { fontSize: string }; flowchart: { useMaxWidth: boolean } };
  assert.equal(config.themeVariables.fontSize, `${LABEL_FONT_PX}px`);
  assert.equal(config.flowchart.useMaxWidth, false);
  // a tall graph (a job's twelve steps) in a side panel: fit would shrink it to a fifth
  const scale = fitScale(400, 2400, 500, 480);
  assert.ok(LABEL_FONT_PX * scale >= MIN_LABEL_PX, `labels ${LABEL_FONT_PX * scale}px`);
  assert.ok(MIN_LABEL_PX >= 11);
  assert.equal(fitScale(200, 100, 800, 600), 1); // never enlarged
  assert.equal(fitScale(1000, 500, 800, 600), 0.8);
});

test('against the real `wfspec graph` of a GitHub workflow: every job and step links', (t) => {
  const repo = path.resolve(__dirname, '..', '..', '..', '..');
  const wfspec = process.env['WFSPEC_BIN'] ?? path.join(repo, '.venv', 'bin', 'wfspec');
  const spec = path.join(repo, 'specs', 'github', 'ci-matrix.yml');
  if (!existsSync(wfspec) || !existsSync(spec)) {
    t.skip('no wfspec executable or spec in this checkout');
    return;
  }
  const mermaid = execFileSync(wfspec, ['graph', spec, '--format', 'mermaid'], { encoding: 'utf8' });
  const json: unknown = JSON.parse(execFileSync(wfspec, ['graph', spec, '--format', 'json'], { encoding: 'utf8' }));
  assert.ok(isGraphJson(json));
  const tasks = json.nodes.filter((n) => typeof n.line === 'number');
  assert.equal(Object.keys(nodeTargets(mermaid, json)).length, tasks.length);
  assert.doesNotMatch(mermaid, /step-\d/);
});
