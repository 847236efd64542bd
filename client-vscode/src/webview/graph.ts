/**
 * The graph webview's script (bundled by esbuild into dist/webview/graph.js). It runs after
 * dist/webview/mermaid.min.js, mermaid's own browser bundle copied from the npm package at build
 * time, which defines the global `mermaid`. Renders the Mermaid text it is sent and reports
 * clicks on linked task nodes.
 */

import type { Mermaid } from 'mermaid';

import { fitScale, mermaidConfig } from '../graphModel';

declare const mermaid: Mermaid;

interface Target {
  readonly name: string;
  readonly line: number;
}

type Incoming =
  | { type: 'graph'; mermaid: string; targets: Record<string, Target>; title: string; version: number }
  | { type: 'error'; message: string; title: string };

declare function acquireVsCodeApi(): { postMessage(message: unknown): void; setState(s: unknown): void; getState(): unknown };

const vscode = acquireVsCodeApi();
const statusEl = document.getElementById('status')!;
const graphEl = document.getElementById('graph')!;
const titleEl = document.getElementById('title')!;
const fitButton = document.getElementById('fit') as HTMLButtonElement | null;

fitButton?.addEventListener('click', () => {
  const fit = document.body.classList.toggle('fit');
  fitButton.textContent = fit ? 'Full size' : 'Fit';
  layout();
});

function isDark(): boolean {
  return document.body.classList.contains('vscode-dark') || document.body.classList.contains('vscode-high-contrast');
}

mermaid.initialize(mermaidConfig(isDark()) as Parameters<Mermaid['initialize']>[0]);

/** Size the drawing: in "fit" mode as large as the view allows, labels never below
 * MIN_LABEL_PX (the view scrolls then); else at its own size. */
function layout(): void {
  const svg = graphEl.querySelector('svg');
  if (!svg) return;
  const box = svg.viewBox.baseVal;
  const width = box && box.width > 0 ? box.width : svg.getBoundingClientRect().width;
  const height = box && box.height > 0 ? box.height : svg.getBoundingClientRect().height;
  const fit = document.body.classList.contains('fit');
  const scale = fit ? fitScale(width, height, graphEl.clientWidth || window.innerWidth, window.innerHeight - 64) : 1;
  svg.style.maxWidth = 'none';
  svg.setAttribute('width', String(Math.round(width * scale)));
  svg.setAttribute('height', String(Math.round(height * scale)));
}

window.addEventListener('resize', layout);

let renderCount = 0;
let queue: Promise<void> = Promise.resolve();

function setStatus(text: string, error = false): void {
  statusEl.textContent = text;
  statusEl.classList.toggle('error', error);
  statusEl.hidden = text === '';
}

/** `flowchart-n3-12` -> `n3` (mermaid's DOM id for a flowchart node). */
function mermaidId(domId: string): string | undefined {
  const m = /^flowchart-(.+)-\d+$/.exec(domId);
  return m ? m[1] : undefined;
}

async function render(msg: Extract<Incoming, { type: 'graph' }>): Promise<void> {
  titleEl.textContent = msg.title;
  const id = `wfspec-graph-${++renderCount}`;
  try {
    const { svg, bindFunctions } = await mermaid.render(id, msg.mermaid);
    graphEl.innerHTML = svg;
    bindFunctions?.(graphEl);
    layout();
    let linked = 0;
    graphEl.querySelectorAll<SVGGElement>('g.node').forEach((node) => {
      const key = mermaidId(node.id);
      const target = key !== undefined ? msg.targets[key] : undefined;
      if (!target) return;
      linked++;
      node.classList.add('wfspec-link');
      node.setAttribute('data-task', target.name);
      node.setAttribute('tabindex', '0');
      const reveal = (): void => vscode.postMessage({ type: 'reveal', line: target.line });
      node.addEventListener('click', reveal);
      node.addEventListener('keydown', (e) => {
        if ((e as KeyboardEvent).key === 'Enter') reveal();
      });
    });
    setStatus('');
    graphEl.setAttribute('data-version', String(msg.version));
    vscode.setState(msg);
    vscode.postMessage({ type: 'rendered', nodes: linked });
  } catch (e) {
    // mermaid leaves an error element behind with the temporary id; remove it
    document.getElementById(`d${id}`)?.remove();
    const message = e instanceof Error ? e.message : String(e);
    setStatus(`Could not draw the graph: ${message}`, true);
    vscode.postMessage({ type: 'renderError', message });
  }
}

window.addEventListener('message', (event: MessageEvent<Incoming>) => {
  const msg = event.data;
  if (msg.type === 'graph') {
    queue = queue.then(() => render(msg));
  } else if (msg.type === 'error') {
    titleEl.textContent = msg.title;
    setStatus(msg.message, true);
  }
});

const saved = vscode.getState() as Incoming | undefined;
if (saved && saved.type === 'graph') queue = queue.then(() => render(saved));
vscode.postMessage({ type: 'ready' });
