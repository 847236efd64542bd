/**
 * Which program runs `wfspec serve`: the `wfspec.server.path` setting, else `wfspec.python`,
 * else the Python extension's active environment, else `wfspec` on PATH.
 *
 * Pure apart from the probe, which spawns the candidate with `serve --help`; the spawn function
 * is injected so tests can fake it. No `vscode` import.
 */

import * as path from 'node:path';
import * as fs from 'node:fs';
import { execFile } from 'node:child_process';

export type Source = 'wfspec.server.path' | 'wfspec.python' | 'Python extension' | 'PATH';

/** A way to run the wfspec CLI; `serve` or `rules ...` is appended to `args`. */
export interface Candidate {
  readonly source: Source;
  readonly command: string;
  readonly args: readonly string[];
}

export interface ResolveInputs {
  readonly serverPath?: string | undefined;
  readonly python?: string | undefined;
  /** The interpreter of the Python extension's active environment, when that extension is installed. */
  readonly pythonExtensionInterpreter?: string | undefined;
  /** The PATH to search (process.env.PATH). */
  readonly pathEnv?: string | undefined;
  readonly platform: NodeJS.Platform;
  readonly home?: string | undefined;
  readonly workspaceFolder?: string | undefined;
  /** PATHEXT on Windows. */
  readonly pathExt?: string | undefined;
  /** File-exists check (injected for tests). */
  readonly isFile?: (p: string) => boolean;
}

const defaultIsFile = (p: string): boolean => {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
};

/** `~`, `${userHome}` and `${workspaceFolder}` expanded; relative paths resolved against the workspace. */
export function expandPath(raw: string, home: string | undefined, workspaceFolder: string | undefined): string {
  let p = raw.trim();
  if (home !== undefined) {
    if (p === '~') p = home;
    else if (p.startsWith('~/') || p.startsWith('~\\')) p = path.join(home, p.slice(2));
    p = p.split('${userHome}').join(home);
  }
  if (workspaceFolder !== undefined) {
    p = p.split('${workspaceFolder}').join(workspaceFolder);
    const looksRelative = (p.includes('/') || p.includes('\\')) && !path.isAbsolute(p);
    if (looksRelative) p = path.resolve(workspaceFolder, p);
  }
  return p;
}

/** The first `name` on `pathEnv` (with PATHEXT suffixes on Windows), or undefined. */
export function findOnPath(
  name: string,
  pathEnv: string | undefined,
  platform: NodeJS.Platform,
  isFile: (p: string) => boolean = defaultIsFile,
  pathExt?: string,
): string | undefined {
  if (!pathEnv) return undefined;
  const sep = platform === 'win32' ? ';' : ':';
  const join = platform === 'win32' ? path.win32.join : path.posix.join;
  const exts = platform === 'win32' ? ['', ...(pathExt ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)] : [''];
  for (const dir of pathEnv.split(sep)) {
    if (!dir) continue;
    for (const ext of exts) {
      const full = join(dir, name + ext);
      if (isFile(full)) return full;
    }
  }
  return undefined;
}

