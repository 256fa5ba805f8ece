import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { decode, encode } from '@msgpack/msgpack';
import amqp from 'amqplib';
import { connectClient } from '../client/frame-client.js';
import { deleteNamespaceQueues } from '../demo/cleanup.js';
import { WorkFrame } from '../frame/work-frame.js';
import { createLogger } from '../util/logger.js';
import { makeFrameDir } from './frame-process.js';
import type { MarkdownRow } from './markdown.js';
import { withUnit } from './markdown.js';
import type { CallStats } from './measure.js';
import { interleavedLatency, interleavedThroughput, median, round } from './measure.js';
import type { BenchOptions, BenchSection } from './section.js';

/** Failures of the benchmark's own connections reject the operation that hit them; the event is logged. */
const log = createLogger('bench');

/** Something the benchmarks call: a raw floor or kael. */
export interface Contender {
  call(): Promise<unknown>;
  close(): Promise<void>;
}

/** The raw floor: `call()` is add(1, 2) with a body encoded once; `request` encodes its arguments per call. */
export interface Floor extends Contender {
  /** Sends `[args, {}]`, msgpack or JSON encoded for this call, and resolves with the reply's value. */
  request(args: readonly unknown[], json: boolean): Promise<unknown>;
  /** The server process. */
  pid: number;
}

/** Where the raw floor's server runs and how it is started. */
export interface FloorOptions {
  /** The server's broker URL (another cluster node). @default the caller's */
  serverAuri?: string;
  /** @default 'classic' */
  queueType?: 'classic' | 'quorum';
  /** The server process's environment. @default this process's */
  env?: NodeJS.ProcessEnv;
}

/**
 * The raw floor: plain amqplib with direct reply-to against a one-process plain amqplib server.
 * The server may use another broker node (`serverAuri`) and a quorum queue (the cluster benchmark).
 */
export async function startFloor(auri: string, options: FloorOptions = {}): Promise<Floor> {
  const { serverAuri = auri, queueType = 'classic', env = process.env } = options;
  const queue = `kael-bench-floor-${randomBytes(4).toString('hex')}`;
  const server = fork(path.join(__dirname, 'floor-server.js'), [serverAuri, queue, queueType], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('message', () => resolve());
    server.once('exit', (code) => reject(new Error(`floor server exited ${code}`)));
  });
  const conn = await amqp.connect(auri, { noDelay: true });
  conn.on('error', (e: Error) => log.debug('bench connection error', { error: e.message }));
  const ch = await conn.createChannel();
  ch.on('error', (e: Error) => log.debug('bench channel error', { error: e.message }));
  const pending = new Map<string, (v: unknown) => void>();
  await ch.consume(
    'amq.rabbitmq.reply-to',
    (msg) => {
      if (msg === null) return;
      const id = msg.properties.correlationId as string;
      const reply =
        msg.properties.contentType === 'application/json'
          ? (JSON.parse(msg.content.toString('utf8')) as { value: unknown })
          : (decode(msg.content) as { value: unknown });
      pending.get(id)?.(reply.value);
      pending.delete(id);
    },
    { noAck: true },
  );
  let n = 0;
  const bytes = encode([[1, 2], {}]);
  const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const send = (content: Buffer, contentType: string): Promise<unknown> =>
    new Promise((resolve) => {
      const correlationId = String(n++);
      pending.set(correlationId, resolve);
      ch.publish('', queue, content, {
        correlationId,
        replyTo: 'amq.rabbitmq.reply-to',
        contentType,
        expiration: '30000',
      });
    });
  return {
    pid: server.pid ?? -1,
    call: () => send(body, 'application/msgpack'),
    request: (args, json) => {
      if (json) return send(Buffer.from(JSON.stringify([args, {}])), 'application/json');
      const b = encode([args, {}]);
      return send(Buffer.from(b.buffer, b.byteOffset, b.byteLength), 'application/msgpack');
    },
    close: async () => {
      await conn.close();
      server.disconnect();
      await new Promise((r) => server.once('exit', r));
    },
  };
}

