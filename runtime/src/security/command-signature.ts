import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { KaelError } from '../errors.js';
import type { CommandAuth, CommandMessage } from '../model/command-message.js';
import { ADMIN_KEY_ENV, ADMIN_KEY_FILE_ENV, keyId } from './admin-key.js';

/**
 * Commands that write or run code, or hand it out: refused unless signed with the admin key (or
 * the frame runs with the explicit `allowUnsignedAdmin` opt-out).
 */
export const CHANGING_COMMANDS: ReadonlySet<string> = new Set([
  '_install_pkg',
  '_update_pkg',
  '_rollback_pkg',
  '_restart_service',
  '_restart_crontab',
  '_export_pkg',
]);

/** Layout version of the signed text. */
const SIGNATURE_VERSION = 1;

/** How far a signature's time may be from the frame's clock, either way. */
const SIGNATURE_WINDOW_MS = 60_000;

/**
 * JSON with sorted keys and without null or undefined members, so both sides sign the same bytes
 * whatever the key order and whether an absent argument travelled as nil.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (ArrayBuffer.isView(value))
    return JSON.stringify(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'));
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .filter((k) => obj[k] !== undefined && obj[k] !== null)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

/** What a signature covers besides its own time, nonce and key id. */
export interface SignedCommand {
  /** The namespace the command is meant for: a signature is worthless in any other. */
  namespace: string;
  fn: string;
  /** Every argument (for code changes they include the archive's `sha256` and the `source` frame). */
  kwargs: Record<string, unknown>;
  /** The one frame it is for. */
  id?: string | undefined;
  /** The frames that must ignore it. */
  notId?: readonly string[] | undefined;
  /** The same on every copy of the command (left out of the signed text when absent). */
  requestId?: string | undefined;
}

/** The exact text that is MACed (documented in runtime/PROTOCOL.md). */
export function signedText(command: SignedCommand, auth: Omit<CommandAuth, 'sig'>): string {
  return canonicalJson({
    v: auth.v,
    ns: command.namespace,
    fn: command.fn,
    kwargs: command.kwargs,
    id: command.id ?? null,
    notId: [...(command.notId ?? [])].sort(),
    rid: command.requestId ?? null,
    ts: auth.ts,
    nonce: auth.nonce,
    kid: auth.kid,
  });
}

function mac(key: string, text: string): string {
  return createHmac('sha256', key).update(text).digest('hex');
}

/**
 * Signs a command with the admin key.
 * @example msg.auth = signCommand(key, { namespace: 'prod', fn: '_restart_service', kwargs: {} });
 */
export function signCommand(key: string, command: SignedCommand, now = Date.now()): CommandAuth {
  const fields = { v: SIGNATURE_VERSION, kid: keyId(key), ts: now, nonce: randomBytes(16).toString('hex') };
  return { ...fields, sig: mac(key, signedText(command, fields)) };
}

/** How a command was let through. */
export type Authorization =
  /** A read-only command: open to every caller. */
  | { kind: 'open' }
  /** A changing command with a valid signature by key `kid`. */
  | { kind: 'signed'; kid: string }
  /** A changing command let through unsigned by the `allowUnsignedAdmin` opt-out. */
  | { kind: 'unsigned' };

/** What a frame's verifier knows about the frame. */
export interface VerifierOptions {
  /** The admin key; without one, changing commands are refused unless `allowUnsigned`. */
  key: string | undefined;
  /** The explicit opt-out: accept changing commands without a signature. @default false */
  allowUnsigned?: boolean;
  namespace: string;
  frameId: string;
  /** Epoch ms when the frame started: anything signed earlier is refused (its nonces are forgotten). */
  startedAt: number;
  /** @default SIGNATURE_WINDOW_MS */
  windowMs?: number;
}

