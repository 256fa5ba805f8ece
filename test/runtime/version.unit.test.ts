import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareVersions, highestVersion, isValidVersion, sameVersion, toSemver } from '@kael/runtime';

describe('version rules', () => {
  it('pads short versions to semver', () => {
    assert.equal(toSemver('1.0'), '1.0.0');
    assert.equal(toSemver('2'), '2.0.0');
    assert.equal(toSemver('v1.2.3-beta.1'), '1.2.3-beta.1');
  });
  it('orders 1.10 above 1.9', () => {
    assert.ok(compareVersions('1.10', '1.9') > 0);
    assert.equal(highestVersion(['1.9', '1.10', '1.2']), '1.10');
  });
  it('treats 1.0 and 1.0.0 as the same version', () => {
    assert.ok(sameVersion('1.0', '1.0.0'));
  });
  it('rejects texts that are not versions', () => {
    assert.equal(isValidVersion('latest'), false);
    assert.throws(() => compareVersions('x', '1.0'), { code: 'VERSION_INVALID' });
  });
});
