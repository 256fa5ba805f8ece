#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CliCommand } from './command.js';

/**
 * A subcommand's module, loaded on demand so `kael call` does not pay for what `kael run` needs. By
 * `require`: an `import()` would first start Node's ESM loader, milliseconds at every start.
 */
function command(file: string): () => { command: CliCommand } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return () => require(file) as { command: CliCommand };
}

/** Subcommands by name. */
const COMMANDS: Record<string, () => { command: CliCommand }> = {
  run: command('./run.js'),
  call: command('./call.js'),
  validate: command('./validate.js'),
  status: command('./status.js'),
  versions: command('./versions.js'),
  install: command('./install.js'),
  update: command('./update.js'),
  rollback: command('./rollback.js'),
  restart: command('./restart.js'),
  crontabs: command('./crontabs.js'),
  dlq: command('./dlq.js'),
  schedule: command('./schedule.js'),
  keygen: command('./keygen.js'),
  top: command('./top.js'),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const lines = Object.entries(COMMANDS).map(
      ([n, load]) => `  kael ${n.padEnd(10)} ${load().command.summary}`,
    );
    process.stdout.write(
      `usage: kael <command> [options]   (kael --version: the version)\n\n${lines.join('\n')}\n\nEnvironment: KAEL_AURI (broker URL), KAEL_NAME (namespace), KAEL_ADMIN_KEY or KAEL_ADMIN_KEY_FILE (the admin key: frames refuse changing commands not signed with it).\n`,
    );
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (load === undefined) {
    process.stderr.write(`kael: unknown command "${name}"; run "kael help"\n`);
    return 2;
  }
  return load().command.run(rest);
}

/** The version of the installed package (dist/cli/main.js → package.json two folders up). */
function version(): string {
  const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const err = e as { code?: string; message?: string };
    if (process.env['KAEL_LOG_FORMAT'] === 'json')
      process.stderr.write(
        JSON.stringify({
          time: new Date().toISOString(),
          level: 'error',
          scope: 'cli',
          pid: process.pid,
          msg: err.message ?? String(e),
          code: err.code ?? null,
        }) + '\n',
      );
    else
      process.stderr.write(
        `kael: ${err.code === undefined ? '' : `[${err.code}] `}${err.message ?? String(e)}\n`,
      );
    process.exitCode = 1;
  },
);
