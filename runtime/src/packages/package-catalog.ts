import path from 'node:path';
import type { ErrorData } from '../errors.js';
import { diskFileView } from '../config/file-view.js';
import type { FileView } from '../config/file-view.js';
import type { FrameConfig } from '../config/frame-config.js';
import type { ConfigProblem, ProblemCode } from '../model/config-problem.js';
import { pointerToPath } from '../config/problem.js';
import { SETTING_FILE } from '../model/package-setting.js';
import { parseYamlSource, rangeAt } from '../config/yaml-source.js';
import type { YamlSource } from '../config/yaml-source.js';
import { checkSettingText } from './package-check.js';
import type { CheckOptions } from './package-check.js';
import type { PackageRecord } from '../model/package-record.js';

/**
 * Reads and checks every package folder of a frame config with {@link checkSettingText} (the same
 * check as `kael validate` and the editor). One bad package never stops the others: its record
 * carries the problems and an `error`. Checks across packages: missing folders, missing setting.yaml,
 * and a `service_base_name` or `crontab_name` used twice (the later one fails).
 */
export async function loadCatalog(
  config: FrameConfig,
  view: FileView = diskFileView,
  options: CheckOptions = {},
): Promise<PackageRecord[]> {
  const records = await Promise.all(
    config.packages.map((entry) => loadRecord(config.file, entry, view, options)),
  );
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
    const problem: ConfigProblem = {
      file: config.file,
      pointer: r.pointer,
      code: 'duplicate-name',
      severity: 'error',
      message: `${pointerToPath(r.pointer)}: ${field} "${r.setting.name}" of ${r.raw} is already used by ${first.raw}`,
    };
    const range = config.packages.find((e) => e.pointer === r.pointer)?.range;
    if (range !== undefined) problem.range = range;
    fail(r, problem);
  }
  return records;
}

async function loadRecord(
  frameFile: string,
  entry: FrameConfig['packages'][number],
  view: FileView,
  options: CheckOptions,
): Promise<PackageRecord> {
  const record: PackageRecord = {
    dir: entry.dir,
    raw: entry.raw,
    pointer: entry.pointer,
    setting: undefined,
    problems: [],
    error: undefined,
  };
  const where = pointerToPath(entry.pointer);
  const atEntry = (code: ProblemCode, message: string): ConfigProblem => {
    const problem: ConfigProblem = {
      file: frameFile,
      pointer: entry.pointer,
      code,
      severity: 'error',
      message,
    };
    if (entry.range !== undefined) problem.range = entry.range;
    return problem;
  };
  if (!(await view.isDirectory(entry.dir))) {
    fail(record, atEntry('path-missing', `${where}: package folder ${entry.dir} does not exist`));
    return record;
  }
  const file = path.join(entry.dir, SETTING_FILE);
  const text = await view.readText(file);
  if (text === undefined) {
    fail(
      record,
      atEntry(
        'setting-missing',
        `${where}: ${entry.raw} has no ${SETTING_FILE} (every package folder needs one)`,
      ),
    );
    return record;
  }
  const result = await checkSettingText(file, text, view, options);
  if (result.declared !== undefined) record.declared = result.declared;
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
    // `code` is the first problem's code, as in the errors the service worker reports.
    details: { file: first?.file, pointer: first?.pointer, code: first?.code, problems: errors },
  };
}

/**
 * Why a package failed, in one line: `file:line:col: message [code]`, with the file relative to the
 * package folder (frame.yaml by its name). Works for catalog errors and for errors a worker reported.
 */
export function failureReason(error: ErrorData, dir: string): string {
  const rel = (f: string): string => {
    const r = path.relative(dir, f);
    return r.startsWith('..') || path.isAbsolute(r) ? path.basename(f) : r;
  };
  const first = (error.details?.['problems'] as ConfigProblem[] | undefined)?.[0];
  if (first !== undefined) {
    const at =
      first.range === undefined ? '' : `:${first.range.start.line + 1}:${first.range.start.character + 1}`;
    return `${rel(first.file)}${at}: ${first.message} [${first.code}]`;
  }
  const file = error.details?.['file'];
  let message = error.message.split('\n')[0] ?? '';
  if (typeof file === 'string' && message.startsWith(`${file}: `))
    message = `${rel(file)}: ${message.slice(file.length + 2)}`;
  const code = error.details?.['code'];
  return `${message} [${typeof code === 'string' ? code : error.code}]`;
}

/**
 * Adds text ranges to the problems of an error that has none (a service worker reports problems by
 * JSON pointer only), so `reason` and `kael status` can say `setting.yaml:4:16`.
 */
export async function locateProblems(error: ErrorData, view: FileView = diskFileView): Promise<ErrorData> {
  const problems = error.details?.['problems'] as ConfigProblem[] | undefined;
  if (problems === undefined || problems.every((p) => p.range !== undefined)) return error;
  const sources = new Map<string, YamlSource | undefined>();
  const located: ConfigProblem[] = [];
  for (const p of problems) {
    if (!sources.has(p.file)) {
      const text = await view.readText(p.file);
      sources.set(p.file, text === undefined ? undefined : parseYamlSource(text));
    }
    const source = sources.get(p.file);
    located.push(
      p.range !== undefined || source === undefined
        ? p
        : { ...p, range: rangeAt(source, p.pointer, p.pointer === '/publish' ? 'key' : 'value') },
    );
  }
  return { ...error, details: { ...error.details, problems: located } };
}
