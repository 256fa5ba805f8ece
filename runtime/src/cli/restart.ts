import type { CliCommand } from './command.js';

/** `kael restart`. */
export const command: CliCommand = {
  summary: 'restart (not built yet)',
  async run(_argv: string[]): Promise<number> {
    await Promise.resolve();
    process.stderr.write('kael restart: not built yet\n');
    return 2;
  },
};
