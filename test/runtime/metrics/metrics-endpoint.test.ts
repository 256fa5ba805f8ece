import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RemoteError } from '@kael/runtime';
import { frameWithClient, TOOLS_SERVICE } from '../../support/frames.js';
import type { FrameAndClient } from '../../support/frames.js';
import { until } from '../../support/wait.js';

/** The value of one sample line (`name{labels} value`) of an exposition text, or undefined. */
function sample(text: string, line: string): number | undefined {
  for (const l of text.split('\n')) {
    if (l.startsWith(`${line} `)) return Number(l.slice(line.length + 1));
  }
  return undefined;
}

async function get(port: number, p: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${p}`);
  return { status: res.status, body: await res.text() };
}

describe('the metrics endpoint of a frame', () => {
  let t: FrameAndClient<Record<string, never>>;
  let port: number;

  before(async () => {
    t = await frameWithClient({ tools: TOOLS_SERVICE }, { metricsPort: 0, metricsHost: '127.0.0.1' });
    port = t.frame.metricsPort ?? -1;
  });
  after(async () => t.close());

  it('counts calls, errors by code and latencies exactly', async () => {
    for (let i = 0; i < 5; i++) assert.equal(await t.client.call('tools__add', [i, 1]), i + 1);
    for (let i = 0; i < 3; i++)
      await assert.rejects(t.client.call('tools__fail'), (e: RemoteError) => e.code === 'REMOTE_ERROR');
    await assert.rejects(
      t.client.call('tools__add', ['x', 1]),
      (e: RemoteError) => e.code === 'INVALID_ARGS',
    );
    const { status, body } = await get(port, '/metrics');
    assert.equal(status, 200);
    assert.equal(sample(body, 'kael_service_calls_total{service="tools__add"}'), 6);
    assert.equal(sample(body, 'kael_service_calls_total{service="tools__fail"}'), 3);
    assert.equal(sample(body, 'kael_service_errors_total{service="tools__fail",code="REMOTE_ERROR"}'), 3);
    assert.equal(sample(body, 'kael_service_errors_total{service="tools__add",code="INVALID_ARGS"}'), 1);
    assert.equal(sample(body, 'kael_service_inflight{service="tools__add"}'), 0);
    assert.equal(sample(body, 'kael_service_duration_seconds_count{service="tools__add"}'), 6);
    assert.equal(sample(body, 'kael_service_duration_seconds_bucket{service="tools__add",le="+Inf"}'), 6);
    // Adding two numbers takes well under a second: every call is in the 1 s bucket.
    assert.equal(sample(body, 'kael_service_duration_seconds_bucket{service="tools__add",le="1"}'), 6);
    assert.equal(sample(body, 'kael_frame_packages{kind="service",state="ok"}'), 1);
    assert.equal(sample(body, 'kael_frame_broker_connected'), 1);
    assert.equal(sample(body, 'kael_frame_worker_restarts_total'), 0);
    assert.ok((sample(body, 'process_cpu_user_seconds_total') ?? -1) >= 0);
  });

  it('counts calls that are running as in flight', async () => {
    const slow = t.client.call('tools__slow', [400]);
    let inflight: number | undefined;
    for (let i = 0; i < 50 && inflight !== 1; i++)
      inflight = sample((await get(port, '/metrics')).body, 'kael_service_inflight{service="tools__slow"}');
    assert.equal(inflight, 1);
    await slow;
    const body = (await get(port, '/metrics')).body;
    assert.equal(sample(body, 'kael_service_inflight{service="tools__slow"}'), 0);
    assert.equal(sample(body, 'kael_service_duration_seconds_bucket{service="tools__slow",le="0.25"}'), 0);
    assert.equal(sample(body, 'kael_service_duration_seconds_bucket{service="tools__slow",le="5"}'), 1);
  });

  it('keeps the counts of a worker that was replaced', async () => {
    const before = sample(
      (await get(port, '/metrics')).body,
      'kael_service_calls_total{service="tools__add"}',
    );
    await t.frame.reload('service');
    assert.equal(await t.client.call('tools__add', [1, 1]), 2);
    const body = (await get(port, '/metrics')).body;
    assert.equal(sample(body, 'kael_service_calls_total{service="tools__add"}'), (before ?? 0) + 1);
  });

  it('answers the same counts to the _get_metrics command', async () => {
    const all = await t.client.getAllMetrics();
    const snap = all[t.frame.id];
    assert.equal(snap?.namespace, t.namespace);
    assert.equal(snap?.services['tools__fail']?.errors['REMOTE_ERROR'], 3);
    assert.equal(snap?.services['tools__fail']?.calls, 3);
  });

  it('answers 404 on other paths', async () => {
    assert.equal((await get(port, '/other')).status, 404);
  });
});

describe('the health endpoint of a frame', () => {
  let t: FrameAndClient<Record<string, never>>;
  let port: number;
  const broken = "exports.ok = () => 1;\nthrow new Error('broken at load');\n";

  before(async () => {
    t = await frameWithClient(
      {
        tools: TOOLS_SERVICE,
        flaky: {
          'setting.yaml': 'type: service\nservice_base_name: flaky\nversion: 1.0\npublish: [ok]\n',
          'index.js': broken,
        },
      },
      { metricsPort: 0, metricsHost: '127.0.0.1' },
    );
    port = t.frame.metricsPort ?? -1;
  });
  after(async () => t.close());

  it('answers 503 with the reason while a package failed, and 200 once it loads', async () => {
    const failed = await get(port, '/healthz');
    assert.equal(failed.status, 503);
    const body = JSON.parse(failed.body) as { status: string; reasons: string[] };
    assert.equal(body.status, 'unavailable');
    assert.equal(body.reasons.length, 1);
    assert.match(body.reasons[0] ?? '', /^service flaky failed: /);
    const metrics = (await get(port, '/metrics')).body;
    assert.equal(sample(metrics, 'kael_frame_packages{kind="service",state="failed"}'), 1);

    const conf = t.frame.options.serviceGroupConf;
    await fs.writeFile(path.join(path.dirname(conf), 'flaky', 'index.js'), 'exports.ok = () => 1;\n');
    await t.frame.reload('service');
    const healthy = await get(port, '/healthz');
    assert.equal(healthy.status, 200);
    assert.deepEqual(JSON.parse(healthy.body), { status: 'ok' });

    await fs.writeFile(path.join(path.dirname(conf), 'flaky', 'index.js'), broken);
    await t.frame.reload('service');
    assert.equal((await get(port, '/healthz')).status, 503);
  });
});

describe('the frame counters of the metrics endpoint', () => {
  let t: FrameAndClient<Record<string, never>>;
  let port: number;
  const metrics = async (): Promise<string> => (await get(port, '/metrics')).body;

  before(async () => {
    t = await frameWithClient(
      {
        tools: TOOLS_SERVICE,
        beat: {
          'setting.yaml':
            "type: crontab\ncrontab_name: beat\nversion: 1.0\npublish:\n  - ['* * * * * *', 'echo ok']\n  - ['* * * * * *', 'exit 3']\n",
        },
      },
      { metricsPort: 0, metricsHost: '127.0.0.1' },
    );
    port = t.frame.metricsPort ?? -1;
  });
  after(async () => t.close());

  it('counts crontab runs, failures and the last duration', async () => {
    const text = await until('two runs of each entry', async () => {
      const m = await metrics();
      return (sample(m, 'kael_crontab_runs_total{crontab="beat"}') ?? 0) >= 4 ? m : undefined;
    });
    const runs = sample(text, 'kael_crontab_runs_total{crontab="beat"}') ?? 0;
    const failures = sample(text, 'kael_crontab_failures_total{crontab="beat"}') ?? -1;
    // Every tick runs both entries: one succeeds, one exits 3 (a run in flight may add one more of either).
    assert.ok(Math.abs(runs - 2 * failures) <= 1, `${runs} runs, ${failures} failures`);
    assert.ok((sample(text, 'kael_crontab_last_duration_seconds{crontab="beat"}') ?? -1) >= 0);
    assert.equal(sample(text, 'kael_crontab_missed_ticks_total{crontab="beat"}'), 0);
    assert.equal(sample(text, 'kael_frame_packages{kind="crontab",state="ok"}'), 1);
  });

  it('counts a worker that died and keeps the calls it had answered', async () => {
    for (let i = 0; i < 4; i++) await t.client.call('tools__add', [1, 2]);
    const pid = (await t.client.call('tools__pid')) as number;
    // Scraped once while the worker lives: these are the counts the frame keeps after the crash.
    assert.equal(sample(await metrics(), 'kael_service_calls_total{service="tools__add"}'), 4);
    process.kill(pid, 'SIGKILL');
    const text = await until('the replaced worker', async () => {
      const m = await metrics();
      return sample(m, 'kael_frame_worker_restarts_total') === 1 ? m : undefined;
    });
    assert.equal(sample(text, 'kael_service_calls_total{service="tools__add"}'), 4);
    // Probe with another service: a probe the client gave up on is still answered (and counted) later.
    await until('a new worker answering', async () =>
      t.client.call('tools__pid', [], { timeoutMs: 2000 }).then(
        (v) => v,
        // No worker answering yet (the killed one is being replaced): the next probe asks again.
        () => undefined,
      ),
    );
    assert.equal(await t.client.call('tools__add', [2, 2]), 4);
    assert.equal(sample(await metrics(), 'kael_service_calls_total{service="tools__add"}'), 5);
  });
});
