import { clientCommand } from './cluster-command.js';
import { printJson } from './options.js';

/**
 * `kael versions`: which frame holds which version of each package, and the highest live version.
 * A copy that failed to load is marked FAILED with its reason and is never counted as the highest
 * (an update or install never takes a failed copy as its source).
 */
export const command = clientCommand(
  'list package versions per frame (FAILED copies marked) and the highest loaded version',
  'kael versions --name NS [--type service|crontab] [PKG] [--json]',
  0,
  async (client, args) => {
    const pkg = args.positionals[0];
    const rows = await client.packageStatus(args.kind, pkg);
    const all = await client.getLastVersion(args.kind);
    const last = pkg === undefined ? all : Object.fromEntries(Object.entries(all).filter(([n]) => n === pkg));
    if (args.json) printJson({ last, frames: rows });
    else {
      for (const r of rows)
        process.stdout.write(
          `${r.name.padEnd(20)} ${(r.version ?? '?').padEnd(8)} ${r.state === 'ok' ? '' : `${r.state.toUpperCase()} `}${r.frame}  ${r.path}${r.reason === undefined ? '' : `\n      ${r.reason}`}\n`,
        );
      for (const name of new Set(rows.map((r) => r.name))) {
        const v = last[name];
        process.stdout.write(
          v === undefined || v === ''
            ? `highest ${name}: none loaded (every copy failed)\n`
            : `highest ${name}: ${v}\n`,
        );
      }
    }
    return 0;
  },
);
