import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** `scripts/rabbitmq-nodes.sh` of this checkout. */
export const NODES_SCRIPT = path.resolve(__dirname, '../../../scripts/rabbitmq-nodes.sh');

/** A client connection as the cluster lists it. */
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
 * Private RabbitMQ nodes run by `scripts/rabbitmq-nodes.sh` with one prefix and base port: start,
 * stop, kill -9, restart one node, and list where connections and queues are. Used by the cluster
 * benchmark and the cluster tests; never touches the default broker on 5672.
 */
export class RabbitNodes {
  constructor(
    /** Node names are `<prefix>N@localhost`. */
    readonly prefix: string,
    /** AMQP port of node 1; node N listens on port + N - 1. */
    readonly port: number,
  ) {}

  /** Runs the script with these nodes' settings and returns its stdout. */
  async script(...args: string[]): Promise<string> {
    const env = { ...process.env, KAEL_RABBIT_PREFIX: this.prefix, KAEL_RABBIT_PORT: String(this.port) };
    const { stdout } = await run(NODES_SCRIPT, args, { env, timeout: 240_000, maxBuffer: 16 << 20 });
    return stdout.trim();
  }

  /** Starts `n` nodes joined into one cluster (8–25 s per node on a busy machine). */
  async start(n: number): Promise<void> {
    await this.script('start', String(n));
  }

  /** The AMQP URL of each node. */
  async urls(): Promise<string[]> {
    return (await this.script('urls')).split(',').filter((u) => u !== '');
  }

  /** How many nodes answer on their AMQP port. */
  async running(): Promise<number> {
    return (await this.script('status')).split('\n').filter((l) => l.endsWith(' up')).length;
  }

  /** Stops node `i` (1-based) gracefully. */
  async stop(i: number): Promise<void> {
    await this.script('stop', String(i));
  }

  /** kill -9 of node `i`; returns once its port is closed. */
  async kill(i: number): Promise<void> {
    await this.script('kill', String(i));
  }

  /** Starts node `i` again and waits until it takes connections. */
  async restart(i: number): Promise<void> {
    await this.script('restart', String(i));
  }

  /** Waits until `n` nodes run as one cluster. */
  async awaitNodes(n: number): Promise<void> {
    await this.script('ctl', '0', '-q', 'await_online_nodes', String(n), '--timeout', '120');
  }

  /** Every client connection of the cluster and its node. */
  async connections(): Promise<NodeConnection[]> {
    const out = await this.script(
      'ctl',
      '0',
      '-q',
      'list_connections',
      'pid',
      'client_properties',
      '--no-table-headers',
    );
    return lines(out).map((l) => ({
      node: this.nodeOf(l),
      name: /\{"connection_name","([^"]*)"\}/.exec(l)?.[1] ?? '',
    }));
  }

  /** Every queue of the cluster and the node it lives on. */
  async queues(): Promise<NodeQueue[]> {
    const out = await this.script(
      'ctl',
      '0',
      '-q',
      'list_queues',
      'name',
      'pid',
      'type',
      '--no-table-headers',
    );
    return lines(out).map((l) => {
      const [name = '', pid = '', type = ''] = l.split('\t');
      return { name, node: this.nodeOf(pid), type };
    });
  }

  /** The node of the first connection whose name starts with `prefix` and ends with `:<pid>`, or 0. */
  async nodeOfConnection(prefix: string, pid?: number): Promise<number> {
    const found = (await this.connections()).find(
      (c) => c.name.startsWith(prefix) && (pid === undefined || c.name.endsWith(`:${pid}`)),
    );
    return found?.node ?? 0;
  }

  /** Stops every node and deletes their folders. */
  async down(): Promise<void> {
    await this.script('down');
  }

  /** The node index in an Erlang pid such as `<kaelc2@localhost.1795656584.1743.0>`. */
  private nodeOf(text: string): number {
    const m = new RegExp(`${this.prefix}(\\d+)@`).exec(text);
    return m === null ? 0 : Number(m[1]);
  }
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}