/**
 * Decides whether a frame may run a command. Changing commands need a signature by the frame's key
 * over this namespace, the command, every argument and the targets, made within the window, not
 * before the frame started, and never seen before (nonces are kept for the whole window).
 * @example
 * const verifier = new CommandVerifier({ key, namespace: 'prod', frameId: frame.id, startedAt: Date.now() });
 * verifier.check(command); // throws UNAUTHORIZED when it may not run
 */
export class CommandVerifier {
  private readonly seen = new Map<string, number>();
  private readonly kid: string | undefined;
  private readonly windowMs: number;

  constructor(private readonly options: VerifierOptions) {
    this.kid = options.key === undefined ? undefined : keyId(options.key);
    this.windowMs = options.windowMs ?? SIGNATURE_WINDOW_MS;
  }

  /** The id of the frame's key, if it has one. */
  get keyId(): string | undefined {
    return this.kid;
  }

  /**
   * @returns how the command was let through.
   * @throws KaelError `UNAUTHORIZED` naming the reason when a changing command may not run.
   */
  check(command: CommandMessage, now = Date.now()): Authorization {
    const { fn, auth } = command;
    if (!CHANGING_COMMANDS.has(fn)) return { kind: 'open' };
    const key = this.options.key;
    if (key === undefined || auth === undefined) {
      if (this.options.allowUnsigned === true) return { kind: 'unsigned' };
      throw new KaelError(
        'UNAUTHORIZED',
        key === undefined
          ? `frame ${this.options.frameId} has no admin key, so it refuses ${fn} (set ${ADMIN_KEY_ENV} or ${ADMIN_KEY_FILE_ENV}; "kael keygen" makes a key)`
          : `${fn} must be signed with the admin key`,
      );
    }
    this.checkShape(fn, auth);
    if (auth.kid !== this.kid)
      throw unauthorized(`${fn} is signed with key ${auth.kid}; this frame's key is ${String(this.kid)}`);
    if (Math.abs(now - auth.ts) > this.windowMs)
      throw unauthorized(
        `${fn}: the signature is ${Math.round((now - auth.ts) / 1000)} s old; the window is ±${this.windowMs / 1000} s`,
      );
    if (auth.ts < this.options.startedAt)
      throw unauthorized(`${fn} was signed before frame ${this.options.frameId} started; send it again`);
    const expected = Buffer.from(
      mac(key, signedText({ ...command, namespace: this.options.namespace }, auth)),
      'hex',
    );
    const given = Buffer.from(auth.sig, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw unauthorized(
        `${fn}: wrong signature (not signed for namespace ${this.options.namespace}, or the command, its arguments or targets were changed)`,
      );
    if (command.id !== undefined && command.id !== this.options.frameId)
      throw unauthorized(`${fn} is signed for frame ${command.id}, not ${this.options.frameId}`);
    if (command.notId?.includes(this.options.frameId) === true)
      throw unauthorized(`${fn} is signed to skip frame ${this.options.frameId}`);
    this.forgetOld(now);
    if (this.seen.has(auth.nonce)) throw unauthorized(`${fn}: replayed command (nonce already used)`);
    this.seen.set(auth.nonce, auth.ts);
    return { kind: 'signed', kid: auth.kid };
  }

  private checkShape(fn: string, auth: CommandAuth): void {
    if (
      typeof auth !== 'object' ||
      auth.v !== SIGNATURE_VERSION ||
      typeof auth.kid !== 'string' ||
      typeof auth.sig !== 'string' ||
      typeof auth.nonce !== 'string' ||
      auth.nonce.length < 16 ||
      typeof auth.ts !== 'number' ||
      !Number.isFinite(auth.ts)
    )
      throw unauthorized(
        `${fn}: malformed signature (expected {v: ${SIGNATURE_VERSION}, kid, ts, nonce, sig})`,
      );
  }

  private forgetOld(now: number): void {
    for (const [nonce, ts] of this.seen) if (now - ts > this.windowMs) this.seen.delete(nonce);
  }
}

function unauthorized(message: string): KaelError {
  return new KaelError('UNAUTHORIZED', message);
}
