import type { Channel } from 'amqplib';
import type { BrokerConnection } from '../broker/connection.js';
import { names } from '../broker/names.js';
import type { Logger } from '../util/logger.js';

/**
 * The election of one crontab: an exclusive queue held as a lock. RabbitMQ lets one connection
 * declare an exclusive queue; others get RESOURCE_LOCKED. The queue vanishes when its connection
 * closes: at once on a clean stop or a kill -9 (the kernel closes the socket), after two missed AMQP
 * heartbeats when the host goes silent. Standby frames retry every `retryMs`.
 *
 * Events are the callbacks: `onAcquired`, `onLost`.
 */
export class CrontabLock {
  private channel: Channel | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private trying = false;

  constructor(
    private readonly broker: BrokerConnection,
    private readonly namespace: string,
    private readonly crontab: string,
    private readonly logger: Logger,
    private readonly handlers: { onAcquired: () => void; onLost: () => void },
    private readonly retryMs = 500,
  ) {}

  /** True while this frame holds the lock. */
  get held(): boolean {
    return this.channel !== undefined;
  }

  /** Starts competing for the lock. */
  start(): void {
    this.broker.on('lost', this.onConnectionLost);
    void this.attempt();
  }

  /** Releases the lock (deleting the queue wakes the standbys' next retry) and stops competing. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.broker.off('lost', this.onConnectionLost);
    if (this.timer !== undefined) clearTimeout(this.timer);
    const ch = this.channel;
    this.channel = undefined;
    if (ch !== undefined) {
      await ch.deleteQueue(names.crontabLock(this.namespace, this.crontab)).catch(() => undefined);
      await ch.close().catch(() => undefined);
      this.handlers.onLost();
    }
  }

  private readonly onConnectionLost = (): void => {
    if (this.channel === undefined) return;
    this.channel = undefined;
    this.handlers.onLost();
    this.schedule();
  };

  private schedule(): void {
    if (this.stopped) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.attempt(), this.retryMs);
    this.timer.unref();
  }

  private async attempt(): Promise<void> {
    if (this.stopped || this.trying || this.channel !== undefined) return;
    this.trying = true;
    try {
      const conn = this.broker.current;
      if (conn === undefined) return;
      const ch = await conn.createChannel();
      ch.on('error', () => undefined);
      try {
        await ch.assertQueue(names.crontabLock(this.namespace, this.crontab), {
          exclusive: true,
          autoDelete: false,
          durable: false,
        });
      } catch {
        return; // Held by another frame: the channel was closed by the broker; try again later.
      }
      if (this.stopped) {
        await ch.close().catch(() => undefined);
        return;
      }
      ch.on('close', () => {
        if (this.channel === ch) this.onConnectionLost();
      });
      this.channel = ch;
      this.logger.info(`crontab ${this.crontab}: this frame is active`);
      this.handlers.onAcquired();
    } catch (e) {
      this.logger.debug('crontab lock attempt failed', {
        crontab: this.crontab,
        error: (e as Error).message,
      });
    } finally {
      this.trying = false;
      if (this.channel === undefined) this.schedule();
    }
  }
}
