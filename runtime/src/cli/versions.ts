import { clientCommand } from './cluster-command.js';
import { printJson } from './options.js';

/** `kael versions`: which frame holds which version of each package, and the highest live version. */
export const command = clientCommand(
  'list package versions per frame and the highest live version',
  'kael versions --name NS [--type service|crontab] [PKG] [--json]',
  0,
  async (client, args) => {
    const pkg = args.positionals[0];
    const rows = await client.packageStatus(args.kind, pkg);
    const last = await client.getLastVersion(args.kind);
    if (args.json) printJson({ last, frames: rows });
    else {
      for (const r of rows)
        process.stdout.write(
          `${r.name.padEnd(20)} ${(r.version ?? '?').padEnd(8)} ${r.frame}  ${r.path}${r.error === undefined ? '' : '  FAILED'}\n`,
        );
      for (const [name, v] of Object.entries(last ?? {}))
        process.stdout.write(`highest ${name}: ${String(v)}\n`);
    }
    return 0;
  },
);
