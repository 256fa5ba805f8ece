import { addServiceCounters, emptyServiceCounters, LATENCY_BUCKETS_S } from '../model/metrics-snapshot.js';
import type { MetricsSnapshot, ServiceCounters } from '../model/metrics-snapshot.js';

/** A service's activity between two moments (what `kael top` and the editor show). */
export interface ServiceRate {
  service: string;
  callsPerSecond: number;
  /** Share of the calls that failed (0..1; 0 without calls). */
  errorRate: number;
  errorsPerSecond: number;
  /** Latency percentiles estimated from the histogram buckets, ms (undefined without calls). */
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  inflight: number;
}

/** Counters summed over frames at one moment. */
export interface CounterSample {
  /** Epoch ms. */
  at: number;
  services: Record<string, ServiceCounters>;
}

/** The frames' snapshots as one sample: each service summed over the frames that serve it. */
export function sampleOf(snapshots: readonly MetricsSnapshot[]): CounterSample {
  const services: Record<string, ServiceCounters> = {};
  let at = 0;
  for (const s of snapshots) {
    at = Math.max(at, s.at);
    for (const [name, c] of Object.entries(s.services))
      addServiceCounters((services[name] ??= emptyServiceCounters()), c);
  }
  return { at, services };
}

/**
 * The latency below which a share `q` (0..1) of the counted calls fell, ms, interpolated inside its
 * bucket (as Prometheus' histogram_quantile does); undefined when nothing was counted.
 */
export function quantileMs(buckets: readonly number[], q: number): number | undefined {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    const n = buckets[i] ?? 0;
    if (seen + n >= rank && n > 0) {
      const lower = i === 0 ? 0 : (LATENCY_BUCKETS_S[i - 1] ?? 0);
      // Beyond the last bound there is no upper edge: report the last bound.
      const upper = LATENCY_BUCKETS_S[i];
      if (upper === undefined) return lower * 1000;
      return (lower + (upper - lower) * ((rank - seen) / n)) * 1000;
    }
    seen += n;
  }
  return undefined;
}

/**
 * Each service's rates between `older` and `newer` (same services summed the same way). A service
 * whose counters went down (a frame left) is measured from zero.
 */
export function ratesBetween(older: CounterSample | undefined, newer: CounterSample): ServiceRate[] {
  const seconds = older === undefined ? 0 : Math.max(0.001, (newer.at - older.at) / 1000);
  return Object.entries(newer.services)
    .map(([service, now]) => {
      const before = older?.services[service];
      const base = before === undefined || before.calls > now.calls ? emptyServiceCounters() : before;
      const calls = now.calls - base.calls;
      const errors = errorTotal(now) - errorTotal(base);
      const buckets = now.buckets.map((n, i) => n - (base.buckets[i] ?? 0));
      return {
        service,
        callsPerSecond: seconds === 0 ? 0 : calls / seconds,
        errorsPerSecond: seconds === 0 ? 0 : errors / seconds,
        errorRate: calls === 0 ? 0 : errors / calls,
        p50Ms: quantileMs(buckets, 0.5),
        p99Ms: quantileMs(buckets, 0.99),
        inflight: now.inflight,
      };
    })
    .sort((a, b) => a.service.localeCompare(b.service));
}

function errorTotal(c: ServiceCounters): number {
  let n = 0;
  for (const v of Object.values(c.errors)) n += v;
  return n;
}
