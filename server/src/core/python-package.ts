import path from 'node:path';
import { isScalar, isSeq } from 'yaml';
import type { Node } from 'yaml';
import type { FileView } from '@kael/runtime/config/file-view';
import { toPointer } from '@kael/runtime/config/problem';
import { parseYamlSource, rangeAt } from '@kael/runtime/config/yaml-source';
import type { YamlSource } from '@kael/runtime/config/yaml-source';
import type { ConfigProblem, Position, ProblemCode } from '@kael/runtime/model/config-problem';
import type { ServiceSetting } from '@kael/runtime/model/package-setting';
import { resolveEntryModule } from '@kael/runtime/packages/entry-module';
import { isPythonEntry, PYTHON_ENTRY } from '@kael/runtime/packages/python-interpreter';
import type { ExportKind, ModuleExports } from './module-exports.js';
import { readPythonOutline } from './python-outline.js';
import type {
  PythonDefinition,
  PythonDefinitionKind,
  PythonOutline,
  PythonUnavailable,
} from './python-outline.js';

/**
 * The Python side of service packages for the validation core, quick fixes, completion and hover:
 * everything reads `__init__.py` statically through {@link readPythonOutline}, never by importing it.
 */

/** The package's `__init__.py` when the folder is a Python service package. */
export async function pythonEntryOf(dir: string, view: FileView): Promise<string | undefined> {
  const entry = await resolveEntryModule(dir, view);
  return entry !== undefined && isPythonEntry(entry) ? entry : undefined;
}

async function outlineOf(
  entry: string,
  view: FileView,
): Promise<PythonOutline | PythonUnavailable | undefined> {
  const text = await view.readText(entry);
  return text === undefined ? undefined : readPythonOutline(entry, text);
}

const NOT_A_FUNCTION: Partial<Record<PythonDefinitionKind, string>> = {
  generator: 'is a generator function, which cannot be published (return a list instead)',
  class: 'is a class, not a function',
  value: 'is a value, not a function',
};

/**
 * Problems of a Python service package for its setting.yaml: a syntax error or an import the
 * interpreter cannot find in `__init__.py` (on the `publish` key, with the Python line), and each
 * published name that `__init__.py` does not define at top level or that is not a function (on
 * that `publish` line). When no interpreter can read the file, one warning says so.
 */
export async function checkPythonEntry(
  file: string,
  source: YamlSource,
  setting: ServiceSetting,
  entry: string,
  view: FileView,
): Promise<ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  const add = (
    pointer: string,
    code: ProblemCode,
    message: string,
    severity: 'error' | 'warning' = 'error',
    part: 'key' | 'value' = 'value',
  ): void => {
    problems.push({ file, pointer, code, message, severity, range: rangeAt(source, pointer, part) });
  };
  const outline = await outlineOf(entry, view);
  if (outline === undefined) return problems;
  if ('unavailable' in outline) {
    add(
      '/publish',
      'entry-invalid',
      `publish: cannot check ${PYTHON_ENTRY}: ${outline.unavailable}`,
      'warning',
      'key',
    );
    return problems;
  }
  if (outline.syntaxError !== undefined) {
    const { line, column, message } = outline.syntaxError;
    add(
      '/publish',
      'entry-invalid',
      `publish: ${PYTHON_ENTRY}:${line}:${column}: SyntaxError: ${message}`,
      'error',
      'key',
    );
    return problems;
  }
  for (const message of await importProblems(outline, path.dirname(entry), view))
    add('/publish', 'entry-invalid', `publish: ${message}`, 'error', 'key');
  for (const [i, name] of setting.publish.entries()) {
    const def = outline.definitions[name];
    if (def === undefined) {
      if (!outline.dynamic)
        add(
          toPointer(['publish', i]),
          'export-missing',
          `publish[${i}]: "${name}" is not defined at the top level of ${PYTHON_ENTRY}`,
        );
      continue;
    }
    const what = NOT_A_FUNCTION[def.kind];
    if (what !== undefined)
      add(
        toPointer(['publish', i]),
        'export-not-function',
        `publish[${i}]: "${name}" is defined by ${PYTHON_ENTRY} (line ${def.line}) but ${what}`,
      );
  }
  return problems;
}

/** Imports that would fail when the frame imports the package, in the words Python would use. */
async function importProblems(outline: PythonOutline, dir: string, view: FileView): Promise<string[]> {
  const out: string[] = [];
  const at = (line: number): string => `${PYTHON_ENTRY}:${line}`;
  const isModule = async (rel: string): Promise<boolean> => {
    const base = path.join(dir, ...rel.split('.'));
    return (await view.isFile(`${base}.py`)) || (await view.isDirectory(base));
  };
  for (const imp of outline.imports) {
    if (imp.level === 0) {
      if (imp.found === false)
        out.push(
          `${at(imp.line)}: ModuleNotFoundError: No module named '${imp.module.split('.')[0] ?? imp.module}' (checked with Python ${outline.python} at ${outline.executable}; the frame's interpreter must have it)`,
        );
    } else if (imp.level > 1) {
      out.push(`${at(imp.line)}: ImportError: attempted relative import beyond top-level package`);
    } else if (imp.module !== '') {
      if (!(await isModule(imp.module)))
        out.push(`${at(imp.line)}: ModuleNotFoundError: no module "${imp.module}" in the package folder`);
    } else {
      // `from . import name` in __init__.py itself can only mean a submodule of the package.
      for (const name of imp.names)
        if (!(await isModule(name)))
          out.push(
            `${at(imp.line)}: ImportError: cannot import name '${name}' (no ${name}.py in the package folder)`,
          );
    }
  }
  return out;
}

