import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connectClient } from '@kael/runtime';
import type { WorkFrame } from '@kael/runtime';
import { CommandVerifier, signCommand } from '@kael/runtime/security/command-signature';
import { AURI } from '../../support/broker.js';
import { startTestFrame, versionedService } from '../../support/frames.js';
import type { TestFrame } from '../../support/frames.js';

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
    let ns: string;
    let frame: WorkFrame;
    let setup: TestFrame;

    before(async () => {
      setup = await startTestFrame({ tools: versionedService('tools', '1.0') }, { adminKey: 'k3y' });
      ({ namespace: ns, frame } = setup);
    });

    after(async () => {
      await setup.close();
    });

    it('refuses an unsigned restart but answers read-only commands', async () => {
      const client = await connectClient({ name: ns, auri: AURI, adminKey: '' });
      try {
        const r = await client.restart('service', { timeoutMs: 5000 });
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
        const r = await client.restart('service', { timeoutMs: 10_000 });
        assert.equal(r[frame.id]?.ok, true);
      } finally {
        await client.close();
      }
    });
  });
});
