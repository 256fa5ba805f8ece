import { randomBytes } from 'node:crypto';
import type { Channel, ChannelModel, ConsumeMessage, Message, Options } from 'amqplib';
import type { BrokerConnection, ReadyHandler } from '../broker/connection.js';
import { encodeBody, MSGPACK } from '../codec/codec.js';
import type { ContentType } from '../codec/codec.js';
import { KaelError, RemoteError } from '../errors.js';
import type { Logger } from '../util/logger.js';
import { withTraceHeaders } from '../tracing/trace-headers.js';
import type { ConsumerWatch } from './consumer-watch.js';
import { readEnvelope } from './envelope.js';
import type { ReplyEnvelope } from './envelope.js';
import { replyErrorCode } from './reply-error-code.js';
import { checkRequestSize, checkTimeout } from './request-checks.js';
import { REPLY_CODE, replyCodeOf } from '../broker/reply-codes.js';

/** RabbitMQ's pseudo-queue for direct reply-to. */
const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

/** Options of a {@link RequestChannel}. */
export interface RequestChannelOptions {
  /**
   * Take replies through RabbitMQ's direct reply-to only. Otherwise replies come to an exclusive
   * queue the broker names for this client (`amq.gen-…`, needing `configure` permission on such
   * names): on a 2-core VM a call is answered ≈ 40 µs (7 %) sooner than through direct reply-to. An
   * account without that permission gets direct reply-to after one refused declaration.
   * @default false
   */
  directReplyTo?: boolean;
}

/**
 * What a request does when the broker connection is down when it starts, or drops before its reply:
 * `fail` fails at once with CONNECTION_LOST; `wait` waits for the connection before publishing (until
 * its timeout) but fails once published; `resend` also publishes again a request that was already
 * sent (it may then run twice).
 */
export type ConnectionLossPolicy = 'fail' | 'wait' | 'resend';

/** Options of one request. */
export interface RequestOptions {
  /** How long to wait for replies; also the message expiration, so a stale request is never executed. */
  timeoutMs: number;
  /** Fail at once with SERVICE_NOT_FOUND when no queue takes the message. @default true */
  mandatory?: boolean;
  /** AMQP headers of the request (trace context, call metadata). @default none */
  headers?: Record<string, unknown>;
  /** @default 'application/msgpack' */
  contentType?: ContentType;
  /** Label used in error messages (the service or command name). @default the routing key */
  label?: string;
  /** Largest encoded body in bytes; a larger one fails with REQUEST_TOO_LARGE before publishing. @default no limit */
  maxBytes?: number;
  /** @default 'wait' */
  onConnectionLoss?: ConnectionLossPolicy;
  /**
   * The service queue the request goes to: with a {@link ConsumerWatch}, the request fails with
   * SERVICE_NOT_FOUND when that queue has no consumer. @default none (not watched)
   */
  watchQueue?: string;
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
  exchange: string;
  routingKey: string;
  /** The body and properties until published (kept after publishing only for `resend`). */
  body: Buffer | undefined;
  props: Options.Publish;
  policy: ConnectionLossPolicy;
  watchQueue: string | undefined;
  /** Epoch ms of the last publish; 0 while not published on the current channel. */
  sentAt: number;
  /** True once published at least once. */
  published: boolean;
  /** Epoch ms at which a `resend` request refused as SERVICE_NOT_FOUND after a reconnect is tried again. */
  retryAt: number;
}

/** How often timeouts are checked: one sweep for all requests instead of a timer per call. */
const SWEEP_MS = 20;
/** First wait before reopening a reply channel the broker closed; doubles up to {@link MAX_REOPEN_MS}. */
const INITIAL_REOPEN_MS = 50;
const MAX_REOPEN_MS = 5000;
/**
 * After a reconnect, frames need a moment to declare their queues again (a restarted broker lost
 * them): a `resend` request refused as SERVICE_NOT_FOUND this soon after is tried again, every
 * {@link RESEND_EVERY_MS}, until its timeout.
 */
const RESEND_WINDOW_MS = 10_000;
const RESEND_EVERY_MS = 200;

/** A request in flight; `done` settles when it ends (all replies, timeout, return, or loss). */
export interface RequestHandle {
  correlationId: string;
  /**
   * Resolves when the handler said it is done; rejects with RPC_TIMEOUT, SERVICE_NOT_FOUND,
   * CONNECTION_LOST, REQUEST_TOO_LARGE, OPTION_INVALID or ENCODE_ERROR.
   */
  done: Promise<void>;
  /** Stops listening for replies. */
  cancel(): void;
}

