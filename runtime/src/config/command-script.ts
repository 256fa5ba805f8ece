import path from 'node:path';

/** Extensions of package files a crontab command runs directly (with python3, node or sh). */
const SCRIPT_EXTENSIONS: readonly string[] = ['.py', '.js', '.mjs', '.cjs', '.ts', '.sh'];

/**
 * The first word of a crontab command when it names a script of a known kind (`write.py`,
 * `jobs/run.ts`). The scheduler runs such a word as a package file; the package check requires the
 * file to exist, so both read a command the same way.
 */
export function scriptWord(command: string): string | undefined {
  const first = command.trim().split(/\s+/)[0] ?? '';
  return SCRIPT_EXTENSIONS.includes(path.extname(first)) && !first.includes('$') ? first : undefined;
}
