import type { CliCommand } from './command.js';
import { parseManagement, progress, reportResults, withClient } from './cluster-command.js';

const USAGE = 'kael restart --name NS [--type service|crontab] [--id ID] [--not-id ID,...] [--json]';

/** `kael restart`: reloads packages of a kind from disk (services on fresh worker processes). */
export const command: CliCommand = {
  summary: 'restart service or crontab packages with the code on disk',
  async run(argv) {
    const args = parseManagement(argv, USAGE);
    if (args.help) {
      process.stdout.write(`usage: ${USAGE}\n`);
      return 0;
    }
    return withClient(args, USAGE, async (client) => {
      progress(`restarting ${args.kind} packages`);
      return reportResults(await client.restartServers(args.kind, { id: args.id, notId: args.notId, timeout: args.timeout }), args.json);
    });
  },
};
