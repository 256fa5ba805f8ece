import { changeOptions, clientCommand, progress, reportResults } from './cluster-command.js';

/** `kael restart`: reloads packages of a kind from disk (services on fresh worker processes). */
export const command = clientCommand(
  'restart service or crontab packages with the code on disk',
  'kael restart --name NS [--type service|crontab] [--id ID] [--not-id ID,...] [--json]',
  0,
  async (client, args) => {
    progress(`restarting ${args.kind} packages`);
    return reportResults(await client.restart(args.kind, changeOptions(args)), args.json);
  },
);