/**
 * The client side of kael's request/reply: one channel for requests whose reply consumer (on an
 * exclusive reply queue of its own channel, or direct reply-to on the request channel; see
 * {@link RequestChannelOptions.directReplyTo}) is set up before anything is published, re-created
 * after every reconnect and reopened (with backoff) when the broker closes either channel.
 *
 * Nothing a single request carries can close the shared channel: bodies over the limit and timeouts
 * outside the broker's expiration range are refused before publishing, and a publish on a channel
 * that is going away fails that request with CONNECTION_LOST instead of throwing amqplib's error.
 * While the connection is down there is no per-request timer or listener: waiting requests sit in one
 * queue that is flushed when the channel is back, and one sweep times them all out.
 *
 * One-shot calls use {@link call}. Fan-out (one request, a reply from each frame) uses
 * {@link request} with a handler that returns false until the last expected reply arrived.
 */
export class RequestChannel {
  private channel: Channel | undefined;
  /** The channel consuming the reply queue (undefined with direct reply-to). */
  private replyChannel: Channel | undefined;
  /** Where replies to requests published on {@link channel} go. */
  private replyTo = DIRECT_REPLY_TO;
  /** True once the broker refused this client a reply queue: direct reply-to from then on. */
  private replyQueueRefused: boolean;
  private readonly pending = new Map<string, Pending>();
  /** Requests waiting for a channel (or for 'drain'), in order. */
  private readonly unsent = new Set<string>();
  private readonly prefix = randomBytes(6).toString('hex');
  private counter = 0;
  private blocked = false;
  private closed = false;
  private reopenDelayMs = INITIAL_REOPEN_MS;
  /** Epoch ms at which a channel was opened again after a loss (0: never lost). */
  private reopenedAt = 0;
  private lostOnce = false;
  private reopenTimer: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private watch: ConsumerWatch | undefined;
  private readonly ready: ReadyHandler = (conn) => this.open(conn);
  private readonly onLost = (): void => {
    const ch = this.channel;
    if (ch !== undefined) this.onChannelLost(ch, undefined);
  };

  constructor(
    private readonly broker: BrokerConnection,
    private readonly logger: Logger,
    options: RequestChannelOptions = {},
  ) {
    this.replyQueueRefused = options.directReplyTo === true;
  }

  /** Opens the channel (and again after every reconnect). */
  async start(): Promise<void> {
    this.broker.on('lost', this.onLost);
    await this.broker.onReady(this.ready);
  }

  /** Lets requests with a `watchQueue` fail with SERVICE_NOT_FOUND when their queue has no consumer. */
  watchConsumers(watch: ConsumerWatch): void {
    this.watch = watch;
    watch.onGone = () => this.sweep();
  }

