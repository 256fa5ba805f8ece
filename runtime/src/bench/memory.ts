import { copyExamples, startExamplesFrame } from './cold-start.js';
import type { MarkdownRow } from './markdown.js';
import { withUnit } from './markdown.js';
import { round, throughput } from './measure.js';
import { descendants, rssMb } from './process-memory.js';
import { startFloor } from './rpc.js';
import type { BenchOptions, BenchSection } from './section.js';

/** Resident memory in MB: the server's own process and, for kael, its workers. */
interface Rss {
  /** The frame process (kael) or the server process (floor). */
  main: number;
  /** Worker processes (kael's service worker and the examples' Python worker). */
  workers: number;
  total: number;
}

async function rssOf(pid: number): Promise<Rss> {
  const main = (await rssMb(pid)) ?? NaN;
  let workers = 0;
  for (const child of await descendants(pid)) workers += (await rssMb(child)) ?? 0;
  return { main, workers: round(workers), total: round(main + workers) };
}

/** Runs `load` and samples the memory every 100 ms; the largest total seen. */
async function peakDuring(pid: number, load: () => Promise<unknown>): Promise<Rss> {
  let peak = await rssOf(pid);
  let running = true;
  const sampler = (async (): Promise<void> => {
    while (running) {
      const now = await rssOf(pid);
      if (now.total > peak.total) peak = now;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    await load();
  } finally {
    running = false;
    await sampler;
  }
  return peak;
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 1000));

/**
 * Resident memory (RSS, MB) of `kael run` on the examples frame — the frame process and its
 * workers — idle and at the peak of a 64-in-flight calculate__add run, beside the raw floor's server
 * process under the same load.
 */
export const section: BenchSection = {
  name: 'memory',
  async run(options: BenchOptions) {
    const calls = options.quick ? 3000 : 20000;
    const floor = await startFloor(options.auri);
    let floorIdle: Rss;
    let floorLoad: Rss;
    try {
      await settle();
      floorIdle = await rssOf(floor.pid);
      floorLoad = await peakDuring(floor.pid, () => throughput(() => floor.call(), calls, 64));
    } finally {
      await floor.close();
    }
    const copy = await copyExamples();
    try {
      const frame = await startExamplesFrame(options.auri, copy.conf);
      try {
        const pid = frame.child.pid ?? -1;
        await settle();
        const idle = await rssOf(pid);
        const load = await peakDuring(pid, () =>
          throughput(() => frame.client.call('calculate__add', [1, 2]), calls, 64),
        );
        return { kael: { idle, load }, floor: { idle: floorIdle, load: floorLoad } };
      } finally {
        await frame.stop();
      }
    } finally {
      await copy.remove();
    }
  },
  describe(r) {
    const k = r['kael'] as Record<'idle' | 'load', Rss>;
    const f = r['floor'] as Record<'idle' | 'load', Rss>;
    const say = (x: Rss): string => `${x.total} MB (frame ${x.main} MB + workers ${x.workers} MB)`;
    return [
      `kael run (examples), idle:              ${say(k.idle)}`,
      `kael run (examples), 64 calls in flight: ${say(k.load)}`,
      `raw floor server, idle ${f.idle.main} MB, under load ${f.load.main} MB`,
    ];
  },
  markdown(r): MarkdownRow[] {
    const k = r['kael'] as Record<'idle' | 'load', Rss>;
    const f = r['floor'] as Record<'idle' | 'load', Rss>;
    return (['idle', 'load'] as const).map((when) => ({
      measure: `memory (RSS), ${when === 'idle' ? 'idle' : '64 calls in flight'}: frame + workers (examples)`,
      kael: `${withUnit(k[when].total, 'MB', 0)} (${withUnit(k[when].main, '', 0)} + ${withUnit(k[when].workers, '', 0)})`,
      reference: `${withUnit(f[when].main, 'MB', 0)} (raw server process)`,
      ratio: '',
      target: '',
    }));
  },
};
