import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { MessageConnection } from 'vscode-jsonrpc/node';

/** A diagnostic as published (the fields the tests look at). */
export interface PublishedDiagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity?: number;
  code?: string | number;
  source?: string;
  message: string;
}

/**
 * An LSP client over stdio that behaves like a plain editor (Neovim, Helix): starts a command,
 * answers the server's own requests with null, and collects published diagnostics per URI.
 */
export class StdioLspClient {
  readonly connection: MessageConnection;
  readonly child: ChildProcess;
  stderr = '';
  private readonly published = new Map<string, PublishedDiagnostic[][]>();
  private waiters: (() => void)[] = [];

  constructor(command: string, args: readonly string[], env: Record<string, string>) {
    this.child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    if (this.child.stdout === null || this.child.stdin === null || this.child.stderr === null)
      throw new Error('the language server has no stdio');
    this.child.stderr.on('data', (c: Buffer) => (this.stderr += c.toString()));
    this.child.on('error', (e) => (this.stderr += `spawn failed: ${e.message}\n`));
    this.child.once('exit', () => this.wake());
    this.connection = createMessageConnection(
      new StreamMessageReader(this.child.stdout),
      new StreamMessageWriter(this.child.stdin),
    );
    // Editors answer what they do not implement (workspace/configuration…) with null.
    this.connection.onRequest(() => null);
    this.connection.onNotification(
      'textDocument/publishDiagnostics',
      (p: { uri: string; diagnostics: PublishedDiagnostic[] }) => {
        this.published.set(p.uri, [...(this.published.get(p.uri) ?? []), p.diagnostics]);
        this.wake();
      },
    );
    this.connection.listen();
  }

  private wake(): void {
    const woken = this.waiters;
    this.waiters = [];
    for (const w of woken) w();
  }

  /** `initialize` as an editor sends it for a root folder, then `initialized`. */
  async initialize(root: string): Promise<{ capabilities: Record<string, unknown> }> {
    const uri = pathToFileURL(root).href;
    const result = await this.connection.sendRequest<{ capabilities: Record<string, unknown> }>(
      'initialize',
      {
        processId: process.pid,
        clientInfo: { name: 'editor-like test client' },
        rootUri: uri,
        rootPath: root,
        workspaceFolders: [{ uri, name: 'root' }],
        capabilities: {
          textDocument: {
            publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true },
            synchronization: { didSave: true },
          },
          workspace: { workspaceFolders: true, configuration: true },
        },
      },
    );
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  async open(file: string, text: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: pathToFileURL(file).href, languageId: 'yaml', version: 1, text },
    });
  }

  /** Resolves with the first diagnostics published for `file` that `accept` takes. */
  async diagnostics(
    file: string,
    accept: (d: PublishedDiagnostic[]) => boolean = () => true,
  ): Promise<PublishedDiagnostic[]> {
    const uri = pathToFileURL(file).href;
    for (;;) {
      const found = (this.published.get(uri) ?? []).find(accept);
      if (found !== undefined) return found;
      if (this.child.exitCode !== null) throw new Error(`language server exited:\n${this.stderr}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** `shutdown` + `exit`; resolves with the server's exit code. */
  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => {
      if (this.child.exitCode !== null) resolve(this.child.exitCode);
      else this.child.once('exit', (code) => resolve(code));
    });
    await this.connection.sendRequest('shutdown');
    await this.connection.sendNotification('exit');
    const code = await exited;
    this.connection.dispose();
    return code;
  }
}
