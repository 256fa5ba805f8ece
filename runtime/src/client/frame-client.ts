import { BrokerConnection } from '../broker/connection.js';
import { names } from '../broker/names.js';
import { JSON_TYPE, MSGPACK } from '../codec/codec.js';
import { KaelError } from '../errors.js';
import { DEFAULT_AURI } from '../broker/default-auri.js';
import { readAdminKey } from '../security/admin-key.js';
import { ensureExchange } from '../security/ensure-exchange.js';
import type { Logger } from '../util/logger.js';
import { createLogger } from '../util/logger.js';
import { ClusterClient } from './cluster-client.js';

/** Options of {@link connectClient}. */
export interface ClientOptions {
  /** Namespace to talk to. @default process.env.KAEL_NAME */
  name?: string | undefined;
  /** RabbitMQ URL. @default process.env.KAEL_AURI ?? 'amqp://guest:guest@127.0.0.1:5672' */
  auri?: string | undefined;
  /** Default call timeout. @default 30000 */
  timeoutMs?: number;
  /** Key that signs changing management commands (empty: none). @default process.env.KAEL_ADMIN_KEY */
  adminKey?: string | undefined;
  /** File holding the admin key. @default process.env.KAEL_ADMIN_KEY_FILE */
  adminKeyFile?: string | undefined;
  logger?: Logger;
}

/** Options of one call. */
export interface CallOptions {
  /** Milliseconds to wait for the answer. @default the client's timeoutMs (30000) */
  timeoutMs?: number;
  /** @deprecated use `timeoutMs` (same meaning, milliseconds). */
  timeout?: number;
  /** Keyword arguments (the seed's `**kwargs`). @default {} */
  kwargs?: Record<string, unknown>;
  /** Send JSON instead of msgpack. @default false */
  json?: boolean;
}

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
  private readonly queues = new Map<string, string>();
  private readonly callExchange: string;

  constructor(
    broker: BrokerConnection,
    namespace: string,
    logger: Logger,
    options: { timeoutMs?: number; adminKey?: string | undefined } = {},
  ) {
    super(broker, namespace, logger, { adminKey: options.adminKey });
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.callExchange = names.callExchange(namespace);
  }

  /** Opens the reply channel, after making sure the call exchange exists (again after every reconnect). */
  override async open(): Promise<void> {
    await this.broker.onReady(async (conn) => {
      await ensureExchange(conn, this.callExchange, 'direct', this.logger);
    });
    await super.open();
  }

  /**
   * Calls a microservice and returns its result.
   * @throws KaelError `SERVICE_NOT_FOUND` (at once), `RPC_TIMEOUT`, `ENCODE_ERROR`, `BROKER_UNAVAILABLE`;
   * RemoteError `REMOTE_ERROR` (the function threw; `remote` has name, message, stack) or `INVALID_ARGS`.
   */
  async call(service: string, args: readonly unknown[] = [], options: CallOptions = {}): Promise<unknown> {
    const timeoutMs = options.timeoutMs ?? options.timeout ?? this.timeoutMs;
    let queue = this.queues.get(service);
    if (queue === undefined) {
      queue = names.serviceQueue(this.namespace, service);
      this.queues.set(service, queue);
    }
    return this.requests.call(this.callExchange, queue, [args, options.kwargs ?? {}], {
      timeoutMs,
      label: service,
      contentType: options.json === true ? JSON_TYPE : MSGPACK,
    });
  }

  /** Closes the management half, the reply channel and the connection. */
  override async close(): Promise<void> {
    await super.close();
    await this.broker.close();
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
 * @throws KaelError `BROKER_UNAVAILABLE` when RabbitMQ cannot be reached; `USAGE` without a namespace;
 * ConfigError `CONFIG_INVALID` when the admin key file cannot be read.
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
  const auri = options.auri ?? process.env['KAEL_AURI'] ?? DEFAULT_AURI;
  const adminKey = readAdminKey({ key: options.adminKey, keyFile: options.adminKeyFile })?.key;
  const broker = new BrokerConnection({
    url: auri,
    connectionName: `kael-client:${name}`,
    failFast: true,
    logger,
  });
  await broker.start();
  const client = new FrameClient(broker, name, logger, {
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    adminKey,
  });
  await client.open();
  const callers = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  return new Proxy(client, {
    get(target, prop, receiver) {
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
