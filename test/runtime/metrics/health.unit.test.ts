import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { healthOf } from '@kael/runtime/metrics/health';

describe('the health a frame reports to probes', () => {
  it('is ok when running, connected and every package loaded', () => {
    const packages = [{ kind: 'service' as const, name: 'a', dir: '/a', state: 'ok' as const }];
    assert.deepEqual(healthOf({ running: true, connected: true, packages }), { ok: true, reasons: [] });
  });

  it('names every reason it is not', () => {
    const packages = [
      {
        kind: 'service' as const,
        name: 'a',
        dir: '/a',
        state: 'failed' as const,
        reason: 'index.js:1:1: boom [PACKAGE_INVALID]',
      },
      { kind: 'crontab' as const, name: 'c', dir: '/c', state: 'restarting' as const },
    ];
    assert.deepEqual(healthOf({ running: false, connected: false, packages }), {
      ok: false,
      reasons: [
        'the frame is not running',
        'not connected to the broker',
        'service a failed: index.js:1:1: boom [PACKAGE_INVALID]',
        'crontab c is restarting',
      ],
    });
  });
});
