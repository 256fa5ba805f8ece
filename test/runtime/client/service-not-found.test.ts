import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import amqp from 'amqplib';
import { KaelError, names } from '@kael/runtime';
import { AURI, deleteNamespace, randomNamespace } from '../../support/broker.js';
import {
  makeFrameDir,
  startFrameProcess,
  startTestFrame,
  testClient,
  TOOLS_SERVICE,
} from '../../support/frames.js';

interface Tools {
  tools__add(a: number, b: number): Promise<number>;
  tools__slow(ms: number): Promise<number>;
}

/** The consumer count of a queue, and how long the broker took to say it (one round trip). */
async function consumersOf(queue: string): Promise<{ consumers: number; rttMs: number }> {
  const conn = await amqp.connect(AURI, { noDelay: true });
  conn.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
  try {
    const ch = await conn.createChannel();
    ch.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
    const started = performance.now();
    const { consumerCount } = await ch.checkQueue(queue);
    return { consumers: consumerCount, rttMs: performance.now() - started };
  } finally {
    await conn.close();
  }
}

/** Milliseconds until `call` fails, and its error. */
async function timeFailure(call: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = performance.now();
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { ms: performance.now() - started, error };
}

describe('a service whose last frame stopped', () => {
  let ns: string;
  let queue: string;
  let rttMs: number;
  const clients: { close(): Promise<void> }[] = [];
  let warm: Awaited<ReturnType<typeof testClient<Tools>>>;

  before(async () => {
    const frame = await startTestFrame({ tools: TOOLS_SERVICE });
    ns = frame.namespace;
    queue = names.serviceQueue(ns, 'tools__add');
    warm = await testClient<Tools>(ns);
    clients.push(warm);
    for (let i = 0; i < 20; i++) assert.equal(await warm.tools__add(i, 1), i + 1);
    await frame.frame.stop();
    const seen = await consumersOf(queue);
    assert.equal(seen.consumers, 0, 'the queue outlives the frame, without consumer');
    rttMs = seen.rttMs;
  });
  after(async () => {
    for (const c of clients) await c.close();
    await deleteNamespace(ns);
  });

  it('fails a call of a client that was just using it with SERVICE_NOT_FOUND within 100 ms plus a round trip', async (t) => {
    const { ms, error } = await timeFailure(() => warm.call('tools__add', [1, 2], { timeoutMs: 30_000 }));
    t.diagnostic(`SERVICE_NOT_FOUND after ${ms.toFixed(1)} ms (round trip ${rttMs.toFixed(1)} ms)`);
    assert.ok(error instanceof KaelError);
    assert.equal(error.code, 'SERVICE_NOT_FOUND');
    // 100 ms plus a round trip is the target; the margin covers a loaded test machine.
    assert.ok(ms < 100 + rttMs + 400, `took ${ms} ms`);
  });

  it('fails a call of a new client with SERVICE_NOT_FOUND within 100 ms plus a round trip', async (t) => {
    const fresh = await testClient<Tools>(ns);
    clients.push(fresh);
    const { ms, error } = await timeFailure(() => fresh.call('tools__add', [1, 2], { timeoutMs: 30_000 }));
    t.diagnostic(`SERVICE_NOT_FOUND after ${ms.toFixed(1)} ms (round trip ${rttMs.toFixed(1)} ms)`);
    assert.ok(error instanceof KaelError);
    assert.equal(error.code, 'SERVICE_NOT_FOUND');
    assert.equal(error.details?.['reason'], 'no-consumer');
    assert.ok(ms < 100 + rttMs + 400, `took ${ms} ms`);
    // Nothing was published: the queue holds no request that a later frame would run.
    assert.equal((await consumersOf(queue)).consumers, 0);
  });

  it('waits for a frame as before when the check is turned off', async () => {
    const patient = await testClient<Tools>(ns, { serviceGoneAfterMs: Infinity });
    clients.push(patient);
    await assert.rejects(patient.call('tools__add', [1, 2], { timeoutMs: 400 }), { code: 'RPC_TIMEOUT' });
  });
});

describe('a call whose frame dies mid-call', () => {
  let ns: string;
  before(() => {
    ns = randomNamespace();
  });
  after(async () => {
    await deleteNamespace(ns);
  });

  it('fails with SERVICE_NOT_FOUND long before its timeout', async (t) => {
    const frame = startFrameProcess(await makeFrameDir({ tools: TOOLS_SERVICE }), ns);
    const client = await testClient<Tools>(ns);
    try {
      await frame.ready;
      assert.equal(await client.tools__add(1, 2), 3);
      const call = timeFailure(() => client.call('tools__slow', [20_000], { timeoutMs: 30_000 }));
      // The worker has the call once the queue holds no ready message.
      const workers = execFileSync('pgrep', ['-P', String(frame.child.pid)])
        .toString()
        .trim()
        .split('\n')
        .map(Number);
      await new Promise((r) => setTimeout(r, 300));
      const killedAt = performance.now();
      frame.child.kill('SIGKILL');
      for (const pid of workers) process.kill(pid, 'SIGKILL');
      const { error } = await call;
      const afterKillMs = performance.now() - killedAt;
      t.diagnostic(`SERVICE_NOT_FOUND ${afterKillMs.toFixed(0)} ms after the frame died`);
      assert.ok(error instanceof KaelError);
      assert.equal(error.code, 'SERVICE_NOT_FOUND');
      assert.equal(error.details?.['reason'], 'consumers-gone');
      assert.ok(afterKillMs < 5000, `took ${afterKillMs} ms after the kill`);
    } finally {
      await client.close();
      await frame.stop();
    }
  });
});
