import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import amqp from 'amqplib';
import { BrokerConnection } from '../broker/connection.js';
import { names } from '../broker/names.js';
import { connectClient } from '../client/frame-client.js';
import type { ServiceProxy } from '../client/frame-client.js';
import { CrontabLog, LOG_QUEUE } from '../cron/crontab-log.js';
import type { LogRecord } from '../cron/lease-view.js';
import type { FrameSnapshot } from '../model/frame-snapshot.js';
import { createLogger } from '../util/logger.js';
import { makeFrameDir, startFrameProcess } from './frame-process.js';
import type { FrameProcess } from './frame-process.js';
import { median, round, sequentialLatency } from './measure.js';
import type { BenchSection } from './section.js';

/** Failures of the benchmark's own connections reject the operation that hit them; the event is logged. */
const benchLog = createLogger('bench');

/** Membership heartbeat of the frames, so the client sees a new active frame quickly. */
const HEARTBEAT_MS = 200;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function activePid(frames: readonly FrameSnapshot[], not?: number): number | undefined {
  const active = frames.filter((f) => f.pid !== not && f.crontabs.some((c) => c.active));
  return active.length === 1 ? active[0]?.pid : undefined;
}

async function waitActive(client: ServiceProxy, not?: number): Promise<number> {
  for (;;) {
    const pid = activePid(await client.servers(), not);
    if (pid !== undefined) return pid;
    await sleep(20);
  }
}

/**
 * Ticks that ran twice, and ticks missing between the first and the last, from the tick log; a
 * missing tick scheduled within 300 ms before a kill -9 counts as lost in flight (its claim was
 * accepted and its claimer died before starting it: the at-most-once window), any other as missed.
 */
async function tickCounts(
  log: string,
  kills: readonly number[],
): Promise<{ runs: number; doubles: number; missed: number; lostInFlight: number }> {
  const lines = (await fs.readFile(log, 'utf8')).split('\n').filter((l) => l !== '');
  const unique = [...new Set(lines)].map((l) => Date.parse(l)).sort((a, b) => a - b);
  let missed = 0;
  let lostInFlight = 0;
  for (let i = 1; i < unique.length; i++)
    for (let t = (unique[i - 1] ?? 0) + 1000; t < (unique[i] ?? 0); t += 1000) {
      if (kills.some((k) => k - t >= 0 && k - t < 300)) lostInFlight++;
      else missed++;
    }
  return { runs: lines.length, doubles: lines.length - unique.length, missed, lostInFlight };
}

/**
 * Three frame processes share a crontab with a 1-second schedule. The active one is killed with
 * SIGKILL, then frozen with SIGSTOP (and woken with SIGCONT after the takeover), several times
 * each, a replacement joining each time; measures the seconds until another frame is active and
 * counts ticks run twice or never. Then the cost per tick of the durable log (a stream) against
 * a classic non-durable queue, the kind the claims used before.
 */
export const section: BenchSection = {
  name: 'crontab',
  async run(options) {
    const ns = `bench-${randomBytes(3).toString('hex')}`;
    const log = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'kael-bench-')), 'ticks.txt');
    const pkg = {
      ticker: {
        'setting.yaml': `type: crontab\ncrontab_name: ticker\nversion: 1.0\npublish:\n  - ['* * * * * *', 'echo $KAEL_SCHEDULED_AT >> ${log}']\n`,
      },
    };
    const start = async (): Promise<FrameProcess> => {
      const p = startFrameProcess(await makeFrameDir(pkg), ns, options.auri, [
        '--heartbeat',
        String(HEARTBEAT_MS),
      ]);
      await p.ready;
      return p;
    };
    const procs = await Promise.all([start(), start(), start()]);
    const client = await connectClient({ name: ns, auri: options.auri });
    const kill: number[] = [];
    const stop: number[] = [];
    const killedAt: number[] = [];
    const rounds = options.quick ? 2 : 5;
    try {
      for (const how of ['SIGKILL', 'SIGSTOP'] as const) {
        for (let i = 0; i < rounds; i++) {
          const pid = await waitActive(client);
          await sleep(1500);
          const victim = procs.find((p) => p.child.pid === pid) as FrameProcess;
          const t = Date.now();
          if (how === 'SIGKILL') killedAt.push(t);
          victim.child.kill(how);
          await waitActive(client, pid);
          (how === 'SIGKILL' ? kill : stop).push((Date.now() - t) / 1000);
          if (how === 'SIGSTOP') {
            // Woken after the takeover, it must not run a tick the new active frame owns.
            await sleep(1000);
            victim.child.kill('SIGCONT');
            await sleep(1000);
            victim.child.kill('SIGKILL');
          }
          procs.splice(procs.indexOf(victim), 1, await start());
        }
      }
      await sleep(2000);
    } finally {
      await client.close();
      await Promise.all(procs.map((p) => p.stop()));
      await deleteLog(options.auri, ns, 'ticker');
    }
    const ticks = await tickCounts(log, killedAt);
    const cost = await claimCost(options.auri, options.quick ? 200 : 1000);
    return {
      rounds,
      failover_kill_s: kill.map(round),
      failover_kill_median_s: round(median(kill)),
      failover_stop_s: stop.map(round),
      failover_stop_median_s: round(median(stop)),
      ticks: ticks.runs,
      double_runs: ticks.doubles,
      missed_ticks: ticks.missed,
      lost_in_flight_at_kill: ticks.lostInFlight,
      ...cost,
    };
  },
  describe(r) {
    return [
      `failover after kill -9 of the active frame (${String(r['rounds'])} kills): median ${String(r['failover_kill_median_s'])} s, each ${JSON.stringify(r['failover_kill_s'])} (target median ≤ 1 s)`,
      `failover after SIGSTOP of the active frame (${String(r['rounds'])} stops, lease 2 s): median ${String(r['failover_stop_median_s'])} s, each ${JSON.stringify(r['failover_stop_s'])} (target ≤ 3 s)`,
      `1-second schedule on 3 frames through all of them: ${String(r['ticks'])} runs, double runs ${String(r['double_runs'])}, missed ticks ${String(r['missed_ticks'])} (target 0 / 0); lost in flight at a kill -9 ${String(r['lost_in_flight_at_kill'])} (claimed, claimer killed before starting it)`,
      `cost per tick of a durable claim (stream append, confirm, read back): p50 ${String(r['claim_stream_p50_ms'])} ms, p99 ${String(r['claim_stream_p99_ms'])} ms; stream append+confirm alone p50 ${String(r['append_stream_p50_ms'])} ms; classic non-durable queue publish+confirm p50 ${String(r['append_classic_p50_ms'])} ms`,
    ];
  },
};

