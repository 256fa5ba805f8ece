import { changeOptions, clientCommand, progress, reportResults } from './cluster-command.js';

/** `kael rollback`: restores the previous kept version of a package. */
export const command = clientCommand(
  'restore the previous version of a package',
  'kael rollback <pkg> --name NS [--type service|crontab] [--id ID] [--not-id ID,...] [--json]',
  1,
  async (client, args) => {
    const [pkg = ''] = args.positionals;
    progress(`rolling back ${args.kind} ${pkg}`);
    const results = await client.rollback(args.kind, pkg, changeOptions(args));
    return reportResults(results, args.json);
  },
);
