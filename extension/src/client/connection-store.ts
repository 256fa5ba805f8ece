import type { Secrets } from '../host/ui-host.js';

/** SecretStorage key of the broker password (never in settings). */
export const PASSWORD_KEY = 'kael.brokerPassword';
/** SecretStorage key of the admin key that signs changing commands. */
export const ADMIN_KEY = 'kael.adminKey';

/** The connection settings as stored (`kael.brokerUrl` without password, `kael.namespaces`). */
export interface ConnectionSettings {
  /** `kael.brokerUrl`; empty when unset. */
  url(): string;
  namespaces(): string[];
  save(url: string, namespaces: string[]): Promise<void>;
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

/** `url` with `password` set (unchanged when the password is undefined or empty). */
export function withPassword(url: string, password: string | undefined): string {
  if (password === undefined || password === '') return url;
  const u = new URL(url);
  u.password = encodeURIComponent(password);
  return u.toString();
}

/** `url` without its password, and the password it held (decoded). */
export function splitPassword(url: string): { url: string; password: string } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  return { url: u.toString(), password };
}

/** The admin key: SecretStorage, else `env.KAEL_ADMIN_KEY`. */
export async function storedAdminKey(
  secrets: Secrets,
  env: Record<string, string | undefined>,
): Promise<string | undefined> {
  const key = (await secrets.get(ADMIN_KEY)) ?? env['KAEL_ADMIN_KEY'];
  return key === '' ? undefined : key;
}
