import type { BenchSection } from './section.js';

/** Benchmark section `language-server`. */
export const section: BenchSection = {
  name: 'language-server',
  async run() {
    await Promise.resolve();
    return { skipped: 'not built yet' };
  },
  describe: () => ['language-server: not built yet'],
};
