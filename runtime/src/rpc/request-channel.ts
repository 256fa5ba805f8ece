import { randomBytes } from 'node:crypto';
import type { Channel, ConsumeMessage, Message, Options } from 'amqplib';
import type { BrokerConnection, ReadyHandler } from '../broker/connection.js';
import { encodeBody, MSGPACK } from '../codec/codec.js';
import type { ContentType } from '../codec/codec.js';
import { KaelError, RemoteError } from '../errors.js';
import type { Logger } from '../util/logger.js';
import { withTraceHeaders } from '../tracing/trace-headers.js';
import { readEnvelope, waitDrain } from './envelope.js';
import type { ReplyEnvelope } from './envelope.js';

/** RabbitMQ's pseudo-queue for direct reply-to. */
export const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

/** Options of one request. */
export interface RequestOptions {
  /** How long to wait for replies; also the message expiration, so a stale request is never executed. */
  timeoutMs: number;
  /** Fail at once with SERVICE_NOT_FOUND when no queue takes the message. @default true */
  mandatory?: boolean;
  headers?: Record<string, unknown>;
  /** @default 'application/msgpack' */
  contentType?: ContentType;
  /** Label used in error messages (the service or command name). */
  label?: string;
}

/**
 * Called for each reply of a request. Return true when no more replies are wanted (the request is
 * then forgotten); a fan-out command returns false until every targeted frame has answered.
 */
export type ReplyHandler = (envelope: ReplyEnvelope, msg: Message) => boolean;

interface Pending {
  onReply: ReplyHandler;
  onEnd: (error: KaelError | undefined) => void;
  /** Epoch ms after which the request times out. */
  deadline: number;
  timeoutMs: number;
  label: string;
}

/** How often timeouts are checked: one sweep for all requests instead of a timer per call. */
const SWEEP_MS = 20;

/** A request in flight; `done` settles when it ends (all replies, timeout, return, or loss). */
export interface RequestHandle {
  correlationId: string;
  /** Resolves when the handler said it is done; rejects with RPC_TIMEOUT, SERVICE_NOT_FOUND or BROKER_UNAVAILABLE. */
  done: Promise<void>;
  /** Stops listening for replies. */
  cancel(): void;
}

/**
 * The client side of kael's request/reply: one channel whose direct reply-to consumer is set up
 * before anything is published, re-created after every reconnect.
 *
 * One-shot calls use {@link call}. Fan-out (one request, a reply from each frame) uses
 * {@link request} with a handler that returns false until the last expected reply arrived.
 */
export class RequestChannel {
  private channel: Channel | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly prefix = randomBytes(6).toString('hex');
  private counter = 0;
  private blocked: Promise<void> | undefined;
  private readonly ready: ReadyHandler = async (conn) => {
    const ch = await conn.createChannel();
    ch.on('error', (err: Error) => this.logger.warn('request channel error', { error: err.message }));
    ch.on('return', (msg: Message) => this.onReturn(msg));
    ch.on('close', () => {
      if (this.channel !== ch) return;
      this.channel = undefined;
      this.failAll(new KaelError('BROKER_UNAVAILABLE', 'the reply channel closed before the reply arrived'));
      // A channel-level error (the connection lives on) would otherwise leave the client without a
      // reply channel until the next reconnect.
      const live = this.broker.current;
      if (!this.closed && live === conn) {
        setTimeout(() => {
          if (!this.closed && this.broker.current === conn)
            this.ready(conn).catch((e: unknown) =>
              this.logger.warn('cannot reopen the reply channel', { error: (e as Error).message }),
            );
        }, 100).unref();
      }
    });
    await ch.consume(DIRECT_REPLY_TO, (msg) => this.onReply(msg), { noAck: true });
    this.channel = ch;
  };

  constructor(
    private readonly broker: BrokerConnection,
    private readonly logger: Logger,
  ) {}

  /** Opens the channel (and again after every reconnect). */
  async start(): Promise<void> {
    await this.broker.onReady(this.ready);
  }