const EXAMPLES = path.resolve(__dirname, '../../../examples');

/** The example calculate package with its code in Python: same setting.yaml (and args schema), `__init__.py`. */
async function pythonCalculateFrame(): Promise<string> {
  return makeFrameDir({
    calculate: {
      'setting.yaml': await fsp.readFile(path.join(EXAMPLES, 'calculate_service', 'setting.yaml'), 'utf8'),
      '__init__.py': [
        'def add(a, b):',
        '    return a + b',
        '',
        'def minus(a, b):',
        '    return a - b',
        '',
        'def divide(a, b):',
        '    return a / b',
        '',
      ].join('\n'),
    },
  });
}

/**
 * kael with default settings: a frame on `conf` (the examples: calculate in JavaScript; or the same
 * package in Python), a client calling calculate__add(1, 2).
 */
async function startKael(auri: string, conf: string): Promise<Contender> {
  const namespace = `bench-${randomBytes(3).toString('hex')}`;
  const frame = new WorkFrame({
    name: namespace,
    auri,
    serviceGroupConf: conf,
    logger: createLogger('frame', 'warn'),
  });
  await frame.start();
  const client = await connectClient<{ calculate__add(a: number, b: number): Promise<number> }>({
    name: namespace,
    auri,
  });
  return {
    call: () => client.calculate__add(1, 2),
    close: async () => {
      await client.close();
      await frame.stop();
      await deleteNamespaceQueues(
        auri,
        namespace,
        frame.snapshot().packages.flatMap((p) => p.services ?? []),
      );
    },
  };
}

/**
 * One round: the contenders' sequential latency call by call in turn, then their throughput in
 * slices taken in turn.
 */
async function measureRound(contenders: readonly Contender[], options: BenchOptions): Promise<CallStats[]> {
  const seq = await interleavedLatency(
    contenders.map((c) => () => c.call()),
    options.quick ? 500 : 3000,
    options.quick ? 200 : 1000,
  );
  const rates = await interleavedThroughput(
    contenders.map((c) => () => c.call()),
    options.quick ? 3000 : 20000,
    64,
    options.quick ? 3 : 10,
  );
  return seq.map((s, i) => ({ ...s, calls_per_s: rates[i] as number }));
}

function medianStats(all: readonly CallStats[]): CallStats {
  return {
    p50_ms: median(all.map((s) => s.p50_ms)),
    p99_ms: median(all.map((s) => s.p99_ms)),
    calls_per_s: median(all.map((s) => s.calls_per_s)),
  };
}

/** Ratios of two measurements: p50 latency and throughput. */
function ratioOf(a: CallStats, b: CallStats): { p50: number; calls_per_s: number } {
  return { p50: round(a.p50_ms / b.p50_ms), calls_per_s: round(a.calls_per_s / b.calls_per_s) };
}

/**
 * Sequential p50/p99 and 64-in-flight throughput of the raw floor, of kael serving the example
 * calculate package (JavaScript worker), and of kael serving the same package written in Python
 * (the Python worker), in rounds in one run (the machine is noisy): sequential calls in turn, call by
 * call, then throughput in slices of 2,000 calls in turn; each metric the median over the rounds.
 */
