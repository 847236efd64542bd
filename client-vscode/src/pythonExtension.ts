/**
 * The optional ms-python.python integration: the interpreter of the active environment for a
 * resource. Typed by hand (only what is used) so the extension has no dependency on it.
 */

import * as vscode from 'vscode';

interface EnvironmentPath {
  readonly id: string;
  readonly path: string;
}

interface ResolvedEnvironment {
  readonly executable: { readonly uri?: vscode.Uri };
}

interface PythonEnvironmentsApi {
  getActiveEnvironmentPath(resource?: vscode.Uri | vscode.WorkspaceFolder): EnvironmentPath;
  resolveEnvironment(env: EnvironmentPath | string): Promise<ResolvedEnvironment | undefined>;
  readonly onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
}

interface PythonExtensionApi {
  readonly environments?: PythonEnvironmentsApi;
}

const PYTHON_EXTENSION_ID = 'ms-python.python';

async function api(): Promise<PythonEnvironmentsApi | undefined> {
  const ext = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION_ID);
  if (!ext) return undefined;
  try {
    const exports = ext.isActive ? ext.exports : await ext.activate();
    return exports?.environments;
  } catch {
    return undefined;
  }
}

/** The active environment's interpreter for `resource`, or undefined (no extension, no environment). */
export async function activeInterpreter(resource: vscode.Uri | undefined): Promise<string | undefined> {
  const envs = await api();
  if (!envs) return undefined;
  try {
    const active = envs.getActiveEnvironmentPath(resource);
    const resolved = await envs.resolveEnvironment(active);
    return resolved?.executable.uri?.fsPath ?? (active.path || undefined);
  } catch {
    return undefined;
  }
}

/** Calls `listener` when the user picks another interpreter (a no-op without the extension). */
export async function onInterpreterChange(listener: () => void): Promise<vscode.Disposable> {
  const envs = await api();
  if (!envs) return new vscode.Disposable(() => undefined);
  return envs.onDidChangeActiveEnvironmentPath(() => listener());
}
