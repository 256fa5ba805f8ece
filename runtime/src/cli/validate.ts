import { createRequire } from 'node:module';
import path from 'node:path';
import type { ConfigProblem } from '../model/config-problem.js';
import { formatProblem } from '../config/problem.js';
import { KaelError } from '../errors.js';
import type { CliCommand } from './command.js';
import type { FileView } from '../config/file-view.js';
import type { CheckOptions } from '../packages/package-check.js';
import { processCodeLoader } from './load-probe.js';
import { parseCommandLine, printJson } from './options.js';

const USAGE = 'kael validate <frame.yaml | setting.yaml | package folder | dir> [--load] [--json]';

/** The part of the language server's core this command uses. */
interface ValidationCore {
  validatePath(target: string, view?: FileView, options?: CheckOptions): Promise<ConfigProblem[]>;
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

/**
 * `kael validate`: the checks `kael run` makes before it loads a package, as the editor shows them;
 * exit 1 on any error. A frame.yaml is checked with every package it lists (an error in a package is
 * reported in its files and on its `path` line). The code is read, not run, unless `--load` is
 * given: then each service package that passes is also imported in its own process, as the frame
 * does, which finds what only running it shows (a throw at load time, a missing dependency).
 */
export const command: CliCommand = {
  summary: 'check a frame.yaml (with its packages) or setting.yaml as kael run would (exit 1 on errors)',
  async run(argv) {
    const { values, positionals } = parseCommandLine(
      argv,
      {
        json: { type: 'boolean', default: false },
        load: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      USAGE,
    );
    const target = positionals[0];
    if (values.help || target === undefined) {
      process.stdout.write(`usage: ${USAGE}\n`);
      return values.help ? 0 : 2;
    }
    const options: CheckOptions = values.load ? { loadCode: processCodeLoader() } : {};
    const problems = await loadCore().validatePath(path.resolve(target), undefined, options);
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
