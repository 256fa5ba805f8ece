/**
 * Size limits of one RPC message body, shared by callers (checked before publishing) and frames
 * (checked before a reply is published). The broker closes a channel that carries a message over its
 * own `max_message_size` (128 MiB by default in RabbitMQ 3.10), so kael's defaults stay well under it:
 * user data must never close a channel.
 */
export interface MessageLimits {
  /**
   * Largest request body in bytes.
   * @default 16777216 (16 MiB)
   */
  maxRequestBytes: number;
  /**
   * Largest reply body in bytes.
   * @default 16777216 (16 MiB)
   */
  maxReplyBytes: number;
}

/** The limits used when neither the frame nor the client sets its own. */
export const DEFAULT_MESSAGE_LIMITS: Readonly<MessageLimits> = Object.freeze({
  maxRequestBytes: 16 * 1024 * 1024,
  maxReplyBytes: 16 * 1024 * 1024,
});
