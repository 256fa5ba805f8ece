import { createHash } from 'node:crypto';
import fs from 'node:fs';
import Module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type * as TypeScript from 'typescript';

/** Options of every transpilation (part of the cache key: other options, other output). */
const COMPILER_OPTIONS = {
  esModuleInterop: true,
  sourceMap: false,
  inlineSourceMap: true,
} as const;

let compiler: typeof TypeScript | undefined;

// Loading the TypeScript compiler costs about half a second and tens of MB in every worker: it is
// loaded only when a file is not in the cache yet.
function typescript(): typeof TypeScript {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  compiler ??= require('typescript') as typeof TypeScript;
  return compiler;
}

/**
 * Where transpiled files are kept: per user (`$XDG_CACHE_HOME/kael/ts` or `~/.cache/kael/ts`, or
 * `KAEL_TS_CACHE`), created private, so no other user can plant code in it. Undefined (no cache)
 * when it cannot be made or is not the user's own private folder.
 */
function cacheDir(): string | undefined {
  const dir =
    process.env['KAEL_TS_CACHE'] ??
    path.join(process.env['XDG_CACHE_HOME'] ?? path.join(os.homedir(), '.cache'), 'kael', 'ts');
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.statSync(dir);
    const uid = process.getuid?.();
    if (uid !== undefined && (st.uid !== uid || (st.mode & 0o077) !== 0)) return undefined;
    return dir;
  } catch (e) {
    // A read-only or missing home: transpile every time instead.
    process.emitWarning(`kael: no TypeScript cache (${(e as Error).message})`);
    return undefined;
  }
}

function typescriptVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('typescript/package.json') as { version: string }).version;
}

/** Transpiles `source` of `file` to CommonJS, from the cache when the same source was transpiled before. */
function transpile(file: string, source: string, dir: string | undefined): string {
  const key = createHash('sha256')
    .update(`${typescriptVersion()}\0${JSON.stringify(COMPILER_OPTIONS)}\0${file}\0${source}`)
    .digest('hex');
  const cached = dir === undefined ? undefined : path.join(dir, `${key}.js`);
  if (cached !== undefined && fs.existsSync(cached)) return fs.readFileSync(cached, 'utf8');
  const ts = typescript();
  const out = ts.transpileModule(source, {
    fileName: file,
    compilerOptions: {
      ...COMPILER_OPTIONS,
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
    },
  }).outputText;
  if (cached !== undefined) {
    // Written aside and renamed: a reader never sees half a file.
    const tmp = `${cached}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(tmp, out, { mode: 0o600 });
      fs.renameSync(tmp, cached);
    } catch (e) {
      process.emitWarning(`kael: cannot cache the transpiled ${file}: ${(e as Error).message}`);
    }
  }
  return out;
}

/**
 * Lets `require()` load `.ts` files without a build step by transpiling them to CommonJS (types
 * are stripped, not checked). Used by service workers for `index.ts` entry modules and preloaded
 * with `node --require` for crontab commands that name a `.ts` file. Transpiled files are cached per
 * user, keyed by the source, its path and the TypeScript version.
 */
function registerTypeScript(): void {
  const extensions = (
    Module as unknown as { _extensions: Record<string, (m: NodeModule, file: string) => void> }
  )._extensions;
  if (extensions['.ts'] !== undefined) return;
  let dir: string | undefined | null = null;
  extensions['.ts'] = (module, file) => {
    if (dir === null) dir = cacheDir();
    const code = transpile(file, fs.readFileSync(file, 'utf8'), dir);
    (module as unknown as { _compile(code: string, file: string): void })._compile(code, file);
  };
}

registerTypeScript();
