import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connectClient } from '@kael/runtime';
import type { ServiceProxy } from '@kael/runtime';
import { AURI, deleteNamespace, randomNamespace } from '../../support/broker.js';
import { makeFrameDir, startFrameProcess } from '../../support/frames.js';
import type { FrameProcess } from '../../support/frames.js';
import { until } from '../../support/wait.js';
import { readTicks, tickerPackage, tickLogPath, waitActive } from './tick-log.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('crontab failover on 3 frame processes with a 1-second schedule', () => {
  const ns = randomNamespace();
  const procs: FrameProcess[] = [];
  let client: ServiceProxy;
  let log: string;

  const startFrame = async (): Promise<FrameProcess> => {
    // Each frame has its own folder (its own machine); membership heartbeat 200 ms for quick views.
    const p = startFrameProcess(await makeFrameDir({ ticker: tickerPackage(log) }), ns, [
      '--heartbeat',
      '200',
    ]);
    procs.push(p);
    await p.ready;
    return p;
  };

  before(async () => {
    log = await tickLogPath();
    await Promise.all([startFrame(), startFrame(), startFrame()]);
    client = await connectClient({ name: ns, auri: AURI });
    await waitActive(client, procs);
    await sleep(2000);
  });

  after(async () => {
    await client.close();
    for (const p of procs)
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    await deleteNamespace(ns);
  });

  it('reports the active frame, lease age, last scheduled tick, last run and next run on every frame', async () => {
    const { frame } = await waitActive(client, procs);
    const status = await client.getAllCrontabStatus({ crontab: 'ticker' });
    assert.equal(Object.keys(status).length, 3);
    for (const [frameId, [c]] of Object.entries(status)) {
      assert.equal(c?.activeFrame, frame.id, `${frameId} names the active frame`);
      assert.equal(c?.active, frameId === frame.id);
      assert.ok((c?.leaseAgeMs ?? Infinity) < 2000, `lease age ${c?.leaseAgeMs} on ${frameId}`);
      assert.ok(
        Date.now() - Date.parse(c?.lastScheduledAt ?? '') < 3000,
        `last scheduled ${c?.lastScheduledAt}`,
      );
      assert.ok(Date.parse(c?.nextRun ?? '') > Date.now() - 1000);
    }
    const active = status[frame.id]?.[0];
    assert.equal(active?.lastRun?.exitCode, 0);
    assert.equal(active?.lastRun?.outputTail, 'tick\n');
    assert.equal(typeof active?.lastRun?.durationMs, 'number');
  });

  it('moves the crontab within 1 s of a kill -9 of the active frame, with no tick run twice or lost', async () => {
    const { proc } = await waitActive(client, procs);
    const t = Date.now();
    proc.child.kill('SIGKILL');
    await waitActive(client, procs, proc.child.pid);
    const seconds = (Date.now() - t) / 1000;
    process.stdout.write(`# failover after kill -9: ${seconds.toFixed(2)} s\n`);
    assert.ok(seconds <= 2.5, `took ${seconds} s (target 1 s; margin for a shared machine)`);
    await startFrame();
    await sleep(2500);
    const ticks = await readTicks(log);
    assert.deepEqual(ticks.doubles, []);
    // At most once: only a tick whose accepted claim was in flight when the holder died (scheduled
    // within the claim's round trip before the kill) may be lost — never one the others could run.
    const inFlight = ticks.missing.filter((m) => t - Date.parse(m) >= 0 && t - Date.parse(m) < 300);
    assert.deepEqual(ticks.missing, inFlight);
  });

  it('moves the crontab within 3 s of the active frame going silent, and fences it when it wakes up', async () => {
    const { proc, frame } = await waitActive(client, procs);
    const t = Date.now();
    proc.child.kill('SIGSTOP');
    const next = await waitActive(client, procs, proc.child.pid);
    const seconds = (Date.now() - t) / 1000;
    process.stdout.write(`# failover after SIGSTOP: ${seconds.toFixed(2)} s\n`);
    assert.ok(seconds <= 4, `took ${seconds} s (target 3 s; margin for a shared machine)`);
    await sleep(1500);
    proc.child.kill('SIGCONT');
    // The woken frame's overdue timers fire at once; its claims must be refused by the log.
    await sleep(3000);
    const status = await until(
      'the woken frame to report',
      async () => (await client.getAllCrontabStatus({ crontab: 'ticker' }))[frame.id]?.[0],
      10_000,
    );
    assert.equal(status.active, false);
    assert.equal(status.activeFrame, next.frame.id);
    const ticks = await readTicks(log);
    assert.deepEqual(ticks.doubles, []);
    assert.deepEqual(ticks.missing, []);
    assert.ok(ticks.runs > 8);
  });
});
