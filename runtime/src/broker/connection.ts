import { EventEmitter } from 'node:events';
import os from 'node:os';
import amqp from 'amqplib';
import type { ChannelModel, RecoveringChannelModel } from 'amqplib';
import { KaelError } from '../errors.js';
import type { Logger } from '../util/logger.js';
import { createLogger } from '../util/logger.js';
import { parseBrokerUrls, reconnectDelayMs, shuffled, toEndpoint } from './broker-urls.js';
import { redactText, redactUrl } from '../util/redact.js';

export { withHeartbeat } from './broker-urls.js';

/** Options of a {@link BrokerConnection}. */
export interface BrokerConnectionOptions {
  /**
   * RabbitMQ URL, or the URLs of the nodes of one cluster (an array, or one string with
   * comma-separated URLs), e.g. `amqp://guest:guest@127.0.0.1:5672`.
   */
  url: string | readonly string[];
  /** Shown in the RabbitMQ management UI. @default 'kael' */
  connectionName?: string;
  /**
   * AMQP heartbeat in seconds (a URL's `heartbeat` parameter wins). The broker closes a silent peer
   * after two missed beats, which bounds how long a frame whose host vanished keeps its crontab locks.
   * @default 5
   */
  heartbeatSec?: number;
  /** Wait before trying the next node after a loss; doubles with every full pass over the nodes. @default 100 */
  initialBackoffMs?: number;
  /**
   * Longest wait between two reconnect attempts while no node answers. Short, so frames and clients
   * are back within about half a second of the broker's return; an attempt on a node that is down
   * costs only a refused TCP connection.
   * @default 500
   */
  maxBackoffMs?: number;
  /** Try the nodes in a random order, so the processes of a cluster spread over its nodes. @default true */
  shuffle?: boolean;
  /**
   * When the first connect fails on every node: `true` rejects `start()` with BROKER_UNAVAILABLE
   * (clients), `false` keeps retrying (frames and daemons). @default true
   */
  failFast?: boolean;
  /** Where losses and reconnects are logged. @default createLogger('broker'): stderr */
  logger?: Logger;
}

/** Runs on every (re)connect, before the connection is reported ready: declare topology, open channels. */
export type ReadyHandler = (connection: ChannelModel) => Promise<void>;

/**
 * One AMQP connection to one node of a RabbitMQ cluster (or to a lone broker) that moves to another
 * node after any loss and re-runs every registered {@link ReadyHandler}, so consumers and declarations
 * come back by themselves after a node dies or a broker restarts.
 *
 * The reconnecting is amqplib's own connection recovery (jittered exponential backoff, setup before
 * the connection is handed out); this class adds the node list, password redaction, heartbeats,
 * `noDelay`, a connection name, 'error' listeners on everything, and ready handlers that can be added
 * and removed while it runs.
 *
 * Events: `ready` (connection), `lost` (error?), `closed`. `error` is re-emitted only to listeners.
 * @example
 * const broker = new BrokerConnection({ url: ['amqp://node1', 'amqp://node2', 'amqp://node3'] });
 * await broker.onReady(async (conn) => { const ch = await conn.createChannel(); ... });
 * await broker.start();
 */
export class BrokerConnection extends EventEmitter {
  private readonly urls: readonly string[];
  private readonly settings: Required<Omit<BrokerConnectionOptions, 'logger' | 'url'>>;
  private readonly logger: Logger;
  private readonly handlers: ReadyHandler[] = [];
  /** The node amqplib dials next: mutated in place before each attempt (see {@link nextNode}). */
  private readonly endpoint: ReturnType<typeof toEndpoint>;
  private nodeIndex = 0;
  private recovering: RecoveringChannelModel | undefined;
  private starting: Promise<ChannelModel> | undefined;
  private nextReady: Promise<ChannelModel> | undefined;
  private connection: ChannelModel | undefined;
  private connectedUrl: string | undefined;
  private closing = false;

