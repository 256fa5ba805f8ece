import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  CompletionItemKind,
  MarkupKind,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import type { CodeAction, Connection, InitializeResult } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { problemFixes, publishFixes } from '../core/code-actions.js';
import { complete } from '../core/completion.js';
import { DEFAULT_FRAME_FILE_NAMES, documentKind } from '../core/document-kind.js';
import { hoverWithCode } from '../core/schema-help.js';
import { findKaelFiles, validateDocument } from '../core/validate.js';
import { ValidateWorkspaceRequest } from '../protocol.js';
import type { KaelServerOptions } from '../protocol.js';
import { toDiagnostic } from './diagnostics.js';
import { overlayView } from './overlay-view.js';

/** How each kind of proposal shows in the completion list. */
const ITEM_KINDS = {
  key: CompletionItemKind.Property,
  value: CompletionItemKind.EnumMember,
  function: CompletionItemKind.Function,
  folder: CompletionItemKind.Folder,
} as const;

/** Quiet time after a burst of edits before validating again. */
const THROTTLE_MS = 100;

/**
 * Wires kael's validation core to an LSP connection: diagnostics on open/change (the first change
 * of a burst at once, the rest coalesced), re-checks when a file a document depends on changes,
 * cleared on close; completion, hover and quick fixes.
 */
export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const view = overlayView(documents);
  let frameFileNames: readonly string[] = DEFAULT_FRAME_FILE_NAMES;
  let folders: string[] = [];
  const lastRun = new Map<string, number>();
  const timers = new Map<string, NodeJS.Timeout>();

  const fileOf = (uri: string): string | undefined =>
    uri.startsWith('file:') ? fileURLToPath(uri) : undefined;

  const kindOf = (uri: string, text: string): ReturnType<typeof documentKind> => {
    const file = fileOf(uri);
    return file === undefined ? undefined : documentKind(file, text, frameFileNames);
  };

  const validate = async (doc: TextDocument): Promise<void> => {
    const file = fileOf(doc.uri);
    if (file === undefined) return;
    lastRun.set(doc.uri, Date.now());
    const problems = await validateDocument(file, doc.getText(), view, frameFileNames);
    if (documents.get(doc.uri) === undefined) return;
    await connection.sendDiagnostics({
      uri: doc.uri,
      version: doc.version,
      diagnostics: problems.filter((p) => p.file === file).map(toDiagnostic),
    });
  };

  const schedule = (doc: TextDocument): void => {
    if (timers.has(doc.uri)) return;
    const wait = Math.max(0, (lastRun.get(doc.uri) ?? 0) + THROTTLE_MS - Date.now());
    const run = (): void => {
      timers.delete(doc.uri);
      const current = documents.get(doc.uri);
      if (current !== undefined)
        validate(current).catch((e: unknown) =>
          connection.console.error(`kael: validation failed: ${(e as Error).message}`),
        );
    };
    if (wait === 0) run();
    else timers.set(doc.uri, setTimeout(run, wait));
  };

  connection.onInitialize((params): InitializeResult => {
    const options = (params.initializationOptions ?? {}) as KaelServerOptions;
    if (Array.isArray(options.frameFileNames)) frameFileNames = options.frameFileNames;
    folders = (params.workspaceFolders ?? [])
      .map((f) => fileOf(f.uri))
      .filter((f): f is string => f !== undefined);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        completionProvider: { triggerCharacters: [':', ' ', '-', '[', ',', '/'] },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: 'kael-language-server' },
    };
  });

  // An edit may change what other open documents depend on (an index.ts their setting.yaml
  // publishes from, a setting.yaml a frame.yaml lists): re-check every open kael document.
  documents.onDidChangeContent((e) => {
    schedule(e.document);
    for (const d of documents.all())
      if (d.uri !== e.document.uri && kindOf(d.uri, d.getText()) !== undefined) schedule(d);
  });
  documents.onDidClose((e) => {
    clearTimeout(timers.get(e.document.uri));
    timers.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });
  // A package's code or a listed folder changed on disk: re-check every open kael document.
  connection.onDidChangeWatchedFiles(() => {
    for (const d of documents.all()) schedule(d);
  });

  connection.onCompletion(async (p) => {
    const doc = documents.get(p.textDocument.uri);
    const file = doc === undefined ? undefined : fileOf(doc.uri);
    const kind = doc === undefined ? undefined : kindOf(doc.uri, doc.getText());
    if (doc === undefined || file === undefined || kind === undefined) return [];
    const suggestions = await complete(kind, doc.getText(), p.position, { file, view });
    return suggestions.map((s) => ({
      label: s.label,
      kind: ITEM_KINDS[s.kind],
      // A function shows its signature (or where it is exported) beside its name, and its docstring
      // below; a key or value shows its schema description below.
      ...(s.detail === undefined
        ? {}
        : s.kind === 'function'
          ? { detail: s.detail }
          : { documentation: s.detail }),
      ...(s.documentation === undefined
        ? {}
        : { documentation: { kind: MarkupKind.Markdown, value: s.documentation } }),
      ...(s.replace === undefined
        ? { insertText: s.insertText }
        : { textEdit: { range: s.replace, newText: s.insertText } }),
    }));
  });

  connection.onHover(async (p) => {
    const doc = documents.get(p.textDocument.uri);
    const file = doc === undefined ? undefined : fileOf(doc.uri);
    const kind = doc === undefined ? undefined : kindOf(doc.uri, doc.getText());
    if (doc === undefined || file === undefined || kind === undefined) return null;
    const text = await hoverWithCode(kind, doc.getText(), p.position, { file, view });
    return text === undefined ? null : { contents: { kind: MarkupKind.Markdown, value: text } };
  });

  connection.onCodeAction(async (p): Promise<CodeAction[]> => {
    const doc = documents.get(p.textDocument.uri);
    const file = doc === undefined ? undefined : fileOf(doc.uri);
    const kind = doc === undefined ? undefined : kindOf(doc.uri, doc.getText());
    if (doc === undefined || file === undefined || kind === undefined) return [];
    // The fixes problems carry are found again here rather than read back from the diagnostics'
    // `data`, which not every client returns.
    const problems = await validateDocument(file, doc.getText(), view, frameFileNames);
    const fixes = [
      ...problemFixes(
        problems.filter((x) => x.file === file),
        p.range,
      ),
      ...(kind === 'setting' ? await publishFixes(file, doc.getText(), view) : []),
    ];
    return fixes.map((f) => ({
      title: f.title,
      kind: CodeActionKind.QuickFix,
      edit: { changes: { [doc.uri]: [{ range: f.range, newText: f.newText }] } },
    }));
  });

  connection.onRequest(ValidateWorkspaceRequest.type, async (params) => {
    const roots = params.folders ?? folders;
    const files = (await Promise.all(roots.map((r) => findKaelFiles(r, frameFileNames)))).flat();
    const diagnostics: Record<string, ReturnType<typeof toDiagnostic>[]> = {};
    for (const file of files) {
      const problems = await validateDocument(file, (await view.readText(file)) ?? '', view, frameFileNames);
      diagnostics[pathToFileURL(file).href] = problems.filter((p) => p.file === file).map(toDiagnostic);
    }
    return { files: files.length, diagnostics };
  });

  documents.listen(connection);
  connection.listen();
}
