import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger, WorkFrame } from '@kael/runtime';
import { DEFAULT_MESSAGE_LIMITS } from '@kael/runtime/model/message-limits';

const quiet = createLogger('test', 'silent');

describe('the size limits of a frame', () => {
  it('default to DEFAULT_MESSAGE_LIMITS and take the fields that are set', () => {
    const frame = new WorkFrame({ serviceGroupConf: '/nowhere/frame.yaml', logger: quiet });
    assert.deepEqual(frame.options.limits, DEFAULT_MESSAGE_LIMITS);
    const set = new WorkFrame({
      serviceGroupConf: '/nowhere/frame.yaml',
      logger: quiet,
      limits: { maxReplyBytes: 1000, maxRequestBytes: undefined },
    });
    assert.deepEqual(set.options.limits, { ...DEFAULT_MESSAGE_LIMITS, maxReplyBytes: 1000 });
  });

  it('refuse a size that is no positive integer or is over the broker limit with CONFIG_INVALID', () => {
    for (const maxReplyBytes of [0, 1.5, 200 * 1024 * 1024])
      assert.throws(
        () =>
          new WorkFrame({
            serviceGroupConf: '/nowhere/frame.yaml',
            logger: quiet,
            limits: { maxReplyBytes },
          }),
        { code: 'CONFIG_INVALID' },
      );
  });
});
