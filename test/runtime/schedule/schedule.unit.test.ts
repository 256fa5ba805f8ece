import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canFire,
  describeSchedule,
  isoInZone,
  nextFire,
  nextFires,
  parseSchedule,
  parseSettingText,
  scheduleProblem,
} from '@kael/runtime';

/** The next `n` fire times after `from`, as wall-clock time with offset in `zone`. */
function wall(text: string, zone: string, from: string, n: number): string[] {
  return nextFires(parseSchedule(text, zone), new Date(from), n).map((d) => isoInZone(d, zone));
}

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

  it('finds Monday 30 March in Berlin across the spring-forward weekend', () => {
    // Asked on Saturday 2026-03-28 12:00 UTC; Sunday 29 March has 23 hours in Berlin.
    assert.deepEqual(wall('30 0 * * 1', 'Europe/Berlin', '2026-03-28T12:00:00Z', 2), [
      '2026-03-30T00:30:00+02:00',
      '2026-04-06T00:30:00+02:00',
    ]);
  });

  it('runs a fixed time skipped by spring-forward once, right after the jump (New York)', () => {
    // 2026-03-08: 02:00 EST jumps to 03:00 EDT, so 02:30 does not exist that day.
    assert.deepEqual(wall('30 2 * * *', 'America/New_York', '2026-03-07T12:00:00Z', 3), [
      '2026-03-08T03:00:00-04:00',
      '2026-03-09T02:30:00-04:00',
      '2026-03-10T02:30:00-04:00',
    ]);
    // Vixie treats lists as fixed times too; croner alone would skip them (our split fixes it).
    assert.deepEqual(wall('15,45 2 * * *', 'America/New_York', '2026-03-07T12:00:00Z', 3), [
      '2026-03-08T03:00:00-04:00',
      '2026-03-09T02:15:00-04:00',
      '2026-03-09T02:45:00-04:00',
    ]);
  });

  it('does not run an interval job at wall-clock times that spring-forward skipped', () => {
    assert.deepEqual(wall('*/30 * * * *', 'America/New_York', '2026-03-08T06:10:00Z', 3), [
      '2026-03-08T01:30:00-05:00',
      '2026-03-08T03:00:00-04:00',
      '2026-03-08T03:30:00-04:00',
    ]);
  });

  it('runs a fixed time in the hour repeated by fall-back once, at its first occurrence', () => {
    // 2026-11-01: 02:00 EDT falls back to 01:00 EST, so 01:00–01:59 happens twice.
    assert.deepEqual(wall('30 1 * * *', 'America/New_York', '2026-10-31T12:00:00Z', 2), [
      '2026-11-01T01:30:00-04:00',
      '2026-11-02T01:30:00-05:00',
    ]);
    assert.deepEqual(wall('0,30 1 * * *', 'America/New_York', '2026-10-31T12:00:00Z', 3), [
      '2026-11-01T01:00:00-04:00',
      '2026-11-01T01:30:00-04:00',
      '2026-11-02T01:00:00-05:00',
    ]);
    // Asked during the second 01:xx hour: the repeated 01:30 does not run again.
    assert.deepEqual(wall('30 1 * * *', 'America/New_York', '2026-11-01T06:00:00Z', 1), [
      '2026-11-02T01:30:00-05:00',
    ]);
  });

  it("keeps an interval job's rhythm through the repeated hour, each instant once (as Vixie cron)", () => {
    assert.deepEqual(wall('*/30 * * * *', 'America/New_York', '2026-11-01T04:50:00Z', 5), [
      '2026-11-01T01:00:00-04:00',
      '2026-11-01T01:30:00-04:00',
      '2026-11-01T01:00:00-05:00',
      '2026-11-01T01:30:00-05:00',
      '2026-11-01T02:00:00-05:00',
    ]);
  });

  it('ANDs the day fields when one starts with * even if it has a step (Vixie)', () => {
    // Mondays on odd days only: 2026-12-07, 2026-12-21, 2027-01-11.
    assert.deepEqual(wall('0 0 */2 * 1', 'UTC', '2026-11-24T12:00:00Z', 3), [
      '2026-12-07T00:00:00+00:00',
      '2026-12-21T00:00:00+00:00',
      '2027-01-11T00:00:00+00:00',
    ]);
  });

  it('knows a schedule that never fires', () => {
    for (const text of ['0 0 31 2 *', '0 0 30 2 *', '0 0 31 4,6,9,11 *']) {
      const s = parseSchedule(text, 'UTC');
      assert.equal(canFire(s), false, text);
      assert.equal(nextFire(s, new Date('2026-01-01T00:00:00Z')), undefined, text);
    }
    assert.equal(canFire(parseSchedule('0 0 29 2 *', 'UTC')), true);
    assert.deepEqual(wall('0 0 29 2 *', 'UTC', '2026-01-01T00:00:00Z', 1), ['2028-02-29T00:00:00+00:00']);
  });

  it('says whether a schedule fires as a search of its fire times does, in every zone', () => {
    // canFire answers from the calendar when some month has one of the days; these cover both its
    // answers and the cases it leaves to the search (days only some months lack, ORed weekdays).
    const texts = [
      '* * * * *',
      '0 0 31 * *',
      '0 0 31 1 *',
      '0 0 30 2 *',
      '0 0 29,30 2 *',
      '0 0 31 2 1',
      '0 0 31 2 */2',
      '0 0 */30 2 *',
      '0 30 2 31 2,3 *',
      '0 0 31 4,6,9,11 1-5',
      '30 2 * 3 0',
    ];
    for (const zone of ['UTC', 'America/New_York', 'Australia/Lord_Howe'])
      for (const text of texts) {
        const s = parseSchedule(text, zone);
        const searched = nextFire(s, new Date('2026-01-01T00:00:00Z')) !== undefined;
        assert.equal(canFire(s), searched, `${text} in ${zone}`);
      }
  });

  it('answers fire times strictly after the given instant, milliseconds included', () => {
    assert.deepEqual(wall('* * * * * *', 'UTC', '2026-01-01T00:00:00.300Z', 2), [
      '2026-01-01T00:00:01+00:00',
      '2026-01-01T00:00:02+00:00',
    ]);
    assert.deepEqual(wall('0 9 * * *', 'Asia/Kolkata', '2026-01-01T00:00:00Z', 1), [
      '2026-01-01T09:00:00+05:30',
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
    // Quartz extensions that croner reads but Vixie cron does not are refused.
    assert.match(scheduleProblem('0 0 L * *') ?? '', /^day-of-month: "L" is not a number/);
    assert.match(scheduleProblem('0 0 * * 5#2') ?? '', /^day-of-week/);
    assert.match(scheduleProblem('0 0 ? * *') ?? '', /^day-of-month/);
    assert.equal(scheduleProblem('0 0 0 * *'), 'day-of-month: 0 is out of range 1-31');
    assert.equal(scheduleProblem('0 0 * 13 *'), 'month: 13 is out of range 1-12');
    assert.equal(scheduleProblem('0 9 * * *', 'Mars/Base'), 'time zone "Mars/Base" is not a known IANA zone');
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
