import type { CliCommand } from './command.js';

/** `kael status`. */
export const command: CliCommand = {
  summary: 'status (not built yet)',
  async run(_argv: string[]): Promise<number> {
    await Promise.resolve();
    process.stderr.write('kael status: not built yet\n');
    return 2;
  },
};