  /** @throws KaelError `CONFIG_INVALID` when `url` holds no valid amqp URL. */
  constructor(options: BrokerConnectionOptions) {
    super();
    this.settings = {
      connectionName: options.connectionName ?? 'kael',
      heartbeatSec: options.heartbeatSec ?? 5,
      initialBackoffMs: options.initialBackoffMs ?? 100,
      maxBackoffMs: options.maxBackoffMs ?? 500,
      shuffle: options.shuffle ?? true,
      failFast: options.failFast ?? true,
    };
    const urls = parseBrokerUrls(options.url);
    this.urls = this.settings.shuffle ? shuffled(urls) : urls;
    this.endpoint = toEndpoint(this.urls[0] as string, this.settings.heartbeatSec);
    this.logger = options.logger ?? createLogger('broker');
    // Without a listener, 'error' would throw; losses are logged and recovered, never thrown.
    this.on('error', (e: Error) => this.logger.debug('connection error event', { error: e.message }));
  }

  /** The live connection, or undefined while reconnecting. */
  get current(): ChannelModel | undefined {
    return this.connection;
  }

  /** True while a connection is open. */
  get isReady(): boolean {
    return this.connection !== undefined;
  }

  /** The node connected to now (password hidden), or undefined while reconnecting. */
  get url(): string | undefined {
    return this.connectedUrl;
  }

  /** Every node this connection may use, in the order it tries them (passwords hidden). */
  get nodes(): string[] {
    return this.urls.map(redactUrl);
  }

  /** Registers a handler run now (when connected) and after every reconnect. */
  async onReady(handler: ReadyHandler): Promise<void> {
    this.handlers.push(handler);
    if (this.connection !== undefined) await handler(this.connection);
  }

  /** Removes a handler registered with {@link onReady}. */
  offReady(handler: ReadyHandler): void {
    const i = this.handlers.indexOf(handler);
    if (i >= 0) this.handlers.splice(i, 1);
  }

