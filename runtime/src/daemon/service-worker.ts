import path from 'node:path';
import type { Channel, ChannelModel, ConsumeMessage, Options } from 'amqplib';
import { BrokerConnection } from '../broker/connection.js';
import { names } from '../broker/names.js';
import { errorToData, KaelError } from '../errors.js';
import { isPythonPackage, loadServiceModule } from '../packages/service-module.js';
import type { LoadedService } from '../packages/service-module.js';
import { AckBatcher } from '../rpc/ack-batcher.js';
import { endpointsOf, readCallRequest } from '../rpc/call-handler.js';
import type { ServiceEndpoint } from '../rpc/call-handler.js';
import { failure, publishReply, waitDrain } from '../rpc/envelope.js';
import type { ReplyEnvelope } from '../rpc/envelope.js';
import { declareDeadLetterQueue } from '../rpc/dead-letter-queue.js';
import { publishDeadLetter, republishCounted, workerDeaths } from '../rpc/poison-calls.js';
import { FRAME_CALLS_QUEUE_OPTIONS, SERVICE_HEADER, SERVICE_QUEUE_OPTIONS } from '../rpc/service-queue.js';
import { DIRECT_EXCHANGE_OPTIONS } from '../security/ensure-exchange.js';
import { createLogger } from '../util/logger.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';
import { observedInvoke, workerStats } from './observed-call.js';
import { bestEffort } from '../util/best-effort.js';

/**
 * A service worker process: loads the service packages' code, consumes their queues, answers
 * calls. The frame process starts, restarts and drains these; a fresh process means fresh modules.
 * A channel the broker closes is opened again, a consumer it cancels is declared and consumed
 * again (both with back-off); a worker that cannot get them back exits and the frame replaces it.
 */
const logger = createLogger(`worker:${process.pid}`);
type Init = Extract<ToWorker, { type: 'init' }>;
let settings: Init | undefined;
let broker: BrokerConnection | undefined;
let channel: Channel | undefined;
let consumerTags: string[] = [];
/** The ack batcher of {@link channel}. */
let acks: AckBatcher | undefined;
/** The queues this worker serves: the JS packages' first, the Python packages' once they imported. */
const queues: QueueSpec[] = [];
/** The queues consumed on the current channel. */
let consumed = new Set<QueueSpec>();
/** True once every package has loaded and {@link queues} is complete. */
let allLoaded = false;
/** The last step of {@link consumeNew}. */
let consuming: Promise<unknown> = Promise.resolve();
let inflight = 0;
let draining = false;
let onIdle: (() => void) | undefined;
/** Folders whose absolute paths are cut from error messages sent to callers. */
let privateRoots: string[] = [];

/** One queue the worker consumes and how it answers its messages. */
interface QueueSpec {
  queue: string;
  options: Options.AssertQueue;
  handle(ch: Channel, acks: AckBatcher, msg: ConsumeMessage): void;
}

/** How long a redelivered call waits, per worker death it was in flight at, before it is sent round again. */
const REQUEUE_HOLD_MS = 1000;

/** Attempts to get a channel or a consumer back before the worker gives up and exits. */
const MAX_HEAL_ATTEMPTS = 6;

function send(message: FromWorker): void {
  if (process.connected) process.send?.(message);
}

