import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connectClient } from '@kael/runtime';
import type { ServiceProxy } from '@kael/runtime';
import { AURI, deleteNamespace, randomNamespace } from '../../support/broker.js';
import { frameWithClient, makeFrameDir, startFrameProcess, TOOLS_SERVICE } from '../../support/frames.js';
import type { FrameAndClient } from '../../support/frames.js';

interface Tools {
  tools__pid(): Promise<number>;
  tools__slow(ms: number): Promise<number>;
  tools__add(a: number, b: number): Promise<number>;
}

describe('service worker processes', () => {
  let client: ServiceProxy<Tools>;
  let setup: FrameAndClient<Tools>;

  before(async () => {
    setup = await frameWithClient<Tools>({ tools: TOOLS_SERVICE }, { processes: 2 });
    ({ client } = setup);
  });

  after(async () => {
    await setup.close();
  });

  it('consumes with every worker when --processes is 2', async () => {
    const pids = new Set(await Promise.all(Array.from({ length: 40 }, () => client.tools__slow(30))));
    assert.equal(pids.size, 2);
    assert.ok(!pids.has(process.pid));
  });

  it('replaces a worker that dies', async () => {
    const victim = await client.tools__pid();
    process.kill(victim, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    let seen = new Set<number>();
    while (Date.now() < deadline) {
      seen = new Set(await Promise.all(Array.from({ length: 20 }, () => client.tools__slow(20))));
      if (seen.size === 2 && !seen.has(victim)) break;
    }
    assert.equal(seen.size, 2);
    assert.ok(!seen.has(victim));
  });

  it('restarts on fresh worker processes with no failed call under load', async () => {
    const before = new Set(await Promise.all(Array.from({ length: 20 }, () => client.tools__slow(10))));
    let failed = 0;
    let done = 0;
    let running = true;
    const load = Array.from({ length: 16 }, async () => {
      while (running) {
        try {
          await client.tools__slow(5);
          done++;
        } catch {
          failed++;
        }
      }
    });
    await setup.frame.reload('service');
    await setup.frame.reload('service');
    running = false;
    await Promise.all(load);
    const afterPids = new Set(await Promise.all(Array.from({ length: 20 }, () => client.tools__slow(10))));
    assert.equal(failed, 0);
    assert.ok(done > 50, `only ${done} calls completed`);
    assert.ok(
      [...afterPids].every((p) => !before.has(p)),
      'new code runs in new processes',
    );
  });
});

describe('kael run', () => {
  it('drains in-flight calls on SIGTERM and exits 0', async () => {
    const ns = randomNamespace();
    const proc = startFrameProcess(await makeFrameDir({ tools: TOOLS_SERVICE }), ns);
    const client = await connectClient<Tools>({ name: ns, auri: AURI });
    try {
      await proc.ready;
      const inFlight = client.tools__slow(800);
      await new Promise((r) => setTimeout(r, 200));
      proc.child.kill('SIGTERM');
      assert.equal(typeof (await inFlight), 'number');
      assert.equal(await proc.exited, 0);
    } finally {
      await client.close();
      await proc.stop();
      await deleteNamespace(ns);
    }
  });
});
