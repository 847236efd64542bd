/**
 * The language client's lifecycle: resolve the server program, start `wfspec serve` over stdio
 * with the settings mapped for the server and the stored API key in its environment, report its
 * state, and restart on demand.
 */

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  ExecuteCommandRequest,
  LanguageClient,
  State,
  type DocumentSelector,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';

import { activeInterpreter } from './pythonExtension';
import { showMarkdown } from './readonlyDocs';
import { describeCandidate, resolveServer, type Candidate } from './resolve';
import { describeModel, serverEnv, toServerSettings, type JsonObject } from './settings';
import { keyForSpawn, lateSwitch, planStart, PhaseTimer, PYTHON_EXTENSION_FALLBACK_WAIT_MS, within, type StartPlan } from './startup';

export const SECRET_KEY = 'wfspec.apiKey';
/** globalState: the last read of the secret store found no API key. */
const KEY_STORE_EMPTY = 'wfspec.apiKeyStoreEmpty';

/** An existing file this process may execute. */
function isExecutableFile(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** YAML in general (the server ignores what is not a workflow), workflows, and *.sw.yaml. */
export const DOCUMENT_SELECTOR: DocumentSelector = ['file', 'untitled'].flatMap((scheme) => [
  { scheme, language: 'wfspec-serverless' },
  { scheme, language: 'github-actions-workflow' },
  { scheme, language: 'yaml', pattern: '**/.github/workflows/*.{yml,yaml}' },
  { scheme, language: 'yaml' },
]);

export type ServerState =
  | { kind: 'starting' }
  | { kind: 'running' }
  | { kind: 'stopped' }
  | { kind: 'missing'; failures: readonly string[] }
  | { kind: 'failed'; message: string };

export class ServerManager implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private candidate: Candidate | undefined;
  private stateValue: ServerState = { kind: 'stopped' };
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();
  private readonly clientDisposables: vscode.Disposable[] = [];
  private pending: Promise<void> = Promise.resolve();
  /** Since activation: the output channel's "(+N ms)" marks of the first start. */
  private readonly activation = new PhaseTimer();
  private firstDiagnostics = false;

  readonly onDidChangeState = this.stateEmitter.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly output: vscode.LogOutputChannel,
  ) {}

  private phase(label: string): void {
    this.output.appendLine(`[client] ${this.activation.mark(label)}`);
  }

  /** The stored API key; a secret store that fails reads as none. */
  private readSecret(): Promise<string | undefined> {
    return Promise.resolve(this.context.secrets.get(SECRET_KEY)).catch(() => undefined);
  }

  get state(): ServerState {
    return this.stateValue;
  }

  get languageClient(): LanguageClient | undefined {
    return this.client?.state === State.Running ? this.client : undefined;
  }

  /** The program in use (or last tried), for tooltips and the rules command. */
  get serverCandidate(): Candidate | undefined {
    return this.candidate;
  }

  /** The mapped settings as the server sees them (also drives the status bar's model). */
  async settingsFor(scope?: vscode.Uri, apiKey?: Promise<string | undefined>): Promise<JsonObject> {
    const cfg = vscode.workspace.getConfiguration('wfspec', scope);
    const hasApiKey = Boolean(await (apiKey ?? this.readSecret()));
    return toServerSettings((key) => cfg.get(key), { hasApiKey });
  }

  async modelDescription(): Promise<string> {
    return describeModel(await this.settingsFor());
  }

  private setState(s: ServerState): void {
    this.stateValue = s;
    this.stateEmitter.fire(s);
  }

  /** Serialises start/stop/restart so quick repeated commands do not race. */
  private queue(step: () => Promise<void>): Promise<void> {
    this.pending = this.pending.then(step, step);
    return this.pending;
  }

  start(): Promise<void> {
    return this.queue(() => this.doStart());
  }

  stop(): Promise<void> {
    return this.queue(() => this.doStop());
  }

  /** The stored API key changed: restart, and wait for the key this time. */
  secretChanged(): Promise<void> {
    void this.context.globalState.update(KEY_STORE_EMPTY, false);
    return this.restart();
  }

  restart(): Promise<void> {
    return this.queue(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  /** Resolve the server program from settings, the Python extension and PATH. */
  async resolve(): Promise<Awaited<ReturnType<typeof resolveServer>>> {
    return resolveServer(await (await this.plan()).full());
  }

  /** The ways to run the server, best first (nothing is spawned); see planStart for when the
   * Python extension is asked. */
  private plan(): Promise<StartPlan> {
    const cfg = vscode.workspace.getConfiguration('wfspec');
    const folder = vscode.workspace.workspaceFolders?.[0];
    const trusted = vscode.workspace.isTrusted;
    // Machine-scoped settings never come from the workspace; inspect() makes that explicit.
    const fromUser = (key: string): string | undefined => {
      const i = cfg.inspect<string>(key);
      const value = trusted ? cfg.get<string>(key) : i?.globalValue;
      return typeof value === 'string' && value.trim() !== '' ? value : undefined;
    };
    const inputs = {
      serverPath: fromUser('server.path'),
      python: fromUser('python'),
      pathEnv: process.env['PATH'],
      pathExt: process.env['PATHEXT'],
      platform: process.platform,
      home: os.homedir(),
      workspaceFolder: folder?.uri.fsPath,
    };
    return planStart(inputs, () => activeInterpreter(folder?.uri));
  }

  private async doStart(): Promise<void> {
    if (this.client) return;
    this.setState({ kind: 'starting' });
    this.phase(`looking for the wfspec server (activated at ${new Date(this.activation.t0).toISOString()})`);
    // The stored key goes into the server's environment: read it while the program is looked up
    // (a round trip to the browser in code-server).
    const apiKey = keyForSpawn(
      this.readSecret(),
      this.context.globalState.get<boolean>(KEY_STORE_EMPTY) === true,
      (empty) => void this.context.globalState.update(KEY_STORE_EMPTY, empty),
      () => {
        this.output.appendLine('[client] an API key is stored after all: restarting the server with it');
        void this.restart();
      },
    );
    const plan = await this.plan();
    this.phase(`candidates known (Python extension: ${plan.pythonExtension})`);
    // The quick path: the best candidate is an executable program (`wfspec`, or a Python that
    // runs `-m wfspec.cli`): start it at once. Probing it with `serve --help` first costs a whole
    // second Python start before the first diagnostic; probing is the fallback when it does not
    // start.
    const first = plan.list[0];
    if (first && isExecutableFile(first.command)) {
      if (await this.startWith(first, { quiet: true }, apiKey)) {
        if (plan.pythonExtension === 'timed out') this.switchWhenPythonExtensionAnswers(plan, first);
        return;
      }
      this.output.appendLine(`[client] ${describeCandidate(first)} did not start; checking the alternatives`);
      await this.doStop();
      this.setState({ kind: 'starting' });
    }
    const late = plan.pythonExtension === 'timed out' ? await within(plan.full(), PYTHON_EXTENSION_FALLBACK_WAIT_MS) : undefined;
    const list = late?.done ? late.value : plan.list;
    const resolution = await resolveServer(list);
    if (!resolution.ok) {
      this.candidate = undefined;
      for (const f of resolution.failures) this.output.appendLine(`[client] cannot start the server: ${f}`);
      this.setState({ kind: 'missing', failures: resolution.failures });
      void this.notifyMissing(resolution.failures);
      return;
    }
    for (const f of resolution.skipped) this.output.appendLine(`[client] skipped ${f}`);
    await this.startWith(resolution.candidate, { quiet: false }, apiKey);
  }

  /** The start went ahead with `wfspec` on PATH because the Python extension was slow: when its
   * environment turns out to be another program, restart with that (the documented order). */
  private switchWhenPythonExtensionAnswers(plan: StartPlan, running: Candidate): void {
    void plan.full().then((late) => {
      const next = lateSwitch(running, late);
      if (!next || this.candidate !== running || !this.client) return;
      this.output.appendLine(`[client] the Python extension answered: restarting with ${describeCandidate(next)}`);
      void this.restart();
    });
  }

  /** Start `wfspec serve` with candidate `c`; true when it runs. ``quiet``: a failure is only
   * logged (the caller tries the alternatives), and a server that dies before it initialized is
   * not restarted. */
  private async startWith(c: Candidate, { quiet }: { quiet: boolean }, secret: Promise<string | undefined>): Promise<boolean> {
    this.candidate = c;
    const [apiKey, initial] = await Promise.all([secret, this.settingsFor(undefined, secret)]);
    this.phase(`starting ${describeCandidate(c)} serve`);
    const folder = vscode.workspace.workspaceFolders?.[0];
    const serverOptions: ServerOptions = {
      command: c.command,
      args: [...c.args, 'serve'],
      options: { env: serverEnv(process.env, apiKey), ...(folder ? { cwd: folder.uri.fsPath } : {}) },
    };
    let client: LanguageClient | undefined;
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: this.output,
      traceOutputChannel: this.output,
      initializationOptions: initial,
      synchronize: { configurationSection: 'wfspec' },
      middleware: {
        // the output channel notes when the first diagnostics arrive (the cold start's end)
        provideDiagnostics: async (document, previousResultId, token, next) => {
          const report = await next(document, previousResultId, token);
          if (!this.firstDiagnostics && report) this.noteFirstDiagnostics(document instanceof vscode.Uri ? document : document.uri);
          return report;
        },
        handleDiagnostics: (uri, diagnostics, next) => {
          if (!this.firstDiagnostics) this.noteFirstDiagnostics(uri);
          next(uri, diagnostics);
        },
        workspace: {
          // Answer workspace/configuration with the server's settings tree, not VS Code's flat keys.
          configuration: async (params, token, next) => {
            const raw = await next(params, token);
            if (!Array.isArray(raw)) return raw;
            return Promise.all(
              params.items.map(async (item, i) => {
                if (item.section !== undefined && item.section !== 'wfspec') return raw[i];
                const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
                const mapped = await this.settingsFor(scope);
                return item.section === undefined ? { wfspec: mapped } : mapped;
              }),
            );
          },
          // A change of wfspec.server.path / wfspec.python restarts the server instead; a client
          // that is stopping or replaced must not be woken up by the notification.
          didChangeConfiguration: async (sections, next) => {
            if (!client || this.client !== client || client.state !== State.Running) return;
            try {
              await next(sections);
            } catch (e) {
              this.output.appendLine(`[client] didChangeConfiguration not sent: ${String(e)}`);
            }
          },
        },
      },
      errorHandler: {
        error: (_error, _message, count) => ({ action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown }),
        closed: () => {
          if (quiet && this.stateValue.kind === 'starting') return { action: CloseAction.DoNotRestart, handled: true };
          this.crashes.push(Date.now());
          this.crashes = this.crashes.filter((t) => Date.now() - t < 3 * 60_000);
          if (this.crashes.length <= 4) {
            this.output.appendLine('[client] the server stopped; restarting it');
            return { action: CloseAction.Restart };
          }
          const message = 'The wfspec server stopped 5 times in the last 3 minutes and will not be restarted. See the "wfspec" output.';
          this.setState({ kind: 'failed', message });
          return { action: CloseAction.DoNotRestart, message };
        },
      },
      initializationFailedHandler: (error) => {
        this.output.appendLine(`[client] initialize failed: ${String(error)}`);
        if (!quiet) this.setState({ kind: 'failed', message: String(error) });
        return false;
      },
    };

    client = new LanguageClient('wfspec', 'wfspec', serverOptions, clientOptions);
    this.client = client;
    this.clientDisposables.push(
      client.onDidChangeState((e) => {
        if (e.newState === State.Running) this.setState({ kind: 'running' });
        else if (e.newState === State.Starting) this.setState({ kind: 'starting' });
        else if (this.stateValue.kind !== 'failed') this.setState({ kind: 'stopped' });
      }),
    );
    try {
      const spawned = Date.now();
      await client.start();
      this.phase(`initialize result, ${Date.now() - spawned} ms after the spawn`);
      return true;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.output.appendLine(`[client] the server did not start: ${message}`);
      if (quiet) return false;
      this.setState({ kind: 'failed', message });
      void vscode.window
        .showErrorMessage(`wfspec: the language server did not start (${message}).`, 'Show output')
        .then((pick) => pick && this.output.show(true));
      return false;
    }
  }

  private crashes: number[] = [];

  private noteFirstDiagnostics(uri: vscode.Uri): void {
    this.firstDiagnostics = true;
    this.phase(`first diagnostics, for ${uri.path.split('/').pop() ?? uri.toString()}`);
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.clientDisposables.splice(0).forEach((d) => d.dispose());
    if (client) {
      try {
        if (client.needsStop()) await client.stop(5000);
      } catch (e) {
        this.output.appendLine(`[client] stopping the server: ${String(e)}`);
      }
      await client.dispose().catch(() => undefined);
    }
    this.crashes = [];
    this.setState({ kind: 'stopped' });
  }

  private async notifyMissing(failures: readonly string[]): Promise<void> {
    const pick = await vscode.window.showErrorMessage(
      'wfspec: the language server was not found. Install the "wfspec" Python package, or point the "wfspec.server.path" or "wfspec.python" setting at it.',
      { detail: failures.join('\n') },
      'How to install',
      'Open settings',
      'Show output',
    );
    if (pick === 'How to install') await showInstallHelp(failures);
    else if (pick === 'Open settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'wfspec.server');
    else if (pick === 'Show output') this.output.show(true);
  }

  /**
   * `workspace/executeCommand` on the running server. Errors are turned into one readable
   * sentence; `undefined` is returned when the server is not running (after telling the user).
   */
  async executeCommand(command: string, args: unknown[], label: string): Promise<{ ok: true; result: unknown } | { ok: false }> {
    const client = this.languageClient;
    if (!client) {
      void vscode.window.showWarningMessage(`wfspec: ${label} needs the language server, which is not running.`, 'Show output').then(
        (pick) => pick && this.output.show(true),
      );
      return { ok: false };
    }
    try {
      const result = await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
      return { ok: true, result };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.output.appendLine(`[client] ${command} failed: ${message}`);
      const advertised = this.advertisedCommands();
      const missing = !advertised.includes(command) || /not found|unknown command|method not found|not implemented/i.test(message);
      const text = missing
        ? `wfspec: "${label}" is not available from this wfspec server yet (it does not implement ${command}). Update the wfspec package to use it.`
        : `wfspec: ${label} failed: ${message}`;
      void vscode.window.showErrorMessage(text, 'Show output').then((pick) => pick && this.output.show(true));
      return { ok: false };
    }
  }

  advertisedCommands(): string[] {
    return this.client?.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
  }

  dispose(): void {
    void this.stop();
    this.stateEmitter.dispose();
  }
}

const INSTALL_HELP = `# Installing the wfspec language server

The extension runs \`wfspec serve\`, a Python program. Install it once, with Python 3.11 or newer:

\`\`\`sh
pipx install wfspec                        # an isolated install that puts "wfspec" on PATH
python -m pip install wfspec               # or into a project virtual environment
python -m pip install -e /path/to/wfspec   # or from a checkout of the wfspec repository
\`\`\`

Then run **wfspec: Restart server** from the command palette.

The extension looks for the server in this order:

1. the \`wfspec.server.path\` setting: the full path of the \`wfspec\` executable;
2. the \`wfspec.python\` setting: a Python interpreter that has the package (it runs \`python -m wfspec.cli serve\`);
3. the Python extension's active environment, when the Python extension is installed;
4. \`wfspec\` on \`PATH\`.

Both settings are machine-scoped: only your user settings can choose the program that runs.
`;

async function showInstallHelp(failures: readonly string[]): Promise<void> {
  const content = `${INSTALL_HELP}\n## What was tried\n\n${failures.map((f) => `- ${f}`).join('\n')}\n`;
  await showMarkdown('Installing wfspec.md', content);
}
