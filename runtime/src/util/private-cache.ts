import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A folder of the per-user cache (`$XDG_CACHE_HOME/kael/<name>` or `~/.cache/kael/<name>`, or
 * `override`), created private: files that a frame executes are kept there (transpiled TypeScript,
 * compiled `args` validators), so no other user may be able to plant one. Undefined (no cache) when
 * it cannot be made or is not the user's own private folder.
 */
export function privateCacheDir(name: string, override?: string): string | undefined {
  const dir =
    override ?? path.join(process.env['XDG_CACHE_HOME'] ?? path.join(os.homedir(), '.cache'), 'kael', name);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.statSync(dir);
    const uid = process.getuid?.();
    if (uid !== undefined && (st.uid !== uid || (st.mode & 0o077) !== 0)) return undefined;
    return dir;
  } catch (e) {
    // A read-only or missing home: work without the cache.
    process.emitWarning(`kael: no ${name} cache (${(e as Error).message})`);
    return undefined;
  }
}

/** The cached text of `file`, or undefined when it is not there. */
export function readCached(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Writes `text` to `file` aside and renames it, so a reader never sees half a file; warns on failure. */
export function writeCached(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, text, { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch (e) {
    process.emitWarning(`kael: cannot cache ${path.basename(file)}: ${(e as Error).message}`);
  }
}
