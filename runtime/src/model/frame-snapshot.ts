import type { ErrorData } from '../errors.js';
import type { PackageKind } from './package-kind.js';

/** How a crontab run ended. */
export type RunStatus = 'running' | 'ok' | 'failed' | 'timeout' | 'skipped' | 'missed';

/** The short form of one crontab run, as carried in announcements and shown in the tree. */
export interface RunSummary {
  /** The tick this run belongs to (ISO). */
  scheduledAt: string;
  /** When the command started (ISO); absent for skipped runs. */
  startedAt?: string;
  durationMs?: number;
  exitCode?: number | null;
  signal?: string | null;
  status: RunStatus;
  /** The last 400 characters of the run's output (stdout and stderr), when it wrote any. */
  outputTail?: string;
}

/** One `[schedule, command]` entry as a frame reports it. */
export interface CrontabEntrySnapshot {
  index: number;
  schedule: string;
  command: string;
  /** Next time this entry fires (ISO); absent when it never fires. */
  nextRun?: string;
  /** The latest tick of this entry claimed by any frame (ISO), as this frame's log says. */
  lastScheduledAt?: string;
  /** The latest run of this entry on this frame. */
  lastRun?: RunSummary;
}

/** A crontab package as a frame reports it. */
export interface CrontabSnapshot {
  name: string;
  version: string;
  dir: string;
  /** True on the one frame of the namespace that runs it now. */
  active: boolean;
  /** Id of the frame that holds the crontab, as this frame's log says (also on standbys). */
  activeFrame?: string;
  /** Milliseconds since the holder's last heartbeat reached this frame (a silent holder's grows). */
  leaseAgeMs?: number;
  /** The latest tick claimed over all entries (ISO). */
  lastScheduledAt?: string;
  /** The latest run on this frame over all entries. */
  lastRun?: RunSummary;
  /** The next tick over all entries (ISO). */
  nextRun?: string;
  /** The package failed to load: it runs nowhere. */
  error?: ErrorData;
  /** The package loaded but this frame cannot take part in its election (e.g. ACCESS_REFUSED on its log). */
  problem?: ErrorData;
  entries: CrontabEntrySnapshot[];
}

/**
 * Whether a package runs: `ok` (loaded and serving / scheduled), `failed` (its setting or code could
 * not be loaded: see `reason` and `error`), `restarting` (a restart, update, install or rollback of
 * its kind is under way on this frame).
 */
export type PackageState = 'ok' | 'failed' | 'restarting';

/** A package as a frame reports it (service, crontab, or one that failed before its type was known). */
export interface PackageSnapshot {
  kind: PackageKind | 'unknown';
  /** service_base_name / crontab_name, or the folder name when unknown. */
  name: string;
  version?: string;
  dir: string;
  /** Published microservice names (services only). */
  services?: string[];
  /**
   * Set by every frame of this version; a frame of an older version leaves it out, so read it with
   * {@link packageState}.
   */
  state?: PackageState;
  /** Why the package failed, in one line (`file:line:col: message [code]`); set when `state` is `failed`. */
  reason?: string;
  /** The full error when the package is not running (code `PACKAGE_INVALID`, `details.code` the problem code). */
  error?: ErrorData;
}

/** Everything a frame announces about itself. */
export interface FrameSnapshot {
  id: string;
  /** A name for tools (`kael run --label`, else frame.yaml's `label`); unset: tools derive one. */
  label?: string;
  host: string;
  pid: number;
  namespace: string;
  /** ISO time the frame started. */
  startedAt: string;
  /** Announcement interval; the frame is gone after 3 silent intervals. */
  heartbeatMs: number;
  /** Absolute path of the frame's frame.yaml. */
  configFile: string;
  packages: PackageSnapshot[];
  crontabs: CrontabSnapshot[];
}

/** A package's state; for a snapshot from a frame that predates `state`, derived from `error`. */
export function packageState(p: PackageSnapshot): PackageState {
  return p.state ?? (p.error === undefined ? 'ok' : 'failed');
}
