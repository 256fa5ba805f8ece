import { createHash } from 'node:crypto';
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import type * as TypeScript from 'typescript';
import { privateCacheDir, readCached, writeCached } from '../util/private-cache.js';

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

/** Where transpiled files are kept: the per-user private cache's `ts` folder, or `KAEL_TS_CACHE`. */
function cacheDir(): string | undefined {
  return privateCacheDir('ts', process.env['KAEL_TS_CACHE']);
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
  const hit = cached === undefined ? undefined : readCached(cached);
  if (hit !== undefined) return hit;
  const ts = typescript();
  const out = ts.transpileModule(source, {
    fileName: file,
    compilerOptions: {
      ...COMPILER_OPTIONS,
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
    },
  }).outputText;
  if (cached !== undefined) writeCached(cached, out);
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
