import path from 'node:path';
import { scriptWord } from '../config/command-script.js';
import type { FileView } from '../config/file-view.js';
import { toPointer } from '../config/problem.js';
import { parseSettingText } from '../config/setting-file.js';
import type { SettingResult } from '../config/setting-file.js';
import { rangeAt, scalarText } from '../config/yaml-source.js';
import type { DeclaredPackage } from '../model/package-record.js';
import type { ConfigProblem, ProblemCode } from '../model/config-problem.js';
import type { ErrorData } from '../errors.js';
import type { ServiceSetting } from '../model/package-setting.js';
import type { YamlSource } from '../config/yaml-source.js';
import { exportProblems } from './export-check.js';
import { readPublishedNames } from './published-names.js';

/**
 * Loads a service package's code as the frame does (imports its entry module, in another process)
 * and says why that failed, or undefined when it loaded.
 */
export type CodeLoader = (dir: string, setting: ServiceSetting) => Promise<ErrorData | undefined>;

/** Options of {@link checkSettingText}. */
export interface CheckOptions {
  /**
   * Read the service entry module's source for its exports and syntax (what the editor and
   * `kael validate` do). A frame leaves this to its service worker, which imports the module and
   * applies the same export check to what it really exports, so the frame process never loads the
   * TypeScript parser.
   * @default true
   */
  readCode?: boolean;
  /**
   * Also load each service package's code that passed the static checks: this finds what only
   * running the code shows (a throw at load time, a missing dependency, exports built at run time).
   * The editor never sets it (it never runs user code); `kael validate --load` does.
   * @default undefined (the code is read, never run)
   */
  loadCode?: CodeLoader;
}

/** A setting.yaml checked together with the package files it names. */
export interface PackageCheck extends SettingResult {
  /** What the file says about its package, even when the setting is invalid (a broken crontab still shows as one). */
  declared?: DeclaredPackage;
}

/**
 * The one check of a package: setting.yaml's text (syntax, schema, version, schedules) and the files
 * it names (the entry module's exports for a service, command files for a crontab). `kael run`'s
 * loader, `kael validate`, the language server and so the tree all use it, so they reach the same
 * verdict. Every independent problem is reported: a bad schedule does not hide a missing command file.
 * @param file absolute path of setting.yaml (its folder is the package folder)
 * @param text its text (the editor passes unsaved text)
 */
export async function checkSettingText(
  file: string,
  text: string,
  view: FileView,
  options: CheckOptions = {},
): Promise<PackageCheck> {
  const result: PackageCheck = parseSettingText(text, file);
  const { source } = result;
  const value = source?.value;
  if (source === undefined || value === null || typeof value !== 'object' || Array.isArray(value))
    return result;
  const obj = value as Record<string, unknown>;
  if (typeof obj['type'] === 'string') {
    const name = obj['service_base_name'] ?? obj['crontab_name'];
    result.declared = { type: obj['type'], name: typeof name === 'string' ? name : undefined };
    const version = scalarText(source, '/version');
    if (version !== undefined) result.declared.version = version;
  }
  const problems = result.problems;
  const report: Report = (pointer, code, message, part, severity = 'error') => {
    problems.push({ file, pointer, code, message, severity, range: rangeAt(source, pointer, part) });
  };
  const dir = path.dirname(file);
  const publish = Array.isArray(obj['publish']) ? (obj['publish'] as unknown[]) : undefined;
  if (publish !== undefined && obj['type'] === 'service' && options.readCode !== false)
    await checkExports(publish, dir, view, problems, report);
  if (publish !== undefined && obj['type'] === 'crontab') await checkCommands(publish, dir, view, report);
  if (problems.some((p) => p.severity === 'error')) result.setting = undefined;
  else if (result.setting?.type === 'service' && options.loadCode !== undefined) {
    const error = await options.loadCode(dir, result.setting);
    if (error !== undefined) {
      problems.push(...loadProblems(file, error, source));
      result.setting = undefined;
    }
  }
  return result;
}

/**
 * A load failure as problems of setting.yaml: the export problems the loader found (by pointer), or
 * one problem on `publish` saying why the entry module did not load.
 */
function loadProblems(file: string, error: ErrorData, source: YamlSource): ConfigProblem[] {
  const details = error.details ?? {};
  const located = (pointer: string, code: ProblemCode, message: string): ConfigProblem => ({
    file,
    pointer,
    code,
    message,
    severity: 'error',
    range: rangeAt(source, pointer, pointer === '/publish' ? 'key' : 'value'),
  });
  const found = details['problems'];
  if (details['file'] === file && Array.isArray(found))
    return (found as ConfigProblem[]).map((p) => located(p.pointer, p.code, p.message));
  const code = typeof details['code'] === 'string' ? (details['code'] as ProblemCode) : 'entry-missing';
  const failing = typeof details['file'] === 'string' ? details['file'] : undefined;
  const text = (error.message.split('\n')[0] ?? '').replace(failing === undefined ? '' : `${failing}: `, '');
  const entry = failing === undefined ? 'the entry module' : path.basename(failing);
  return [located('/publish', code, `publish: ${entry} fails to load: ${text}`)];
}

type Report = (
  pointer: string,
  code: ProblemCode,
  message: string,
  part: 'key' | 'value',
  severity?: 'error' | 'warning',
) => void;

/**
 * The entry module must load and export each published name as a function (read, not run; for a
 * Python package with Python's own parser, see `python-exports.ts`).
 */
async function checkExports(
  publish: readonly unknown[],
  dir: string,
  view: FileView,
  problems: readonly ConfigProblem[],
  report: Report,
): Promise<void> {
  const found = await readPublishedNames(dir, view);
  const skip = new Set(problems.map((p) => p.pointer));
  for (const p of exportProblems(publish, found, dir, skip))
    report(p.pointer, p.code, p.message, p.part, p.severity);
}

/** A command whose first word names a script (`job.py`) needs that file in the package. */
async function checkCommands(
  publish: readonly unknown[],
  dir: string,
  view: FileView,
  report: Report,
): Promise<void> {
  for (const [i, entry] of publish.entries()) {
    const command = Array.isArray(entry) ? (entry as unknown[])[1] : undefined;
    const script = typeof command === 'string' ? scriptWord(command) : undefined;
    if (script !== undefined && !(await view.isFile(path.resolve(dir, script))))
      report(
        toPointer(['publish', i, 1]),
        'command-file-missing',
        `publish[${i}][1]: "${script}" is not a file of this package`,
        'value',
      );
  }
}
