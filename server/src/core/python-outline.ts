import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pythonInterpreter } from '@kael/runtime/packages/python-interpreter';

/** What a top-level name of `__init__.py` is, as far as reading the source tells. */
export type PythonDefinitionKind = 'function' | 'async' | 'generator' | 'class' | 'value' | 'unknown';

/** A name defined at the top level of `__init__.py`. */
export interface PythonDefinition {
  kind: PythonDefinitionKind;
  /** 1-based line of the definition. */
  line: number;
  /** `def add(a, b) -> int` / `async def slow(s)`, for functions. */
  signature?: string;
  /** The function's docstring. */
  doc?: string;
}

/** A top-level, unconditional import. */
export interface PythonImport {
  /** Dotted module as written, without the leading dots of a relative import. */
  module: string;
  /** Leading dots: 0 for absolute imports. */
  level: number;
  /** Names of `from … import a, b` (empty for `import x`). */
  names: string[];
  /** 1-based line. */
  line: number;
  /** For absolute imports: whether the interpreter finds the top-level module (never imported). */
  found?: boolean;
}

/** The static outline of a Python package's `__init__.py`. */
export interface PythonOutline {
  /** Interpreter version that read it. */
  python: string;
  executable: string;
  syntaxError?: { message: string; line: number; column: number };
  definitions: Record<string, PythonDefinition>;
  /** True when names may come from where reading cannot see (`from x import *`). */
  dynamic: boolean;
  imports: PythonImport[];
}

/** Why no outline could be made (no interpreter, too old, a crash of the helper). */
export interface PythonUnavailable {
  unavailable: string;
}

// Run as `python3 -c SCRIPT <package dir>` with the source on stdin. It parses with `ast` and asks
// importlib.util.find_spec about top-level module names: user code is never imported or run.
const SCRIPT = String.raw`
import ast, importlib.util, json, os, sys
pkg = sys.argv[1]
sys.path[:] = [pkg, os.path.dirname(pkg)] + [p for p in sys.path if p not in ('', '.')]
out = {"python": sys.version.split()[0], "executable": sys.executable, "definitions": {}, "dynamic": False, "imports": []}
if sys.version_info < (3, 9):
    out["unavailable"] = "reading __init__.py needs Python 3.9 or newer, this is " + out["python"]
    print(json.dumps(out)); sys.exit(0)
source = sys.stdin.buffer.read()
try:
    tree = ast.parse(source, "__init__.py")
except SyntaxError as e:
    out["syntaxError"] = {"message": e.msg, "line": e.lineno or 1, "column": e.offset or 1}
    print(json.dumps(out)); sys.exit(0)
defs = out["definitions"]
def yields(fn):
    todo = list(fn.body)
    while todo:
        n = todo.pop()
        if isinstance(n, (ast.Yield, ast.YieldFrom)):
            return True
        if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            todo.extend(ast.iter_child_nodes(n))
    return False
def kind_of(value):
    if isinstance(value, ast.Lambda):
        return "function"
    if isinstance(value, ast.Name):
        return defs.get(value.id, {}).get("kind", "unknown")
    if isinstance(value, (ast.Call, ast.Attribute, ast.Subscript, ast.BoolOp, ast.IfExp, ast.NamedExpr, ast.Await)):
        return "unknown"
    return "value"
def define(name, kind, node, **extra):
    defs[name] = dict({"kind": kind, "line": node.lineno}, **extra)
def targets(t):
    if isinstance(t, ast.Name):
        return [t.id]
    if isinstance(t, (ast.Tuple, ast.List)):
        return [n for e in t.elts for n in targets(e)]
    return []
def visit(body, certain):
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            sig = ("async def " if isinstance(node, ast.AsyncFunctionDef) else "def ") + node.name + "(" + ast.unparse(node.args) + ")"
            if node.returns is not None:
                sig += " -> " + ast.unparse(node.returns)
            kind = "generator" if yields(node) else "async" if isinstance(node, ast.AsyncFunctionDef) else "function"
            if node.decorator_list:
                kind = "unknown"
            extra = {"signature": sig}
            doc = ast.get_docstring(node)
            if doc:
                extra["doc"] = doc
            define(node.name, kind if certain else "unknown", node, **extra)
        elif isinstance(node, ast.ClassDef):
            define(node.name, "class" if certain and not node.decorator_list else "unknown", node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            value = node.value
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                for name in targets(t):
                    one = isinstance(t, ast.Name) and value is not None and certain and not isinstance(node, ast.AugAssign)
                    define(name, kind_of(value) if one else "unknown", node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    out["dynamic"] = True
                    continue
                define(alias.asname or (alias.name.split(".")[0] if isinstance(node, ast.Import) else alias.name), "unknown", node)
            if not certain:
                continue
            if isinstance(node, ast.Import):
                for alias in node.names:
                    out["imports"].append({"module": alias.name, "level": 0, "names": [], "line": node.lineno})
            else:
                out["imports"].append({"module": node.module or "", "level": node.level, "names": [a.name for a in node.names], "line": node.lineno})
        elif isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
            for part in ("body", "orelse", "finalbody"):
                visit(getattr(node, part, []), False)
            for handler in getattr(node, "handlers", []):
                visit(handler.body, False)
        elif getattr(ast, "TryStar", None) is not None and isinstance(node, ast.TryStar):
            visit(node.body, False)
visit(tree.body, True)
for imp in out["imports"]:
    if imp["level"] == 0:
        top = imp["module"].split(".")[0]
        try:
            imp["found"] = importlib.util.find_spec(top) is not None
        except (ImportError, ValueError):
            imp["found"] = False
print(json.dumps(out))
`;

