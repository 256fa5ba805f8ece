import path from 'node:path';
import type { FrameRuntime } from '../model/frame-runtime.js';
import type { CrontabSnapshot, RunSummary } from '../model/frame-snapshot.js';
import type { CrontabRecord } from '../model/package-record.js';
import { runCommand } from './command-runner.js';
import { CHECKPOINT_MS, CrontabLease } from './crontab-lease.js';
import type { LeaseHandlers, LeaseState } from './crontab-lease.js';
import { DEFAULT_LEASE_TIMINGS } from '../model/lease-timings.js';
import type { LeaseTimings } from '../model/lease-timings.js';
import type { CrontabStatus, RunRecord } from '../model/crontab-status.js';
import { nextFire, parseSchedule, zoneName } from '../schedule/schedule.js';
import type { CronSchedule } from '../schedule/schedule.js';
import { missedTicks } from './tick-plan.js';

/** Runs kept per entry in the status. */
const RUNS_KEPT = 20;
/** Characters of output carried in a run summary (announcements, the tree's tooltip). */
const OUTPUT_TAIL = 400;
/** Longest single timer; longer waits are re-armed (timers drift and cap at ~24 days). */
const MAX_TIMER_MS = 60 * 60_000;

interface EntryState {
  index: number;
  schedule: CronSchedule;
  command: string;
  timer: NodeJS.Timeout | undefined;
  running: number;
  /** Newest first. */
  runs: RunRecord[];
  /** Latest tick claimed (by any frame, as far as this one knows), ms. */
  lastClaimed: number | undefined;
}

/** The election as the runner uses it (a {@link CrontabLease}, or a fake in tests). */
export interface Lease {
  start(): Promise<void>;
  stop(): Promise<void>;
  claim(entry: number, at: number): Promise<boolean>;
  state(): LeaseState;
  readonly lastClaimed: ReadonlyMap<number, number>;
}

/** Makes the lease of a runner; tests pass a fake. */
export type LeaseFactory = (runner: CrontabRunner, handlers: LeaseHandlers) => Lease;

/**
 * One crontab package on one frame: takes part in the crontab's election, and while active runs
 * each entry's ticks exactly once — a tick runs only after its claim was accepted by the crontab's
 * log; on takeover, ticks missed within the grace period run once, in order.
 */
