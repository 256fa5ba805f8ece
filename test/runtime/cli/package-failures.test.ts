import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectClient, createLogger, WorkFrame } from '@kael/runtime';
import type {
  ChangeResults,
  CommandResponse,
  FrameSnapshot,
  PackageSnapshot,
  ServiceProxy,
} from '@kael/runtime';
import { AURI, deleteNamespace, randomNamespace } from '../../support/broker.js';
import { makeFrameDir, runCli, versionedService } from '../../support/frames.js';
import { until } from '../../support/wait.js';

const ADMIN_KEY = 'package-failures-test-key';
const ADMIN = { KAEL_ADMIN_KEY: ADMIN_KEY };

/** calc 1.1 needs `../helper.js` beside its frame.yaml: it loads where that file is, and fails elsewhere. */
const CALC_11 = {
  'setting.yaml': 'type: service\nservice_base_name: calc\nversion: 1.1\npublish: [ver, add]\n',
  'index.js':
    "const helper = require('../helper.js');\nexports.ver = () => '1.1';\nexports.add = helper.add;\n",
};
const HELPER = 'exports.add = (a, b) => a + b;\n';

/**
 * Frames A (calc 1.0), B (calc 1.1 and its helper) and C (no package), all with an admin key, and
 * the CLI run with it: a package that does not come back up fails the command.
 */
