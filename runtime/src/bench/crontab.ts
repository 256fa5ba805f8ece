import type { BenchSection } from './section.js';

/** Benchmark section `crontab`. */
export const section: BenchSection = {
  name: 'crontab',
  async run() {
    await Promise.resolve();
    return { skipped: 'not built yet' };
  },
  describe: () => ['crontab: not built yet'],
};
