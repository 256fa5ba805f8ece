import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectClient } from '../client/frame-client.js';
import type { ServiceProxy } from '../client/frame-client.js';
import { deleteNamespaceQueues } from '../demo/cleanup.js';
import { generateAdminKey } from '../security/admin-key.js';
import { KAEL_CLI } from './frame-process.js';
import type { MarkdownRow } from './markdown.js';
import { withUnit } from './markdown.js';
import { median, round } from './measure.js';
import { startFloor } from './rpc.js';
import type { BenchOptions, BenchSection } from './section.js';

const EXAMPLES = path.resolve(__dirname, '../../../examples');

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

/** Spawns `kael run <conf>` (the client connects first) and waits for its first answered call. */
export async function startExamplesFrame(auri: string, conf: string): Promise<ExamplesFrame> {
  const namespace = `bench-${randomBytes(3).toString('hex')}`;
  const adminKey = generateAdminKey();
  const client = await connectClient({ name: namespace, auri, adminKey });
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [KAEL_CLI, 'run', conf, '--name', namespace], {
    env: { ...process.env, KAEL_AURI: auri, KAEL_ADMIN_KEY: adminKey, KAEL_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  await Promise.race([
    untilAnswer(client, 3),
    exited.then(() => {
      throw new Error('kael run exited before it served a call');
    }),
  ]);
  const firstCallMs = Number(process.hrtime.bigint() - started) / 1e6;
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
async function floorColdStart(auri: string): Promise<number> {
  const started = process.hrtime.bigint();
  const floor = await startFloor(auri);
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

/**
 * Cold start: from spawning `kael run` on (a copy of) the examples frame to the first answered
 * calculate__add(1, 2), beside the raw floor's server (fork → first answer); and a service restart
 * with changed code → the first answer of the new code. Median of the rounds.
 */
export const section: BenchSection = {
  name: 'cold-start',
  async run(options: BenchOptions) {
    const rounds = options.quick ? 1 : 3;
    const kael: number[] = [];
    const floor: number[] = [];
    const restart: number[] = [];
    for (let i = 0; i < rounds; i++) {
      floor.push(await floorColdStart(options.auri));
      const copy = await copyExamples();
      try {
        const frame = await startExamplesFrame(options.auri, copy.conf);
        try {
          kael.push(frame.firstCallMs);
          restart.push(await restartToNewCode(frame, copy.conf, 4));
        } finally {
          await frame.stop();
        }
      } finally {
        await copy.remove();
      }
    }
    return {
      kael_first_call_ms: round(median(kael)),
      floor_first_call_ms: round(median(floor)),
      ratio: round(median(kael) / median(floor)),
      restart_to_new_code_ms: round(median(restart)),
      rounds: { kael: kael.map(round), floor: floor.map(round), restart: restart.map(round) },
    };
  },
  describe(r) {
    return [
      `kael run (examples frame) spawn → first call served: ${withUnit(r['kael_first_call_ms'] as number, 'ms', 0)} (target ≤ 300 ms)`,
      `raw floor server fork → first call served:         ${withUnit(r['floor_first_call_ms'] as number, 'ms', 0)}  ratio ${withUnit(r['ratio'] as number, '×', 2)}`,
      `restart('service') with changed code → first call on the new code: ${withUnit(r['restart_to_new_code_ms'] as number, 'ms', 0)}`,
    ];
  },
  markdown(r): MarkdownRow[] {
    return [
      {
        measure: 'cold start: `kael run` (examples) spawn → first call served',
        kael: withUnit(r['kael_first_call_ms'] as number, 'ms', 0),
        reference: `${withUnit(r['floor_first_call_ms'] as number, 'ms', 0)} (raw server fork → first call)`,
        ratio: withUnit(r['ratio'] as number, '×', 2),
        target: '≤ 300 ms',
      },
      {
        measure: 'service restart with changed code → first call on the new code',
        kael: withUnit(r['restart_to_new_code_ms'] as number, 'ms', 0),
        reference: '',
        ratio: '',
        target: '',
      },
    ];
  },
};