async function init(message: Init): Promise<void> {
  settings = message;
  // Python workers started by the packages read the reply limit from their environment.
  process.env['KAEL_MAX_REPLY_BYTES'] = String(message.limits.maxReplyBytes);
  privateRoots = [...message.packages.map((p) => p.dir), path.resolve(__dirname, '../..')];
  broker = new BrokerConnection({
    url: message.auri,
    connectionName: `kael-worker:${message.namespace}`,
    failFast: false,
    logger,
  });
  // Cold start: the connection is made while the packages load.
  const connected = broker.start();
  // Awaited below, after the packages load; marked handled so a slow load is no unhandled rejection.
  void bestEffort(connected, logger, 'connect the service worker');
  const results = new Map<string, { dir: string; error?: ReturnType<typeof errorToData> }>();
  const loadOne = async (p: Init['packages'][number]): Promise<LoadedService | undefined> => {
    try {
      const service = await loadServiceModule(p.dir, p.setting, {
        pythonStartTimeoutMs: message.loadTimeoutMs,
      });
      results.set(p.dir, { dir: p.dir });
      return service;
    } catch (e) {
      results.set(p.dir, { dir: p.dir, error: errorToData(e) });
      return undefined;
    }
  };
  const python = await Promise.all(message.packages.map((p) => isPythonPackage(p.dir)));
  // The channel opens (and the call exchange is declared) while they load.
  const opened = broker.onReady((conn) => openChannel(conn));
  void bestEffort(opened, logger, 'open the service channel');
  const loaded: LoadedService[] = [];
  for (const p of message.packages.filter((_, i) => !python[i])) {
    // The frame times each package and blames it if this process dies or hangs while loading it.
    send({ type: 'loading', dir: p.dir });
    const service = await loadOne(p);
    if (service !== undefined) loaded.push(service);
  }
  send({ type: 'imported' });
  // The JS and TS packages are served first.
  const served = endpointsOf(loaded);
  serve(served);
  await consumeOnOpenChannel();
  await opened;
  // Python packages are imported by their own interpreters, started once the JS and TS packages
  // are served: an interpreter's start takes CPU the first calls need (through a pyenv shim, a shell
  // script, ≈ 0.3 s of it).
  const pythonLoads = message.packages.filter((_, i) => python[i]).map(loadOne);
  const imported = (await Promise.all(pythonLoads)).filter((s) => s !== undefined);
  send({ type: 'loaded', results: message.packages.map((p) => results.get(p.dir) ?? { dir: p.dir }) });
  const endpoints = [...served, ...endpointsOf(imported)];
  serve(endpoints.slice(served.length));
  // Calls pinned to this frame: one queue for all its services, the service named in a header.
  // Declared only with a consumer: an auto-delete queue that never had one would never go away.
  if (endpoints.length > 0) {
    const byName = new Map(endpoints.map((ep) => [ep.name, ep]));
    queues.push({
      queue: names.frameCalls(message.namespace, message.frameId),
      options: FRAME_CALLS_QUEUE_OPTIONS,
      handle: (ch, acks, msg) => {
        const service = msg.properties.headers?.[SERVICE_HEADER] as unknown;
        handle(ch, acks, typeof service === 'string' ? byName.get(service) : undefined, msg);
      },
    });
  }
  allLoaded = true;
  await consumeOnOpenChannel();
  try {
    await connected;
  } catch (e) {
    // Drained while loading: the connection was closed on purpose.
    if (draining) return;
    throw e;
  }
}

/** Consumes the queues added since on the channel, when it is open (else {@link openChannel} will). */
async function consumeOnOpenChannel(): Promise<void> {
  if (channel !== undefined && acks !== undefined) await consumeNew(channel, acks);
}

/** Adds the service queues of `endpoints` to the ones this worker consumes. */
function serve(endpoints: readonly ServiceEndpoint[]): void {
  const s = settings as Init;
  for (const ep of endpoints)
    queues.push({
      queue: names.serviceQueue(s.namespace, ep.name),
      options: SERVICE_QUEUE_OPTIONS,
      handle: (ch, acks, msg) => handle(ch, acks, ep, msg),
    });
}

