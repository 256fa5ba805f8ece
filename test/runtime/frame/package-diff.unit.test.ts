import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffPackages, isEmptyDiff } from '@kael/runtime/frame/package-diff';
import type { PackageRecord } from '@kael/runtime/model/package-record';

function record(dir: string, version: string, extra: Partial<PackageRecord> = {}): PackageRecord {
  return {
    dir: `/srv/${dir}`,
    raw: `./${dir}`,
    pointer: '/path/0',
    setting: { type: 'service', name: dir, version, publish: ['f'] } as unknown as PackageRecord['setting'],
    problems: [],
    error: undefined,
    ...extra,
  };
}

describe('diffPackages', () => {
  it('sorts folders into added, removed, changed and unchanged', () => {
    const running = [record('a', '1.0'), record('b', '1.0'), record('c', '1.0')];
    const diff = diffPackages(running, [record('a', '1.0'), record('c', '1.1'), record('d', '1.0')]);
    assert.deepEqual(
      {
        added: diff.added.map((r) => r.dir),
        removed: diff.removed.map((r) => r.dir),
        changed: diff.changed.map((r) => r.dir),
        unchanged: diff.unchanged.map((r) => r.dir),
      },
      { added: ['/srv/d'], removed: ['/srv/b'], changed: ['/srv/c'], unchanged: ['/srv/a'] },
    );
    assert.equal(diff.unchanged[0], running[0]);
    assert.equal(isEmptyDiff(diff), false);
  });

  it('finds nothing to apply when frame.yaml and the settings are the same', () => {
    const diff = diffPackages([record('a', '1.0')], [record('a', '1.0')]);
    assert.equal(isEmptyDiff(diff), true);
  });

  it('retries a failing package even when its setting did not change', () => {
    const failing = record('a', '1.0', {
      error: { code: 'PACKAGE_INVALID', name: 'KaelError', message: 'x' },
    });
    const diff = diffPackages([failing], [record('a', '1.0')]);
    assert.deepEqual(
      diff.changed.map((r) => r.dir),
      ['/srv/a'],
    );
  });

  it('counts a frame.yaml entry written another way as a change', () => {
    const diff = diffPackages([record('a', '1.0')], [record('a', '1.0', { raw: '/srv/a' })]);
    assert.equal(diff.changed.length, 1);
  });
});
