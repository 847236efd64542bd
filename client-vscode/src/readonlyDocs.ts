/**
 * Read-only markdown documents the extension generates (the rules reference, the install
 * help), served from the `wfspec-doc:` scheme so closing them never asks to save.
 */

import * as vscode from 'vscode';

export const SCHEME = 'wfspec-doc';

class Provider implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.path, text);
    this.changed.fire(uri);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.path) ?? '';
  }
}

const provider = new Provider();

export function register(): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(SCHEME, provider);
}

/** Shows `markdown` as a rendered preview titled `name` (falls back to the plain text). */
export async function showMarkdown(name: string, markdown: string): Promise<void> {
  const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${name}` });
  provider.set(uri, markdown);
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    await vscode.window.showTextDocument(doc, { preview: true });
  }
}
