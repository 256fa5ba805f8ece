import amqp from 'amqplib';
import { names } from '../broker/names.js';
import { createLogger } from '../util/logger.js';

/** A failure rejects the delete that hit it (the caller reports it); the event itself is logged. */
const log = createLogger('cleanup');

/**
 * Deletes the service queues, the crontab logs (durable streams) and the exchanges a short-lived
 * namespace left behind (the demo and benchmarks use it).
 */
export async function deleteNamespaceQueues(
  auri: string,
  namespace: string,
  services: readonly string[],
  crontabs: readonly string[] = [],
): Promise<void> {
  const conn = await amqp.connect(auri, { noDelay: true });
  conn.on('error', (e: Error) => log.debug('cleanup connection error', { error: e.message }));
  try {
    const ch = await conn.createChannel();
    ch.on('error', (e: Error) => log.debug('cleanup channel error', { error: e.message }));
    for (const s of services) await ch.deleteQueue(names.serviceQueue(namespace, s));
    for (const c of crontabs) {
      await ch.deleteQueue(names.crontabLog(namespace, c));
      await ch.deleteExchange(names.crontabBeat(namespace, c));
    }
    for (const x of [
      names.callExchange(namespace),
      names.commandExchange(namespace),
      names.commandDirectExchange(namespace),
      names.membershipExchange(namespace),
    ])
      await ch.deleteExchange(x);
    await ch.close();
  } finally {
    await conn.close();
  }
}
