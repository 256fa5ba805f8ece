import path from 'node:path';
import type { FileView } from '../config/file-view.js';
import { diskFileView } from '../config/file-view.js';

/**
 * Entry file names tried, in order, when package.json has no `main`. `__init__.py` comes last: a
 * folder with it and none of the others is a Python package (the seed's layout).
 */
const ENTRY_CANDIDATES = ['index.js', 'index.mjs', 'index.cjs', 'index.ts', '__init__.py'] as const;

/**
 * The entry-module rule as messages state it (`kael validate`, the editor, `kael run`), built from
 * {@link ENTRY_CANDIDATES} so the two cannot drift apart.
 */
export const ENTRY_RULE = `package.json main, ${ENTRY_CANDIDATES.filter((n) => n !== '__init__.py').join(', ')}, or __init__.py for a Python package`;

/**
 * The entry module of a service package: package.json `main` if present, else index.js, index.mjs,
 * index.cjs, index.ts, else `__init__.py` (a Python package). The runtime loader and the language
 * server both use this rule.
 * @returns the absolute file, or undefined when the package has none.
 */
export async function resolveEntryModule(
  dir: string,
  view: FileView = diskFileView,
): Promise<string | undefined> {
  const pkgText = await view.readText(path.join(dir, 'package.json'));
  const main = pkgText === undefined ? undefined : mainField(pkgText);
  if (typeof main === 'string' && main !== '') {
    const file = path.resolve(dir, main);
    for (const candidate of [file, `${file}.js`, `${file}.ts`, path.join(file, 'index.js')]) {
      if (await view.isFile(candidate)) return candidate;
    }
    return file;
  }
  for (const name of ENTRY_CANDIDATES) {
    const file = path.join(dir, name);
    if (await view.isFile(file)) return file;
  }
  return undefined;
}

/** The `main` field of a package.json text, or undefined when the text is no JSON object. */
function mainField(text: string): unknown {
  try {
    const parsed = JSON.parse(text) as { main?: unknown } | null;
    return typeof parsed === 'object' && parsed !== null ? parsed.main : undefined;
  } catch {
    // A broken package.json falls back to the index files, like Node does for a missing main (the
    // package check reports the broken file itself).
    return undefined;
  }
}
