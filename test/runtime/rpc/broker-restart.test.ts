import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connectClient } from '@kael/runtime';
import { randomNamespace } from '../../support/broker.js';
import { makeFrameDir, TOOLS_SERVICE } from '../../support/frames.js';
import { startFrameProcess } from '@kael/runtime/bench/frame-process';
import { startPrivateBroker } from '../../support/private-broker.js';
import type { PrivateBroker } from '../../support/private-broker.js';

describe('a broker restart', () => {
  let broker: PrivateBroker;
  before(async () => {
    broker = await startPrivateBroker();
  });
  after(async () => {
    await broker.down();
  });

  it('is survived by frames and clients: calls succeed again without restarting any process', async () => {
    const ns = randomNamespace();
    const auri = broker.urls[0] ?? '';
    const frame = startFrameProcess(await makeFrameDir({ tools: TOOLS_SERVICE }), ns, auri);
    const client = await connectClient<{ tools__add(a: number, b: number): Promise<number> }>({
      name: ns,
      auri,
    });
    try {
      await frame.ready;
      assert.equal(await client.tools__add(1, 2), 3);
      await broker.stop();
      await broker.restart();
      const deadline = Date.now() + 30_000;
      let result: number | undefined;
      let lastCode = '';
      while (result === undefined && Date.now() < deadline) {
        try {
          result = (await client.call('tools__add', [2, 3], { timeoutMs: 1000 })) as number;
        } catch (e) {
          lastCode = (e as { code: string }).code;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      assert.equal(result, 5, `last error: ${lastCode}`);
      assert.equal(frame.child.exitCode, null, 'the frame process kept running');
    } finally {
      await client.close();
      await frame.stop();
    }
  });
});