  /** Requests waiting for a reply or for a channel (tests and diagnostics). */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Sends one request and resolves with the value of its single reply.
   * @throws KaelError `SERVICE_NOT_FOUND` | `RPC_TIMEOUT` | `CONNECTION_LOST` | `ENCODE_ERROR` |
   * `REQUEST_TOO_LARGE` | `OPTION_INVALID` | `CLIENT_CLOSED`; RemoteError with the remote code.
   */
  call(exchange: string, routingKey: string, value: unknown, options: RequestOptions): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const onReply: ReplyHandler = (env) => {
        if (env.ok) resolve(env.value);
        else reject(new RemoteError(env.error, replyErrorCode(env.error.code)));
        return true;
      };
      try {
        this.submit(
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

  /**
   * Publishes a request whose replies go to `onReply`.
   * @throws KaelError `ENCODE_ERROR` | `REQUEST_TOO_LARGE` | `OPTION_INVALID` | `CLIENT_CLOSED`
   * (nothing was published); later failures reject `done`.
   */
  request(
    exchange: string,
    routingKey: string,
    value: unknown,
    options: RequestOptions,
    onReply: ReplyHandler,
  ): Promise<RequestHandle> {
    let settle!: (error: KaelError | undefined) => void;
    const done = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    try {
      const correlationId = this.submit(exchange, routingKey, value, options, onReply, (error) =>
        settle(error),
      );
      return Promise.resolve({ correlationId, done, cancel: () => this.end(correlationId, undefined) });
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** Fails every request in flight and stops. */
  async close(): Promise<void> {
    this.closed = true;
    this.broker.off('lost', this.onLost);
    this.broker.offReady(this.ready);
    if (this.reopenTimer !== undefined) clearTimeout(this.reopenTimer);
    this.failAll(new KaelError('CLIENT_CLOSED', 'the client was closed'));
    this.stopSweeper();
    const channels = [this.channel, this.replyChannel];
    this.channel = undefined;
    this.replyChannel = undefined;
    await this.closeAll(channels);
  }

  private async closeAll(channels: readonly (Channel | undefined)[]): Promise<void> {
    await Promise.all(channels.filter((c) => c !== undefined).map((c) => this.closeQuietly(c)));
  }

  private async closeQuietly(ch: Channel): Promise<void> {
    try {
      await ch.close();
    } catch (e) {
      // The connection went first and took the channel with it, or the broker closed it already.
      this.logger.debug('request channel close failed', { error: (e as Error).message });
    }
  }

  /** Checks, encodes and registers one request, then publishes it (now, or when a channel is ready). */
  private submit(
    exchange: string,
    routingKey: string,
    value: unknown,
    options: RequestOptions,
    onReply: ReplyHandler,
    onEnd: Pending['onEnd'],
  ): string {
    const label = options.label ?? routingKey;
    if (this.closed) throw new KaelError('CLIENT_CLOSED', `${label}: the client was closed`);
    checkTimeout(options.timeoutMs, label);
    const contentType = options.contentType ?? MSGPACK;
    const body = encodeBody(value, contentType);
    if (options.maxBytes !== undefined) checkRequestSize(body.length, options.maxBytes, label);
    const correlationId = `${this.prefix}.${(this.counter++).toString(36)}`;
    // The expiration alone keeps stale requests from running: RabbitMQ keeps a message's original
    // expiry when it is requeued. No per-call headers: encoding a header table costs throughput.
    const props: Options.Publish = {
      correlationId,
      // Set again when published: the reply queue of the channel it goes out on.
      replyTo: this.replyTo,
      contentType,
      expiration: expirationOf(options.timeoutMs),
      mandatory: options.mandatory ?? true,
    };
    const headers = withTraceHeaders(options.headers);
    if (headers !== undefined) props.headers = headers;
    const p: Pending = {
      onReply,
      onEnd,
      deadline: Date.now() + options.timeoutMs,
      timeoutMs: options.timeoutMs,
      label,
      exchange,
      routingKey,
      body,
      props,
      policy: options.onConnectionLoss ?? 'wait',
      watchQueue: options.watchQueue,
      sentAt: 0,
      retryAt: 0,
      published: false,
    };
    this.pending.set(correlationId, p);
    this.startSweeper();
    this.dispatch(correlationId, p);
    return correlationId;
  }

  /** Checks the service queue's consumers (when watched), then publishes or queues the request. */
  private dispatch(id: string, p: Pending): void {
    const watching =
      p.watchQueue === undefined ? undefined : this.watch?.beforePublish(p.watchQueue, p.label);
    if (watching === undefined) this.enqueue(id, p);
    else
      watching.then(
        () => {
          if (this.pending.get(id) === p) this.enqueue(id, p);
        },
        (e: unknown) => this.fail(id, p, asKaelError(e)),
      );
  }

  /**
   * Ends a request with `error`, unless it asked to be resent and the error is the SERVICE_NOT_FOUND
   * of a frame that has not declared its queues again since the reconnect: then it is tried again.
   */
  private fail(id: string, p: Pending, error: KaelError): void {
    const now = Date.now();
    if (
      error.code === 'SERVICE_NOT_FOUND' &&
      p.policy === 'resend' &&
      this.reopenedAt !== 0 &&
      now - this.reopenedAt < RESEND_WINDOW_MS &&
      p.deadline - now > RESEND_EVERY_MS &&
      this.pending.get(id) === p
    ) {
      p.sentAt = 0;
      p.retryAt = now + RESEND_EVERY_MS;
      return;
    }
    this.end(id, error);
  }

  /** Publishes now when the channel takes it, else queues it (or fails it when it must not wait). */
  private enqueue(id: string, p: Pending): void {
    if (this.channel !== undefined && !this.blocked && this.unsent.size === 0) this.send(id, p, this.channel);
    else if (this.channel === undefined && p.policy === 'fail') this.end(id, connectionLost(p.label, false));
    else this.unsent.add(id);
  }

  private send(id: string, p: Pending, ch: Channel): void {
    const body = p.body;
    if (body === undefined) return;
    // Sent again (after a loss, or refused after a reconnect): only the time left is its expiration.
    if (p.published) p.props.expiration = expirationOf(Math.max(1, p.deadline - Date.now()));
    p.published = true;
    p.sentAt = Date.now();
    p.props.replyTo = this.replyTo;
    if (p.policy !== 'resend') p.body = undefined;
    let accepted: boolean;
    try {
      accepted = ch.publish(p.exchange, p.routingKey, body, p.props);
    } catch (e) {
      // amqplib throws when the channel is already closing (a broker-side close not yet seen here).
      this.logger.debug('publish on a closing reply channel', { error: (e as Error).message });
      if (p.policy !== 'resend') p.body = body;
      p.sentAt = 0;
      this.unsent.add(id);
      this.onChannelLost(ch, undefined);
      return;
    }
    if (!accepted) this.blocked = true;
  }

  /** Publishes queued requests until the channel pushes back. */
  private flush(): void {
    for (const id of this.unsent) {
      const ch = this.channel;
      if (ch === undefined || this.blocked) return;
      this.unsent.delete(id);
      const p = this.pending.get(id);
      if (p !== undefined) this.send(id, p, ch);
    }
  }

  /** Opens the reply channel on `conn` and publishes what waited for it. */
  private async open(conn: ChannelModel): Promise<void> {
    const ch = await conn.createChannel();
    ch.on('error', (err: Error) => this.logger.warn('reply channel error', { error: err.message }));
    ch.on('return', (msg: Message) => this.onReturn(msg));
    ch.on('drain', () => {
      if (this.channel !== ch) return;
      this.blocked = false;
      this.flush();
    });
    ch.on('close', () => this.onChannelLost(ch, conn));
    let replies: Channel | undefined;
    try {
      replies = await this.openReplyQueue(conn, ch);
      if (replies === undefined) {
        await ch.consume(DIRECT_REPLY_TO, (msg) => this.onReply(msg), { noAck: true });
        this.replyTo = DIRECT_REPLY_TO;
      }
    } catch (e) {
      await this.closeQuietly(ch);
      throw e;
    }
    if (this.closed) {
      await this.closeAll([ch, replies]);
      return;
    }
    this.channel = ch;
    this.replyChannel = replies;
    this.blocked = false;
    this.reopenDelayMs = INITIAL_REOPEN_MS;
    if (this.lostOnce) this.reopenedAt = Date.now();
    this.flush();
  }

  /**
   * Declares and consumes an exclusive reply queue on a channel of its own, unless this client takes
   * direct reply-to; sets {@link replyTo} to it. Its loss counts as the loss of `requests`.
   * @returns its channel, or undefined for direct reply-to (the account may not declare the queue:
   * the broker closed the channel that asked, and the client does not ask again)
   */
  private async openReplyQueue(conn: ChannelModel, requests: Channel): Promise<Channel | undefined> {
    if (this.replyQueueRefused) return undefined;
    const ch = await conn.createChannel();
    ch.on('error', (err: Error) => this.logger.debug('reply queue channel error', { error: err.message }));
    try {
      const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
      // A consumer the broker cancels (the queue was deleted) gets no more replies: a lost channel.
      await ch.consume(
        queue,
        (msg) => (msg === null ? this.onChannelLost(requests, conn) : this.onReply(msg)),
        {
          noAck: true,
        },
      );
      ch.on('close', () => this.onChannelLost(requests, conn));
      this.replyTo = queue;
      return ch;
    } catch (e) {
      if (replyCodeOf(e) !== REPLY_CODE.ACCESS_REFUSED) {
        await this.closeQuietly(ch);
        throw e;
      }
      this.replyQueueRefused = true;
      this.logger.debug('no reply queue (the account may not declare one): replies use direct reply-to', {
        error: (e as Error).message,
      });
      return undefined;
    }
  }

  /**
   * A channel is gone (broker-side close of the request or the reply channel, or the connection
   * dropped): replies to what was sent on it can no longer arrive, so those requests fail with
   * CONNECTION_LOST or are sent again; the channels are reopened while the connection lives (after a
   * reconnect the ready handler does it).
   */
  private onChannelLost(ch: Channel, conn: ChannelModel | undefined): void {
    if (this.channel !== ch) return;
    this.channel = undefined;
    const replies = this.replyChannel;
    this.replyChannel = undefined;
    // The one left open would never be used again.
    if (conn !== undefined && this.broker.current === conn) void this.closeAll([ch, replies]);
    this.blocked = false;
    this.lostOnce = true;
    for (const [id, p] of this.pending) {
      if (p.sentAt === 0 && !this.unsent.has(id)) continue; // still being checked; enqueue decides
      if (p.policy === 'resend' || (p.sentAt === 0 && p.policy === 'wait')) {
        p.sentAt = 0;
        this.unsent.add(id);
      } else {
        this.unsent.delete(id);
        this.end(id, connectionLost(p.label, p.sentAt !== 0));
      }
    }
    if (conn !== undefined && !this.closed && this.broker.current === conn) this.scheduleReopen(conn);
  }

  private scheduleReopen(conn: ChannelModel): void {
    if (this.reopenTimer !== undefined) return;
    const delay = this.reopenDelayMs;
    this.reopenDelayMs = Math.min(MAX_REOPEN_MS, this.reopenDelayMs * 2);
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = undefined;
      if (this.closed || this.channel !== undefined || this.broker.current !== conn) return;
      this.open(conn).catch((e: unknown) => {
        this.logger.warn('cannot reopen the reply channel', {
          error: (e as Error).message,
          retry_ms: this.reopenDelayMs,
        });
        if (!this.closed && this.channel === undefined && this.broker.current === conn)
          this.scheduleReopen(conn);
      });
    }, delay);
    this.reopenTimer.unref();
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
    this.fail(
      id,
      p,
      new KaelError(
        'SERVICE_NOT_FOUND',
        `${p.label}: no frame serves it (nothing is bound to ${msg.fields.routingKey})`,
        { details: { reason: 'unroutable' } },
      ),
    );
  }

  private end(id: string, error: KaelError | undefined): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    this.unsent.delete(id);
    p.onEnd(error);
  }

  /**
   * Arms the sweep. A sweep that finds nothing pending stops it, not the end of the last request:
   * sequential calls would otherwise create and clear an interval timer per call.
   */
  private startSweeper(): void {
    if (this.sweeper !== undefined) return;
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
  }

  private stopSweeper(): void {
    if (this.sweeper === undefined) return;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** Times requests out, and fails those stranded in a service queue that lost its last consumer. */
  private sweep(): void {
    if (this.pending.size === 0) {
      this.stopSweeper();
      return;
    }
    const now = Date.now();
    const watch = this.watch;
    let gone: Map<string, [string, Pending][]> | undefined;
    for (const [id, p] of this.pending) {
      if (p.deadline <= now) {
        this.end(
          id,
          p.sentAt === 0 && this.channel === undefined
            ? new KaelError('CONNECTION_LOST', `${p.label}: no broker connection within ${p.timeoutMs} ms`)
            : new KaelError('RPC_TIMEOUT', `${p.label}: no reply within ${p.timeoutMs} ms`),
        );
      } else if (p.retryAt !== 0) {
        if (p.retryAt <= now) {
          p.retryAt = 0;
          this.dispatch(id, p);
        }
      } else if (watch !== undefined && p.watchQueue !== undefined && p.sentAt !== 0) {
        if (watch.goneSince(p.watchQueue, p.sentAt, now)) {
          gone ??= new Map();
          const calls = gone.get(p.watchQueue) ?? [];
          calls.push([id, p]);
          gone.set(p.watchQueue, calls);
        }
      }
    }
    if (gone === undefined || watch === undefined) return;
    for (const [queue, calls] of gone) {
      // The newest calls are the ones still queued; a draining frame holds the oldest.
      calls.sort((a, b) => b[1].sentAt - a[1].sentAt);
      for (const [id, p] of calls.slice(0, watch.stranded(queue)))
        this.fail(id, p, watch.notFound(queue, p.label, 'consumers-gone'));
    }
  }

  private failAll(error: KaelError): void {
    for (const id of [...this.pending.keys()]) this.end(id, error);
  }
}

function connectionLost(label: string, sent: boolean): KaelError {
  return new KaelError(
    'CONNECTION_LOST',
    sent
      ? `${label}: the broker connection (or the reply channel) was lost before the reply arrived (the request may have run; pass retry: true to send it again)`
      : `${label}: no broker connection (the client is reconnecting; pass retry: true to wait for it)`,
    { details: { sent } },
  );
}

function asKaelError(e: unknown): KaelError {
  if (e instanceof KaelError) return e;
  return new KaelError('CONNECTION_LOST', (e as Error).message, { cause: e });
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
