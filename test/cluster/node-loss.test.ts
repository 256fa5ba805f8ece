import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import amqp from 'amqplib';
import { BrokerConnection, connectClient, createLogger, names, redactUrl } from '@kael/runtime';
import { DEAD_LETTER_QUEUE_OPTIONS } from '@kael/runtime/rpc/poison-calls';
import { SERVICE_QUEUE_OPTIONS } from '@kael/runtime/rpc/service-queue';
import type { ChangeResults, FrameSnapshot, ServiceProxy } from '@kael/runtime';
import { startFrameProcess } from '@kael/runtime/bench/frame-process';
import type { FrameProcess } from '@kael/runtime/bench/frame-process';
import { randomNamespace } from '../support/broker.js';
import { makeFrameDir, TOOLS_SERVICE, versionedService } from '../support/frames.js';
import { startPrivateBroker } from '../support/private-broker.js';
import type { PrivateBroker } from '../support/private-broker.js';
import { until } from '../support/wait.js';
import { CallLoad } from '@kael/runtime/bench/call-load';
import type { LoadSummary } from '@kael/runtime/bench/call-load';

const HEARTBEAT_MS = 500;
const CALL_TIMEOUT_MS = 5000;
const silent = createLogger('test', 'silent');

function activeFrames(frames: readonly FrameSnapshot[], crontab: string): FrameSnapshot[] {
  return frames.filter((f) => f.crontabs.some((c) => c.name === crontab && c.active));
}

