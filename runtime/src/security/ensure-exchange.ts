import type { Channel, ChannelModel, Options } from 'amqplib';
import type { Logger } from '../util/logger.js';
import { REPLY_CODE, replyCodeOf } from '../broker/reply-codes.js';

/**
 * Options of kael's direct exchanges (`kael.<ns>.call`, `kael.<ns>.cmd.direct`), the same
 * everywhere or RabbitMQ refuses the redeclaration. Not auto-delete: an exchange deleted under a
 * live client would close its channel at the next publish.
 */
export const DIRECT_EXCHANGE_OPTIONS: Options.AssertExchange = { durable: false, autoDelete: false };

/**
 * Makes sure an exchange exists before anything is published to it (publishing to a missing
 * exchange closes the channel), on a throwaway channel so a refusal never closes a channel in use.
 * A broker user without `configure` permission on it (the confined caller role) cannot declare it:
 * then it only checks that a frame declared it.
 * @returns true when the exchange exists; false when it does not and this user may not declare it
 * (logged as a warning: publishing to it would fail until a frame of the namespace declares it).
 */
export async function ensureExchange(
  conn: ChannelModel,
  name: string,
  type: 'direct' | 'fanout',
  logger: Logger,
  options: Options.AssertExchange = DIRECT_EXCHANGE_OPTIONS,
): Promise<boolean> {
  const declared = await attempt(conn, logger, (ch) => ch.assertExchange(name, type, options));
  if (declared !== REPLY_CODE.ACCESS_REFUSED) return true;
  const checked = await attempt(conn, logger, (ch) => ch.checkExchange(name));
  if (checked === undefined) return true;
  logger.warn(`exchange ${name} does not exist and this broker user may not declare it`, {
    hint: 'it appears when a frame of the namespace starts',
  });
  return false;
}

/**
 * A routing key no queue can have: the broker keeps queue names starting with `amq.` to itself, and
 * names its own `amq.gen-…`.
 */
const PROBE_ROUTING_KEY = 'amq.kael.probe';

/**
 * Whether this broker user may publish to the default exchange `""` (write permission on
 * `amq.default`), asked on a throwaway channel: an empty message to a queue name that cannot exist
 * (the broker drops it), then a round trip the broker answers only after it judged the publish. A
 * confined account (the caller and operator roles) is refused once, on that channel alone.
 */
export async function mayPublishToDefaultExchange(conn: ChannelModel, logger: Logger): Promise<boolean> {
  const refused = await attempt(conn, logger, async (ch) => {
    ch.publish('', PROBE_ROUTING_KEY, Buffer.alloc(0));
    await ch.prefetch(0);
  });
  return refused === undefined;
}

/**
 * Runs one declaration (or probe) on its own channel.
 * @returns undefined on success, or the AMQP reply code of an access refusal or a missing resource.
 * @throws the error of any other failure.
 */
async function attempt(
  conn: ChannelModel,
  logger: Logger,
  body: (ch: Channel) => Promise<unknown>,
): Promise<number | undefined> {
  const ch = await conn.createChannel();
  // The refusal arrives as the rejection below; the channel's own 'error' event repeats it.
  ch.on('error', (err: Error) => logger.debug('declaration channel closed', { error: err.message }));
  try {
    await body(ch);
  } catch (e) {
    const code = replyCodeOf(e);
    if (code === REPLY_CODE.ACCESS_REFUSED || code === REPLY_CODE.NOT_FOUND) return code;
    throw e;
  }
  await ch.close();
  return undefined;
}
