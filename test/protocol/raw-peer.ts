import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import type { Channel, ChannelModel, ConsumeMessage, Message, Options } from 'amqplib';

/**
 * A namespace peer written from runtime/PROTOCOL.md alone, on plain amqplib: no kael code touches
 * the wire here, so what the conformance test sees is what the document promises.
 */
export class RawPeer {
  private readonly waiting = new Map<string, (msg: ConsumeMessage) => void>();
  private readonly returned = new Map<string, (msg: Message) => void>();
  private counter = 0;
  private readonly prefix = randomBytes(4).toString('hex');

  private constructor(
    readonly connection: ChannelModel,
    readonly channel: Channel,
    /** Errors the connection or channel reported (the test asserts there are none). */
    readonly errors: Error[],
  ) {}

  /** Connects, and consumes direct reply-to before anything is published (PROTOCOL.md, Conventions). */
  static async open(url: string): Promise<RawPeer> {
    const errors: Error[] = [];
    const connection = await amqp.connect(url, { noDelay: true });
    connection.on('error', (e: Error) => errors.push(e));
    const channel = await connection.createChannel();
    channel.on('error', (e: Error) => errors.push(e));
    const peer = new RawPeer(connection, channel, errors);
    channel.on('return', (msg: Message) => {
      const id = msg.properties.correlationId as string | undefined;
      if (id !== undefined) peer.returned.get(id)?.(msg);
    });
    await channel.consume(
      'amq.rabbitmq.reply-to',
      (msg) => {
        const id = msg?.properties.correlationId as string | undefined;
        if (msg !== null && id !== undefined) peer.waiting.get(id)?.(msg);
      },
      { noAck: true },
    );
    return peer;
  }

  /** A fresh correlation id. */
  nextId(): string {
    return `${this.prefix}.${this.counter++}`;
  }

  /**
   * Publishes one request and resolves with its single reply, or with `returned` when the broker
   * hands a mandatory message back (nothing took it).
   */
  async request(
    exchange: string,
    routingKey: string,
    body: Buffer,
    props: Options.Publish,
    timeoutMs = 10_000,
  ): Promise<ConsumeMessage | 'returned'> {
    const replies = await this.collect(exchange, routingKey, body, props, () => true, timeoutMs);
    return replies.returned ? 'returned' : (replies.messages[0] ?? 'returned');
  }

  /**
   * Publishes one request and collects replies until `done(replies so far)` says so (fan-out
   * commands: one reply per frame), a return, or the timeout (then it rejects).
   */
  async collect(
    exchange: string,
    routingKey: string,
    body: Buffer,
    props: Options.Publish,
    done: (messages: ConsumeMessage[]) => boolean,
    timeoutMs = 10_000,
  ): Promise<{ messages: ConsumeMessage[]; returned: boolean }> {
    const sent = this.send(exchange, routingKey, body, props, done);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `no complete answer to ${sent.correlationId} within ${timeoutMs} ms (${sent.messages.length} replies)`,
            ),
          ),
        timeoutMs,
      );
    });
    try {
      const returned = await Promise.race([sent.finished, timeout]);
      return { messages: sent.messages, returned };
    } finally {
      clearTimeout(timer);
      sent.stop();
    }
  }

  /**
   * Publishes one request; its replies gather in `messages` until `stop()`, a return, or `done`
   * says so (`finished` then resolves with whether the broker returned the request).
   */
  send(
    exchange: string,
    routingKey: string,
    body: Buffer,
    props: Options.Publish,
    done: (messages: ConsumeMessage[]) => boolean = () => false,
  ): { correlationId: string; messages: ConsumeMessage[]; finished: Promise<boolean>; stop(): void } {
    const correlationId = props.correlationId ?? this.nextId();
    const messages: ConsumeMessage[] = [];
    const stop = (): void => {
      this.waiting.delete(correlationId);
      this.returned.delete(correlationId);
    };
    const finished = new Promise<boolean>((resolve) => {
      this.waiting.set(correlationId, (msg) => {
        messages.push(msg);
        if (done(messages)) {
          stop();
          resolve(false);
        }
      });
      this.returned.set(correlationId, () => {
        stop();
        resolve(true);
      });
    });
    this.channel.publish(exchange, routingKey, body, {
      replyTo: 'amq.rabbitmq.reply-to',
      ...props,
      correlationId,
    });
    return { correlationId, messages, finished, stop };
  }

  /**
   * Runs a declaration on a throwaway channel (a refused declaration closes its channel).
   * @returns undefined when it succeeded, else the AMQP reply code.
   */
  async tryOnOwnChannel(body: (ch: Channel) => Promise<unknown>): Promise<number | undefined> {
    const ch = await this.connection.createChannel();
    let refused: number | undefined;
    ch.on('error', (e: Error & { code?: number }) => (refused ??= e.code));
    try {
      await body(ch);
    } catch (e) {
      return (e as { code?: number }).code ?? -1;
    }
    await ch.close();
    return refused;
  }

  async close(): Promise<void> {
    await this.channel.close();
    await this.connection.close();
  }
}
