import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkLimitOption,
  checkRequestSize,
  checkTimeout,
  MAX_EXPIRATION_MS,
} from '@kael/runtime/rpc/request-checks';
import { replyErrorCode } from '@kael/runtime/rpc/reply-error-code';

describe('request checks', () => {
  it('accepts timeouts from 1 ms to the broker expiration maximum', () => {
    for (const ok of [1, 0.5, 30_000, MAX_EXPIRATION_MS]) assert.doesNotThrow(() => checkTimeout(ok, 'x'));
  });

  it('refuses timeouts the broker would reject with OPTION_INVALID', () => {
    for (const bad of [1e12, MAX_EXPIRATION_MS + 1, 0, -5, Number.NaN, Infinity, '100' as unknown as number])
      assert.throws(() => checkTimeout(bad, 'x'), { code: 'OPTION_INVALID' });
  });

  it('refuses a body over the limit with REQUEST_TOO_LARGE naming the sizes', () => {
    assert.doesNotThrow(() => checkRequestSize(10, 10, 'x'));
    assert.throws(() => checkRequestSize(11, 10, 'x'), {
      code: 'REQUEST_TOO_LARGE',
      details: { bytes: 11, limit: 10 },
    });
  });

  it('refuses a size limit that is not a positive whole number', () => {
    assert.equal(checkLimitOption('maxRequestBytes', 5), 5);
    for (const bad of [0, -1, 1.5, Number.NaN])
      assert.throws(() => checkLimitOption('maxRequestBytes', bad), { code: 'OPTION_INVALID' });
  });

  it('keeps the codes kael gives in error replies and turns others into REMOTE_ERROR', () => {
    assert.equal(replyErrorCode('REPLY_TOO_LARGE'), 'REPLY_TOO_LARGE');
    assert.equal(replyErrorCode('WORKER_CRASHED'), 'WORKER_CRASHED');
    assert.equal(replyErrorCode('INVALID_ARGS'), 'INVALID_ARGS');
    assert.equal(replyErrorCode('ECONNRESET'), 'REMOTE_ERROR');
  });
});
