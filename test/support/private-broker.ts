import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { RabbitNodes } from '@kael/runtime/bench/rabbitmq-nodes';
import type { NodeConnection, NodeQueue } from '@kael/runtime/bench/rabbitmq-nodes';

export type { NodeConnection, NodeQueue } from '@kael/runtime/bench/rabbitmq-nodes';

/**
 * RabbitMQ nodes of this test alone (`scripts/rabbitmq-nodes.sh`): tests that stop, kill or restart
 * a broker use these, never the default broker on 5672 that every other test shares.
 */
export interface PrivateBroker {
  /** One AMQP URL per node. */
  urls: string[];
  /** Stops node `i` (1-based) gracefully. */
  stop(i?: number): Promise<void>;
  /** kill -9 of node `i`; returns once its port is closed. */
  kill(i?: number): Promise<void>;
  /** Starts node `i` again and waits until it takes connections. */
  restart(i?: number): Promise<void>;
  /** Every client connection of the cluster and the node it is on. */
  connections(): Promise<NodeConnection[]>;
  /** Every queue of the cluster and the node it lives on. */
  queues(): Promise<NodeQueue[]>;
  /** Waits until `n` nodes run and see each other as one cluster. */
  awaitNodes(n: number): Promise<void>;
  /** Stops every node and deletes its folders (a cluster attached with KAEL_TEST_CLUSTER is left running). */
  down(): Promise<void>;
}

/**
 * Starts `nodes` private RabbitMQ nodes (joined into one cluster when more than one); takes 8–25 s
 * per node on a busy machine. With `KAEL_TEST_CLUSTER=<prefix>:<port>:<n>` set (and `n` equal to
 * `nodes`), attaches to nodes that `scripts/rabbitmq-nodes.sh start` already runs with that
 * KAEL_RABBIT_PREFIX and KAEL_RABBIT_PORT instead, and leaves them running (fast reruns).
 */
export async function startPrivateBroker(nodes = 1): Promise<PrivateBroker> {
  const attach = parseAttach(process.env['KAEL_TEST_CLUSTER'], nodes);
  const rabbit =
    attach ?? new RabbitNodes(`kt${randomBytes(3).toString('hex')}n`, await freePortRange(nodes));
  if (attach === undefined) await rabbit.start(nodes);
  return {
    urls: await rabbit.urls(),
    stop: (i = 1) => rabbit.stop(i),
    kill: (i = 1) => rabbit.kill(i),
    restart: (i = 1) => rabbit.restart(i),
    connections: () => rabbit.connections(),
    queues: () => rabbit.queues(),
    awaitNodes: (n) => rabbit.awaitNodes(n),
    down: async () => {
      if (attach === undefined) await rabbit.down();
    },
  };
}

function parseAttach(value: string | undefined, nodes: number): RabbitNodes | undefined {
  if (value === undefined || value === '') return undefined;
  const [prefix = '', port = '', n = ''] = value.split(':');
  if (prefix === '' || !/^\d+$/.test(port) || Number(n) !== nodes) return undefined;
  return new RabbitNodes(prefix, Number(port));
}

/** A base port in 5700–7690 (step 10) such that base … base + n - 1 and their distribution ports (+20000) are free. */
async function freePortRange(n: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 5700 + 10 * Math.floor(Math.random() * 200);
    const ports = Array.from({ length: n }, (_, i) => [base + i, base + i + 20_000]).flat();
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return base;
  }
  throw new Error('no free port range for a private RabbitMQ node');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
