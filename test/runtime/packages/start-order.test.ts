import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createLogger, packageState, WorkFrame } from '@kael/runtime';
import type { ServiceProxy } from '@kael/runtime';
import { AURI, deleteNamespace, randomNamespace } from '../../support/broker.js';
import {
  KAEL_CLI,
  makeFrameDir,
  runCli,
  TEST_ADMIN_KEY,
  testClient,
  TOOLS_SERVICE,
} from '../../support/frames.js';
import { until } from '../../support/wait.js';

/** A Python service package whose import takes `seconds`. */
const slowPython = (seconds: number): Record<string, string> => ({
  'setting.yaml': 'type: service\nservice_base_name: slowpy\nversion: 1.0\npublish: [f]\n',
  '__init__.py': `import time\ntime.sleep(${seconds})\n\ndef f():\n    return "py"\n`,
});

const TICKER = {
  'setting.yaml': "type: crontab\ncrontab_name: ticker\nversion: 1.0\npublish:\n  - ['0 0 1 1 *', 'true']\n",
};

/** Service worker processes that are children of this process. */
function serviceWorkerChildren(): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (
        ppid === process.pid &&
        readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('service-worker.js')
      )
        out.push(Number(entry));
    } catch {
      // The process ended while it was read.
    }
  }
  return out;
}

/** Waits until this process has no more service worker children than `before` (a killed one takes a moment). */
async function noMoreWorkersThan(before: readonly number[]): Promise<void> {
  await until('the spare worker gone', () =>
    Promise.resolve(serviceWorkerChildren().length <= before.length ? true : undefined),
  );
}

/** Waits until `tools__add` answers: calls made before its queue has a consumer fail, and are made again. */
async function untilServed(client: ServiceProxy): Promise<void> {
  await until('tools__add answers', async () => {
    const sum = await client.call('tools__add', [2, 3], { timeoutMs: 1000 }).then(
      (v) => v,
      // SERVICE_NOT_FOUND or a timeout while the frame starts: the next probe asks again.
      (e: unknown) => (e as { code?: string }).code,
    );
    return sum === 5 ? true : undefined;
  });
}

function newFrame(conf: string, options: { name?: string; packageLoadTimeoutMs?: number } = {}): WorkFrame {
  return new WorkFrame({
    name: randomNamespace(),
    auri: AURI,
    serviceGroupConf: conf,
    logger: createLogger('test', 'silent'),
    adminKey: TEST_ADMIN_KEY,
    ...options,
  });
}

describe('the order in which a frame starts serving', () => {
  it('serves its JS packages while a Python package still imports', async () => {
    const namespace = randomNamespace();
    const frame = newFrame(await makeFrameDir({ slowpy: slowPython(5), tools: TOOLS_SERVICE }), {
      name: namespace,
    });
    let started = false;
    const t0 = Date.now();
    const starting = frame.start().then(() => (started = true));
    const client = await testClient(namespace);
    try {
      await untilServed(client);
      // The Python package takes 5 s to import: the JS one was served well before.
      assert.ok(Date.now() - t0 < 4000, `tools__add answered ${Date.now() - t0} ms after the start`);
      assert.equal(started, false, 'the frame started only once the Python package imported');
      await starting;
      assert.equal(await client.call('slowpy__f', []), 'py');
      assert.deepEqual(
        frame.snapshot().packages.map((p) => [p.name, packageState(p)]),
        [
          ['slowpy', 'ok'],
          ['tools', 'ok'],
        ],
      );
    } finally {
      await client.close();
      await starting.catch(() => undefined); // the assertion above reports a failed start
      await frame.stop();
      await deleteNamespace(namespace);
    }
  });

  it('marks a Python package whose import outlasts the load time limit FAILED and serves the rest', async () => {
    const t0 = Date.now();
    const namespace = randomNamespace();
    const frame = newFrame(await makeFrameDir({ slowpy: slowPython(60), tools: TOOLS_SERVICE }), {
      name: namespace,
      packageLoadTimeoutMs: 1500,
    });
    const client = await testClient(namespace);
    try {
      await frame.start();
      assert.ok(Date.now() - t0 < 20_000, `the frame took ${Date.now() - t0} ms to start`);
      const slow = frame.snapshot().packages.find((p) => p.name === 'slowpy');
      assert.equal(slow && packageState(slow), 'failed');
      assert.equal(slow?.error?.code, 'PACKAGE_INVALID');
      assert.match(slow?.reason ?? '', /did not finish importing within 1\.5 s/);
      assert.equal(await client.call('tools__add', [1, 1]), 2);
    } finally {
      await client.close();
      await frame.stop();
      await deleteNamespace(namespace);
    }
  });

  it('leaves no spare worker process behind: without service packages, or when frame.yaml is wrong', async () => {
    const before = serviceWorkerChildren();
    const frame = newFrame(await makeFrameDir({ ticker: TICKER }));
    try {
      await frame.start();
      await noMoreWorkersThan(before);
    } finally {
      await frame.stop();
      await deleteNamespace(frame.namespace);
    }
    const wrong = newFrame('/nonexistent/frame.yaml');
    await assert.rejects(wrong.start(), { code: 'CONFIG_INVALID' });
    await noMoreWorkersThan(before);
    // `kael run` on a wrong frame.yaml exits at once (no spare worker keeps it alive).
    const run = await runCli(['run', '/nonexistent/frame.yaml', '--name', randomNamespace()]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /CONFIG_INVALID/);
  });

  it('kael run drains on a SIGTERM that comes while it starts (after its first packages serve)', async () => {
    const namespace = randomNamespace();
    const conf = await makeFrameDir({ slowpy: slowPython(3), tools: TOOLS_SERVICE });
    const child = spawn(process.execPath, [KAEL_CLI, 'run', conf, '--name', namespace], {
      env: { ...process.env, KAEL_AURI: AURI, KAEL_ADMIN_KEY: TEST_ADMIN_KEY },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<[number | null, string | null]>((resolve) =>
      child.once('exit', (code, signal) => resolve([code, signal])),
    );
    const client = await testClient(namespace);
    try {
      await untilServed(client);
      assert.doesNotMatch(stdout, /package\(s\) loaded/, 'the start report came before the Python import');
      child.kill('SIGTERM');
      assert.deepEqual(await exited, [0, null]);
      assert.match(stdout, /2 package\(s\) loaded, 0 failed/);
    } finally {
      child.kill('SIGKILL');
      await client.close();
      await deleteNamespace(namespace);
    }
  });
});
