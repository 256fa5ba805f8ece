import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommandMessage } from '@kael/runtime/model/command-message';
import { generateAdminKey, keyId } from '@kael/runtime/security/admin-key';
import { CommandVerifier, signCommand, signedText } from '@kael/runtime/security/command-signature';

const KEY = generateAdminKey();
const FRAME = 'host-1-abc';
const NOW = 1_800_000_000_000;

function verifier(options: Partial<ConstructorParameters<typeof CommandVerifier>[0]> = {}): CommandVerifier {
  return new CommandVerifier({
    key: KEY,
    namespace: 'prod',
    frameId: FRAME,
    startedAt: NOW - 10_000,
    ...options,
  });
}

/** A command as the client would send it, signed for `namespace` at `ts`. */
function signed(
  command: Omit<CommandMessage, 'auth'>,
  namespace = 'prod',
  ts = NOW,
  key = KEY,
): CommandMessage {
  return { ...command, auth: signCommand(key, { namespace, ...command }, ts) };
}

const UPDATE: Omit<CommandMessage, 'auth'> = {
  fn: '_update_pkg',
  kwargs: { pkg: 'calc', pkg_type: 'service', version: '1.2', source: 'host-2-def', sha256: 'a'.repeat(64) },
  notId: ['host-3-ghi'],
};

