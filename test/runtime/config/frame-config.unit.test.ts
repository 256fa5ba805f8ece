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

describe('frame.yaml limits and package load time limit', () => {
  it('are read when present', () => {
    const { config, problems } = parseFrameConfigText(
      'service_group: g\nlimits:\n  max_request_bytes: 1000\n  max_reply_bytes: 2000\npackage_load_timeout_ms: 5000\npath: [./a]\n',
      '/srv/frame.yaml',
    );
    assert.deepEqual(
      [config?.limits, config?.packageLoadTimeoutMs, problems],
      [{ maxRequestBytes: 1000, maxReplyBytes: 2000 }, 5000, []],
    );
  });

  it('refuse sizes over the broker limit, unknown keys and a load time limit under 100 ms', () => {
    const { problems } = parseFrameConfigText(
      'service_group: g\nlimits:\n  max_request_bytes: 200000000\n  max_bytes: 1\npackage_load_timeout_ms: 10\npath: [./a]\n',
      '/srv/frame.yaml',
    );
    assert.deepEqual(problems.map((p) => p.pointer).sort(), [
      '/limits/max_bytes',
      '/limits/max_request_bytes',
      '/package_load_timeout_ms',
    ]);
  });
});
