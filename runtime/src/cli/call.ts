import type { CliCommand } from './command.js';

/** `kael call`. */
export const command: CliCommand = {
  summary: 'call (not built yet)',
  async run(_argv: string[]): Promise<number> {
    await Promise.resolve();
    process.stderr.write('kael call: not built yet\n');
    return 2;
  },
};
