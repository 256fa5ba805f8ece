import type { Secrets } from '../host/ui-host.js';

/** SecretStorage key of the broker password (never in settings). */
export const PASSWORD_KEY = 'kael.brokerPassword';
/** SecretStorage key of the admin key that signs changing commands. */
export const ADMIN_KEY = 'kael.adminKey';

/** The connection settings as stored (`kael.brokerUrl` without password, `kael.namespaces`). */
export interface ConnectionSettings {
  /** `kael.brokerUrl` as one string: several nodes of a cluster comma-separated; empty when unset. */
  url(): string;
  namespaces(): string[];
  /** Saves the URL (a comma-separated list is stored as a list) and the namespaces. */
  save(url: string, namespaces: string[]): Promise<void>;
}

/**
 * The broker URLs of a `kael.brokerUrl` value: one URL, a comma-separated list, or a list of
 * either (the nodes of one RabbitMQ cluster). Blanks and empty items are dropped. Pure.
 */
export function brokerUrls(value: unknown): string[] {
  const items = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
  return items
    .filter((v): v is string => typeof v === 'string')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** How `kael.brokerUrl` stores a URL list: one string for one node, a list for several. */
export function brokerUrlSetting(url: string): string | string[] {
  const urls = brokerUrls(url);
  return urls.length === 1 ? (urls[0] ?? '') : urls;
}

/**
 * The URL to connect with: the configured one with the stored password, else `env.KAEL_AURI`, else
 * `fallback`.
 */
export async function resolveBrokerUrl(
  settings: ConnectionSettings,
  secrets: Secrets,
  env: Record<string, string | undefined>,
  fallback: string,
): Promise<string> {
  const configured = settings.url();
  if (configured === '') return env['KAEL_AURI'] ?? fallback;
  const password = await secrets.get(PASSWORD_KEY);
  return withPassword(configured, password);
}

/**
 * `url` with `password` set (unchanged when the password is undefined or empty); for a list, on
 * every node (the nodes of a cluster share their users).
 */
export function withPassword(url: string, password: string | undefined): string {
  if (password === undefined || password === '') return url;
  return brokerUrls(url)
    .map((one) => {
      const u = new URL(one);
      u.password = encodeURIComponent(password);
      return u.toString();
    })
    .join(',');
}

/** `url` (or a comma-separated list) without passwords, and the first password it held (decoded). */
export function splitPassword(url: string): { url: string; password: string } {
  let password = '';
  const bare = brokerUrls(url).map((one) => {
    const u = new URL(one);
    if (password === '') password = decodeURIComponent(u.password);
    u.password = '';
    return u.toString();
  });
  return { url: bare.join(','), password };
}

/** The admin key: SecretStorage, else `env.KAEL_ADMIN_KEY`. */
export async function storedAdminKey(
  secrets: Secrets,
  env: Record<string, string | undefined>,
): Promise<string | undefined> {
  const key = (await secrets.get(ADMIN_KEY)) ?? env['KAEL_ADMIN_KEY'];
  return key === '' ? undefined : key;
}
