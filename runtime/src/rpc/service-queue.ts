import type { Options } from 'amqplib';

/**
 * How every service queue is declared (the same everywhere, or RabbitMQ refuses the redeclaration).
 * Not auto-delete: a request waiting while its only frame restarts is kept, not dropped; `x-expires`
 * removes queues of namespaces nobody serves any more.
 */
export const SERVICE_QUEUE_OPTIONS: Options.AssertQueue = {
  durable: false,
  autoDelete: false,
  arguments: { 'x-expires': 30 * 60_000 },
};
