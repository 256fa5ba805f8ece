import amqp from 'amqplib';
import { names } from '../broker/names.js';

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
  conn.on('error', () => undefined);
  try {
    const ch = await conn.createChannel();
    ch.on('error', () => undefined);
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
