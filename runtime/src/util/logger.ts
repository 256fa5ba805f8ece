import { redactText } from './redact.js';

/** Where the runtime writes what it does. The default writes one line per event to stderr. */
export interface Logger {
  /** What happened in normal operation (started, connected, deployed). */
  info(message: string, fields?: Record<string, unknown>): void;
  /** Something went wrong and was handled (a refused command, a failed package, a reconnect). */
  warn(message: string, fields?: Record<string, unknown>): void;
  /** Something went wrong that needs a person (a crashed worker, a crontab that cannot run). */
  error(message: string, fields?: Record<string, unknown>): void;
  /** Details for debugging, including ignored best-effort failures (shown with KAEL_DEBUG). */
  debug(message: string, fields?: Record<string, unknown>): void;
}

/** How log lines are written: `text` for people, `json` for journald and log shippers. */
export type LogFormat = 'text' | 'json';

/** The variable that selects the format; `kael run --log-format` sets it, and service workers inherit it. */
export const LOG_FORMAT_ENV = 'KAEL_LOG_FORMAT';

/**
 * The fields every JSON line has, in this order; an event's own fields follow. An event field with
 * one of these names is written as `field_<name>`, so the stable fields can always be trusted.
 */
const JSON_LOG_FIELDS = ['time', 'level', 'scope', 'pid', 'msg'] as const;

/**
 * A logger that writes to stderr, one line per event; debug only when KAEL_DEBUG is set. Passwords of
 * URLs in the line are hidden ({@link redactText}).
 * - `text` (default): `time level [scope] message {fields}`
 * - `json`: one JSON object per line, `{"time","level","scope","pid","msg",…fields}`
 *
 * The format is read at every line, so `--log-format` applies to loggers created before it was parsed.
 * @default format: process.env.KAEL_LOG_FORMAT, else `text`
 */
export function createLogger(
  scope: string,
  level: 'debug' | 'info' | 'warn' | 'error' | 'silent' = defaultLevel(),
  format?: LogFormat,
): Logger {
  const order = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };
  const write = (
    lvl: 'debug' | 'info' | 'warn' | 'error',
    message: string,
    fields?: Record<string, unknown>,
  ): void => {
    if (order[lvl] < order[level]) return;
    const time = new Date().toISOString();
    const line =
      (format ?? logFormat()) === 'json'
        ? jsonLine(time, lvl, scope, message, fields)
        : `${time} ${lvl} [${scope}] ${message}${
            fields === undefined || Object.keys(fields).length === 0 ? '' : ' ' + JSON.stringify(fields)
          }`;
    process.stderr.write(redactText(line) + '\n');
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

/** The format chosen by {@link LOG_FORMAT_ENV}; anything but `json` is `text`. */
export function logFormat(): LogFormat {
  return process.env[LOG_FORMAT_ENV] === 'json' ? 'json' : 'text';
}

function jsonLine(
  time: string,
  level: string,
  scope: string,
  msg: string,
  fields: Record<string, unknown> | undefined,
): string {
  const event: Record<string, unknown> = { time, level, scope, pid: process.pid, msg };
  for (const [k, v] of Object.entries(fields ?? {}))
    event[(JSON_LOG_FIELDS as readonly string[]).includes(k) ? `field_${k}` : k] = v;
  return JSON.stringify(event, jsonSafe);
}

/** Errors and bigints would make JSON.stringify lose the value or throw: write what they say. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

function defaultLevel(): 'debug' | 'info' | 'warn' | 'error' | 'silent' {
  const env = process.env['KAEL_LOG_LEVEL'];
  if (env === 'debug' || env === 'info' || env === 'warn' || env === 'error' || env === 'silent') return env;
  return process.env['KAEL_DEBUG'] !== undefined ? 'debug' : 'info';
}
