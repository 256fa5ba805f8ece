import { EventEmitter } from 'node:events';
import type { MetricsSnapshot } from '@kael/runtime/model/metrics-snapshot';
import { quantileMs, ratesBetween, sampleOf } from '@kael/runtime/metrics/service-rates';
import type { CounterSample, ServiceRate } from '@kael/runtime/metrics/service-rates';

/** Asks a namespace's frames for their counters (`_get_metrics`). */
export type MetricsFetcher = (namespace: string) => Promise<MetricsSnapshot[]>;

/** What a chart or a tree row measures: a namespace, optionally one service and/or one frame. */
export interface MetricsScope {
  namespace: string;
  service?: string;
  frame?: string;
}

/** One point of a chart: the rates between two consecutive samples. */
export interface SeriesPoint {
  /** Epoch ms of the later sample. */
  at: number;
  callsPerSecond: number;
  errorsPerSecond: number;
  /** null when there was no call between the samples. */
  p50Ms: number | null;
  p99Ms: number | null;
}

/** Options of {@link MetricsHistory}. */
export interface HistoryOptions {
  /** Time between two polls (never less than a second). @default 1000 */
  intervalMs?: number;
  /** How much history is kept for the charts. @default 900000 (15 minutes) */
  keepMs?: number;
  /** Called when a namespace cannot be polled (the tree shows the connection problem itself). */
  onError?: (namespace: string, error: Error) => void;
}

interface Sample {
  at: number;
  frames: MetricsSnapshot[];
}

/**
 * The recent counters of the shown namespaces, polled from the frames over the broker at most once a
 * second and only while someone looks (the tree is visible or a metrics panel is open): the tree's
 * last-minute rates and the panels' 15-minute charts come from here.
 *
 * Event: `updated` after every poll.
 */
export class MetricsHistory extends EventEmitter {
  private readonly samples = new Map<string, Sample[]>();
  private namespaces: string[] = [];
  private readonly watchers = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private disposed = false;
  private readonly intervalMs: number;
  private readonly keepMs: number;

  constructor(
    private readonly fetch: MetricsFetcher,
    private readonly options: HistoryOptions = {},
  ) {
    super();
    this.intervalMs = Math.max(1000, options.intervalMs ?? 1000);
    this.keepMs = options.keepMs ?? 15 * 60_000;
  }

  /** The namespaces to poll (history of the others is dropped). */
  setNamespaces(namespaces: readonly string[]): void {
    this.namespaces = [...namespaces];
    for (const ns of [...this.samples.keys()]) if (!namespaces.includes(ns)) this.samples.delete(ns);
  }

  /** Polls while at least one watcher (`tree`, a panel's id) is on. */
  watch(watcher: string, on: boolean): void {
    if (on) this.watchers.add(watcher);
    else this.watchers.delete(watcher);
    if (this.watchers.size > 0) this.schedule(0);
    else if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** True while polling. */
  get active(): boolean {
    return this.watchers.size > 0 && !this.disposed;
  }

  /** Polls every namespace once and keeps the samples. */
  async pollOnce(): Promise<void> {
    await Promise.all(
      this.namespaces.map(async (ns) => {
        try {
          const frames = await this.fetch(ns);
          this.add(ns, { at: Math.max(Date.now(), ...frames.map((f) => f.at)), frames });
        } catch (e) {
          this.options.onError?.(ns, e as Error);
        }
      }),
    );
    this.emit('updated');
  }

  /** Adds a sample (pollOnce does; tests add their own). */
  add(namespace: string, sample: Sample): void {
    const list = this.samples.get(namespace) ?? [];
    list.push(sample);
    const oldest = sample.at - this.keepMs;
    while (list.length > 0 && (list[0]?.at ?? 0) < oldest) list.shift();
    this.samples.set(namespace, list);
  }

  /**
   * Each service's rates over the last `windowMs` (from the oldest sample inside the window to the
   * newest), summed over the frames in `scope` (all frames when `scope.frame` is unset).
   */
  rates(scope: MetricsScope, windowMs = 60_000): ServiceRate[] {
    const list = this.samples.get(scope.namespace) ?? [];
    const newest = list[list.length - 1];
    if (newest === undefined) return [];
    const oldest = list.find((s) => s.at >= newest.at - windowMs);
    const rates = ratesBetween(
      oldest === undefined || oldest === newest ? undefined : this.counters(oldest, scope),
      this.counters(newest, scope),
    );
    return scope.service === undefined ? rates : rates.filter((r) => r.service === scope.service);
  }

  /** Chart points over the kept history: every service in scope summed. */
  series(scope: MetricsScope): SeriesPoint[] {
    const list = this.samples.get(scope.namespace) ?? [];
    const out: SeriesPoint[] = [];
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1] as Sample;
      const b = list[i] as Sample;
      const before = total(this.counters(a, scope));
      const after = total(this.counters(b, scope));
      const seconds = Math.max(0.001, (b.at - a.at) / 1000);
      // A frame that left makes totals go down: that interval is measured from zero.
      const base = before.calls > after.calls ? undefined : before;
      const calls = after.calls - (base?.calls ?? 0);
      const errors = after.errors - (base?.errors ?? 0);
      const buckets = after.buckets.map((n, j) => n - (base?.buckets[j] ?? 0));
      out.push({
        at: b.at,
        callsPerSecond: calls / seconds,
        errorsPerSecond: Math.max(0, errors) / seconds,
        p50Ms: quantileMs(buckets, 0.5) ?? null,
        p99Ms: quantileMs(buckets, 0.99) ?? null,
      });
    }
    return out;
  }

  /** Stops polling. */
  dispose(): void {
    this.disposed = true;
    this.watchers.clear();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.removeAllListeners();
  }

  private counters(sample: Sample, scope: MetricsScope): CounterSample {
    const frames =
      scope.frame === undefined ? sample.frames : sample.frames.filter((f) => f.frame === scope.frame);
    const summed = sampleOf(frames);
    if (scope.service === undefined) return { at: sample.at, services: summed.services };
    const only = summed.services[scope.service];
    return { at: sample.at, services: only === undefined ? {} : { [scope.service]: only } };
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined || this.polling || this.disposed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.active) return;
      this.polling = true;
      const started = Date.now();
      void this.pollOnce().finally(() => {
        this.polling = false;
        if (this.active) this.schedule(Math.max(0, this.intervalMs - (Date.now() - started)));
      });
    }, delayMs);
  }
}

/** Every service of a sample summed: calls, errors and buckets. */
function total(sample: CounterSample): { calls: number; errors: number; buckets: number[] } {
  let calls = 0;
  let errors = 0;
  let buckets: number[] = [];
  for (const c of Object.values(sample.services)) {
    calls += c.calls;
    for (const n of Object.values(c.errors)) errors += n;
    buckets = buckets.length === 0 ? [...c.buckets] : buckets.map((n, i) => n + (c.buckets[i] ?? 0));
  }
  return { calls, errors, buckets };
}
