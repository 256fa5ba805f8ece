import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Metric } from 'prom-client';
import { LATENCY_BUCKETS_S } from '../model/metrics-snapshot.js';
import type { MetricsSnapshot } from '../model/metrics-snapshot.js';
import type { PackageSnapshot } from '../model/frame-snapshot.js';
import { packageState } from '../model/frame-snapshot.js';

/** What one scrape exposes: the frame's counters, its packages and whether it is connected. */
export interface ScrapeState {
  metrics: MetricsSnapshot;
  packages: readonly PackageSnapshot[];
  connected: boolean;
}

/**
 * The frame's Prometheus registry: prom-client metrics whose values are set from one
 * {@link ScrapeState} per scrape (the counting itself happens in plain numbers, see ServiceStats),
 * plus prom-client's default Node process metrics of the frame process.
 */
export class PrometheusRegistry {
  readonly registry = new Registry();
  private state: ScrapeState | undefined;

  constructor() {
    const reg = [this.registry];
    const services = (): MetricsSnapshot['services'] => this.state?.metrics.services ?? {};
    const crontabs = (): MetricsSnapshot['crontabs'] => this.state?.metrics.crontabs ?? {};
    const calls: Counter<'service'> = new Counter({
      name: 'kael_service_calls_total',
      help: 'Calls answered by the published function (success or error).',
      labelNames: ['service'],
      registers: reg,
      collect: () => {
        calls.reset();
        for (const [service, c] of Object.entries(services())) calls.inc({ service }, c.calls);
      },
    });
    const errors: Counter<'service' | 'code'> = new Counter({
      name: 'kael_service_errors_total',
      help: 'Calls answered with an error, by error code.',
      labelNames: ['service', 'code'],
      registers: reg,
      collect: () => {
        errors.reset();
        for (const [service, c] of Object.entries(services()))
          for (const [code, n] of Object.entries(c.errors)) errors.inc({ service, code }, n);
      },
    });
    const inflight: Gauge<'service'> = new Gauge({
      name: 'kael_service_inflight',
      help: 'Calls of the published function running now.',
      labelNames: ['service'],
      registers: reg,
      collect: () => {
        inflight.reset();
        for (const [service, c] of Object.entries(services())) inflight.set({ service }, c.inflight);
      },
    });
    this.registry.registerMetric(latencyHistogram(services));
    const crontabCounter = (
      name: string,
      help: string,
      pick: (c: MetricsSnapshot['crontabs'][string]) => number,
    ): void => {
      const m: Counter<'crontab'> = new Counter({
        name,
        help,
        labelNames: ['crontab'],
        registers: reg,
        collect: () => {
          m.reset();
          for (const [crontab, c] of Object.entries(crontabs())) m.inc({ crontab }, pick(c));
        },
      });
    };
    crontabCounter('kael_crontab_runs_total', 'Crontab runs that ended on this frame.', (c) => c.runs);
    crontabCounter(
      'kael_crontab_failures_total',
      'Crontab runs that failed or timed out.',
      (c) => c.failures,
    );
    crontabCounter(
      'kael_crontab_missed_ticks_total',
      'Ticks missed during a failover and run late by this frame.',
      (c) => c.missedTicks,
    );
    crontabCounter(
      'kael_crontab_failovers_total',
      'Times this frame took the crontab over from a previous holder.',
      (c) => c.failovers,
    );
    const lastDuration: Gauge<'crontab'> = new Gauge({
      name: 'kael_crontab_last_duration_seconds',
      help: 'Duration of the latest crontab run that ended.',
      labelNames: ['crontab'],
      registers: reg,
      collect: () => {
        lastDuration.reset();
        for (const [crontab, c] of Object.entries(crontabs()))
          if (c.lastDurationSeconds !== undefined) lastDuration.set({ crontab }, c.lastDurationSeconds);
      },
    });
    const restarts: Counter = new Counter({
      name: 'kael_frame_worker_restarts_total',
      help: 'Service worker processes that died and were replaced.',
      registers: reg,
      collect: () => {
        restarts.reset();
        restarts.inc(this.state?.metrics.workerRestarts ?? 0);
      },
    });
    const reconnects: Counter = new Counter({
      name: 'kael_frame_broker_reconnects_total',
      help: 'Times the broker connection was lost and made again.',
      registers: reg,
      collect: () => {
        reconnects.reset();
        reconnects.inc(this.state?.metrics.brokerReconnects ?? 0);
      },
    });
    const connected: Gauge = new Gauge({
      name: 'kael_frame_broker_connected',
      help: '1 while the frame is connected to the broker, else 0.',
      registers: reg,
      collect: () => connected.set(this.state?.connected === true ? 1 : 0),
    });
    const packages: Gauge<'kind' | 'state'> = new Gauge({
      name: 'kael_frame_packages',
      help: 'Packages of the frame by kind and state (ok, failed, restarting).',
      labelNames: ['kind', 'state'],
      registers: reg,
      collect: () => {
        packages.reset();
        for (const kind of ['service', 'crontab'])
          for (const state of ['ok', 'failed', 'restarting']) packages.set({ kind, state }, 0);
        for (const p of this.state?.packages ?? []) packages.inc({ kind: p.kind, state: packageState(p) });
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** The exposition text for `state` (Prometheus text format 0.0.4). */
  async render(state: ScrapeState): Promise<string> {
    this.state = state;
    return this.registry.metrics();
  }

  /** The content type of {@link render}'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }
}

/**
 * `kael_service_duration_seconds` as a prom-client metric object. The buckets are counted in the
 * workers; prom-client's Histogram can only observe single values, so the registry gets an object
 * that hands it the summed buckets (prom-client still writes the exposition).
 */
function latencyHistogram(services: () => MetricsSnapshot['services']): Metric {
  const name = 'kael_service_duration_seconds';
  const help = 'Time the published function took, from the request read to the reply ready.';
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get: (): Promise<unknown> => {
      const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
      for (const [service, c] of Object.entries(services())) {
        let cumulative = 0;
        LATENCY_BUCKETS_S.forEach((le, i) => {
          cumulative += c.buckets[i] ?? 0;
          values.push({ metricName: `${name}_bucket`, labels: { service, le }, value: cumulative });
        });
        values.push({ metricName: `${name}_bucket`, labels: { service, le: '+Inf' }, value: c.calls });
        values.push({ metricName: `${name}_sum`, labels: { service }, value: c.sumSeconds });
        values.push({ metricName: `${name}_count`, labels: { service }, value: c.calls });
      }
      return Promise.resolve({ name, help, type: 'histogram', aggregator: 'sum', values });
    },
  };
  return metric as unknown as Metric;
}
