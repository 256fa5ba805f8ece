import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LATENCY_BUCKETS_S, quantileMs, ratesBetween, sampleOf } from '@kael/runtime';
import type { MetricsSnapshot, ServiceCounters } from '@kael/runtime';

function counters(calls: number, errors: number, bucketIndex: number): ServiceCounters {
  const buckets = new Array<number>(LATENCY_BUCKETS_S.length + 1).fill(0);
  buckets[bucketIndex] = calls;
  return { calls, errors: errors === 0 ? {} : { REMOTE_ERROR: errors }, inflight: 0, buckets, sumSeconds: 0 };
}

function snap(frame: string, at: number, services: Record<string, ServiceCounters>): MetricsSnapshot {
  return { frame, namespace: 'ns', at, services, crontabs: {}, workerRestarts: 0, brokerReconnects: 0 };
}

describe('rates and percentiles from counter snapshots', () => {
  it('interpolates a percentile inside its bucket', () => {
    const buckets = new Array<number>(LATENCY_BUCKETS_S.length + 1).fill(0);
    buckets[1] = 100; // 0.5 ms .. 1 ms
    assert.equal(quantileMs(buckets, 0.5), 0.75);
    assert.equal(quantileMs(buckets, 1), 1);
  });

  it('has no percentile without calls, and the last bound for calls past it', () => {
    const buckets = new Array<number>(LATENCY_BUCKETS_S.length + 1).fill(0);
    assert.equal(quantileMs(buckets, 0.5), undefined);
    buckets[LATENCY_BUCKETS_S.length] = 1;
    assert.equal(quantileMs(buckets, 0.99), 10_000);
  });

  it('sums frames and measures calls per second, error rate and p50 between two samples', () => {
    const older = sampleOf([
      snap('a', 1000, { s: counters(10, 0, 2) }),
      snap('b', 1000, { s: counters(10, 0, 2) }),
    ]);
    const newer = sampleOf([
      snap('a', 3000, { s: counters(110, 10, 2) }),
      snap('b', 3000, { s: counters(110, 10, 2) }),
    ]);
    const [rate] = ratesBetween(older, newer);
    assert.equal(rate?.service, 's');
    assert.equal(rate?.callsPerSecond, 100);
    assert.equal(rate?.errorsPerSecond, 10);
    assert.equal(rate?.errorRate, 0.1);
    assert.equal(rate?.p50Ms, 1.75);
  });

  it('measures a service whose counters went down (a frame left) from zero', () => {
    const older = sampleOf([snap('a', 0, { s: counters(50, 0, 0) })]);
    const newer = sampleOf([snap('b', 1000, { s: counters(5, 0, 0) })]);
    assert.equal(ratesBetween(older, newer)[0]?.callsPerSecond, 5);
  });
});
