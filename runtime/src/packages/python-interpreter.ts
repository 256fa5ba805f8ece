import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FileView } from '../config/file-view.js';
import { diskFileView } from '../config/file-view.js';
import type { PackageRecord } from '../model/package-record.js';
import type { Logger } from '../util/logger.js';
import { resolveEntryModule } from './entry-module.js';

/** The Python interpreter kael runs: `KAEL_PYTHON`, else `python3` from PATH. */
export interface PythonInterpreter {
  /** What is executed (a path or a command name looked up in PATH). */
  command: string;
  /** Where the choice came from. */
  source: 'KAEL_PYTHON' | 'PATH';
}

/**
 * The interpreter for Python service packages, crontab `.py` commands and the language server's
 * reading of `__init__.py`. Read at each use, so a frame started with another `KAEL_PYTHON` uses it.
 */
export function pythonInterpreter(env: NodeJS.ProcessEnv = process.env): PythonInterpreter {
  const chosen = env['KAEL_PYTHON']?.trim();
  return chosen === undefined || chosen === ''
    ? { command: 'python3', source: 'PATH' }
    : { command: chosen, source: 'KAEL_PYTHON' };
}

/**
 * A Python script shipped with the runtime (`runtime/python/<name>`). Found beside the compiled
 * runtime (`runtime/dist/packages` → `runtime/python`), or beside a bundle that ships it in its own
 * `python/` folder (the extension's language server: `extension/dist` → `extension/python`).
 */
function pythonScript(name: string): string {
  const candidates = [
    path.resolve(__dirname, '../../python', name),
    path.resolve(__dirname, '../python', name),
  ];
  return candidates.find((c) => existsSync(c)) ?? (candidates[0] as string);
}

/** The worker script that serves a Python package (`runtime/python/kael_worker.py`). */
export const PYTHON_WORKER_SCRIPT = pythonScript('kael_worker.py');

/** The script that reads `__init__.py` statically for the package check (`runtime/python/kael_outline.py`). */
export const PYTHON_OUTLINE_SCRIPT = pythonScript('kael_outline.py');

/** The entry file that makes a folder a Python service package. */
export const PYTHON_ENTRY = '__init__.py';

/** True when a resolved entry module is a Python package's `__init__.py`. */
export function isPythonEntry(entry: string): boolean {
  return path.basename(entry) === PYTHON_ENTRY;
}

/** The interpreter's `sys.executable` and version, or why it cannot run. */
async function probePython(
  interpreter: PythonInterpreter = pythonInterpreter(),
): Promise<{ executable: string; version: string } | { error: string }> {
  return new Promise((resolve) => {
    execFile(
      interpreter.command,
      ['-c', 'import sys; print(sys.executable); print(sys.version.split()[0])'],
      { timeout: 10_000 },
      (error, stdout) => {
        const [executable, version] = stdout.trim().split('\n');
        if (error !== null || executable === undefined || version === undefined)
          resolve({ error: error?.message ?? 'no answer' });
        else resolve({ executable, version });
      },
    );
  });
}

/**
 * Logs which Python interpreter (and version) will serve the frame's Python service packages, once
 * at start, or warns that none can be started. Nothing is logged when no package is a Python one.
 */
export async function logPythonInterpreter(
  records: readonly PackageRecord[],
  logger: Logger,
  view: FileView = diskFileView,
): Promise<void> {
  const services = records.filter((r) => r.setting?.type === 'service');
  const entries = await Promise.all(services.map((r) => resolveEntryModule(r.dir, view)));
  if (!entries.some((e) => e !== undefined && isPythonEntry(e))) return;
  const interpreter = pythonInterpreter();
  const probe = await probePython(interpreter);
  if ('error' in probe)
    logger.warn(`Python packages cannot start: the interpreter "${interpreter.command}" does not run`, {
      from: interpreter.source,
      error: probe.error,
    });
  else
    logger.info(`Python ${probe.version} serves the Python packages`, {
      interpreter: interpreter.command,
      from: interpreter.source,
      executable: probe.executable,
    });
}
