import path from 'node:path';

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

/** The worker script shipped with the runtime (`runtime/python/kael_worker.py`). */
export const PYTHON_WORKER_SCRIPT = path.resolve(__dirname, '../../python/kael_worker.py');

/** The entry file that makes a folder a Python service package. */
export const PYTHON_ENTRY = '__init__.py';

/** True when a resolved entry module is a Python package's `__init__.py`. */
export function isPythonEntry(entry: string): boolean {
  return path.basename(entry) === PYTHON_ENTRY;
}