describe('changing commands whose package does not come back up', () => {
  const ns = randomNamespace();
  const frames: Record<'a' | 'b' | 'c', WorkFrame> = {} as Record<'a' | 'b' | 'c', WorkFrame>;
  let bHelper: string;
  let client: ServiceProxy;

  before(async () => {
    const confs = {
      a: await makeFrameDir({ calc: versionedService('calc', '1.0') }),
      b: await makeFrameDir({ calc: CALC_11 }),
      c: await makeFrameDir({}),
    };
    bHelper = path.join(path.dirname(confs.b), 'helper.js');
    await fs.writeFile(bHelper, HELPER);
    for (const k of ['a', 'b', 'c'] as const) {
      frames[k] = new WorkFrame({
        name: ns,
        auri: AURI,
        serviceGroupConf: confs[k],
        adminKey: ADMIN_KEY,
        heartbeatMs: 500,
        logger: createLogger(`frame-${k}`, 'silent'),
      });
      await frames[k].start();
    }
    client = await connectClient({ name: ns, auri: AURI, adminKey: ADMIN_KEY });
    await until('three frames', async () => ((await client.servers()).length === 3 ? true : undefined));
  });

  after(async () => {
    await client.close();
    for (const f of Object.values(frames)) await f.stop();
    await deleteNamespace(ns);
  });

  const calcOn = (f: WorkFrame): PackageSnapshot | undefined =>
    f.snapshot().packages.find((p) => p.name === 'calc');

  it('kael status lists each package with state, version and reason', async () => {
    const r = await runCli(['status', '--name', ns, '--json']);
    assert.equal(r.code, 0);
    const byFrame = new Map((JSON.parse(r.stdout) as FrameSnapshot[]).map((f) => [f.id, f]));
    assert.deepEqual(
      byFrame.get(frames.a.id)?.packages.map((p) => [p.name, p.state, p.version, p.reason]),
      [['calc', 'ok', '1.0', undefined]],
    );
  });

  it('kael update exits 1 naming the frame and the package, and its --json carries the package state', async () => {
    const r = await runCli(
      ['update', 'calc', '--name', ns, '--version', '1.1', '--id', frames.a.id, '--json'],
      ADMIN,
    );
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const result = (JSON.parse(r.stdout) as ChangeResults)[frames.a.id];
    assert.deepEqual(
      [
        result?.ok,
        result?.from,
        result?.to,
        result?.package?.state,
        result?.package?.version,
        result?.error?.code,
      ],
      [false, '1.0', '1.1', 'failed', '1.1', 'PACKAGE_INVALID'],
    );
    assert.match(
      result?.error?.message ?? '',
      new RegExp(`^frame ${frames.a.id}: did not come back up: service package calc 1.1 `),
    );
    assert.match(result?.package?.reason ?? '', /Cannot find module '\.\.\/helper\.js'/);
    assert.equal(calcOn(frames.a)?.state, 'failed');
    const human = await runCli(['rollback', 'calc', '--name', ns, '--id', frames.a.id], ADMIN);
    assert.equal(human.code, 0, human.stdout + human.stderr);
    assert.match(
      human.stdout,
      new RegExp(`^ok     ${frames.a.id} 1\\.1 → 1\\.0\\n +ok +service calc 1\\.0\\n$`),
    );
    assert.equal(calcOn(frames.a)?.state, 'ok');
  });

  it('kael install exits 1 when the installed package does not load on the target', async () => {
    const r = await runCli(
      ['install', 'calc', './calc', '--name', ns, '--version', '1.1', '--id', frames.c.id],
      ADMIN,
    );
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `^FAILED ${frames.c.id} - → 1\\.1  \\[PACKAGE_INVALID\\] frame ${frames.c.id}: did not come back up: service package calc 1\\.1`,
      ),
    );
    assert.match(r.stdout, /\n +failed +service calc 1\.1 {2}index\.js: .*Cannot find module/);
  });

  it('kael restart exits 1 when a package does not come back up, with each package state in --json', async () => {
    await fs.writeFile(bHelper, 'throw new Error("helper broken");\n');
    const r = await runCli(
      ['restart', '--type', 'service', '--name', ns, '--id', frames.b.id, '--json'],
      ADMIN,
    );
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const reply = (JSON.parse(r.stdout) as CommandResponse)[frames.b.id];
    assert.ok(reply !== undefined && !reply.ok);
    assert.equal(reply.error.code, 'PACKAGE_INVALID');
    assert.match(
      reply.error.message,
      new RegExp(`^frame ${frames.b.id}: did not come back up: service package calc 1\\.1 \\(`),
    );
    const packages = reply.error.details?.['packages'] as PackageSnapshot[];
    assert.deepEqual(
      packages.map((p) => [p.name, p.version, p.state]),
      [['calc', '1.1', 'failed']],
    );
    assert.match(packages[0]?.reason ?? '', /helper broken/);
  });

  it('kael versions and getLastVersion never offer a version whose every copy failed', async () => {
    await until('the failure announced', async () =>
      (await client.servers()).some((f) =>
        f.packages.some((p) => p.version === '1.1' && p.state === 'failed'),
      )
        ? true
        : undefined,
    );
    const versions = await runCli(['versions', '--name', ns, '--json']);
    const body = JSON.parse(versions.stdout) as {
      last: Record<string, string>;
      frames: { version: string; state: string }[];
    };
    assert.deepEqual(body.last, { calc: '1.0' });
    assert.deepEqual(body.frames.map((f) => [f.version, f.state]).sort(), [
      ['1.0', 'ok'],
      ['1.1', 'failed'],
      ['1.1', 'failed'],
    ]);
    assert.equal(await client.getLastVersion('service', 'calc'), '1.0');
    const human = await runCli(['versions', '--name', ns, 'calc']);
    assert.match(human.stdout, new RegExp(`calc +1\\.1 +FAILED ${frames.b.id}`));
    assert.match(human.stdout, /highest calc: 1\.0\n$/);
    const update = await runCli(['update', 'calc', '--name', ns, '--version', '1.1'], ADMIN);
    assert.equal(update.code, 1);
    assert.match(
      update.stderr,
      /\[VERSION_NOT_FOUND\] no live frame holds a loaded copy of service package "calc" version 1\.1 \(loaded versions: 1\.0\)/,
    );
  });

  it('kael restart exits 0 once the package comes back up, and the frame reports restarting meanwhile', async () => {
    await fs.writeFile(bHelper, HELPER);
    const seen: string[] = [];
    const onChange = (): void => {
      const state = calcOn(frames.b)?.state;
      if (state !== undefined && seen[seen.length - 1] !== state) seen.push(state);
    };
    frames.b.on('changed', onChange);
    const r = await runCli(['restart', '--type', 'service', '--name', ns, '--id', frames.b.id], ADMIN);
    frames.b.off('changed', onChange);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^ok     ${frames.b.id}\\n +ok +service calc 1\\.1\\n$`));
    assert.deepEqual(seen, ['restarting', 'ok']);
  });
});
