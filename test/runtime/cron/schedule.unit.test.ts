import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeSchedule, nextFire, parseSchedule, parseSettingText, scheduleProblem } from '@kael/runtime';

function nexts(text: string, from: string, n: number, zone = 'UTC'): string[] {
  const s = parseSchedule(text, zone);
  const out: string[] = [];
  let t: Date | undefined = new Date(from);
  for (let i = 0; i < n && t !== undefined; i++) {
    t = nextFire(s, t);
    if (t !== undefined) out.push(t.toISOString());
  }
  return out;
}

describe('cron schedules (system cron meaning)', () => {
  it('fires on the 1st OR on Mondays when both day fields are restricted (Vixie rule)', () => {
    // 2026-11-24 is a Tuesday: next Monday 30th, then Tuesday Dec 1st, then Monday Dec 7th.
    assert.deepEqual(nexts('0 0 1 * 1', '2026-11-24T12:00:00Z', 3), [
      '2026-11-30T00:00:00.000Z',
      '2026-12-01T00:00:00.000Z',
      '2026-12-07T00:00:00.000Z',
    ]);
  });

  it('ANDs the day fields when one of them is *', () => {
    assert.deepEqual(nexts('0 0 * * 1', '2026-11-24T12:00:00Z', 2), [
      '2026-11-30T00:00:00.000Z',
      '2026-12-07T00:00:00.000Z',
    ]);
    assert.deepEqual(nexts('0 0 1 * *', '2026-11-24T12:00:00Z', 1), ['2026-12-01T00:00:00.000Z']);
  });

  it('reads steps, ranges, lists, names and 7 as Sunday', () => {
    assert.deepEqual(nexts('*/20 * * * *', '2026-11-24T12:05:00Z', 3), [
      '2026-11-24T12:20:00.000Z',
      '2026-11-24T12:40:00.000Z',
      '2026-11-24T13:00:00.000Z',
    ]);
    assert.deepEqual(nexts('30 9 * jan,dec mon-fri', '2026-11-24T12:00:00Z', 1), [
      '2026-12-01T09:30:00.000Z',
    ]);
    assert.deepEqual(nexts('0 12 * * 7', '2026-11-24T12:00:00Z', 1), ['2026-11-29T12:00:00.000Z']);
    assert.deepEqual(nexts('@daily', '2026-11-24T12:00:00Z', 1), ['2026-11-25T00:00:00.000Z']);
  });

  it('accepts a leading seconds field', () => {
    assert.deepEqual(nexts('*/15 * * * * *', '2026-11-24T12:00:07Z', 2), [
      '2026-11-24T12:00:15.000Z',
      '2026-11-24T12:00:30.000Z',
    ]);
  });

  it('reads schedules in the configured time zone', () => {
    assert.deepEqual(nexts('0 9 * * *', '2026-11-24T00:00:00Z', 1, 'Asia/Shanghai'), [
      '2026-11-24T01:00:00.000Z',
    ]);
  });

  it('fires a wall-clock time repeated by the end of daylight saving time once', () => {
    // New York: 2026-11-01 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST).
    assert.deepEqual(nexts('30 1 * * *', '2026-10-31T12:00:00Z', 2, 'America/New_York'), [
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
    const quarter = nexts('*/30 * * * *', '2026-11-01T04:50:00Z', 6, 'America/New_York');
    assert.deepEqual(quarter, [
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T07:00:00.000Z',
      '2026-11-01T07:30:00.000Z',
      '2026-11-01T08:00:00.000Z',
      '2026-11-01T08:30:00.000Z',
    ]);
  });

  it('explains invalid schedules by field', () => {
    assert.match(scheduleProblem('* * * *') ?? '', /4 fields/);
    assert.match(scheduleProblem('61 * * * *') ?? '', /^minute: 61 is out of range/);
    assert.match(scheduleProblem('0 0 * * 8') ?? '', /^day-of-week/);
    assert.match(scheduleProblem('0 0 * foo *') ?? '', /^month/);
    assert.match(scheduleProblem('*/0 * * * *') ?? '', /step/);
    assert.match(scheduleProblem('5-1 * * * *') ?? '', /backwards/);
    assert.equal(scheduleProblem('@reboot') !== undefined, true);
  });

  it('says a schedule in plain words', () => {
    assert.equal(describeSchedule(parseSchedule('0 0 1 * 1')), 'at 00:00 on day 1 or on Monday');
    assert.equal(describeSchedule(parseSchedule('*/5 * * * *')), 'every 5 minutes');
    assert.equal(describeSchedule(parseSchedule('* * * * *')), 'every minute');
  });

  it('makes a crontab package with an invalid schedule fail to load, naming the entry', () => {
    const r = parseSettingText(
      "type: crontab\ncrontab_name: c\nversion: 1\npublish:\n  - ['* * * * *', a.sh]\n  - ['*/2 * * *', b.sh]\n",
      '/x/setting.yaml',
    );
    assert.equal(r.setting, undefined);
    const p = r.problems[0];
    assert.deepEqual([p?.code, p?.pointer, p?.range?.start.line], ['schedule-invalid', '/publish/1/0', 5]);
    assert.match(p?.message ?? '', /^publish\[1\]\[0\]: /);
  });

  it('accepts the seed crontab example', () => {
    const r = parseSettingText(
      "type: crontab\ncrontab_name: print\nversion: 1.0\npublish:\n   - ['* * * * *', write.py]\n   - ['*/2 * * * *', cat word.txt >> log.txt]\n",
      '/x/setting.yaml',
    );
    assert.deepEqual(r.problems, []);
  });
});
