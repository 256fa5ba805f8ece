/** Options every benchmark section gets. */
export interface BenchOptions {
  /** RabbitMQ URL. */
  auri: string;
  /** Smaller sample sizes (for a smoke run). */
  quick: boolean;
}

import type { MarkdownRow } from './markdown.js';

/** One part of `npm run bench`: measures, returns plain numbers, and says them in lines for a person. */
export interface BenchSection {
  /** Key of the section in the JSON output (`rpc` results are merged at the top level). */
  name: string;
  run(options: BenchOptions): Promise<Record<string, unknown>>;
  describe(result: Record<string, unknown>): string[];
  /** Its lines of the README's performance table (`--markdown`); sections without them are left out. */
  markdown?(result: Record<string, unknown>): MarkdownRow[];
}
