/** Log levels of the Kael output channel. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** Facts logged with a line (rendered as `key=value`). */
export type LogFields = Record<string, unknown>;

/** Where the extension logs: the Kael `LogOutputChannel` in VS Code, memory in tests. */
export interface Log {
  trace(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** One logged line. */
export interface LogLine {
  level: LogLevel;
  timeMs: number;
  text: string;
}

/** `message key=value key="two words"`: one line, greppable. */
function formatLine(message: string, fields: LogFields = {}): string {
  const rendered = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => {
      const s = typeof v === 'string' ? v : JSON.stringify(v);
      return `${k}=${/[\s"=]/.test(s) ? JSON.stringify(s) : s}`;
    });
  return [message, ...rendered].join(' ');
}

/**
 * A log that keeps the last lines in memory (tests read them; "Show Log" on a frame picks the
 * lines naming it) and passes each line on to `sink`.
 */
export class MemoryLog implements Log {
  readonly lines: LogLine[] = [];

  constructor(
    private readonly sink?: (level: LogLevel, text: string) => void,
    /** Lines kept. @default 2000 */
    private readonly keep = 2000,
  ) {}

  trace(message: string, fields?: LogFields): void {
    this.write('trace', message, fields);
  }
  debug(message: string, fields?: LogFields): void {
    this.write('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.write('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.write('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.write('error', message, fields);
  }

  /** Lines naming `text` as a whole value (e.g. `frame=<id>`), oldest first. */
  matching(text: string): LogLine[] {
    const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const re = new RegExp(`(^|[\\s=,"])${escaped}($|[\\s,"])`);
    return this.lines.filter((l) => re.test(l.text));
  }

  private write(level: LogLevel, message: string, fields: LogFields | undefined): void {
    const text = formatLine(message, fields);
    this.lines.push({ level, timeMs: Date.now(), text });
    if (this.lines.length > this.keep) this.lines.splice(0, this.lines.length - this.keep);
    this.sink?.(level, text);
  }
}
