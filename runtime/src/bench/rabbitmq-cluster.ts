import { randomBytes } from 'node:crypto';
import { connectClient } from '../client/frame-client.js';
import { deleteNamespaceQueues } from '../demo/cleanup.js';
import { WorkFrame } from '../frame/work-frame.js';
import { createLogger } from '../util/logger.js';
import { CallLoad } from './call-load.js';
import { makeFrameDir, startFrameProcess } from './frame-process.js';
import type { FrameProcess } from './frame-process.js';
import type { CallStats } from './measure.js';
import { median, round, sequentialLatency, throughput } from './measure.js';
import { RabbitNodes } from './rabbitmq-nodes.js';
import { startFloor } from './rpc.js';
import type { Contender } from './rpc.js';
import type { BenchOptions, BenchSection } from './section.js';

const NODES = 3;
const CALL_TIMEOUT_MS = 5000;
const ADD_SERVICE = {
  'setting.yaml': 'type: service\nservice_base_name: calc\nversion: 1.0\npublish: [add]\n',
  'index.js': 'exports.add = (a, b) => a + b;\n',
};

/**
 * The nodes of `scripts/rabbitmq-nodes.sh` with its defaults (or KAEL_RABBIT_PREFIX/PORT): used as
 * they are when all run, else started here and torn down afterwards.
 */
async function clusterNodes(): Promise<{ nodes: RabbitNodes; urls: string[]; started: boolean }> {
  const nodes = new RabbitNodes(
    process.env['KAEL_RABBIT_PREFIX'] ?? 'kaelc',
    Number(process.env['KAEL_RABBIT_PORT'] ?? 5681),
  );
  const running = await nodes.running().catch(() => 0);
  const started = running < NODES;
  if (started) await nodes.start(NODES);
  return { nodes, urls: await nodes.urls(), started };
}

/** kael on the cluster: a frame (and its worker) on `serverAuri`, a client on `clientAuri`. */
async function startKael(clientAuri: string, serverAuri: string): Promise<Contender> {
  const namespace = `bench-${randomBytes(3).toString('hex')}`;
  const frame = new WorkFrame({
    name: namespace,
    auri: serverAuri,
    serviceGroupConf: await makeFrameDir({ calc: ADD_SERVICE }),
    logger: createLogger('frame', 'warn'),
  });
  await frame.start();
  const client = await connectClient<{ calc__add(a: number, b: number): Promise<number> }>({
    name: namespace,
    auri: clientAuri,
  });
  return {
    call: () => client.calc__add(1, 2),
    close: async () => {
      await client.close();
      await frame.stop();
      await deleteNamespaceQueues(serverAuri, namespace, ['calc__add']);
    },
  };
}

async function measure(c: Contender, options: BenchOptions): Promise<CallStats> {
  const seq = await sequentialLatency(() => c.call(), options.quick ? 500 : 2000, options.quick ? 200 : 500);
  const calls_per_s = await throughput(() => c.call(), options.quick ? 2000 : 10_000, 64);
  return { ...seq, calls_per_s };
}

function medianStats(all: readonly CallStats[]): CallStats {
  return {
    p50_ms: median(all.map((s) => s.p50_ms)),
    p99_ms: median(all.map((s) => s.p99_ms)),
    calls_per_s: median(all.map((s) => s.calls_per_s)),
  };
}

/** Latency and throughput with the caller on node 1 and the server (and its queue) on node 2. */
async function rpc(urls: string[], options: BenchOptions): Promise<Record<string, CallStats>> {
  const [n1 = '', n2 = ''] = urls;
  const contenders: Record<string, Contender> = {
    floor_classic: await startFloor(n1, { serverAuri: n2, queueType: 'classic' }),
    floor_quorum: await startFloor(n1, { serverAuri: n2, queueType: 'quorum' }),
    kael_classic: await startKael(n1, n2),
  };
  const samples: Record<string, CallStats[]> = {};
  try {
    for (let round = 0; round < (options.quick ? 1 : 3); round++) {
      for (const [name, c] of Object.entries(contenders))
        (samples[name] ??= []).push(await measure(c, options));
    }
  } finally {
    for (const c of Object.values(contenders)) await c.close();
  }
  return Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, medianStats(s)]));
}

/** What a node kill under load cost. */
interface NodeKill {
  calls: number;
  calls_per_s: number;
  failed: number;
  lost: number;
  wrong: number;
  codes: Record<string, number>;
  /** From the kill until every later call succeeded. */
  recovery_s: number;
}

/**
 * Two frame processes and a client, all given every node, under 16 lanes of calls; kill -9 of the
 * node holding the first frame's connection, then the node is started again.
 */
