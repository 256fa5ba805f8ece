import type { CliCommand } from './command.js';

/** `kael crontabs`. */
export const command: CliCommand = {
  summary: 'crontabs (not built yet)',
  async run(_argv: string[]): Promise<number> {
    await Promise.resolve();
    process.stderr.write('kael crontabs: not built yet\n');
    return 2;
  },
};
