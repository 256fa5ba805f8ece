import path from 'node:path';
import type { FileView } from '@kael/runtime/config/file-view';
import type { ConfigProblem, ProblemCode } from '@kael/runtime/model/config-problem';
import { toPointer } from '@kael/runtime/config/problem';
import { parseSettingText } from '@kael/runtime/config/setting-file';
import type { CrontabSetting, ServiceSetting } from '@kael/runtime/model/package-setting';
import { rangeAt } from '@kael/runtime/config/yaml-source';
import { scriptWord } from '@kael/runtime/cron/command-line';
import { ENTRY_CANDIDATES_TEXT, resolveEntryModule } from '@kael/runtime/packages/entry-module';
import { isPythonEntry } from '@kael/runtime/packages/python-interpreter';
import { readModuleExports } from './module-exports.js';
import type { ModuleExports } from './module-exports.js';
import { checkPythonEntry, pythonEntryOf, pythonModuleExports } from './python-package.js';

/** A setting.yaml's problems, including the checks that need the package's other files. */
export async function validateSetting(file: string, text: string, view: FileView): Promise<ConfigProblem[]> {
  const result = parseSettingText(text, file);
  const problems = [...result.problems];
  const { setting, source } = result;
  if (setting === undefined || source === undefined) return problems;
  const report = (
    pointer: string,
    code: ProblemCode,
    message: string,
    part: 'key' | 'value' = 'value',
  ): void => {
    problems.push({ file, pointer, code, message, severity: 'error', range: rangeAt(source, pointer, part) });
  };
  const dir = path.dirname(file);
  const python = setting.type === 'service' ? await pythonEntryOf(dir, view) : undefined;
  if (setting.type === 'service' && python !== undefined)
    problems.push(...(await checkPythonEntry(file, source, setting, python, view)));
  else if (setting.type === 'service') await checkExports(setting, dir, view, report);
  else await checkCommands(setting, dir, view, report);
  return problems;
}

/** The exports of a service package's entry module, or why they cannot be read. */
export async function entryExports(
  dir: string,
  view: FileView,
): Promise<{ entry: string; exports: ModuleExports } | undefined> {
  const entry = await resolveEntryModule(dir, view);
  if (entry === undefined) return undefined;
  if (isPythonEntry(entry)) {
    const exports = await pythonModuleExports(entry, view);
    return exports === undefined ? undefined : { entry, exports };
  }
  const text = await view.readText(entry);
  if (text === undefined) return undefined;
  return { entry, exports: readModuleExports(text, entry) };
}

async function checkExports(
  setting: ServiceSetting,
  dir: string,
  view: FileView,
  report: (pointer: string, code: ProblemCode, message: string, part?: 'key' | 'value') => void,
): Promise<void> {
  const found = await entryExports(dir, view);
  if (found === undefined) {
    report(
      '/publish',
      'entry-missing',
      `publish: the package has no entry module (${ENTRY_CANDIDATES_TEXT})`,
      'key',
    );
    return;
  }
  const entryName = path.relative(dir, found.entry);
  for (const [i, name] of setting.publish.entries()) {
    const kind = found.exports.names.get(name);
    if (kind === undefined && !found.exports.dynamic)
      report(
        toPointer(['publish', i]),
        'export-missing',
        `publish[${i}]: "${name}" is not exported by ${entryName}`,
      );
    else if (kind === 'value')
      report(
        toPointer(['publish', i]),
        'export-not-function',
        `publish[${i}]: "${name}" is exported by ${entryName} but is not a function`,
      );
  }
}

async function checkCommands(
  setting: CrontabSetting,
  dir: string,
  view: FileView,
  report: (pointer: string, code: ProblemCode, message: string) => void,
): Promise<void> {
  for (const e of setting.entries) {
    const script = scriptWord(e.command);
    if (script !== undefined && !(await view.isFile(path.resolve(dir, script)))) {
      report(
        toPointer(['publish', e.index, 1]),
        'command-file-missing',
        `publish[${e.index}][1]: "${script}" is not a file of this package (it would run as a shell command and fail)`,
      );
    }
  }
}
