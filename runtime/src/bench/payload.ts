import { startBenchFrame } from './in-process-frame.js';
import type { MarkdownRow } from './markdown.js';
import { withUnit } from './markdown.js';
import type { CallStats } from './measure.js';
import { interleavedLatency, interleavedThroughput, median, round } from './measure.js';
import { startFloor } from './rpc.js';
import type { BenchOptions, BenchSection } from './section.js';

/** The sizes measured: the argument is a string of this many ASCII characters. */
const SIZES = [
  { name: '1 KB', bytes: 1024, calls: 2000, inFlight: 32 },
  { name: '100 KB', bytes: 100 * 1024, calls: 400, inFlight: 16 },
  { name: '1 MB', bytes: 1024 * 1024, calls: 60, inFlight: 4 },
] as const;

/** One size in one encoding: kael and the floor, and kael ÷ floor. */
interface PayloadRow {
  size: string;
  encoding: 'msgpack' | 'json';
  floor: CallStats;
  kael: CallStats;
  ratio: { p50: number; calls_per_s: number };
}

const SIZE_SERVICE = {
  'setting.yaml': 'type: service\nservice_base_name: blob\nversion: 1.0\npublish: [size]\n',
  'index.js': "'use strict';\nexports.size = (x) => x.length;\n",
};

function medianStats(all: readonly CallStats[]): CallStats {
  return {
    p50_ms: median(all.map((s) => s.p50_ms)),
    p99_ms: median(all.map((s) => s.p99_ms)),
    calls_per_s: median(all.map((s) => s.calls_per_s)),
  };
}

/** One round: floor and kael sequential calls in turn, call by call; then throughput in slices in turn. */
async function measureRound(
  floor: () => Promise<unknown>,
  kael: () => Promise<unknown>,
  calls: number,
  inFlight: number,
  quick: boolean,
): Promise<[CallStats, CallStats]> {
  const n = quick ? Math.max(10, Math.round(calls / 10)) : calls;
  const [fs, ks] = await interleavedLatency([floor, kael], n, Math.max(5, Math.round(n / 5)));
  const [fr, kr] = await interleavedThroughput([floor, kael], n, inFlight, 4);
  return [
    { ...(fs as { p50_ms: number; p99_ms: number }), calls_per_s: fr as number },
    { ...(ks as { p50_ms: number; p99_ms: number }), calls_per_s: kr as number },
  ];
}

/**
 * Throughput and p50 of one call whose argument is 1 KB, 100 KB or 1 MB, msgpack and JSON bodies,
 * kael beside the raw floor sending the same payload (encoded per call, as kael does): sequential
 * calls in turn, call by call, then throughput in slices in turn; each number the median over the
 * rounds. The reply is small (the length).
 */
export const section: BenchSection = {
  name: 'payload',
  async run(options: BenchOptions) {
    const floor = await startFloor(options.auri);
    const kael = await startBenchFrame(options.auri, { blob: SIZE_SERVICE });
    const rounds = options.quick ? 1 : 3;
    const rows: PayloadRow[] = [];
    try {
      for (const size of SIZES) {
        const payload = 'x'.repeat(size.bytes);
        for (const encoding of ['msgpack', 'json'] as const) {
          const json = encoding === 'json';
          const f: CallStats[] = [];
          const k: CallStats[] = [];
          for (let i = 0; i < rounds; i++) {
            const [fr, kr] = await measureRound(
              () => floor.request([payload], json),
              () => kael.client.call('blob__size', [payload], { json }),
              size.calls,
              size.inFlight,
              options.quick,
            );
            f.push(fr);
            k.push(kr);
          }
          const fs = medianStats(f);
          const ks = medianStats(k);
          rows.push({
            size: size.name,
            encoding,
            floor: fs,
            kael: ks,
            ratio: { p50: round(ks.p50_ms / fs.p50_ms), calls_per_s: round(ks.calls_per_s / fs.calls_per_s) },
          });
        }
      }
    } finally {
      await kael.close();
      await floor.close();
    }
    return { rows };
  },
  describe(r) {
    const rows = r['rows'] as PayloadRow[];
    return [
      'one string argument of the size, the length back; kael ÷ raw floor with the same payload (target throughput ≥ 0.9×)',
      ...rows.map(
        (x) =>
          `${x.size.padEnd(7)} ${x.encoding.padEnd(8)} floor p50 ${x.floor.p50_ms} ms ${x.floor.calls_per_s} calls/s · kael p50 ${x.kael.p50_ms} ms ${x.kael.calls_per_s} calls/s · ratio p50 ${x.ratio.p50}× throughput ${x.ratio.calls_per_s}×`,
      ),
    ];
  },
  markdown(r): MarkdownRow[] {
    return (r['rows'] as PayloadRow[]).map((x) => ({
      measure: `${x.size} argument, ${x.encoding}: calls/s (p50)`,
      kael: `${x.kael.calls_per_s} (${withUnit(x.kael.p50_ms, 'ms')})`,
      reference: `${x.floor.calls_per_s} (${withUnit(x.floor.p50_ms, 'ms')})`,
      ratio: `${withUnit(x.ratio.calls_per_s, '×')} (${withUnit(x.ratio.p50, '×')})`,
      target: 'throughput ≥ 0.9×',
    }));
  },
};
