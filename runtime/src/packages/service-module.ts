import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServiceSetting } from '../model/package-setting.js';
import { SETTING_FILE } from '../config/setting-file.js';
import { ConfigError } from '../errors.js';
import { resolveEntryModule } from './entry-module.js';
import { exportProblems, importedNames } from './export-check.js';
import type { ExportProblem } from './export-check.js';
import { isPythonEntry } from './python-interpreter.js';
import { loadPythonService } from './python-service.js';

/** A published function, ready to call. */
export type ServiceFunction = (...args: unknown[]) => unknown;

/** Marks a published function that takes positional and keyword arguments separately. */
export const KWARGS_SEPARATELY: unique symbol = Symbol('kael.kwargsSeparately');

/**
 * A published function that takes `(args, kwargs)`: Python functions, whose keyword arguments are
 * Python keyword arguments rather than one last object.
 */
export interface KeywordServiceFunction {
  (args: readonly unknown[], kwargs: Record<string, unknown>): unknown;
  readonly [KWARGS_SEPARATELY]: true;
}

/** Any published function. */
export type PublishedFunction = ServiceFunction | KeywordServiceFunction;

/** True for a function that wants keyword arguments apart from the positional ones. */
export function takesKeywordArguments(fn: PublishedFunction): fn is KeywordServiceFunction {
  return (fn as Partial<KeywordServiceFunction>)[KWARGS_SEPARATELY] === true;
}

/** A service package whose code is loaded: its functions by microservice name. */
export interface LoadedService {
  setting: ServiceSetting;
  dir: string;
  /** `<service_base_name>__<function>` → function. */
  functions: Map<string, PublishedFunction>;
  /** Stops what the package runs outside this process (a Python package's worker). */
  close?: () => void;
}

/**
 * Loads a service package's entry module and picks the published functions. A Python package
 * (`__init__.py`) is served by a Python worker process; its functions forward each call there.
 * @throws ConfigError `PACKAGE_INVALID` naming setting.yaml, the JSON pointer and the problem when the
 * entry module is missing, fails to load, or does not export a published name as a function; for a
 * Python package also the Python message, file and line of a syntax or import error.
 */
export async function loadServiceModule(dir: string, setting: ServiceSetting): Promise<LoadedService> {
  const settingFile = path.join(dir, SETTING_FILE);
  const entry = await resolveEntryModule(dir);
  if (entry !== undefined && isPythonEntry(entry)) return loadPython(dir, setting);
  let exports: Record<string, unknown> = {};
  if (entry !== undefined) {
    try {
      exports = await importModule(entry);
    } catch (e) {
      throw new ConfigError(
        'PACKAGE_INVALID',
        `${entry}: cannot load the entry module: ${(e as Error).message}`,
        {
          cause: e,
          details: {
            file: entry,
            pointer: '',
            code: e instanceof SyntaxError ? 'entry-syntax' : 'entry-missing',
          },
        },
      );
    }
  }
  // The same check as the editor's, on what the module really exports.
  const found =
    entry === undefined ? undefined : importedNames(entry, 'javascript', exports, setting.publish);
  const [first, ...more] = exportProblems(setting.publish, found, dir);
  if (first !== undefined) throw invalid(settingFile, [first, ...more]);
  const functions = new Map<string, PublishedFunction>();
  for (const name of setting.publish)
    functions.set(`${setting.name}__${name}`, exports[name] as ServiceFunction);
  return { setting, dir, functions };
}

async function loadPython(dir: string, setting: ServiceSetting): Promise<LoadedService> {
  const python = await loadPythonService(dir, setting);
  const functions = new Map<string, PublishedFunction>();
  for (const [name, caller] of python.callers)
    functions.set(name, Object.assign(caller, { [KWARGS_SEPARATELY]: true as const }));
  return { setting, dir, functions, close: () => python.close() };
}

async function importModule(file: string): Promise<Record<string, unknown>> {
  if (file.endsWith('.ts')) {
    await import('./ts-register.js');
  }
  if (file.endsWith('.mjs')) {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(file) as Record<string, unknown>;
  } catch (e) {
    // A .js file in a `"type": "module"` package cannot be required; import() reads it as ESM.
    if ((e as NodeJS.ErrnoException).code === 'ERR_REQUIRE_ESM')
      return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    throw e;
  }
}

/** The problems as the error the frame reports: details name the first one and carry them all. */
function invalid(file: string, problems: readonly ExportProblem[]): ConfigError {
  const all = problems.map((p) => ({
    file,
    pointer: p.pointer,
    code: p.code,
    message: p.message,
    severity: 'error',
  }));
  return new ConfigError('PACKAGE_INVALID', `${file}: ${problems.map((p) => p.message).join('; ')}`, {
    details: { file, pointer: all[0]?.pointer, code: all[0]?.code, problems: all },
  });
}
