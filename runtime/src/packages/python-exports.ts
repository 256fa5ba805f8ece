import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type {
  EntryImportError,
  ExportKind,
  ModuleExports,
  NameInfo,
  SiblingFiles,
} from '../model/module-exports.js';
import { PYTHON_OUTLINE_SCRIPT, pythonInterpreter } from './python-interpreter.js';

/**
 * Why a callable that Python defines cannot be published, in the words of both the package check
 * (read statically here) and the Python worker (which imports the package): the two must match.
 */
const PYTHON_NOT_FUNCTION = {
  class: 'is a class, not a function',
  generator: 'is a generator function, which cannot be published (return a list instead)',
} as const;

/** What a top-level name of `__init__.py` is, as `kael_outline.py` reads it. */
type OutlineKind = 'function' | 'async' | 'generator' | 'class' | 'value' | 'module' | 'imported' | 'unknown';

/** A name defined at the top level of `__init__.py` (lines 1-based, as Python counts). */
interface OutlineDefinition {
  kind: OutlineKind;
  line: number;
  signature?: string;
  doc?: string;
}

/** A top-level, unconditional import. */
interface OutlineImport {
  /** Dotted module as written, without the leading dots of a relative import. */
  module: string;
  /** Leading dots: 0 for absolute imports. */
  level: number;
  /** Names of `from … import a, b` (empty for `import x`). */
  names: string[];
  line: number;
  /** For absolute imports: whether the interpreter finds the top-level module (never imported). */
  found?: boolean;
}

/** What `kael_outline.py` prints (without `definitions`, `dynamic` and `imports` when the text does not parse). */
interface Outline {
  python: string;
  executable: string;
  syntaxError?: { message: string; line: number; column: number };
  definitions: Record<string, OutlineDefinition>;
  dynamic: boolean;
  imports: OutlineImport[];
}

/** Why no outline could be made (no interpreter, too old, a crash of the helper). */
interface Unavailable {
  unavailable: string;
}

/**
 * The exports of a Python package's `__init__.py`, read with Python's own parser (`ast`, in
 * `runtime/python/kael_outline.py`): its top-level names (functions with signature and docstring),
 * its syntax error, and the unconditional imports that cannot succeed (a module the interpreter does
 * not find, a relative module that is not in the package). User code is never imported or run.
 * @param entry absolute path of `__init__.py`
 * @param text its current content (an unsaved editor buffer counts)
 * @param files the package's other files (relative imports are looked up there)
 */
export async function readPythonExports(
  entry: string,
  text: string,
  files: SiblingFiles,
): Promise<ModuleExports> {
  const outline = await readOutline(entry, text);
  if ('unavailable' in outline)
    return { names: new Map(), dynamic: true, syntaxErrors: [], unread: outline.unavailable };
  if (outline.syntaxError !== undefined) {
    const { message, line, column } = outline.syntaxError;
    return {
      names: new Map(),
      dynamic: true,
      syntaxErrors: [{ message, line: line - 1, character: column - 1 }],
    };
  }
  const names = new Map<string, ExportKind>();
  const info = new Map<string, NameInfo>();
  for (const [name, def] of Object.entries(outline.definitions)) {
    names.set(name, exportKind(def.kind));
    const about: NameInfo = { line: def.line - 1 };
    if (def.signature !== undefined) about.signature = def.signature;
    if (def.doc !== undefined) about.doc = def.doc;
    if (def.kind === 'class' || def.kind === 'generator') about.notFunction = PYTHON_NOT_FUNCTION[def.kind];
    if (name.startsWith('_') || def.kind === 'module' || def.kind === 'imported') about.hidden = true;
    info.set(name, about);
  }
  return {
    names,
    dynamic: outline.dynamic,
    syntaxErrors: [],
    importErrors: await importErrors(outline.imports, path.dirname(entry), files),
    info,
  };
}

function exportKind(kind: OutlineKind): ExportKind {
  switch (kind) {
    case 'function':
    case 'async':
      return 'function';
    case 'generator':
    case 'class':
    case 'value':
    case 'module':
      return 'value';
    default:
      return 'unknown';
  }
}

/**
 * The imports that would fail when the package is imported, in the words the Python worker reports
 * them in (it rewrites the package's own module name to the relative form the source uses).
 */
