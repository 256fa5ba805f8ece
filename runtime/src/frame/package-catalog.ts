import path from 'node:path';
import type { ErrorData } from '../errors.js';
import { diskFileView } from '../config/file-view.js';
import type { FileView } from '../config/file-view.js';
import type { FrameConfig } from '../config/frame-config.js';
import type { ConfigProblem } from '../config/problem.js';
import { parseSettingText, SETTING_FILE } from '../config/setting-file.js';
import type { CrontabSetting, PackageSetting, ServiceSetting } from '../config/setting-file.js';

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
  /** `type` and name as written, even when the setting is invalid (so a broken crontab still shows as one). */
  declared?: { type: string; name: string | undefined };
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

/**
 * Reads every package folder of a frame config. One bad package never stops the others: its record
 * carries the problems and an `error`. Checks across packages: missing folders, missing setting.yaml,
 * and a `service_base_name` or `crontab_name` used twice (the later one fails).
 */
export async function loadCatalog(
  config: FrameConfig,
  view: FileView = diskFileView,
): Promise<PackageRecord[]> {
  const records = await Promise.all(config.packages.map((entry) => loadRecord(config.file, entry, view)));
  const seen = new Map<string, PackageRecord>();
  for (const r of records) {
    if (r.setting === undefined || r.error !== undefined) continue;
    const key = `${r.setting.type}:${r.setting.name}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, r);
      continue;
    }
    const field = r.setting.type === 'service' ? 'service_base_name' : 'crontab_name';
    fail(r, {
      file: config.file,
      pointer: r.pointer,
      code: 'duplicate-name',
      severity: 'error',
      message: `${field} "${r.setting.name}" of ${r.raw} is already used by ${first.raw}`,
    });
  }
  return records;
}

async function loadRecord(
  frameFile: string,
  entry: FrameConfig['packages'][number],
  view: FileView,
): Promise<PackageRecord> {
  const record: PackageRecord = {
    dir: entry.dir,
    raw: entry.raw,
    pointer: entry.pointer,
    setting: undefined,
    problems: [],
    error: undefined,
  };
  if (!(await view.isDirectory(entry.dir))) {
    fail(record, {
      file: frameFile,
      pointer: entry.pointer,
      code: 'path-missing',
      severity: 'error',
      message: `${entry.pointer.slice(1).replace('/', '[')}]: package folder ${entry.dir} does not exist`,
    });
    return record;
  }
  const file = path.join(entry.dir, SETTING_FILE);
  const text = await view.readText(file);
  if (text === undefined) {
    fail(record, {
      file,
      pointer: '',
      code: 'setting-missing',
      severity: 'error',
      message: `${SETTING_FILE} not found in ${entry.dir}`,
    });
    return record;
  }
  const result = parseSettingText(text, file);
  const value = result.source?.value as Record<string, unknown> | undefined;
  if (value !== null && typeof value === 'object' && typeof value['type'] === 'string') {
    const name = value['service_base_name'] ?? value['crontab_name'];
    record.declared = { type: value['type'], name: typeof name === 'string' ? name : undefined };
  }
  record.problems.push(...result.problems);
  record.setting = result.setting;
  if (result.setting === undefined) record.error = problemsToError(result.problems);
  return record;
}

function fail(record: PackageRecord, problem: ConfigProblem): void {
  record.problems.push(problem);
  record.error = problemsToError(record.problems);
}

/** The error a package record carries when its problems stop it from loading. */
export function problemsToError(problems: readonly ConfigProblem[]): ErrorData {
  const errors = problems.filter((p) => p.severity === 'error');
  const first = errors[0];
  const message = errors
    .map(
      (p) =>
        `${p.file}${p.range === undefined ? '' : `:${p.range.start.line + 1}:${p.range.start.character + 1}`}: ${p.message}`,
    )
    .join('\n');
  return {
    code: 'PACKAGE_INVALID',
    name: 'ConfigError',
    message: message || 'package is invalid',
    details: { file: first?.file, pointer: first?.pointer, problems: errors },
  };
}
