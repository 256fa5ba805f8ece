import { changeOptions, clientCommand, progress, reportResults } from './cluster-command.js';

/** `kael update`: moves frames holding a package to a version (default: the highest live one). */
export const command = clientCommand(
  'update a package to a version (default: the highest live one) and restart it',
  'kael update <pkg> --name NS [--type service|crontab] [--version V] [--id ID] [--not-id ID,...] [--json]',
  1,
  async (client, args) => {
    const [pkg = ''] = args.positionals;
    progress(`updating ${args.kind} ${pkg} to ${args.version ?? 'the highest live version'}`);
    const results = await client.update(args.kind, pkg, changeOptions(args));
    return reportResults(results, args.json);
  },
);
