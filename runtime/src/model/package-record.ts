import type { ErrorData } from '../errors.js';
import type { ConfigProblem } from './config-problem.js';
import type { CrontabSetting, PackageSetting, ServiceSetting } from './package-setting.js';

/** One package folder listed in frame.yaml, with what loading it found. */
export interface PackageRecord {
  /** Absolute folder. */
  dir: string;
  /** The entry as written in frame.yaml and its JSON pointer there. */
  raw: string;
  pointer: string;
  /** The validated setting; undefined when setting.yaml is missing or wrong. */
  setting: PackageSetting | undefined;
  /** Problems of setting.yaml or of the frame.yaml entry (errors and warnings). */
  problems: ConfigProblem[];
  /** Why the package is not running (set from problems, or later by the host that failed to load its code). */
  error: ErrorData | undefined;
  /** `type`, name and version as written, even when the setting is invalid (so a broken crontab still shows as one). */
  declared?: DeclaredPackage;
}

/** What a setting.yaml says about its package, read even when the file has errors. */
export interface DeclaredPackage {
  type: string;
  name: string | undefined;
  /** The version as written (`1.10`), when it is a scalar. */
  version?: string;
}

/** A service package that loaded. */
export type ServiceRecord = PackageRecord & { setting: ServiceSetting };
/** A crontab package that loaded. */
export type CrontabRecord = PackageRecord & { setting: CrontabSetting };

/** True for a usable service package. */
export function isServiceRecord(r: PackageRecord): r is ServiceRecord {
  return r.error === undefined && r.setting?.type === 'service';
}

/** True for a usable crontab package. */
export function isCrontabRecord(r: PackageRecord): r is CrontabRecord {
  return r.error === undefined && r.setting?.type === 'crontab';
}
