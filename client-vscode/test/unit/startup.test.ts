import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import type { Candidate } from '../../src/resolve';
import { keyForSpawn, lateSwitch, PhaseTimer, planStart, within } from '../../src/startup';

const files = (...paths: string[]) => (p: string) => paths.includes(p);
const never = <T>(): Promise<T> => new Promise<T>(() => undefined);
const onPath = { pathEnv: '/usr/bin', platform: 'linux' as const, isFile: files('/usr/bin/wfspec') };

test('a setting names the server: the Python extension is not asked before the start', async () => {
  let asked = 0;
  const interpreter = () => {
    asked++;
    return Promise.resolve('/proj/.venv/bin/python');
  };
  const plan = await planStart({ ...onPath, serverPath: '/opt/wfspec' }, interpreter, 50);
  assert.equal(plan.pythonExtension, 'not needed');
  assert.equal(asked, 0);
  assert.deepEqual(plan.list.map((c) => c.source), ['wfspec.server.path', 'PATH']);
  // the fallback list has it, in the documented order, and asks once
  assert.deepEqual((await plan.full()).map((c) => c.source), ['wfspec.server.path', 'Python extension', 'PATH']);
  await plan.full();
  assert.equal(asked, 1);
});

test('the wfspec.python setting is also started without the Python extension', async () => {
  const plan = await planStart({ ...onPath, python: '/usr/bin/python3' }, never, 50);
  assert.equal(plan.pythonExtension, 'not needed');
  assert.deepEqual(plan.list[0], { source: 'wfspec.python', command: '/usr/bin/python3', args: ['-m', 'wfspec.cli'] });
});

test('no setting: the Python extension that answers in time comes before PATH', async () => {
  const plan = await planStart(onPath, () => Promise.resolve('/proj/.venv/bin/python'), 1000);
  assert.equal(plan.pythonExtension, 'answered');
  assert.deepEqual(plan.list.map((c) => c.source), ['Python extension', 'PATH']);
});

test('no setting and a slow Python extension: PATH starts after the wait', async () => {
  let answer: (v: string) => void = () => undefined;
  const slow = new Promise<string>((resolve) => (answer = resolve));
  const plan = await planStart(onPath, () => slow, 20);
  assert.equal(plan.pythonExtension, 'timed out');
  assert.deepEqual(plan.list, [{ source: 'PATH', command: '/usr/bin/wfspec', args: [] }]);
  answer('/proj/.venv/bin/python');
  assert.deepEqual((await plan.full()).map((c) => c.source), ['Python extension', 'PATH']);
});

test('nothing but the Python extension: its answer is waited for, however slow', async () => {
  const late = new Promise<string>((resolve) => setTimeout(() => resolve('/proj/.venv/bin/python'), 60));
  const plan = await planStart({ platform: 'linux', pathEnv: '/usr/bin', isFile: files() }, () => late, 10);
  assert.equal(plan.pythonExtension, 'answered');
  assert.deepEqual(plan.list.map((c) => c.command), ['/proj/.venv/bin/python']);
});

test('a failing Python extension reads as none', async () => {
  const plan = await planStart(onPath, () => Promise.reject(new Error('boom')), 1000);
  assert.equal(plan.pythonExtension, 'answered');
  assert.deepEqual(plan.list.map((c) => c.source), ['PATH']);
});

test('a late answer switches only to another environment', () => {
  const path: Candidate = { source: 'PATH', command: '/usr/bin/wfspec', args: [] };
  const venv: Candidate = { source: 'Python extension', command: '/proj/.venv/bin/python', args: ['-m', 'wfspec.cli'] };
  const sameEnv: Candidate = { source: 'Python extension', command: '/usr/bin/python3', args: ['-m', 'wfspec.cli'] };
  assert.deepEqual(lateSwitch(path, [venv, path]), venv);
  assert.equal(lateSwitch(path, [sameEnv, path]), undefined);
  assert.equal(lateSwitch(path, [path]), undefined);
  assert.equal(lateSwitch(path, []), undefined);
});

test('within: the value in time, else not done; a rejection is not done', async () => {
  assert.deepEqual(await within(Promise.resolve(3), 1000), { done: true, value: 3 });
  assert.deepEqual(await within(never<number>(), 5), { done: false });
  assert.deepEqual(await within(Promise.reject(new Error('x')), 1000), { done: false });
});

test('PhaseTimer marks the milliseconds since it began', () => {
  let now = 1000;
  const t = new PhaseTimer(() => now);
  now = 1234.4;
  assert.equal(t.mark('spawned'), 'spawned (+234 ms)');
});

test('keyForSpawn: a store remembered empty does not hold the spawn; a key found later restarts', async () => {
  const remembered: boolean[] = [];
  let stale = 0;
  let answer: (k: string | undefined) => void = () => undefined;
  const read = new Promise<string | undefined>((resolve) => (answer = resolve));
  const forSpawn = keyForSpawn(read, true, (e) => remembered.push(e), () => stale++);
  assert.deepEqual(await within(forSpawn, 1000), { done: true, value: undefined }); // before the read answers
  answer('sk-late');
  await read;
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(remembered, [false]);
  assert.equal(stale, 1);
});

test('keyForSpawn: otherwise the spawn waits for the read, which is remembered', async () => {
  const remembered: boolean[] = [];
  let stale = 0;
  assert.equal(await keyForSpawn(Promise.resolve('sk-1'), false, (e) => remembered.push(e), () => stale++), 'sk-1');
  assert.equal(await keyForSpawn(Promise.resolve(undefined), false, (e) => remembered.push(e), () => stale++), undefined);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(remembered, [false, true]);
  assert.equal(stale, 0);
  // remembered empty and still empty: no restart
  await keyForSpawn(Promise.resolve(undefined), true, (e) => remembered.push(e), () => stale++);
  await new Promise((r) => setImmediate(r));
  assert.equal(stale, 0);
});
