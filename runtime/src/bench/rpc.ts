import type { BenchSection } from './section.js';

/** Benchmark section `rpc`. */
export const section: BenchSection = {
  name: 'rpc',
  async run() {
    await Promise.resolve();
    return { skipped: 'not built yet' };
  },
  describe: () => ['rpc: not built yet'],
};
