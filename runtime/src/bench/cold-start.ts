import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import amqp from 'amqplib';
import { names } from '../broker/names.js';
import { connectClient } from '../client/frame-client.js';
import type { ServiceProxy } from '../client/frame-client.js';
import { deleteNamespaceQueues } from '../demo/cleanup.js';
import { SERVICE_QUEUE_OPTIONS } from '../rpc/service-queue.js';
import { generateAdminKey } from '../security/admin-key.js';
import { DIRECT_EXCHANGE_OPTIONS } from '../security/ensure-exchange.js';
import { createLogger } from '../util/logger.js';
import { KAEL_CLI } from './frame-process.js';
import type { MarkdownRow } from './markdown.js';
import { withUnit } from './markdown.js';
import { median, round } from './measure.js';
import { startFloor } from './rpc.js';
import type { BenchOptions, BenchSection } from './section.js';

const EXAMPLES = path.resolve(__dirname, '../../../examples');
const log = createLogger('bench');

/**
 * A copy of the examples folder (frame.yaml and its packages) that a benchmark may change. It is
 * made at the same path every time, as a deployed frame's packages stay where they are: the
 * per-user TypeScript cache is keyed by a file's path too.
 */
export async function copyExamples(): Promise<{ conf: string; remove(): Promise<void> }> {
  const tag = createHash('sha256').update(EXAMPLES).digest('hex').slice(0, 8);
  const dir = path.join(os.tmpdir(), `kael-bench-examples-${tag}`);
  await fsp.rm(dir, { recursive: true, force: true });
  await fsp.cp(EXAMPLES, dir, { recursive: true });
  return {
    conf: path.join(dir, 'frame.yaml'),
    remove: () => fsp.rm(dir, { recursive: true, force: true }),
  };
}

/** A `kael run` process of the examples copy, with a client of its namespace signing with its key. */
export interface ExamplesFrame {
  child: ChildProcess;
  client: ServiceProxy;
  /** Milliseconds from spawning the process to the first answered calculate__add(1, 2). */
  firstCallMs: number;
  stop(): Promise<void>;
}

