import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import amqp from 'amqplib';
import { connectClient, createLogger, KaelError } from '@kael/runtime';
import type { ServiceProxy } from '@kael/runtime';
import { makeFrameDir, startFrameProcess } from '@kael/runtime/bench/frame-process';
import type { FrameProcess } from '@kael/runtime/bench/frame-process';
import { randomNamespace } from '../../support/broker.js';
import { TEST_ADMIN_KEY, TOOLS_SERVICE } from '../../support/frames.js';
import { startPrivateBroker } from '../../support/private-broker.js';
import type { PrivateBroker } from '../../support/private-broker.js';

interface Tools {
  tools__add(a: number, b: number): Promise<number>;
}

interface Outcome {
  startedAt: number;
  endedAt: number;
  ok: boolean;
  /** The kael code of a failure; undefined for a non-kael error. */
  code: string | undefined;
}

const CALLS_PER_SECOND = 200;
const OUTAGE_MS = 10_000;

/** Epoch ms at which the broker at `url` first accepts an AMQP connection again. */
async function firstAccept(url: string, stop: () => boolean): Promise<number> {
  for (;;) {
    if (stop()) return Infinity;
    try {
      const conn = await amqp.connect(url);
      const at = Date.now();
      conn.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
      await conn.close();
      return at;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe('a client under load through a broker outage', () => {
  let broker: PrivateBroker;
  let frame: FrameProcess;
  let client: ServiceProxy<Tools>;
  const outcomes: Outcome[] = [];
  let stoppedAt = 0;
  let returnedAt = 0;
  let maxDelayMs = 0;
  let maxListeners = 0;
  let maxTimers = 0;
  let retried: Promise<unknown[]> | undefined;

  before(async () => {
    broker = await startPrivateBroker();
    const auri = broker.urls[0] ?? '';
    const ns = randomNamespace();
    frame = startFrameProcess(await makeFrameDir({ tools: TOOLS_SERVICE }), ns, auri, [], {
      KAEL_ADMIN_KEY: TEST_ADMIN_KEY,
    });
    await frame.ready;
    client = await connectClient<Tools>({ name: ns, auri, logger: createLogger('test', 'silent') });
    assert.equal(await client.tools__add(1, 2), 3);

    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const brokerConn = (client as unknown as { broker: NodeJS.EventEmitter }).broker;
    const sample = setInterval(() => {
      const listeners = brokerConn.eventNames().reduce((n, e) => n + brokerConn.listenerCount(e), 0);
      maxListeners = Math.max(maxListeners, listeners);
      const timers = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      maxTimers = Math.max(maxTimers, timers);
    }, 100);
    let i = 0;
    const calls: Promise<void>[] = [];
    const load = setInterval(() => {
      // Two calls per 10 ms tick: 200 calls/s.
      for (let k = 0; k < CALLS_PER_SECOND / 100; k++) {
        const n = i++;
        const startedAt = Date.now();
        calls.push(
          client.call('tools__add', [n, 1], { timeoutMs: 5000 }).then(
            (v) => {
              assert.equal(v, n + 1);
              outcomes.push({ startedAt, endedAt: Date.now(), ok: true, code: undefined });
            },
            (e: unknown) => {
              outcomes.push({
                startedAt,
                endedAt: Date.now(),
                ok: false,
                code: e instanceof KaelError ? e.code : undefined,
              });
            },
          ),
        );
      }
    }, 10);
    try {
      await new Promise((r) => setTimeout(r, 2000));
      stoppedAt = Date.now();
      await broker.stop();
      await new Promise((r) => setTimeout(r, OUTAGE_MS / 2));
      // Calls that asked to be retried wait out the rest of the outage and succeed.
      retried = Promise.all(
        Array.from({ length: 20 }, (_, n) =>
          client.call('tools__add', [n, 100], { timeoutMs: 30_000, retry: true }),
        ),
      );
      retried.catch(() => undefined); // expected in a test (cleanup or a provoked failure); the outcome is asserted elsewhere
      await new Promise((r) => setTimeout(r, Math.max(0, stoppedAt + OUTAGE_MS - Date.now())));
      let restarted = false;
      const accepted = firstAccept(auri, () => restarted);
      await broker.restart();
      restarted = true;
      returnedAt = Math.min(await accepted, Date.now());
      await new Promise((r) => setTimeout(r, 4000));
    } finally {
      clearInterval(load);
      clearInterval(sample);
      await Promise.all(calls);
      delay.disable();
      maxDelayMs = delay.max / 1e6;
    }
  });

  after(async () => {
    await client?.close();
    await frame?.stop();
    await broker?.down();
  });

  it('never freezes the event loop and keeps listeners and timers bounded', (t) => {
    t.diagnostic(
      `${outcomes.length} calls; max event-loop delay ${maxDelayMs.toFixed(0)} ms; max broker listeners ${maxListeners}; max timers ${maxTimers}`,
    );
    assert.ok(outcomes.length > 2000, `only ${outcomes.length} calls`);
    assert.ok(maxDelayMs < 500, `the event loop stalled for ${maxDelayMs} ms`);
    assert.ok(maxListeners < 50, `${maxListeners} listeners on the broker connection`);
    assert.ok(maxTimers < 50, `${maxTimers} timers`);
  });

  it('fails every failed call with a kael code', (t) => {
    const codes: Record<string, number> = {};
    for (const o of outcomes) if (!o.ok) codes[o.code ?? 'none'] = (codes[o.code ?? 'none'] ?? 0) + 1;
    t.diagnostic(`failed by code: ${JSON.stringify(codes)}`);
    assert.equal(codes['none'], undefined, 'a failure without a kael code');
    for (const code of Object.keys(codes))
      assert.ok(['CONNECTION_LOST', 'SERVICE_NOT_FOUND', 'RPC_TIMEOUT'].includes(code), code);
  });

  it('fails calls fast while the broker is down (no call waits out its timeout)', () => {
    const during = outcomes.filter(
      (o) => !o.ok && o.startedAt > stoppedAt + 1000 && o.startedAt < returnedAt,
    );
    assert.ok(during.length > 100);
    const slowest = Math.max(...during.map((o) => o.endedAt - o.startedAt));
    assert.ok(slowest < 1000, `a call took ${slowest} ms to fail`);
  });

  it('sends calls made with retry: true once the broker is back', async () => {
    assert.deepEqual(
      await retried,
      Array.from({ length: 20 }, (_, n) => n + 100),
    );
  });

  it('serves new calls within 1 s of the broker return', (t) => {
    const firstOk = Math.min(
      ...outcomes.filter((o) => o.ok && o.startedAt >= returnedAt).map((o) => o.endedAt),
    );
    t.diagnostic(`first successful call ${firstOk - returnedAt} ms after the broker took connections again`);
    assert.ok(firstOk - returnedAt <= 1000, `${firstOk - returnedAt} ms`);
    const late = outcomes.filter((o) => !o.ok && o.startedAt >= firstOk);
    assert.deepEqual(late, [], 'calls failed after the client served again');
  });
});
