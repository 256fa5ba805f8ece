import { clientCommand } from './cluster-command.js';
import { printJson } from './options.js';

const USAGE = 'kael crontabs --name NS [CRONTAB] [--auri URL] [--json]';

/** `kael crontabs`: every frame's crontabs, who is active, next runs and the last runs. */
export const command = clientCommand(
  'show crontabs per frame: active/standby, next run, last runs',
  USAGE,
  0,
  async (client, args) => {
    const crontab = args.positionals[0];
    const status = await client.getAllCrontabStatus(crontab === undefined ? {} : { crontab });
    if (args.json) {
      printJson(status);
      return 0;
    }
    let failed = false;
    for (const [frame, crontabs] of Object.entries(status)) {
      for (const c of crontabs) {
        process.stdout.write(
          `${c.name} ${c.version}  ${c.active ? 'ACTIVE' : 'standby'} on ${frame}  (${c.timezone})\n`,
        );
        if (c.error !== undefined) {
          failed = true;
          process.stdout.write(`  FAILED [${c.error.code}] ${c.error.message}\n`);
        }
        for (const e of c.entries) {
          const last = e.runs[0];
          const lastText =
            last === undefined
              ? 'never ran here'
              : `last ${last.status}${last.exitCode === undefined || last.exitCode === null ? '' : ` (exit ${last.exitCode})`} for ${last.scheduledAt}`;
          process.stdout.write(
            `  [${e.index}] ${e.schedule.padEnd(16)} ${e.command}\n      next ${e.nextRun ?? '-'}  ${lastText}\n`,
          );
        }
      }
    }
    return failed ? 1 : 0;
  },
);
