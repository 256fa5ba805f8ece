/** The file every package folder holds. */
export const SETTING_FILE = 'setting.yaml';

/** A service package's setting.yaml, validated. */
export interface ServiceSetting {
  type: 'service';
  /** `service_base_name`. */
  name: string;
  /** Version text exactly as written (`1.10`, not 1.1). */
  version: string;
  publish: string[];
  /** Per published function, a JSON Schema for its positional argument list. */
  args: Record<string, object | boolean>;
}

/** One `[schedule, command]` entry of a crontab package. */
export interface CrontabEntry {
  /** Position in `publish`, used in run ids and error messages. */
  index: number;
  schedule: string;
  command: string;
}

/** A crontab package's setting.yaml, validated, with defaults applied. */
export interface CrontabSetting {
  type: 'crontab';
  /** `crontab_name`. */
  name: string;
  version: string;
  entries: CrontabEntry[];
  /** IANA zone; undefined = the frame's local zone. */
  timezone: string | undefined;
  /** @default 3_600_000 */
  timeoutMs: number;
  /** @default 60_000 */
  graceMs: number;
  /** @default 'skip' */
  overlap: 'skip' | 'allow';
}

export type PackageSetting = ServiceSetting | CrontabSetting;
