/**
 * wfspec for VS Code: starts the wfspec language server (`wfspec serve`) for workflow YAML and
 * adds the commands, status bar item and graph webview around it.
 */

import * as vscode from 'vscode';

import { GraphPanel } from './graphPanel';
import { onInterpreterChange } from './pythonExtension';
import { register as registerDocs, showMarkdown } from './readonlyDocs';
import { describeCandidate, runProcess } from './resolve';
import { SECRET_KEY, ServerManager, type ServerState } from './server';
import { needsRestart } from './settings';
import { sniffDialect } from './sniff';

const WORKFLOW_LANGUAGES = new Set(['yaml', 'wfspec-serverless', 'github-actions-workflow']);

let manager: ServerManager | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<{ manager: ServerManager }> {
  const output = vscode.window.createOutputChannel('wfspec', { log: true });
  const server = new ServerManager(context, output);
  manager = server;
  context.subscriptions.push(output, server);

  const status = new StatusBar(server);
  context.subscriptions.push(status);
  // Start the server first: the rest of activation (the Python extension's API among it) must
  // not delay the first diagnostics.
  const started = server.start();

  const reg = (id: string, fn: (...args: unknown[]) => unknown): void => {
    context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  };

  reg('wfspec.restartServer', async () => {
    await server.restart();
    if (server.state.kind === 'running') void vscode.window.setStatusBarMessage('wfspec: server restarted', 3000);
  });
  reg('wfspec.showOutput', () => output.show(true));
  reg('wfspec.showGraph', (arg?: unknown) => {
    const editor = vscode.window.activeTextEditor;
    const uri = arg instanceof vscode.Uri ? arg : editor?.document.uri;
    const doc = uri ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) : undefined;
    if (!doc || !WORKFLOW_LANGUAGES.has(doc.languageId)) {
      void vscode.window.showInformationMessage('wfspec: open a workflow YAML file to see its graph.');
      return;
    }
    GraphPanel.show(context, server, doc, editor?.document === doc ? editor.viewColumn : undefined);
  });
  reg('wfspec.showRuleDocs', () => showRuleDocs(server));
  context.subscriptions.push(registerDocs());
  reg('wfspec.generateFromComment', () => generateFromComment(server));
  reg('wfspec.fixAllWithAI', () => fixAllWithAI(server));
  reg('wfspec.setApiKey', async () => {
    const key = await vscode.window.showInputBox({
      title: 'wfspec: API key for the model endpoint',
      prompt: 'Stored in VS Code\'s secret storage and passed to the wfspec server as WFSPEC_API_KEY. Never written to settings.',
      password: true,
      ignoreFocusOut: true,
      placeHolder: 'sk-...',
    });
    if (key === undefined) return;
    if (key.trim() === '') {
      await context.secrets.delete(SECRET_KEY);
      void vscode.window.showInformationMessage('wfspec: API key cleared.');
    } else {
      await context.secrets.store(SECRET_KEY, key.trim());
      void vscode.window.showInformationMessage('wfspec: API key stored; the server restarts to pick it up.');
    }
  });
  reg('wfspec.clearApiKey', async () => {
    await context.secrets.delete(SECRET_KEY);
    void vscode.window.showInformationMessage('wfspec: API key cleared.');
  });
  reg('wfspec.statusMenu', () => statusMenu(server));

  context.subscriptions.push(
    context.secrets.onDidChange((e) => {
      if (e.key === SECRET_KEY) void server.secretChanged();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (needsRestart((s) => e.affectsConfiguration(s))) void server.restart();
      if (e.affectsConfiguration('wfspec.llm')) status.refresh();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void server.restart()),
  );
  // Activating the Python extension can take seconds: subscribe when it is ready, without
  // holding up activation.
  void onInterpreterChange(() => {
    const c = server.serverCandidate;
    if (!c || c.source === 'Python extension' || server.state.kind === 'missing') void server.restart();
  }).then((d) => (manager === server ? context.subscriptions.push(d) : d.dispose()));

  // The `wfspec.isWorkflow` context key shows the graph button on workflow editors.
  const updateContext = (editor: vscode.TextEditor | undefined): void => {
    const doc = editor?.document;
    const dialect = doc && WORKFLOW_LANGUAGES.has(doc.languageId) ? sniffDialect(doc.fileName, doc.getText()) : undefined;
    void vscode.commands.executeCommand('setContext', 'wfspec.isWorkflow', dialect !== undefined);
    status.setDialect(dialect);
  };
  context.subscriptions.push(
    vscode.window.onDidChangeActiveTextEditor(updateContext),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document === vscode.window.activeTextEditor?.document) updateContext(vscode.window.activeTextEditor);
    }),
  );
  updateContext(vscode.window.activeTextEditor);

  await started;
  return { manager: server };
}

export async function deactivate(): Promise<void> {
  await manager?.stop();
  manager = undefined;
}

