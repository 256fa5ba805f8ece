import { createRequire } from 'node:module';
import path from 'node:path';
import type { ConfigProblem } from '../model/config-problem.js';
import { formatProblem } from '../config/problem.js';
import { KaelError } from '../errors.js';
import type { CliCommand } from './command.js';
import { parseCommandLine, printJson } from './options.js';

const USAGE = 'kael validate <frame.yaml | package folder | dir> [--json]';

/** The part of the language server's core this command uses. */
interface ValidationCore {
  validatePath(target: string): Promise<ConfigProblem[]>;
}

/**
 * The language server's validation core, loaded at run time: the server depends on the runtime, so
 * the runtime must not depend on the server at build time.
 * @throws KaelError `USAGE` when the server package is not installed.
 */
function loadCore(): ValidationCore {
  const specifier = '@kael/server';
  try {
    return createRequire(__filename)(specifier) as ValidationCore;
  } catch (e) {
    throw new KaelError(
      'USAGE',
      `kael validate needs the ${specifier} package (the language server): ${(e as Error).message}`,
      { cause: e },
    );
  }
}

/** `kael validate`: the editor's checks for CI; exit 1 when anything is wrong. */
export const command: CliCommand = {
  summary: 'check frame.yaml and setting.yaml files like the editor does (exit 1 on errors)',
  async run(argv) {
    const { values, positionals } = parseCommandLine(
      argv,
      { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
      USAGE,
    );
    const target = positionals[0];
    if (values.help || target === undefined) {
      process.stdout.write(`usage: ${USAGE}\n`);
      return values.help ? 0 : 2;
    }
    const problems = await loadCore().validatePath(path.resolve(target));
    const errors = problems.filter((p) => p.severity === 'error');
    if (values.json)
      printJson({
        ok: errors.length === 0,
        errors: errors.length,
        warnings: problems.length - errors.length,
        problems,
      });
    else {
      for (const p of problems)
        process.stdout.write(`${formatProblem(p)}${p.severity === 'warning' ? ' (warning)' : ''}\n`);
      process.stdout.write(`${errors.length} error(s), ${problems.length - errors.length} warning(s)\n`);
    }
    return errors.length === 0 ? 0 : 1;
  },
};