/** The candidates, best first. A configured one that is set excludes nothing: all are tried in order. */
export function candidates(inputs: ResolveInputs): Candidate[] {
  const out: Candidate[] = [];
  const isFile = inputs.isFile ?? defaultIsFile;
  const expand = (p: string): string => expandPath(p, inputs.home, inputs.workspaceFolder);
  if (inputs.serverPath && inputs.serverPath.trim()) {
    out.push({ source: 'wfspec.server.path', command: expand(inputs.serverPath), args: [] });
  }
  if (inputs.python && inputs.python.trim()) {
    out.push({ source: 'wfspec.python', command: expand(inputs.python), args: ['-m', 'wfspec.cli'] });
  }
  if (inputs.pythonExtensionInterpreter) {
    out.push({ source: 'Python extension', command: inputs.pythonExtensionInterpreter, args: ['-m', 'wfspec.cli'] });
  }
  const onPath = findOnPath('wfspec', inputs.pathEnv, inputs.platform, isFile, inputs.pathExt);
  if (onPath !== undefined) out.push({ source: 'PATH', command: onPath, args: [] });
  // Drop repeats (the Python extension often points at the same environment as the setting).
  const seen = new Set<string>();
  return out.filter((c) => {
    const key = `${c.command}\0${c.args.join('\0')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface ProbeResult {
  readonly ok: boolean;
  /** Why not, in one line, for the notification and the output channel. */
  readonly reason?: string;
}

export type RunFn = (
  command: string,
  args: readonly string[],
  timeoutMs: number,
) => Promise<{ code: number | null; stdout: string; stderr: string; error?: NodeJS.ErrnoException }>;

export const runProcess: RunFn = (command, args, timeoutMs) =>
  new Promise((resolve) => {
    execFile(command, [...args], { timeout: timeoutMs, windowsHide: true, encoding: 'utf8' }, (error, stdout, stderr) => {
      const err = error as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
      if (err && err.killed) {
        const timedOut = Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }) as NodeJS.ErrnoException;
        resolve({ code: null, stdout: String(stdout), stderr: String(stderr), error: timedOut });
        return;
      }
      if (err && typeof err.code === 'string') {
        resolve({ code: null, stdout: String(stdout), stderr: String(stderr), error: err });
        return;
      }
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });

/** One line summarising why a probe failed. */
export function explainFailure(c: Candidate, r: Awaited<ReturnType<RunFn>>): string {
  if (r.error) {
    if (r.error.code === 'ENOENT') return `${c.command} does not exist`;
    if (r.error.code === 'EACCES') return `${c.command} is not executable`;
    if (r.error.code === 'ETIMEDOUT') return `${c.command} did not answer in time`;
    return `${c.command}: ${r.error.message}`;
  }
  const text = `${r.stderr}\n${r.stdout}`;
  if (/No module named ['"]?wfspec/.test(text)) return `wfspec is not installed in ${c.command}`;
  if (/invalid choice: ['"]?serve/.test(text)) {
    return `${c.command} is a wfspec without the language server (install "wfspec" with its server extras)`;
  }
  const last = text.split('\n').map((l) => l.trim()).filter(Boolean).pop();
  return `${c.command} ${[...c.args, 'serve', '--help'].join(' ')} exited with ${r.code}${last ? `: ${last}` : ''}`;
}

/** Does `candidate serve --help` succeed? */
export async function probe(c: Candidate, run: RunFn = runProcess, timeoutMs = 15000): Promise<ProbeResult> {
  const r = await run(c.command, [...c.args, 'serve', '--help'], timeoutMs);
  if (!r.error && r.code === 0) return { ok: true };
  return { ok: false, reason: explainFailure(c, r) };
}

export type Resolution =
  | { readonly ok: true; readonly candidate: Candidate; readonly skipped: readonly string[] }
  | { readonly ok: false; readonly failures: readonly string[] };

/** The first candidate whose probe succeeds, with the reasons the ones before it failed. */
export async function resolveServer(list: readonly Candidate[], run: RunFn = runProcess): Promise<Resolution> {
  const failures: string[] = [];
  for (const c of list) {
    const r = await probe(c, run);
    if (r.ok) return { ok: true, candidate: c, skipped: failures };
    failures.push(`${c.source}: ${r.reason ?? 'failed'}`);
  }
  if (list.length === 0) {
    failures.push('no wfspec.server.path or wfspec.python setting, no Python extension environment, and no "wfspec" on PATH');
  }
  return { ok: false, failures };
}

/** How to describe a candidate in the status bar tooltip and the output channel. */
export function describeCandidate(c: Candidate): string {
  return `${[c.command, ...c.args].join(' ')} (from ${c.source})`;
}