async function importErrors(
  imports: readonly OutlineImport[],
  dir: string,
  files: SiblingFiles,
): Promise<EntryImportError[]> {
  const isModule = async (dotted: string): Promise<boolean> => {
    const base = path.join(dir, ...dotted.split('.'));
    return (await files.isFile(`${base}.py`)) || (await files.isDirectory(base));
  };
  const out: EntryImportError[] = [];
  for (const imp of imports) {
    const line = imp.line - 1;
    if (imp.level === 0) {
      if (imp.found === false)
        out.push({
          line,
          message: `ModuleNotFoundError: No module named '${imp.module.split('.')[0] ?? imp.module}'`,
        });
    } else if (imp.level > 1) {
      out.push({ line, message: 'ImportError: attempted relative import beyond top-level package' });
    } else if (imp.module !== '') {
      // Python stops at the first part that is missing: `.a.b` without a/ says `.a`.
      const parts = imp.module.split('.');
      for (let i = 1; i <= parts.length; i++) {
        const prefix = parts.slice(0, i).join('.');
        if (!(await isModule(prefix))) {
          out.push({ line, message: `ModuleNotFoundError: No module named '.${prefix}'` });
          break;
        }
      }
    } else {
      // `from . import name` in __init__.py itself can only mean a submodule of the package.
      for (const name of imp.names)
        if (!(await isModule(name)))
          out.push({ line, message: `ImportError: cannot import name '${name}' from '.'` });
    }
  }
  return out;
}

/** Readings kept, by interpreter, folder and text. */
const CACHE_SIZE = 64;
/** A reading that found a module missing is made again after this: a `pip install` fixes it. */
const MISSING_IMPORT_TTL_MS = 10_000;

interface CacheEntry {
  result: Promise<Outline | Unavailable>;
}

const cache = new Map<string, CacheEntry>();

/** The helper's reading of one text, run once per distinct text (and again after a missing import's TTL). */
function readOutline(entry: string, text: string): Promise<Outline | Unavailable> {
  const interpreter = pythonInterpreter().command;
  const dir = path.dirname(entry);
  const key = `${interpreter}\0${dir}\0${createHash('sha1').update(text).digest('hex')}`;
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit.result;
  }
  const result = runHelper(interpreter, dir, text);
  const record: CacheEntry = { result };
  cache.set(key, record);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  void result.then((r) => {
    const missing =
      'unavailable' in r || (r.syntaxError === undefined && r.imports.some((i) => i.found === false));
    if (missing)
      setTimeout(() => {
        if (cache.get(key) === record) cache.delete(key);
      }, MISSING_IMPORT_TTL_MS).unref();
  });
  return result;
}

/** Helpers running at once: validating a whole workspace must not start a Python per package at once. */
const MAX_RUNNING = 4;
let running = 0;
const queued: (() => void)[] = [];

async function runHelper(interpreter: string, dir: string, text: string): Promise<Outline | Unavailable> {
  // A finishing helper hands its slot straight to the next queued one.
  if (running >= MAX_RUNNING) await new Promise<void>((resolve) => queued.push(resolve));
  else running++;
  try {
    return await runHelperNow(interpreter, dir, text);
  } finally {
    const next = queued.shift();
    if (next === undefined) running--;
    else next();
  }
}

function runHelperNow(interpreter: string, dir: string, text: string): Promise<Outline | Unavailable> {
  return new Promise((resolve) => {
    let stdinError: Error | undefined;
    const child = execFile(
      interpreter,
      [PYTHON_OUTLINE_SCRIPT, dir],
      { cwd: dir, timeout: 10_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error !== null) {
          const why =
            (stderr.trim().split('\n').pop() ?? '') +
            (stdinError === undefined ? '' : ` (writing __init__.py: ${stdinError.message})`);
          resolve({
            unavailable: `cannot run "${interpreter}" to read __init__.py (set KAEL_PYTHON): ${why || error.message}`,
          });
          return;
        }
        try {
          const parsed = JSON.parse(stdout) as Outline & { unavailable?: string };
          resolve(parsed.unavailable === undefined ? parsed : { unavailable: parsed.unavailable });
        } catch (e) {
          resolve({ unavailable: `unreadable answer from ${interpreter}: ${(e as Error).message}` });
        }
      },
    );
    // The helper may exit before reading all of stdin (a crash): its exit is reported above, with the
    // write failure beside it.
    child.stdin?.on('error', (e: Error) => {
      stdinError = e;
    });
    child.stdin?.end(text);
  });
}
