import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { connectClient } from '@kael/runtime';
import { AURI, deleteNamespace, randomNamespace } from '../../support/broker.js';
import { makeFrameDir, startFrameProcess, TOOLS_SERVICE } from '../../support/frames.js';

describe('a broker restart', () => {
  it('is survived by frames and clients: calls succeed again without restarting any process', async () => {
    const ns = randomNamespace();
    const frame = startFrameProcess(await makeFrameDir({ tools: TOOLS_SERVICE }), ns);
    const client = await connectClient<{ tools__add(a: number, b: number): Promise<number> }>({
      name: ns,
      auri: AURI,
    });
    try {
      await frame.ready;
      assert.equal(await client.tools__add(1, 2), 3);
      execFileSync('rabbitmqctl', ['-q', 'stop_app'], { timeout: 60_000 });
      execFileSync('rabbitmqctl', ['-q', 'start_app'], { timeout: 60_000 });
      const deadline = Date.now() + 30_000;
      let result: number | undefined;
      let lastCode = '';
      while (result === undefined && Date.now() < deadline) {
        try {
          result = (await client.call('tools__add', [2, 3], { timeout: 1000 })) as number;
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
      await deleteNamespace(ns);
    }
  });
});