export class CrontabRunner {
  private readonly entries: EntryState[];
  private readonly lease: Lease;
  private active = false;
  private generation = 0;
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly frame: FrameRuntime,
    readonly record: CrontabRecord,
    timings: LeaseTimings = DEFAULT_LEASE_TIMINGS,
    makeLease?: LeaseFactory,
  ) {
    const s = record.setting;
    this.entries = s.entries.map((e) => ({
      index: e.index,
      schedule: parseSchedule(e.schedule, s.timezone),
      command: e.command,
      timer: undefined,
      running: 0,
      runs: [],
      lastClaimed: undefined,
    }));
    const handlers: LeaseHandlers = {
      onActive: (last) => this.becomeActive(last),
      onStandby: () => this.becomeStandby(),
    };
    // The log is read back far enough for the grace period and the holder's last checkpoint.
    const windowMs = Math.max(s.graceMs, 2 * CHECKPOINT_MS) + timings.leaseMs;
    this.lease =
      makeLease?.(this, handlers) ?? new CrontabLease(frame, s.name, timings, s.graceMs, windowMs, handlers);
  }

  get name(): string {
    return this.record.setting.name;
  }

  /** True while this frame runs the crontab. */
  get isActive(): boolean {
    return this.active;
  }

  /** Starts taking part in the election. */
  async start(): Promise<void> {
    await this.lease.start();
  }

  /** Releases the crontab (a standby takes over at once) and waits (bounded) for running commands. */
  async stop(drainMs: number): Promise<void> {
    this.becomeStandby();
    await this.lease.stop();
    await Promise.race([Promise.all(this.inflight), new Promise((r) => setTimeout(r, drainMs).unref())]);
  }

  snapshot(): CrontabSnapshot {
    const s = this.record.setting;
    const lease = this.lease.state();
    const now = new Date();
    const entries = this.entries.map((e) => {
      const next = nextFire(e.schedule, now);
      const last = e.runs[0];
      const claimed = this.lastClaimedOf(e);
      return {
        index: e.index,
        schedule: e.schedule.text,
        command: e.command,
        ...(next === undefined ? {} : { nextRun: next.toISOString() }),
        ...(claimed === undefined ? {} : { lastScheduledAt: new Date(claimed).toISOString() }),
        ...(last === undefined ? {} : { lastRun: summary(last) }),
      };
    });
    const nextRuns = entries.flatMap((e) => (e.nextRun === undefined ? [] : [e.nextRun])).sort();
    const scheduled = entries
      .flatMap((e) => (e.lastScheduledAt === undefined ? [] : [e.lastScheduledAt]))
      .sort();
    const lastRun = this.entries
      .flatMap((e) => (e.runs[0] === undefined ? [] : [e.runs[0]]))
      .sort((a, b) => (a.scheduledAt < b.scheduledAt ? 1 : -1))[0];
    return {
      name: s.name,
      version: s.version,
      dir: this.record.dir,
      active: this.active,
      ...(lease.holder === undefined ? {} : { activeFrame: lease.holder }),
      ...(lease.leaseAgeMs === undefined ? {} : { leaseAgeMs: lease.leaseAgeMs }),
      ...(scheduled.length === 0 ? {} : { lastScheduledAt: scheduled[scheduled.length - 1] }),
      ...(lastRun === undefined ? {} : { lastRun: summary(lastRun) }),
      ...(nextRuns[0] === undefined ? {} : { nextRun: nextRuns[0] }),
      ...(lease.problem === undefined ? {} : { problem: lease.problem }),
      entries,
    };
  }

  status(): CrontabStatus {
    const snap = this.snapshot();
    return {
      ...snap,
      timezone: zoneName(this.record.setting.timezone),
      entries: snap.entries.map((e, i) => ({ ...e, runs: [...(this.entries[i]?.runs ?? [])] })),
    };
  }

  private lastClaimedOf(e: EntryState): number | undefined {
    const seen = this.lease.lastClaimed.get(e.index);
    if (e.lastClaimed === undefined) return seen;
    return seen === undefined ? e.lastClaimed : Math.max(seen, e.lastClaimed);
  }

  private becomeActive(lastClaimed: ReadonlyMap<number, number>): void {
    const generation = ++this.generation;
    this.active = true;
    // Claimed ticks in the log mean another frame held the crontab before this one.
    this.frame.metrics?.crontabActive(this.name, lastClaimed.size > 0);
    this.frame.changed();
    const now = Date.now();
    for (const e of this.entries) {
      e.lastClaimed = lastClaimed.get(e.index);
      void this.catchUpThenSchedule(e, now, generation);
    }
  }

  private becomeStandby(): void {
    this.generation++;
    if (!this.active) return;
    this.active = false;
    for (const e of this.entries) {
      if (e.timer !== undefined) clearTimeout(e.timer);
      e.timer = undefined;
    }
    this.frame.changed();
  }

  /**
   * Runs, in order and once each, the ticks missed within the grace period — including those that
   * come due while it does (they would otherwise overlap and be skipped) — then follows the schedule.
   */
  private async catchUpThenSchedule(e: EntryState, now: number, generation: number): Promise<void> {
    let cursor = e.lastClaimed;
    for (;;) {
      const due = missedTicks(e.schedule, cursor, Date.now(), this.record.setting.graceMs);
      if (due.length === 0) break;
      for (const at of due) {
        if (generation !== this.generation) return;
        await this.fire(e, at, true, generation);
        cursor = at;
      }
    }
    this.scheduleNext(e, Math.max(now, cursor ?? now), generation);
  }

  private scheduleNext(e: EntryState, after: number, generation: number): void {
    if (generation !== this.generation) return;
    const next = nextFire(e.schedule, new Date(after));
    if (next === undefined) return;
    const at = next.getTime();
    const arm = (): void => {
      const wait = at - Date.now();
      e.timer = setTimeout(
        () => {
          if (Date.now() < at) return arm();
          void this.fire(e, at, false, generation);
          this.scheduleNext(e, at, generation);
        },
        Math.min(Math.max(wait, 0), MAX_TIMER_MS),
      );
    };
    arm();
  }

  private async fire(e: EntryState, at: number, missed: boolean, generation: number): Promise<void> {
    if (generation !== this.generation || !this.active) return;
    if (e.lastClaimed !== undefined && at <= e.lastClaimed) return;
    const skip = e.running > 0 && this.record.setting.overlap === 'skip';
    if (!(await this.lease.claim(e.index, at))) {
      this.frame.logger.warn(`crontab ${this.name}[${e.index}]: claim not accepted; tick not run here`, {
        at: new Date(at).toISOString(),
      });
      return;
    }
    e.lastClaimed = Math.max(at, e.lastClaimed ?? at);
    if (skip) {
      this.remember(e, {
        entry: e.index,
        command: e.command,
        scheduledAt: new Date(at).toISOString(),
        status: 'skipped',
        output: '',
      });
      return;
    }
    const run = this.run(e, at, missed);
    this.inflight.add(run);
    await run.finally(() => this.inflight.delete(run));
  }

  private async run(e: EntryState, at: number, missed: boolean): Promise<void> {
    e.running++;
    const s = this.record.setting;
    try {
      const outcome = await runCommand(
        e.command,
        path.resolve(this.record.dir),
        {
          KAEL_NAMESPACE: this.frame.namespace,
          KAEL_CRONTAB: s.name,
          KAEL_ENTRY: String(e.index),
          KAEL_SCHEDULED_AT: new Date(at).toISOString(),
        },
        s.timeoutMs,
      );
      const ok = outcome.exitCode === 0 && !outcome.timedOut;
      this.remember(e, {
        entry: e.index,
        command: e.command,
        scheduledAt: new Date(at).toISOString(),
        startedAt: outcome.startedAt.toISOString(),
        endedAt: outcome.endedAt.toISOString(),
        durationMs: outcome.endedAt.getTime() - outcome.startedAt.getTime(),
        exitCode: outcome.exitCode,
        signal: outcome.signal,
        status: outcome.timedOut ? 'timeout' : ok ? 'ok' : 'failed',
        missed,
        output: outcome.output,
      });
    } finally {
      e.running--;
    }
  }

  private remember(e: EntryState, run: RunRecord): void {
    e.runs.unshift(run);
    e.runs.length = Math.min(e.runs.length, RUNS_KEPT);
    this.frame.metrics?.crontabRun(this.name, run);
    this.frame.changed();
  }
}

function summary(run: RunRecord): RunSummary {
  return {
    scheduledAt: run.scheduledAt,
    status: run.status,
    ...(run.startedAt === undefined ? {} : { startedAt: run.startedAt }),
    ...(run.durationMs === undefined ? {} : { durationMs: run.durationMs }),
    exitCode: run.exitCode ?? null,
    ...(run.output === '' ? {} : { outputTail: run.output.slice(-OUTPUT_TAIL) }),
  };
}
