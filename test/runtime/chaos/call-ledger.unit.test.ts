import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KaelError, RemoteError } from '@kael/runtime';
import { CallLedger } from '@kael/runtime/chaos/call-ledger';

const T0 = 1_000_000;
const sumIs =
  (id: string, sum: number) =>
  (v: unknown): boolean =>
    (v as { id?: unknown; sum?: unknown }).id === id && (v as { sum?: unknown }).sum === sum;

describe('the chaos call ledger', () => {
  it('counts a call answered with the known value as ok and one with another value as wrong', () => {
    const ledger = new CallLedger(T0);
    ledger.start('a', 'js', T0, sumIs('a', 3));
    ledger.start('b', 'python', T0, sumIs('b', 3));
    ledger.settle('a', { ok: true, value: { id: 'a', sum: 3 } }, T0 + 10);
    ledger.settle('b', { ok: true, value: { id: 'a', sum: 3 } }, T0 + 10);
    const t = ledger.finish(T0 + 20);
    assert.equal(t.sent, 2);
    assert.equal(t.ok, 1);
    assert.equal(t.wrong, 1);
    assert.deepEqual(t.by_kind, { js: { sent: 1, ok: 1, failed: 0 }, python: { sent: 1, ok: 0, failed: 0 } });
    assert.deepEqual(t.samples.wrong, ['b (python): {"id":"a","sum":3}']);
  });

  it('counts failures by kael code and a raw exception as failed without a code', () => {
    const ledger = new CallLedger(T0);
    for (const id of ['a', 'b', 'c']) ledger.start(id, 'js', T0);
    ledger.settle('a', { ok: false, error: new KaelError('RPC_TIMEOUT', 'late') }, T0 + 1);
    ledger.settle('b', { ok: false, error: new KaelError('RPC_TIMEOUT', 'late') }, T0 + 1);
    ledger.settle('c', { ok: false, error: new Error('Channel closed') }, T0 + 1);
    const t = ledger.finish(T0 + 2);
    assert.deepEqual(t.failed, { RPC_TIMEOUT: 2, NO_CODE: 1 });
    assert.deepEqual(t.failure_spans, { RPC_TIMEOUT: ['0.0–0.0'], NO_CODE: ['0.0–0.0'] });
    assert.equal(t.failed_without_code, 1);
    assert.deepEqual(t.by_kind.js, { sent: 3, ok: 0, failed: 3 });
  });

  it('groups failures of a code into spans of time, a second of quiet apart', () => {
    const ledger = new CallLedger(T0);
    const fail = (id: string, at: number): void => {
      ledger.start(id, 'js', T0);
      ledger.settle(id, { ok: false, error: new KaelError('CONNECTION_LOST', 'gone') }, T0 + at);
    };
    fail('a', 10_000);
    fail('b', 10_600);
    fail('c', 11_500);
    fail('d', 30_000);
    assert.deepEqual(ledger.finish(T0 + 60_000).failure_spans, {
      CONNECTION_LOST: ['10.0–11.5', '30.0–30.0'],
    });
  });

  it('counts a call that never settled as lost when the books close', () => {
    const ledger = new CallLedger(T0);
    ledger.start('a', 'js', T0 + 1500);
    ledger.start('p', 'poison', T0);
    const t = ledger.finish(T0 + 60_000);
    assert.equal(t.lost, 2);
    assert.deepEqual(t.expected_failures.poison, { sent: 1, as_expected: 0, other: { lost: 1 } });
    assert.deepEqual(t.samples.lost, ['a (js) started at 1.5 s', 'p (poison) started at 0.0 s']);
  });

  it('counts calls still open when an interrupted run closes its books as abandoned, not lost', () => {
    const ledger = new CallLedger(T0);
    ledger.start('a', 'js', T0);
    ledger.start('p', 'poison', T0);
    const t = ledger.finish(T0 + 1000, true);
    assert.equal(t.lost, 0);
    assert.equal(t.abandoned, 2);
  });

  it('keeps hostile calls apart: the expected code is as expected, anything else is listed', () => {
    const ledger = new CallLedger(T0);
    for (const id of ['o1', 'o2']) ledger.start(id, 'oversized', T0);
    for (const id of ['p1', 'p2']) ledger.start(id, 'poison', T0);
    ledger.settle('o1', { ok: false, error: new KaelError('REQUEST_TOO_LARGE', 'big') }, T0);
    ledger.settle('o2', { ok: true, value: 16_778_240 }, T0);
    const crashed = new RemoteError(
      { code: 'WORKER_CRASHED', name: 'KaelError', message: 'x' },
      'WORKER_CRASHED',
    );
    ledger.settle('p1', { ok: false, error: crashed }, T0);
    ledger.settle('p2', { ok: false, error: new KaelError('RPC_TIMEOUT', 'late') }, T0);
    const t = ledger.finish(T0);
    assert.deepEqual(t.expected_failures, {
      oversized: { sent: 2, as_expected: 1, other: { ok: 1 } },
      poison: { sent: 2, as_expected: 1, other: { RPC_TIMEOUT: 1 } },
    });
    assert.equal(t.ok, 0);
    assert.deepEqual(t.failed, {});
  });

  it('counts a call whose function ran twice as duplicated, and ignores ids it never started', () => {
    const ledger = new CallLedger(T0);
    for (const id of ['a', 'b', 'c']) ledger.start(id, 'js', T0);
    ledger.recordExecutions(['a', 'b', 'a', 'warm-up', 'warm-up', 'c', 'a']);
    assert.equal(ledger.finish(T0).duplicated, 1);
  });

  it('refuses an id used twice', () => {
    const ledger = new CallLedger(T0);
    ledger.start('a', 'js', T0);
    ledger.settle('a', { ok: true, value: 1 }, T0);
    assert.throws(() => ledger.start('a', 'js', T0), RangeError);
  });

  it('ignores a second settlement of the same call', () => {
    const ledger = new CallLedger(T0);
    ledger.start('a', 'js', T0);
    ledger.settle('a', { ok: true, value: 1 }, T0 + 1);
    ledger.settle('a', { ok: false, error: new KaelError('RPC_TIMEOUT', 'late') }, T0 + 2);
    const t = ledger.finish(T0 + 3);
    assert.equal(t.ok, 1);
    assert.deepEqual(t.failed, {});
  });

  it('measures the longest time without a successful call, from the start to the end of the load', () => {
    const ledger = new CallLedger(T0);
    for (const id of ['a', 'b', 'c', 'd']) ledger.start(id, 'js', T0);
    ledger.settle('a', { ok: true, value: 1 }, T0 + 1000);
    ledger.settle('b', { ok: false, error: new KaelError('BROKER_UNAVAILABLE', 'down') }, T0 + 3000);
    ledger.settle('c', { ok: true, value: 1 }, T0 + 7000);
    ledger.settle('d', { ok: true, value: 1 }, T0 + 8000);
    const t = ledger.finish(T0 + 10_000);
    assert.equal(t.longest_without_success_ms, 6000);
    assert.equal(t.longest_without_success_at_s, 1);
  });

  it('tells how long after a moment the next successful call came', () => {
    const ledger = new CallLedger(T0);
    for (const id of ['a', 'b', 'c']) ledger.start(id, 'js', T0);
    ledger.settle('a', { ok: true, value: 1 }, T0 + 1000);
    ledger.settle('b', { ok: false, error: new KaelError('BROKER_UNAVAILABLE', 'down') }, T0 + 2000);
    ledger.settle('c', { ok: true, value: 1 }, T0 + 5000);
    assert.equal(ledger.firstSuccessAfter(T0 + 1500), 3500);
    assert.equal(ledger.firstSuccessAfter(T0 + 1000), 0);
    assert.equal(ledger.firstSuccessAfter(T0 + 6000), undefined);
  });

  it('counts a load with no success at all as one gap over the whole load', () => {
    const ledger = new CallLedger(T0);
    const t = ledger.finish(T0 + 4000);
    assert.equal(t.longest_without_success_ms, 4000);
    assert.equal(t.longest_without_success_at_s, 0);
  });
});
