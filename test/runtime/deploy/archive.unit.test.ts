import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, it } from 'node:test';
import { packFolder, sha256, unpackArchive } from '@kael/runtime/deploy/archive';
import { addFramePath } from '@kael/runtime/deploy/frame-yaml-edit';
import { listHistory, restoreNewest, swapInArchive } from '@kael/runtime/deploy/package-store';

async function tmp(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'kael-archive-'));
}

async function samplePackage(): Promise<string> {
  const dir = await tmp();
  await fs.writeFile(path.join(dir, 'setting.yaml'), 'type: service\n');
  await fs.mkdir(path.join(dir, 'lib'));
  await fs.writeFile(path.join(dir, 'lib', 'util.js'), 'exports.x = 1;\n');
  await fs.mkdir(path.join(dir, '.git'));
  await fs.writeFile(path.join(dir, '.git', 'HEAD'), 'ref');
  await fs.mkdir(path.join(dir, '__pycache__'));
  await fs.writeFile(path.join(dir, '__pycache__', 'x.pyc'), 'junk');
  await fs.symlink('lib/util.js', path.join(dir, 'link.js'));
  return dir;
}

/** Builds an archive with arbitrary (possibly hostile) entries, as a foreign frame could send. */
function craft(entries: object[], body: Buffer = Buffer.alloc(0)): { data: Buffer; digest: string } {
  const data = zlib.gzipSync(
    Buffer.concat([Buffer.from('KAELPKG1\n' + JSON.stringify({ entries }) + '\n'), body]),
  );
  return { data, digest: sha256(data) };
}

describe('package archives', () => {
  it('packs a folder deterministically, without VCS data or caches', async () => {
    const dir = await samplePackage();
    const a = await packFolder(dir);
    const b = await packFolder(dir);
    assert.equal(a.sha256, b.sha256);
    const out = path.join(await tmp(), 'out');
    const entries = await unpackArchive(a.data, a.sha256, out);
    assert.deepEqual(
      entries.map((e) => e.path),
      ['lib', 'lib/util.js', 'link.js', 'setting.yaml'],
    );
    assert.equal(await fs.readFile(path.join(out, 'lib', 'util.js'), 'utf8'), 'exports.x = 1;\n');
    assert.equal(await fs.readlink(path.join(out, 'link.js')), 'lib/util.js');
  });

  it('refuses a tampered archive (digest mismatch)', async () => {
    const a = await packFolder(await samplePackage());
    const tampered = Buffer.from(a.data);
    tampered[tampered.length - 5] = (tampered[tampered.length - 5] ?? 0) ^ 0xff;
    await assert.rejects(unpackArchive(tampered, a.sha256, path.join(await tmp(), 'x')), {
      code: 'ARCHIVE_INVALID',
    });
  });

  it('refuses path traversal, absolute paths and links leading outside', async () => {
    const cases = [
      craft([{ path: '../evil.js', type: 'file', size: 1, mode: 0o644 }], Buffer.from('x')),
      craft([{ path: 'a/../../evil.js', type: 'file', size: 1, mode: 0o644 }], Buffer.from('x')),
      craft([{ path: '/etc/evil', type: 'file', size: 1, mode: 0o644 }], Buffer.from('x')),
      craft([{ path: 'link', type: 'symlink', target: '../../etc/passwd' }]),
      craft([{ path: 'link', type: 'symlink', target: '/etc/passwd' }]),
    ];
    for (const c of cases) {
      const dest = path.join(await tmp(), 'x');
      await assert.rejects(unpackArchive(c.data, c.digest, dest), { code: 'ARCHIVE_INVALID' });
      await assert.rejects(fs.stat(dest), { code: 'ENOENT' }, 'nothing was written');
    }
  });

  it('refuses an archive over the size limit', async () => {
    const a = await packFolder(await samplePackage());
    await assert.rejects(
      unpackArchive(a.data, a.sha256, path.join(await tmp(), 'x'), {
        maxCompressed: 10,
        maxUncompressed: 1000,
      }),
      { code: 'ARCHIVE_INVALID' },
    );
    await assert.rejects(
      unpackArchive(a.data, a.sha256, path.join(await tmp(), 'y'), {
        maxCompressed: 1e6,
        maxUncompressed: 20,
      }),
      { code: 'ARCHIVE_INVALID' },
    );
  });

  it('leaves the installed package untouched when an update fails, and rolls back to the kept version', async () => {
    const root = await tmp();
    const target = path.join(root, 'pkg');
    const history = path.join(root, '.kael', 'history');
    const v1 = await packFolder(await samplePackage());
    await swapInArchive(target, v1.data, v1.sha256, history);
    const before = await fs.readFile(path.join(target, 'setting.yaml'), 'utf8');
    const bad = craft([{ path: '../x', type: 'file', size: 0 }]);
    await assert.rejects(swapInArchive(target, bad.data, bad.digest, history, '1'), {
      code: 'ARCHIVE_INVALID',
    });
    assert.equal(await fs.readFile(path.join(target, 'setting.yaml'), 'utf8'), before);
    assert.ok(
      (await fs.readdir(root)).every((n) => !n.includes('kael-staging')),
      'no staging folder is left behind',
    );
    const dir2 = await samplePackage();
    await fs.writeFile(path.join(dir2, 'setting.yaml'), 'type: service # v2\n');
    const v2 = await packFolder(dir2);
    await swapInArchive(target, v2.data, v2.sha256, history, '1.0');
    assert.match(await fs.readFile(path.join(target, 'setting.yaml'), 'utf8'), /v2/);
    assert.deepEqual(
      (await listHistory(history)).map((h) => h.version),
      ['1.0'],
    );
    assert.equal(await restoreNewest(target, history), '1.0');
    assert.equal(await fs.readFile(path.join(target, 'setting.yaml'), 'utf8'), before);
    assert.ok((await fs.readdir(root)).every((n) => !n.includes('kael-staging') && !n.includes('kael-old')));
  });

  it('adds a path to frame.yaml keeping comments and order', async () => {
    const file = path.join(await tmp(), 'frame.yaml');
    await fs.writeFile(
      file,
      '# my frame\nservice_group: g # the group\npath:\n  - ./a # first\n  - ./b\n# trailing\n',
    );
    await addFramePath(file, './c');
    const text = await fs.readFile(file, 'utf8');
    assert.match(text, /# my frame/);
    assert.match(text, /# the group/);
    assert.match(text, /- \.\/a # first\n {2}- \.\/b\n {2}- \.\/c/);
    assert.match(text, /# trailing/);
  });
});
