import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { ServiceRate } from '@kael/runtime';
import { AURI, deleteNamespace, randomNamespace } from '../../support/broker.js';
import {
  KAEL_CLI,
  makeFrameDir,
  runCli,
  TEST_ADMIN_KEY,
  testClient,
  TOOLS_SERVICE,
} from '../../support/frames.js';

describe('kael run --metrics-port and kael top', () => {
  const namespace = randomNamespace();
  let child: ChildProcess;
  let port: number;

  before(async () => {
    const conf = await makeFrameDir({ tools: TOOLS_SERVICE });
    child = spawn(
      process.execPath,
      [KAEL_CLI, 'run', conf, '--name', namespace, '--metrics-port', '0', '--metrics-host', '127.0.0.1'],
      {
        env: { ...process.env, KAEL_AURI: AURI, KAEL_ADMIN_KEY: TEST_ADMIN_KEY },
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /metrics on port (\d+)/.exec(out);
        if (m !== null) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`kael run exited ${code}:\n${out}`)));
    });
  });
  after(async () => {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    await deleteNamespace(namespace);
  });

  it('serves /healthz of the running frame', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  it('prints the calls per second and latency of each service with --json', async () => {
    const client = await testClient(namespace);
    let calling = true;
    const load = (async () => {
      while (calling) await client.call('tools__add', [1, 2]);
    })();
    try {
      const { code, stdout } = await runCli(['top', '--name', namespace, '--json', '--interval', '1000']);
      assert.equal(code, 0);
      const report = JSON.parse(stdout) as { frames: number; services: ServiceRate[] };
      assert.equal(report.frames, 1);
      const add = report.services.find((s) => s.service === 'tools__add');
      assert.ok(add !== undefined && add.callsPerSecond > 0);
      assert.equal(add.errorRate, 0);
      assert.ok(add.p50Ms !== undefined && add.p50Ms > 0);
    } finally {
      calling = false;
      await load;
      await client.close();
    }
  });
});
