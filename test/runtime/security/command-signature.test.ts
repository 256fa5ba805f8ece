import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connectClient, createLogger, WorkFrame } from '@kael/runtime';
import { CommandVerifier, signCommand } from '@kael/runtime/security/command-signature';
import { AURI, deleteNamespace, randomNamespace } from '../../support/broker.js';
import { makeFrameDir, versionedService } from '../../support/frames.js';

describe('command signatures', () => {
  it('accepts a signed changing command once and refuses a replay, a stale one and a wrong key', () => {
    const v = new CommandVerifier('secret');
    const auth = signCommand('secret', '_restart_service', { a: 1 });
    v.check('_restart_service', { a: 1 }, auth);
    assert.throws(() => v.check('_restart_service', { a: 1 }, auth), { code: 'UNAUTHORIZED' });
    assert.throws(
      () =>
        v.check('_restart_service', {}, signCommand('secret', '_restart_service', {}, Date.now() - 120_000)),
      { code: 'UNAUTHORIZED' },
    );
    assert.throws(() => v.check('_restart_service', {}, signCommand('other', '_restart_service', {})), {
      code: 'UNAUTHORIZED',
    });
    assert.throws(
      () => v.check('_restart_service', { a: 2 }, signCommand('secret', '_restart_service', { a: 1 })),
      { code: 'UNAUTHORIZED' },
    );
    assert.throws(() => v.check('_update_pkg', {}, undefined), { code: 'UNAUTHORIZED' });
    v.check('_get_pkg_version', {}, undefined);
  });

  describe('a frame with an admin key', () => {
    const ns = randomNamespace();
    let frame: WorkFrame;

    before(async () => {
      frame = new WorkFrame({
        name: ns,
        auri: AURI,
        serviceGroupConf: await makeFrameDir({ tools: versionedService('tools', '1.0') }),
        adminKey: 'k3y',
        logger: createLogger('test', 'silent'),
      });
      await frame.start();
    });

    after(async () => {
      await frame.stop();
      await deleteNamespace(ns);
    });

    it('refuses an unsigned restart but answers read-only commands', async () => {
      const client = await connectClient({ name: ns, auri: AURI, adminKey: '' });
      try {
        const r = await client.restartServers('service', { timeout: 5000 });
        const reply = r[frame.id];
        assert.equal(reply !== undefined && !reply.ok ? reply.error.code : 'ok', 'UNAUTHORIZED');
        const read = await client.commandAll('_get_pkg_version', { pkg_type: 'service' });
        assert.equal(read[frame.id]?.ok, true);
      } finally {
        await client.close();
      }
    });

    it('accepts a restart signed with the key', async () => {
      const client = await connectClient({ name: ns, auri: AURI, adminKey: 'k3y' });
      try {
        const r = await client.restartServers('service', { timeout: 10_000 });
        assert.equal(r[frame.id]?.ok, true);
      } finally {
        await client.close();
      }
    });
  });
});
