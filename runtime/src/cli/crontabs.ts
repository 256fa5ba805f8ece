import { clientCommand } from './cluster-command.js';
import { printJson } from './options.js';

const USAGE = 'kael crontabs --name NS [CRONTAB] [--auri URL] [--json]';

/**
 * `kael crontabs`: every frame's crontabs — who is active, the lease age, the last scheduled tick,
 * next runs and the last runs with the tail of their output. Exit 1 when a crontab failed to load
 * or a frame cannot take part in its election.
 */
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
        const lease =
          c.activeFrame === undefined
            ? 'no active frame known'
            : `active frame ${c.activeFrame}${c.leaseAgeMs === undefined ? '' : `, heartbeat ${c.leaseAgeMs} ms ago`}`;
        process.stdout.write(
          `${c.name} ${c.version}  ${c.active ? 'ACTIVE' : 'standby'} on ${frame}  (${c.timezone}; ${lease})\n`,
        );
        if (c.error !== undefined) {
          failed = true;
          process.stdout.write(`  FAILED [${c.error.code}] ${c.error.message}\n`);
        }
        if (c.problem !== undefined) {
          failed = true;
          process.stdout.write(`  NOT TAKING PART [${c.problem.code}] ${c.problem.message}\n`);
        }
        for (const e of c.entries) {
          const last = e.runs[0];
          const lastText =
            last === undefined
              ? 'never ran here'
              : `last ${last.status}${last.exitCode === undefined || last.exitCode === null ? '' : ` (exit ${last.exitCode})`}${last.durationMs === undefined ? '' : ` in ${last.durationMs} ms`} for ${last.scheduledAt}`;
          process.stdout.write(
            `  [${e.index}] ${e.schedule.padEnd(16)} ${e.command}\n      next ${e.nextRun ?? 'never'}  last scheduled ${e.lastScheduledAt ?? '-'}  ${lastText}\n`,
          );
          const tail = last?.output.trimEnd().split('\n').slice(-3);
          if (tail !== undefined && tail.join('') !== '')
            process.stdout.write(tail.map((l) => `      | ${l}\n`).join(''));
        }
      }
    }
    return failed ? 1 : 0;
  },
);
