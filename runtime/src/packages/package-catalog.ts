import path from 'node:path';
import type { ErrorData } from '../errors.js';
import { diskFileView } from '../config/file-view.js';
import type { FileView } from '../config/file-view.js';
import type { FrameConfig } from '../config/frame-config.js';
import type { ConfigProblem } from '../model/config-problem.js';
import { parseSettingText, SETTING_FILE } from '../config/setting-file.js';
import type { PackageRecord } from '../model/package-record.js';

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
