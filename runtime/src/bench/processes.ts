import { startBenchFrame } from './in-process-frame.js';
import type { BenchFrame } from './in-process-frame.js';
import type { MarkdownRow } from './markdown.js';
import { withUnit } from './markdown.js';
import { median, round, throughput } from './measure.js';
import type { BenchOptions, BenchSection } from './section.js';

/** `add` as in the examples, and `spin`: about 0.5 ms of CPU per call (work a second process can share). */
const WORK_SERVICE = {
  'setting.yaml': 'type: service\nservice_base_name: work\nversion: 1.0\npublish: [add, spin]\n',
  'index.js': [
    "'use strict';",
    'exports.add = (a, b) => a + b;',
    'exports.spin = () => {',
    '  const end = process.hrtime.bigint() + 500000n;',
    '  let n = 0;',
    '  while (process.hrtime.bigint() < end) n++;',
    '  return n;',
    '};',
  ].join('\n'),
};

/** Throughput of one function with one worker process and with two. */
interface ProcessesRow {
  fn: 'add' | 'spin';
  one: number;
  two: number;
  ratio: number;
}

/**
 * Throughput (64 calls in flight) of a frame with one worker process and of one with two
 * (`--processes 2`), for `add` (broker-bound) and `spin` (CPU-bound), in alternating rounds; the
 * median of the rounds. On a 2-core machine the broker and the caller share the cores with the workers.
 */
export const section: BenchSection = {
  name: 'processes',
  async run(options: BenchOptions) {
    const one = await startBenchFrame(options.auri, { work: WORK_SERVICE }, { processes: 1 });
    const two = await startBenchFrame(options.auri, { work: WORK_SERVICE }, { processes: 2 });
    const rounds = options.quick ? 1 : 3;
    const rows: ProcessesRow[] = [];
    const measure = (f: BenchFrame, fn: 'add' | 'spin'): Promise<number> =>
      throughput(
        () => f.client.call(`work__${fn}`, fn === 'add' ? [1, 2] : []),
        fn === 'add' ? (options.quick ? 2000 : 10000) : options.quick ? 300 : 2000,
        64,
      );
    try {
      for (const fn of ['add', 'spin'] as const) {
        await measure(one, fn);
        await measure(two, fn);
        const a: number[] = [];
        const b: number[] = [];
        for (let i = 0; i < rounds; i++) {
          a.push(await measure(one, fn));
          b.push(await measure(two, fn));
        }
        const o = median(a);
        const t = median(b);
        rows.push({ fn, one: o, two: t, ratio: round(t / o) });
      }
    } finally {
      await two.close();
      await one.close();
    }
    return { rows };
  },
  describe(r) {
    return [
      'throughput with 64 in flight, two worker processes (--processes 2) ÷ one',
      ...(r['rows'] as ProcessesRow[]).map(
        (x) =>
          `${x.fn.padEnd(5)} one worker ${x.one} calls/s · two workers ${x.two} calls/s · ratio ${x.ratio}×`,
      ),
    ];
  },
  markdown(r): MarkdownRow[] {
    return (r['rows'] as ProcessesRow[]).map((x) => ({
      measure: `--processes 2, ${x.fn === 'add' ? 'add(1, 2)' : '0.5 ms of CPU per call'}: calls/s`,
      kael: String(x.two),
      reference: `${x.one} (one worker)`,
      ratio: withUnit(x.ratio, '×'),
      target: '',
    }));
  },
};
