import type { FrameComponent, FrameRuntime } from '../model/frame-runtime.js';
import { isServiceRecord } from '../model/package-record.js';
import type { ServiceRecord } from '../model/package-record.js';
import { PackageLoadFailure, WorkerHandle } from './worker-handle.js';
import type { LoadResults } from './worker-handle.js';
import type { ToWorker } from './worker-protocol.js';
import { addServiceCounters, emptyServiceCounters } from '../model/metrics-snapshot.js';
import type { ServiceCounters } from '../model/metrics-snapshot.js';

/** How long a scrape waits for a busy worker's counters before using the last ones it sent. */
const METRICS_WAIT_MS = 1000;

/**
 * Runs the frame's service packages in worker processes (`processes` of them) that all consume the
 * services' queues. A restart starts a new generation on fresh code, waits until it consumes, then
 * drains the old one, so no call fails. A worker that dies unexpectedly is replaced.
 */
export class ServiceHost implements FrameComponent {
  private workers: WorkerHandle[] = [];
  private init: Extract<ToWorker, { type: 'init' }> | undefined;
  private stopping = false;
  /** The first replacement starts at once (a poison call must not leave the frame short of workers); a crash loop backs off. */
  private respawnDelayMs = 0;
  /** Counters of workers that exited: kept, so totals never go down when a worker is replaced. */
  private readonly retired: Record<string, ServiceCounters> = {};
  /** Every worker process not yet exited, draining ones included (their calls count until they exit). */
  private readonly running = new Set<WorkerHandle>();

  constructor(private readonly frame: FrameRuntime) {}

  async start(): Promise<void> {
    await this.restart(this.frame.records().filter(isServiceRecord));
  }

  /**
   * Resolves once the first worker of the current generation has imported its JavaScript and
   * TypeScript packages (or is gone), at once when there is none.
   */
  imported(): Promise<void> {
    return this.workers[0]?.imported ?? Promise.resolve();
  }

  /**
   * Starts workers on `records`, then drains the previous workers. A package whose loading ends
   * the worker process or outlasts the load time limit is marked failed, and the workers are started
   * again without it, so one bad package never keeps the others from serving.
   */
  async restart(records: readonly ServiceRecord[]): Promise<void> {
    const old = this.workers;
    let candidates = [...records];
    for (;;) {
      this.init = {
        type: 'init',
        auri: this.frame.options.auri,
        namespace: this.frame.namespace,
        frameId: this.frame.id,
        concurrency: this.frame.options.concurrency,
        packages: candidates.map((r) => ({ dir: r.dir, setting: r.setting })),
        limits: this.frame.options.limits,
        maxWorkerDeaths: this.frame.options.maxWorkerDeaths,
        loadTimeoutMs: this.frame.options.packageLoadTimeoutMs,
        debugErrors: this.frame.options.debugErrors,
      };
      const fresh =
        candidates.length === 0
          ? []
          : Array.from({ length: this.frame.options.processes }, () => this.spawn());
      this.workers = fresh;
      let results: LoadResults[];
      try {
        results = await Promise.all(fresh.map((w) => w.ready));
      } catch (e) {
        await Promise.all(fresh.map((w) => w.drain(0)));
        const failure = e instanceof PackageLoadFailure ? e : undefined;
        const blamed = candidates.find((r) => r.dir === failure?.dir);
        if (failure !== undefined && blamed !== undefined) {
          const { stack: _stack, ...error } = failure.toData();
          blamed.error = error;
          this.frame.logger.error(`package ${blamed.raw}: ${failure.message}`, { code: failure.code });
          this.frame.changed();
          candidates = candidates.filter((r) => r !== blamed);
          continue;
        }
        // The new generation did not come up: keep serving with the old one.
        this.workers = old;
        throw e;
      }
      if (results[0] !== undefined) this.applyLoadResults(candidates, results[0]);
      break;
    }
    await Promise.all(old.map((w) => w.drain(this.frame.options.drainTimeoutMs)));
  }

  /**
   * True while at least one worker consumes the service queues (false also with no worker at all):
   * a frame does not advertise services nobody consumes.
   */
  isConsuming(): boolean {
    return this.workers.some((w) => w.isConsuming);
  }

  /** Pids of the current workers (tests and status). */
  pids(): number[] {
    return this.workers.map((w) => w.child.pid ?? -1);
  }

  /**
   * The call counters of every worker this host ran, summed by service: the live workers are asked
   * now (IPC), the ones that exited contribute what they last reported.
   */
  async serviceCounters(): Promise<Record<string, ServiceCounters>> {
    const live = await Promise.all([...this.running].map((w) => w.metrics(METRICS_WAIT_MS)));
    const out: Record<string, ServiceCounters> = {};
    for (const part of [this.retired, ...live]) {
      for (const [name, c] of Object.entries(part))
        addServiceCounters((out[name] ??= emptyServiceCounters()), c);
    }
    return out;
  }

  /** Drains every worker (bounded by the frame's drain timeout). */
  async stop(): Promise<void> {
    this.stopping = true;
    const all = this.workers;
    this.workers = [];
    await Promise.all(all.map((w) => w.drain(this.frame.options.drainTimeoutMs)));
  }

  private spawn(): WorkerHandle {
    const init = this.init;
    if (init === undefined) throw new Error('ServiceHost.spawn before restart');
    const worker = new WorkerHandle(init);
    // Consumers lost and regained change what the frame advertises.
    worker.on('paused', (reason: string) => {
      this.frame.logger.warn('service worker paused', { pid: worker.child.pid, reason });
      this.frame.changed();
    });
    worker.on('consuming', () => this.frame.changed());
    this.running.add(worker);
    void worker.exited.then((code) => {
      this.running.delete(worker);
      this.retire(worker);
      this.onExit(worker, code);
    });
    void worker.ready.then(
      () => {
        this.respawnDelayMs = 0;
      },
      // A worker that never gets ready is reported by its exit (above) and by whoever awaits `ready`.
      (e: unknown) =>
        this.frame.logger.debug('service worker not ready', {
          pid: worker.child.pid,
          error: e instanceof Error ? e.message : String(e),
        }),
    );
    return worker;
  }

  /** Adds an exited worker's last counters to the retired totals (nothing is in flight any more). */
  private retire(worker: WorkerHandle): void {
    for (const [name, c] of Object.entries(worker.lastMetrics))
      addServiceCounters((this.retired[name] ??= emptyServiceCounters()), { ...c, inflight: 0 });
    worker.lastMetrics = {};
  }

  private onExit(worker: WorkerHandle, code: number | string): void {
    const slot = this.workers.indexOf(worker);
    if (this.stopping || worker.isDraining || slot < 0) return;
    this.frame.metrics?.workerRestarted();
    this.frame.logger.error('service worker died; restarting it', {
      pid: worker.child.pid,
      exit: code,
      in_ms: this.respawnDelayMs,
    });
    setTimeout(() => {
      if (this.stopping || this.workers[slot] !== worker) return;
      this.workers[slot] = this.spawn();
    }, this.respawnDelayMs).unref();
    this.respawnDelayMs = Math.min(5000, Math.max(100, this.respawnDelayMs * 2));
  }

  private applyLoadResults(records: readonly ServiceRecord[], results: LoadResults): void {
    let changed = false;
    for (const r of results) {
      if (r.error === undefined) continue;
      const record = records.find((x) => x.dir === r.dir);
      if (record === undefined) continue;
      record.error = r.error;
      changed = true;
      this.frame.logger.error(`package ${record.raw}: ${r.error.message}`, { code: r.error.code });
    }
    if (changed) this.frame.changed();
  }
}
