import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LeaseView } from '@kael/runtime/cron/lease-view';
import type { LogRecord } from '@kael/runtime/cron/lease-view';

let n = 0;
const hold = (frame: string, term: number, last: Record<string, number> = {}): LogRecord => ({
  type: 'hold',
  id: String(++n),
  frame,
  term,
  last,
});
const claim = (frame: string, term: number, entry: number, at: number): LogRecord => ({
  type: 'claim',
  id: String(++n),
  frame,
  term,
  entry,
  at,
});

function fold(records: LogRecord[]): { view: LeaseView; accepted: boolean[] } {
  const view = new LeaseView();
  return { view, accepted: records.map((r) => view.apply(r)) };
}

describe('the crontab log fold (LeaseView)', () => {
  it('lets the first takeover of a term win a race and rejects the loser', () => {
    const { view, accepted } = fold([hold('a', 10), hold('b', 11), hold('c', 11)]);
    assert.deepEqual(accepted, [true, true, false]);
    assert.deepEqual([view.holder, view.term], ['b', 11]);
  });

  it('fences a frame that wakes up after a takeover: its claim is rejected', () => {
    const { view, accepted } = fold([
      hold('a', 10),
      claim('a', 10, 0, 1000),
      hold('b', 20), // a went silent; b took over
      claim('a', 10, 0, 2000), // a wakes up (SIGCONT) and claims the next tick
      claim('b', 20, 0, 2000),
    ]);
    assert.deepEqual(accepted, [true, true, true, false, true]);
    assert.equal(view.lastClaimed.get(0), 2000);
  });

  it('never accepts the same tick twice, nor an older one', () => {
    const { accepted } = fold([
      hold('a', 1),
      claim('a', 1, 0, 1000),
      claim('a', 1, 0, 1000),
      claim('a', 1, 0, 500),
    ]);
    assert.deepEqual(accepted, [true, true, false, false]);
  });

  it('adopts a higher term seen in a claim when the reader started after the takeover', () => {
    const { view, accepted } = fold([claim('b', 20, 0, 2000), claim('a', 10, 0, 3000)]);
    assert.deepEqual(accepted, [true, false]);
    assert.deepEqual([view.holder, view.term], ['b', 20]);
  });

  it('frees the crontab on release and carries claims in checkpoints', () => {
    const { view, accepted } = fold([
      hold('a', 1, { 0: 5000, 1: 7000 }),
      { type: 'release', id: 'r', frame: 'a', term: 1 },
      claim('a', 1, 0, 6000),
    ]);
    assert.deepEqual(accepted, [true, true, false]);
    assert.equal(view.holder, undefined);
    assert.deepEqual(view.checkpoint(), { 0: 5000, 1: 7000 });
  });
});
