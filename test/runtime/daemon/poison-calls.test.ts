import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import amqp from 'amqplib';
import { names } from '@kael/runtime';
import type { RemoteError } from '@kael/runtime';
import { readDeadLetter } from '@kael/runtime/rpc/poison-calls';
import { AURI } from '../../support/broker.js';
import { frameWithClient, runCli, testClient } from '../../support/frames.js';
import type { FrameAndClient } from '../../support/frames.js';

const POISON: Record<string, string> = {
  'setting.yaml': 'type: service\nservice_base_name: poison\nversion: 1.0\npublish: [add, exit, kill9]\n',
  'index.js': [
    "'use strict';",
    'exports.add = (a, b) => a + b;',
    'exports.exit = () => process.exit(3);',
    "exports.kill9 = () => process.kill(process.pid, 'SIGKILL');",
  ].join('\n'),
};

/** Reads (and puts back) the messages of a namespace's dead-letter queue. */
async function deadLetters(ns: string): Promise<ReturnType<typeof readDeadLetter>[]> {
  const conn = await amqp.connect(AURI, { noDelay: true });
  conn.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
  try {
    const ch = await conn.createChannel();
    ch.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
    const out: ReturnType<typeof readDeadLetter>[] = [];
    for (;;) {
      const m = await ch.get(names.deadLetters(ns));
      if (m === false) break;
      out.push(readDeadLetter(m));
    }
    return out;
  } finally {
    // Closing the channel puts the unacked messages back.
    await conn.close();
  }
}

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
}

describe('a call that kills its worker', () => {
  let setup: FrameAndClient<Record<never, never>>;

  before(async () => {
    setup = await frameWithClient({ poison: POISON }, { processes: 2 });
    // Calls wait while a worker is replaced instead of failing as SERVICE_NOT_FOUND when no worker consumes.
    await setup.client.close();
    setup.client = await testClient(setup.namespace, { serviceGoneAfterMs: 30_000 });
  });
  after(async () => {
    await setup.client.close();
    await setup.close();
  });

  it('is dead-lettered after 3 worker deaths and its caller gets WORKER_CRASHED naming the function', async () => {
    const latencies: number[] = [];
    let failedNormal = 0;
    const failedCodes: string[] = [];
    let stop = false;
    // Normal calls keep going, 4 at a time, while the poison call is sent.
    const load = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (!stop) {
          const t0 = performance.now();
          try {
            await setup.client.call('poison__add', [1, 2], { timeoutMs: 20_000 });
            latencies.push(performance.now() - t0);
          } catch (e) {
            failedNormal++;
            failedCodes.push((e as RemoteError).code);
          }
        }
      }),
    );
    const t0 = Date.now();
    await assert.rejects(setup.client.call('poison__exit', [], { timeoutMs: 60_000 }), (e: RemoteError) => {
      assert.equal(e.remote.code, 'WORKER_CRASHED');
      assert.match(e.remote.message, /^poison__exit: .*3 worker deaths/);
      return true;
    });
    const quarantineMs = Date.now() - t0;
    stop = true;
    await load;
    const p = p99(latencies);
    process.stdout.write(
      `# poison call: WORKER_CRASHED after ${quarantineMs} ms; ${latencies.length} normal calls, p99 ${p.toFixed(1)} ms, failed ${failedNormal} ${failedCodes.join(',')}\n`,
    );
    assert.equal(failedNormal, 0);
    // Bounded by the few worker restarts (the machine is shared and loaded: 0.8–2 s measured under
    // load, against the 4.7 s and a poison call redelivered for its whole timeout).
    assert.ok(p < 3500, `p99 of normal calls ${p} ms`);
    const letters = await deadLetters(setup.namespace);
    assert.deepEqual(
      letters.map((l) => [l.function, l.error.code, l.workerDeaths]),
      [['poison__exit', 'WORKER_CRASHED', 3]],
    );
    assert.equal(typeof letters[0]?.correlationId, 'string');
    assert.equal(await setup.client.call('poison__add', [2, 2]), 4);
  });

  it('is quarantined the same way when it kills its worker with SIGKILL', async () => {
    await assert.rejects(setup.client.call('poison__kill9', [], { timeoutMs: 60_000 }), (e: RemoteError) => {
      assert.equal(e.remote.code, 'WORKER_CRASHED');
      assert.match(e.remote.message, /^poison__kill9: /);
      return true;
    });
    const letters = await deadLetters(setup.namespace);
    assert.deepEqual(
      letters.map((l) => l.function),
      ['poison__exit', 'poison__kill9'],
    );
  });

  it('are listed by client.deadLetters() and kael dlq, and dropped by kael dlq --drop', async () => {
    const report = await setup.client.deadLetters();
    assert.equal(report.queue, names.deadLetters(setup.namespace));
    assert.equal(report.count, 2);
    assert.deepEqual(
      report.messages.map((m) => [
        m.function,
        m.error.code,
        typeof m.correlationId,
        Number.isNaN(Date.parse(m.deadAt)),
      ]),
      [
        ['poison__exit', 'WORKER_CRASHED', 'string', false],
        ['poison__kill9', 'WORKER_CRASHED', 'string', false],
      ],
    );
    const listed = await runCli(['dlq', '--name', setup.namespace, '--json']);
    assert.equal(listed.code, 0);
    assert.deepEqual(JSON.parse(listed.stdout), report);
    const status = await runCli(['status', '--name', setup.namespace]);
    assert.match(status.stdout, /dead letters: 2 in kael\.\S+\.dlq/);
    const dropped = await runCli(['dlq', '--name', setup.namespace, '--drop', '--json']);
    assert.deepEqual([dropped.code, JSON.parse(dropped.stdout)], [0, { dropped: 2 }]);
    assert.equal((await setup.client.deadLetters()).count, 0);
  });
});
