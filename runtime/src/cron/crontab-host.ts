import type { FrameComponent, FrameRuntime } from '../frame/frame-runtime.js';
import type { CrontabSnapshot } from '../frame/frame-snapshot.js';
import type { CrontabStatus } from './crontab-status.js';
import type { CrontabRecord } from '../frame/package-catalog.js';

/** Takes part in the election of each crontab package and runs the ones this frame is active for. */
export class CrontabHost implements FrameComponent {
  constructor(private readonly frame: FrameRuntime) {}

  async start(): Promise<void> {
    await this.restart(this.frame.records().filter((r): r is CrontabRecord => r.setting?.type === 'crontab' && r.error === undefined));
  }

  /** Stops the current crontabs (releasing their locks) and starts `records`. */
  async restart(_records: readonly CrontabRecord[]): Promise<void> {
    await Promise.resolve();
  }

  /** Per-crontab state for status and announcements. */
  snapshot(): CrontabSnapshot[] {
    return [];
  }

  /** Full state with run history, for `_get_crontab_status`. */
  status(_crontab?: string): CrontabStatus[] {
    return [];
  }

  async stop(): Promise<void> {
    await Promise.resolve();
  }
}
