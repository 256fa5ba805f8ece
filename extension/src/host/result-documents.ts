import * as vscode from 'vscode';
import type { ResultDocument } from './ui-host.js';

/** The URI scheme of result documents (read-only: no file system provider writes it). */
const RESULT_SCHEME = 'kael-result';

/** Results kept for reopening (a document closed and reopened from history still shows). */
const KEPT = 200;

/**
 * Named, read-only result documents: a virtual document provider, so tabs carry a title
 * (`calculate__add · answered by web1 · 3 ms`), never ask to be saved, and cannot be edited.
 */
export class ResultDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private counter = 0;
  private readonly registration: vscode.Disposable;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(RESULT_SCHEME, this);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '(this result is no longer kept; run the command again)';
  }

  /** Opens `doc` in a new tab (preview off: results stay when the next one opens). */
  async show(doc: ResultDocument): Promise<void> {
    // The title is the file name VS Code shows; `/` would start a folder. The query keeps URIs unique.
    const name = doc.title.replace(/[/\\]/g, '∕');
    const uri = vscode.Uri.from({ scheme: RESULT_SCHEME, path: `/${name}`, query: String(++this.counter) });
    this.contents.set(uri.toString(), doc.content);
    if (this.contents.size > KEPT) {
      const oldest = this.contents.keys().next().value;
      if (oldest !== undefined) this.contents.delete(oldest);
    }
    const text = await vscode.workspace.openTextDocument(uri);
    const typed =
      text.languageId === doc.language
        ? text
        : await vscode.languages.setTextDocumentLanguage(text, doc.language);
    await vscode.window.showTextDocument(typed, { preview: false });
  }

  dispose(): void {
    this.registration.dispose();
    this.contents.clear();
  }
}
