import type { CrontabEntrySnapshot, CrontabSnapshot, RunSummary } from './frame-snapshot.js';

/** One run of a crontab entry, with its output. */
export interface RunRecord extends RunSummary {
  /** Index of the entry in `publish`. */
  entry: number;
  command: string;
  /** When the command ended (ISO). */
  endedAt?: string;
  /** The last 64 KB of stdout and stderr, interleaved as written. */
  output: string;
  /** True for a tick missed during a failover and run late by the frame that took over. */
  missed?: boolean;
}

/** A crontab entry with its recent runs (newest first). */
export interface CrontabEntryStatus extends CrontabEntrySnapshot {
  runs: RunRecord[];
}

/** What `_get_crontab_status` answers for one crontab on one frame. */
export interface CrontabStatus extends Omit<CrontabSnapshot, 'entries'> {
  timezone: string;
  entries: CrontabEntryStatus[];
}
