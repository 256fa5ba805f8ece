import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectClient } from '@kael/runtime';
import { AURI, deleteNamespace, randomNamespace } from '../../support/broker.js';
import { makeFrameDir, startFrameProcess, TOOLS_SERVICE } from '../../support/frames.js';

describe('a frame killed mid-call', () => {
  it('has its request redelivered to another frame, and the caller gets the answer', async () => {
    const ns = randomNamespace();
    const a = startFrameProcess(await makeFrameDir({ tools: TOOLS_SERVICE }), ns);
    const b = startFrameProcess(await makeFrameDir({ tools: TOOLS_SERVICE }), ns);
    const client = await connectClient<{
      tools__slow(ms: number): Promise<number>;
      tools__pid(): Promise<number>;
    }>({ name: ns, auri: AURI });
    try {
      await Promise.all([a.ready, b.ready]);
      // Calls spread over both frames; kill one frame's whole process tree while they run.
      const calls = Array.from(
        { length: 8 },
        () => client.call('tools__slow', [1500], { timeoutMs: 15_000 }) as Promise<number>,
      );
      await new Promise((r) => setTimeout(r, 500));
      const victims = (await import('node:child_process'))
        .execFileSync('pgrep', ['-P', String(a.child.pid)])
        .toString()
        .trim()
        .split('\n')
        .map(Number);
      a.child.kill('SIGKILL');
      for (const pid of victims) process.kill(pid, 'SIGKILL');
      const results = await Promise.all(calls);
      assert.equal(results.length, 8);
      assert.ok(
        results.every((pid) => !victims.includes(pid)),
        'every answer came from the surviving frame',
      );
    } finally {
      await client.close();
      await a.stop();
      await b.stop();
      await deleteNamespace(ns);
    }
  });
});
