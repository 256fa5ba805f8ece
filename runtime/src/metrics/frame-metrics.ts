import type { BrokerConnection } from '../broker/connection.js';
import type {
  CrontabCounters,
  MetricsSink,
  MetricsSnapshot,
  ServiceCounters,
} from '../model/metrics-snapshot.js';

/**
 * A frame's own counters (crontabs, worker restarts, broker reconnects) and the way to its services'
 * counters, which live in the worker processes. One {@link snapshot} feeds both the Prometheus
 * endpoint and the `_get_metrics` command.
 */
export class FrameMetrics implements MetricsSink {
  private readonly crontabs = new Map<string, CrontabCounters>();
  private workerRestarts = 0;
  private brokerReconnects = 0;
  private connects = 0;
  private watched: BrokerConnection | undefined;
  private readonly onReady = (): void => {
    // The first connection is not a reconnect.
    if (this.connects++ > 0) this.brokerReconnects++;
  };

  constructor(
    private readonly identity: () => { frame: string; namespace: string },
    private readonly services: () => Promise<Record<string, ServiceCounters>>,
  ) {}

  /** Counts the reconnects of `broker` (call once it made its first connection). */
  watch(broker: BrokerConnection): void {
    this.unwatch();
    this.watched = broker;
    this.connects = broker.isReady ? 1 : 0;
    broker.on('ready', this.onReady);
  }

  /** Stops counting reconnects. */
  unwatch(): void {
    this.watched?.off('ready', this.onReady);
    this.watched = undefined;
  }

  crontabRun(crontab: string, run: { status: string; durationMs?: number; missed?: boolean }): void {
    if (run.status === 'skipped' || run.status === 'running') return;
    const c = this.crontab(crontab);
    c.runs++;
    if (run.status !== 'ok') c.failures++;
    if (run.durationMs !== undefined) c.lastDurationSeconds = run.durationMs / 1000;
    if (run.missed === true) c.missedTicks++;
  }

  crontabActive(crontab: string, failover: boolean): void {
    const c = this.crontab(crontab);
    if (failover) c.failovers++;
  }

  workerRestarted(): void {
    this.workerRestarts++;
  }

  /**
   * Every counter of the frame now (the workers are asked over IPC).
   * @example
   * const snap = await metrics.snapshot();
   * snap.services['calculate__add']?.calls; // 42
   */
  async snapshot(): Promise<MetricsSnapshot> {
    const crontabs: MetricsSnapshot['crontabs'] = {};
    for (const [name, c] of this.crontabs) crontabs[name] = { ...c };
    return {
      ...this.identity(),
      at: Date.now(),
      services: await this.services(),
      crontabs,
      workerRestarts: this.workerRestarts,
      brokerReconnects: this.brokerReconnects,
    };
  }

  private crontab(name: string): CrontabCounters {
    let c = this.crontabs.get(name);
    if (c === undefined) {
      c = { runs: 0, failures: 0, missedTicks: 0, failovers: 0 };
      this.crontabs.set(name, c);
    }
    return c;
  }
}
