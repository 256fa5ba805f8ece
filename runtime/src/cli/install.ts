import type { CliCommand } from './command.js';

/** `kael install`. */
export const command: CliCommand = {
  summary: 'install (not built yet)',
  async run(_argv: string[]): Promise<number> {
    await Promise.resolve();
    process.stderr.write('kael install: not built yet\n');
    return 2;
  },
};
