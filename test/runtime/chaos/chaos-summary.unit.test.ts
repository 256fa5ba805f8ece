import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CallLedger } from '@kael/runtime/chaos/call-ledger';
import { summarize } from '@kael/runtime/chaos/chaos-summary';
import type { ChaosFacts } from '@kael/runtime/chaos/chaos-summary';
import { FaultLog } from '@kael/runtime/chaos/fault-log';
import { countTicks } from '@kael/runtime/chaos/tick-count';
import { KaelError } from '@kael/runtime';

/** Facts of a clean run: one ok call, two ticks; `change` edits them. */
function facts(change: (f: ChaosFacts) => void = () => undefined): ChaosFacts {
  const ledger = new CallLedger(0);
  ledger.start('a', 'js', 0);
  ledger.settle('a', { ok: true, value: 1 }, 1);
  const f: ChaosFacts = {
    seed: 1,
    minutes: 2,
    rate_per_s: 100,
    retry: false,
    frames: 3,
    load_s: 120,
    interrupted: false,
    calls: ledger.finish(2),
    not_sent_in_flight_limit: 0,
    ticks: countTicks(['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z'], 1000),
    broker_recovery_ms: [],
    faults: new FaultLog().counts(),
    fault_timeline: [],
    fault_errors: [],
    frames_exited_unexpectedly: 0,
    orphan_processes: 0,
    uncaught_errors: 0,
  };
  change(f);
  return f;
}

describe('the chaos summary', () => {
  it('passes a run with nothing lost, wrong, doubled or without a code', () => {
    const s = summarize(facts());
    assert.equal(s.verdict, 'pass');
    assert.deepEqual(s.problems, []);
    assert.deepEqual(s.warnings, []);
  });

  it('fails on lost and wrong calls, doubled ticks, failures without a code and uncaught errors', () => {
    const s = summarize(
      facts((f) => {
        f.calls.lost = 2;
        f.calls.wrong = 1;
        f.calls.failed_without_code = 3;
        f.ticks.doubled = 1;
        f.uncaught_errors = 4;
      }),
    );
    assert.equal(s.verdict, 'fail');
    assert.deepEqual(s.problems, [
      '2 call(s) lost (no answer, no error)',
      '1 call(s) answered with a wrong value',
      '3 call(s) failed without a kael code',
      '1 crontab tick(s) ran twice',
      '4 uncaught error(s) in the caller',
    ]);
  });

  it('passes failed calls that carry a code, and warns about hostile calls that did not fail with theirs', () => {
    const ledger = new CallLedger(0);
    ledger.start('a', 'js', 0);
    ledger.settle('a', { ok: true, value: 1 }, 1);
    ledger.start('b', 'js', 0);
    ledger.settle('b', { ok: false, error: new KaelError('CONNECTION_LOST', 'gone') }, 1);
    ledger.start('o', 'oversized', 0);
    ledger.settle('o', { ok: true, value: 3 }, 1);
    ledger.start('p', 'poison', 0);
    ledger.settle('p', { ok: false, error: new KaelError('RPC_TIMEOUT', 'late') }, 1);
    const s = summarize(facts((f) => (f.calls = ledger.finish(2))));
    assert.equal(s.verdict, 'pass');
    assert.deepEqual(s.warnings, [
      '1 of 1 oversized call(s) did not fail with REQUEST_TOO_LARGE: ok 1',
      '1 of 1 poison call(s) did not fail with WORKER_CRASHED: RPC_TIMEOUT 1',
    ]);
  });

  it('makes the warnings problems with strict', () => {
    const s = summarize(
      facts((f) => {
        f.calls.duplicated = 2;
        f.orphan_processes = 1;
      }),
      true,
    );
    assert.equal(s.verdict, 'fail');
    assert.deepEqual(s.problems, [
      '2 call(s) ran more than once (redelivered after a worker or frame died)',
      '1 worker process(es) outlived their killed frame',
    ]);
  });

  it('warns about ticks missed outside any fault window only', () => {
    const s = summarize(
      facts((f) => {
        f.ticks.missed = 5;
        f.ticks.missed_in_fault_window = 3;
      }),
    );
    assert.deepEqual(s.warnings, ["2 crontab tick(s) missed outside any fault's window"]);
  });

  it('fails a run in which nothing worked, and an interrupted one', () => {
    const s = summarize(
      facts((f) => {
        f.calls = new CallLedger(0).finish(1);
        f.ticks = countTicks([], 1000);
        f.interrupted = true;
      }),
    );
    assert.deepEqual(s.problems, [
      'interrupted before the end: the counts are partial',
      'no call succeeded',
      'no crontab tick ran',
    ]);
  });
});

describe('the fault log', () => {
  it('counts faults by kind and gives tick windows only for faults that can stop ticks', () => {
    const log = new FaultLog();
    log.add({ kind: 'frame_kill', startedAt: 10_000, endedAt: 12_000, target: 'frame 1' });
    log.add({ kind: 'poison_call', startedAt: 20_000, endedAt: 20_000, target: 'call x' });
    log.add({ kind: 'broker_restart', startedAt: 30_000, endedAt: 40_000, target: 'kill', error: 'no node' });
    assert.deepEqual(log.counts(), {
      frame_kill: 1,
      worker_kill: 0,
      frame_stop: 0,
      broker_restart: 1,
      oversized_call: 0,
      poison_call: 1,
    });
    assert.deepEqual(log.tickWindows(1000, 5000), [
      [9000, 17_000],
      [29_000, 45_000],
    ]);
    assert.deepEqual(log.errors(), ['broker_restart kill: no node']);
    assert.deepEqual(log.timeline(5000), [
      '5.0 s frame_kill frame 1 (2000 ms)',
      '15.0 s poison_call call x (0 ms)',
      '25.0 s broker_restart kill FAILED: no node (10000 ms)',
    ]);
  });
});
