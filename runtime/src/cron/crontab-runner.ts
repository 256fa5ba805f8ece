import path from 'node:path';
import type { FrameRuntime } from '../model/frame-runtime.js';
import type { CrontabSnapshot } from '../model/frame-snapshot.js';
import type { CrontabRecord } from '../model/package-record.js';
import { ClaimLog } from './claim-log.js';
import { runCommand } from './command-runner.js';
import { CrontabLock } from './crontab-lock.js';
import type { CrontabStatus, RunRecord } from '../model/crontab-status.js';
import { nextFire, parseSchedule, zoneName } from '../schedule/schedule.js';
import type { CronSchedule } from '../schedule/schedule.js';

/** Runs kept per entry in the status. */
export const RUNS_KEPT = 20;
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

/**
 * One crontab package on one frame: competes for the crontab's lock, and while active runs each
 * entry's ticks exactly once: claim on the broker first, then run; on takeover, ticks missed within
 * the grace period run once, in order.
 */
export class CrontabRunner {
  private readonly entries: EntryState[];
  private readonly lock: CrontabLock;
  private readonly claims: ClaimLog;
  private active = false;
  private generation = 0;
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly frame: FrameRuntime,
    readonly record: CrontabRecord,
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
    this.claims = new ClaimLog(frame.broker, frame.namespace, s.name);
    this.lock = new CrontabLock(frame.broker, frame.namespace, s.name, frame.logger, {
      onAcquired: () => void this.becomeActive(),
      onLost: () => this.becomeStandby(),
    });
  }

  get name(): string {
    return this.record.setting.name;
  }

  /** True while this frame runs the crontab. */
  get isActive(): boolean {
    return this.active;
  }

  start(): void {
    this.lock.start();
  }

  /** Releases the lock and waits (bounded) for running commands. */
  async stop(drainMs: number): Promise<void> {
    this.becomeStandby();
    await this.lock.stop();
    await Promise.race([Promise.all(this.inflight), new Promise((r) => setTimeout(r, drainMs).unref())]);
    await this.claims.close();
  }

  snapshot(): CrontabSnapshot {
    const s = this.record.setting;
    return {
      name: s.name,
      version: s.version,
      dir: this.record.dir,
      active: this.active,
      entries: this.entries.map((e) => {
        const next = nextFire(e.schedule, new Date());
        const last = e.runs[0];
        return {
          index: e.index,
          schedule: e.schedule.text,
          command: e.command,
          ...(next === undefined ? {} : { nextRun: next.toISOString() }),
          ...(last === undefined
            ? {}
            : {
                lastRun: {
                  scheduledAt: last.scheduledAt,
                  status: last.status,
                  ...(last.startedAt === undefined ? {} : { startedAt: last.startedAt }),
                  ...(last.durationMs === undefined ? {} : { durationMs: last.durationMs }),
                  exitCode: last.exitCode ?? null,
                },
              }),
        };
      }),
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

  private async becomeActive(): Promise<void> {
    const generation = ++this.generation;
    let known: Map<number, number>;
    try {
      known = await this.claims.latest();
    } catch (e) {
      this.frame.logger.error(
        `crontab ${this.name}: cannot read claims; not running until the next election`,
        { error: (e as Error).message },
      );
      return;
    }
    if (generation !== this.generation) return;
    this.active = true;
    this.frame.changed();
    const now = Date.now();
    for (const e of this.entries) {
      e.lastClaimed = known.get(e.index);
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

  /** Runs, in order and once each, the ticks missed within the grace period, then follows the schedule. */
  private async catchUpThenSchedule(e: EntryState, now: number, generation: number): Promise<void> {
    let from = now;
    if (e.lastClaimed !== undefined) {
      from = Math.max(e.lastClaimed, now - this.record.setting.graceMs);
      for (
        let t = nextFire(e.schedule, new Date(from));
        t !== undefined && t.getTime() <= now;
        t = nextFire(e.schedule, t)
      ) {
        if (generation !== this.generation) return;
        await this.fire(e, t.getTime(), true, generation);
        from = t.getTime();
      }
    }
    this.scheduleNext(e, from, generation);
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
    try {
      await this.claims.claim({ entry: e.index, at, frame: this.frame.id });
    } catch (err) {
      this.frame.logger.error(`crontab ${this.name}[${e.index}]: claim failed; tick not run`, {
        at: new Date(at).toISOString(),
        error: (err as Error).message,
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
    this.frame.changed();
  }
}
