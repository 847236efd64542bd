import { strict as assert } from 'node:assert';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import {
  candidates,
  expandPath,
  findOnPath,
  probe,
  resolveServer,
  runProcess,
  type Candidate,
  type RunFn,
} from '../../src/resolve';

const files = (...paths: string[]) => (p: string) => paths.includes(p);

test('order: server.path, then python, then the Python extension, then PATH', () => {
  const list = candidates({
    serverPath: '/opt/wfspec/bin/wfspec',
    python: '/usr/bin/python3',
    pythonExtensionInterpreter: '/proj/.venv/bin/python',
    pathEnv: '/usr/local/bin:/usr/bin',
    platform: 'linux',
    isFile: files('/usr/bin/wfspec'),
  });
  assert.deepEqual(list, [
    { source: 'wfspec.server.path', command: '/opt/wfspec/bin/wfspec', args: [] },
    { source: 'wfspec.python', command: '/usr/bin/python3', args: ['-m', 'wfspec.cli'] },
    { source: 'Python extension', command: '/proj/.venv/bin/python', args: ['-m', 'wfspec.cli'] },
    { source: 'PATH', command: '/usr/bin/wfspec', args: [] },
  ]);
});

test('empty settings fall through to PATH; nothing at all gives no candidates', () => {
  const onPath = candidates({ serverPath: '  ', python: '', pathEnv: '/a:/b', platform: 'linux', isFile: files('/b/wfspec') });
  assert.deepEqual(onPath, [{ source: 'PATH', command: '/b/wfspec', args: [] }]);
  assert.deepEqual(candidates({ platform: 'linux', pathEnv: '/a', isFile: files() }), []);
});

test('the same interpreter from the setting and the Python extension is tried once', () => {
  const list = candidates({ python: '/p/bin/python', pythonExtensionInterpreter: '/p/bin/python', platform: 'linux', isFile: files() });
  assert.equal(list.length, 1);
  assert.equal(list[0]!.source, 'wfspec.python');
});

test('~, ${userHome} and ${workspaceFolder} are expanded; relative paths are workspace-relative', () => {
  assert.equal(expandPath('~/bin/wfspec', '/home/u', undefined), path.join('/home/u', 'bin/wfspec'));
  assert.equal(expandPath('${userHome}/x', '/home/u', undefined), '/home/u/x');
  assert.equal(expandPath('${workspaceFolder}/.venv/bin/python', '/home/u', '/ws'), '/ws/.venv/bin/python');
  assert.equal(expandPath('.venv/bin/python', '/home/u', '/ws'), path.resolve('/ws', '.venv/bin/python'));
  assert.equal(expandPath('python3', '/home/u', '/ws'), 'python3');
});

test('findOnPath honours PATHEXT on Windows', () => {
  const found = findOnPath('wfspec', 'C:\\py\\Scripts;C:\\bin', 'win32', files('C:\\py\\Scripts\\wfspec.EXE'), '.COM;.EXE');
  assert.equal(found, 'C:\\py\\Scripts\\wfspec.EXE');
  assert.equal(findOnPath('wfspec', '', 'linux', files()), undefined);
});

const fakeRun = (answers: Record<string, Awaited<ReturnType<RunFn>>>): RunFn => async (command) =>
  answers[command] ?? { code: null, stdout: '', stderr: '', error: Object.assign(new Error('spawn ENOENT'), { code: 'ENOENT' }) };

test('resolveServer takes the first candidate that answers serve --help, explaining the skipped ones', async () => {
  const list: Candidate[] = [
    { source: 'wfspec.server.path', command: '/missing/wfspec', args: [] },
    { source: 'wfspec.python', command: '/usr/bin/python3', args: ['-m', 'wfspec.cli'] },
    { source: 'PATH', command: '/usr/bin/wfspec', args: [] },
  ];
  const r = await resolveServer(
    list,
    fakeRun({
      '/usr/bin/python3': { code: 1, stdout: '', stderr: "/usr/bin/python3: Error while finding module specification for 'wfspec.cli' (ModuleNotFoundError: No module named 'wfspec')" },
      '/usr/bin/wfspec': { code: 0, stdout: 'usage: wfspec serve', stderr: '' },
    }),
  );
  assert.ok(r.ok);
  assert.equal(r.candidate.source, 'PATH');
  assert.deepEqual(r.skipped, [
    'wfspec.server.path: /missing/wfspec does not exist',
    'wfspec.python: wfspec is not installed in /usr/bin/python3',
  ]);
});

test('a wfspec without the server and an empty list are explained', async () => {
  const old: Candidate = { source: 'PATH', command: '/usr/bin/wfspec', args: [] };
  const r = await resolveServer(
    [old],
    fakeRun({ '/usr/bin/wfspec': { code: 2, stdout: '', stderr: "wfspec: error: argument COMMAND: invalid choice: 'serve'" } }),
  );
  assert.ok(!r.ok);
  assert.match(r.failures[0]!, /without the language server/);
  const none = await resolveServer([], fakeRun({}));
  assert.ok(!none.ok);
  assert.match(none.failures[0]!, /no "wfspec" on PATH/);
});

test('probe runs real processes: success, exit status, missing and not executable', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wfspec-probe-'));
  try {
    const good = path.join(dir, 'good');
    writeFileSync(good, '#!/bin/sh\n[ "$1 $2" = "serve --help" ] && exit 0\nexit 3\n');
    chmodSync(good, 0o755);
    const bad = path.join(dir, 'bad');
    writeFileSync(bad, '#!/bin/sh\necho "something broke" >&2\nexit 4\n');
    chmodSync(bad, 0o755);
    const noexec = path.join(dir, 'noexec');
    writeFileSync(noexec, '#!/bin/sh\nexit 0\n');
    chmodSync(noexec, 0o644);
    assert.deepEqual(await probe({ source: 'PATH', command: good, args: [] }), { ok: true });
    const b = await probe({ source: 'PATH', command: bad, args: [] });
    assert.equal(b.ok, false);
    assert.match(b.reason!, /exited with 4: something broke/);
    assert.match((await probe({ source: 'PATH', command: path.join(dir, 'nope'), args: [] })).reason!, /does not exist/);
    assert.match((await probe({ source: 'PATH', command: noexec, args: [] })).reason!, /not executable/);
    const r = await runProcess('/bin/sh', ['-c', 'sleep 5'], 200);
    assert.equal(r.error?.code, 'ETIMEDOUT');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