describe('a 3-node RabbitMQ cluster', () => {
  let cluster: PrivateBroker;
  before(async () => {
    cluster = await startPrivateBroker(3);
  });
  after(async () => {
    await cluster?.down();
  });

  it('moves a connection to the next node within 5 s when its node is killed, re-running its setup', async () => {
    const order = [cluster.urls[2], cluster.urls[0], cluster.urls[1]] as string[];
    const broker = new BrokerConnection({ url: order, shuffle: false, logger: silent });
    let setups = 0;
    await broker.onReady(async (conn) => {
      const ch = await conn.createChannel();
      ch.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
      await ch.assertQueue('', { exclusive: true });
      await ch.close();
      setups++;
    });
    try {
      await broker.start();
      assert.equal(broker.url, redactUrl(order[0] as string));
      // Not events.once: it rejects on the 'error' the lost connection emits first.
      const lost = new Promise((resolve) => broker.once('lost', resolve));
      const ready = new Promise((resolve) => broker.once('ready', resolve));
      const t = Date.now();
      await cluster.kill(3);
      await lost;
      await ready;
      assert.ok(Date.now() - t < 5000, `reconnected after ${Date.now() - t} ms`);
      assert.equal(broker.url, redactUrl(order[1] as string));
      assert.equal(setups, 2, 'the ready handler ran again on the new node');
    } finally {
      await broker.close();
      await cluster.restart(3);
      await cluster.awaitNodes(3);
    }
  });

  describe('two frames and a client under load when the frames’ node is killed', () => {
    const ns = randomNamespace('c');
    const adminKey = randomBytes(16).toString('hex');
    const procs: FrameProcess[] = [];
    let client: ServiceProxy<{ ver__ver(): Promise<string> }>;
    let ticksLog: string;
    let victim = 0;
    let victimBack = false;
    let killedAt = 0;
    let load: LoadSummary;
    let update: { results?: ChangeResults; error?: { code: string; message: string } };
    let servingFrames: string[] = [];
    let maxActive = 0;

    before(async () => {
      ticksLog = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'kael-cluster-ticks-')), 'ticks.txt');
      const tick = {
        'setting.yaml': `type: crontab\ncrontab_name: tick\nversion: 1.0\ngrace: 30\npublish:\n  - ['* * * * * *', 'echo "$KAEL_SCHEDULED_AT $PPID" >> ${ticksLog}']\n`,
      };
      const auri = cluster.urls.join(',');
      const env = { KAEL_ADMIN_KEY: adminKey };
      const args = ['--heartbeat', String(HEARTBEAT_MS)];
      for (let i = 0; i < 2; i++) {
        const conf = await makeFrameDir({ tools: TOOLS_SERVICE, tick, ver: versionedService('ver', '1.0') });
        procs.push(startFrameProcess(conf, ns, auri, args, env));
      }
      // The source of the update: holds version 2.0 of `ver` and nothing else.
      procs.push(
        startFrameProcess(await makeFrameDir({ ver: versionedService('ver', '2.0') }), ns, auri, args, env),
      );
      await Promise.all(procs.map((p) => p.ready));
      client = await connectClient({ name: ns, auri: cluster.urls, adminKey, logger: silent });
      await until(
        'three frames',
        async () => ((await client.servers()).length === 3 ? true : undefined),
        15_000,
      );
      const [active] = await until(
        'an active crontab frame',
        async () => {
          const a = activeFrames(await client.servers(), 'tick');
          return a.length === 1 ? a : undefined;
        },
        15_000,
      );
      servingFrames = (await client.servers()).filter((f) => f.pid !== procs[2]?.child.pid).map((f) => f.id);
      // Kill the node holding the active frame's connection: its crontab lock dies with it.
      const connections = await cluster.connections();
      victim =
        connections.find((c) => c.name.startsWith(`kael-frame:${ns}@`) && c.name.endsWith(`:${active?.pid}`))
          ?.node ?? 0;
      assert.ok(victim > 0, `the active frame's connection is listed: ${JSON.stringify(connections)}`);
      // The namespace's dead-letter queue (durable, on one node) is moved to the victim too: while
      // its node is down it cannot be declared, and that must keep no worker from serving or from
      // starting (the update below starts new ones).
      const onVictim = await amqp.connect(cluster.urls[victim - 1] as string, { noDelay: true });
      onVictim.on('error', (e: Error) =>
        process.stdout.write(`# connection to the victim node: ${e.message}\n`),
      );
      try {
        const ch = await onVictim.createChannel();
        await ch.deleteQueue(names.deadLetters(ns));
        await ch.assertQueue(names.deadLetters(ns), DEAD_LETTER_QUEUE_OPTIONS);
      } finally {
        await onVictim.close();
      }
      const queues = await cluster.queues();
      process.stdout.write(
        `# victim node ${victim}; on it: ${connections
          .filter((c) => c.node === victim)
          .map((c) => c.name.split('@')[0])
          .join(', ')}; ` +
          `queues on it: ${queues
            .filter((q) => q.node === victim && q.name.startsWith(`kael.${ns}.`))
            .map((q) => q.name)
            .join(', ')}\n`,
      );

      const calls = new CallLoad(
        (i) => client.call('tools__add', [i, 1_000_000], { timeoutMs: CALL_TIMEOUT_MS }),
        (i, value) => value === i + 1_000_000,
        16,
        CALL_TIMEOUT_MS,
      );
      const sampler = setInterval(() => {
        client.servers().then(
          (frames) => (maxActive = Math.max(maxActive, activeFrames(frames, 'tick').length)),
          () => undefined,
        );
      }, 200);
      try {
        await new Promise((r) => setTimeout(r, 3000));
        killedAt = Date.now();
        await cluster.kill(victim); // returns once the node's port is closed
        // Issued right after the loss, as an operator would.
        update = await client.update('service', 'ver', { version: '2.0', timeoutMs: 30_000 }).then(
          (results) => ({ results }),
          (e: { code: string; message: string }) => ({ error: { code: e.code, message: e.message } }),
        );
        const rest = killedAt + 12_000 - Date.now();
        if (rest > 0) await new Promise((r) => setTimeout(r, rest));
      } finally {
        clearInterval(sampler);
        load = await calls.stop();
      }
      process.stdout.write(
        `# load: ${load.calls} calls at ${load.callsPerSecond}/s, failed ${load.failed} ${JSON.stringify(load.codes)}, wrong ${load.wrong}, lost ${load.lost}\n`,
      );
    });

    after(async () => {
      await client?.close();
      await Promise.all(procs.map((p) => p.stop()));
      // The later tests need all three nodes, also when this block's tests were filtered out.
      if (victim > 0 && !victimBack) {
        await cluster.restart(victim);
        await cluster.awaitNodes(3);
      }
    });

    it('loses no call and answers none wrongly', () => {
      assert.equal(load.lost, 0, 'calls that never settled');
      assert.equal(load.wrong, 0, 'calls answered with a wrong value');
      assert.ok(load.calls > 1000, `only ${load.calls} calls`);
    });

    it('fails only calls in flight at the loss, and every call started 5 s after it succeeds', () => {
      const failed = load.records.filter((r) => r.failure !== undefined);
      const lastFailedStart = Math.max(killedAt, ...failed.map((r) => r.start));
      const recoveryS = (lastFailedStart - killedAt) / 1000;
      const before = failed.filter((r) => r.start < killedAt - CALL_TIMEOUT_MS);
      process.stdout.write(
        `# failed ${failed.length}: ${failed.filter((r) => r.start < killedAt).length} in flight at the kill, ${failed.filter((r) => r.start >= killedAt).length} started after it; recovery ${recoveryS.toFixed(2)} s\n`,
      );
      assert.deepEqual(before, [], 'no call failed before the loss');
      assert.ok(recoveryS <= 5, `calls still failed ${recoveryS} s after the kill`);
      const late = load.records.filter((r) => r.start > killedAt + 5000);
      assert.ok(late.length > 100 && late.every((r) => r.failure === undefined));
    });

    it('completes an update issued right after the loss on every frame', async () => {
      assert.equal(update.error, undefined, JSON.stringify(update.error));
      const results = update.results ?? {};
      for (const id of servingFrames) {
        assert.equal(results[id]?.ok, true, `frame ${id}: ${JSON.stringify(results[id])}`);
        assert.equal(results[id]?.to, '2.0');
      }
      for (let i = 0; i < 10; i++) assert.equal(await client.ver__ver(), '2.0');
    });

    it('keeps the crontab running on exactly one frame, with no tick run twice', async () => {
      const lines = (await fs.readFile(ticksLog, 'utf8')).split('\n').filter((l) => l !== '');
      const times = lines.map((l) => l.split(' ')[0] ?? '');
      const doubles = times.filter((t, i) => times.indexOf(t) !== i);
      const after = times.map((t) => Date.parse(t)).filter((t) => t > killedAt + 6000);
      const runners = new Set(lines.map((l) => l.split(' ')[1]));
      process.stdout.write(
        `# crontab: ${lines.length} ticks by ${runners.size} frame(s), ${doubles.length} double, most active frames seen at once ${maxActive}\n`,
      );
      assert.deepEqual(doubles, [], 'ticks run twice');
      assert.ok(after.length >= 3, 'the crontab kept running after the loss');
      assert.equal(activeFrames(await client.servers(), 'tick').length, 1);
    });

    it('keeps every frame in the membership, with the same processes', async () => {
      const frames = await until(
        'three frames',
        async () => {
          const f = await client.servers();
          return f.length === 3 ? f : undefined;
        },
        10_000,
      );
      assert.deepEqual(frames.map((f) => f.pid).sort(), procs.map((p) => p.child.pid).sort());
      assert.ok(procs.every((p) => p.child.exitCode === null));
    });

    it('takes the node back into the cluster and keeps serving', async () => {
      await cluster.restart(victim);
      await cluster.awaitNodes(3);
      victimBack = true;
      for (let i = 0; i < 50; i++)
        assert.equal(await client.call('tools__add', [i, 1], { timeoutMs: CALL_TIMEOUT_MS }), i + 1);
    });
  });
  describe('a service queue whose node dies while its workers are on other nodes', () => {
    it('is declared again by the workers, and calls succeed again within 5 s without a lost call', async () => {
      const ns = randomNamespace('q');
      const victim = 2;
      const others = cluster.urls.filter((_, i) => i !== victim - 1);
      // The queue lives on the victim (declared there first); the frame never connects to it.
      const conn = await amqp.connect(cluster.urls[victim - 1] as string);
      conn.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
      const ch = await conn.createChannel();
      ch.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
      await ch.assertQueue(names.serviceQueue(ns, 'tools__add'), SERVICE_QUEUE_OPTIONS);
      await conn.close();
      const frame = startFrameProcess(await makeFrameDir({ tools: TOOLS_SERVICE }), ns, others.join(','));
      const caller = await connectClient({ name: ns, auri: others, logger: silent });
      try {
        await frame.ready;
        const queue = (await cluster.queues()).find((q) => q.name === names.serviceQueue(ns, 'tools__add'));
        assert.equal(queue?.node, victim);
        const calls = new CallLoad(
          (i) => caller.call('tools__add', [i, 7], { timeoutMs: CALL_TIMEOUT_MS }),
          (i, value) => value === i + 7,
          8,
          CALL_TIMEOUT_MS,
        );
        await new Promise((r) => setTimeout(r, 1500));
        const killedAt = Date.now();
        await cluster.kill(victim);
        await new Promise((r) => setTimeout(r, 10_000));
        const load = await calls.stop();
        const failedStarts = load.records.filter((r) => r.failure !== undefined).map((r) => r.start);
        const recoveryS = (Math.max(killedAt, ...failedStarts) - killedAt) / 1000;
        process.stdout.write(
          `# queue-node loss: ${load.calls} calls, failed ${load.failed} ${JSON.stringify(load.codes)}, lost ${load.lost}, wrong ${load.wrong}, recovery ${recoveryS.toFixed(2)} s\n`,
        );
        assert.equal(load.lost, 0);
        assert.equal(load.wrong, 0);
        assert.ok(recoveryS <= 5, `calls still failed ${recoveryS} s after the kill`);
      } finally {
        await caller.close();
        await frame.stop();
        await cluster.restart(victim);
        await cluster.awaitNodes(3);
      }
    });
  });
});
