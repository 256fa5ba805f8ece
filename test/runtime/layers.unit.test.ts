import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

/**
 * The runtime's folders from the bottom up. A file may import from its own folder and from folders
 * listed before its own, never after: every arrow between folders points down.
 */
const LAYERS = [
  'errors.ts',
  'util',
  'version',
  'codec',
  'schedule',
  'broker',
  'model',
  'tracing',
  'config',
  'security',
  'deploy',
  'packages',
  'rpc',
  'metrics',
  'membership',
  'client',
  'commands',
  'cron',
  'daemon',
  'frame',
  'demo',
  'cli',
  'bench',
  'chaos',
  'index.ts',
];

const SRC = path.resolve(__dirname, '../../../runtime/src');

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sources(p)));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

function layerOf(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0] ?? '';
}

describe('the runtime folder layering', () => {
  it('has no import that points up or sideways between folders', async () => {
    const upward: string[] = [];
    for (const file of await sources(SRC)) {
      const from = layerOf(file);
      const rank = LAYERS.indexOf(from);
      assert.ok(rank >= 0, `${path.relative(SRC, file)} is in a folder the layering does not list`);
      const text = await fs.readFile(file, 'utf8');
      for (const m of text.matchAll(/(?:from |import\()'(\.[^']+)'/g)) {
        const target = layerOf(path.resolve(path.dirname(file), (m[1] ?? '').replace(/\.js$/, '.ts')));
        if (target !== from && LAYERS.indexOf(target) > rank)
          upward.push(`${path.relative(SRC, file)} → ${m[1] ?? ''}`);
      }
    }
    assert.deepEqual(upward, []);
  });
});
