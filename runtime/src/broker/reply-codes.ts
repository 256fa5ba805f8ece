/**
 * The AMQP 0-9-1 reply codes the runtime tells apart: amqplib puts them on the `code` of the error a
 * refused operation rejects with (the broker closed the channel with that code).
 */
export const REPLY_CODE = {
  /** The broker user's permissions do not allow the operation. */
  ACCESS_REFUSED: 403,
  /** The queue or exchange does not exist. */
  NOT_FOUND: 404,
  /** An exclusive queue another connection holds. */
  RESOURCE_LOCKED: 405,
} as const;

/** The reply code an amqplib error carries, when it carries one. */
export function replyCodeOf(e: unknown): unknown {
  return (e as { code?: unknown } | null | undefined)?.code;
}