/** Opens a channel on `conn` and consumes every queue known so far ({@link consumeNew}). */
async function openChannel(conn: ChannelModel): Promise<void> {
  const s = settings as Init;
  const ch = await conn.createChannel();
  ch.on('error', (err: Error) => logger.warn('service channel error', { error: err.message }));
  ch.on('close', () => onChannelClosed(conn, ch));
  try {
    await ch.prefetch(s.concurrency);
    const batcher = new AckBatcher(ch);
    await ch.assertExchange(names.callExchange(s.namespace), 'direct', DIRECT_EXCHANGE_OPTIONS);
    channel = ch;
    acks = batcher;
    consumerTags = [];
    consumed = new Set();
    if (draining) return;
    // Only poison calls need it: a refusal (its cluster node down) is logged, and calls are served.
    declareDeadLetterQueue(conn, s.namespace).catch((e: unknown) =>
      logger.warn(
        'cannot declare the dead-letter queue; calls are served, a call dead-lettered meanwhile is only logged',
        {
          queue: names.deadLetters(s.namespace),
          error: (e as Error).message,
        },
      ),
    );
    await consumeNew(ch, batcher);
  } catch (e) {
    if (channel === ch) channel = undefined;
    await ch.close().catch((err: unknown) => logger.debug('channel close', { error: String(err) }));
    throw e;
  }
}

/**
 * Consumes, on `ch`, the queues not consumed on it yet (one step at a time: a later step waits for an
 * earlier one); says `consuming` once every package has loaded and all its queues are consumed.
 */
function consumeNew(ch: Channel, batcher: AckBatcher): Promise<void> {
  const step = consuming.then(async () => {
    for (const spec of queues) {
      if (draining || channel !== ch || consumed.has(spec)) continue;
      consumed.add(spec);
      consumerTags.push(await consume(ch, batcher, spec));
    }
    if (allLoaded && channel === ch && !draining) send({ type: 'consuming' });
  });
  consuming = bestEffort(step, logger, 'consume the service queues');
  return step;
}

/** Declares, binds and consumes one queue; a cancel by the broker starts {@link healConsumer}. */
async function consume(ch: Channel, acks: AckBatcher, spec: QueueSpec): Promise<string> {
  const calls = names.callExchange((settings as Init).namespace);
  await ch.assertQueue(spec.queue, spec.options);
  await ch.bindQueue(spec.queue, calls, spec.queue);
  let tag = '';
  ({ consumerTag: tag } = await ch.consume(spec.queue, (msg) => {
    if (msg !== null) spec.handle(ch, acks, msg);
    else void healConsumer(ch, acks, spec, tag);
  }));
  return tag;
}

/**
 * The broker cancelled a consumer (its queue was deleted, or the node holding it was lost): declare
 * the queue again (on a live node) and consume it, with back-off; give up by exiting, so the frame
 * starts a fresh worker.
 */
async function healConsumer(ch: Channel, acks: AckBatcher, spec: QueueSpec, oldTag: string): Promise<void> {
  consumerTags = consumerTags.filter((t) => t !== oldTag);
  if (draining || channel !== ch) return;
  logger.warn('the broker cancelled a consumer; declaring its queue again', { queue: spec.queue });
  send({ type: 'paused', reason: `consumer of ${spec.queue} cancelled by the broker` });
  for (let attempt = 0; attempt < MAX_HEAL_ATTEMPTS; attempt++) {
    await delay(healDelayMs(attempt));
    // A closed channel is healed as a whole (see onChannelClosed).
    if (draining || channel !== ch) return;
    try {
      consumerTags.push(await consume(ch, acks, spec));
      logger.info('consuming again', { queue: spec.queue });
      send({ type: 'consuming' });
      return;
    } catch (e) {
      logger.warn('cannot consume the queue again', {
        queue: spec.queue,
        attempt,
        error: (e as Error).message,
      });
    }
  }
  void leave(1, `cannot consume ${spec.queue} again`);
}

/**
 * A channel closed while the connection lives (the broker closed it: a failed declaration, a lost
 * queue node): open a new one and consume again, with back-off. When the connection itself went,
 * the broker connection's ready handler does this on the next connection.
 */
