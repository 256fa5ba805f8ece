import { BrokerConnection } from '../broker/connection.js';
import { names } from '../broker/names.js';
import { JSON_TYPE, MSGPACK } from '../codec/codec.js';
import { KaelError, RemoteError } from '../errors.js';
import type { ErrorData } from '../errors.js';
import { DEFAULT_MESSAGE_LIMITS } from '../model/message-limits.js';
import { ConsumerWatch } from '../rpc/consumer-watch.js';
import { replyErrorCode } from '../rpc/reply-error-code.js';
import { checkLimitOption, checkTimeout } from '../rpc/request-checks.js';
import type { ConnectionLossPolicy } from '../rpc/request-channel.js';
import { SERVICE_HEADER } from '../rpc/service-queue.js';
import { resolveAuri } from '../broker/broker-urls.js';
import { readAdminKey } from '../security/admin-key.js';
import { ensureExchange, mayPublishToDefaultExchange } from '../security/ensure-exchange.js';
import type { Logger } from '../util/logger.js';
import { createLogger } from '../util/logger.js';
import { ClusterClient } from './cluster-client.js';

/** The default exchange: it routes a message to the queue named by its routing key. */
const DEFAULT_EXCHANGE = '';

/** Options of {@link connectClient}. */
export interface ClientOptions {
  /** Namespace to talk to. @default process.env.KAEL_NAME */
  name?: string | undefined;
  /**
   * RabbitMQ URL, or the URLs of a cluster's nodes (an array, or comma-separated): the client connects
   * to one of them, in random order, and moves to another when it is lost.
   * @default process.env.KAEL_AURI (comma-separated) ?? 'amqp://guest:guest@127.0.0.1:5672'
   */
  auri?: string | readonly string[] | undefined;
  /**
   * Default call timeout in milliseconds: 1 to 4294967295 (the broker's expiration range).
   * @default 30000
   */
  timeoutMs?: number;
  /**
   * Largest encoded request body in bytes: a larger call fails with REQUEST_TOO_LARGE before
   * anything is published. Keep it at or under the frames' `maxRequestBytes`.
   * @default 16777216 (16 MiB, DEFAULT_MESSAGE_LIMITS.maxRequestBytes)
   */
  maxRequestBytes?: number;
  /** The default of {@link CallOptions.retry} for every call of this client. @default false */
  retry?: boolean;
  /**
   * How long (ms) a service queue must be seen without consumer before calls to it fail with
   * SERVICE_NOT_FOUND, instead of waiting in a queue no live frame reads. A frame with one worker
   * process leaves its queues without consumer while it replaces a crashed worker: raise this to let
   * calls wait for the replacement; `Infinity` turns the check off (calls wait until their timeout).
   * @default 30
   */
  serviceGoneAfterMs?: number;
  /**
   * Longest wait between two reconnect attempts while the broker is down, so calls work again soon
   * after it is back.
   * @default 500
   */
  reconnectMaxDelayMs?: number;
  /** Key that signs changing management commands (empty: none). @default process.env.KAEL_ADMIN_KEY */
  adminKey?: string | undefined;
  /** File holding the admin key. @default process.env.KAEL_ADMIN_KEY_FILE */
  adminKeyFile?: string | undefined;
  /** Where the client logs (reconnects, view changes). @default createLogger('client'): stderr */
  logger?: Logger;
  /**
   * Take replies through RabbitMQ's direct reply-to only, never an exclusive reply queue of the
   * client's own (which needs `configure` permission on `amq.gen-.*` names; without it the client
   * takes direct reply-to by itself, after one declaration the broker refuses).
   * @default false
   */
  directReplyTo?: boolean;
}

