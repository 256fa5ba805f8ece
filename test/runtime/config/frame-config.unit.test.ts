import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFrameConfigText } from '@kael/runtime/config/frame-config';

describe('frame.yaml label', () => {
  it('is read when present and absent when not', () => {
    const withLabel = parseFrameConfigText(
      'service_group: g\nlabel: web1-blue\npath: [./a]\n',
      '/srv/frame.yaml',
    );
    const without = parseFrameConfigText('service_group: g\npath: [./a]\n', '/srv/frame.yaml');
    assert.deepEqual([withLabel.config?.label, withLabel.problems], ['web1-blue', []]);
    assert.equal(without.config !== undefined && 'label' in without.config, false);
  });

  it('must be a non-empty string', () => {
    const { problems } = parseFrameConfigText(
      'service_group: g\nlabel: ""\npath: [./a]\n',
      '/srv/frame.yaml',
    );
    assert.deepEqual(
      problems.map((p) => [p.code, p.pointer]),
      [['schema', '/label']],
    );
  });
});
