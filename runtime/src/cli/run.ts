import type { CliCommand } from './command.js';

/** `kael run`. */
export const command: CliCommand = {
  summary: 'run (not built yet)',
  async run(_argv: string[]): Promise<number> {
    await Promise.resolve();
    process.stderr.write('kael run: not built yet\n');
    return 2;
  },
};
