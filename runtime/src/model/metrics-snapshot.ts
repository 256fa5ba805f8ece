/**
 * Upper bounds (seconds) of the call latency histogram's buckets. Shared by the workers that count,
 * the frame that exposes the counts and the tools that read percentiles from them.
 */
export const LATENCY_BUCKETS_S: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Counts of one published function since the frame started (all its worker processes together). */
export interface ServiceCounters {
  /** Calls answered (success or error). */
  calls: number;
  /** Calls answered with an error, by the error's code. */
  errors: Record<string, number>;
  /** Calls running now. */
  inflight: number;
  /**
   * Calls per latency bucket, not cumulative: `buckets[i]` counts calls that took at most
   * `LATENCY_BUCKETS_S[i]` and more than the bound before it; the last entry counts the slower ones.
   */
  buckets: number[];
  /** Sum of the latencies, seconds. */
  sumSeconds: number;
}

/** Counts of one crontab on one frame since the frame started. */
export interface CrontabCounters {
  /** Runs that ended (any status but `skipped`). */
  runs: number;
  /** Runs that failed or timed out. */
  failures: number;
  /** Duration of the latest run that ended, seconds. */
  lastDurationSeconds?: number;
  /** Ticks missed during a failover and run late by this frame. */
  missedTicks: number;
  /** Times this frame took the crontab over from a previous holder. */
  failovers: number;
}

/** What `_get_metrics` answers: one frame's counters now. */
export interface MetricsSnapshot {
  frame: string;
  namespace: string;
  /** When the snapshot was taken, epoch ms (rates come from two snapshots). */
  at: number;
  /** By microservice name (`<service_base_name>__<function>`). */
  services: Record<string, ServiceCounters>;
  /** By crontab name. */
  crontabs: Record<string, CrontabCounters>;
  /** Service worker processes that died and were replaced. */
  workerRestarts: number;
  /** Times the frame's broker connection was lost and made again. */
  brokerReconnects: number;
}

/** Where a frame's parts report what they count (the frame's metrics registry implements it). */
export interface MetricsSink {
  /** A crontab run ended (or was skipped). */
  crontabRun(crontab: string, run: { status: string; durationMs?: number; missed?: boolean }): void;
  /** This frame became the crontab's holder; `failover` when another frame held it before. */
  crontabActive(crontab: string, failover: boolean): void;
  /** A service worker process died unexpectedly and is being replaced. */
  workerRestarted(): void;
}

/** An empty {@link ServiceCounters}. */
export function emptyServiceCounters(): ServiceCounters {
  return {
    calls: 0,
    errors: {},
    inflight: 0,
    buckets: new Array<number>(LATENCY_BUCKETS_S.length + 1).fill(0),
    sumSeconds: 0,
  };
}

/** Adds `b` into `a` (both taken from the same bucket bounds). */
export function addServiceCounters(a: ServiceCounters, b: ServiceCounters): void {
  a.calls += b.calls;
  a.inflight += b.inflight;
  a.sumSeconds += b.sumSeconds;
  for (const [code, n] of Object.entries(b.errors)) a.errors[code] = (a.errors[code] ?? 0) + n;
  for (let i = 0; i < a.buckets.length; i++) a.buckets[i] = (a.buckets[i] ?? 0) + (b.buckets[i] ?? 0);
}