describe('command signatures', () => {
  it('accepts a signed changing command once, naming the key that signed it', () => {
    const v = verifier();
    const command = signed(UPDATE);
    assert.deepEqual(v.check(command, NOW), { kind: 'signed', kid: keyId(KEY) });
    assert.throws(() => v.check(command, NOW + 1000), { code: 'UNAUTHORIZED' }, 'a replay is refused');
  });

  it('lets read-only commands through without a signature', () => {
    assert.deepEqual(verifier().check({ fn: '_get_pkg_version', kwargs: {} }, NOW), { kind: 'open' });
    assert.deepEqual(verifier({ key: undefined }).check({ fn: '_ping', kwargs: {} }, NOW), { kind: 'open' });
  });

  it('refuses every changing command on a frame without a key, signed or not', () => {
    const v = verifier({ key: undefined });
    for (const fn of [
      '_install_pkg',
      '_update_pkg',
      '_rollback_pkg',
      '_restart_service',
      '_restart_crontab',
      '_export_pkg',
    ])
      assert.throws(() => v.check({ fn, kwargs: {} }, NOW), { code: 'UNAUTHORIZED' }, fn);
    assert.throws(() => v.check(signed(UPDATE), NOW), { code: 'UNAUTHORIZED' });
  });

  it('lets unsigned changing commands through only with the explicit opt-out', () => {
    assert.throws(() => verifier().check({ fn: '_restart_service', kwargs: {} }, NOW), {
      code: 'UNAUTHORIZED',
    });
    assert.deepEqual(verifier({ allowUnsigned: true }).check({ fn: '_restart_service', kwargs: {} }, NOW), {
      kind: 'unsigned',
    });
    assert.deepEqual(verifier({ key: undefined, allowUnsigned: true }).check(signed(UPDATE), NOW), {
      kind: 'unsigned',
    });
  });

  it('still refuses a wrong signature when the opt-out is on', () => {
    const forged = signed(UPDATE, 'prod', NOW, generateAdminKey());
    assert.throws(() => verifier({ allowUnsigned: true }).check(forged, NOW), { code: 'UNAUTHORIZED' });
  });

  it('refuses a signature made for another namespace', () => {
    assert.throws(() => verifier().check(signed(UPDATE, 'staging'), NOW), { code: 'UNAUTHORIZED' });
  });

  it('refuses a command whose name, any argument, or targets changed after signing', () => {
    const original = signed(UPDATE);
    const changes: CommandMessage[] = [
      { ...original, fn: '_install_pkg' },
      { ...original, kwargs: { ...original.kwargs, version: '6.6' } },
      { ...original, kwargs: { ...original.kwargs, source: 'fake-frame' } },
      { ...original, kwargs: { ...original.kwargs, sha256: 'b'.repeat(64) } },
      { ...original, kwargs: { ...original.kwargs, install_path: '/etc' } },
      { ...original, notId: [] },
      { ...original, id: FRAME },
      { ...original, requestId: 'r1' },
    ];
    for (const c of changes)
      assert.throws(() => verifier().check(c, NOW), { code: 'UNAUTHORIZED' }, JSON.stringify(c));
    const { notId: _dropped, ...withoutNotId } = original;
    assert.throws(() => verifier().check(withoutNotId, NOW), { code: 'UNAUTHORIZED' });
  });

  it('refuses a command signed for another frame, or signed to skip this one', () => {
    assert.throws(() => verifier().check(signed({ ...UPDATE, id: 'host-2-def', notId: [] }), NOW), {
      code: 'UNAUTHORIZED',
    });
    assert.throws(() => verifier().check(signed({ ...UPDATE, notId: [FRAME] }), NOW), {
      code: 'UNAUTHORIZED',
    });
    assert.equal(verifier().check(signed({ ...UPDATE, id: FRAME, notId: [] }), NOW).kind, 'signed');
  });

  it('refuses signatures outside the ±60 s window and those made before the frame started', () => {
    assert.throws(() => verifier().check(signed(UPDATE, 'prod', NOW - 61_000), NOW), {
      code: 'UNAUTHORIZED',
    });
    assert.throws(() => verifier().check(signed(UPDATE, 'prod', NOW + 61_000), NOW), {
      code: 'UNAUTHORIZED',
    });
    const restarted = verifier({ startedAt: NOW - 1000 });
    assert.throws(() => restarted.check(signed(UPDATE, 'prod', NOW - 2000), NOW), { code: 'UNAUTHORIZED' });
    assert.equal(restarted.check(signed(UPDATE, 'prod', NOW - 500), NOW).kind, 'signed');
  });

  it('keeps nonces for the whole window: a replay late in the window is still refused', () => {
    const v = verifier();
    const command = signed(UPDATE);
    v.check(command, NOW);
    v.check(signed({ fn: '_restart_service', kwargs: {} }, 'prod', NOW + 59_000), NOW + 59_000);
    assert.throws(() => v.check(command, NOW + 59_999), { code: 'UNAUTHORIZED' });
  });

  it('refuses a signature by another key, naming both key ids', () => {
    const other = generateAdminKey();
    assert.throws(
      () => verifier().check(signed(UPDATE, 'prod', NOW, other), NOW),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, 'UNAUTHORIZED');
        assert.ok(e.message.includes(keyId(other)) && e.message.includes(keyId(KEY)));
        return true;
      },
    );
  });

  it('refuses malformed signatures', () => {
    const good = signed(UPDATE);
    const auth = good.auth as NonNullable<CommandMessage['auth']>;
    for (const bad of [
      { ...auth, v: 2 },
      { ...auth, ts: 'now' },
      { ...auth, nonce: 'short' },
      { ...auth, sig: 'zz' },
      { ...auth, kid: undefined },
    ])
      assert.throws(() => verifier().check({ ...good, auth: bad as never }, NOW), { code: 'UNAUTHORIZED' });
  });

  it('signs the same text whatever the key order and whether absent arguments travel as null', () => {
    const auth = { v: 1, kid: 'k', ts: 1, nonce: 'n' };
    assert.equal(
      signedText({ namespace: 'a', fn: 'f', kwargs: { b: 1, a: [1, 2], c: null } }, auth),
      signedText({ namespace: 'a', fn: 'f', kwargs: { a: [1, 2], b: 1 }, notId: [] }, auth),
    );
    assert.notEqual(
      signedText({ namespace: 'a', fn: 'f', kwargs: {}, notId: ['x'] }, auth),
      signedText({ namespace: 'a', fn: 'f', kwargs: {} }, auth),
    );
  });

  it('signs a request id when there is one, and a command without one as before request ids', () => {
    const auth = { v: 1, kid: 'k', ts: 1, nonce: 'n' };
    const plain = { namespace: 'a', fn: 'f', kwargs: {} };
    assert.equal(
      signedText(plain, auth),
      '{"fn":"f","kid":"k","kwargs":{},"nonce":"n","notId":[],"ns":"a","ts":1,"v":1}',
    );
    assert.equal(
      signedText({ ...plain, requestId: 'r1' }, auth),
      '{"fn":"f","kid":"k","kwargs":{},"nonce":"n","notId":[],"ns":"a","rid":"r1","ts":1,"v":1}',
    );
    const copy = signed({ ...UPDATE, requestId: 'r1' });
    assert.equal(verifier().check(copy, NOW).kind, 'signed');
    assert.throws(() => verifier().check({ ...copy, requestId: 'r2' }, NOW), { code: 'UNAUTHORIZED' });
  });
});
