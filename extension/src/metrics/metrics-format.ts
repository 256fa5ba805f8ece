import type { ServiceRate } from '@kael/runtime/metrics/service-rates';

/** A latency in ms for a tree row: two decimals below 10 ms. */
function formatLatency(ms: number | undefined): string {
  if (ms === undefined) return '–';
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(0)} ms`;
}

/** A rate for a tree row: one decimal below 100 per second. */
function formatRate(perSecond: number): string {
  return perSecond < 100 ? `${perSecond.toFixed(1)}/s` : `${Math.round(perSecond)}/s`;
}

/**
 * The live part of a service row's description: calls/s, p50 latency and error rate over the last
 * minute (`idle` when nothing was called).
 */
export function describeRate(rate: ServiceRate | undefined): string | undefined {
  if (rate === undefined) return undefined;
  if (rate.callsPerSecond === 0 && rate.inflight === 0) return 'idle';
  return `${formatRate(rate.callsPerSecond)} · p50 ${formatLatency(rate.p50Ms)} · ${(rate.errorRate * 100).toFixed(1)}% err`;
}
