import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { DEFAULT_AURI } from '@kael/runtime/broker/default-auri';
import { connectClient } from '@kael/runtime/client/frame-client';
import { ValidateWorkspaceRequest } from '@kael/server/protocol';
import { describeConnectionError, redactUrl } from './client/connection-problem.js';
import { brokerUrls, brokerUrlSetting, resolveBrokerUrl, storedAdminKey } from './client/connection-store.js';
import type { ConnectionSettings } from './client/connection-store.js';
import { startLanguageClient } from './client/language-client.js';
import { NamespaceSessions } from './client/namespace-sessions.js';
import { callService } from './commands/call-flow.js';
import type { CallMode } from './commands/call-flow.js';
import { installPackage, restart, rollbackPackage, updatePackage } from './commands/change-flows.js';
import { connect } from './commands/connect-flow.js';
import type { ProbeResult } from './commands/connect-flow.js';
import { showCrontabRuns } from './commands/crontab-runs.js';
import type { FlowContext } from './commands/flow-context.js';
import { errorOf } from './commands/flow-context.js';
import {
  copyFrameId,
  copyServiceName,
  openFrameConfig,
  openPackageFolder,
  openPackageSetting,
  showFrameLog,
} from './commands/node-actions.js';
import { MemoryLog } from './host/log.js';
import { ResultDocuments } from './host/result-documents.js';
import { vscodeHost } from './host/vscode-host.js';
import { StatusBar } from './status/status-bar.js';
import { KaelTreeProvider } from './tree/kael-tree-provider.js';
import { problemMessage } from './tree/tree-model.js';
import type { TreeNode } from './tree/tree-model.js';

let languageClient: LanguageClient | undefined;
let sessions: NamespaceSessions | undefined;

const settings: ConnectionSettings = {
  // One string or a list of cluster nodes in settings; one comma-separated string for the runtime.
  url: () => brokerUrls(vscode.workspace.getConfiguration('kael').get<unknown>('brokerUrl', '')).join(','),
  namespaces: () => vscode.workspace.getConfiguration('kael').get<string[]>('namespaces', []),
  async save(url, namespaces) {
    const config = vscode.workspace.getConfiguration('kael');
    await config.update('brokerUrl', brokerUrlSetting(url), vscode.ConfigurationTarget.Global);
    await config.update('namespaces', namespaces, vscode.ConfigurationTarget.Global);
  },
};

function namespacesToShow(): string[] {
  const configured = settings.namespaces();
  if (configured.length > 0) return configured;
  const env = process.env['KAEL_NAME'];
  return env === undefined || env === '' ? [] : [env];
}

/** Connects to each namespace once and counts its frames (Connect… tries before it saves). */
async function probe(url: string, namespaces: string[]): Promise<ProbeResult> {
  try {
    const counts = await Promise.all(
      namespaces.map(async (ns) => {
        const client = await connectClient({ name: ns, auri: url, timeoutMs: 10_000 });
        try {
          return [ns, (await client.servers()).length] as const;
        } finally {
          await client.close();
        }
      }),
    );
    return { ok: true, frames: Object.fromEntries(counts) };
  } catch (e) {
    return { ok: false, problem: describeConnectionError(e, url) };
  }
}

