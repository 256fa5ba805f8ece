import type { CliCommand } from './command.js';

/** `kael rollback`. */
export const command: CliCommand = {
  summary: 'rollback (not built yet)',
  async run(_argv: string[]): Promise<number> {
    await Promise.resolve();
    process.stderr.write('kael rollback: not built yet\n');
    return 2;
  },
};
