import type { ConnectionProblem } from '../client/connection-problem.js';
import { redactUrl } from '../client/connection-problem.js';
import { brokerUrls, PASSWORD_KEY, splitPassword, withPassword } from '../client/connection-store.js';
import type { ConnectionSettings } from '../client/connection-store.js';
import type { Secrets, UiHost } from '../host/ui-host.js';

/** What trying a connection found. */
export type ProbeResult =
  { ok: true; frames: Record<string, number> } | { ok: false; problem: ConnectionProblem };

/** What Connect… needs. */
export interface ConnectDeps {
  host: UiHost;
  settings: ConnectionSettings;
  secrets: Secrets;
  /** Connects to `url` (with its password) and counts the frames of each namespace. */
  probe(url: string, namespaces: string[]): Promise<ProbeResult>;
}

const TITLE = 'Kael: Connect';
const NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** `prod: 2 frames, test: no frame runs with --name test`. */
function describeProbe(frames: Record<string, number>): string {
  return Object.entries(frames)
    .map(([ns, n]) =>
      n === 0 ? `no frame runs with --name ${ns}` : `${ns}: ${n} frame${n === 1 ? '' : 's'}`,
    )
    .join(', ');
}

/** Why a broker URL (or a comma-separated list of cluster nodes) cannot be used, or undefined. */
export function validateUrl(text: string): string | undefined {
  const urls = brokerUrls(text);
  if (urls.length === 0) return 'enter a URL, e.g. amqp://user@host:5672/vhost';
  for (const [i, one] of urls.entries()) {
    const which = urls.length === 1 ? '' : `node ${i + 1}: `;
    try {
      const u = new URL(one);
      if (u.protocol !== 'amqp:' && u.protocol !== 'amqps:')
        return `${which}an AMQP URL starts with amqp:// or amqps://, e.g. amqp://user@host:5672/vhost`;
      if (u.hostname === '') return `${which}the URL needs a host, e.g. amqp://user@127.0.0.1:5672`;
    } catch {
      return `${which}not a URL: expected amqp://user@host:5672/vhost`;
    }
  }
  return undefined;
}

/** `mq1:5672, mq2:5672`: the nodes a URL list names. */
function hostsOf(url: string): string {
  return brokerUrls(url)
    .map((one) => new URL(one).host)
    .join(', ');
}

function parseNamespaces(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * Connect…: one three-step input (broker URL, password, namespaces). Escape at any step cancels
 * and changes nothing. The connection is tried before anything is saved; the result is said in
 * words, with Edit / Retry when it failed. The admin key is not asked here: a changing command asks
 * for it when the frames require one.
 * @returns true when new settings were saved.
 */
export async function connect(deps: ConnectDeps): Promise<boolean> {
  const { host, settings, secrets } = deps;
  const stored = await secrets.get(PASSWORD_KEY);
  let urlText = settings.url() || 'amqp://guest@127.0.0.1:5672';
  let nsText = settings.namespaces().join(', ');
  let password: string | undefined;
  for (;;) {
    const url = await host.input(
      'RabbitMQ URL; several nodes of one cluster comma-separated (a password typed here goes to the secret store, not to settings)',
      {
        value: urlText,
        validate: validateUrl,
        step: { title: TITLE, step: 1, total: 3 },
      },
    );
    if (url === undefined) return cancelled(host);
    urlText = url;
    const split = splitPassword(url);
    const user = decodeURIComponent(new URL(brokerUrls(split.url)[0] ?? '').username) || 'the broker user';
    if (split.password !== '') {
      password = split.password;
    } else {
      const typed = await host.input(`Password of ${user} at ${hostsOf(split.url)}`, {
        password: true,
        placeholder:
          stored === undefined
            ? 'empty: connect without a password'
            : 'press Enter to keep the stored password',
        step: { title: TITLE, step: 2, total: 3 },
      });
      if (typed === undefined) return cancelled(host);
      password = typed === '' ? stored : typed;
    }
    const ns = await host.input('Namespaces to show, comma-separated (the --name of the frames)', {
      value: nsText,
      placeholder: 'e.g. prod, test',
      validate: (t) => {
        const list = parseNamespaces(t);
        if (list.length === 0) return 'name at least one namespace';
        const bad = list.find((n) => !NAMESPACE.test(n));
        return bad === undefined ? undefined : `"${bad}" is not a namespace name (letters, digits, _ . -)`;
      },
      step: { title: TITLE, step: 3, total: 3 },
    });
    if (ns === undefined) return cancelled(host);
    nsText = ns;
    const namespaces = parseNamespaces(ns);
    const full = withPassword(split.url, password);
    for (;;) {
      host.log.info('trying a connection', { broker: redactUrl(full), namespaces: namespaces.join(',') });
      const result = await host.progress(`Connecting to ${redactUrl(split.url)}`, () =>
        deps.probe(full, namespaces),
      );
      if (result.ok) {
        await settings.save(split.url, namespaces);
        if (password === undefined || password === '') await secrets.delete(PASSWORD_KEY);
        else if (password !== stored) await secrets.store(PASSWORD_KEY, password);
        const words = `connected to ${redactUrl(split.url)}: ${describeProbe(result.frames)}`;
        host.log.info(words);
        void host.notify('info', `Kael: ${words}`);
        return true;
      }
      host.log.error('connection failed; nothing saved', {
        code: result.problem.code,
        error: result.problem.summary,
      });
      const choice = await host.notify(
        'error',
        `Kael: ${result.problem.summary}${/[.?!)…]$/.test(result.problem.summary) ? '' : '.'} Nothing was saved.`,
        ['Edit', 'Retry', 'Show Log'],
      );
      if (choice === 'Retry') continue;
      if (choice === 'Show Log') host.showLog();
      if (choice === 'Edit') break;
      return false;
    }
  }
}

function cancelled(host: UiHost): false {
  host.log.info('Connect… cancelled; nothing changed');
  return false;
}
