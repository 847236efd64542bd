/**
 * "wfspec: Show workflow graph": a webview beside the editor that renders the Mermaid text the
 * server's `wfspec.graph` command returns. Mermaid ships inside the extension (dist/webview), so it
 * works offline. The graph follows edits of its document; clicking a task reveals its line.
 */

import * as vscode from 'vscode';

import { isGraphJson, nodeTargets, type NodeTarget } from './graphModel';
import type { ServerManager } from './server';

export const GRAPH_COMMAND = 'wfspec.graph';

type ToWebview =
  | { type: 'graph'; mermaid: string; targets: Record<string, NodeTarget>; title: string; version: number }
  | { type: 'error'; message: string; title: string };

type FromWebview = { type: 'reveal'; line: number } | { type: 'ready' } | { type: 'rendered'; nodes: number } | { type: 'renderError'; message: string };

export class GraphPanel implements vscode.Disposable {
  static readonly viewType = 'wfspec.graph';
  private static current: GraphPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private generation = 0;
  private ready = false;
  private last: ToWebview | undefined;

  static show(context: vscode.ExtensionContext, server: ServerManager, document: vscode.TextDocument, column: vscode.ViewColumn | undefined): GraphPanel {
    if (GraphPanel.current) {
      GraphPanel.current.retarget(document, column);
      GraphPanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
      return GraphPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(
      GraphPanel.viewType,
      'Workflow graph',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview')],
      },
    );
    GraphPanel.current = new GraphPanel(context, server, panel, document, column);
    return GraphPanel.current;
  }

  private constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly server: ServerManager,
    private readonly panel: vscode.WebviewPanel,
    private document: vscode.TextDocument,
    private column: vscode.ViewColumn | undefined,
  ) {
    panel.webview.html = this.html();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: FromWebview) => this.onMessage(m)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === this.document.uri.toString()) this.schedule(300);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.uri.toString() === this.document.uri.toString()) this.post({ type: 'error', title: this.title(), message: 'The document was closed.' });
      }),
      server.onDidChangeState((s) => {
        if (s.kind === 'running') this.schedule(0);
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        // Follow the user to another workflow file.
        if (editor && editor.document.uri.toString() !== this.document.uri.toString() && isYaml(editor.document)) {
          this.retarget(editor.document, editor.viewColumn);
        }
      }),
    );
    this.updateTitle();
  }

  private title(): string {
    return vscode.workspace.asRelativePath(this.document.uri, false);
  }

  private updateTitle(): void {
    const name = this.document.uri.path.split('/').pop() ?? 'workflow';
    this.panel.title = `Graph: ${name}`;
  }

  private retarget(document: vscode.TextDocument, column: vscode.ViewColumn | undefined): void {
    this.document = document;
    this.column = column ?? this.column;
    this.updateTitle();
    this.schedule(0);
  }

  private schedule(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), delay);
  }

  private post(message: ToWebview): void {
    this.last = message;
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  async refresh(): Promise<void> {
    const generation = ++this.generation;
    const client = this.server.languageClient;
    const uri = this.document.uri.toString();
    const version = this.document.version;
    if (!client) {
      this.post({ type: 'error', title: this.title(), message: 'The wfspec language server is not running (see "wfspec: Show output channel").' });
      return;
    }
    let mermaid: unknown;
    try {
      mermaid = await client.sendRequest('workspace/executeCommand', { command: GRAPH_COMMAND, arguments: [uri] });
    } catch (e) {
      if (generation !== this.generation) return;
      this.post({ type: 'error', title: this.title(), message: e instanceof Error ? e.message : String(e) });
      return;
    }
    if (generation !== this.generation) return;
    if (typeof mermaid !== 'string' || mermaid.trim() === '') {
      this.post({ type: 'error', title: this.title(), message: 'The server returned no graph for this document.' });
      return;
    }
    // Lines for click-to-reveal come from the JSON model; a server that lacks it still gets a drawing.
    let targets: Record<string, NodeTarget> = {};
    try {
      const json = await client.sendRequest('workspace/executeCommand', { command: GRAPH_COMMAND, arguments: [uri, 'json'] });
      const parsed: unknown = typeof json === 'string' ? JSON.parse(json) : json;
      if (isGraphJson(parsed)) targets = nodeTargets(mermaid, parsed);
    } catch {
      targets = {};
    }
    if (generation !== this.generation) return;
    this.post({ type: 'graph', mermaid, targets, title: this.title(), version });
  }

  private async onMessage(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        if (this.last) void this.panel.webview.postMessage(this.last);
        else this.schedule(0);
        return;
      case 'reveal': {
        const line = Math.max(0, Math.min(m.line, this.document.lineCount - 1));
        const text = this.document.lineAt(line).text;
        const start = Math.max(0, text.search(/\S/));
        const editor = await vscode.window.showTextDocument(this.document, {
          viewColumn: this.column ?? vscode.ViewColumn.One,
          preserveFocus: false,
          selection: new vscode.Range(line, start, line, text.length),
        });
        editor.revealRange(new vscode.Range(line, 0, line, 0), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
        return;
      }
      case 'rendered':
        return;
      case 'renderError':
        this.server.output.appendLine(`[graph] mermaid could not render the graph: ${m.message}`);
        return;
    }
  }

  private html(): string {
    const webview = this.panel.webview;
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview', 'graph.js'));
    const mermaidScript = webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview', 'mermaid.min.js'));
    const nonce = Array.from({ length: 32 }, () => Math.floor(Math.random() * 36).toString(36)).join('');
    const csp = [
      "default-src 'none'",
      `img-src ${webview.cspSource} data:`,
      `style-src ${webview.cspSource} 'unsafe-inline'`,
      `font-src ${webview.cspSource} data:`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Workflow graph</title>
<style>
  body { padding: 0 12px; color: var(--vscode-foreground); font-family: var(--vscode-font-family); }
  header { display: flex; gap: 8px; align-items: baseline; padding: 8px 0; border-bottom: 1px solid var(--vscode-panel-border); }
  header .title { font-weight: 600; }
  header .hint { opacity: 0.7; font-size: 0.9em; }
  #status { padding: 8px 0; opacity: 0.8; }
  #status.error { color: var(--vscode-errorForeground); opacity: 1; white-space: pre-wrap; }
  #graph { overflow: auto; }
  #graph svg { display: block; margin: 0 auto; }
  header button { margin-left: auto; color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground);
    border: none; padding: 2px 8px; cursor: pointer; }
  #graph g.node.wfspec-link { cursor: pointer; }
  #graph g.node.wfspec-link:hover rect, #graph g.node.wfspec-link:hover polygon { stroke-width: 3px; }
</style>
</head>
<body class="fit">
<header><span class="title" id="title"></span><span class="hint">click a task to reveal it</span><button id="fit" type="button" title="Fit the graph to the view or show it at full size">Full size</button></header>
<div id="status">Loading the graph…</div>
<div id="graph" role="img" aria-label="Workflow control-flow graph"></div>
<script nonce="${nonce}" src="${mermaidScript}"></script>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  dispose(): void {
    if (GraphPanel.current === this) GraphPanel.current = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.disposables.splice(0).forEach((d) => d.dispose());
    this.panel.dispose();
  }
}

function isYaml(doc: vscode.TextDocument): boolean {
  return ['yaml', 'wfspec-serverless', 'github-actions-workflow'].includes(doc.languageId);
}
