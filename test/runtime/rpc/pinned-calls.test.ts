import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectClient, WorkFrame } from '@kael/runtime';
import type { FrameClient } from '@kael/runtime/client/frame-client';
import { createLogger } from '@kael/runtime/util/logger';
import { AURI, deleteNamespace, randomNamespace } from '../../support/broker.js';
import { makeFrameDir, TOOLS_SERVICE } from '../../support/frames.js';

describe('calls pinned to one frame', () => {
  const ns = randomNamespace();
  const frames: WorkFrame[] = [];
  let client: FrameClient;

  before(async () => {
    for (const label of ['blue', undefined]) {
      const conf = await makeFrameDir({ tools: TOOLS_SERVICE });
      const f = new WorkFrame({
        name: ns,
        auri: AURI,
        serviceGroupConf: conf,
        logger: createLogger('test', 'silent'),
        ...(label === undefined ? {} : { label }),
      });
      await f.start();
      frames.push(f);
    }
    client = await connectClient({ name: ns, auri: AURI });
    await client.servers();
  });

  after(async () => {
    await client.close();
    await Promise.all(frames.map((f) => f.stop()));
    await deleteNamespace(ns);
  });

  it('runs every pinned call on the chosen frame and says which frame answered', async () => {
    for (const target of frames) {
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () => client.callDetailed('tools__add', [2, 3], { frame: target.id })),
      );
      assert.deepEqual(
        [...new Set(outcomes.map((o) => JSON.stringify([o.frame, o.pinned, o.reply])))],
        [JSON.stringify([target.id, true, { ok: true, value: 5 }])],
      );
    }
  });

  it('tells the answering frame of a load-balanced call too', async () => {
    const outcome = await client.callDetailed('tools__add', [1, 1]);
    assert.ok(frames.some((f) => f.id === outcome.frame));
    assert.deepEqual([outcome.pinned, outcome.reply], [false, { ok: true, value: 2 }]);
    assert.ok(outcome.durationMs >= 0);
  });

  it('returns a remote error as data, with the frame that threw', async () => {
    const outcome = await client.callDetailed('tools__fail', [], { frame: frames[1]?.id ?? '' });
    assert.equal(outcome.frame, frames[1]?.id);
    assert.deepEqual(outcome.reply.ok ? undefined : [outcome.reply.error.code, outcome.reply.error.name], [
      'REMOTE_ERROR',
      'TypeError',
    ]);
  });

  it('fails at once with SERVICE_NOT_FOUND for a frame that does not exist or does not serve the service', async () => {
    await assert.rejects(client.call('tools__add', [1, 2], { frame: 'no-such-frame', timeoutMs: 5000 }), {
      code: 'SERVICE_NOT_FOUND',
    });
    await assert.rejects(
      client.callDetailed('tools__nope', [], { frame: frames[0]?.id ?? '', timeoutMs: 5000 }),
      {
        code: 'SERVICE_NOT_FOUND',
      },
    );
  });

  it('keeps the plain call API: a pinned call() returns the value', async () => {
    assert.equal(await client.call('tools__add', [4, 5], { frame: frames[0]?.id ?? '' }), 9);
  });

  it('announces the label given to the frame, and none when there is none', async () => {
    const list = await client.servers();
    assert.deepEqual(
      frames.map((f) => list.find((s) => s.id === f.id)?.label),
      ['blue', undefined],
    );
  });
});

describe('the frame label in frame.yaml', () => {
  it('is announced, and --label (the label option) wins over it', async () => {
    const ns = randomNamespace();
    const conf = await makeFrameDir({ tools: TOOLS_SERVICE });
    const text = await fs.readFile(conf, 'utf8');
    await fs.writeFile(conf, `label: from-yaml\n${text}`);
    const started: WorkFrame[] = [];
    try {
      for (const label of [undefined, 'from-cli']) {
        const f = new WorkFrame({
          name: ns,
          auri: AURI,
          serviceGroupConf: path.resolve(conf),
          logger: createLogger('test', 'silent'),
          ...(label === undefined ? {} : { label }),
        });
        await f.start();
        started.push(f);
      }
      assert.deepEqual(
        started.map((f) => f.snapshot().label),
        ['from-yaml', 'from-cli'],
      );
    } finally {
      await Promise.all(started.map((f) => f.stop()));
      await deleteNamespace(ns);
    }
  });
});
