import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { packageState } from '@kael/runtime';
import type { ServiceProxy } from '@kael/runtime';
import type { PackageSnapshot } from '@kael/runtime/model/frame-snapshot';
import { startTestFrame, testClient, TOOLS_SERVICE } from '../../support/frames.js';
import type { TestFrame } from '../../support/frames.js';
import { until } from '../../support/wait.js';

const service = (name: string, code: string): Record<string, string> => ({
  'setting.yaml': `type: service\nservice_base_name: ${name}\nversion: 1.0\npublish: [f]\n`,
  'index.js': `${code}\nexports.f = () => 1;\n`,
});

describe('a frame whose packages exit, throw or hang while loading', () => {
  let setup: TestFrame;
  let client: ServiceProxy;
  let byName: Map<string, PackageSnapshot>;
  let startMs: number;

  before(async () => {
    const t0 = Date.now();
    setup = await startTestFrame(
      {
        exiter: service('exiter', 'process.exit(4);'),
        thrower: service('thrower', "throw new Error('cannot start');"),
        hanger: service('hanger', 'for (;;) {}'),
        tools: TOOLS_SERVICE,
        ticker: {
          'setting.yaml':
            "type: crontab\ncrontab_name: ticker\nversion: 1.0\npublish:\n  - ['0 0 1 1 *', 'true']\n",
        },
      },
      { packageLoadTimeoutMs: 1500 },
    );
    startMs = Date.now() - t0;
    byName = new Map(setup.frame.snapshot().packages.map((p) => [p.name, p]));
    client = await testClient(setup.namespace);
  });
  after(async () => {
    await client.close();
    await setup.close();
  });

  it('marks a package that ends the process while loading FAILED with the reason', () => {
    const p = byName.get('exiter');
    assert.equal(p && packageState(p), 'failed');
    assert.equal(p?.error?.code, 'PACKAGE_INVALID');
    assert.match(p?.reason ?? '', /ended the process \(4\) while loading/);
  });

  it('marks a package that throws while loading FAILED with the reason', () => {
    const p = byName.get('thrower');
    assert.equal(p && packageState(p), 'failed');
    assert.match(p?.reason ?? '', /cannot start/);
  });

  it('marks a package that hangs while loading FAILED after the load time limit', () => {
    const p = byName.get('hanger');
    assert.equal(p && packageState(p), 'failed');
    assert.match(p?.reason ?? '', /did not finish within 1500 ms/);
    assert.ok(startMs < 30_000, `the frame took ${startMs} ms to start`);
  });

  it('serves the other packages, runs its crontabs and is a member of its namespace', async () => {
    assert.equal(byName.get('tools') && packageState(byName.get('tools') as PackageSnapshot), 'ok');
    assert.equal(byName.get('ticker') && packageState(byName.get('ticker') as PackageSnapshot), 'ok');
    assert.equal(await client.call('tools__add', [2, 2]), 4);
    const frames = await until('the frame in the membership', async () => {
      const all = await client.servers();
      return all.some((f) => f.id === setup.frame.id) ? all : undefined;
    });
    assert.equal(frames.find((f) => f.id === setup.frame.id)?.crontabs[0]?.name, 'ticker');
  });
});