/** Calls calculate__add(1, 2) until it answers `expected` (the queue appears when a worker consumes). */
async function untilAnswer(client: ServiceProxy, expected: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await client
      .call('calculate__add', [1, 2], { timeoutMs: 2000 })
      .catch((e: unknown) => (e as { code?: string }).code);
    if (value === expected) return;
    if (Date.now() > deadline)
      throw new Error(`calculate__add never answered ${expected} (last: ${String(value)})`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * Declares a service's queue in `namespace` (and the call exchange it is bound to) as a frame's worker
 * declares them, so that a call made before any frame serves it waits in the queue — as calls wait
 * while their frame restarts — instead of coming back unroutable.
 */
async function declareServiceQueue(auri: string, namespace: string, service: string): Promise<void> {
  const conn = await amqp.connect(auri);
  conn.on('error', (e: Error) => log.debug('bench connection error', { error: e.message }));
  try {
    const ch = await conn.createChannel();
    ch.on('error', (e: Error) => log.debug('bench channel error', { error: e.message }));
    const exchange = names.callExchange(namespace);
    const queue = names.serviceQueue(namespace, service);
    await ch.assertExchange(exchange, 'direct', DIRECT_EXCHANGE_OPTIONS);
    await ch.assertQueue(queue, SERVICE_QUEUE_OPTIONS);
    await ch.bindQueue(queue, exchange, queue);
  } finally {
    await conn.close();
  }
}

/**
 * Spawns `kael run <conf>` and waits for its first answered call. The call is made once, just before
 * the spawn, into calculate__add's queue declared ahead (see {@link declareServiceQueue}): it is
 * answered as soon as the frame's worker consumes, and no polling takes CPU from the starting
 * processes or rounds the time up to a poll.
 * @param env the environment `kael run` starts in (its own settings are added)
 */
export async function startExamplesFrame(
  auri: string,
  conf: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExamplesFrame> {
  const namespace = `bench-${randomBytes(3).toString('hex')}`;
  const adminKey = generateAdminKey();
  // Calls wait in a queue without consumer instead of failing with SERVICE_NOT_FOUND.
  const client = await connectClient({ name: namespace, auri, adminKey, serviceGoneAfterMs: Infinity });
  await declareServiceQueue(auri, namespace, 'calculate__add');
  const started = process.hrtime.bigint();
  const answer = client.call('calculate__add', [1, 2], { timeoutMs: 60_000 });
  const child = spawn(process.execPath, [KAEL_CLI, 'run', conf, '--name', namespace], {
    env: { ...env, KAEL_AURI: auri, KAEL_ADMIN_KEY: adminKey, KAEL_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  const value = await Promise.race([
    answer,
    exited.then(() => {
      throw new Error('kael run exited before it served a call');
    }),
  ]);
  const firstCallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (value !== 3) throw new Error(`calculate__add(1, 2) answered ${String(value)}`);
  return {
    child,
    client,
    firstCallMs,
    stop: async () => {
      const services = (await client.servers()).flatMap((f) => f.packages.flatMap((p) => p.services ?? []));
      child.kill('SIGTERM');
      await exited;
      await client.close();
      await deleteNamespaceQueues(auri, namespace, services);
    },
  };
}

/** Milliseconds from forking the raw floor's server to its first answered call. */
async function floorColdStart(auri: string, env: NodeJS.ProcessEnv): Promise<number> {
  const started = process.hrtime.bigint();
  const floor = await startFloor(auri, { env });
  await floor.call();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  await floor.close();
  return ms;
}

/** Milliseconds from `restart('service')` to the first call answered by the new code. */
async function restartToNewCode(frame: ExamplesFrame, conf: string, answer: number): Promise<number> {
  const entry = path.join(path.dirname(conf), 'calculate_service', 'index.js');
  const code = await fsp.readFile(entry, 'utf8');
  await fsp.writeFile(
    entry,
    code.replace(/exports\.add = .*\n/, `exports.add = (a, b) => a + b + ${answer - 3};\n`),
  );
  // A restart goes to the frames the client knows: wait for the frame's first announcement (the
  // first call can be answered before it).
  const deadline = Date.now() + 30_000;
  while ((await frame.client.servers()).length === 0) {
    if (Date.now() > deadline) throw new Error('the frame never announced itself');
    await new Promise((r) => setTimeout(r, 20));
  }
  const started = process.hrtime.bigint();
  const restarted = frame.client.restart('service', { timeoutMs: 60_000 });
  await untilAnswer(frame.client, answer);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const outcome = Object.values(await restarted);
  if (outcome.length !== 1 || outcome[0]?.ok !== true)
    throw new Error(`restart failed: ${JSON.stringify(outcome).slice(0, 300)}`);
  return ms;
}

/** Milliseconds Node takes to start and exit (`node -e ''`), median of five, in `env`. */
async function nodeStartMs(env: NodeJS.ProcessEnv): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['-e', ''], { env, stdio: 'ignore' });
    await new Promise((r) => child.once('exit', r));
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return median(times);
}

/** Cold starts of kael and the raw floor in one environment, median of the rounds. */
interface ColdStarts {
  kael: number[];
  floor: number[];
  /** Restart → first call on the new code, when asked for. */
  restart: number[];
}

async function coldStarts(
  options: BenchOptions,
  env: NodeJS.ProcessEnv,
  restarts: boolean,
): Promise<ColdStarts> {
  const out: ColdStarts = { kael: [], floor: [], restart: [] };
  for (let i = 0; i < (options.quick ? 1 : 3); i++) {
    out.floor.push(await floorColdStart(options.auri, env));
    const copy = await copyExamples();
    try {
      const frame = await startExamplesFrame(options.auri, copy.conf, env);
      try {
        out.kael.push(frame.firstCallMs);
        if (restarts) out.restart.push(await restartToNewCode(frame, copy.conf, 4));
      } finally {
        await frame.stop();
      }
    } finally {
      await copy.remove();
    }
  }
  return out;
}

/** The numbers of one environment: kael, the floor and their ratio, with each round's. */
function summary(c: ColdStarts): Record<string, unknown> {
  return {
    kael_first_call_ms: round(median(c.kael)),
    floor_first_call_ms: round(median(c.floor)),
    ratio: round(median(c.kael) / median(c.floor)),
    rounds: { kael: c.kael.map(round), floor: c.floor.map(round) },
  };
}

/** NODE_EXTRA_CA_CERTS: Node 20 reads and parses this certificate file at every process start. */
const EXTRA_CA = 'NODE_EXTRA_CA_CERTS';

/**
 * Cold start: from spawning `kael run` on (a copy of) the examples frame to the first answered
 * calculate__add(1, 2), beside the raw floor's server (fork → first answer); and a service restart
 * with changed code → the first answer of the new code. Median of the rounds. Node's own start is
 * measured too; when NODE_EXTRA_CA_CERTS is set (every Node process then parses that file as it
 * starts, and `kael run` starts two one after the other), the cold starts are measured again
 * without it.
 */
export const section: BenchSection = {
  name: 'cold-start',
  async run(options: BenchOptions) {
    const here = await coldStarts(options, process.env, true);
    const result: Record<string, unknown> = {
      ...summary(here),
      restart_to_new_code_ms: round(median(here.restart)),
      restart_rounds: here.restart.map(round),
      node_start_ms: round(await nodeStartMs(process.env)),
    };
    if (process.env[EXTRA_CA] !== undefined) {
      const env = { ...process.env };
      delete env[EXTRA_CA];
      result['without_extra_ca'] = {
        ...summary(await coldStarts(options, env, false)),
        node_start_ms: round(await nodeStartMs(env)),
      };
    }
    return result;
  },
  describe(r) {
    const lines = [
      `kael run (examples frame) spawn → first call served: ${withUnit(r['kael_first_call_ms'] as number, 'ms', 0)} (target ≤ 300 ms)`,
      `raw floor server fork → first call served:         ${withUnit(r['floor_first_call_ms'] as number, 'ms', 0)}  ratio ${withUnit(r['ratio'] as number, '×', 2)}`,
      `restart('service') with changed code → first call on the new code: ${withUnit(r['restart_to_new_code_ms'] as number, 'ms', 0)}`,
      `node -e '' (Node's own start and exit): ${withUnit(r['node_start_ms'] as number, 'ms', 0)}`,
    ];
    const bare = r['without_extra_ca'] as Record<string, number> | undefined;
    if (bare !== undefined)
      lines.push(
        `${EXTRA_CA} is set: every Node process start parses it (node -e '' without it: ${withUnit(bare['node_start_ms'] ?? NaN, 'ms', 0)}). Without it:`,
        `  kael run → first call served ${withUnit(bare['kael_first_call_ms'] ?? NaN, 'ms', 0)}, raw floor ${withUnit(bare['floor_first_call_ms'] ?? NaN, 'ms', 0)}, ratio ${withUnit(bare['ratio'] ?? NaN, '×', 2)}`,
      );
    return lines;
  },
  markdown(r): MarkdownRow[] {
    const rows: MarkdownRow[] = [
      {
        measure: 'cold start: `kael run` (examples) spawn → first call served',
        kael: withUnit(r['kael_first_call_ms'] as number, 'ms', 0),
        reference: `${withUnit(r['floor_first_call_ms'] as number, 'ms', 0)} (raw server fork → first call)`,
        ratio: withUnit(r['ratio'] as number, '×', 2),
        target: '≤ 300 ms',
      },
    ];
    const bare = r['without_extra_ca'] as Record<string, number> | undefined;
    if (bare !== undefined)
      rows.push({
        measure: `the same without ${EXTRA_CA} (Node parses that file at every process start)`,
        kael: withUnit(bare['kael_first_call_ms'] ?? NaN, 'ms', 0),
        reference: `${withUnit(bare['floor_first_call_ms'] ?? NaN, 'ms', 0)} (raw server fork → first call)`,
        ratio: withUnit(bare['ratio'] ?? NaN, '×', 2),
        target: '≤ 300 ms',
      });
    rows.push({
      measure: 'service restart with changed code → first call on the new code',
      kael: withUnit(r['restart_to_new_code_ms'] as number, 'ms', 0),
      reference: '',
      ratio: '',
      target: '',
    });
    return rows;
  },
};