const CACHE_SIZE = 64;
/** Outlines with an import the interpreter did not find are read again after this (a pip install fixes them). */
const MISSING_IMPORT_TTL_MS = 10_000;

interface Entry {
  result: Promise<PythonOutline | PythonUnavailable>;
  at: number;
}

const cache = new Map<string, Entry>();

/**
 * Reads `__init__.py` statically: its top-level definitions (kind, line, signature, docstring), its
 * unconditional imports and whether the interpreter finds them, or its syntax error. The helper
 * runs once per distinct text (results are cached by interpreter, folder and content hash).
 * @param entry absolute path of `__init__.py`.
 * @param text its current content (an unsaved editor buffer counts).
 */
export function readPythonOutline(entry: string, text: string): Promise<PythonOutline | PythonUnavailable> {
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
  const entryRecord: Entry = { result, at: Date.now() };
  cache.set(key, entryRecord);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  void result.then((r) => {
    const stale =
      'unavailable' in r || r.imports.some((i) => i.found === false)
        ? MISSING_IMPORT_TTL_MS
        : Number.POSITIVE_INFINITY;
    if (stale !== Number.POSITIVE_INFINITY)
      setTimeout(() => {
        if (cache.get(key) === entryRecord) cache.delete(key);
      }, stale).unref();
  });
  return result;
}

/** Helpers running at once: validating a whole workspace must not start a Python per package at once. */
const MAX_RUNNING = 4;
let running = 0;
const queued: (() => void)[] = [];

async function runHelper(
  interpreter: string,
  dir: string,
  text: string,
): Promise<PythonOutline | PythonUnavailable> {
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

function runHelperNow(
  interpreter: string,
  dir: string,
  text: string,
): Promise<PythonOutline | PythonUnavailable> {
  return new Promise((resolve) => {
    const child = execFile(
      interpreter,
      ['-c', SCRIPT, dir],
      { cwd: dir, timeout: 10_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error !== null) {
          resolve({
            unavailable: `cannot run "${interpreter}" to read __init__.py (set KAEL_PYTHON): ${(stderr.trim().split('\n').pop() ?? '') || error.message}`,
          });
          return;
        }
        try {
          const parsed = JSON.parse(stdout) as PythonOutline & { unavailable?: string };
          resolve(parsed.unavailable === undefined ? parsed : { unavailable: parsed.unavailable });
        } catch (e) {
          resolve({ unavailable: `unreadable answer from ${interpreter}: ${(e as Error).message}` });
        }
      },
    );
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(text);
  });
}
