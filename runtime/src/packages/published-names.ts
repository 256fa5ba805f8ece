import path from 'node:path';
import { diskFileView } from '../config/file-view.js';
import type { FileView } from '../config/file-view.js';
import type { ExportReader, PublishedNames } from '../model/module-exports.js';
import { resolveEntryModule } from './entry-module.js';

/**
 * The readers of entry modules, by language. A language is added by adding its reader here (the
 * entry-file rule in `entry-module.ts` must find its entry file too). Each is loaded on first use
 * only (the TypeScript parser; the Python reader, which runs Python's own `ast` on the file).
 */
export const EXPORT_READERS: readonly ExportReader[] = [
  {
    language: 'javascript',
    extensions: ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'],
    read: async (entry, text) => (await import('./js-exports.js')).readModuleExports(text, entry),
  },
  {
    language: 'python',
    extensions: ['.py'],
    cachesItself: true,
    read: async (entry, text, files) =>
      (await import('./python-exports.js')).readPythonExports(entry, text, files),
  },
];

/**
 * What the entry module of the package folder `dir` publishes, read statically (never run).
 * Used by the package check (`kael run`, `kael validate`, the editor) and by the editor's completion
 * and quick fixes.
 * @returns undefined when the package has no entry module it could read; `language: 'unknown'` and
 * `dynamic: true` when no reader reads the entry file's language.
 */
export async function readPublishedNames(
  dir: string,
  view: FileView = diskFileView,
): Promise<PublishedNames | undefined> {
  const entry = await resolveEntryModule(dir, view);
  if (entry === undefined) return undefined;
  const text = await view.readText(entry);
  if (text === undefined) return undefined;
  const reader = EXPORT_READERS.find((r) => r.extensions.includes(path.extname(entry)));
  if (reader === undefined)
    return { entry, language: 'unknown', names: new Map(), dynamic: true, syntaxErrors: [] };
  if (reader.cachesItself === true)
    return { entry, language: reader.language, ...(await reader.read(entry, text, view)) };
  // The editor re-checks every open document on each edit: an unchanged entry is not parsed again.
  const cached = lastRead.get(entry);
  if (cached?.text === text && cached.reader === reader) return cached.result;
  const result: PublishedNames = {
    entry,
    language: reader.language,
    ...(await reader.read(entry, text, view)),
  };
  if (lastRead.size >= CACHE_ENTRIES) lastRead.delete(lastRead.keys().next().value ?? '');
  lastRead.set(entry, { text, reader, result });
  return result;
}

/** How many entry files' last reading is kept. */
const CACHE_ENTRIES = 1000;
const lastRead = new Map<string, { text: string; reader: ExportReader; result: PublishedNames }>();
