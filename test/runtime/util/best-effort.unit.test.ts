import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bestEffort } from '@kael/runtime/util/best-effort';

/** A logger that keeps the fields of every debug line. */
function recorder(): { debug(message: string, fields?: Record<string, unknown>): void; fields: unknown[] } {
  const fields: unknown[] = [];
  return { debug: (_message, f) => void fields.push(f), fields };
}

describe('bestEffort', () => {
  it('resolves without logging when the step succeeds', async () => {
    const log = recorder();
    assert.equal(await bestEffort(Promise.resolve(42), log, 'close a channel'), undefined);
    assert.deepEqual(log.fields, []);
  });

  it('resolves and logs the error at debug when the step rejects', async () => {
    const log = recorder();
    await bestEffort(Promise.reject(new Error('channel already closed')), log, 'close a channel');
    assert.deepEqual(log.fields, [{ error: 'channel already closed' }]);
  });

  it('handles a function that throws before it returns a promise', async () => {
    const log = recorder();
    await bestEffort(
      () => {
        throw new Error('no channel');
      },
      log,
      'close a channel',
    );
    assert.deepEqual(log.fields, [{ error: 'no channel' }]);
  });

  it('logs a thrown value that is no Error as text', async () => {
    const log = recorder();
    await bestEffort(
      () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the case under test
        throw 'gone';
      },
      log,
      'answer a peer',
    );
    assert.deepEqual(log.fields, [{ error: 'gone' }]);
  });
});
