import { decode, encode } from '@msgpack/msgpack';
import amqp from 'amqplib';
import { createLogger } from '../util/logger.js';

/** A lost connection or channel rejects the operation that hit it; the event is logged. */
const log = createLogger('floor-server');

/**
 * The raw floor's server: plain amqplib, one process, the same payload shapes as kael
 * (`[[a, b], {}]` in, `{ ok, value }` out, msgpack, or JSON when the request is JSON). Started by the rpc benchmark with the broker URL,
 * the queue name and the queue type (`classic`, or `quorum` for the cluster benchmark).
 */
async function main(): Promise<void> {
  const [url, queue, queueType = 'classic'] = process.argv.slice(2) as [string, string, string?];
  const conn = await amqp.connect(url, { noDelay: true });
  conn.on('error', (e: Error) => log.debug('floor server connection error', { error: e.message }));
  const ch = await conn.createChannel();
  ch.on('error', (e: Error) => log.debug('floor server channel error', { error: e.message }));
  await ch.prefetch(64);
  // A quorum queue must be durable and cannot auto-delete: `x-expires` removes it after the run.
  await ch.assertQueue(
    queue,
    queueType === 'quorum'
      ? { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-expires': 60_000 } }
      : { durable: false, autoDelete: true },
  );
  await ch.consume(queue, (msg) => {
    if (msg === null) return;
    const json = msg.properties.contentType === 'application/json';
    const [args] = (json ? JSON.parse(msg.content.toString('utf8')) : decode(msg.content)) as [
      unknown[],
      object,
    ];
    const reply = { ok: true, value: answer(args) };
    const body = json ? Buffer.from(JSON.stringify(reply)) : encode(reply);
    ch.publish(
      '',
      msg.properties.replyTo as string,
      Buffer.from(body.buffer, body.byteOffset, body.byteLength),
      {
        correlationId: msg.properties.correlationId as string,
        contentType: json ? 'application/json' : 'application/msgpack',
      },
    );
    ch.ack(msg);
  });
  process.send?.('ready');
  process.on('disconnect', () => void conn.close().finally(() => process.exit(0)));
}

/** The sum of two numbers (`add(a, b)`), else the length of the first argument (the payload benchmark). */
function answer(args: unknown[]): unknown {
  const [a, b] = args;
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  return (a as { length?: number } | undefined)?.length;
}

void main();
