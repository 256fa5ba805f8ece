import type { ChannelModel, ConfirmChannel, Options } from 'amqplib';
import type { BrokerConnection } from '../broker/connection.js';
import { names } from '../broker/names.js';
import { decodeBody, encodeBody } from '../codec/codec.js';
import { KaelError } from '../errors.js';

/** One claimed tick: (crontab, entry, scheduled time) is the run's identity. */
export interface Claim {
  entry: number;
  /** Scheduled time, ms since the epoch. */
  at: number;
  frame: string;
}

const CLAIM_QUEUE: Options.AssertQueue = {
  durable: false,
  arguments: { 'x-max-length': 500, 'x-expires': 24 * 3600_000 },
};

/**
 * The record of ticks a crontab's active frames have claimed, kept on the broker so a frame that
 * takes over knows what already ran. A claim is confirmed by the broker before its command starts.
 */
export class ClaimLog {
  constructor(
    private readonly broker: BrokerConnection,
    private readonly namespace: string,
    private readonly crontab: string,
  ) {}

  private get queue(): string {
    return names.crontabClaims(this.namespace, this.crontab);
  }

  /** The latest claimed tick per entry. Reads without consuming (the messages return to the queue). */
  async latest(): Promise<Map<number, number>> {
    const conn = await this.broker.ready();
    const ch = await conn.createChannel();
    ch.on('error', () => undefined);
    const out = new Map<number, number>();
    try {
      await ch.assertQueue(this.queue, CLAIM_QUEUE);
      for (;;) {
        const msg = await ch.get(this.queue, { noAck: false });
        if (msg === false) break;
        const c = decodeBody(msg.content, msg.properties.contentType as string | undefined) as Partial<Claim>;
        if (typeof c.entry === 'number' && typeof c.at === 'number' && c.at > (out.get(c.entry) ?? -Infinity))
          out.set(c.entry, c.at);
      }
    } finally {
      await ch.close().catch(() => undefined);
    }
    return out;
  }

  /**
   * Records a claim and waits for the broker's confirm.
   * @throws KaelError `BROKER_UNAVAILABLE` when the claim could not be recorded (the tick must not run).
   */
  async claim(claim: Claim): Promise<void> {
    const conn = this.broker.current;
    if (conn === undefined)
      throw new KaelError('BROKER_UNAVAILABLE', 'no broker connection to record the claim');
    const ch = await this.confirmChannel(conn);
    await ch.assertQueue(this.queue, CLAIM_QUEUE);
    ch.sendToQueue(this.queue, encodeBody(claim), { contentType: 'application/msgpack' });
    try {
      await ch.waitForConfirms();
    } catch (e) {
      throw new KaelError(
        'BROKER_UNAVAILABLE',
        `claim of ${this.crontab}[${claim.entry}] at ${new Date(claim.at).toISOString()} was not confirmed`,
        { cause: e },
      );
    }
  }

  private channel: ConfirmChannel | undefined;

  private async confirmChannel(conn: ChannelModel): Promise<ConfirmChannel> {
    if (this.channel === undefined || this.channel.connection !== conn.connection) {
      const ch = await conn.createConfirmChannel();
      ch.on('error', () => undefined);
      ch.on('close', () => {
        if (this.channel === ch) this.channel = undefined;
      });
      this.channel = ch;
    }
    return this.channel;
  }

  /** Closes the confirm channel. */
  async close(): Promise<void> {
    const ch = this.channel;
    this.channel = undefined;
    await ch?.close().catch(() => undefined);
  }
}
