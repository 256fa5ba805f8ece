import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { resolveInstallPath } from '@kael/runtime/security/install-root';

describe('install paths', () => {
  it('accepts relative and absolute paths inside the install root', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-root-'));
    assert.equal(await resolveInstallPath(root, root, './pkgs/calc'), path.join(root, 'pkgs', 'calc'));
    assert.equal(await resolveInstallPath(root, root, path.join(root, 'calc')), path.join(root, 'calc'));
  });

  it('refuses absolute paths outside, ../ escapes, the root itself and kael’s own .kael folder', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-root-'));
    for (const p of ['/etc/cron.d/x', '../outside', 'a/../../outside', '.', './.kael/history/service/calc/x'])
      await assert.rejects(resolveInstallPath(root, root, p), { code: 'UNAUTHORIZED' }, p);
  });

  it('refuses a path that leaves the root through a symbolic link on the way', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-root-'));
    const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-outside-'));
    await fs.symlink(outside, path.join(root, 'link'));
    await assert.rejects(resolveInstallPath(root, root, './link/calc'), { code: 'UNAUTHORIZED' });
  });

  it('says when the install root does not exist', async () => {
    await assert.rejects(resolveInstallPath('/nonexistent/kael-root', '/nonexistent/kael-root', 'x'), {
      code: 'USAGE',
    });
  });
});
