import type { CliCommand } from './command.js';

/** `kael versions`. */
export const command: CliCommand = {
  summary: 'versions (not built yet)',
  async run(_argv: string[]): Promise<number> {
    await Promise.resolve();
    process.stderr.write('kael versions: not built yet\n');
    return 2;
  },
};
