import { execFile } from 'node:child_process';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = path.resolve(__dirname, '../../../scripts/rabbitmq-nodes.sh');

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
  /** Stops every node and deletes its folders. */
  down(): Promise<void>;
}

/** Starts `nodes` private RabbitMQ nodes (joined into one cluster when more than one); takes 8 s per node. */
export async function startPrivateBroker(nodes = 1): Promise<PrivateBroker> {
  const env = {
    ...process.env,
    KAEL_RABBIT_PREFIX: `kt${randomBytes(3).toString('hex')}n`,
    // A free port range per run keeps parallel runs apart; node N listens on port + N - 1.
    KAEL_RABBIT_PORT: String(await freePortRange(nodes)),
  };
  const script = async (...args: string[]): Promise<string> =>
    (await run(SCRIPT, args, { env, timeout: 180_000 })).stdout.trim();
  await script('start', String(nodes));
  const urls = (await script('urls')).split(',');
  return {
    urls,
    stop: async (i = 1) => void (await script('stop', String(i))),
    kill: async (i = 1) => void (await script('kill', String(i))),
    restart: async (i = 1) => void (await script('restart', String(i))),
    down: async () => void (await script('down')),
  };
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
