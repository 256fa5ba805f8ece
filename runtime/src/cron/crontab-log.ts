import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import type { BrokerConnection } from '../broker/connection.js';
import { names } from '../broker/names.js';
import { decodeBody, encodeBody, MSGPACK } from '../codec/codec.js';
import { KaelError } from '../errors.js';
import type { Logger } from '../util/logger.js';
import type { LogRecord } from './lease-view.js';

/**
 * The log's queue: a RabbitMQ stream, so claims survive a broker restart (it is on disk) and the
 * loss of a cluster node (it is replicated), and every frame reads every record in one order.
 * Small segments let retention drop old records; every frame must declare the same arguments.
 */
export const LOG_QUEUE: Options.AssertQueue = {
  durable: true,
  autoDelete: false,
  exclusive: false,
  arguments: {
    'x-queue-type': 'stream',
    'x-max-age': '7D',
    'x-max-length-bytes': 20_000_000,
    'x-stream-max-segment-size-bytes': 500_000,
    'x-initial-cluster-size': 3,
  },
};

/** Callbacks of a {@link CrontabLog}. */
export interface CrontabLogHandlers {
  /** Reading (re)starts at the window's start: forget the folded state. */
  onReset(): void;
  /** Reading has started: records written from now on will be delivered. */
  onOpen(): void;
  /** The next record in log order. */
  onRecord(record: LogRecord): void;
  /** The log cannot be used (e.g. ACCESS_REFUSED on the stream); undefined when it works again. */
  onProblem(problem: KaelError | undefined): void;
}

/**
 * Reads and appends the records of one crontab's log. Reading starts `windowMs` back (enough for
 * the grace period and the holder's last checkpoint) and follows new records as they are written;
 * after a reconnect or a cancelled consumer it starts over from the window.
 */
export class CrontabLog {
  private readChannel: Channel | undefined;
  private writeChannel: ConfirmChannel | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly broker: BrokerConnection,
    private readonly namespace: string,
    private readonly crontab: string,
    private readonly windowMs: number,
    private readonly logger: Logger,
    private readonly handlers: CrontabLogHandlers,
  ) {}

  private get queue(): string {
    return names.crontabLog(this.namespace, this.crontab);
  }

  /** Starts reading now (when connected) and after every reconnect. */
  async start(): Promise<void> {
    await this.broker.onReady(this.onReady);
  }

  /**
   * Appends a record and waits for the broker's confirm.
   * @throws KaelError `BROKER_UNAVAILABLE` when the record was not confirmed.
   */
  async append(record: LogRecord): Promise<void> {
    const ch = this.writeChannel;
    if (ch === undefined) throw new KaelError('BROKER_UNAVAILABLE', `the log of ${this.crontab} is not open`);
    try {
      await new Promise<void>((resolve, reject) => {
        // A full socket buffer only delays the confirm awaited here; records are few and small.
        ch.sendToQueue(this.queue, encodeBody(record), { contentType: MSGPACK }, (err: unknown) =>
          // amqplib passes null on ack and a non-Error value on nack.
          err === null || err === undefined
            ? resolve()
            : reject(new Error("the broker refused (nack'ed) the record")),
        );
      });
    } catch (e) {
      throw new KaelError('BROKER_UNAVAILABLE', `${record.type} of ${this.crontab} was not confirmed`, {
        cause: e,
      });
    }
  }

  /**
   * Reads the log again from the window (after a record was not read back in time: the reader may
   * have missed records, e.g. while a cluster node took over the stream).
   */
  reopen(): void {
    this.retryLater();
  }

  /** Stops reading and closes the channels. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.broker.offReady(this.onReady);
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    await this.closeChannels();
  }

  // Never throws: a failure here must not take down the frame's connection (and its services).
  private readonly onReady = async (conn: ChannelModel): Promise<void> => {
    await this.open(conn);
  };

  private opening: Promise<void> = Promise.resolve();

  /** Opens the channels; calls are serialised so a reconnect and a retry never interleave. */
  private open(conn: ChannelModel): Promise<void> {
    this.opening = this.opening.then(() => this.openOnce(conn));
    return this.opening;
  }

  private async openOnce(conn: ChannelModel): Promise<void> {
    if (this.stopped) return;
    // A re-read asked for before this (re)open is served by it.
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.closeChannels();
    this.handlers.onReset();
    try {
      const write = await conn.createConfirmChannel();
      write.on('error', (e: Error) => this.channelFailed('write', e));
      await write.assertQueue(this.queue, LOG_QUEUE);
      this.writeChannel = write;
      const read = await conn.createChannel();
      read.on('error', (e: Error) => this.channelFailed('read', e));
      await read.prefetch(1000);
      await read.consume(this.queue, (msg) => this.deliver(read, msg), {
        noAck: false,
        arguments: { 'x-stream-offset': `${Math.ceil(this.windowMs / 1000)}s` },
      });
      this.readChannel = read;
      this.handlers.onProblem(undefined);
      this.handlers.onOpen();
    } catch (e) {
      const problem = new KaelError(
        'CRONTAB_LEASE_FAILED',
        `cannot open the log of crontab ${this.crontab} (${this.queue}): ${(e as Error).message}`,
        { cause: e, details: { queue: this.queue, amqpCode: (e as { code?: unknown }).code } },
      );
      this.logger.error(problem.message);
      this.handlers.onProblem(problem);
      await this.closeChannels();
      this.retryLater();
    }
  }

  private deliver(ch: Channel, msg: ConsumeMessage | null): void {
    if (msg === null) {
      // Cancelled by the broker (stream deleted, its leader moved): read again from the window.
      this.logger.warn(`crontab ${this.crontab}: log consumer cancelled; re-reading`);
      this.retryLater();
      return;
    }
    ch.ack(msg);
    let record: LogRecord;
    try {
      record = decodeBody(msg.content, msg.properties.contentType as string | undefined) as LogRecord;
    } catch (e) {
      this.logger.warn(`crontab ${this.crontab}: unreadable log record skipped`, {
        error: (e as Error).message,
      });
      return;
    }
    if (isRecord(record)) this.handlers.onRecord(record);
  }

  private channelFailed(which: string, e: Error): void {
    this.logger.warn(`crontab ${this.crontab}: log ${which} channel error`, { error: e.message });
    this.retryLater();
  }

  private retryLater(): void {
    if (this.stopped || this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      const conn = this.broker.current;
      // Without a connection the broker's next 'ready' reopens the log.
      if (conn !== undefined) void this.open(conn);
    }, 1000);
    this.retryTimer.unref();
  }

  private async closeChannels(): Promise<void> {
    const channels = [this.readChannel, this.writeChannel];
    this.readChannel = undefined;
    this.writeChannel = undefined;
    for (const ch of channels) {
      if (ch === undefined) continue;
      // Closing is deliberate: later channel errors are only worth a debug line.
      ch.removeAllListeners('error');
      ch.on('error', (e: Error) => this.logger.debug('closing log channel', { error: e.message }));
      await ch
        .close()
        .catch((e: unknown) =>
          this.logger.debug('log channel already closed', { error: (e as Error).message }),
        );
    }
  }
}

function isRecord(r: unknown): r is LogRecord {
  const x = r as Partial<LogRecord> | null;
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof x.id === 'string' &&
    typeof x.frame === 'string' &&
    typeof x.term === 'number' &&
    (x.type === 'hold' || x.type === 'release' || (x.type === 'claim' && typeof x.entry === 'number'))
  );
}
