import { decode, encode } from '@msgpack/msgpack';
import amqp from 'amqplib';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';

/** A function the server serves: positional arguments and keyword arguments in, a value out. */
export type ServedFunction = (args: unknown[], kwargs: Record<string, unknown>) => unknown;

/**
 * A service server written from runtime/PROTOCOL.md ("Serving a service") with plain amqplib: the
 * declarations, the decoding by content type, the envelope, the reply properties and
 * reply-before-ack are the document's words, so a kael client that can call it shows they suffice.
 */
export class ConformingServer {
  /** Errors the connection or channel reported (the test asserts there are none). */
  readonly errors: Error[] = [];
  /** The exchange each request came through (`""`: the default exchange). */
  readonly exchanges: string[] = [];

  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: Channel,
    /** The `app_id` of every reply. */
    readonly id: string,
  ) {}

  static async start(
    url: string,
    namespace: string,
    id: string,
    functions: Record<string, ServedFunction>,
  ): Promise<ConformingServer> {
    const connection = await amqp.connect(url, { noDelay: true });
    const channel = await connection.createChannel();
    const server = new ConformingServer(connection, channel, id);
    connection.on('error', (e: Error) => server.errors.push(e));
    channel.on('error', (e: Error) => server.errors.push(e));
    const exchange = `kael.${namespace}.call`;
    await channel.assertExchange(exchange, 'direct', { durable: false, autoDelete: false });
    await channel.prefetch(16);
    for (const [service, fn] of Object.entries(functions)) {
      const queue = `kael.${namespace}.svc.${service}`;
      await channel.assertQueue(queue, {
        durable: false,
        autoDelete: false,
        exclusive: false,
        arguments: { 'x-expires': 1800000 },
      });
      await channel.bindQueue(queue, exchange, queue);
      await channel.consume(queue, (msg) => msg !== null && server.serve(msg, fn), { noAck: false });
    }
    return server;
  }

  private serve(msg: ConsumeMessage, fn: ServedFunction): void {
    this.exchanges.push(msg.fields.exchange);
    const mediaType = ((msg.properties.contentType as string | undefined) ?? '')
      .split(';')[0]
      ?.trim()
      .toLowerCase();
    const json = mediaType === 'application/json';
    let envelope: unknown;
    let reject = false;
    try {
      const body = readBody(msg.content, json, mediaType !== 'application/msgpack');
      if (!Array.isArray(body) || !Array.isArray(body[0]) || body.length > 2)
        throw new TypeError('not [args, kwargs]');
      const kwargs = (body[1] ?? {}) as Record<string, unknown>;
      try {
        envelope = { ok: true, value: fn(body[0] as unknown[], kwargs) };
      } catch (e) {
        const error = e as Error & { code?: string };
        envelope = {
          ok: false,
          error: { code: error.code ?? 'REMOTE_ERROR', name: error.name, message: error.message },
        };
      }
    } catch (e) {
      reject = true;
      envelope = { ok: false, error: { code: 'DECODE_ERROR', name: 'Error', message: (e as Error).message } };
    }
    const replyTo = msg.properties.replyTo as string | undefined;
    if (replyTo !== undefined && replyTo !== '') {
      const contentType = json ? 'application/json' : 'application/msgpack';
      const body = json ? Buffer.from(JSON.stringify(envelope)) : Buffer.from(encode(envelope));
      const props: { contentType: string; appId: string; correlationId?: string } = {
        contentType,
        appId: this.id,
      };
      const correlationId = msg.properties.correlationId as string | undefined;
      if (correlationId !== undefined) props.correlationId = correlationId;
      this.channel.publish('', replyTo, body, props);
    }
    // Reply before ack: a server that dies in between has its request redelivered.
    if (reject) this.channel.nack(msg, false, false);
    else this.channel.ack(msg);
  }

  async stop(): Promise<void> {
    await this.channel.close();
    await this.connection.close();
  }
}

/** Decodes a body as PROTOCOL.md's "Content types" says: JSON, msgpack, or msgpack-then-JSON. */
function readBody(body: Buffer, json: boolean, lenient: boolean): unknown {
  if (json) return JSON.parse(body.toString('utf8')) as unknown;
  try {
    return decode(body);
  } catch (e) {
    if (!lenient) throw e;
    return JSON.parse(body.toString('utf8')) as unknown;
  }
}
