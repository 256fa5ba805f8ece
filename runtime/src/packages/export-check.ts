import path from 'node:path';
import { toPointer } from '../config/problem.js';
import type { ProblemCode } from '../model/config-problem.js';
import type { ExportKind, PublishedNames } from '../model/module-exports.js';

/** The entry-module rule, as messages state it. */
export const ENTRY_RULE = 'package.json main, index.js, index.mjs, index.cjs or index.ts';

/** A problem of a `publish` list, located in setting.yaml by JSON pointer. */
export interface ExportProblem {
  pointer: string;
  code: ProblemCode;
  message: string;
  /** The key (`publish:`) or the value (`- name`) is at fault. */
  part: 'key' | 'value';
}

/**
 * The one export check of a service package: each published name must be exported by the entry
 * module, as a function. The editor and `kael validate` feed it the exports read from the source
 * (`readPublishedNames`); the service worker and `kael validate --load` feed it the exports of the
 * imported module ({@link importedNames}); so both reach the same verdict in the same words.
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
  const syntax = found.syntaxErrors[0];
  if (syntax !== undefined)
    return [
      {
        pointer: '/publish',
        code: 'entry-syntax',
        message: `publish: ${entryName} cannot be loaded: line ${syntax.line + 1}:${syntax.character + 1}: ${syntax.message}`,
        part: 'key',
      },
    ];
  const out: ExportProblem[] = [];
  for (const [i, name] of publish.entries()) {
    const pointer = toPointer(['publish', i]);
    if (typeof name !== 'string' || skip.has(pointer)) continue;
    const kind = found.names.get(name);
    if (kind === undefined && !found.dynamic)
      out.push({
        pointer,
        code: 'export-missing',
        message: `publish[${i}]: "${name}" is not exported by ${entryName}`,
        part: 'value',
      });
    else if (kind === 'value')
      out.push({
        pointer,
        code: 'export-not-function',
        message: `publish[${i}]: "${name}" is exported by ${entryName} but is not a function`,
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
