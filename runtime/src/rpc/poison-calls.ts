import type { Channel, ConsumeMessage, Message, Options } from 'amqplib';
import { names } from '../broker/names.js';
import type { DeadLetter } from '../model/dead-letter.js';

/**
 * Header counting the worker deaths a call was in flight at. The broker redelivers a call whose
 * worker died (its channel closed with the call unacked) with `redelivered` set; the worker that
 * gets it republishes a copy with this header raised by one and acks the original, so the count
 * travels with the call across workers and frames.
 */
const WORKER_DEATHS_HEADER = 'kael-worker-deaths';

/** Headers a dead letter carries besides the call's own. */
const DEAD_LETTER_HEADERS = {
  function: 'kael-dead-function',
  code: 'kael-dead-code',
  message: 'kael-dead-message',
  at: 'kael-dead-at',
  frame: 'kael-dead-frame',
} as const;

/**
 * How the dead-letter queue is declared (the same everywhere, or RabbitMQ refuses the redeclaration):
 * durable, so dead letters outlive a broker restart; bounded, so a flood of poison calls cannot fill
 * the broker (the oldest go first); removed after a week nobody declared or read it.
 */
export const DEAD_LETTER_QUEUE_OPTIONS: Options.AssertQueue = {
  durable: true,
  autoDelete: false,
  arguments: { 'x-max-length': 10_000, 'x-overflow': 'drop-head', 'x-expires': 7 * 24 * 3600_000 },
};

/** Worker deaths this delivery of `msg` was in flight at: its header, plus one when redelivered. */
export function workerDeaths(msg: Message): number {
  const counted = Number(msg.properties.headers?.[WORKER_DEATHS_HEADER] ?? 0);
  return (
    (Number.isFinite(counted) && counted > 0 ? Math.floor(counted) : 0) + (msg.fields.redelivered ? 1 : 0)
  );
}

/**
 * Publishes a copy of a redelivered call with its death count, to where it was first sent (the caller
 * still waits on its `replyTo`). The caller acks the original once this returns.
 * @returns what `publish()` returned.
 */
export function republishCounted(channel: Channel, msg: Message, deaths: number): boolean {
  return channel.publish(msg.fields.exchange, msg.fields.routingKey, msg.content, {
    ...copyProperties(msg),
    headers: { ...msg.properties.headers, [WORKER_DEATHS_HEADER]: deaths },
  });
}

/**
 * Moves a call to the namespace's dead-letter queue: the body and properties as sent, without
 * `replyTo` (nobody answers from there), with headers naming the function, the error and the time.
 */
export function publishDeadLetter(
  channel: Channel,
  namespace: string,
  msg: Message,
  letter: { function: string; code: string; message: string; deaths: number; frameId?: string },
): boolean {
  const props = copyProperties(msg);
  delete props.replyTo;
  delete props.expiration;
  return channel.publish('', names.deadLetters(namespace), msg.content, {
    ...props,
    persistent: true,
    headers: {
      ...msg.properties.headers,
      [WORKER_DEATHS_HEADER]: letter.deaths,
      [DEAD_LETTER_HEADERS.function]: letter.function,
      [DEAD_LETTER_HEADERS.code]: letter.code,
      [DEAD_LETTER_HEADERS.message]: letter.message,
      [DEAD_LETTER_HEADERS.at]: new Date().toISOString(),
      ...(letter.frameId === undefined ? {} : { [DEAD_LETTER_HEADERS.frame]: letter.frameId }),
    },
  });
}

/** A dead-letter message as {@link DeadLetter} data. */
export function readDeadLetter(msg: Message): DeadLetter {
  const h = msg.properties.headers ?? {};
  const text = (key: string): string | undefined => {
    const v: unknown = h[key];
    return typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : undefined;
  };
  const letter: DeadLetter = {
    function: text(DEAD_LETTER_HEADERS.function) ?? '?',
    error: { code: text(DEAD_LETTER_HEADERS.code) ?? '?', message: text(DEAD_LETTER_HEADERS.message) ?? '' },
    deadAt: text(DEAD_LETTER_HEADERS.at) ?? '',
    workerDeaths: Number(h[WORKER_DEATHS_HEADER] ?? 0),
    bytes: msg.content.length,
  };
  const correlationId = msg.properties.correlationId as unknown;
  if (typeof correlationId === 'string') letter.correlationId = correlationId;
  const frame = text(DEAD_LETTER_HEADERS.frame);
  if (frame !== undefined) letter.frameId = frame;
  return letter;
}

/**
 * The publish options of a consumed message (amqplib hands them back as `properties`). Not `userId`:
 * the broker refuses (closing the channel) a message whose user id is not the publisher's own.
 */
function copyProperties(msg: Message | ConsumeMessage): Options.Publish {
  const out: Options.Publish = {};
  const p = msg.properties as unknown as Record<string, unknown>;
  for (const key of [
    'contentType',
    'contentEncoding',
    'correlationId',
    'replyTo',
    'expiration',
    'messageId',
    'timestamp',
    'type',
    'appId',
    'priority',
    'deliveryMode',
  ] as const) {
    const v = p[key];
    if (v !== undefined && v !== null) (out as Record<string, unknown>)[key] = v;
  }
  return out;
}
