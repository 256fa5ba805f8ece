import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { KaelError } from '../errors.js';
import type { CommandAuth } from '../model/command-message.js';

/** Commands that change code or state: refused unsigned when the frame has an admin key. */
export const CHANGING_COMMANDS: ReadonlySet<string> = new Set([
  '_install_pkg',
  '_update_pkg',
  '_rollback_pkg',
  '_restart_service',
  '_restart_crontab',
  '_export_pkg',
]);

/** JSON with sorted keys, so both sides sign the same bytes whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (ArrayBuffer.isView(value))
    return JSON.stringify(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'));
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .filter((k) => obj[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

function mac(key: string, fn: string, kwargs: unknown, ts: number, nonce: string): string {
  return createHmac('sha256', key)
    .update(`${fn}\n${ts}\n${nonce}\n${canonicalJson(kwargs)}`)
    .digest('hex');
}

/** Signs a command with the admin key. */
export function signCommand(key: string, fn: string, kwargs: unknown, now = Date.now()): CommandAuth {
  const nonce = randomBytes(12).toString('hex');
  return { ts: now, nonce, sig: mac(key, fn, kwargs, now, nonce) };
}

/**
 * Checks signatures of changing commands: the MAC, a time window, and that a nonce is used once.
 * @example
 * const verifier = new CommandVerifier(process.env.KAEL_ADMIN_KEY);
 * verifier.check('_restart_service', {}, auth); // throws UNAUTHORIZED when wrong
 */
export class CommandVerifier {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly key: string | undefined,
    /** Accepted clock difference either way. @default 60000 */
    private readonly windowMs = 60_000,
  ) {}

  /**
   * @throws KaelError `UNAUTHORIZED` when a key is set and the changing command is unsigned, wrongly signed, stale or replayed.
   */
  check(fn: string, kwargs: unknown, auth: CommandAuth | undefined, now = Date.now()): void {
    if (this.key === undefined || !CHANGING_COMMANDS.has(fn)) return;
    if (
      auth === undefined ||
      typeof auth.sig !== 'string' ||
      typeof auth.nonce !== 'string' ||
      typeof auth.ts !== 'number'
    ) {
      throw new KaelError('UNAUTHORIZED', `${fn} must be signed with the admin key (KAEL_ADMIN_KEY)`);
    }
    if (Math.abs(now - auth.ts) > this.windowMs)
      throw new KaelError(
        'UNAUTHORIZED',
        `${fn}: signature timestamp is outside the ${this.windowMs / 1000} s window`,
      );
    const expected = Buffer.from(mac(this.key, fn, kwargs, auth.ts, auth.nonce), 'hex');
    const given = Buffer.from(auth.sig, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new KaelError('UNAUTHORIZED', `${fn}: wrong signature`);
    this.forgetOld(now);
    if (this.seen.has(auth.nonce))
      throw new KaelError('UNAUTHORIZED', `${fn}: replayed command (nonce already used)`);
    this.seen.set(auth.nonce, auth.ts);
  }

  private forgetOld(now: number): void {
    for (const [nonce, ts] of this.seen) if (Math.abs(now - ts) > this.windowMs) this.seen.delete(nonce);
  }
}
