import * as vscode from 'vscode';
import { DEFAULT_AURI } from '@kael/runtime/broker/default-auri';

const PASSWORD_KEY = 'kael.brokerPassword';
const ADMIN_KEY = 'kael.adminKey';

/**
 * The broker URL to use: `kael.brokerUrl` (kept without its password) with the password from
 * SecretStorage; else KAEL_AURI from the environment; else the local broker.
 */
export async function brokerUrl(secrets: vscode.SecretStorage): Promise<string> {
  const configured = vscode.workspace.getConfiguration('kael').get<string>('brokerUrl', '');
  if (configured === '') return process.env['KAEL_AURI'] ?? DEFAULT_AURI;
  const password = await secrets.get(PASSWORD_KEY);
  if (password === undefined) return configured;
  const url = new URL(configured);
  url.password = encodeURIComponent(password);
  return url.toString();
}

/** The admin key that signs changing commands, from SecretStorage (or KAEL_ADMIN_KEY). */
export async function adminKey(secrets: vscode.SecretStorage): Promise<string | undefined> {
  return (await secrets.get(ADMIN_KEY)) ?? process.env['KAEL_ADMIN_KEY'];
}

/**
 * Connect…: asks for the URL, stores its password in SecretStorage and the URL without it in the
 * settings, and optionally the admin key. Returns false when cancelled.
 */
export async function askConnection(secrets: vscode.SecretStorage): Promise<boolean> {
  const current =
    vscode.workspace.getConfiguration('kael').get<string>('brokerUrl', '') || 'amqp://guest@127.0.0.1:5672';
  const text = await vscode.window.showInputBox({
    prompt: 'RabbitMQ URL (a password typed here goes to the secret store, not to settings)',
    value: current,
    ignoreFocusOut: true,
  });
  if (text === undefined) return false;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    void vscode.window.showErrorMessage(`"${text}" is not a URL (expected amqp://user@host:5672/vhost)`);
    return false;
  }
  let password = decodeURIComponent(url.password);
  url.password = '';
  if (password === '')
    password =
      (await vscode.window.showInputBox({
        prompt: `Password of ${decodeURIComponent(url.username) || 'the broker user'}`,
        password: true,
        ignoreFocusOut: true,
      })) ?? '';
  await secrets.store(PASSWORD_KEY, password);
  await vscode.workspace
    .getConfiguration('kael')
    .update('brokerUrl', url.toString(), vscode.ConfigurationTarget.Global);
  const namespaces = vscode.workspace.getConfiguration('kael').get<string[]>('namespaces', []);
  if (namespaces.length === 0) {
    const ns = await vscode.window.showInputBox({
      prompt: 'Namespace(s) to show, comma-separated',
      ignoreFocusOut: true,
    });
    if (ns !== undefined && ns.trim() !== '') {
      await vscode.workspace.getConfiguration('kael').update(
        'namespaces',
        ns
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== ''),
        vscode.ConfigurationTarget.Global,
      );
    }
  }
  const key = await vscode.window.showInputBox({
    prompt: 'Admin key for signed commands (leave empty when the namespace has none)',
    password: true,
    ignoreFocusOut: true,
  });
  if (key !== undefined && key !== '') await secrets.store(ADMIN_KEY, key);
  return true;
}
