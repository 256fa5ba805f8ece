import { ADMIN_KEY_ENV, ADMIN_KEY_FILE_ENV } from './admin-key.js';

/** Variables package code never sees: the admin key, where it is kept, and the frame's broker URL. */
const SECRET_VARIABLES: readonly string[] = [ADMIN_KEY_ENV, ADMIN_KEY_FILE_ENV, 'KAEL_AURI'];

/** `scheme://user:password@…` anywhere in a value (also `scheme:/…` and lists). */
const URL_WITH_PASSWORD = /[A-Za-z][A-Za-z0-9+.-]*:\/*[^\s/@:]*:[^\s@]*@/;

/** True when package code may see variable `name` with `value`. */
function isPackageVisible(name: string, value: string | undefined): boolean {
  if (value === undefined || SECRET_VARIABLES.includes(name)) return false;
  return !URL_WITH_PASSWORD.test(value);
}

/**
 * The environment for package code (service workers, crontab commands): the frame's own
 * environment without {@link SECRET_VARIABLES} and without any variable whose value holds a URL
 * with a password (`DATABASE_URL=postgres://u:pw@db`, a second broker URL…).
 */
export function packageEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env))
    if (value !== undefined && isPackageVisible(name, value)) out[name] = value;
  return out;
}

/** Names of the variables {@link packageEnv} leaves out (logged once at start; never their values). */
export function withheldVariables(env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.entries(env)
    .filter(([name, value]) => value !== undefined && !isPackageVisible(name, value))
    .map(([name]) => name)
    .sort();
}
