import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { ConfigError } from '../errors.js';

/** Environment variable holding the admin key itself. */
export const ADMIN_KEY_ENV = 'KAEL_ADMIN_KEY';
/** Environment variable naming a file that holds the admin key. */
export const ADMIN_KEY_FILE_ENV = 'KAEL_ADMIN_KEY_FILE';

/** Fewer characters than this make a key a frame refuses: it could be guessed offline from one signed command. */
const MIN_KEY_LENGTH = 16;

/** A new admin key: 32 random bytes, base64url (43 characters). */
export function generateAdminKey(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The public name of a key: the first 8 hex characters of its sha256. Logged with every accepted
 * change and carried in signatures, so operators see which key signed without the key being shown.
 */
export function keyId(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** Where an admin key may come from, first match wins. */
export interface AdminKeySources {
  /** The key itself (an option). An empty string means "no key" and reads nothing else. */
  key?: string | undefined;
  /** A file holding the key (an option or `--admin-key-file`). */
  keyFile?: string | undefined;
  /** Environment read for {@link ADMIN_KEY_ENV} and {@link ADMIN_KEY_FILE_ENV}. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** A key and where it came from (for messages that must never print the key itself). */
export interface ResolvedAdminKey {
  key: string;
  source: string;
  /** Set when the key file can be read by other users. */
  warning?: string;
}

/**
 * The admin key: `key` when given (empty: none), else the content of `keyFile`, else
 * `KAEL_ADMIN_KEY`, else the content of `KAEL_ADMIN_KEY_FILE`; surrounding whitespace is dropped.
 * @returns undefined when no source is set.
 * @throws ConfigError `CONFIG_INVALID` naming the file when a key file cannot be read or is empty.
 */
export function readAdminKey(sources: AdminKeySources = {}): ResolvedAdminKey | undefined {
  const env = sources.env ?? process.env;
  if (sources.key !== undefined) {
    const direct = nonEmpty(sources.key);
    return direct === undefined ? undefined : { key: direct, source: 'the adminKey option' };
  }
  const file = nonEmpty(sources.keyFile);
  if (file !== undefined) return fromFile(file, 'the admin key file');
  const fromEnv = nonEmpty(env[ADMIN_KEY_ENV]);
  if (fromEnv !== undefined) return { key: fromEnv, source: ADMIN_KEY_ENV };
  const envFile = nonEmpty(env[ADMIN_KEY_FILE_ENV]);
  if (envFile !== undefined) return fromFile(envFile, ADMIN_KEY_FILE_ENV);
  return undefined;
}

/**
 * {@link readAdminKey} for a frame, which also refuses keys that are too short.
 * @throws ConfigError `CONFIG_INVALID` for an unreadable or empty key file, or a key shorter than {@link MIN_KEY_LENGTH}.
 */
export function readFrameAdminKey(sources: AdminKeySources = {}): ResolvedAdminKey | undefined {
  const resolved = readAdminKey(sources);
  if (resolved !== undefined && resolved.key.length < MIN_KEY_LENGTH)
    throw new ConfigError(
      'CONFIG_INVALID',
      `the admin key from ${resolved.source} has ${resolved.key.length} characters; at least ${MIN_KEY_LENGTH} are needed (make one with "kael keygen")`,
      { details: { source: resolved.source } },
    );
  return resolved;
}

function fromFile(file: string, label: string): ResolvedAdminKey {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `cannot read the admin key file ${file} (${label}): ${(e as Error).message}`,
      { cause: e, details: { file } },
    );
  }
  const key = text.trim();
  if (key === '')
    throw new ConfigError('CONFIG_INVALID', `the admin key file ${file} (${label}) is empty`, {
      details: { file },
    });
  const resolved: ResolvedAdminKey = { key, source: `${label} ${file}` };
  const mode = statSync(file).mode;
  if ((mode & 0o077) !== 0)
    resolved.warning = `the admin key file ${file} can be read by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it`;
  return resolved;
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t === undefined || t === '' ? undefined : t;
}
