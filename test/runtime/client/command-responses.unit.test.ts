import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PendingCommand, missingFrames } from '@kael/runtime/client/command-responses';

const GONE = { code: 'FRAME_NOT_FOUND', name: 'KaelError', message: 'frame b left the namespace' };

describe('PendingCommand', () => {
  it('completes as soon as every target answered', async () => {
    const pending = new PendingCommand('_status', new Set(['a', 'b']));
    assert.equal(pending.add('a', { ok: true, value: 1 }), false);
    assert.equal(pending.add('b', { ok: true, value: 2 }), true);
    const started = Date.now();
    const replies = await pending.wait(60_000);
    assert.ok(Date.now() - started < 1000);
    assert.deepEqual(replies, { a: { ok: true, value: 1 }, b: { ok: true, value: 2 } });
  });
  it('settles a waiter when the last reply arrives later', async () => {
    const pending = new PendingCommand('_status', new Set(['a']));
    const waiting = pending.wait(60_000);
    setImmediate(() => pending.add('a', { ok: true, value: 'x' }));
    assert.deepEqual(await waiting, { a: { ok: true, value: 'x' } });
  });
  it('marks silent targets COMMAND_TIMEOUT at the timeout', async () => {
    const pending = new PendingCommand('_restart_service', new Set(['a', 'b']));
    pending.add('a', { ok: true, value: null });
    const replies = await pending.wait(20);
    assert.deepEqual(replies['a'], { ok: true, value: null });
    assert.equal(replies['b']?.ok, false);
    assert.equal(!replies['b']?.ok && replies['b']?.error.code, 'COMMAND_TIMEOUT');
    assert.deepEqual(missingFrames(replies), ['b']);
  });
  it('counts a write-off as an answer but never overwrites a real reply', async () => {
    const pending = new PendingCommand('_status', new Set(['a', 'b']));
    pending.add('a', { ok: true, value: 1 });
    assert.equal(pending.writeOff('a', GONE), false);
    assert.equal(pending.writeOff('b', GONE), true);
    const replies = await pending.wait(60_000);
    assert.deepEqual(replies, { a: { ok: true, value: 1 }, b: { ok: false, error: GONE } });
    assert.deepEqual(missingFrames(replies), []);
  });
  it('ignores a write-off of a frame that was never a target', () => {
    const pending = new PendingCommand('_status', new Set(['a']));
    assert.equal(pending.writeOff('zz', GONE), false);
    assert.equal(pending.complete, false);
  });
  it('adds a frame that answers without being expected', async () => {
    const pending = new PendingCommand('_status', new Set());
    assert.equal(pending.add('c', { ok: true, value: 3 }), true);
    assert.deepEqual([...pending.targets], ['c']);
    assert.deepEqual(await pending.wait(10), { c: { ok: true, value: 3 } });
  });
});
