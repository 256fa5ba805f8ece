import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { KaelError } from '../errors.js';

/**
 * Flags every command that talks to a namespace accepts. `--auri` takes one broker URL or the URLs of
 * a cluster's nodes, comma-separated (like KAEL_AURI); a malformed list fails with `CONFIG_INVALID`.
 */
export const CONNECTION_FLAGS = {
  name: { type: 'string', short: 'n' },
  auri: { type: 'string' },
  json: { type: 'boolean', default: false },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's arguments; unknown flags are a `USAGE` error naming the flag.
 * @throws KaelError `USAGE`
 */
export function parseCommandLine<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: O,
  usage: string,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new KaelError('USAGE', `${(e as Error).message}\nusage: ${usage}`);
  }
}

/** The namespace from --name or KAEL_NAME. @throws KaelError `USAGE` when neither is set. */
export function requireNamespace(name: string | undefined, usage: string): string {
  const ns = name ?? process.env['KAEL_NAME'];
  if (ns === undefined || ns === '')
    throw new KaelError('USAGE', `a namespace is needed: --name NS or KAEL_NAME\nusage: ${usage}`);
  return ns;
}

/** A positive integer flag value. @throws KaelError `USAGE` naming the flag. */
export function intFlag(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new KaelError('USAGE', `--${flag} must be a positive integer, got "${value}"`);
  return n;
}

/** Writes one JSON value on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