function onChannelClosed(conn: ChannelModel, ch: Channel): void {
  if (channel !== ch) return;
  channel = undefined;
  consumerTags = [];
  if (draining) return;
  send({ type: 'paused', reason: 'service channel closed' });
  void (async () => {
    for (let attempt = 0; attempt < MAX_HEAL_ATTEMPTS; attempt++) {
      await delay(healDelayMs(attempt));
      if (draining || channel !== undefined || broker?.current !== conn) return;
      try {
        await openChannel(conn);
        logger.info('service channel open again');
        return;
      } catch (e) {
        logger.warn('cannot open the service channel again', { attempt, error: (e as Error).message });
      }
    }
    void leave(1, 'cannot open the service channel again');
  })();
}

function handle(ch: Channel, acks: AckBatcher, ep: ServiceEndpoint | undefined, msg: ConsumeMessage): void {
  const s = settings as Init;
  if (msg.fields.redelivered && quarantine(ch, acks, ep, msg)) return;
  let request;
  try {
    if (ep === undefined)
      throw new KaelError('SERVICE_NOT_FOUND', `frame ${s.frameId} does not serve that service`);
    if (msg.content.length > s.limits.maxRequestBytes)
      throw new KaelError(
        'REQUEST_TOO_LARGE',
        `the request to ${ep.name} is ${msg.content.length} bytes, over this frame's limit of ${s.limits.maxRequestBytes} bytes`,
        { details: { bytes: msg.content.length, limit: s.limits.maxRequestBytes } },
      );
    request = readCallRequest(msg);
  } catch (e) {
    logger.warn('rejected a request', {
      queue: msg.fields.routingKey,
      correlation_id: msg.properties.correlationId as unknown,
      code: (e as KaelError).code,
      error: (e as Error).message,
      bytes: msg.content.length,
    });
    inflight++;
    reply(ch, acks, msg, forCaller(failure(e), ep, msg, false));
    return;
  }
  inflight++;
  const envelope = observedInvoke(ep, request, msg, s.frameId);
  if (envelope instanceof Promise) void envelope.then((env) => reply(ch, acks, msg, forCaller(env, ep, msg)));
  else reply(ch, acks, msg, forCaller(envelope, ep, msg));
}

/**
 * A redelivered call was in flight when a worker died (or its channel closed): count the death in
 * the call's header and send it round again, or, at the frame's limit, move it to the dead-letter
 * queue and answer WORKER_CRASHED. Either way this delivery is settled here.
 * @returns true when the call was settled (not run).
 */
function quarantine(
  ch: Channel,
  acks: AckBatcher,
  ep: ServiceEndpoint | undefined,
  msg: ConsumeMessage,
): boolean {
  const s = settings as Init;
  const deaths = workerDeaths(msg);
  const service = ep?.name ?? msg.fields.routingKey.slice(names.servicePrefix(s.namespace).length);
  try {
    if (deaths < s.maxWorkerDeaths) {
      // Held a moment before it goes round again, so the worker it may have killed is back before it
      // can kill another: a poison call never takes all of a frame's workers down at once (calls
      // that were only in flight at the death wait the same moment). The moment is random, so an
      // innocent call redelivered with a poison call does not travel with it and die with it again.
      inflight++;
      setTimeout(
        () => {
          try {
            republishCounted(ch, msg, deaths);
            acks.ack(msg);
          } catch (e) {
            logger.warn('could not requeue a redelivered call', { error: (e as Error).message });
          }
          settled();
        },
        REQUEUE_HOLD_MS * deaths * (0.5 + Math.random()),
      );
      return true;
    }
    const error = new KaelError(
      'WORKER_CRASHED',
      `${service}: the call was in flight at ${deaths} worker deaths; it was moved to the dead-letter queue ${names.deadLetters(s.namespace)}`,
      { details: { function: service, workerDeaths: deaths } },
    );
    publishDeadLetter(ch, s.namespace, msg, {
      function: service,
      code: error.code,
      message: error.message,
      deaths,
      frameId: s.frameId,
    });
    logger.error('dead-lettered a call that was in flight at repeated worker deaths', {
      service,
      correlation_id: msg.properties.correlationId as unknown,
      worker_deaths: deaths,
    });
    inflight++;
    reply(ch, acks, msg, {
      ok: false,
      error: { code: error.code, name: error.name, message: error.message, details: error.details ?? {} },
    });
    return true;
  } catch (e) {
    // The channel is closing: the broker redelivers the call and its count is taken again.
    logger.warn('could not requeue a redelivered call', { error: (e as Error).message });
    return true;
  }
}

