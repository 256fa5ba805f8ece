import { EventEmitter } from 'node:events';
import os from 'node:os';
import amqp from 'amqplib';
import type { ChannelModel } from 'amqplib';
import { KaelError } from '../errors.js';
import type { Logger } from '../util/logger.js';
import { createLogger } from '../util/logger.js';
import { redactText } from '../util/redact.js';

/** Options of a {@link BrokerConnection}. */
export interface BrokerConnectionOptions {
  /** RabbitMQ URL, e.g. `amqp://guest:guest@127.0.0.1:5672`. */
  url: string;
  /** Shown in the RabbitMQ management UI. @default 'kael' */
  connectionName?: string;
  /**
   * AMQP heartbeat in seconds. The broker closes a silent peer after two missed beats, which bounds
   * how long a frame whose host vanished keeps its crontab lock. @default 5
   */
  heartbeatSec?: number;
  /** First delay between reconnect attempts; doubles up to `maxBackoffMs`. @default 100 */
  initialBackoffMs?: number;
  /** @default 5000 */
  maxBackoffMs?: number;
  /**
   * When the first connect fails: `true` rejects `start()` with BROKER_UNAVAILABLE (clients),
   * `false` keeps retrying (frames and daemons). @default true
   */
  failFast?: boolean;
  logger?: Logger;
}

/** Runs on every (re)connect, before the connection is reported ready: declare topology, open channels. */
export type ReadyHandler = (connection: ChannelModel) => Promise<void>;

/**
 * One AMQP connection that reconnects with backoff after any loss and re-runs every registered
 * {@link ReadyHandler}, so consumers and declarations come back by themselves after a broker restart.
 *
 * Events: `ready` (connection), `lost` (error?), `closed`.
 * @example
 * const broker = new BrokerConnection({ url: 'amqp://127.0.0.1' });
 * broker.onReady(async (conn) => { const ch = await conn.createChannel(); ... });
 * await broker.start();
 */
export class BrokerConnection extends EventEmitter {
  private readonly options: Required<Omit<BrokerConnectionOptions, 'logger'>>;
  private readonly logger: Logger;
  private readonly handlers: ReadyHandler[] = [];
  private connection: ChannelModel | undefined;
  private connecting: Promise<ChannelModel> | undefined;
  private closing = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt = 0;

  constructor(options: BrokerConnectionOptions) {
    super();
    this.options = {
      url: options.url,
      connectionName: options.connectionName ?? 'kael',
      heartbeatSec: options.heartbeatSec ?? 5,
      initialBackoffMs: options.initialBackoffMs ?? 100,
      maxBackoffMs: options.maxBackoffMs ?? 5000,
      failFast: options.failFast ?? true,
    };
    this.logger = options.logger ?? createLogger('broker');
    // 'error' is re-emitted only to listeners; without one, losses are logged and retried, never thrown.
    this.on('error', () => undefined);
  }

  /** The live connection, or undefined while reconnecting. */
  get current(): ChannelModel | undefined {
    return this.connection;
  }

  /** True while a connection is open. */
  get isReady(): boolean {
    return this.connection !== undefined;
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
   * Connects (single-flight: concurrent callers share one attempt).
   * @throws KaelError `BROKER_UNAVAILABLE` when `failFast` and the broker cannot be reached.
   */
  async start(): Promise<ChannelModel> {
    if (this.connection !== undefined) return this.connection;
    this.connecting ??= this.connectLoop().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** Waits until a connection is ready (useful while reconnecting). */
  async ready(): Promise<ChannelModel> {
    if (this.connection !== undefined) return this.connection;
    if (this.closing) throw new KaelError('CLIENT_CLOSED', 'broker connection is closed');
    return new Promise<ChannelModel>((resolve, reject) => {
      const onReady = (c: ChannelModel): void => {
        this.off('closed', onClosed);
        resolve(c);
      };
      const onClosed = (): void => {
        this.off('ready', onReady);
        reject(new KaelError('CLIENT_CLOSED', 'broker connection is closed'));
      };
      this.once('ready', onReady);
      this.once('closed', onClosed);
    });
  }

  /** Closes the connection and stops reconnecting. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    const conn = this.connection;
    this.connection = undefined;
    if (conn !== undefined) {
      try {
        await conn.close();
      } catch {
        // Already closed by the broker: nothing left to release.
      }
    }
    this.emit('closed');
  }

  private async connectLoop(): Promise<ChannelModel> {
    for (;;) {
      if (this.closing) throw new KaelError('CLIENT_CLOSED', 'broker connection is closed');
      try {
        const conn = await this.connectOnce();
        this.attempt = 0;
        return conn;
      } catch (e) {
        if (this.options.failFast && this.attempt === 0 && !this.everConnected) {
          throw new KaelError(
            'BROKER_UNAVAILABLE',
            `cannot connect to RabbitMQ at ${redactText(this.options.url)}: ${redactText((e as Error).message)}`,
            { cause: e },
          );
        }
        const delay = Math.min(
          this.options.maxBackoffMs,
          this.options.initialBackoffMs * 2 ** Math.min(this.attempt, 10),
        );
        this.attempt++;
        this.logger.warn('broker connect failed; retrying', {
          in_ms: delay,
          error: redactText((e as Error).message),
        });
        await new Promise<void>((r) => {
          this.retryTimer = setTimeout(r, delay);
        });
      }
    }
  }

  private everConnected = false;

  private async connectOnce(): Promise<ChannelModel> {
    const conn = await amqp.connect(withHeartbeat(this.options.url, this.options.heartbeatSec), {
      noDelay: true,
      clientProperties: { connection_name: `${this.options.connectionName}@${os.hostname()}:${process.pid}` },
    } as Parameters<typeof amqp.connect>[1]);
    conn.on('error', (err: Error) => {
      this.logger.warn('broker connection error', { error: err.message });
      this.emit('error', err);
    });
    conn.on('close', (err?: Error) => this.handleClose(conn, err));
    try {
      for (const handler of [...this.handlers]) await handler(conn);
    } catch (e) {
      try {
        await conn.close();
      } catch {
        // The handler failure is what matters; the close error would hide it.
      }
      throw e;
    }
    this.connection = conn;
    this.everConnected = true;
    this.emit('ready', conn);
    return conn;
  }

  private handleClose(conn: ChannelModel, err: Error | undefined): void {
    if (this.connection !== conn) return;
    this.connection = undefined;
    if (this.closing) return;
    this.logger.warn('broker connection lost; reconnecting', err === undefined ? {} : { error: err.message });
    this.emit('lost', err);
    void this.start().catch((e: unknown) =>
      this.logger.error('reconnect gave up', { error: (e as Error).message }),
    );
  }
}

/**
 * The URL with `heartbeat=<sec>` unless it sets one: amqplib takes the heartbeat from the URL only,
 * and without it the broker's default (60 s) would let a silent host keep its crontab locks for minutes.
 */
export function withHeartbeat(url: string, heartbeatSec: number): string {
  try {
    const u = new URL(url);
    if (!u.searchParams.has('heartbeat')) u.searchParams.set('heartbeat', String(heartbeatSec));
    return u.toString();
  } catch {
    return url;
  }
}
