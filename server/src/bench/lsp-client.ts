import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic } from 'vscode-languageserver/node';

/**
 * A shutdown step whose failure changes nothing (the server may already be gone): logged when KAEL_DEBUG
 * is set, like the runtime's debug lines (stdout is not used: it is the benchmark's report).
 */
async function bestEffort(work: Promise<unknown>, what: string): Promise<void> {
  try {
    await work;
  } catch (e) {
    if (process.env['KAEL_DEBUG'] !== undefined)
      process.stderr.write(
        `lsp bench: ${what} failed (ignored): ${e instanceof Error ? e.message : String(e)}\n`,
      );
  }
}

/** Diagnostics as the server published them. */
export interface Published {
  uri: string;
  version?: number;
  diagnostics: Diagnostic[];
}

/**
 * A real LSP client over stdio for the language server (used by its tests and its benchmark):
 * starts `server/dist/main.js --stdio`, initializes, and collects published diagnostics.
 */
export class LspClient {
  readonly connection: MessageConnection;
  private readonly child: ChildProcess;
  private readonly waiters: { uri: string; resolve: (p: Published) => void }[] = [];
  private version = 0;

  constructor() {
    this.child = spawn(process.execPath, [path.join(__dirname, '..', 'main.js'), '--stdio'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    if (this.child.stdout === null || this.child.stdin === null)
      throw new Error('language server has no stdio');
    this.connection = createMessageConnection(
      new StreamMessageReader(this.child.stdout),
      new StreamMessageWriter(this.child.stdin),
    );
    this.connection.onNotification('textDocument/publishDiagnostics', (p: Published) => {
      const i = this.waiters.findIndex((w) => w.uri === p.uri);
      if (i >= 0) this.waiters.splice(i, 1)[0]?.resolve(p);
    });
    this.connection.listen();
  }

  /** `initialize` + `initialized` with the given workspace folder. */
  async initialize(folder: string): Promise<unknown> {
    const result = await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(folder).href,
      workspaceFolders: [{ uri: pathToFileURL(folder).href, name: 'ws' }],
      capabilities: {},
    });
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  /** Resolves with the next diagnostics published for `file`. */
  nextDiagnostics(file: string): Promise<Published> {
    return new Promise((resolve) => this.waiters.push({ uri: pathToFileURL(file).href, resolve }));
  }

  async open(file: string, text: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: pathToFileURL(file).href, languageId: 'yaml', version: ++this.version, text },
    });
  }

  async change(file: string, text: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: pathToFileURL(file).href, version: ++this.version },
      contentChanges: [{ text }],
    });
  }

  async close(file: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didClose', {
      textDocument: { uri: pathToFileURL(file).href },
    });
  }

  /** Shuts the server down and waits for it to exit. */
  async stop(): Promise<void> {
    // The server may already be gone (it crashed, or the benchmark killed it): the exit below is what counts.
    await bestEffort(this.connection.sendRequest('shutdown'), 'ask the language server to shut down');
    await bestEffort(this.connection.sendNotification('exit'), 'tell the language server to exit');
    await new Promise((r) => {
      if (this.child.exitCode !== null) r(undefined);
      else this.child.once('exit', r);
      setTimeout(() => this.child.kill('SIGKILL'), 2000).unref();
    });
    this.connection.dispose();
  }
}
