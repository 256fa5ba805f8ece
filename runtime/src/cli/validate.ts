import type { CliCommand } from './command.js';

/** `kael validate`. */
export const command: CliCommand = {
  summary: 'validate (not built yet)',
  async run(_argv: string[]): Promise<number> {
    await Promise.resolve();
    process.stderr.write('kael validate: not built yet\n');
    return 2;
  },
};
