#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CliCommand } from './command.js';

/** Subcommands, loaded on demand so `kael call` does not pay for what `kael run` needs. */
const COMMANDS: Record<string, () => Promise<{ command: CliCommand }>> = {
  run: () => import('./run.js'),
  call: () => import('./call.js'),
  validate: () => import('./validate.js'),
  status: () => import('./status.js'),
  versions: () => import('./versions.js'),
  install: () => import('./install.js'),
  update: () => import('./update.js'),
  rollback: () => import('./rollback.js'),
  restart: () => import('./restart.js'),
  crontabs: () => import('./crontabs.js'),
  dlq: () => import('./dlq.js'),
  schedule: () => import('./schedule.js'),
  keygen: () => import('./keygen.js'),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const lines = await Promise.all(
      Object.entries(COMMANDS).map(
        async ([n, load]) => `  kael ${n.padEnd(10)} ${(await load()).command.summary}`,
      ),
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
  return (await load()).command.run(rest);
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
