import type { CliCommand } from './command.js';
import { parseManagement, progress, reportResults, withClient } from './cluster-command.js';

const USAGE = 'kael install <pkg> <path> --name NS [--type service|crontab] [--version V] [--id ID] [--not-id ID,...] [--json]';

/** `kael install`: copies a package from the live frame holding the version to frames lacking it. */
export const command: CliCommand = {
  summary: 'install a package (from the frame holding the version) on frames that lack it',
  async run(argv) {
    const args = parseManagement(argv, USAGE);
    const [pkg, installPath] = args.positionals;
    if (args.help || pkg === undefined || installPath === undefined) {
      process.stdout.write(`usage: ${USAGE}\n`);
      return args.help ? 0 : 2;
    }
    return withClient(args, USAGE, async (client) => {
      progress(`installing ${args.kind} ${pkg}${args.version === undefined ? '' : ` ${args.version}`} at ${installPath}`);
      const options = { id: args.id, notId: args.notId, timeout: args.timeout, ...(args.version === undefined ? {} : { version: args.version }) };
      const results = args.kind === 'service' ? await client.installService(pkg, installPath, options) : await client.installCrontab(pkg, installPath, options);
      return reportResults(results, args.json);
    });
  },
};
