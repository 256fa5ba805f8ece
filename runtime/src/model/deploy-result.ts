import type { PackageSnapshot } from './frame-snapshot.js';

/** Why a changing command's package is not running afterwards. */
export interface PackageFailure {
  /** The package error's code (`PACKAGE_INVALID`…). */
  code: string;
  /** Names the frame and the package, and says why. */
  message: string;
}

/** Result of an install, update or rollback on one frame. */
export interface DeployResult {
  /** False when the command failed or the package did not come back up (`package.state` is not `ok`). */
  ok: boolean;
  /** Version before (null for an install). */
  from: string | null;
  /** Version after. */
  to: string | null;
  /** True when the frame already had the version (nothing changed). */
  unchanged?: boolean;
  /** The package as the frame reports it after the change (state, version, reason). */
  package?: PackageSnapshot;
  /** Set when the package did not come back up. */
  error?: PackageFailure;
}

/** What `_restart_service` / `_restart_crontab` answer on one frame. */
export interface RestartResult {
  /** False when any package of the kind did not come back up. */
  ok: boolean;
  /** The frame's packages of that kind (and those of unknown kind) after the restart. */
  packages: PackageSnapshot[];
  /** Set when `ok` is false: names the frame and each package that failed, and why. */
  error?: PackageFailure;
}
