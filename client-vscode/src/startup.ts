/**
 * The fast way to a running server: which candidate to spawn at once, how long the Python
 * extension's interpreter lookup may hold the start, and when its late answer should replace the
 * server already running. Also the start's phase timer for the output channel.
 *
 * Pure apart from timers (no `vscode` import), so it is unit-tested.
 */

import * as path from 'node:path';

import { candidates, type Candidate, type ResolveInputs } from './resolve';

/** How long the start waits for the Python extension when `wfspec` on PATH could run instead. */
export const PYTHON_EXTENSION_WAIT_MS = 1000;

/** How long a start whose first candidate failed waits for a slow Python extension. */
export const PYTHON_EXTENSION_FALLBACK_WAIT_MS = 20000;

export type Settled<T> = { readonly done: true; readonly value: T } | { readonly done: false };

/** `p`'s value when it settles within `ms`, else `{ done: false }` (`p` goes on unobserved). */
export function within<T>(p: Promise<T>, ms: number): Promise<Settled<T>> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ done: false }), ms);
    p.then(
      (value) => {
        clearTimeout(timer);
        resolve({ done: true, value });
      },
      () => {
        clearTimeout(timer);
        resolve({ done: false });
      },
    );
  });
}

export interface StartPlan {
  /** The candidates, best first, as far as they are known when the start goes ahead. */
  readonly list: Candidate[];
  /**
   * `not needed`: a setting names the server, so the Python extension was not asked (it comes
   * after the settings); `answered`: its interpreter is in `list`; `timed out`: it did not answer
   * in time and `list` goes on without it.
   */
  readonly pythonExtension: 'not needed' | 'answered' | 'timed out';
  /** The complete list with the Python extension's interpreter, whenever that answers (asked once). */
  readonly full: () => Promise<Candidate[]>;
}

type BaseInputs = Omit<ResolveInputs, 'pythonExtensionInterpreter'>;

/**
 * The candidates to start with. The Python extension's interpreter is asked for only when no
 * setting names the server; when `wfspec` on PATH could run instead it is waited for at most
 * `waitMs` (activating the Python extension can take seconds on a cold start).
 */
export async function planStart(inputs: BaseInputs, interpreter: () => Promise<string | undefined>, waitMs = PYTHON_EXTENSION_WAIT_MS): Promise<StartPlan> {
  let asked: Promise<Candidate[]> | undefined;
  const full = (): Promise<Candidate[]> => {
    asked ??= interpreter()
      .catch(() => undefined)
      .then((i) => candidates({ ...inputs, pythonExtensionInterpreter: i }));
    return asked;
  };
  const known = candidates(inputs);
  const first = known[0];
  if (first && first.source !== 'PATH') return { list: known, pythonExtension: 'not needed', full };
  if (!first) return { list: await full(), pythonExtension: 'answered', full };
  const r = await within(full(), waitMs);
  return r.done ? { list: r.value, pythonExtension: 'answered', full } : { list: known, pythonExtension: 'timed out', full };
}

/**
 * After a start that went ahead without the Python extension (`timed out`), with `running`: the
 * candidate its late answer puts first when that is another program, else undefined. An
 * interpreter in the directory of the `wfspec` on PATH is the same environment.
 */
export function lateSwitch(running: Candidate, late: readonly Candidate[]): Candidate | undefined {
  const first = late[0];
  if (!first) return undefined;
  if (first.command === running.command && first.args.join('\0') === running.args.join('\0')) return undefined;
  if (first.source === 'Python extension' && path.dirname(first.command) === path.dirname(running.command)) return undefined;
  return first;
}

/**
 * The API key for the spawn. Reading the secret store is a round trip to the browser in
 * code-server (0.3 to 0.7 s on a cold start), so when the last read found it empty
 * (`rememberedEmpty`) the spawn goes ahead without a key at once. Every read's answer is
 * remembered; `stale` is called when a key turns up after a spawn without one.
 */
export function keyForSpawn(
  read: Promise<string | undefined>,
  rememberedEmpty: boolean,
  remember: (empty: boolean) => void,
  stale: () => void,
): Promise<string | undefined> {
  void read.then((key) => {
    remember(!key);
    if (rememberedEmpty && key) stale();
  });
  return rememberedEmpty ? Promise.resolve(undefined) : read;
}

/** Milliseconds since a start, for the output channel's "(+N ms)" marks. */
export class PhaseTimer {
  /** When the timer began (the clock `now` reads). */
  readonly t0: number;

  constructor(private readonly now: () => number = Date.now) {
    this.t0 = now();
  }

  /** `label (+N ms)`: the time since the timer began. */
  mark(label: string): string {
    return `${label} (+${Math.round(this.now() - this.t0)} ms)`;
  }
}
