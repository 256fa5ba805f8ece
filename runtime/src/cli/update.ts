import type { CliCommand } from './command.js';

/** `kael update`. */
export const command: CliCommand = {
  summary: 'update (not built yet)',
  async run(_argv: string[]): Promise<number> {
    await Promise.resolve();
    process.stderr.write('kael update: not built yet\n');
    return 2;
  },
};
