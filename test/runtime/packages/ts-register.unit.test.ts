import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

describe('loading TypeScript files without a build step', () => {
  let dir: string;
  let cache: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-ts-register-'));
    cache = path.join(dir, 'cache');
    process.env['KAEL_TS_CACHE'] = cache;
    await import('@kael/runtime/packages/ts-register');
  });
  after(async () => {
    delete process.env['KAEL_TS_CACHE'];
    await fs.rm(dir, { recursive: true, force: true });
  });

  const load = (file: string): unknown => {
    delete require.cache[file];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(file);
  };

  it('transpiles a .ts module, keeps the output in a private cache and uses it next time', async () => {
    const file = path.join(dir, 'answer.ts');
    await fs.writeFile(file, 'export const answer: number = 42;\n');
    assert.deepEqual({ ...(load(file) as object) }, { answer: 42 });
    assert.equal((await fs.stat(cache)).mode & 0o777, 0o700);
    const [cached, ...more] = await fs.readdir(cache);
    assert.equal(more.length, 0);
    // Same source, same path: the cached output is what runs (here, a changed one proves it).
    const out = path.join(cache, cached ?? '');
    await fs.writeFile(out, (await fs.readFile(out, 'utf8')).replace('= 42', '= 43'));
    assert.deepEqual({ ...(load(file) as object) }, { answer: 43 });
  });

  it('transpiles again when the source changes', async () => {
    const file = path.join(dir, 'changing.ts');
    await fs.writeFile(file, 'export const n: number = 1;\n');
    assert.deepEqual({ ...(load(file) as object) }, { n: 1 });
    await fs.writeFile(file, 'export const n: number = 2;\n');
    assert.deepEqual({ ...(load(file) as object) }, { n: 2 });
  });
});
