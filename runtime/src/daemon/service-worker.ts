import type { Channel, ConsumeMessage } from 'amqplib';
import { BrokerConnection } from '../broker/connection.js';
import { names } from '../broker/names.js';
import { errorToData } from '../errors.js';
import { loadServiceModule } from '../packages/service-module.js';
import { AckBatcher } from '../rpc/ack-batcher.js';
import { endpointsOf, readCallRequest } from '../rpc/call-handler.js';
import type { ServiceEndpoint } from '../rpc/call-handler.js';
import { failure, publishReply, waitDrain } from '../rpc/envelope.js';
import type { ReplyEnvelope } from '../rpc/envelope.js';
import { FRAME_CALLS_QUEUE_OPTIONS, SERVICE_HEADER, SERVICE_QUEUE_OPTIONS } from '../rpc/service-queue.js';
import { KaelError } from '../errors.js';
import { DIRECT_EXCHANGE_OPTIONS } from '../security/ensure-exchange.js';
import { createLogger } from '../util/logger.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

/**
 * A service worker process: loads the service packages' code, consumes their queues, answers
 * calls. The frame process starts, restarts and drains these; a fresh process means fresh modules.
 */
const logger = createLogger(`worker:${process.pid}`);
let broker: BrokerConnection | undefined;
let channel: Channel | undefined;
let consumerTags: string[] = [];
let inflight = 0;
let draining = false;
let onIdle: (() => void) | undefined;
/** The frame's id: every reply names it (`appId`), so a caller can say which frame answered. */
let frameId: string | undefined;

function send(message: FromWorker): void {
  if (process.connected) process.send?.(message);
}

/** The service channel of the current connection and what it consumes already. */
interface Serving {
  ch: Channel;
  acks: AckBatcher;
  /** Endpoints whose queue this channel consumes (or is about to). */
  consumed: Set<string>;
  /** True once the frame's pinned-call queue is consumed (or about to be). */
  pinned: boolean;
  tags: string[];
}

async function init(message: Extract<ToWorker, { type: 'init' }>): Promise<void> {
  frameId = message.frameId;
  broker = new BrokerConnection({
    url: message.auri,
    connectionName: `kael-worker:${message.namespace}`,
    failFast: false,
    logger,
  });
  // Cold start: the connection is made while the packages load, the packages load side by side (a
  // Python package's interpreter starts while JavaScript and TypeScript code is imported), and each
  // package is served as soon as it is loaded: a slow one does not hold back the others.
  const connected = broker.start();
  connected.catch(() => undefined);
  const endpoints: ServiceEndpoint[] = [];
  const byName = new Map<string, ServiceEndpoint>();
  const calls = names.callExchange(message.namespace);
  let serving: Serving | undefined;

  // Consumes the queue of every loaded endpoint the channel does not consume yet. An endpoint is
  // marked before the first await, so concurrent runs never consume a queue twice.
  const consumeLoaded = async (s: Serving): Promise<void> => {
    for (const ep of endpoints) {
      if (s.consumed.has(ep.name)) continue;
      s.consumed.add(ep.name);
      const queue = names.serviceQueue(message.namespace, ep.name);
      await s.ch.assertQueue(queue, SERVICE_QUEUE_OPTIONS);
      await s.ch.bindQueue(queue, calls, queue);
      if (draining) continue;
      const { consumerTag } = await s.ch.consume(queue, (msg) => handle(s.ch, s.acks, ep, msg));
      s.tags.push(consumerTag);
    }
    // Calls pinned to this frame: one queue for all its services, the service named in a header.
    // Declared only with a consumer: an auto-delete queue that never had one would never go away.
    if (!s.pinned && !draining && endpoints.length > 0) {
      s.pinned = true;
      const pinned = names.frameCalls(message.namespace, message.frameId);
      await s.ch.assertQueue(pinned, FRAME_CALLS_QUEUE_OPTIONS);
      await s.ch.bindQueue(pinned, calls, pinned);
      const { consumerTag } = await s.ch.consume(pinned, (msg) => {
        const service = msg?.properties.headers?.[SERVICE_HEADER] as unknown;
        handle(s.ch, s.acks, typeof service === 'string' ? byName.get(service) : undefined, msg);
      });
      s.tags.push(consumerTag);
    }
  };

  await broker.onReady(async (conn) => {
    const ch = await conn.createChannel();
    ch.on('error', (err: Error) => logger.warn('service channel error', { error: err.message }));
    await ch.prefetch(message.concurrency);
    await ch.assertExchange(calls, 'direct', DIRECT_EXCHANGE_OPTIONS);
    const s: Serving = { ch, acks: new AckBatcher(ch), consumed: new Set(), pinned: false, tags: [] };
    serving = s;
    channel = ch;
    consumerTags = s.tags;
    await consumeLoaded(s);
  });

  const results = await Promise.all(
    message.packages.map((p) =>
      loadServiceModule(p.dir, p.setting).then(
        async (service) => {
          for (const ep of endpointsOf([service])) {
            endpoints.push(ep);
            byName.set(ep.name, ep);
          }
          const s = serving;
          // Not connected yet: the ready handler consumes it.
          if (s !== undefined)
            await consumeLoaded(s).catch((e: unknown) =>
              logger.warn('cannot consume the queues of a loaded package yet', {
                dir: p.dir,
                error: (e as Error).message,
              }),
            );
          return { dir: p.dir };
        },
        (e: unknown) => ({ dir: p.dir, error: errorToData(e) }),
      ),
    ),
  );
  send({ type: 'loaded', results });
  await connected;
  // Whatever loaded while the channel was being set up.
  if (serving !== undefined) await consumeLoaded(serving);
  send({ type: 'consuming' });
}

