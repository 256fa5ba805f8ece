import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { generateAdminKey, keyId, readAdminKey, readFrameAdminKey } from '@kael/runtime/security/admin-key';

async function keyFile(content: string, mode = 0o600): Promise<string> {
  const file = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'kael-key-')), 'admin.key');
  await fs.writeFile(file, content, { mode });
  await fs.chmod(file, mode);
  return file;
}

describe('admin keys', () => {
  it('generates 32 random bytes as base64url, with an 8-hex key id', () => {
    const a = generateAdminKey();
    assert.match(a, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a, generateAdminKey());
    assert.match(keyId(a), /^[0-9a-f]{8}$/);
    assert.equal(keyId(a), keyId(a));
  });

  it('reads the option first, then the key file, then KAEL_ADMIN_KEY, then KAEL_ADMIN_KEY_FILE', async () => {
    const file = await keyFile('from-file-0123456789\n');
    const env = { KAEL_ADMIN_KEY: 'from-env-0123456789', KAEL_ADMIN_KEY_FILE: file };
    assert.equal(readAdminKey({ key: 'option-0123456789', env })?.key, 'option-0123456789');
    assert.equal(readAdminKey({ keyFile: file, env })?.key, 'from-file-0123456789');
    assert.equal(readAdminKey({ env })?.key, 'from-env-0123456789');
    assert.equal(readAdminKey({ env: { KAEL_ADMIN_KEY_FILE: file } })?.key, 'from-file-0123456789');
    assert.equal(readAdminKey({ env: {} }), undefined);
  });

  it('treats an explicit empty key as "no key", whatever the environment says', () => {
    assert.equal(readAdminKey({ key: '', env: { KAEL_ADMIN_KEY: 'from-env-0123456789' } }), undefined);
  });

  it('names an unreadable or empty key file, and warns when others can read it', async () => {
    assert.throws(() => readAdminKey({ keyFile: '/nonexistent/admin.key', env: {} }), {
      code: 'CONFIG_INVALID',
    });
    assert.throws(() => readAdminKey({ keyFile: path.join(os.tmpdir(), '.'), env: {} }), {
      code: 'CONFIG_INVALID',
    });
    const empty = await keyFile('  \n');
    assert.throws(() => readAdminKey({ keyFile: empty, env: {} }), { code: 'CONFIG_INVALID' });
    assert.equal(readAdminKey({ keyFile: await keyFile(generateAdminKey()), env: {} })?.warning, undefined);
    assert.match(
      readAdminKey({ keyFile: await keyFile(generateAdminKey(), 0o644), env: {} })?.warning ?? '',
      /644/,
    );
  });

  it('makes frames refuse keys shorter than 16 characters', () => {
    assert.throws(() => readFrameAdminKey({ key: 'k3y', env: {} }), { code: 'CONFIG_INVALID' });
    assert.equal(readFrameAdminKey({ key: '0123456789abcdef', env: {} })?.key, '0123456789abcdef');
  });
});