/** Activates lazily: the language client at once; broker connections only once the Kael view is visible or a Kael command runs. */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const channel = vscode.window.createOutputChannel('Kael', { log: true });
  const log = new MemoryLog((level, text) => channel[level](text));
  const results = new ResultDocuments();
  const host = vscodeHost(log, channel, results);
  const secrets = context.secrets;
  const currentUrl = (): string | undefined => {
    const configured = settings.url();
    const raw = configured === '' ? (process.env['KAEL_AURI'] ?? DEFAULT_AURI) : configured;
    return redactUrl(raw);
  };
  sessions = new NamespaceSessions(
    async (ns) =>
      connectClient({
        name: ns,
        auri: await resolveBrokerUrl(settings, secrets, process.env, DEFAULT_AURI),
        adminKey: await storedAdminKey(secrets, process.env),
        timeoutMs: 30_000,
      }),
    { log, brokerUrl: currentUrl },
  );
  const live = sessions;
  const provider = new KaelTreeProvider(live);
  const view = vscode.window.createTreeView('kael.frames', {
    treeDataProvider: provider,
    showCollapseAll: true,
  });
  const statusBar = new StatusBar();
  context.subscriptions.push(channel, results, provider, view, statusBar);

  let lastProblem: string | undefined;
  provider.onRefresh((states) => {
    const message = problemMessage(states);
    view.message = message ?? '';
    void vscode.commands.executeCommand('setContext', 'kael.hasNamespaces', states.length > 0);
    statusBar.update(states);
    // A new connection problem is also a notification with buttons: the view may be hidden.
    if (message !== undefined && message !== lastProblem) {
      void host
        .notify('error', `Kael: ${message}`, ['Edit Connection', 'Retry', 'Show Log'])
        .then(async (choice) => {
          if (choice === 'Edit Connection') await vscode.commands.executeCommand('kael.connect');
          if (choice === 'Retry') await vscode.commands.executeCommand('kael.refresh');
          if (choice === 'Show Log') host.showLog();
        });
    }
    lastProblem = message;
  });

  let connected = false;
  /** Connect… saves settings and then reopens everything itself. */
  let applyingConnect = false;
  const ensureConnected = async (): Promise<void> => {
    if (connected) return;
    connected = true;
    log.info('showing namespaces', { namespaces: namespacesToShow().join(','), broker: currentUrl() });
    await live.show(namespacesToShow());
    provider.refresh();
  };
  if (view.visible) void ensureConnected();
  context.subscriptions.push(view.onDidChangeVisibility((e) => e.visible && void ensureConnected()));
  // New settings: show the namespaces now configured, and reopen them all on a new broker URL.
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!connected || applyingConnect) return;
      if (e.affectsConfiguration('kael.namespaces')) await live.show(namespacesToShow());
      if (e.affectsConfiguration('kael.brokerUrl')) await live.reconnect();
    }),
  );

  const ctxFor = (node?: TreeNode): FlowContext => ({ host, sessions: live, secrets, node: node?.data });
  const flow =
    (run: (ctx: FlowContext) => Promise<void>) =>
    async (node?: TreeNode): Promise<void> => {
      await ensureConnected();
      try {
        await run(ctxFor(node));
      } catch (e) {
        const err = errorOf(e);
        log.error('command failed', { code: err.code, error: err.message });
        const choice = await host.notify('error', `Kael: [${err.code}] ${err.message}`, ['Show Log']);
        if (choice === 'Show Log') host.showLog();
      }
    };
  const call = (mode?: CallMode) => flow((ctx) => callService(ctx, mode));

  context.subscriptions.push(
    vscode.commands.registerCommand('kael.connect', async () => {
      applyingConnect = true;
      const saved = await connect({ host, settings, secrets, probe }).finally(() => {
        applyingConnect = false;
      });
      if (!saved) return;
      if (!connected) return ensureConnected();
      await live.show(namespacesToShow());
      await live.reconnect();
    }),
    vscode.commands.registerCommand('kael.configure', () =>
      vscode.commands.executeCommand('workbench.action.openSettings', 'kael.'),
    ),
    vscode.commands.registerCommand('kael.refresh', async () => {
      await ensureConnected();
      log.info('refresh');
      await live.retryAll();
      provider.refresh();
    }),
    vscode.commands.registerCommand(
      'kael.showLog',
      flow((ctx) => showFrameLog(ctx, (t) => log.matching(t))),
    ),
    vscode.commands.registerCommand('kael.showOutput', () => host.showLog()),
    vscode.commands.registerCommand('kael.forgetAdminKey', async () => {
      await secrets.delete('kael.adminKey');
      log.info('admin key removed from secret storage');
      await live.reconnect();
    }),
    vscode.commands.registerCommand('kael.groupByFrame', () => provider.setGrouping('frame')),
    vscode.commands.registerCommand('kael.groupByPackage', () => provider.setGrouping('package')),
    vscode.commands.registerCommand('kael.callService', call()),
    vscode.commands.registerCommand('kael.callServiceBalanced', call('balanced')),
    vscode.commands.registerCommand('kael.callServicePinned', call('pinned')),
    vscode.commands.registerCommand('kael.copyServiceName', flow(copyServiceName)),
    vscode.commands.registerCommand('kael.copyFrameId', flow(copyFrameId)),
    vscode.commands.registerCommand('kael.openFrameConfig', flow(openFrameConfig)),
    vscode.commands.registerCommand('kael.openPackageSetting', flow(openPackageSetting)),
    vscode.commands.registerCommand('kael.openPackageFolder', flow(openPackageFolder)),
    vscode.commands.registerCommand('kael.updatePackage', flow(updatePackage)),
    vscode.commands.registerCommand('kael.installPackage', flow(installPackage)),
    vscode.commands.registerCommand('kael.installPackageElsewhere', flow(installPackage)),
    vscode.commands.registerCommand('kael.rollbackPackage', flow(rollbackPackage)),
    vscode.commands.registerCommand(
      'kael.restartServices',
      flow((ctx) => restart(ctx, 'service')),
    ),
    vscode.commands.registerCommand(
      'kael.restartCrontabs',
      flow((ctx) => restart(ctx, 'crontab')),
    ),
    vscode.commands.registerCommand(
      'kael.restartPackage',
      flow((ctx) => restart(ctx, ctx.node?.kind ?? 'service')),
    ),
    vscode.commands.registerCommand('kael.showCrontabRuns', flow(showCrontabRuns)),
    vscode.commands.registerCommand('kael.validateWorkspace', async () => {
      if (languageClient === undefined) return;
      const result = await languageClient.sendRequest(ValidateWorkspaceRequest.type, {});
      const problems = Object.values(result.diagnostics).flat();
      const errors = problems.filter((d) => d.severity === 1).length;
      void host.notify(
        'info',
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
