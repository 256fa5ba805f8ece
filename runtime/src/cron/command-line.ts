import path from 'node:path';
import { scriptWord } from '../config/command-script.js';
import { pythonInterpreter } from '../packages/python-interpreter.js';
import { TS_REGISTER_PRELOAD } from '../packages/ts-register-path.js';

export { scriptWord };

/** How a crontab command is started. */
export interface CommandPlan {
  /** Executable. */
  file: string;
  args: string[];
  /** The package file the command names, when it names one. */
  script?: string;
}

/** Interpreters by the extension of a first word that names a package file. */
const INTERPRETERS: Record<string, (script: string) => { file: string; args: string[] }> = {
  '.py': (s) => ({ file: pythonInterpreter().command, args: [s] }),
  '.js': (s) => ({ file: process.execPath, args: [s] }),
  '.mjs': (s) => ({ file: process.execPath, args: [s] }),
  '.cjs': (s) => ({ file: process.execPath, args: [s] }),
  '.ts': (s) => ({ file: process.execPath, args: ['--require', TS_REGISTER_PRELOAD, s] }),
  '.sh': (s) => ({ file: 'sh', args: [s] }),
};

/**
 * Plans a command: a first word naming a file of the package runs with its interpreter (the rest
 * of the line are its arguments, split on spaces); anything else is a shell line (`/bin/sh -c`),
 * so `cat word.txt >> log.txt` works as in a crontab.
 * @param fileExists tells whether a path inside the package is a file.
 */
export function planCommand(
  command: string,
  packageDir: string,
  fileExists: (p: string) => boolean,
): CommandPlan {
  const script = scriptWord(command);
  if (script !== undefined) {
    const abs = path.resolve(packageDir, script);
    if (fileExists(abs)) {
      const run = INTERPRETERS[path.extname(script)];
      if (run !== undefined) {
        const { file, args } = run(abs);
        return { file, args: [...args, ...command.trim().split(/\s+/).slice(1)], script: abs };
      }
    }
  }
  return { file: '/bin/sh', args: ['-c', command] };
}
