import path from 'node:path';
import type { FrameComponent, FrameRuntime } from '../model/frame-runtime.js';
import type { CrontabSnapshot } from '../model/frame-snapshot.js';
import { isCrontabRecord } from '../model/package-record.js';
import type { CrontabRecord, PackageRecord } from '../model/package-record.js';
import type { CrontabStatus } from '../model/crontab-status.js';
import { CrontabRunner } from './crontab-runner.js';
import { zoneName } from '../schedule/schedule.js';

/** Takes part in the election of each crontab package and runs the ones this frame is active for. */
export class CrontabHost implements FrameComponent {
  private runners: CrontabRunner[] = [];

  constructor(private readonly frame: FrameRuntime) {}

  async start(): Promise<void> {
    await this.restart(this.frame.records().filter(isCrontabRecord));
  }

  /** Stops the current crontabs (releasing their locks) and starts `records`, which compete anew. */
  async restart(records: readonly CrontabRecord[]): Promise<void> {
    await this.stopRunners();
    const timings = {
      heartbeatMs: this.frame.options.crontabHeartbeatMs,
      leaseMs: this.frame.options.crontabLeaseMs,
    };
    this.runners = records.map((r) => new CrontabRunner(this.frame, r, timings));
    await Promise.all(this.runners.map((r) => r.start()));
  }

  /**
   * Runs exactly `records`: runners of the folders in `keep` go on as they are (holding or waiting
   * for their lock), the other current runners are stopped (releasing their locks), and runners for
   * the remaining records start and compete.
   */
  async apply(records: readonly CrontabRecord[], keep: ReadonlySet<string>): Promise<void> {
    const kept = this.runners.filter(
      (r) => keep.has(r.record.dir) && records.some((x) => x.dir === r.record.dir),
    );
    const gone = this.runners.filter((r) => !kept.includes(r));
    this.runners = kept;
    await Promise.all(gone.map((r) => r.stop(this.frame.options.drainTimeoutMs)));
    const timings = {
      heartbeatMs: this.frame.options.crontabHeartbeatMs,
      leaseMs: this.frame.options.crontabLeaseMs,
    };
    const fresh = records
      .filter((x) => !kept.some((r) => r.record.dir === x.dir))
      .map((x) => new CrontabRunner(this.frame, x, timings));
    this.runners = [...kept, ...fresh];
    await Promise.all(fresh.map((r) => r.start()));
  }

  /** Per-crontab state for announcements; crontab packages that failed to load are listed with their error. */
  snapshot(): CrontabSnapshot[] {
    return [...this.runners.map((r) => r.snapshot()), ...this.failed().map(failedSnapshot)];
  }

  /** Full state with run history, for `_get_crontab_status`. */
  status(crontab?: string): CrontabStatus[] {
    const all: CrontabStatus[] = [
      ...this.runners.map((r) => r.status()),
      ...this.failed().map((r) => ({ ...failedSnapshot(r), timezone: zoneName(undefined), entries: [] })),
    ];
    return crontab === undefined ? all : all.filter((c) => c.name === crontab);
  }

  async stop(): Promise<void> {
    await this.stopRunners();
  }

  private async stopRunners(): Promise<void> {
    const old = this.runners;
    this.runners = [];
    await Promise.all(old.map((r) => r.stop(this.frame.options.drainTimeoutMs)));
  }

  private failed(): PackageRecord[] {
    return this.frame
      .records()
      .filter(
        (r) => r.error !== undefined && (r.setting?.type === 'crontab' || r.declared?.type === 'crontab'),
      );
  }
}

function failedSnapshot(r: PackageRecord): CrontabSnapshot {
  const snap: CrontabSnapshot = {
    name: r.setting?.name ?? r.declared?.name ?? path.basename(r.dir),
    version: r.setting?.version ?? '',
    dir: r.dir,
    active: false,
    entries: [],
  };
  if (r.error !== undefined) snap.error = r.error;
  return snap;
}
