import type { CliCommand } from './command.js';
import { parseManagement, progress, reportResults, withClient } from './cluster-command.js';

const USAGE = 'kael update <pkg> --name NS [--type service|crontab] [--version V] [--id ID] [--not-id ID,...] [--json]';

/** `kael update`: moves frames holding a package to a version (default: the highest live one). */
export const command: CliCommand = {
  summary: 'update a package to a version (default: the highest live one) and restart it',
  async run(argv) {
    const args = parseManagement(argv, USAGE);
    const [pkg] = args.positionals;
    if (args.help || pkg === undefined) {
      process.stdout.write(`usage: ${USAGE}\n`);
      return args.help ? 0 : 2;
    }
    return withClient(args, USAGE, async (client) => {
      progress(`updating ${args.kind} ${pkg} to ${args.version ?? 'the highest live version'}`);
      const options = { id: args.id, notId: args.notId, timeout: args.timeout, ...(args.version === undefined ? {} : { version: args.version }) };
      const results = args.kind === 'service' ? await client.updateService(pkg, options) : await client.updateCrontab(pkg, options);
      return reportResults(results, args.json);
    });
  },
};
