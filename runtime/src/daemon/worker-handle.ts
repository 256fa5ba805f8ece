import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { KaelError } from '../errors.js';
import { packageEnv } from '../security/package-env.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';
import type { ServiceCounters } from '../model/metrics-snapshot.js';

/** What a worker reported after loading its packages. */
export type LoadResults = Extract<FromWorker, { type: 'loaded' }>['results'];

/** One service worker process seen from the frame. */
export class WorkerHandle {
  readonly child: ChildProcess;
  /** Resolves with the load results once the worker consumes; rejects if it dies first. */
  readonly ready: Promise<LoadResults>;
  /** Resolves with the exit code (or signal) when the process is gone. */
  readonly exited: Promise<number | string>;
  private draining = false;
  /** The counters the worker last reported (kept after it exits, so its calls stay counted). */
  lastMetrics: Record<string, ServiceCounters> = {};
  private metricsWaiters: (() => void)[] = [];

  constructor(init: Extract<ToWorker, { type: 'init' }>) {
    // KAEL_WORKER_NODE_ARGS passes node flags to workers only (e.g. --max-old-space-size=4096, --cpu-prof).
    const execArgv = (process.env['KAEL_WORKER_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
    this.child = fork(path.join(__dirname, 'service-worker.js'), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // Package code runs here: no admin key, no broker URL (the worker gets its URL over IPC).
      env: packageEnv(),
      execArgv,
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve(code ?? signal ?? 0)),
    );
    this.ready = new Promise<LoadResults>((resolve, reject) => {
      let results: LoadResults = [];
      this.child.on('message', (m: FromWorker) => {
        if (m.type === 'loaded') results = m.results;
        else if (m.type === 'consuming') resolve(results);
      });
      this.child.once('exit', (code, signal) =>
        reject(
          new KaelError(
            'COMMAND_FAILED',
            `service worker ${this.child.pid ?? '?'} exited (${code ?? signal}) before it was ready`,
          ),
        ),
      );
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
    this.ready.catch(() => undefined);
    this.child.on('error', () => undefined);
    this.child.send(init);
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

  /** Asks the worker to stop consuming and finish in-flight calls; kills it after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.child.send({ type: 'drain' } satisfies ToWorker);
    else this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}
