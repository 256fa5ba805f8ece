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

/**
 * How a frame's pinned-call queue is declared: auto-delete, so it goes with the frame's last worker
 * and a call pinned to a gone frame fails at once (unroutable) instead of waiting for its timeout.
 */
export const FRAME_CALLS_QUEUE_OPTIONS: Options.AssertQueue = {
  durable: false,
  autoDelete: true,
};

/** The header of a pinned call that names the service (the queue is shared by all of a frame's services). */
export const SERVICE_HEADER = 'kael-service';
