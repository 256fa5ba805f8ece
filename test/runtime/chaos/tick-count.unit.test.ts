import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countTicks } from '@kael/runtime/chaos/tick-count';

const at = (s: number): string => new Date(Date.UTC(2026, 0, 1, 12, 0, s)).toISOString();
const T = (s: number): number => Date.UTC(2026, 0, 1, 12, 0, s);

describe('counting crontab ticks from the tick log', () => {
  it('counts every line as a run and nothing doubled or missed for a clean log', () => {
    const t = countTicks([at(0), at(1), at(2), at(3)], 1000);
    assert.deepEqual(t, {
      run: 4,
      doubled: 0,
      missed: 0,
      missed_in_fault_window: 0,
      missed_at_s: [],
      unreadable: 0,
    });
  });

  it('counts a scheduled time written twice as doubled, in any order', () => {
    const t = countTicks([at(0), at(2), at(1), at(2), at(2)], 1000);
    assert.equal(t.run, 5);
    assert.equal(t.doubled, 2);
    assert.equal(t.missed, 0);
  });

  it('counts the gaps between the first and the last tick as missed, and says when they were', () => {
    const t = countTicks([at(0), at(1), at(4), at(5)], 1000, [], T(0));
    assert.equal(t.missed, 2);
    assert.deepEqual(t.missed_at_s, [2, 3]);
  });

  it('tells missed ticks inside a fault window from the others', () => {
    const t = countTicks([at(0), at(3), at(6)], 1000, [[T(1), T(2)]]);
    assert.equal(t.missed, 4);
    assert.equal(t.missed_in_fault_window, 2);
  });

  it('skips blank lines and counts lines that are not times as unreadable', () => {
    const t = countTicks([at(0), '', 'garbage', at(1)], 1000);
    assert.equal(t.run, 2);
    assert.equal(t.unreadable, 1);
  });

  it('counts nothing missed in an empty log or one with a single tick', () => {
    assert.equal(countTicks([], 1000).missed, 0);
    assert.equal(countTicks([at(7)], 1000).missed, 0);
  });
});
