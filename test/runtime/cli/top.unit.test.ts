import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeTop } from '@kael/runtime/cli/top';

describe('the kael top table', () => {
  it('lists the busiest service first with its rates, latencies and errors', () => {
    const lines = describeTop(
      [
        {
          service: 'a__quiet',
          callsPerSecond: 0,
          errorsPerSecond: 0,
          errorRate: 0,
          p50Ms: undefined,
          p99Ms: undefined,
          inflight: 0,
        },
        {
          service: 'b__busy',
          callsPerSecond: 120.5,
          errorsPerSecond: 1.2,
          errorRate: 0.01,
          p50Ms: 0.75,
          p99Ms: 24,
          inflight: 3,
        },
      ],
      2,
      2000,
    );
    assert.deepEqual(lines.slice(0, 1), ['kael top: 2 service(s) on 2 frame(s), rates over 2.0 s']);
    assert.deepEqual(
      lines.slice(3).map((l) => l.split(/\s+/)),
      [
        ['b__busy', '120.5', '0.75', '24', '1.2', '1.0', '3'],
        ['a__quiet', '0.0', '-', '-', '0.0', '0.0', '0'],
      ],
    );
  });
});