/** The top-level names of `__init__.py` as module exports (for quick fixes shared with JS packages). */
export async function pythonModuleExports(entry: string, view: FileView): Promise<ModuleExports | undefined> {
  const outline = await outlineOf(entry, view);
  if (outline === undefined || 'unavailable' in outline || outline.syntaxError !== undefined)
    return undefined;
  const names = new Map<string, ExportKind>();
  for (const [name, def] of Object.entries(outline.definitions)) {
    if (name.startsWith('_')) continue;
    names.set(
      name,
      def.kind === 'function' || def.kind === 'async'
        ? 'function'
        : def.kind === 'unknown'
          ? 'unknown'
          : 'value',
    );
  }
  return { names, dynamic: outline.dynamic };
}

/** A function `__init__.py` defines, offered for `publish`. */
export interface PublishSuggestion {
  label: string;
  /** The signature, e.g. `def add(a, b)`. */
  detail: string | undefined;
  /** The docstring (plain text). */
  documentation: string | undefined;
}

/** The part of a setting.yaml the cursor is in, when it is in `publish`. */
function publishContext(
  text: string,
  pos: Position,
): { source: YamlSource; inList: boolean; offset: number } {
  const source = parseYamlSource(text);
  const lines = text.split('\n');
  const before = (lines[pos.line] ?? '').slice(0, pos.character);
  let offset = pos.character;
  for (let i = 0; i < pos.line && i < lines.length; i++) offset += (lines[i]?.length ?? 0) + 1;
  let inList = /^publish:\s*\[[^\]]*$/.test(before);
  if (!inList && /^\s+-\s*[\w]*$/.test(before)) {
    // A block item: the nearest top-level key above must be `publish`.
    for (let i = pos.line - 1; i >= 0; i--) {
      const key = /^([A-Za-z_]\w*):/.exec(lines[i] ?? '');
      if (key !== null) {
        inList = key[1] === 'publish';
        break;
      }
    }
  }
  return { source, inList, offset };
}

async function functionsOf(file: string, view: FileView): Promise<[string, PythonDefinition][] | undefined> {
  const entry = await pythonEntryOf(path.dirname(file), view);
  if (entry === undefined) return undefined;
  const outline = await outlineOf(entry, view);
  if (outline === undefined || 'unavailable' in outline || outline.syntaxError !== undefined)
    return undefined;
  return Object.entries(outline.definitions).filter(
    ([name, d]) => !name.startsWith('_') && (d.kind === 'function' || d.kind === 'async'),
  );
}

/**
 * Completion in a Python service package's `publish`: the functions `__init__.py` defines at top
 * level and that are not published yet, with signature and docstring.
 */
export async function pythonPublishCompletions(
  file: string,
  text: string,
  pos: Position,
  view: FileView,
): Promise<PublishSuggestion[]> {
  const { source, inList } = publishContext(text, pos);
  if (!inList) return [];
  const functions = await functionsOf(file, view);
  if (functions === undefined) return [];
  const published = new Set(
    ((source.value as { publish?: unknown } | undefined)?.publish as unknown[] | undefined)?.map(String) ??
      [],
  );
  return functions
    .filter(([name]) => !published.has(name))
    .map(([name, d]) => ({ label: name, detail: d.signature, documentation: d.doc }));
}

/** Hover on a `publish` item of a Python service package: the function's signature and docstring (Markdown). */
export async function pythonPublishHover(
  file: string,
  text: string,
  pos: Position,
  view: FileView,
): Promise<string | undefined> {
  const { source, offset } = publishContext(text, pos);
  const publish = source.document.get('publish', true) as Node | undefined;
  if (!isSeq(publish)) return undefined;
  const item = publish.items.find((i): i is Node => {
    const r = (i as Node | null)?.range;
    return isScalar(i) && r !== undefined && r !== null && offset >= r[0] && offset <= r[1];
  });
  if (!isScalar(item)) return undefined;
  const name = String(item.value);
  const functions = await functionsOf(file, view);
  const def = functions?.find(([n]) => n === name)?.[1];
  if (def === undefined) return undefined;
  const signature = def.signature ?? name;
  return `\`\`\`python\n${signature}\n\`\`\`${def.doc === undefined ? '' : `\n\n${def.doc}`}\n\n${PYTHON_ENTRY}, line ${def.line}`;
}
