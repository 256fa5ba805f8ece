import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import amqp from 'amqplib';
import { connectClient, names } from '@kael/runtime';
import type { ServiceProxy } from '@kael/runtime';
import { LOG_QUEUE } from '@kael/runtime/cron/crontab-log';
import { randomNamespace } from '../../support/broker.js';
import { makeFrameDir } from '../../support/frames.js';
import { startFrameProcess } from '@kael/runtime/bench/frame-process';
import type { FrameProcess } from '../../support/frames.js';
import { startPrivateBroker } from '../../support/private-broker.js';
import type { PrivateBroker } from '../../support/private-broker.js';
import { readTicks, tickerPackage, tickLogPath, waitActive } from './tick-log.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Three frame processes with a 1-second crontab on `url`, and a client. */
async function ticking(
  url: string,
  log: string,
): Promise<{ ns: string; procs: FrameProcess[]; client: ServiceProxy; close(): Promise<void> }> {
  const ns = randomNamespace();
  const procs = await Promise.all(
    [1, 2, 3].map(async () => {
      const p = startFrameProcess(await makeFrameDir({ ticker: tickerPackage(log) }), ns, url, [
        '--heartbeat',
        '200',
      ]);
      await p.ready;
      return p;
    }),
  );
  const client = await connectClient({ name: ns, auri: url });
  await waitActive(client, procs);
  return {
    ns,
    procs,
    client,
    async close() {
      await client.close();
      for (const p of procs) p.child.kill('SIGKILL');
      await Promise.all(procs.map((p) => p.exited));
    },
  };
}

describe('crontabs across a restart of their (private) broker', () => {
  let broker: PrivateBroker;

  before(async () => {
    broker = await startPrivateBroker(1);
  });

  after(async () => {
    await broker.down();
  });

  for (const how of ['stop', 'kill'] as const) {
    it(`resume by themselves after ${how === 'stop' ? 'a clean stop' : 'kill -9'} and restart of the broker: no tick runs twice, missed ticks run once within the grace`, async () => {
      const log = await tickLogPath();
      const url = broker.urls[0] ?? '';
      const run = await ticking(url, log);
      try {
        await sleep(2000);
        const before = await readTicks(log);
        await broker[how](1);
        await sleep(1000);
        await broker.restart(1);
        // The frames reconnect (backoff ≤ 5 s), re-read the log and the holder catches up.
        await waitActive(run.client, run.procs, undefined, 60_000);
        const resumedAt = Date.now();
        await sleep(3000);
        const ticks = await readTicks(log);
        assert.deepEqual(ticks.doubles, []);
        // Ticks of the outage run late, once, within the grace (60 s); older ones are dropped by design.
        const withinGrace = ticks.missing.filter((m) => Date.parse(m) >= resumedAt - 60_000);
        assert.deepEqual(withinGrace, []);
        assert.ok(ticks.runs > before.runs + 5, `${ticks.runs} runs after ${before.runs}`);
      } finally {
        await run.close();
      }
    });
  }
});

describe('crontabs on a 3-node cluster', () => {
  let broker: PrivateBroker;

  before(async () => {
    broker = await startPrivateBroker(3);
  });

  after(async () => {
    await broker.down();
  });

  it('keep running with no double run when the node leading the crontab log dies', async () => {
    const [url1 = '', url2 = ''] = broker.urls;
    const log = await tickLogPath();
    const ns = randomNamespace();
    // Declared through node 1, the log's leader is on node 1; the frames connect to node 2.
    const conn = await amqp.connect(url1);
    conn.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
    const ch = await conn.createChannel();
    await ch.assertQueue(names.crontabLog(ns, 'ticker'), LOG_QUEUE);
    await conn.close();
    const procs = await Promise.all(
      [1, 2, 3].map(async () => {
        const p = startFrameProcess(await makeFrameDir({ ticker: tickerPackage(log) }), ns, url2, [
          '--heartbeat',
          '200',
        ]);
        await p.ready;
        return p;
      }),
    );
    const client = await connectClient({ name: ns, auri: url2 });
    try {
      await waitActive(client, procs);
      await sleep(2000);
      await broker.kill(1);
      await sleep(8000);
      await waitActive(client, procs);
      const ticks = await readTicks(log);
      assert.deepEqual(ticks.doubles, []);
      assert.deepEqual(ticks.missing, []);
      assert.ok(ticks.runs >= 9, `${ticks.runs} runs`);
    } finally {
      await client.close();
      for (const p of procs) p.child.kill('SIGKILL');
      await Promise.all(procs.map((p) => p.exited));
    }
  });
});
