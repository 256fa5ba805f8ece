import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planDeploy, selectFrames } from '@kael/runtime/client/deploy-plan';
import type { FrameSnapshot, PackageSnapshot } from '@kael/runtime/model/frame-snapshot';

function frame(id: string, packages: PackageSnapshot[] = []): FrameSnapshot {
  return {
    id,
    host: 'h',
    pid: 1,
    namespace: 'ns',
    startedAt: '2026-11-26T00:00:00.000Z',
    heartbeatMs: 1000,
    configFile: `/srv/${id}/frame.yaml`,
    packages,
    crontabs: [],
  };
}

function calc(version: string, failed = false): PackageSnapshot {
  const p: PackageSnapshot = { kind: 'service', name: 'calc', version, dir: '/srv/calc' };
  if (failed) p.error = { code: 'PACKAGE_INVALID', name: 'KaelError', message: 'broken' };
  return p;
}

const ids = (frames: readonly FrameSnapshot[]): string[] => frames.map((f) => f.id);

describe('selectFrames', () => {
  const frames = [frame('a'), frame('b'), frame('c')];
  it('selects every frame without id or notId', () => {
    assert.deepEqual(ids(selectFrames(frames, {})), ['a', 'b', 'c']);
  });
  it('selects only the frame named by id', () => {
    assert.deepEqual(ids(selectFrames(frames, { id: 'b' })), ['b']);
  });
  it('drops the frames of a comma-separated notId', () => {
    assert.deepEqual(ids(selectFrames(frames, { notId: 'a,c' })), ['b']);
  });
  it('drops the frames of a notId list', () => {
    assert.deepEqual(ids(selectFrames(frames, { notId: ['b'] })), ['a', 'c']);
  });
  it('selects nothing when id is also excluded', () => {
    assert.deepEqual(ids(selectFrames(frames, { id: 'a', notId: ['a'] })), []);
  });
});

describe('planDeploy', () => {
  it('updates every holder from the frame with the highest loaded version', () => {
    const frames = [frame('a', [calc('1.9')]), frame('b', [calc('1.10')]), frame('c')];
    const plan = planDeploy(frames, 'update', 'service', 'calc', {});
    assert.equal(plan.version, '1.10');
    assert.equal(plan.source.id, 'b');
    assert.deepEqual(ids(plan.targets), ['a', 'b']);
  });
  it('installs onto the frames that lack the package', () => {
    const frames = [frame('a', [calc('1.0')]), frame('b'), frame('c')];
    const plan = planDeploy(frames, 'install', 'service', 'calc', { notId: ['c'] });
    assert.equal(plan.source.id, 'a');
    assert.deepEqual(ids(plan.targets), ['b']);
  });
  it('never takes a copy that failed to load as the source', () => {
    const frames = [frame('a', [calc('2.0', true)]), frame('b', [calc('1.0')])];
    const plan = planDeploy(frames, 'update', 'service', 'calc', {});
    assert.equal(plan.version, '1.0');
    assert.equal(plan.source.id, 'b');
  });
  it('takes the requested version, written either way', () => {
    const frames = [frame('a', [calc('1.0.0')]), frame('b', [calc('2.0')])];
    const plan = planDeploy(frames, 'update', 'service', 'calc', { version: '1.0' });
    assert.equal(plan.source.id, 'a');
  });
  it('always targets an explicit id, even one that already holds the package', () => {
    const frames = [frame('a', [calc('1.0')]), frame('b', [calc('1.0')])];
    const plan = planDeploy(frames, 'install', 'service', 'calc', { id: 'b' });
    assert.deepEqual(ids(plan.targets), ['b']);
  });
  it('fails with VERSION_NOT_FOUND when no frame holds the package', () => {
    assert.throws(() => planDeploy([frame('a')], 'update', 'service', 'calc', {}), {
      code: 'VERSION_NOT_FOUND',
    });
  });
  it('fails with VERSION_NOT_FOUND when only a failed copy holds it', () => {
    assert.throws(() => planDeploy([frame('a', [calc('1.0', true)])], 'update', 'service', 'calc', {}), {
      code: 'VERSION_NOT_FOUND',
    });
  });
  it('fails with VERSION_NOT_FOUND for a version no frame holds', () => {
    assert.throws(
      () => planDeploy([frame('a', [calc('1.0')])], 'update', 'service', 'calc', { version: '3.0' }),
      { code: 'VERSION_NOT_FOUND' },
    );
  });
  it('fails with FRAME_NOT_FOUND for an unknown id', () => {
    assert.throws(() => planDeploy([frame('a', [calc('1.0')])], 'update', 'service', 'calc', { id: 'zz' }), {
      code: 'FRAME_NOT_FOUND',
    });
  });
  it('keeps kinds apart: a crontab of the same name is not a source', () => {
    const frames = [frame('a', [{ kind: 'crontab', name: 'calc', version: '1.0', dir: '/srv/x' }])];
    assert.throws(() => planDeploy(frames, 'update', 'service', 'calc', {}), { code: 'VERSION_NOT_FOUND' });
  });
});
