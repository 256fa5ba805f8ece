import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServiceSetting } from '../model/package-setting.js';
import { SETTING_FILE } from '../config/setting-file.js';
import { ConfigError } from '../errors.js';
import { ENTRY_CANDIDATES_TEXT, resolveEntryModule } from './entry-module.js';
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
  if (entry === undefined) {
    throw invalid(settingFile, '', `no entry module in ${dir} (${ENTRY_CANDIDATES_TEXT})`, 'entry-missing');
  }
  if (isPythonEntry(entry)) return loadPython(dir, setting);
  let exports: Record<string, unknown>;
  try {
    exports = await importModule(entry);
  } catch (e) {
    throw new ConfigError(
      'PACKAGE_INVALID',
      `${entry}: cannot load the entry module: ${(e as Error).message}`,
      {
        cause: e,
        details: { file: entry, pointer: '', code: 'entry-missing' },
      },
    );
  }
  const functions = new Map<string, PublishedFunction>();
  const entryName = path.basename(entry);
  for (const [i, name] of setting.publish.entries()) {
    const fn = exports[name];
    if (fn === undefined)
      throw invalid(
        settingFile,
        `/publish/${i}`,
        `publish[${i}]: "${name}" is not exported by ${entryName}`,
        'export-missing',
      );
    if (typeof fn !== 'function')
      throw invalid(
        settingFile,
        `/publish/${i}`,
        `publish[${i}]: "${name}" is exported by ${entryName} but is a ${typeof fn}, not a function`,
        'export-not-function',
      );
    functions.set(`${setting.name}__${name}`, fn as ServiceFunction);
  }
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

function invalid(file: string, pointer: string, message: string, code: string): ConfigError {
  return new ConfigError('PACKAGE_INVALID', `${file}: ${message}`, { details: { file, pointer, code } });
}
