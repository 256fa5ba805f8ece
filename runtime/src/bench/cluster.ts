import type { BenchSection } from './section.js';

/** Benchmark section `cluster`. */
export const section: BenchSection = {
  name: 'cluster',
  async run() {
    await Promise.resolve();
    return { skipped: 'not built yet' };
  },
  describe: () => ['cluster: not built yet'],
};
