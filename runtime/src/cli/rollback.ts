import type { CliCommand } from './command.js';
import { parseManagement, progress, reportResults, withClient } from './cluster-command.js';

const USAGE = 'kael rollback <pkg> --name NS [--type service|crontab] [--id ID] [--not-id ID,...] [--json]';

/** `kael rollback`: restores the previous kept version of a package. */
export const command: CliCommand = {
  summary: 'restore the previous version of a package',
  async run(argv) {
    const args = parseManagement(argv, USAGE);
    const [pkg] = args.positionals;
    if (args.help || pkg === undefined) {
      process.stdout.write(`usage: ${USAGE}\n`);
      return args.help ? 0 : 2;
    }
    return withClient(args, USAGE, async (client) => {
      progress(`rolling back ${args.kind} ${pkg}`);
      const options = { id: args.id, notId: args.notId, timeout: args.timeout };
      const results = args.kind === 'service' ? await client.rollbackService(pkg, options) : await client.rollbackCrontab(pkg, options);
      return reportResults(results, args.json);
    });
  },
};