/** Deletes a crontab's log stream and beat exchange (a stream is durable: it outlives the frames). */
async function deleteLog(auri: string, ns: string, crontab: string): Promise<void> {
  const conn = await amqp.connect(auri);
  conn.on('error', (e: Error) => benchLog.debug('bench connection error', { error: e.message }));
  try {
    const ch = await conn.createChannel();
    await ch.deleteQueue(names.crontabLog(ns, crontab));
    await ch.deleteExchange(names.crontabBeat(ns, crontab));
  } finally {
    await conn.close();
  }
}

/** Per-tick cost of a claim on the crontab log, and of plain appends for comparison. */
async function claimCost(auri: string, n: number): Promise<Record<string, number>> {
  const ns = `bench-${randomBytes(3).toString('hex')}`;
  const broker = new BrokerConnection({ url: auri, logger: createLogger('bench', 'silent') });
  await broker.start();
  const waiting = new Map<string, () => void>();
  let opened!: () => void;
  const isOpen = new Promise<void>((r) => (opened = r));
  const log = new CrontabLog(broker, ns, 'cost', 60_000, createLogger('bench', 'silent'), {
    onReset: () => undefined,
    onOpen: () => opened(),
    onProblem: () => undefined,
    onRecord: (r) => waiting.get(r.id)?.(),
  });
  const conn = await amqp.connect(auri, { noDelay: true });
  conn.on('error', (e: Error) => benchLog.debug('bench connection error', { error: e.message }));
  const ch = await conn.createConfirmChannel();
  ch.on('error', (e: Error) => benchLog.debug('bench channel error', { error: e.message }));
  const classic = `kael.${ns}.cost.classic`;
  try {
    await log.start();
    await isOpen;
    let at = 0;
    const claim = (): Promise<void> => {
      const record: LogRecord = {
        type: 'claim',
        id: randomBytes(8).toString('hex'),
        frame: 'bench',
        term: 1,
        entry: 0,
        at: ++at,
      };
      const readBack = new Promise<void>((r) => waiting.set(record.id, r));
      return log.append(record).then(() => readBack);
    };
    const stream = await sequentialLatency(claim, n, 20);
    const streamQueue = names.crontabLog(ns, 'other');
    await ch.assertQueue(streamQueue, LOG_QUEUE);
    await ch.assertQueue(classic, { durable: false, arguments: { 'x-max-length': 500 } });
    const body = Buffer.alloc(80);
    const confirmAppend = (queue: string) => (): Promise<void> =>
      new Promise((resolve, reject) =>
        ch.sendToQueue(queue, body, {}, (err: unknown) =>
          err === null || err === undefined ? resolve() : reject(new Error('nack')),
        ),
      );
    const appendStream = await sequentialLatency(confirmAppend(streamQueue), n, 20);
    const appendClassic = await sequentialLatency(confirmAppend(classic), n, 20);
    await ch.deleteQueue(streamQueue);
    await ch.deleteQueue(classic);
    await ch.deleteQueue(names.crontabLog(ns, 'cost'));
    return {
      claim_stream_p50_ms: stream.p50_ms,
      claim_stream_p99_ms: stream.p99_ms,
      append_stream_p50_ms: appendStream.p50_ms,
      append_classic_p50_ms: appendClassic.p50_ms,
    };
  } finally {
    await log.stop();
    await broker.close();
    await conn.close();
  }
}