/** Options of one call. */
export interface CallOptions {
  /**
   * Milliseconds to wait for the answer, 1 to 4294967295 (the broker's expiration range; others fail
   * with OPTION_INVALID before publishing). It is also the request's expiration.
   * @default the client's timeoutMs (30000)
   */
  timeoutMs?: number;
  /** @deprecated use `timeoutMs` (same meaning, milliseconds). */
  timeout?: number;
  /** Keyword arguments (the seed's `**kwargs`). @default {} */
  kwargs?: Record<string, unknown>;
  /** Send JSON instead of msgpack. @default false */
  json?: boolean;
  /**
   * Pin the call to this frame id: only that frame's workers may answer (no load balancing, no
   * redelivery to another frame). @default undefined (any frame serving the service answers)
   */
  frame?: string;
  /**
   * What the call does when the broker connection is down, or drops before the reply: `false` fails
   * at once with CONNECTION_LOST; `true` waits for the connection (one wait shared by all calls, no
   * timer per call) and publishes the request again, until `timeoutMs`; a SERVICE_NOT_FOUND in the
   * first 10 s after a reconnect (frames declaring their queues again) is retried too. A retried
   * call may run twice (the first copy may have reached a worker before the loss): ask for it for
   * idempotent functions.
   * @default the client's retry (false)
   */
  retry?: boolean;
}

/** What {@link FrameClient.callDetailed} tells about one call. */
export interface CallOutcome {
  /** The function's value, or the error it threw (as the remote side reported it). */
  reply: { ok: true; value: unknown } | { ok: false; error: ErrorData };
  /** The id of the frame whose worker answered (undefined for peers that do not say). */
  frame: string | undefined;
  /** Round trip as the caller measured it. */
  durationMs: number;
  /** True when the call was pinned to one frame. */
  pinned: boolean;
}

// Shared defaults of a call: never mutated, so one object serves every call.
const NO_OPTIONS: CallOptions = Object.freeze({});
const NO_KWARGS: Record<string, unknown> = Object.freeze({});

/**
 * A client of a namespace: calls microservices and (inherited) runs management commands. It starts
 * no services. Get one with `await WorkFrame.connect({ name, auri })`.
 * @example
 * const client = await WorkFrame.connect({ name: 'test' });
 * await client.calculate__add(1, 2); // 3
 * await client.call('calculate__add', [1, 2], { timeoutMs: 5000 });
 * await client.close();
 */
export class FrameClient extends ClusterClient {
  private readonly timeoutMs: number;
  private readonly maxRequestBytes: number;
  private readonly retry: boolean;
  private readonly queues = new Map<string, string>();
  private readonly callExchange: string;
  /**
   * Where calls are published: the default exchange when this broker user may write to it (it reaches
   * the same queues, and the broker routes through it ≈ 10–15 µs sooner per call than through the
   * call exchange's bindings), else `kael.<ns>.call`. Asked again at every connection.
   */
  private callTarget: string;
  private readonly consumers: ConsumerWatch;

  /** @throws KaelError `OPTION_INVALID` for a timeout or size limit out of range. */
  constructor(
    broker: BrokerConnection,
    namespace: string,
    logger: Logger,
    options: Pick<
      ClientOptions,
      'timeoutMs' | 'adminKey' | 'maxRequestBytes' | 'retry' | 'serviceGoneAfterMs' | 'directReplyTo'
    > = {},
  ) {
    super(broker, namespace, logger, { adminKey: options.adminKey, directReplyTo: options.directReplyTo });
    this.timeoutMs = options.timeoutMs ?? 30_000;
    checkTimeout(this.timeoutMs, 'timeoutMs');
    this.maxRequestBytes = checkLimitOption(
      'maxRequestBytes',
      options.maxRequestBytes ?? DEFAULT_MESSAGE_LIMITS.maxRequestBytes,
    );
    this.retry = options.retry ?? false;
    const goneAfterMs = options.serviceGoneAfterMs ?? 30;
    if (!(goneAfterMs >= 0))
      throw new KaelError(
        'OPTION_INVALID',
        `serviceGoneAfterMs must be 0 or more (got ${String(goneAfterMs)})`,
        {
          details: { option: 'serviceGoneAfterMs', value: String(goneAfterMs) },
        },
      );
    this.consumers = new ConsumerWatch(broker, logger, goneAfterMs);
    this.requests.watchConsumers(this.consumers);
    this.callExchange = names.callExchange(namespace);
    this.callTarget = this.callExchange;
  }