class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('wfspec.status', vscode.StatusBarAlignment.Right, 100);
  private readonly sub: vscode.Disposable;
  private dialect: string | undefined;
  private model = 'AI off';

  constructor(private readonly server: ServerManager) {
    this.item.name = 'wfspec';
    this.item.command = 'wfspec.statusMenu';
    this.sub = server.onDidChangeState(() => this.refresh());
    this.refresh();
    this.item.show();
  }

  setDialect(dialect: string | undefined): void {
    this.dialect = dialect;
    this.render();
  }

  refresh(): void {
    void this.server.modelDescription().then((m) => {
      this.model = m;
      this.render();
    });
    this.render();
  }

  private render(): void {
    const s: ServerState = this.server.state;
    const icon = { starting: '$(sync~spin)', running: '$(check)', stopped: '$(circle-slash)', missing: '$(error)', failed: '$(error)' }[s.kind];
    this.item.text = `${icon} wfspec${this.model !== 'AI off' ? ` · ${this.model}` : ''}`;
    this.item.backgroundColor = s.kind === 'missing' || s.kind === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`**wfspec language server**: ${s.kind}\n\n`);
    const c = this.server.serverCandidate;
    if (c) tip.appendMarkdown(`Server: \`${describeCandidate(c)}\`\n\n`);
    if (s.kind === 'missing') tip.appendMarkdown(`Not found:\n${s.failures.map((f) => `- ${f}`).join('\n')}\n\n`);
    if (s.kind === 'failed') tip.appendMarkdown(`${s.message}\n\n`);
    tip.appendMarkdown(`Model: ${this.model}\n\n`);
    if (this.dialect) tip.appendMarkdown(`This file: ${this.dialect} workflow\n\n`);
    tip.appendMarkdown('Click for wfspec commands.');
    this.item.tooltip = tip;
    this.item.accessibilityInformation = { label: `wfspec server ${s.kind}, ${this.model}` };
  }

  dispose(): void {
    this.sub.dispose();
    this.item.dispose();
  }
}

async function statusMenu(server: ServerManager): Promise<void> {
  const items: (vscode.QuickPickItem & { command: string })[] = [
    { label: '$(debug-restart) Restart server', command: 'wfspec.restartServer', description: server.state.kind },
    { label: '$(output) Show output channel', command: 'wfspec.showOutput' },
    { label: '$(type-hierarchy) Show workflow graph', command: 'wfspec.showGraph' },
    { label: '$(book) Show rule documentation', command: 'wfspec.showRuleDocs' },
    { label: '$(key) Set API key', command: 'wfspec.setApiKey' },
    { label: '$(gear) Settings', command: 'workbench.action.openSettings' },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: 'wfspec' });
  if (!pick) return;
  if (pick.command === 'workbench.action.openSettings') await vscode.commands.executeCommand(pick.command, '@ext:wfspec.wfspec');
  else await vscode.commands.executeCommand(pick.command);
}

/** The rules reference: `wfspec rules --format markdown` from the resolved server program. */
async function showRuleDocs(server: ServerManager): Promise<void> {
  let c = server.serverCandidate;
  if (!c) {
    const r = await server.resolve();
    if (!r.ok) {
      void vscode.window.showErrorMessage(`wfspec: cannot show the rules reference, the wfspec program was not found (${r.failures.join('; ')}).`);
      return;
    }
    c = r.candidate;
  }
  const r = await runProcess(c.command, [...c.args, 'rules', '--format', 'markdown'], 20000);
  if (r.error || r.code !== 0 || r.stdout.trim() === '') {
    void vscode.window.showErrorMessage(`wfspec: "wfspec rules --format markdown" failed: ${(r.error?.message ?? r.stderr.trim()) || `exit ${r.code}`}`);
    return;
  }
  await showMarkdown('wfspec rules.md', r.stdout);
}

function activeWorkflowEditor(label: string): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor || !WORKFLOW_LANGUAGES.has(editor.document.languageId)) {
    void vscode.window.showInformationMessage(`wfspec: open a workflow YAML file to use "${label}".`);
    return undefined;
  }
  return editor;
}

/** Apply a WorkspaceEdit-shaped command result (servers may also apply edits themselves). */
async function applyResult(server: ServerManager, result: unknown): Promise<boolean> {
  const client = server.languageClient;
  if (!client || typeof result !== 'object' || result === null) return false;
  if (!('changes' in result) && !('documentChanges' in result)) return false;
  const edit = await client.protocol2CodeConverter.asWorkspaceEdit(result as never);
  return edit ? vscode.workspace.applyEdit(edit) : false;
}

async function generateFromComment(server: ServerManager): Promise<void> {
  const label = 'Generate from comment';
  const editor = activeWorkflowEditor(label);
  if (!editor) return;
  const client = server.languageClient;
  const uri = editor.document.uri.toString();
  const pos = editor.selection.active;
  const position = { line: pos.line, character: pos.character };
  if (client && !server.advertisedCommands().includes('wfspec.generate')) {
    // The server may offer generation as a code action on the comment instead of a command.
    const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
      'vscode.executeCodeActionProvider',
      editor.document.uri,
      new vscode.Range(pos, pos),
    );
    const action = actions?.find((a) => /generate/i.test(a.title));
    if (action) {
      if ('edit' in action && action.edit) await vscode.workspace.applyEdit(action.edit);
      const cmd = 'command' in action ? action.command : undefined;
      if (cmd && typeof cmd === 'object') await vscode.commands.executeCommand(cmd.command, ...(cmd.arguments ?? []));
      return;
    }
  }
  // The server answers at once ({pending: true}) and shows its own progress while the model works;
  // it inserts the validated tasks itself, or says why not.
  const r = await server.executeCommand('wfspec.generate', [{ uri, position, version: editor.document.version }], label);
  if (r.ok && !(await applyResult(server, r.result)) && r.result === null) {
    void vscode.window.showInformationMessage('wfspec: nothing was generated (put the cursor on a comment that describes the workflow).');
  }
}

async function fixAllWithAI(server: ServerManager): Promise<void> {
  const label = 'Fix all with AI';
  const editor = activeWorkflowEditor(label);
  if (!editor) return;
  const uri = editor.document.uri.toString();
  const r = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'wfspec: asking the model for repairs…', cancellable: false },
    () => server.executeCommand('wfspec.server.fixAllWithAI', [{ uri, version: editor.document.version }], label),
  );
  if (r.ok && !(await applyResult(server, r.result)) && r.result === null) {
    void vscode.window.showInformationMessage('wfspec: no validated repair was found.');
  }
}