/**
 * What the caller is told of a failure: code, type and message. The stack (with the frame's file
 * paths) goes to the frame's log with the call's correlation id, and to the caller only when the
 * frame runs with `debugErrors`; absolute paths of the frame's folders are cut from the message.
 */
function forCaller(
  envelope: ReplyEnvelope,
  ep: ServiceEndpoint | undefined,
  msg: ConsumeMessage,
  log = true,
): ReplyEnvelope {
  if (envelope.ok) return envelope;
  const s = settings as Init;
  const { error } = envelope;
  if (log)
    logger.warn('call failed', {
      service: ep?.name ?? msg.fields.routingKey,
      correlation_id: msg.properties.correlationId as unknown,
      code: error.code,
      error: `${error.name}: ${error.message}`,
      ...(error.stack === undefined ? {} : { stack: error.stack }),
    });
  if (s.debugErrors) return envelope;
  const { stack: _stack, ...rest } = error;
  let message = rest.message;
  for (const root of privateRoots)
    message = message
      .split(root + path.sep)
      .join('')
      .split(root)
      .join(path.basename(root));
  return { ok: false, error: { ...rest, message } };
}

/**
 * Replies, then acks (the request stays unacked until its reply is out, so a crash redelivers it).
 * When the channel's buffer is full the ack waits for `'drain'`: with prefetch, that stops new
 * requests from arriving until the replies are flushed.
 */
function reply(ch: Channel, acks: AckBatcher, msg: ConsumeMessage, envelope: ReplyEnvelope): void {
  let sent: boolean | undefined;
  try {
    sent = publishReply(ch, msg, envelope, settings?.frameId, settings?.limits.maxReplyBytes);
  } catch (e) {
    logger.error('reply failed', { queue: msg.fields.routingKey, error: (e as Error).message });
  }
  const done = (): void => {
    acks.ack(msg);
    settled();
  };
  if (sent === false) void waitDrain(ch).then(done);
  else done();
}

/** One call in flight less; the last one lets a drain finish. */
function settled(): void {
  inflight--;
  if (draining && inflight === 0) onIdle?.();
}

function healDelayMs(attempt: number): number {
  return Math.min(5000, 100 * 2 ** attempt);
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Gives up serving: stops consuming, finishes what is in flight, exits with `code` (the frame replaces it). */
async function leave(code: number, why: string): Promise<void> {
  logger.error(`service worker gives up: ${why}`);
  await stopConsuming();
  await broker?.close();
  process.exit(code);
}

async function stopConsuming(): Promise<void> {
  if (draining) return;
  draining = true;
  const ch = channel;
  if (ch !== undefined) {
    for (const tag of consumerTags)
      await ch.cancel(tag).catch((e: unknown) => logger.debug('cancel failed', { error: String(e) }));
  }
  if (inflight > 0 && channel !== undefined) await new Promise<void>((resolve) => (onIdle = resolve));
  // Acks are batched once per event-loop turn: let the last batch go out before closing.
  await new Promise((r) => setImmediate(r));
  // Close the channel first: its close handshake flushes the replies just published, which a bare
  // connection close may overtake.
  await ch?.close().catch((e: unknown) => logger.debug('channel close failed', { error: String(e) }));
}

async function drain(): Promise<void> {
  if (draining) return;
  await stopConsuming();
  send({ type: 'metrics', services: workerStats.snapshot() });
  send({ type: 'drained' });
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
