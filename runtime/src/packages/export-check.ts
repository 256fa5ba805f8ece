import path from 'node:path';
import { toPointer } from '../config/problem.js';
import { ConfigError } from '../errors.js';
import type { ProblemCode } from '../model/config-problem.js';
import type { ExportKind, NameInfo, PublishedNames } from '../model/module-exports.js';
import { ENTRY_RULE } from './entry-module.js';

export { ENTRY_RULE };

/** A problem of a `publish` list, located in setting.yaml by JSON pointer. */
export interface ExportProblem {
  pointer: string;
  code: ProblemCode;
  message: string;
  /** The key (`publish:`) or the value (`- name`) is at fault. */
  part: 'key' | 'value';
  /** @default 'error' */
  severity?: 'error' | 'warning';
}

/** How messages say that a language's module has a name, by the reader's language. */
const WORDS: Record<string, NameWords> = {
  python: { has: 'is defined by', lacks: 'is not defined at the top level of', by: 'defined by' },
};
const EXPORT_WORDS: NameWords = { has: 'is exported by', lacks: 'is not exported by', by: 'exported by' };

/** The words for "the module has / lacks this name" in a language (`exported by`, `defined by`). */
export interface NameWords {
  has: string;
  lacks: string;
  /** Without the verb: `exported by index.js`. */
  by: string;
}

/** How messages, completion and hover say that an entry module of `language` has a name. */
export function nameWords(language: string): NameWords {
  return WORDS[language] ?? EXPORT_WORDS;
}

/**
 * The one export check of a service package: the entry module must load (no syntax error, no import
 * that cannot succeed), and each published name must be exported (defined at top level, in Python)
 * by it, as a function. The editor and `kael validate` feed it the exports read from the source
 * (`readPublishedNames`); the service worker and `kael validate --load` feed it what the loaded
 * module really has ({@link importedNames}, or what the Python worker found); so all reach the same
 * verdict in the same words.
 * @param publish `publish` as written (names that are not strings are skipped: the schema reports them)
 * @param found the entry module's exports; undefined when the package has no entry module
 * @param skip pointers already reported (e.g. a name the schema rejected), not looked up again
 */
export function exportProblems(
  publish: readonly unknown[],
  found: PublishedNames | undefined,
  dir: string,
  skip: ReadonlySet<string> = new Set(),
): ExportProblem[] {
  if (found === undefined)
    return [
      {
        pointer: '/publish',
        code: 'entry-missing',
        message: `publish: the package has no entry module (${ENTRY_RULE})`,
        part: 'key',
      },
    ];
  const entryName = path.relative(dir, found.entry);
  // Where in the package a load error is: the entry itself, or the module it loads that fails.
  const at = (file: string | undefined): string =>
    file === undefined || file === found.entry ? '' : `${path.relative(dir, file)} `;
  const syntax = found.syntaxErrors[0];
  if (syntax !== undefined)
    return [
      {
        pointer: '/publish',
        code: 'entry-syntax',
        message: `publish: ${entryName} cannot be loaded: ${at(syntax.file)}line ${syntax.line + 1}:${syntax.character + 1}: ${syntax.message}`,
        part: 'key',
      },
    ];
  const out: ExportProblem[] = [];
  if (found.unread !== undefined)
    out.push({
      pointer: '/publish',
      code: 'entry-unchecked',
      message: `publish: the names of ${entryName} were not checked: ${found.unread}`,
      part: 'key',
      severity: 'warning',
    });
  // Every import that cannot succeed is reported (they are independent mistakes), then the names.
  for (const imp of found.importErrors ?? [])
    out.push({
      pointer: '/publish',
      code: 'entry-import',
      message: `publish: ${entryName} cannot be loaded: ${at(imp.file)}line ${imp.line + 1}: ${imp.message}`,
      part: 'key',
    });
  const words = nameWords(found.language);
  for (const [i, name] of publish.entries()) {
    const pointer = toPointer(['publish', i]);
    if (typeof name !== 'string' || skip.has(pointer)) continue;
    const kind = found.names.get(name);
    if (kind === undefined && !found.dynamic)
      out.push({
        pointer,
        code: 'export-missing',
        message: `publish[${i}]: "${name}" ${words.lacks} ${entryName}`,
        part: 'value',
      });
    else if (kind === 'value')
      out.push({
        pointer,
        code: 'export-not-function',
        message: `publish[${i}]: "${name}" ${words.has} ${entryName} but ${found.info?.get(name)?.notFunction ?? 'is not a function'}`,
        part: 'value',
      });
  }
  return out;
}

/**
 * The exports of an imported module, as {@link exportProblems} reads them: its enumerable names, and
 * each `wanted` name it has by property access (inherited or not enumerable, as a call would find it).
 */
export function importedNames(
  entry: string,
  language: string,
  exports: Record<string, unknown>,
  wanted: readonly string[],
): PublishedNames {
  const names = new Map<string, ExportKind>();
  for (const name of [...Object.keys(exports), ...wanted]) {
    const value = exports[name];
    if (value !== undefined) names.set(name, typeof value === 'function' ? 'function' : 'value');
  }
  return { entry, language, names, dynamic: false, syntaxErrors: [] };
}

/** What a loaded module has for one name, as a language's loader reports it. */
export interface LoadedName {
  kind: ExportKind;
  /** As {@link NameInfo.notFunction}. */
  notFunction?: string;
}

/**
 * The exports of a module another process loaded (the Python worker), as {@link exportProblems}
 * reads them: the names it reported (absent = the module does not have it).
 */
export function loadedNames(
  entry: string,
  language: string,
  loaded: Readonly<Record<string, LoadedName>>,
): PublishedNames {
  const names = new Map<string, ExportKind>();
  const info = new Map<string, NameInfo>();
  for (const [name, found] of Object.entries(loaded)) {
    names.set(name, found.kind);
    if (found.notFunction !== undefined) info.set(name, { notFunction: found.notFunction });
  }
  return { entry, language, names, dynamic: false, syntaxErrors: [], info };
}

/**
 * The error a service worker (or `kael validate --load`) throws for export problems: PACKAGE_INVALID
 * naming setting.yaml; details name the first problem and carry them all, by JSON pointer.
 */
export function exportError(settingFile: string, problems: readonly ExportProblem[]): ConfigError {
  const errors = problems.filter((p) => p.severity !== 'warning');
  const all = errors.map((p) => ({
    file: settingFile,
    pointer: p.pointer,
    code: p.code,
    message: p.message,
    severity: 'error',
  }));
  return new ConfigError('PACKAGE_INVALID', `${settingFile}: ${errors.map((p) => p.message).join('; ')}`, {
    details: { file: settingFile, pointer: all[0]?.pointer, code: all[0]?.code, problems: all },
  });
}
