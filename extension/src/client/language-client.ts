import * as vscode from 'vscode';
import { LanguageClient, TransportKind } from 'vscode-languageclient/node';
import type { LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';

/** Starts the bundled kael language server for YAML files (it decides which ones are kael's). */
export async function startLanguageClient(context: vscode.ExtensionContext): Promise<LanguageClient> {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc },
  };
  const frameFileNames = vscode.workspace.getConfiguration('kael').get<string[]>('frameFileNames');
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: 'yaml' }],
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml,js,mjs,cjs,ts,py,sh,json}'),
    },
    initializationOptions:
      frameFileNames === undefined || frameFileNames.length === 0 ? {} : { frameFileNames },
  };
  const client = new LanguageClient('kael', 'Kael', serverOptions, clientOptions);
  await client.start();
  return client;
}
