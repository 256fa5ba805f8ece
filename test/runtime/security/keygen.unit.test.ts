import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../../support/frames.js';

describe('kael keygen', () => {
  it('prints a new 32-byte base64url key each time, and nothing else on stdout', async () => {
    const [a, b] = await Promise.all([runCli(['keygen']), runCli(['keygen'])]);
    assert.equal(a.code, 0);
    assert.match(a.stdout, /^[A-Za-z0-9_-]{43}\n$/);
    assert.notEqual(a.stdout, b.stdout);
  });
});
