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
  await fs.mkdir(path.join(dir, 'node_modules', '.bin'), { recursive: true });
  await fs.symlink('../x/cli.js', path.join(dir, 'node_modules', '.bin', 'x'));
  return dir;
}

/** Builds an archive with arbitrary (possibly hostile) entries, as a foreign frame could send. */
function craft(entries: object[], body: Buffer = Buffer.alloc(0)): { data: Buffer; digest: string } {
  const data = zlib.gzipSync(
    Buffer.concat([Buffer.from('KAELPKG1\n' + JSON.stringify({ entries }) + '\n'), body]),
  );
  return { data, digest: sha256(data) };
}

/** Asserts that unpacking `archive` fails with ARCHIVE_INVALID and leaves nothing at `dest`. */
async function refused(archive: { data: Buffer; digest: string }, dest?: string): Promise<void> {
  const target = dest ?? path.join(await tmp(), 'x');
  await assert.rejects(unpackArchive(archive.data, archive.digest, target), { code: 'ARCHIVE_INVALID' });
  await assert.rejects(fs.lstat(target), { code: 'ENOENT' }, 'nothing was written');
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
      ['lib', 'lib/util.js', 'node_modules', 'setting.yaml'],
    );
    assert.equal(await fs.readFile(path.join(out, 'lib', 'util.js'), 'utf8'), 'exports.x = 1;\n');
  });

  it('refuses to pack a folder holding a symbolic link, naming the link', async () => {
    const dir = await samplePackage();
    await fs.symlink('lib/util.js', path.join(dir, 'lib', 'link.js'));
    await assert.rejects(packFolder(dir), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'ARCHIVE_INVALID');
      assert.ok(e.message.includes(path.join(dir, 'lib', 'link.js')), e.message);
      return true;
    });
  });

  it('refuses to pack a FIFO, and packs a hard-linked file as its content', async () => {
    const dir = await samplePackage();
    await fs.link(path.join(dir, 'lib', 'util.js'), path.join(dir, 'hard.js'));
    const packed = await packFolder(dir);
    const out = path.join(await tmp(), 'out');
    const entries = await unpackArchive(packed.data, packed.sha256, out);
    assert.equal(entries.find((e) => e.path === 'hard.js')?.type, 'file');
    assert.equal((await fs.stat(path.join(out, 'hard.js'))).nlink, 1);
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [path.join(dir, 'pipe')]);
    await assert.rejects(packFolder(dir), { code: 'ARCHIVE_INVALID' });
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
      craft([{ path: 'link', type: 'symlink', target: '/etc' }]),
    ];
    for (const c of cases) await refused(c);
  });

  it('refuses the symlink chain a/b→.., a/b/c→.., a/b/c/d→.. with a file under a/b/c/d/, writing nothing anywhere', async () => {
    const name = `pwned-${process.pid}-${Date.now()}.txt`;
    const chain = craft(
      [
        { path: 'a', type: 'dir' },
        { path: 'a/b', type: 'symlink', target: '..' },
        { path: 'a/b/c', type: 'symlink', target: '..' },
        { path: 'a/b/c/d', type: 'symlink', target: '..' },
        { path: `a/b/c/d/${name}`, type: 'file', size: 5, mode: 0o644 },
      ],
      Buffer.from('owned'),
    );
    const parent = await tmp();
    await refused(chain, path.join(parent, 'pkg'));
    for (const dir of [parent, path.dirname(parent), path.dirname(path.dirname(parent))])
      await assert.rejects(fs.lstat(path.join(dir, name)), { code: 'ENOENT' }, `nothing written in ${dir}`);
    assert.deepEqual(await fs.readdir(parent), []);
  });

  it('refuses a file that would overwrite setting.yaml through a link of the same archive', async () => {
    const good = Buffer.from('type: service # reviewed\n');
    const evil = Buffer.from('type: service # replaced\n');
    const overwrite = craft(
      [
        { path: 'setting.yaml', type: 'file', size: good.length, mode: 0o644 },
        { path: 'link', type: 'symlink', target: 'setting.yaml' },
        { path: 'link', type: 'file', size: evil.length, mode: 0o644 },
      ],
      Buffer.concat([good, evil]),
    );
    await refused(overwrite);
    // Without links, a repeated path is refused too (it would overwrite what the listing shows).
    await refused(
      craft(
        [
          { path: 'setting.yaml', type: 'file', size: good.length, mode: 0o644 },
          { path: 'setting.yaml', type: 'file', size: evil.length, mode: 0o644 },
        ],
        Buffer.concat([good, evil]),
      ),
    );
  });

  it('refuses hard links, device files and any entry that is not a file or a folder', async () => {
    for (const type of ['hardlink', 'link', 'char', 'block', 'fifo', 'socket', undefined])
      await refused(craft([{ path: 'x', type, target: 'setting.yaml' }]));
  });

  it('refuses entries whose sizes do not add up to the archive body', async () => {
    await refused(craft([{ path: 'a', type: 'file', size: 10, mode: 0o644 }], Buffer.from('short')));
    await refused(craft([{ path: 'a', type: 'file', size: 1, mode: 0o644 }], Buffer.from('toolong')));
    await refused(craft([{ path: 'a', type: 'file', size: -1, mode: 0o644 }]));
    await refused(
      craft(
        [
          { path: 'a', type: 'file', size: 1, mode: 0o644 },
          { path: 'a/b', type: 'dir' },
        ],
        Buffer.from('x'),
      ),
    );
  });

  it('refuses a gzip bomb without inflating it', async () => {
    // 300 gzip members of 1 MiB of zeros each: 300 KB that would inflate to 300 MiB (limit 256 MiB).
    const bomb = Buffer.concat(Array.from({ length: 300 }, () => zlib.gzipSync(Buffer.alloc(2 ** 20))));
    await refused({ data: bomb, digest: sha256(bomb) });
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
