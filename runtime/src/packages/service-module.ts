import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SETTING_FILE } from '../model/package-setting.js';
import type { ServiceSetting } from '../model/package-setting.js';
import { ConfigError } from '../errors.js';
import { resolveEntryModule } from './entry-module.js';
import { exportError, exportProblems, importedNames } from './export-check.js';
import { isPythonEntry } from './python-interpreter.js';
import { loadPythonService } from './python-service.js';

/** A published function, ready to call. */
export type ServiceFunction = (...args: unknown[]) => unknown;

/** Marks a published function that takes positional and keyword arguments separately. */
const KWARGS_SEPARATELY: unique symbol = Symbol('kael.kwargsSeparately');

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

/** How a service package is loaded. */
export interface ServiceLoadOptions {
  /**
   * How long a Python package may take to import before it is PACKAGE_INVALID (JS and TS packages
   * load in the calling process, which its parent times).
   * @default 60000
   */
  pythonStartTimeoutMs?: number;
}

/** True when the package in `dir` is a Python one: its own interpreter imports it, not this process. */
export async function isPythonPackage(dir: string): Promise<boolean> {
  const entry = await resolveEntryModule(dir);
  return entry !== undefined && isPythonEntry(entry);
}

/**
 * Loads a service package's entry module and picks the published functions. A Python package
 * (`__init__.py`) is served by a Python worker process; its functions forward each call there.
 * Both apply the export check of `kael validate` and the editor ({@link exportProblems}) to what the
 * loaded module really has.
 * @throws ConfigError `PACKAGE_INVALID` naming setting.yaml, the JSON pointer and the problem when the
 * entry module is missing or does not export a published name as a function (and, for a Python
 * package, when it has a syntax error or an import that fails, with the Python message and line);
 * naming the entry module when it fails to load otherwise.
 */
export async function loadServiceModule(
  dir: string,
  setting: ServiceSetting,
  options: ServiceLoadOptions = {},
): Promise<LoadedService> {
  const settingFile = path.join(dir, SETTING_FILE);
  const entry = await resolveEntryModule(dir);
  if (entry !== undefined && isPythonEntry(entry)) return loadPython(dir, setting, options);
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
            code: loadFailureCode(e, entry),
          },
        },
      );
    }
  }
  // The same check as the editor's, on what the module really exports.
  const found =
    entry === undefined ? undefined : importedNames(entry, 'javascript', exports, setting.publish);
  const [first, ...more] = exportProblems(setting.publish, found, dir);
  if (first !== undefined) throw exportError(settingFile, [first, ...more]);
  const functions = new Map<string, PublishedFunction>();
  for (const name of setting.publish)
    functions.set(`${setting.name}__${name}`, exports[name] as ServiceFunction);
  return { setting, dir, functions };
}

async function loadPython(
  dir: string,
  setting: ServiceSetting,
  options: ServiceLoadOptions,
): Promise<LoadedService> {
  const python = await loadPythonService(dir, setting, options.pythonStartTimeoutMs);
  const functions = new Map<string, PublishedFunction>();
  for (const [name, caller] of python.callers)
    functions.set(name, Object.assign(caller, { [KWARGS_SEPARATELY]: true as const }));
  return { setting, dir, functions, close: () => python.close() };
}

async function importModule(file: string): Promise<Record<string, unknown>> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (file.endsWith('.ts')) require('./ts-register.js');
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

/**
 * The problem code of an entry module that fails to load: `entry-syntax` for a syntax error,
 * `entry-import` for a module it requires that is not there (as for a Python package's missing
 * import), else `entry-missing`.
 */
function loadFailureCode(e: unknown, entry: string): 'entry-syntax' | 'entry-import' | 'entry-missing' {
  if (e instanceof SyntaxError) return 'entry-syntax';
  const code = (e as NodeJS.ErrnoException).code;
  const notFound = code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND';
  // The entry file itself missing (a package.json `main` naming no file) is no missing import.
  return notFound && existsSync(entry) ? 'entry-import' : 'entry-missing';
}
