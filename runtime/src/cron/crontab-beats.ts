import type { Channel, ChannelModel } from 'amqplib';
import type { BrokerConnection } from '../broker/connection.js';
import { names } from '../broker/names.js';
import { decodeBody, encodeBody, MSGPACK } from '../codec/codec.js';
import { FANOUT_OPTIONS } from '../membership/announcement.js';
import type { Logger } from '../util/logger.js';
import { REPLY_CODE, replyCodeOf } from '../broker/reply-codes.js';

/** A holder's heartbeat: it is alive and holds `term`. */
export interface Beat {
  frame: string;
  term: number;
}

/** What a probe of another frame's presence queue found. */
export type Presence = 'alive' | 'gone' | 'unknown';

/**
 * The fast, non-durable side of a crontab's election: the holder's heartbeats on a fanout exchange
 * (a silent holder stops sending them), and each frame's presence queue, an exclusive queue that the
 * broker deletes the moment the frame's connection ends (so a killed holder is noticed at once).
 */
export class CrontabBeats {
  private channel: Channel | undefined;
  private probeChannel: Channel | undefined;
  private stopped = false;
  private blocked = false;

  constructor(
    private readonly broker: BrokerConnection,
    private readonly namespace: string,
    private readonly crontab: string,
    private readonly frameId: string,
    private readonly logger: Logger,
    private readonly onBeat: (beat: Beat) => void,
  ) {}

  private get exchange(): string {
    return names.crontabBeat(this.namespace, this.crontab);
  }

  /** Declares the exchange and this frame's presence queue, and listens (again after every reconnect). */
  async start(): Promise<void> {
    await this.broker.onReady(this.onReady);
  }

  /** Sends one heartbeat (fire and forget: a lost one only shortens the lease others see). */
  beat(term: number): void {
    const ch = this.channel;
    // While the socket buffer is full, skip beats rather than queue stale ones.
    if (ch === undefined || this.blocked) return;
    const body: Beat = { frame: this.frameId, term };
    try {
      const sent = ch.publish(this.exchange, '', encodeBody(body), {
        contentType: MSGPACK,
        expiration: '5000',
      });
      if (!sent) {
        this.blocked = true;
        ch.once('drain', () => {
          this.blocked = false;
        });
      }
    } catch (e) {
      // amqplib throws on a channel closed with its connection; the next 'ready' opens a new one.
      this.channel = undefined;
      this.logger.debug('heartbeat not sent', { error: (e as Error).message });
    }
  }

  /**
   * Whether `frameId`'s connection is alive, from a passive declare of its presence queue:
   * RESOURCE_LOCKED (exclusive to its connection) = alive, NOT_FOUND = gone.
   */
  async probe(frameId: string): Promise<Presence> {
    const conn = this.broker.current;
    if (conn === undefined || this.stopped) return 'unknown';
    try {
      this.probeChannel ??= await this.openProbe(conn);
      await this.probeChannel.checkQueue(names.crontabPresence(this.namespace, frameId));
      return 'alive';
    } catch (e) {
      this.probeChannel = undefined; // The broker closed the channel with the error.
      const code = replyCodeOf(e);
      if (code === REPLY_CODE.RESOURCE_LOCKED) return 'alive';
      if (code === REPLY_CODE.NOT_FOUND) return 'gone';
      this.logger.warn(`crontab ${this.crontab}: presence probe failed`, { error: (e as Error).message });
      return 'unknown';
    }
  }

  /** Stops listening; the presence queue goes with the connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.broker.offReady(this.onReady);
    for (const ch of [this.channel, this.probeChannel]) {
      await ch
        ?.close()
        .catch((e: unknown) =>
          this.logger.debug('beat channel already closed', { error: (e as Error).message }),
        );
    }
    this.channel = undefined;
    this.probeChannel = undefined;
  }

  private async openProbe(conn: ChannelModel): Promise<Channel> {
    const ch = await conn.createChannel();
    // A failed passive declare closes the channel with an error: expected, handled in probe().
    ch.on('error', (e: Error) => this.logger.debug('presence probe channel closed', { error: e.message }));
    return ch;
  }

  // Never throws: a failure here must not take down the frame's connection (and its services).
  private readonly onReady = async (conn: ChannelModel): Promise<void> => {
    if (this.stopped) return;
    this.probeChannel = undefined;
    this.blocked = false;
    try {
      const ch = await conn.createChannel();
      ch.on('error', (e: Error) =>
        this.logger.warn(`crontab ${this.crontab}: beat channel error`, { error: e.message }),
      );
      ch.on('close', () => {
        if (this.channel === ch) this.channel = undefined;
      });
      await ch.assertExchange(this.exchange, 'fanout', FANOUT_OPTIONS);
      await ch.assertQueue(names.crontabPresence(this.namespace, this.frameId), {
        exclusive: true,
        autoDelete: true,
        durable: false,
      });
      const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
      await ch.bindQueue(queue, this.exchange, '');
      await ch.consume(
        queue,
        (msg) => {
          if (msg === null) return;
          let b: Partial<Beat>;
          try {
            b = decodeBody(msg.content, msg.properties.contentType as string | undefined) as Partial<Beat>;
          } catch (e) {
            this.logger.debug('unreadable heartbeat skipped', { error: (e as Error).message });
            return;
          }
          if (typeof b.frame === 'string' && typeof b.term === 'number')
            this.onBeat({ frame: b.frame, term: b.term });
        },
        { noAck: true },
      );
      this.channel = ch;
    } catch (e) {
      this.logger.error(`crontab ${this.crontab}: cannot listen for heartbeats`, {
        error: (e as Error).message,
      });
    }
  };
}
