import { redactText } from './redact.js';

/** Where the runtime writes what it does. The default writes one line per event to stderr. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

/**
 * A logger that writes `time level [scope] message {fields}` lines to stderr; debug only when
 * KAEL_DEBUG is set. Passwords of URLs in the line are hidden ({@link redactText}).
 */
export function createLogger(
  scope: string,
  level: 'debug' | 'info' | 'warn' | 'error' | 'silent' = defaultLevel(),
): Logger {
  const order = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };
  const write = (
    lvl: 'debug' | 'info' | 'warn' | 'error',
    message: string,
    fields?: Record<string, unknown>,
  ): void => {
    if (order[lvl] < order[level]) return;
    const extra =
      fields === undefined || Object.keys(fields).length === 0 ? '' : ' ' + JSON.stringify(fields);
    process.stderr.write(redactText(`${new Date().toISOString()} ${lvl} [${scope}] ${message}${extra}\n`));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

function defaultLevel(): 'debug' | 'info' | 'warn' | 'error' | 'silent' {
  const env = process.env['KAEL_LOG_LEVEL'];
  if (env === 'debug' || env === 'info' || env === 'warn' || env === 'error' || env === 'silent') return env;
  return process.env['KAEL_DEBUG'] !== undefined ? 'debug' : 'info';
}