function handle(
  ch: Channel,
  acks: AckBatcher,
  ep: ServiceEndpoint | undefined,
  msg: ConsumeMessage | null,
): void {
  if (msg === null) return;
  let request;
  try {
    if (ep === undefined)
      throw new KaelError('SERVICE_NOT_FOUND', `frame ${frameId ?? '?'} does not serve that service`);
    request = readCallRequest(msg);
  } catch (e) {
    logger.warn('rejected a malformed request', {
      queue: msg.fields.routingKey,
      error: (e as Error).message,
      bytes: msg.content.length,
    });
    publishReply(ch, msg, failure(e), frameId);
    safely(() => ch.nack(msg, false, false));
    acks.settledElsewhere(msg);
    return;
  }
  inflight++;
  const envelope = ep.invoke(request);
  if (envelope instanceof Promise) void envelope.then((env) => reply(ch, acks, msg, env));
  else reply(ch, acks, msg, envelope);
}

/**
 * Replies, then acks (the request stays unacked until its reply is out, so a crash redelivers it).
 * When the channel's buffer is full the ack waits for `'drain'`: with prefetch, that stops new
 * requests from arriving until the replies are flushed.
 */
function reply(ch: Channel, acks: AckBatcher, msg: ConsumeMessage, envelope: ReplyEnvelope): void {
  let sent: boolean | undefined;
  try {
    sent = publishReply(ch, msg, envelope, frameId);
  } catch (e) {
    logger.error('reply failed', { queue: msg.fields.routingKey, error: (e as Error).message });
  }
  const done = (): void => {
    acks.ack(msg);
    inflight--;
    if (draining && inflight === 0) onIdle?.();
  };
  if (sent === false) void waitDrain(ch).then(done);
  else done();
}

/** Acks on a channel the broker already closed throw; the broker redelivers those anyway. */
function safely(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    logger.debug('ack/nack on a closed channel', { error: (e as Error).message });
  }
}

async function drain(): Promise<void> {
  if (draining) return;
  draining = true;
  const ch = channel;
  if (ch !== undefined) {
    for (const tag of consumerTags) await ch.cancel(tag).catch(() => undefined);
  }
  if (inflight > 0) await new Promise<void>((resolve) => (onIdle = resolve));
  // Acks are batched once per event-loop turn: let the last batch go out before closing.
  await new Promise((r) => setImmediate(r));
  send({ type: 'drained' });
  // Close the channel first: its close handshake flushes the replies just published, which a bare
  // connection close may overtake.
  await ch?.close().catch(() => undefined);
  await broker?.close();
  process.exit(0);
}

process.on('message', (message: ToWorker) => {
  if (message.type === 'init') {
    init(message).catch((e: unknown) => {
      logger.error('worker failed to start', { error: (e as Error).message });
      process.exit(1);
    });
  } else if (message.type === 'drain') {
    void drain();
  }
});
// The frame process is gone: finish what is in flight and leave rather than serve without a supervisor.
process.on('disconnect', () => void drain());
process.on('SIGTERM', () => void drain());
process.on('SIGINT', () => undefined);
