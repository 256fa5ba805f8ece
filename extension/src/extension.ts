import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { connectClient } from '@kael/runtime/client/frame-client';
import { ValidateWorkspaceRequest } from '@kael/server/protocol';
import { adminKey, askConnection, brokerUrl } from './client/broker-settings.js';
import { startLanguageClient } from './client/language-client.js';
import { NamespaceSessions } from './client/namespace-sessions.js';
import {
  callService,
  installPackage,
  restart,
  rollbackPackage,
  showCrontabRuns,
  updatePackage,
} from './commands/flows.js';
import type { FlowContext } from './commands/flows.js';
import { vscodeHost } from './host/vscode-host.js';
import { KaelTreeProvider } from './tree/kael-tree-provider.js';
import type { TreeNode } from './tree/tree-model.js';

let languageClient: LanguageClient | undefined;
let sessions: NamespaceSessions | undefined;

function namespacesToShow(): string[] {
  const configured = vscode.workspace.getConfiguration('kael').get<string[]>('namespaces', []);
  if (configured.length > 0) return configured;
  const env = process.env['KAEL_NAME'];
  return env === undefined || env === '' ? [] : [env];
}

/** Activates lazily: the language client at once; broker connections only once the Kael view is visible or a Kael command runs. */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const host = vscodeHost();
  sessions = new NamespaceSessions(async (ns) =>
    connectClient({
      name: ns,
      auri: await brokerUrl(context.secrets),
      adminKey: await adminKey(context.secrets),
      timeoutMs: 30_000,
    }),
  );
  const live = sessions;
  const provider = new KaelTreeProvider(live);
  const view = vscode.window.createTreeView('kael.frames', {
    treeDataProvider: provider,
    showCollapseAll: true,
  });
  context.subscriptions.push(provider, view);

  let connected = false;
  const ensureConnected = async (): Promise<void> => {
    if (connected) return;
    connected = true;
    await live.show(namespacesToShow());
    provider.refresh();
  };
  if (view.visible) void ensureConnected();
  context.subscriptions.push(view.onDidChangeVisibility((e) => e.visible && void ensureConnected()));
  // New settings or credentials: reopen every namespace (the factory reads them afresh).
  const reconnect = async (): Promise<void> => {
    if (!connected) return;
    await live.show([]);
    await live.show(namespacesToShow());
  };
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('kael.brokerUrl') || e.affectsConfiguration('kael.namespaces'))
        void reconnect();
    }),
  );

  const flow = (run: (ctx: FlowContext) => Promise<void>) => async (node?: TreeNode) => {
    await ensureConnected();
    try {
      await run({ host, sessions: live, node: node?.data });
    } catch (e) {
      host.error(`Kael: ${(e as Error).message}`);
    }
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('kael.connect', async () => {
      if (await askConnection(context.secrets)) {
        if (connected) await reconnect();
        else await ensureConnected();
      }
    }),
    vscode.commands.registerCommand('kael.configure', () =>
      vscode.commands.executeCommand('workbench.action.openSettings', 'kael.'),
    ),
    vscode.commands.registerCommand('kael.refresh', async () => {
      await ensureConnected();
      await live.retryAll();
      provider.refresh();
    }),
    vscode.commands.registerCommand('kael.groupByFrame', () => provider.setGrouping('frame')),
    vscode.commands.registerCommand('kael.groupByPackage', () => provider.setGrouping('package')),
    vscode.commands.registerCommand('kael.callService', flow(callService)),
    vscode.commands.registerCommand('kael.updatePackage', flow(updatePackage)),
    vscode.commands.registerCommand('kael.installPackage', flow(installPackage)),
    vscode.commands.registerCommand('kael.rollbackPackage', flow(rollbackPackage)),
    vscode.commands.registerCommand(
      'kael.restartServices',
      flow((ctx) => restart(ctx, 'service')),
    ),
    vscode.commands.registerCommand(
      'kael.restartCrontabs',
      flow((ctx) => restart(ctx, 'crontab')),
    ),
    vscode.commands.registerCommand('kael.showCrontabRuns', flow(showCrontabRuns)),
    vscode.commands.registerCommand('kael.validateWorkspace', async () => {
      if (languageClient === undefined) return;
      const result = await languageClient.sendRequest(ValidateWorkspaceRequest.type, {});
      const problems = Object.values(result.diagnostics).flat();
      const errors = problems.filter((d) => d.severity === 1).length;
      host.info(
        `Kael: ${result.files} file(s) checked, ${errors} error(s), ${problems.length - errors} warning(s)`,
      );
      if (problems.length > 0) void vscode.commands.executeCommand('workbench.actions.view.problems');
    }),
  );

  languageClient = await startLanguageClient(context);
}

/** Stops the language server and closes every broker connection. */
export async function deactivate(): Promise<void> {
  await languageClient?.stop();
  await sessions?.dispose();
}