  /**
   * Opens the reply channel, after choosing where calls are published and, for the call exchange,
   * making sure it exists (again after every reconnect).
   */
  override async open(): Promise<void> {
    await this.broker.onReady(async (conn) => {
      if (await mayPublishToDefaultExchange(conn, this.logger)) {
        this.callTarget = DEFAULT_EXCHANGE;
        return;
      }
      this.callTarget = this.callExchange;
      await ensureExchange(conn, this.callExchange, 'direct', this.logger);
    });
    await super.open();
  }

  /**
   * Calls a microservice and returns its result.
   * @throws KaelError `SERVICE_NOT_FOUND` (no live frame serves it: at once, or when its last
   * consumer leaves while the call waits), `RPC_TIMEOUT`, `REQUEST_TOO_LARGE`, `OPTION_INVALID`,
   * `ENCODE_ERROR`, `CONNECTION_LOST`, `CLIENT_CLOSED`; RemoteError `REMOTE_ERROR` (the function
   * threw; `remote` has name, message, stack), `INVALID_ARGS`, `REPLY_TOO_LARGE`, `WORKER_CRASHED`.
   */
  call(service: string, args: readonly unknown[] = [], options: CallOptions = NO_OPTIONS): Promise<unknown> {
    // Not an async function: the request's own promise is returned as it is (an async wrapper costs
    // an extra promise and microtask turns per call); what throws here still becomes a rejection.
    try {
      if (options.frame !== undefined) return this.callPinned(service, args, options);
      const timeoutMs = options.timeoutMs ?? options.timeout ?? this.timeoutMs;
      let queue = this.queues.get(service);
      if (queue === undefined) {
        queue = names.serviceQueue(this.namespace, service);
        this.queues.set(service, queue);
      }
      return this.requests.call(this.callTarget, queue, [args, options.kwargs ?? NO_KWARGS], {
        timeoutMs,
        label: service,
        contentType: options.json === true ? JSON_TYPE : MSGPACK,
        maxBytes: this.maxRequestBytes,
        onConnectionLoss: this.lossPolicy(options),
        watchQueue: queue,
      });
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private async callPinned(
    service: string,
    args: readonly unknown[],
    options: CallOptions,
  ): Promise<unknown> {
    const { reply } = await this.callDetailed(service, args, options);
    if (!reply.ok) throw new RemoteError(reply.error, replyErrorCode(reply.error.code));
    return reply.value;
  }

  /**
   * Calls a microservice and tells who answered and how long it took; an error the function threw
   * is returned in `reply`, not thrown (tools show both the same way).
   * @throws KaelError `SERVICE_NOT_FOUND` (no live frame serves it, or the pinned frame is gone or does
   * not serve it), `RPC_TIMEOUT`, `REQUEST_TOO_LARGE`, `OPTION_INVALID`, `ENCODE_ERROR`,
   * `CONNECTION_LOST`, `CLIENT_CLOSED`.
   */
  async callDetailed(
    service: string,
    args: readonly unknown[] = [],
    options: CallOptions = {},
  ): Promise<CallOutcome> {
    const timeoutMs = options.timeoutMs ?? options.timeout ?? this.timeoutMs;
    const pinned = options.frame !== undefined;
    const started = performance.now();
    let reply: CallOutcome['reply'] | undefined;
    let frame: string | undefined;
    const queue = pinned
      ? names.frameCalls(this.namespace, options.frame ?? '')
      : names.serviceQueue(this.namespace, service);
    const handle = await this.requests.request(
      this.callTarget,
      queue,
      [args, options.kwargs ?? {}],
      {
        timeoutMs,
        label: pinned ? `${service} on frame ${options.frame ?? ''}` : service,
        contentType: options.json === true ? JSON_TYPE : MSGPACK,
        maxBytes: this.maxRequestBytes,
        onConnectionLoss: this.lossPolicy(options),
        // A pinned call's queue is auto-delete: a gone frame makes it unroutable, no watch needed.
        ...(pinned ? { headers: { [SERVICE_HEADER]: service } } : { watchQueue: queue }),
      },
      (envelope, msg) => {
        reply = envelope;
        frame = msg.properties.appId as string | undefined;
        return true;
      },
    );
    await handle.done;
    const durationMs = Math.round((performance.now() - started) * 10) / 10;
    if (reply === undefined)
      throw new KaelError('RPC_TIMEOUT', `${service}: no reply within ${timeoutMs} ms`);
    // A pinned frame that does not serve the service says so in its reply.
    if (!reply.ok && reply.error.code === 'SERVICE_NOT_FOUND')
      throw new KaelError('SERVICE_NOT_FOUND', reply.error.message, { details: { frame } });
    return { reply, frame, durationMs, pinned };
  }

  /** Closes the management half, the reply channel and the connection. */
  override async close(): Promise<void> {
    await super.close();
    await this.consumers.close();
    await this.broker.close();
  }

  private lossPolicy(options: CallOptions): ConnectionLossPolicy {
    return (options.retry ?? this.retry) ? 'resend' : 'fail';
  }
}

/**
 * A client whose `<base>__<fn>` properties are service calls: `client.calculate__add(1, 2)`.
 * `S` describes the services for TypeScript callers, e.g.
 * `{ calculate__add(a: number, b: number): Promise<number> }`; JavaScript callers need nothing.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type ServiceProxy<S extends object = {}> = FrameClient & S;

/**
 * Connects a client to a namespace.
 * @throws KaelError `BROKER_UNAVAILABLE` when no broker node can be reached; `USAGE` without a namespace;
 * `OPTION_INVALID` for a timeout, size limit or wait out of range;
 * `CONFIG_INVALID` when `auri` (or KAEL_AURI) is not a list of amqp URLs; ConfigError `CONFIG_INVALID`
 * when the admin key file cannot be read.
 */
export async function connectClient<S extends object = Record<never, never>>(
  options: ClientOptions = {},
): Promise<ServiceProxy<S>> {
  const name = options.name ?? process.env['KAEL_NAME'];
  if (name === undefined || name === '')
    throw new KaelError('USAGE', 'a client needs a namespace: pass name or set KAEL_NAME');
  const logger =
    options.logger ??
    createLogger('client', process.env['KAEL_LOG_LEVEL'] === undefined ? 'warn' : undefined);
  const auri = resolveAuri(options.auri);
  const adminKey = readAdminKey({ key: options.adminKey, keyFile: options.adminKeyFile })?.key;
  const broker = new BrokerConnection({
    url: auri,
    connectionName: `kael-client:${name}`,
    failFast: true,
    maxBackoffMs: options.reconnectMaxDelayMs ?? 500,
    logger,
  });
  const client = new FrameClient(broker, name, logger, {
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.maxRequestBytes === undefined ? {} : { maxRequestBytes: options.maxRequestBytes }),
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.serviceGoneAfterMs === undefined ? {} : { serviceGoneAfterMs: options.serviceGoneAfterMs }),
    ...(options.directReplyTo === undefined ? {} : { directReplyTo: options.directReplyTo }),
    adminKey,
  });
  await broker.start();
  await client.open();
  const callers = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  // Called through the proxy, `call` would run with the proxy as `this` and every field it reads
  // would pass the trap (about 0.3 µs a call): it is handed out bound to the client itself.
  const call = client.call.bind(client);
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'call') return call;
      if (typeof prop === 'string' && prop.includes('__') && !(prop in target)) {
        let caller = callers.get(prop);
        if (caller === undefined) {
          caller = (...args: unknown[]) => target.call(prop, args);
          callers.set(prop, caller);
        }
        return caller;
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  }) as ServiceProxy<S>;
}