  /**
   * Sends one request and resolves with the value of its single reply.
   * @throws KaelError `SERVICE_NOT_FOUND` | `RPC_TIMEOUT` | `BROKER_UNAVAILABLE` | `ENCODE_ERROR`; RemoteError with the remote code.
   */
  async call(
    exchange: string,
    routingKey: string,
    value: unknown,
    options: RequestOptions,
  ): Promise<unknown> {
    const ch = this.channel;
    // Fast path (connected, not blocked): one promise per call, settled straight from the reply.
    if (ch !== undefined && this.blocked === undefined) {
      return new Promise((resolve, reject) => {
        const onReply: ReplyHandler = (env) => {
          if (env.ok) resolve(env.value);
          else reject(new RemoteError(env.error, remoteCode(env.error.code)));
          return true;
        };
        try {
          this.publishRequest(
            ch,
            exchange,
            routingKey,
            value,
            options,
            onReply,
            (error) => error !== undefined && reject(error),
          );
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
    }
    let result: ReplyEnvelope | undefined;
    const handle = await this.request(exchange, routingKey, value, options, (env) => {
      result = env;
      return true;
    });
    await handle.done;
    if (result === undefined)
      throw new KaelError('RPC_TIMEOUT', `no reply from ${options.label ?? routingKey}`);
    if (!result.ok) throw new RemoteError(result.error, remoteCode(result.error.code));
    return result.value;
  }

  /** Publishes a request whose replies go to `onReply`. */
  async request(
    exchange: string,
    routingKey: string,
    value: unknown,
    options: RequestOptions,
    onReply: ReplyHandler,
  ): Promise<RequestHandle> {
    const ch = this.channel ?? (await this.waitChannel(options.timeoutMs));
    if (this.blocked !== undefined) await this.blocked;
    let settle!: (error: KaelError | undefined) => void;
    const done = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    const correlationId = this.publishRequest(ch, exchange, routingKey, value, options, onReply, (error) =>
      settle(error),
    );
    return { correlationId, done, cancel: () => this.end(correlationId, undefined) };
  }

  /** Encodes, registers and publishes one request. @throws KaelError `ENCODE_ERROR` */
  private publishRequest(
    ch: Channel,
    exchange: string,
    routingKey: string,
    value: unknown,
    options: RequestOptions,
    onReply: ReplyHandler,
    onEnd: Pending['onEnd'],
  ): string {
    const contentType = options.contentType ?? MSGPACK;
    const body = encodeBody(value, contentType);
    const correlationId = `${this.prefix}.${(this.counter++).toString(36)}`;
    this.pending.set(correlationId, {
      onReply,
      onEnd,
      deadline: Date.now() + options.timeoutMs,
      timeoutMs: options.timeoutMs,
      label: options.label ?? routingKey,
    });
    this.startSweeper();
    // The expiration alone keeps stale requests from running: RabbitMQ keeps a message's original
    // expiry when it is requeued. No per-call headers: encoding a header table costs throughput.
    const props: Options.Publish = {
      correlationId,
      replyTo: DIRECT_REPLY_TO,
      contentType,
      expiration: expirationOf(options.timeoutMs),
      mandatory: options.mandatory ?? true,
    };
    const headers = withTraceHeaders(options.headers);
    if (headers !== undefined) props.headers = headers;
    if (!ch.publish(exchange, routingKey, body, props)) {
      this.blocked ??= waitDrain(ch).finally(() => {
        this.blocked = undefined;
      });
    }
    return correlationId;
  }

  private closed = false;

  /** Fails every request in flight and stops. */
  async close(): Promise<void> {
    this.closed = true;
    this.broker.offReady(this.ready);
    this.failAll(new KaelError('CLIENT_CLOSED', 'the client was closed'));
    const ch = this.channel;
    this.channel = undefined;
    if (ch !== undefined) await ch.close().catch(() => undefined);
  }

  private onReply(msg: ConsumeMessage | null): void {
    if (msg === null) return;
    const id = msg.properties.correlationId as string | undefined;
    const p = id === undefined ? undefined : this.pending.get(id);
    if (p === undefined || id === undefined) return;
    let envelope: ReplyEnvelope;
    try {
      envelope = readEnvelope(msg);
    } catch (e) {
      envelope = {
        ok: false,
        error: { code: 'DECODE_ERROR', name: 'KaelError', message: (e as Error).message },
      };
    }
    let finished = true;
    try {
      finished = p.onReply(envelope, msg);
    } catch (e) {
      this.logger.error('reply handler threw', { error: (e as Error).message });
    }
    if (finished) this.end(id, undefined);
  }

  private onReturn(msg: Message): void {
    const id = msg.properties.correlationId as string | undefined;
    const p = id === undefined ? undefined : this.pending.get(id);
    if (p === undefined || id === undefined) return;
    this.end(
      id,
      new KaelError(
        'SERVICE_NOT_FOUND',
        `${p.label}: no frame serves it (nothing is bound to ${msg.fields.routingKey})`,
      ),
    );
  }

  private end(id: string, error: KaelError | undefined): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    p.onEnd(error);
    if (this.pending.size === 0 && this.sweeper !== undefined) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private sweeper: NodeJS.Timeout | undefined;

  private startSweeper(): void {
    if (this.sweeper !== undefined) return;
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const [id, p] of this.pending) {
        if (p.deadline <= now)
          this.end(id, new KaelError('RPC_TIMEOUT', `${p.label}: no reply within ${p.timeoutMs} ms`));
      }
    }, SWEEP_MS);
  }

  private failAll(error: KaelError): void {
    for (const id of [...this.pending.keys()]) this.end(id, error);
  }

  private async waitChannel(timeoutMs: number): Promise<Channel> {
    const deadline = Date.now() + timeoutMs;
    while (this.channel === undefined) {
      if (Date.now() >= deadline) throw new KaelError('BROKER_UNAVAILABLE', 'no broker connection');
      await Promise.race([
        this.broker.ready(),
        new Promise((r) => setTimeout(r, Math.min(100, deadline - Date.now()))),
      ]);
      await new Promise((r) => setImmediate(r));
    }
    return this.channel;
  }
}

function remoteCode(
  code: string,
):
  | 'REMOTE_ERROR'
  | 'INVALID_ARGS'
  | 'ENCODE_ERROR'
  | 'DECODE_ERROR'
  | 'COMMAND_UNKNOWN'
  | 'UNAUTHORIZED'
  | 'WORKER_CRASHED' {
  switch (code) {
    case 'WORKER_CRASHED':
    case 'INVALID_ARGS':
    case 'ENCODE_ERROR':
    case 'DECODE_ERROR':
    case 'COMMAND_UNKNOWN':
    case 'UNAUTHORIZED':
      return code;
    default:
      return 'REMOTE_ERROR';
  }
}

const expirations = new Map<number, string>();

/** The AMQP expiration property for a timeout (cached: most calls share a few timeouts). */
function expirationOf(timeoutMs: number): string {
  let e = expirations.get(timeoutMs);
  if (e === undefined) {
    e = String(Math.max(1, Math.ceil(timeoutMs)));
    if (expirations.size < 1000) expirations.set(timeoutMs, e);
  }
  return e;
}
