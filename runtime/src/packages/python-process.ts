import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { servingCall } from '../tracing/call-context.js';
import { ConfigError, KaelError } from '../errors.js';
import type { ErrorData } from '../errors.js';
import type { Logger } from '../util/logger.js';
import { createLogger } from '../util/logger.js';
import { SETTING_FILE } from '../model/package-setting.js';
import type { PublishedNames } from '../model/module-exports.js';
import { exportError, exportProblems, loadedNames } from './export-check.js';
import type { LoadedName } from './export-check.js';
import { PYTHON_ENTRY, PYTHON_WORKER_SCRIPT, pythonInterpreter } from './python-interpreter.js';
import { bestEffort } from '../util/best-effort.js';
import { hasKeys } from '../util/has-keys.js';

/** What a Python worker reports once the package is imported. */
export interface PythonLoadInfo {
  /** Interpreter version, e.g. `3.11.2`. */
  python: string;
  /** `sys.executable` of the interpreter. */
  executable: string;
  /** Published function → whether it is awaited (`async def`) or called. */
  functions: Record<string, 'sync' | 'async'>;
}

/** Options of a {@link PythonProcess}. */
export interface PythonProcessOptions {
  /** The package folder (its `__init__.py` is imported; it is the working directory). */
  dir: string;
  /** `service_base_name`, used in error messages. */
  service: string;
  /** Published function names. */
  publish: readonly string[];
  /** Calls run at once in threads (coroutines are not counted). @default 64 */
  maxThreads?: number;
  /** How long the import may take before the package is reported invalid. @default 60000 */
  startTimeoutMs?: number;
  logger?: Logger;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  fn: string;
}

type LoadReport =
  | ({ type: 'ready'; names: Record<string, LoadedName> } & PythonLoadInfo)
  | { type: 'error'; error: LoadError };

/** Why importing the package failed, as kael_worker.py reports it (lines and columns 1-based). */
interface LoadError {
  kind: 'syntax' | 'import' | 'other';
  name: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
}

/** Binary values cross the JSON channel as `{"__kael_bytes__": base64}` (see kael_worker.py). */
const BYTES_TAG = '__kael_bytes__';

// Workers of packages still running when the service worker exits: the kernel would close their
// channel anyway, this makes the end immediate even when all their threads are busy.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * One Python worker process (runtime/python/kael_worker.py) serving one Python service package for
 * a service worker. Calls are forwarded as JSON lines over a pipe (fd 3 out, fd 4 back), many at
 * once; replies come back in completion order. A worker that dies fails its calls in flight with
 * `WORKER_CRASHED` and is started again; calls made meanwhile wait for the new one.
 */
export class PythonProcess {
  private child: ChildProcess | undefined;
  private out: Writable | undefined;
  private serving: Promise<void> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private corked = false;
  private closed = false;
  private respawnDelayMs = 100;
  private readonly logger: Logger;

  constructor(private readonly options: PythonProcessOptions) {
    this.logger = options.logger ?? createLogger(`python:${options.service}`);
  }

  /**
   * Starts the worker and waits until the package is imported and passes the export check (the
   * one `kael validate` and the editor make, on what the imported module really has).
   * @throws ConfigError `PACKAGE_INVALID` naming setting.yaml with the check's problems (codes
   * `entry-syntax`, `entry-import` with the Python message and line, `export-missing`,
   * `export-not-function` by `publish` pointer); naming `__init__.py` (code `entry-missing`) when
   * importing raised anything else, took too long, or no interpreter could be started.
   */
  async start(): Promise<PythonLoadInfo> {
    const info = await this.spawnWorker();
    this.serving = Promise.resolve();
    return info;
  }

  /**
   * Runs published function `fn` with positional and keyword arguments.
   * @throws KaelError `WORKER_CRASHED` when the worker died with the call in flight; an Error with
   * the Python exception's type name as `name` and code `REMOTE_ERROR` (or `ENCODE_ERROR` when the
   * result cannot be encoded).
   */
  call(fn: string, args: readonly unknown[], kwargs: Record<string, unknown>): Promise<unknown> {
    if (this.out !== undefined && this.child !== undefined) return this.send(fn, args, kwargs);
    if (this.closed || this.serving === undefined)
      return Promise.reject(
        new KaelError('WORKER_CRASHED', `${this.label(fn)}: the Python worker is stopped`),
      );
    return this.serving.then(() => this.call(fn, args, kwargs));
  }