  /**
   * Connects to the first node that answers (single-flight: concurrent callers share one attempt).
   * @throws KaelError `BROKER_UNAVAILABLE` when `failFast` and no node can be reached;
   * `CLIENT_CLOSED` after {@link close}.
   */
  async start(): Promise<ChannelModel> {
    if (this.connection !== undefined) return this.connection;
    this.starting ??= this.connectFirst().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /**
   * Waits until a connection is ready (useful while reconnecting).
   * @throws KaelError `CLIENT_CLOSED` when the connection is closed meanwhile.
   */
  async ready(): Promise<ChannelModel> {
    if (this.connection !== undefined) return this.connection;
    if (this.closing) throw new KaelError('CLIENT_CLOSED', 'broker connection is closed');
    // One promise for every waiter: callers that poll while a node is down add no listeners.
    this.nextReady ??= new Promise<ChannelModel>((resolve, reject) => {
      const onReady = (c: ChannelModel): void => {
        this.off('closed', onClosed);
        this.nextReady = undefined;
        resolve(c);
      };
      const onClosed = (): void => {
        this.off('ready', onReady);
        this.nextReady = undefined;
        reject(new KaelError('CLIENT_CLOSED', 'broker connection is closed'));
      };
      this.once('ready', onReady);
      this.once('closed', onClosed);
    });
    return this.nextReady;
  }

  /** Closes the connection and stops reconnecting. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.connection = undefined;
    this.connectedUrl = undefined;
    const recovering = this.recovering;
    this.recovering = undefined;
    if (recovering !== undefined) {
      try {
        await recovering.close();
      } catch (e) {
        // The broker went first: nothing is left to release.
        this.logger.debug('broker connection close failed', { error: (e as Error).message });
      }
    }
    this.emit('closed');
  }

  private async connectFirst(): Promise<ChannelModel> {
    if (this.closing) throw new KaelError('CLIENT_CLOSED', 'broker connection is closed');
    let lastError: Error | undefined;
    const recovering =
      this.recovering ??
      (await amqp.connect(this.endpoint, {
        noDelay: true,
        clientProperties: {
          connection_name: `${this.settings.connectionName}@${os.hostname()}:${process.pid}`,
        },
        recovery: {
          waitForConnect: false,
          maxRetries: Infinity,
          // A client tries each node once before giving up; a frame keeps trying.
          initialMaxRetries: this.settings.failFast ? this.urls.length - 1 : Infinity,
          calculateDelay: (attempt) => this.nextNode(attempt),
          setup: (conn: ChannelModel) => this.setup(conn),
        },
      }));
    if (this.recovering === undefined) {
      this.recovering = recovering;
      recovering.on('error', (err: Error) => {
        this.logger.warn('broker connection error', { node: this.connectedUrl, error: err.message });
        this.emit('error', err);
      });
      recovering.on('connect', (conn: ChannelModel) => this.onConnect(conn));
      recovering.on('disconnect', (err: Error) => this.onDisconnect(err));
      recovering.on('connect-failed', (err: Error) => {
        lastError = err;
        this.logger.warn('broker node unreachable', {
          node: redactUrl(this.urls[this.nodeIndex] as string),
          error: err.message,
        });
      });
      recovering.on('reconnect-failed', (err: Error) => {
        this.logger.debug('broker recovery gave up', { error: err.message });
      });
    }
    try {
      await recovering.waitForConnect();
    } catch (e) {
      if (this.closing) throw new KaelError('CLIENT_CLOSED', 'broker connection is closed', { cause: e });
      this.recovering = undefined;
      const cause = lastError ?? (e as Error);
      throw new KaelError(
        'BROKER_UNAVAILABLE',
        `cannot connect to RabbitMQ at ${this.urls.map(redactUrl).join(', ')}: ${redactText(cause.message)}`,
        { cause },
      );
    }
    const conn = this.connection;
    if (conn === undefined) return this.ready();
    return conn;
  }

  /**
   * amqplib calls this before every reconnect attempt: point the endpoint at the next node and say
   * how long to wait. amqplib dials the same endpoint object each time and reads its fields then, so
   * changing them moves the next attempt to another node (the rotation test in
   * test/runtime/broker pins this).
   */
  private nextNode(attempt: number): number {
    this.nodeIndex = (this.nodeIndex + 1) % this.urls.length;
    const next = toEndpoint(this.urls[this.nodeIndex] as string, this.settings.heartbeatSec);
    delete this.endpoint.frameMax;
    delete this.endpoint.channelMax;
    delete this.endpoint.locale;
    Object.assign(this.endpoint, next);
    const delay = reconnectDelayMs(
      attempt,
      this.urls.length,
      this.settings.initialBackoffMs,
      this.settings.maxBackoffMs,
    );
    this.logger.debug('broker reconnect scheduled', {
      node: redactUrl(this.urls[this.nodeIndex] as string),
      in_ms: delay,
    });
    return delay;
  }

  /** Runs the ready handlers on a fresh connection before amqplib hands it out. */
  private async setup(conn: ChannelModel): Promise<void> {
    let closed = false;
    conn.on('error', (err: Error) => this.logger.debug('broker connection error', { error: err.message }));
    conn.on('close', () => {
      closed = true;
    });
    // Handlers added while these run are run too; removed ones are skipped.
    const done = new Set<ReadyHandler>();
    for (;;) {
      const next = this.handlers.find((h) => !done.has(h));
      if (next === undefined) break;
      done.add(next);
      await next(conn);
    }
    // A close that came with the last setup reply would otherwise leave amqplib holding a dead
    // connection: it watches for the close only from here on.
    if (closed) throw new Error('the connection closed during setup');
  }

  private onConnect(conn: ChannelModel): void {
    if (this.closing) return;
    this.connection = conn;
    this.connectedUrl = redactUrl(this.urls[this.nodeIndex] as string);
    this.logger.info('broker connected', { node: this.connectedUrl });
    this.emit('ready', conn);
  }

  private onDisconnect(err: Error | undefined): void {
    const node = this.connectedUrl;
    this.connection = undefined;
    this.connectedUrl = undefined;
    if (this.closing) return;
    this.logger.warn('broker connection lost; moving to the next node', {
      node,
      ...(err === undefined ? {} : { error: err.message }),
    });
    this.emit('lost', err);
  }
}
