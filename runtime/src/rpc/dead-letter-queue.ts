import type { Channel, ChannelModel } from 'amqplib';
import { names } from '../broker/names.js';
import { KaelError } from '../errors.js';
import type { DeadLetterReport } from '../model/dead-letter.js';
import { DEAD_LETTER_QUEUE_OPTIONS, readDeadLetter } from './poison-calls.js';
import { REPLY_CODE, replyCodeOf } from '../broker/reply-codes.js';

/**
 * Reads a namespace's dead-letter queue without taking anything out of it: its depth, and up to
 * `limit` messages (fetched unacknowledged on a channel of their own, then given back by closing
 * it). A namespace without the queue has none.
 * @throws KaelError `BROKER_UNAVAILABLE` when the broker refuses (e.g. a user without read access).
 */
export async function readDeadLetters(
  connection: ChannelModel,
  namespace: string,
  limit = 100,
): Promise<DeadLetterReport> {
  const queue = names.deadLetters(namespace);
  return withChannel(connection, async (ch) => {
    let count: number;
    try {
      count = (await ch.checkQueue(queue)).messageCount;
    } catch (e) {
      if (replyCodeOf(e) === REPLY_CODE.NOT_FOUND) return { queue, count: 0, messages: [] };
      throw e;
    }
    const report: DeadLetterReport = { queue, count, messages: [] };
    while (report.messages.length < Math.min(limit, count)) {
      const msg = await ch.get(queue, { noAck: false });
      if (msg === false) break;
      report.messages.push(readDeadLetter(msg));
    }
    return report;
  });
}

/**
 * Empties a namespace's dead-letter queue (a purge: needs a broker user that may configure it).
 * @returns how many messages were dropped.
 * @throws KaelError `BROKER_UNAVAILABLE` when the broker refuses.
 */
export async function dropDeadLetters(connection: ChannelModel, namespace: string): Promise<number> {
  const queue = names.deadLetters(namespace);
  return withChannel(connection, async (ch) => {
    try {
      await ch.checkQueue(queue);
    } catch (e) {
      if (replyCodeOf(e) === REPLY_CODE.NOT_FOUND) return 0;
      throw e;
    }
    return (await ch.purgeQueue(queue)).messageCount;
  });
}

/**
 * Declares a namespace's dead-letter queue on a channel of its own, so a refusal closes only that
 * channel. Kept apart from serving: a durable classic queue whose cluster node is down cannot be
 * declared until the node is back (404 NOT_FOUND), and calls must be served meanwhile.
 * @throws KaelError `BROKER_UNAVAILABLE` when the broker refuses, with its reason.
 */
export async function declareDeadLetterQueue(connection: ChannelModel, namespace: string): Promise<void> {
  await withChannel(connection, async (ch) => {
    await ch.assertQueue(names.deadLetters(namespace), DEAD_LETTER_QUEUE_OPTIONS);
  });
}

/**
 * Runs `fn` on a channel of its own: a refused check closes the channel, never a shared one. Closing
 * it gives back the messages fetched without an ack.
 */
async function withChannel<T>(connection: ChannelModel, fn: (ch: Channel) => Promise<T>): Promise<T> {
  const ch = await connection.createChannel();
  let closed = false;
  ch.on('error', () => {
    // The failure reaches `fn` as a rejected operation; the channel is gone with it.
    closed = true;
  });
  try {
    return await fn(ch);
  } catch (e) {
    if (e instanceof KaelError) throw e;
    throw new KaelError(
      'BROKER_UNAVAILABLE',
      `dead-letter queue of this namespace: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  } finally {
    if (!closed) await ch.close().catch((e: unknown) => void e);
  }
}