export const section: BenchSection = {
  name: 'rpc',
  async run(options) {
    const floor = await startFloor(options.auri);
    const kael = await startKael(options.auri, path.join(EXAMPLES, 'frame.yaml'));
    const pythonConf = await pythonCalculateFrame();
    const python = await startKael(options.auri, pythonConf);
    const rounds = options.quick ? 1 : 5;
    const f: CallStats[] = [];
    const k: CallStats[] = [];
    const p: CallStats[] = [];
    try {
      for (let i = 0; i < rounds; i++) {
        const [fr, kr, pr] = await measureRound([floor, kael, python], options);
        f.push(fr as CallStats);
        k.push(kr as CallStats);
        p.push(pr as CallStats);
      }
    } finally {
      await python.close();
      await fsp.rm(path.dirname(pythonConf), { recursive: true, force: true });
      await kael.close();
      await floor.close();
    }
    const fs = medianStats(f);
    const ks = medianStats(k);
    const ps = medianStats(p);
    return {
      floor: fs,
      kael: ks,
      ratio: ratioOf(ks, fs),
      python: ps,
      python_ratio: { to_js: ratioOf(ps, ks), to_floor: ratioOf(ps, fs) },
    };
  },
  describe(r) {
    const { fs, ks, ps, ratio, py } = readRpcResult(r);
    return [
      `payload: calculate__add(1, 2), msgpack, 64 in flight for throughput; replies: the floor through direct reply-to, kael to its reply queue`,
      `raw floor (plain amqplib): p50 ${fs.p50_ms} ms  p99 ${fs.p99_ms} ms  ${fs.calls_per_s} calls/s`,
      `kael (defaults):           p50 ${ks.p50_ms} ms  p99 ${ks.p99_ms} ms  ${ks.calls_per_s} calls/s`,
      `kael, Python worker:       p50 ${ps.p50_ms} ms  p99 ${ps.p99_ms} ms  ${ps.calls_per_s} calls/s`,
      `ratio kael/floor: p50 ${ratio.p50}× (target ≤ 1.05)  throughput ${ratio.calls_per_s}× (target ≥ 1.0)`,
      `ratio Python/JS worker: p50 ${py.to_js.p50}× (target ≤ 1.3)  throughput ${py.to_js.calls_per_s}× (target ≥ 0.5); Python/floor: p50 ${py.to_floor.p50}×  throughput ${py.to_floor.calls_per_s}×`,
    ];
  },
  markdown(r): MarkdownRow[] {
    const { fs, ks, ps, ratio, py } = readRpcResult(r);
    return [
      {
        measure: 'sequential p50, `calculate__add(1, 2)`',
        kael: withUnit(ks.p50_ms, 'ms'),
        reference: `${withUnit(fs.p50_ms, 'ms')} (raw amqplib)`,
        ratio: withUnit(ratio.p50, '×'),
        target: '≤ 1.05×',
      },
      {
        measure: 'calls/s, 64 in flight',
        kael: String(ks.calls_per_s),
        reference: `${fs.calls_per_s} (raw amqplib)`,
        ratio: withUnit(ratio.calls_per_s, '×'),
        target: '≥ 1.0×',
      },
      {
        measure: 'Python worker: sequential p50',
        kael: withUnit(ps.p50_ms, 'ms'),
        reference: `${withUnit(ks.p50_ms, 'ms')} (JavaScript worker)`,
        ratio: withUnit(py.to_js.p50, '×'),
        target: '≤ 1.3×',
      },
      {
        measure: 'Python worker: calls/s, 64 in flight',
        kael: String(ps.calls_per_s),
        reference: `${ks.calls_per_s} (JavaScript worker)`,
        ratio: withUnit(py.to_js.calls_per_s, '×'),
        target: '',
      },
    ];
  },
};

type Ratio = { p50: number; calls_per_s: number };

/** The rpc section's result, typed once for its text and its markdown rows. */
function readRpcResult(r: Record<string, unknown>): {
  fs: CallStats;
  ks: CallStats;
  ps: CallStats;
  ratio: Ratio;
  py: Record<'to_js' | 'to_floor', Ratio>;
} {
  return {
    fs: r['floor'] as CallStats,
    ks: r['kael'] as CallStats,
    ps: r['python'] as CallStats,
    ratio: r['ratio'] as Ratio,
    py: r['python_ratio'] as Record<'to_js' | 'to_floor', Ratio>,
  };
}
