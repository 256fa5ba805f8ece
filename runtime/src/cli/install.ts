import { changeOptions, clientCommand, progress, reportResults } from './cluster-command.js';

/** `kael install`: copies a package from the live frame holding the version to frames lacking it. */
export const command = clientCommand(
  'install a package (from the frame holding the version) on frames that lack it',
  'kael install <pkg> <path> --name NS [--type service|crontab] [--version V] [--id ID] [--not-id ID,...] [--json]',
  2,
  async (client, args) => {
    const [pkg = '', installPath = ''] = args.positionals;
    progress(
      `installing ${args.kind} ${pkg}${args.version === undefined ? '' : ` ${args.version}`} at ${installPath}`,
    );
    const results = await client.install(args.kind, pkg, installPath, changeOptions(args));
    return reportResults(results, args.json);
  },
);
