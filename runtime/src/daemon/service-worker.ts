import type { Channel, ConsumeMessage } from 'amqplib';
import { BrokerConnection } from '../broker/connection.js';
import { names } from '../broker/names.js';
import { errorToData } from '../errors.js';
import { loadServiceModule } from '../packages/service-module.js';
import type { LoadedService } from '../packages/service-module.js';
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
import { observedInvoke, workerStats } from './observed-call.js';

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

async function init(message: Extract<ToWorker, { type: 'init' }>): Promise<void> {
  const loaded: LoadedService[] = [];
  const results: { dir: string; error?: ReturnType<typeof errorToData> }[] = [];
  for (const p of message.packages) {
    try {
      loaded.push(await loadServiceModule(p.dir, p.setting));
      results.push({ dir: p.dir });
    } catch (e) {
      results.push({ dir: p.dir, error: errorToData(e) });
    }
  }
  send({ type: 'loaded', results });
  const endpoints = endpointsOf(loaded);
  frameId = message.frameId;
  const byName = new Map(endpoints.map((ep) => [ep.name, ep]));
  broker = new BrokerConnection({
    url: message.auri,
    connectionName: `kael-worker:${message.namespace}`,
    failFast: false,
    logger,
  });
  await broker.onReady(async (conn) => {
    const ch = await conn.createChannel();
    ch.on('error', (err: Error) => logger.warn('service channel error', { error: err.message }));
    await ch.prefetch(message.concurrency);
    const acks = new AckBatcher(ch);
    const tags: string[] = [];
    const calls = names.callExchange(message.namespace);
    await ch.assertExchange(calls, 'direct', DIRECT_EXCHANGE_OPTIONS);
    for (const ep of endpoints) {
      const queue = names.serviceQueue(message.namespace, ep.name);
      await ch.assertQueue(queue, SERVICE_QUEUE_OPTIONS);
      await ch.bindQueue(queue, calls, queue);
      if (draining) continue;
      const { consumerTag } = await ch.consume(queue, (msg) => handle(ch, acks, ep, msg));
      tags.push(consumerTag);
    }
    // Calls pinned to this frame: one queue for all its services, the service named in a header.
    // Declared only with a consumer: an auto-delete queue that never had one would never go away.
    if (!draining && endpoints.length > 0) {
      const pinned = names.frameCalls(message.namespace, message.frameId);
      await ch.assertQueue(pinned, FRAME_CALLS_QUEUE_OPTIONS);
      await ch.bindQueue(pinned, calls, pinned);
      const { consumerTag } = await ch.consume(pinned, (msg) => {
        const service = msg?.properties.headers?.[SERVICE_HEADER] as unknown;
        handle(ch, acks, typeof service === 'string' ? byName.get(service) : undefined, msg);
      });
      tags.push(consumerTag);
    }
    channel = ch;
    consumerTags = tags;
  });
  await broker.start();
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
  const envelope = observedInvoke(ep, request, msg, frameId);
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
  send({ type: 'metrics', services: workerStats.snapshot() });
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
  } else if (message.type === 'metrics') {
    send({ type: 'metrics', services: workerStats.snapshot() });
  }
});
// The frame process is gone: finish what is in flight and leave rather than serve without a supervisor.
process.on('disconnect', () => void drain());
process.on('SIGTERM', () => void drain());
process.on('SIGINT', () => undefined);
