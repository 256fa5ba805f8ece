import { execFile } from 'node:child_process';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = path.resolve(__dirname, '../../../scripts/rabbitmq-nodes.sh');

/** A connection as the cluster lists it. */
export interface NodeConnection {
  /** 1-based index of the node holding it. */
  node: number;
  /** The client's `connection_name` (kael sets `<role>:<namespace>@<host>:<pid>`). */
  name: string;
}

/** A queue as the cluster lists it. */
export interface NodeQueue {
  name: string;
  /** 1-based index of the node hosting it (a quorum queue's leader). */
  node: number;
  type: string;
}

/**
 * RabbitMQ nodes of this test alone (`scripts/rabbitmq-nodes.sh`): tests that stop, kill or restart
 * a broker use these, never the default broker on 5672 that every other test shares.
 */
export interface PrivateBroker {
  /** One AMQP URL per node. */
  urls: string[];
  /** Stops node `i` (1-based) gracefully. */
  stop(i?: number): Promise<void>;
  /** kill -9 of node `i`. */
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
 * per node on a busy machine. With `KAEL_TEST_CLUSTER=<prefix>:<port>:<n>` set, attaches to nodes
 * that `scripts/rabbitmq-nodes.sh start` already runs with those settings instead (fast reruns).
 */
export async function startPrivateBroker(nodes = 1): Promise<PrivateBroker> {
  const attach = parseAttach(process.env['KAEL_TEST_CLUSTER'], nodes);
  const env = {
    ...process.env,
    KAEL_RABBIT_PREFIX: attach?.prefix ?? `kt${randomBytes(3).toString('hex')}n`,
    // A free port range per run keeps parallel runs apart; node N listens on port + N - 1.
    KAEL_RABBIT_PORT: String(attach?.port ?? (await freePortRange(nodes))),
  };
  const prefix = env.KAEL_RABBIT_PREFIX;
  const script = async (...args: string[]): Promise<string> =>
    (await run(SCRIPT, args, { env, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 })).stdout.trim();
  if (attach === undefined) await script('start', String(nodes));
  const urls = (await script('urls')).split(',');
  const nodeIndex = (text: string): number => {
    const m = new RegExp(`${prefix}(\\d+)@`).exec(text);
    return m === null ? 0 : Number(m[1]);
  };
  return {
    urls,
    stop: async (i = 1) => void (await script('stop', String(i))),
    kill: async (i = 1) => void (await script('kill', String(i))),
    restart: async (i = 1) => void (await script('restart', String(i))),
    async connections() {
      const out = await script(
        'ctl',
        '0',
        '-q',
        'list_connections',
        'pid',
        'client_properties',
        '--no-table-headers',
      );
      return out
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => ({
          node: nodeIndex(l),
          name: /\{"connection_name","([^"]*)"\}/.exec(l)?.[1] ?? '',
        }));
    },
    async queues() {
      const out = await script('ctl', '0', '-q', 'list_queues', 'name', 'pid', 'type', '--no-table-headers');
      return out
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => {
          const [name = '', pid = '', type = ''] = l.split('\t');
          return { name, node: nodeIndex(pid), type };
        });
    },
    async awaitNodes(n: number) {
      await script('ctl', '0', '-q', 'await_online_nodes', String(n), '--timeout', '120');
    },
    down: async () => {
      if (attach === undefined) await script('down');
    },
  };
}

function parseAttach(value: string | undefined, nodes: number): { prefix: string; port: number } | undefined {
  if (value === undefined || value === '') return undefined;
  const [prefix = '', port = '', n = ''] = value.split(':');
  if (prefix === '' || !/^\d+$/.test(port) || Number(n) !== nodes) return undefined;
  return { prefix, port: Number(port) };
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