  /** Stops the worker (its calls in flight fail). */
  close(): void {
    this.closed = true;
    const child = this.child;
    this.child = undefined;
    this.out = undefined;
    if (child !== undefined) {
      child.kill('SIGKILL');
      live.delete(child);
    }
    this.failAll(new KaelError('WORKER_CRASHED', `the Python worker of ${this.options.service} was stopped`));
  }

  /** Pid of the current worker process (tests). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private send(fn: string, args: readonly unknown[], kwargs: Record<string, unknown>): Promise<unknown> {
    const out = this.out as Writable;
    const id = this.nextId++;
    const fnText = quoted(fn);
    const replacer = hasBinary(args) || hasBinary(kwargs) ? bytesReplacer : undefined;
    const kwargsText = hasKeys(kwargs) ? JSON.stringify(kwargs, replacer) : '{}';
    const line = `[${id},${fnText},${JSON.stringify(args, replacer)},${kwargsText}]${pythonCallContext()}\n`;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, fn });
      // Writes of one event-loop turn leave in one system call. No backpressure handling needed:
      // the service worker's prefetch bounds the calls in flight.
      if (!this.corked) {
        this.corked = true;
        out.cork();
        process.nextTick(() => {
          this.corked = false;
          out.uncork();
        });
      }
      out.write(line);
    });
  }

  private spawnWorker(): Promise<PythonLoadInfo> {
    const { dir, publish, service } = this.options;
    const interpreter = pythonInterpreter();
    const env = { ...process.env };
    // Package code never sees the admin key.
    delete env['KAEL_ADMIN_KEY'];
    const child = spawn(
      interpreter.command,
      [PYTHON_WORKER_SCRIPT, dir, JSON.stringify(publish), String(this.options.maxThreads ?? 64), service],
      { cwd: dir, env, stdio: ['ignore', 'inherit', 'inherit', 'pipe', 'pipe'] },
    );
    live.add(child);
    const out = child.stdio[3] as Writable | null;
    const input = child.stdio[4] as Readable | null;
    const startTimeoutMs = this.options.startTimeoutMs ?? 60_000;
    return new Promise<PythonLoadInfo>((resolve, reject) => {
      let loaded = false;
      const fail = (error: Error): void => {
        if (loaded) return;
        loaded = true;
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(error);
      };
      const timer = setTimeout(
        () =>
          fail(
            invalidEntry(dir, `${PYTHON_ENTRY} did not finish importing within ${startTimeoutMs / 1000} s`),
          ),
        startTimeoutMs,
      );
      timer.unref();
      child.once('error', (e: Error) => {
        live.delete(child);
        const from =
          interpreter.source === 'PATH'
            ? 'python3 from PATH; set KAEL_PYTHON to choose another'
            : 'KAEL_PYTHON';
        fail(
          invalidEntry(
            dir,
            `cannot start the Python interpreter "${interpreter.command}" (${from}): ${e.message}`,
          ),
        );
      });
      child.once('exit', (code, signal) => {
        live.delete(child);
        if (loaded) this.onExit(child, code ?? signal ?? 'unknown');
        else
          fail(
            invalidEntry(
              dir,
              `the Python worker exited (${code ?? signal}) before it imported ${PYTHON_ENTRY}`,
            ),
          );
      });
      if (out === null || input === null) {
        fail(invalidEntry(dir, 'cannot open the channel to the Python worker'));
        return;
      }
      // A dead worker's channel errors too; its exit is handled above.
      out.on('error', (e: Error) => this.logger.debug('python channel write failed', { error: e.message }));
      input.on('error', (e: Error) => this.logger.debug('python channel read failed', { error: e.message }));
      // The first line is the load report, every later one a reply.
      let onLine = (line: string): void => {
        const report = readLoadReport(line);
        if (report instanceof Error) return fail(invalidEntry(dir, report.message));
        if (report.type === 'error') return fail(loadFailure(dir, report.error));
        // The package imported: the same export check as kael validate's, on what it really has.
        const refused = checkNames(dir, publish, report.names);
        if (refused !== undefined) return fail(refused);
        loaded = true;
        clearTimeout(timer);
        this.child = child;
        this.out = out;
        this.respawnDelayMs = 100;
        onLine = (reply) => this.onReply(reply);
        resolve({ python: report.python, executable: report.executable, functions: report.functions });
      };
      readLines(input, (line) => onLine(line));
    });
  }

  private onReply(line: string): void {
    let reply: { id: number; ok: boolean; value?: unknown; error?: ErrorData };
    try {
      reply = JSON.parse(line, line.includes(BYTES_TAG) ? bytesReviver : undefined) as typeof reply;
    } catch (e) {
      this.logger.error('unreadable reply from the Python worker', { error: (e as Error).message });
      return;
    }
    const p = this.pending.get(reply.id);
    if (p === undefined) return;
    this.pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.value);
    else p.reject(pythonError(reply.error));
  }

  private onExit(child: ChildProcess, how: number | string): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.out = undefined;
    const inFlight = [...this.pending.values()].map((p) => p.fn);
    // Each caller is told which function was running; the call is answered, not redelivered, so a
    // call that kills its Python worker runs once.
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending)
      p.reject(
        new KaelError(
          'WORKER_CRASHED',
          `${this.label(p.fn)}: the Python worker of ${this.options.service} died (${how}) with the call in flight; it is being restarted`,
          { details: { function: this.label(p.fn) } },
        ),
      );
    if (this.closed) return;
    this.logger.error('Python worker died; restarting it', {
      exit: how,
      in_flight: inFlight.map((f) => this.label(f)),
      in_ms: this.respawnDelayMs,
    });
    this.scheduleRespawn();
  }

  /**
   * Starts a new worker after a back-off. Calls made meanwhile wait for it; when it fails to load
   * they get its load error, and the next attempt follows (back-off doubling up to 5 s).
   */
  private scheduleRespawn(): void {
    const delay = this.respawnDelayMs;
    this.respawnDelayMs = Math.min(5000, this.respawnDelayMs * 2);
    this.serving = new Promise((r) => setTimeout(r, delay)).then(async () => {
      if (this.closed)
        throw new KaelError('WORKER_CRASHED', `the Python worker of ${this.options.service} was stopped`);
      try {
        await this.spawnWorker();
      } catch (e) {
        this.logger.error('Python worker failed to restart', { error: (e as Error).message });
        if (!this.closed) this.scheduleRespawn();
        throw e;
      }
    });
    // Callers await `serving`, and the failure is logged above; marked handled for the time in between.
    void bestEffort(this.serving, this.logger, 'restart the Python worker');
  }

