import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KaelError } from '@kael/runtime';
import { parseChaosOptions } from '@kael/runtime/chaos/chaos-options';
import { SeededRandom } from '@kael/runtime/chaos/random';

describe('the chaos command line', () => {
  it('has defaults for a 2-minute run on port 6300 with every kind of fault', () => {
    assert.deepEqual(parseChaosOptions([], 42), {
      minutes: 2,
      rate: 100,
      frames: 3,
      seed: 42,
      port: 6300,
      faultGapMs: [4000, 10_000],
      faults: ['frame_kill', 'worker_kill', 'frame_stop', 'broker_restart', 'oversized_call', 'poison_call'],
      callTimeoutMs: 5000,
      retry: false,
      strict: false,
      keep: false,
    });
  });

  it('reads every flag', () => {
    const o = parseChaosOptions(
      [
        '--minutes',
        '10',
        '--rate',
        '200',
        '--seed',
        '7',
        '--fault-gap',
        '2-3',
        '--faults',
        'frame_kill,poison_call',
        '--retry',
        '--strict',
        '--keep',
      ],
      42,
    );
    assert.ok(o !== 'help');
    assert.equal(o.minutes, 10);
    assert.equal(o.rate, 200);
    assert.equal(o.seed, 7);
    assert.deepEqual(o.faultGapMs, [2000, 3000]);
    assert.deepEqual(o.faults, ['frame_kill', 'poison_call']);
    assert.equal(o.retry, true);
    assert.equal(o.strict, true);
    assert.equal(o.keep, true);
  });

  it('refuses unknown flags, values out of range and unknown fault kinds with USAGE', () => {
    for (const argv of [
      ['--bogus'],
      ['--minutes', '0'],
      ['--rate', 'x'],
      ['--fault-gap', '5-2'],
      ['--faults', 'meteor'],
    ])
      assert.throws(
        () => parseChaosOptions(argv),
        (e: unknown) => e instanceof KaelError && e.code === 'USAGE',
        argv.join(' '),
      );
  });

  it('answers help', () => {
    assert.equal(parseChaosOptions(['--help']), 'help');
  });
});

describe('the seeded random source', () => {
  it('repeats its choices for the same seed', () => {
    const a = new SeededRandom(99);
    const b = new SeededRandom(99);
    const draw = (r: SeededRandom): unknown[] => [
      r.next(),
      r.int(1, 6),
      r.pick(['x', 'y', 'z']),
      r.shuffle([1, 2, 3, 4]),
    ];
    assert.deepEqual(draw(a), draw(b));
  });

  it('keeps integers within their bounds and shuffles without losing elements', () => {
    const r = new SeededRandom(5);
    for (let i = 0; i < 1000; i++) {
      const n = r.int(3, 5);
      assert.ok(n >= 3 && n <= 5);
    }
    assert.deepEqual(r.shuffle([1, 2, 3, 4, 5]).sort(), [1, 2, 3, 4, 5]);
    assert.throws(() => r.pick([]), RangeError);
  });
});
