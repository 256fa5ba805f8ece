/**
 * Every error kael raises or carries over the wire has a stable `code`; callers branch on the code,
 * never on the message text.
 */
export type KaelErrorCode =
  | 'BROKER_UNAVAILABLE'
  | 'RPC_TIMEOUT'
  | 'SERVICE_NOT_FOUND'
  | 'REMOTE_ERROR'
  | 'INVALID_ARGS'
  | 'ENCODE_ERROR'
  | 'DECODE_ERROR'
  | 'CLIENT_CLOSED'
  | 'CONFIG_INVALID'
  | 'PACKAGE_INVALID'
  | 'PACKAGE_NOT_FOUND'
  | 'PACKAGE_EXISTS'
  | 'VERSION_INVALID'
  | 'VERSION_NOT_FOUND'
  | 'SCHEDULE_INVALID'
  | 'CRONTAB_LEASE_FAILED'
  | 'COMMAND_UNKNOWN'
  | 'COMMAND_FAILED'
  | 'COMMAND_TIMEOUT'
  | 'UNAUTHORIZED'
  | 'ARCHIVE_INVALID'
  | 'FRAME_NOT_FOUND'
  | 'WORKER_CRASHED'
  | 'REQUEST_TOO_LARGE'
  | 'REPLY_TOO_LARGE'
  | 'OPTION_INVALID'
  | 'CONNECTION_LOST'
  | 'USAGE';

/** The wire shape of an error: plain data, never a serialized object graph. */
export interface ErrorData {
  /** A {@link KaelErrorCode}, or a code of a foreign peer. */
  code: string;
  name: string;
  message: string;
  stack?: string;
  /** Extra machine-readable facts (file, pointer, frame id...). */
  details?: Record<string, unknown>;
}

/**
 * Root of kael's error tree.
 * @example
 * try { await client.call('calc__add', [1, 2]); } catch (e) { if (e instanceof KaelError && e.code === 'RPC_TIMEOUT') retry(); }
 */
export class KaelError extends Error {
  override readonly name: string = 'KaelError';
  /** Stable machine-readable code. */
  readonly code: string;
  /** Extra machine-readable facts. */
  readonly details: Record<string, unknown> | undefined;

  /**
   * @param code the stable code callers branch on
   * @param message for people; never parsed
   * @param options.cause the error this one wraps (kept as `cause`)
   * @param options.details extra machine-readable facts @default undefined
   */
  constructor(
    code: KaelErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details;
  }

  /** Plain data for the wire or for JSON output. */
  toData(): ErrorData {
    return errorToData(this);
  }
}

/** A configuration file (frame.yaml, setting.yaml) is missing or wrong; `details` names file and field. */
export class ConfigError extends KaelError {
  override readonly name: string = 'ConfigError';
}

/** A call or command failed on the far side; `remote` keeps what the far side said. */
export class RemoteError extends KaelError {
  override readonly name: string = 'RemoteError';
  /** The error as the remote side reported it. */
  readonly remote: ErrorData;

  /**
   * @param remote the error as the far side sent it
   * @param code @default 'REMOTE_ERROR'
   */
  constructor(remote: ErrorData, code: KaelErrorCode = 'REMOTE_ERROR') {
    super(
      code,
      remote.name === 'KaelError' || remote.name === 'ConfigError'
        ? remote.message
        : `${remote.name}: ${remote.message}`,
      { details: remote.details ?? {} },
    );
    this.remote = remote;
    if (remote.stack !== undefined) this.stack = remote.stack;
  }
}

/** Converts anything thrown into wire data, keeping a code when it has one. */
export function errorToData(error: unknown): ErrorData {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const data: ErrorData = {
      code: typeof code === 'string' ? code : 'REMOTE_ERROR',
      // A user's error class may carry anything in these fields; the wire needs strings.
      name: typeof error.name === 'string' ? error.name : 'Error',
      message: typeof error.message === 'string' ? error.message : describeThrown(error.message),
    };
    if (error.stack !== undefined) data.stack = error.stack;
    const details = (error as { details?: unknown }).details;
    if (details !== null && typeof details === 'object') data.details = details as Record<string, unknown>;
    return data;
  }
  return { code: 'REMOTE_ERROR', name: 'Error', message: describeThrown(error) };
}

/**
 * A message for a thrown value that is no Error (a string, `undefined`, an object without prototype,
 * a cyclic object): never throws itself, so every failure still gets a reply.
 */
export function describeThrown(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return `non-error thrown: ${String(value)}`;
  const message = (value as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    // Cyclic or with a throwing toJSON: the type is all that can be said.
    json = undefined;
  }
  if (json !== undefined) return `non-error thrown: ${json.length > 200 ? `${json.slice(0, 200)}…` : json}`;
  return `non-error thrown: ${Object.prototype.toString.call(value)}`;
}

/** True when `value` looks like {@link ErrorData} (used when decoding replies from foreign peers). */
export function isErrorData(value: unknown): value is ErrorData {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v['code'] === 'string' && typeof v['message'] === 'string';
}
