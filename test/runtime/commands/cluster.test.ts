import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { missingFrames } from '@kael/runtime';
import type { DeployResult, FrameSnapshot, ServiceProxy } from '@kael/runtime';
import { deleteNamespace, randomNamespace } from '../../support/broker.js';
import { makeFrameDir, startFrameProcess, testClient, versionedService } from '../../support/frames.js';
import { until } from '../../support/wait.js';
import type { FrameProcess } from '../../support/frames.js';

interface Tools {
  tools__ver(): Promise<string>;
  tools__add(a: number, b: number): Promise<number>;
  extra__ver(): Promise<string>;
}

const HEARTBEAT_MS = 500;

/** A deploy result with the state of its package after the change. */
function outcome(r: DeployResult | undefined): Record<string, unknown> | undefined {
  return r && { ok: r.ok, from: r.from, to: r.to, state: r.package?.state };
}

describe('cluster management across frame processes', () => {
  const ns = randomNamespace();
  const procs: FrameProcess[] = [];
  const confs: string[] = [];
  let client: ServiceProxy<Tools>;
  let ids: string[] = [];

  before(async () => {
    confs.push(await makeFrameDir({ tools: versionedService('tools', '1.9') }));
    confs.push(
      await makeFrameDir({
        tools: versionedService('tools', '1.10'),
        extra: versionedService('extra', '2.0'),
      }),
    );
    confs.push(await makeFrameDir({ tools: versionedService('tools', '1.9') }));
    for (const conf of confs) procs.push(startFrameProcess(conf, ns, ['--heartbeat', String(HEARTBEAT_MS)]));
    await Promise.all(procs.map((p) => p.ready));
    client = await testClient<Tools>(ns);
    const frames = await until('three frames', async () => {
      const f = await client.servers();
      return f.length === 3 ? f : undefined;
    });
    // ids in the order of confs
    ids = confs.map((c) => (frames.find((f) => f.configFile === c) as FrameSnapshot).id);
  });

  after(async () => {
    await client.close();
    await Promise.all(procs.map((p) => p.stop()));
    await deleteNamespace(ns);
  });

  it('lists every live frame with its packages and versions', async () => {
    const frames = await client.servers();
    assert.deepEqual(frames.map((f) => f.id).sort(), [...ids].sort());
    const b = frames.find((f) => f.id === ids[1]);
    assert.deepEqual(b?.packages.map((p) => [p.name, p.version]).sort(), [
      ['extra', '2.0'],
      ['tools', '1.10'],
    ]);
  });

  it('returns a fan-out command as soon as every frame answered', async () => {
    const t = Date.now();
    const response = await client.commandAll(
      '_get_pkg_version',
      { pkg_type: 'service' },
      { timeoutMs: 5000 },
    );
    assert.ok(Date.now() - t < 2000, `took ${Date.now() - t} ms`);
    assert.deepEqual(Object.keys(response).sort(), [...ids].sort());
    assert.ok(Object.values(response).every((r) => r.ok));
  });

  it('targets one frame by id, or all but not_id', async () => {
    const one = await client.getResponse(await client.command('_ping', {}, { id: ids[0] }), {
      timeoutMs: 5000,
    });
    assert.deepEqual(Object.keys(one), [ids[0]]);
    const others = await client.getResponse(await client.command('_ping', {}, { notId: [ids[0] ?? ''] }), {
      timeoutMs: 5000,
    });
    assert.deepEqual(Object.keys(others).sort(), [ids[1], ids[2]].sort());
    const notIdString = await client.commandAll(
      '_ping',
      {},
      { notId: `${ids[0] ?? ''},${ids[1] ?? ''}`, timeoutMs: 5000 },
    );
    assert.deepEqual(Object.keys(notIdString), [ids[2]]);
  });

  it('answers an unknown command with COMMAND_UNKNOWN from every frame, never silence', async () => {
    const response = await client.commandAll('_format_disk', {}, { timeoutMs: 5000 });
    assert.equal(Object.keys(response).length, 3);
    for (const r of Object.values(response)) assert.equal(r.ok ? 'ok' : r.error.code, 'COMMAND_UNKNOWN');
  });

  it('knows 1.10 is newer than 1.9', async () => {
    assert.equal(await client.getLastVersion('service', 'tools'), '1.10');
  });

  it('refuses to update a package a frame lacks, naming install', async () => {
    const r = await client.updateService('extra', { id: ids[0] });
    assert.equal(r[ids[0] ?? '']?.error?.code, 'PACKAGE_NOT_FOUND');
  });

  it('refuses a version no live frame holds', async () => {
    await assert.rejects(client.updateService('tools', { version: '9.9' }), { code: 'VERSION_NOT_FOUND' });
  });

  it('updates every frame to the highest version with no failed call under load', async () => {
    let failed = 0;
    let done = 0;
    let running = true;
    const load = Array.from({ length: 8 }, async () => {
      while (running) {
        try {
          await client.tools__add(1, 2);
          done++;
        } catch {
          failed++;
        }
      }
    });
    const results = await client.updateService('tools');
    running = false;
    await Promise.all(load);
    assert.deepEqual(outcome(results[ids[0] ?? '']), { ok: true, from: '1.9', to: '1.10', state: 'ok' });
    assert.deepEqual(outcome(results[ids[2] ?? '']), { ok: true, from: '1.9', to: '1.10', state: 'ok' });
    assert.equal(results[ids[1] ?? '']?.unchanged, true);
    assert.equal(failed, 0);
    assert.ok(done > 20);
    const versions = new Set(await Promise.all(Array.from({ length: 30 }, () => client.tools__ver())));
    assert.deepEqual([...versions], ['1.10'], 'the new code runs everywhere');
    const onDisk = await fs.readFile(
      path.join(path.dirname(confs[0] ?? ''), 'tools', 'setting.yaml'),
      'utf8',
    );
    assert.match(onDisk, /version: 1\.10/);
  });

  it('rolls a frame back to its previous version', async () => {
    const results = await client.rollbackService('tools', { id: ids[0] });
    assert.deepEqual(outcome(results[ids[0] ?? '']), { ok: true, from: '1.10', to: '1.9', state: 'ok' });
    const status = await client.packageStatus('service', 'tools');
    assert.equal(status.find((s) => s.frame === ids[0])?.version, '1.9');
  });

  it('installs a package at a relative path, rewriting frame.yaml with its comments kept', async () => {
    const conf = confs[0] ?? '';
    await fs.writeFile(conf, `# the first machine\n${await fs.readFile(conf, 'utf8')}# end of list\n`);
    const results = await client.installService('extra', './installed/extra', { notId: ids[2] });
    assert.deepEqual(outcome(results[ids[0] ?? '']), { ok: true, from: null, to: '2.0', state: 'ok' });
    assert.equal(Object.keys(results).length, 1);
    const text = await fs.readFile(conf, 'utf8');
    assert.match(text, /# the first machine/);
    assert.match(text, /# end of list/);
    assert.match(text, /- \.\/installed\/extra/);
    assert.ok((await fs.stat(path.join(path.dirname(conf), 'installed', 'extra', 'index.js'))).isFile());
    assert.equal(await client.extra__ver(), '2.0');
  });

  it('refuses to install a package a frame already has, naming update', async () => {
    const r = await client.installService('extra', './again', { id: ids[1] });
    assert.equal(r[ids[1] ?? '']?.error?.code, 'PACKAGE_EXISTS');
  });

  it('restarts services on every frame', async () => {
    const r = await client.restart('service');
    assert.equal(Object.keys(r).length, 3);
    assert.ok(Object.values(r).every((x) => x.ok));
  });

  it('returns at the timeout with a killed frame listed as not answering, then drops it', async () => {
    const victim = procs[2];
    victim?.child.kill('SIGKILL');
    await victim?.exited;
    const r = await client.commandAll('_ping', {}, { timeoutMs: 800 });
    assert.deepEqual(missingFrames(r), [ids[2]]);
    await until(
      'the killed frame to leave the view',
      async () => ((await client.servers()).some((f) => f.id === ids[2]) ? undefined : true),
      3 * HEARTBEAT_MS + 3000,
    );
  });

  it('drops a frame at once when it says goodbye', async () => {
    const gone = new Promise<FrameSnapshot>((resolve) => client.once('frame-down', resolve));
    await procs[0]?.stop();
    const t = Date.now();
    assert.equal((await gone).id, ids[0]);
    assert.ok(Date.now() - t < HEARTBEAT_MS * 3);
  });
});
