import { EventEmitter } from 'node:events';
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { KaelError } from '../errors.js';
import { packageEnv } from '../security/package-env.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';
import type { ServiceCounters } from '../model/metrics-snapshot.js';
import { bestEffort } from '../util/best-effort.js';
import { createLogger } from '../util/logger.js';

const log = createLogger('worker');

/** What a worker reported after loading its packages. */
export type LoadResults = Extract<FromWorker, { type: 'loaded' }>['results'];

/**
 * A worker died or hung while it loaded one package: the package is to blame (its code exited the
 * process, or its import did not finish within the load time limit).
 */
export class PackageLoadFailure extends KaelError {
  override readonly name: string = 'PackageLoadFailure';

  constructor(
    /** The package folder being loaded. */
    readonly dir: string,
    message: string,
  ) {
    super('PACKAGE_INVALID', message, { details: { file: dir, pointer: '', code: 'entry-missing' } });
  }
}

/** A worker process forked ahead of need by {@link prepareWorkerProcess}, not taken yet. */
let prepared: ChildProcess | undefined;

function forkWorker(): ChildProcess {
  // KAEL_WORKER_NODE_ARGS passes node flags to workers only (e.g. --max-old-space-size=4096, --cpu-prof).
  const execArgv = (process.env['KAEL_WORKER_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
  return fork(path.join(__dirname, 'service-worker.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // Package code runs here: no admin key, no broker URL (the worker gets its URL over IPC).
    env: packageEnv(),
    execArgv,
  });
}

/**
 * Cold start: forks a service worker process before the frame knows its packages, so that Node's
 * start and the runtime's modules load while the frame loads its own and reads its configuration.
 * The next {@link WorkerHandle} takes it (it waits for its `init` message until then).
 */
export function prepareWorkerProcess(): void {
  prepared ??= forkWorker();
}

/** The prepared process, when there is one that still runs. */
function takePrepared(): ChildProcess | undefined {
  const child = prepared;
  prepared = undefined;
  if (child?.connected === true && child.exitCode === null && child.signalCode === null) return child;
  child?.kill();
  return undefined;
}

/** Ends the process {@link prepareWorkerProcess} forked when no worker took it (a frame without services). */
export function discardPreparedWorker(): void {
  prepared?.kill();
  prepared = undefined;
}

/**
 * One service worker process seen from the frame.
 * Events: `consuming` (it takes calls, again after a pause), `paused` (reason: it lost a channel or
 * consumer and is getting it back).
 */
export class WorkerHandle extends EventEmitter {
  readonly child: ChildProcess;
  /**
   * Resolves with the load results once the worker consumes; rejects if it dies first (with a
   * {@link PackageLoadFailure} when it died or hung while loading a package), or cannot be started.
   */
  readonly ready: Promise<LoadResults>;
  /** Resolves with the exit code (or signal) when the process is gone. */
  readonly exited: Promise<number | string>;
  /**
   * Resolves once the worker has imported its JavaScript and TypeScript packages (it consumes their
   * queues next, then starts its Python packages), or when it is gone before that. Never rejects.
   */
  readonly imported: Promise<void>;
  private draining = false;
  /** The counters the worker last reported (kept after it exits, so its calls stay counted). */
  lastMetrics: Record<string, ServiceCounters> = {};
  private metricsWaiters: (() => void)[] = [];
  private consumingNow = false;

  /** `init.loadTimeoutMs` is how long one package may take to load before the worker is killed. */
  constructor(init: Extract<ToWorker, { type: 'init' }>) {
    super();
    const { loadTimeoutMs } = init;
    this.child = takePrepared() ?? forkWorker();
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => resolve(code ?? signal ?? 0));
      // A process that could not be started emits 'error' and no 'exit'.
      this.child.once('error', (e: Error) => {
        if (this.child.pid === undefined) resolve(`spawn failed: ${e.message}`);
      });
    });
    this.imported = new Promise<void>((resolve) => {
      const onMessage = (m: FromWorker): void => {
        if (m.type !== 'imported') return;
        this.child.off('message', onMessage);
        resolve();
      };
      this.child.on('message', onMessage);
      void this.exited.then(() => resolve());
    });
    this.ready = new Promise<LoadResults>((resolve, reject) => {
      let results: LoadResults = [];
      let loading: string | undefined;
      let timer: NodeJS.Timeout | undefined;
      const settle = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
      };
      this.child.on('message', (m: FromWorker) => {
        if (m.type === 'loading') {
          settle();
          loading = m.dir;
          timer = setTimeout(() => {
            reject(
              new PackageLoadFailure(m.dir, `${m.dir}: loading did not finish within ${loadTimeoutMs} ms`),
            );
            this.child.kill('SIGKILL');
          }, loadTimeoutMs);
        } else if (m.type === 'imported') {
          settle();
          loading = undefined;
        } else if (m.type === 'loaded') {
          settle();
          loading = undefined;
          results = m.results;
        } else if (m.type === 'consuming') {
          this.consumingNow = true;
          resolve(results);
          this.emit('consuming');
        } else if (m.type === 'paused') {
          this.consumingNow = false;
          this.emit('paused', m.reason);
        }
      });
      this.child.once('exit', (code, signal) => {
        settle();
        this.consumingNow = false;
        const how = code ?? signal;
        reject(
          loading !== undefined
            ? new PackageLoadFailure(
                loading,
                `${loading}: the package's code ended the process (${how}) while loading`,
              )
            : new KaelError(
                'COMMAND_FAILED',
                `service worker ${this.child.pid ?? '?'} exited (${how}) before it was ready`,
              ),
        );
      });
      this.child.on('error', (e: Error) => {
        settle();
        reject(
          new KaelError('COMMAND_FAILED', `service worker could not be started: ${e.message}`, { cause: e }),
        );
      });
    });
    this.child.on('message', (m: FromWorker) => {
      if (m.type !== 'metrics') return;
      this.lastMetrics = m.services;
      const waiters = this.metricsWaiters;
      this.metricsWaiters = [];
      for (const w of waiters) w();
    });
    void this.exited.then(() => {
      const waiters = this.metricsWaiters;
      this.metricsWaiters = [];
      for (const w of waiters) w();
    });
    // The frame awaits `ready` (and reports its failure); marked handled so a worker that fails before
    // the frame waits is no unhandled rejection.
    void bestEffort(this.ready, log, `start service worker ${this.child.pid ?? '?'}`);
    if (this.child.connected) this.child.send(init);
  }

  /** True once {@link drain} was asked: its exit is expected. */
  get isDraining(): boolean {
    return this.draining;
  }

  /**
   * Asks the worker for its counters and resolves with them, or with the last ones it reported when
   * it does not answer within `timeoutMs` (busy, or gone).
   */
  async metrics(timeoutMs: number): Promise<Record<string, ServiceCounters>> {
    if (!this.child.connected) return this.lastMetrics;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.metricsWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.child.send({ type: 'metrics' } satisfies ToWorker);
    });
    return this.lastMetrics;
  }

  /** True while the worker consumes its queues. */
  get isConsuming(): boolean {
    return this.consumingNow;
  }

  /** Asks the worker to stop consuming and finish in-flight calls; kills it after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null || this.child.pid === undefined)
      return;
    if (this.child.connected) this.child.send({ type: 'drain' } satisfies ToWorker);
    else this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}