  private failAll(error: KaelError): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(error);
  }

  private label(fn: string): string {
    return `${this.options.service}__${fn}`;
  }
}

/**
 * The context part of a request line, after a tab: the call being served (`kael_worker.call_context()`
 * reads it), or nothing outside a call. The trace id goes along only when it exists (Python makes one
 * when asked).
 */
function pythonCallContext(): string {
  const call = servingCall();
  if (call === undefined) return '';
  // Built from pieces rather than by stringifying an object: this runs once per call.
  const { frame, caller, deadline, knownTraceId } = call;
  return `\t{"service":${quoted(call.service)},"frame":${frame === undefined ? 'null' : quoted(frame)},"caller":${caller === undefined ? 'null' : JSON.stringify(caller)},"deadline":${deadline ?? 'null'},"trace_id":${knownTraceId === undefined ? 'null' : JSON.stringify(knownTraceId)}}`;
}

/** JSON texts of the few strings every call repeats (service names and the frame id). */
const quotedStrings = new Map<string, string>();

function quoted(s: string): string {
  let text = quotedStrings.get(s);
  if (text === undefined) {
    text = JSON.stringify(s);
    quotedStrings.set(s, text);
  }
  return text;
}

/**
 * Calls `onLine` with each complete line the worker writes. The worker writes ASCII only (JSON with
 * escapes), so latin1 decoding is exact and cheaper than UTF-8's.
 */