async function nodeKill(nodes: RabbitNodes, urls: string[], options: BenchOptions): Promise<NodeKill> {
  const ns = `bench-${randomBytes(3).toString('hex')}`;
  const auri = urls.join(',');
  const procs: FrameProcess[] = [];
  for (let i = 0; i < 2; i++)
    procs.push(
      startFrameProcess(await makeFrameDir({ calc: ADD_SERVICE }), ns, auri, ['--heartbeat', '500']),
    );
  const client = await connectClient({ name: ns, auri: urls, logger: createLogger('client', 'error') });
  let victim = 0;
  try {
    await Promise.all(procs.map((p) => p.ready));
    victim = await nodes.nodeOfConnection(`kael-frame:${ns}@`, procs[0]?.child.pid);
    if (victim === 0) throw new Error('the frame connection is not listed by the cluster');
    const load = new CallLoad(
      (i) => client.call('calc__add', [i, 1], { timeoutMs: CALL_TIMEOUT_MS }),
      (i, v) => v === i + 1,
      16,
      CALL_TIMEOUT_MS,
    );
    await new Promise((r) => setTimeout(r, options.quick ? 1000 : 3000));
    const killedAt = Date.now();
    await nodes.kill(victim);
    await new Promise((r) => setTimeout(r, options.quick ? 8000 : 12_000));
    const s = await load.stop();
    const failedStarts = s.records.filter((r) => r.failure !== undefined).map((r) => r.start);
    return {
      calls: s.calls,
      calls_per_s: s.callsPerSecond,
      failed: s.failed,
      lost: s.lost,
      wrong: s.wrong,
      codes: s.codes,
      recovery_s: round((Math.max(killedAt, ...failedStarts) - killedAt) / 1000),
    };
  } finally {
    await client.close();
    await Promise.all(procs.map((p) => p.stop()));
    if (victim > 0) {
      await nodes.restart(victim);
      await nodes.awaitNodes(NODES);
    }
    await deleteNamespaceQueues(urls[0] ?? '', ns, ['calc__add']);
  }
}

/**
 * `npm run bench -- --cluster`: kael on a local 3-node RabbitMQ cluster (scripts/rabbitmq-nodes.sh)
 * against the raw floor on the same cluster in the same run, the cost of quorum service queues, and
 * what a node kill under load costs.
 */
export const section: BenchSection = {
  name: 'rabbitmq_cluster',
  async run(options) {
    const { nodes, urls, started } = await clusterNodes();
    try {
      const stats = await rpc(urls, options);
      const fc = stats['floor_classic'] as CallStats;
      const fq = stats['floor_quorum'] as CallStats;
      const kc = stats['kael_classic'] as CallStats;
      return {
        nodes: NODES,
        ...stats,
        ratio_kael_to_floor: {
          p50: round(kc.p50_ms / fc.p50_ms),
          calls_per_s: round(kc.calls_per_s / fc.calls_per_s),
        },
        ratio_quorum_to_classic: {
          p50: round(fq.p50_ms / fc.p50_ms),
          calls_per_s: round(fq.calls_per_s / fc.calls_per_s),
        },
        node_kill: await nodeKill(nodes, urls, options),
      };
    } finally {
      if (started) await nodes.down();
    }
  },
  describe(r) {
    const line = (name: string, s: CallStats): string =>
      `${name.padEnd(28)} p50 ${s.p50_ms} ms  p99 ${s.p99_ms} ms  ${s.calls_per_s} calls/s`;
    const k = r['ratio_kael_to_floor'] as { p50: number; calls_per_s: number };
    const q = r['ratio_quorum_to_classic'] as { p50: number; calls_per_s: number };
    const n = r['node_kill'] as NodeKill;
    return [
      `${String(r['nodes'])} nodes; caller on node 1, server and its queue on node 2; 64 in flight for throughput`,
      line('raw floor, classic queue:', r['floor_classic'] as CallStats),
      line('raw floor, quorum queue:', r['floor_quorum'] as CallStats),
      line('kael, classic service queue:', r['kael_classic'] as CallStats),
      `kael/floor: p50 ${k.p50}× (target ≤ 1.2)  throughput ${k.calls_per_s}×`,
      `quorum/classic (raw): p50 ${q.p50}×  throughput ${q.calls_per_s}×`,
      `kill -9 of the frames' node under load: ${n.calls} calls at ${n.calls_per_s}/s, failed ${n.failed} ${JSON.stringify(n.codes)}, lost ${n.lost} (target 0), wrong ${n.wrong}, recovery ${n.recovery_s} s (target ≤ 5)`,
    ];
  },
};
