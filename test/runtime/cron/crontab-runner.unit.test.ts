import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { createLogger } from '@kael/runtime';
import { CrontabRunner } from '@kael/runtime/cron/crontab-runner';
import type { Lease } from '@kael/runtime/cron/crontab-runner';
import type { LeaseHandlers } from '@kael/runtime/cron/crontab-lease';
import { missedTicks } from '@kael/runtime/cron/tick-plan';
import type { FrameRuntime } from '@kael/runtime/model/frame-runtime';
import type { CrontabRecord } from '@kael/runtime/model/package-record';
import { parseSchedule } from '@kael/runtime';

const T0 = Date.parse('2026-01-01T00:00:03Z');

/** A lease that is granted on demand and records every claim (declining them, so nothing runs). */
class FakeLease implements Lease {
  handlers: LeaseHandlers | undefined;
  readonly claims: string[] = [];
  readonly lastClaimed = new Map<number, number>();
  start(): Promise<void> {
    return Promise.resolve();
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
  claim(entry: number, at: number): Promise<boolean> {
    this.claims.push(`${entry}@${new Date(at).toISOString().slice(11, 19)}`);
    return Promise.resolve(false);
  }
  state() {
    return { holder: undefined, term: 0, leaseAgeMs: undefined, problem: undefined };
  }
}

function runnerWith(schedules: string[], graceMs = 60_000): { runner: CrontabRunner; lease: FakeLease } {
  const lease = new FakeLease();
  const frame = {
    id: 'f',
    namespace: 'ns',
    logger: createLogger('test', 'silent'),
    changed: () => undefined,
  } as unknown as FrameRuntime;
  const record = {
    dir: '/tmp',
    setting: {
      type: 'crontab',
      name: 'c',
      version: '1',
      timezone: 'UTC',
      timeoutMs: 1000,
      graceMs,
      overlap: 'skip',
      entries: schedules.map((schedule, index) => ({ index, schedule, command: 'true' })),
    },
  } as unknown as CrontabRecord;
  const runner = new CrontabRunner(frame, record, { heartbeatMs: 500, leaseMs: 2000 }, (_r, handlers) => {
    lease.handlers = handlers;
    return lease;
  });
  return { runner, lease };
}

/** Lets pending promise callbacks run between fake-clock steps. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('the crontab scheduler (fake clock)', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: T0 }));
  afterEach(() => mock.timers.reset());

  it('claims each tick at its scheduled time while active, and nothing while standby', async () => {
    const { runner, lease } = runnerWith(['*/10 * * * * *', '0 * * * * *']);
    await runner.start();
    lease.handlers?.onActive(new Map());
    await settle();
    for (let i = 0; i < 60; i++) {
      mock.timers.tick(1000);
      await settle();
    }
    // Timers due at the same instant fire in no promised order.
    assert.deepEqual(lease.claims.sort(), [
      '0@00:00:10',
      '0@00:00:20',
      '0@00:00:30',
      '0@00:00:40',
      '0@00:00:50',
      '0@00:01:00',
      '1@00:01:00',
    ]);
    lease.handlers?.onStandby();
    mock.timers.tick(60_000);
    await settle();
    assert.equal(lease.claims.length, 7);
    await runner.stop(0);
  });

  it('on takeover claims the ticks missed within the grace, in order, then follows the schedule', async () => {
    const { runner, lease } = runnerWith(['* * * * * *'], 2500);
    await runner.start();
    // The last claimed tick was 00:00:00; it is 00:00:03 now; the grace reaches back to 00:00:00.5.
    lease.handlers?.onActive(new Map([[0, Date.parse('2026-01-01T00:00:00Z')]]));
    await settle();
    assert.deepEqual(lease.claims, ['0@00:00:01', '0@00:00:02', '0@00:00:03']);
    mock.timers.tick(1000);
    await settle();
    assert.deepEqual(lease.claims.slice(3), ['0@00:00:04']);
    await runner.stop(0);
  });
});

describe('missed ticks', () => {
  const every = parseSchedule('* * * * * *', 'UTC');
  it('are those after the last claim and within the grace, up to now', () => {
    assert.deepEqual(missedTicks(every, T0 - 3000, T0, 60_000), [T0 - 2000, T0 - 1000, T0]);
    assert.deepEqual(missedTicks(every, T0 - 10_000, T0, 2000), [T0 - 2000, T0 - 1000, T0]);
  });
  it('are none for an entry never claimed (a new crontab does not run the past)', () => {
    assert.deepEqual(missedTicks(every, undefined, T0, 60_000), []);
  });
});
