import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServiceStats } from '@kael/runtime/metrics/service-stats';
import { LATENCY_BUCKETS_S } from '@kael/runtime';

describe('the call counters of a worker', () => {
  it('counts calls, errors by code, in-flight calls and latency buckets', () => {
    const stats = new ServiceStats();
    const a = stats.begin('calc__add');
    const b = stats.begin('calc__add');
    assert.equal(stats.snapshot()['calc__add']?.inflight, 2);
    stats.end(a, performance.now(), undefined);
    stats.end(b, performance.now(), 'REMOTE_ERROR');
    // Started 20 ms ago: lands in the 25 ms bucket or, on a busy machine, a later one.
    stats.end(stats.begin('calc__add'), performance.now() - 20, 'REMOTE_ERROR');
    const c = stats.snapshot()['calc__add'];
    assert.equal(c?.calls, 3);
    assert.equal(c?.inflight, 0);
    assert.deepEqual(c?.errors, { REMOTE_ERROR: 2 });
    assert.equal(c?.buckets.length, LATENCY_BUCKETS_S.length + 1);
    const from25 = LATENCY_BUCKETS_S.indexOf(0.025);
    assert.equal(
      c?.buckets.slice(from25).reduce((x, y) => x + y, 0),
      1,
    );
    assert.equal(c?.buckets[from25 - 1], 0);
    assert.equal(
      c?.buckets.reduce((x, y) => x + y, 0),
      3,
    );
    assert.ok((c?.sumSeconds ?? 0) >= 0.02);
  });

  it('puts calls slower than the last bound in the overflow bucket', () => {
    const stats = new ServiceStats();
    stats.end(stats.begin('s'), performance.now() - 11_000, undefined);
    assert.equal(stats.snapshot()['s']?.buckets[LATENCY_BUCKETS_S.length], 1);
  });

  it('hands out copies that later calls do not change', () => {
    const stats = new ServiceStats();
    stats.end(stats.begin('s'), performance.now(), 'X');
    const snap = stats.snapshot();
    stats.end(stats.begin('s'), performance.now(), 'X');
    assert.equal(snap['s']?.calls, 1);
    assert.equal(snap['s']?.errors['X'], 1);
  });
});
