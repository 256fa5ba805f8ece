import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../../support/frames.js';

describe('kael schedule', () => {
  it('prints the next fire times with their offset and the plain-words meaning', async () => {
    const r = await runCli([
      'schedule',
      '30 0 * * 1',
      '--tz',
      'Europe/Berlin',
      '--from',
      '2026-03-28T12:00:00Z',
      '--count',
      '2',
    ]);
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      '30 0 * * 1: at 00:30 on Monday (Europe/Berlin)\n2026-03-30T00:30:00+02:00\n2026-04-06T00:30:00+02:00\n',
    );
  });

  it('answers JSON, and says when a schedule never fires', async () => {
    const r = await runCli(['schedule', '0 0 31 2 *', '--tz', 'UTC', '--json']);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), {
      schedule: '0 0 31 2 *',
      timezone: 'UTC',
      description: 'at 00:00 on day 31 in February',
      canFire: false,
      next: [],
    });
  });

  it('gives the per-field error and exit 1 for an invalid schedule', async () => {
    const r = await runCli(['schedule', '61 * * * *']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'kael: [SCHEDULE_INVALID] minute: 61 is out of range 0-59\n');
    const j = await runCli(['schedule', '0 0 * * 8', '--json']);
    assert.equal(j.code, 1);
    assert.deepEqual(JSON.parse(j.stdout), {
      schedule: '0 0 * * 8',
      error: { code: 'SCHEDULE_INVALID', message: 'day-of-week: 8 is out of range 0-7' },
    });
  });
});
