/** The broker a frame or client uses when none is given (and KAEL_AURI is not set): the local RabbitMQ. */
export const DEFAULT_AURI = 'amqp://guest:guest@127.0.0.1:5672';
