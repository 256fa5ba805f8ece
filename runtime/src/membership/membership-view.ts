import { EventEmitter } from 'node:events';
import type { ChannelModel, ConsumeMessage } from 'amqplib';
import type { BrokerConnection } from '../broker/connection.js';
import { names } from '../broker/names.js';
import { decodeBody } from '../codec/codec.js';
import type { FrameSnapshot } from '../model/frame-snapshot.js';
import type { Logger } from '../util/logger.js';
import type { Announcement } from './announcement.js';
import { FANOUT_OPTIONS } from './announcement.js';

interface Member {
  frame: FrameSnapshot;
  seq: number;
  lastSeen: number;
}

/**
 * The live set of frames of a namespace, kept from their announcements. A frame silent for three
 * of its heartbeats is gone.
 *
 * Events: `frames` (FrameSnapshot[]: the whole set after any change), `frame-up`, `frame-changed`,
 * `frame-down` (each with the FrameSnapshot), `frame-seen` (the frame id, at every announcement:
 * tools show a frame that missed a heartbeat before it is gone).
 */
export class MembershipView extends EventEmitter {
  private readonly members = new Map<string, Member>();
  private sweeper: NodeJS.Timeout | undefined;
  private readonly ready = async (conn: ChannelModel): Promise<void> => {
    const ch = await conn.createChannel();
    ch.on('error', (err: Error) => this.logger.warn('membership channel error', { error: err.message }));
    // Commands go to the command exchange: declare it too, publishing to a missing exchange closes the channel.
    await ch.assertExchange(names.commandExchange(this.namespace), 'fanout', FANOUT_OPTIONS);
    await ch.assertExchange(names.membershipExchange(this.namespace), 'fanout', FANOUT_OPTIONS);
    const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
    await ch.bindQueue(queue, names.membershipExchange(this.namespace), '');
    await ch.consume(queue, (msg) => this.onMessage(msg), { noAck: true });
  };

  constructor(
    private readonly broker: BrokerConnection,
    private readonly namespace: string,
    private readonly logger: Logger,
  ) {
    super();
  }

  /** Starts listening (and again after every reconnect). */
  async start(): Promise<void> {
    await this.broker.onReady(this.ready);
    this.sweeper = setInterval(() => this.sweep(), 250);
    this.sweeper.unref();
  }

  /** The frames alive now. */
  frames(): FrameSnapshot[] {
    return [...this.members.values()].map((m) => m.frame).sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Takes in a snapshot learned another way (a `_ping` reply). */
  learn(frame: FrameSnapshot): void {
    this.accept({ type: 'hello', frame, seq: -1 });
  }

  stop(): void {
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    this.broker.offReady(this.ready);
  }

  private onMessage(msg: ConsumeMessage | null): void {
    if (msg === null) return;
    try {
      const a = decodeBody(msg.content, msg.properties.contentType as string | undefined) as Announcement;
      if (a !== null && typeof a === 'object' && typeof a.frame?.id === 'string') this.accept(a);
    } catch (e) {
      this.logger.warn('ignored a malformed announcement', { error: (e as Error).message });
    }
  }

  private accept(a: Announcement): void {
    const known = this.members.get(a.frame.id);
    if (a.type === 'goodbye') {
      if (known !== undefined) this.remove(a.frame.id, known.frame);
      return;
    }
    if (known !== undefined && a.seq >= 0 && a.seq < known.seq) return;
    const changed = known === undefined || JSON.stringify(known.frame) !== JSON.stringify(a.frame);
    this.members.set(a.frame.id, {
      frame: a.frame,
      seq: Math.max(a.seq, known?.seq ?? -1),
      lastSeen: Date.now(),
    });
    this.emit('frame-seen', a.frame.id);
    if (known === undefined) this.emit('frame-up', a.frame);
    else if (changed) this.emit('frame-changed', a.frame);
    if (changed) this.emit('frames', this.frames());
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, m] of this.members) {
      if (now - m.lastSeen > 3 * m.frame.heartbeatMs) this.remove(id, m.frame);
    }
  }

  private remove(id: string, frame: FrameSnapshot): void {
    this.members.delete(id);
    this.emit('frame-down', frame);
    this.emit('frames', this.frames());
  }
}
