import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LATENCY_BUCKETS_S } from '@kael/runtime';
import type { MetricsSnapshot, ServiceCounters } from '@kael/runtime';
import { MetricsHistory } from 'kael-vscode/dist/metrics/metrics-history';
import { describeRate } from 'kael-vscode/dist/metrics/metrics-format';
import { fetchMetrics, liveDescription, scopeOf } from 'kael-vscode/dist/metrics/metrics-wiring';
import type { TreeNode } from 'kael-vscode/dist/tree/tree-model';

/** Counters with `calls` calls all in bucket `bucket` and `errors` of them failed. */
function counters(calls: number, errors = 0, bucket = 2): ServiceCounters {
  const buckets = new Array<number>(LATENCY_BUCKETS_S.length + 1).fill(0);
  buckets[bucket] = calls;
  return { calls, errors: errors === 0 ? {} : { REMOTE_ERROR: errors }, inflight: 0, buckets, sumSeconds: 0 };
}

function frame(id: string, at: number, services: Record<string, ServiceCounters>): MetricsSnapshot {
  return { frame: id, namespace: 'ns', at, services, crontabs: {}, workerRestarts: 0, brokerReconnects: 0 };
}

describe('the metrics history of the editor', () => {
  it('measures the last minute of a service across frames, and on one frame', () => {
    const h = new MetricsHistory(() => Promise.resolve([]));
    h.add('ns', {
      at: 0,
      frames: [frame('a', 0, { s__f: counters(0) }), frame('b', 0, { s__f: counters(0) })],
    });
    h.add('ns', {
      at: 30_000,
      frames: [frame('a', 30_000, { s__f: counters(300, 30) }), frame('b', 30_000, { s__f: counters(300) })],
    });
    h.add('ns', {
      at: 90_000,
      frames: [frame('a', 90_000, { s__f: counters(900, 90) }), frame('b', 90_000, { s__f: counters(900) })],
    });
    // The window reaches back to the sample at 30 s: 1200 calls in 60 s.
    const [all] = h.rates({ namespace: 'ns', service: 's__f' });
    assert.equal(all?.callsPerSecond, 20);
    assert.equal(all?.errorRate, 0.05);
    const [onA] = h.rates({ namespace: 'ns', service: 's__f', frame: 'a' });
    assert.equal(onA?.callsPerSecond, 10);
    assert.equal(onA?.errorRate, 0.1);
    assert.equal(describeRate(all), '20.0/s · p50 1.75 ms · 5.0% err');
  });

  it('draws one chart point per poll and forgets what is older than it keeps', () => {
    const h = new MetricsHistory(() => Promise.resolve([]), { keepMs: 10_000 });
    for (let t = 0; t <= 20_000; t += 1000)
      h.add('ns', { at: t, frames: [frame('a', t, { s__f: counters(t / 100, t / 1000) })] });
    const points = h.series({ namespace: 'ns' });
    assert.equal(points.length, 10);
    const last = points[points.length - 1];
    assert.deepEqual(
      { ...last, p99Ms: Number(last?.p99Ms?.toFixed(3)) },
      {
        at: 20_000,
        callsPerSecond: 10,
        errorsPerSecond: 1,
        p50Ms: 1.75,
        p99Ms: 2.485,
      },
    );
  });

  it('polls only while someone watches, at most once a second', async () => {
    let polls = 0;
    const h = new MetricsHistory(
      () => {
        polls++;
        return Promise.resolve([frame('a', Date.now(), { s__f: counters(1) })]);
      },
      { intervalMs: 10 },
    );
    h.setNamespaces(['ns']);
    assert.equal(h.active, false);
    const updated = new Promise((r) => h.once('updated', r));
    h.watch('tree', true);
    await updated;
    h.watch('tree', false);
    assert.equal(polls, 1);
    assert.equal(h.active, false);
    h.dispose();
  });

  it('reads the counters of the frames that answered _get_metrics', async () => {
    const snap = frame('a', 1, { s__f: counters(1) });
    const got = await fetchMetrics({
      commandAll: () =>
        Promise.resolve({
          a: { ok: true, value: snap },
          old: { ok: false, error: { code: 'COMMAND_UNKNOWN', name: 'KaelError', message: 'no' } },
        }),
    });
    assert.deepEqual(got, [snap]);
  });

  it('adds live numbers to service rows only', () => {
    const h = new MetricsHistory(() => Promise.resolve([]));
    h.add('ns', { at: 0, frames: [frame('a', 0, { s__f: counters(0) })] });
    h.add('ns', { at: 1000, frames: [frame('a', 1000, { s__f: counters(0) })] });
    const service: TreeNode = {
      id: 'x',
      label: 's__f',
      icon: 'symbol-method',
      context: 'service;pinnable',
      data: { namespace: 'ns', frameId: 'a', service: 's__f' },
      children: [],
    };
    assert.equal(liveDescription(h, service), 'idle');
    assert.equal(liveDescription(h, { ...service, context: 'frame' }), undefined);
    assert.deepEqual(scopeOf(service.data), { namespace: 'ns', service: 's__f', frame: 'a' });
  });
});