function readLines(input: Readable, onLine: (line: string) => void): void {
  let partial = '';
  input.setEncoding('latin1');
  input.on('data', (chunk: string) => {
    let start = 0;
    let nl = chunk.indexOf('\n');
    if (nl < 0) {
      partial += chunk;
      return;
    }
    if (partial !== '') {
      const first = partial + chunk.slice(0, nl);
      partial = '';
      onLine(first);
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
    }
    while (nl >= 0) {
      onLine(chunk.slice(start, nl));
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
    }
    partial = chunk.slice(start);
  });
}

function readLoadReport(line: string): LoadReport | Error {
  const unreadable = (cause?: unknown): Error =>
    new Error(`the Python worker sent an unreadable load report: ${line.slice(0, 200)}`, { cause });
  try {
    const report = JSON.parse(line) as LoadReport;
    if (report !== null && typeof report === 'object' && typeof report.type === 'string') return report;
  } catch (e) {
    return unreadable(e);
  }
  return unreadable();
}

/** The Error a Python exception becomes: its type name, message, code, and a stack only in debug mode. */
function pythonError(data: ErrorData | undefined): Error {
  const e = new Error(data?.message ?? 'the Python worker sent an error without a message');
  e.name = data?.name ?? 'Error';
  (e as Error & { code: string }).code = data?.code ?? 'REMOTE_ERROR';
  // The JavaScript stack would point into kael, not at the Python code.
  if (data?.stack === undefined) delete e.stack;
  else e.stack = data.stack;
  return e;
}

function invalidEntry(dir: string, message: string, extra: Record<string, unknown> = {}): ConfigError {
  const file = path.join(dir, PYTHON_ENTRY);
  return new ConfigError('PACKAGE_INVALID', `${file}: ${message}`, {
    details: { file, pointer: '', code: 'entry-missing', ...extra },
  });
}

/** The export check on what the imported module has; undefined when it passes. */
function checkNames(
  dir: string,
  publish: readonly string[],
  names: Readonly<Record<string, LoadedName>>,
): ConfigError | undefined {
  const found = loadedNames(path.join(dir, PYTHON_ENTRY), 'python', names);
  const problems = exportProblems(publish, found, dir).filter((p) => p.severity !== 'warning');
  return problems.length === 0 ? undefined : exportError(path.join(dir, SETTING_FILE), problems);
}

/**
 * A failed import as the same problems the static reading of `__init__.py` gives (a syntax error,
 * an import that cannot succeed), so `kael run` and `kael validate` say it in the same words; any
 * other exception as a load failure of the entry module, as for a JS package that throws.
 */
function loadFailure(dir: string, error: LoadError): ConfigError {
  const entry = path.join(dir, PYTHON_ENTRY);
  const line = (error.line ?? 1) - 1;
  const file = error.file ?? entry;
  const found: PublishedNames = {
    entry,
    language: 'python',
    names: new Map(),
    dynamic: true,
    syntaxErrors: [],
  };
  if (error.kind === 'syntax')
    found.syntaxErrors.push({ message: error.message, line, character: (error.column ?? 1) - 1, file });
  else if (error.kind === 'import') found.importErrors = [{ message: error.message, line, file }];
  else {
    const at = error.line === undefined ? '' : ` (${path.relative(dir, file)} line ${error.line})`;
    return invalidEntry(dir, `cannot load the entry module: ${error.name}: ${error.message}${at}`, {
      python: { name: error.name, message: error.message },
    });
  }
  return exportError(path.join(dir, SETTING_FILE), exportProblems([], found, dir));
}

function hasBinary(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== 'object' || depth > 64) return false;
  if (ArrayBuffer.isView(value)) return true;
  if (Array.isArray(value)) return value.some((v) => hasBinary(v, depth + 1));
  for (const k in value) if (hasBinary((value as Record<string, unknown>)[k], depth + 1)) return true;
  return false;
}

function bytesReplacer(this: unknown, key: string, value: unknown): unknown {
  // JSON.stringify has already called Buffer#toJSON on Buffers: read the original from the holder.
  const original = (this as Record<string, unknown>)[key];
  if (ArrayBuffer.isView(original))
    return {
      [BYTES_TAG]: Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64'),
    };
  return value;
}

function bytesReviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const tagged = (value as Record<string, unknown>)[BYTES_TAG];
    if (typeof tagged === 'string' && Object.keys(value).length === 1)
      return new Uint8Array(Buffer.from(tagged, 'base64'));
  }
  return value;
}
