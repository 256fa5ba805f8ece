import type { Channel, ConsumeMessage, Message } from 'amqplib';
import { decodeBody, encodeBody, replyContentType } from '../codec/codec.js';
import { errorToData, isErrorData, KaelError } from '../errors.js';
import type { ErrorData } from '../errors.js';

/** The body of every reply: the value, or the error as plain data. */
export type ReplyEnvelope = { ok: true; value: unknown } | { ok: false; error: ErrorData };

/** A failure reply for anything thrown. */
export function failure(error: unknown): ReplyEnvelope {
  return { ok: false, error: errorToData(error) };
}

/**
 * Publishes `envelope` to the request's `replyTo` with its correlation id, in the request's content
 * type. A value that cannot be encoded becomes an `ENCODE_ERROR` reply, so the caller always hears
 * back. Waits for `'drain'` when the channel's buffer is full. `appId` names the replier (frames put
 * their id there, so a fan-out caller knows who answered).
 * @returns false when the request had no `replyTo` (nothing to send).
 */
export async function sendReply(channel: Channel, request: ConsumeMessage | Message, envelope: ReplyEnvelope, appId?: string): Promise<boolean> {
  const { replyTo, correlationId } = request.properties as { replyTo?: string; correlationId?: string };
  if (typeof replyTo !== 'string' || replyTo === '') return false;
  const contentType = replyContentType(request.properties.contentType as string | undefined);
  let body: Buffer;
  try {
    body = encodeBody(envelope, contentType);
  } catch (e) {
    body = encodeBody(failure(e), contentType);
  }
  const props: { correlationId?: string; contentType: string; appId?: string } = { contentType };
  if (typeof correlationId === 'string') props.correlationId = correlationId;
  if (appId !== undefined) props.appId = appId;
  if (!channel.publish('', replyTo, body, props)) await waitDrain(channel);
  return true;
}

/**
 * Reads a reply envelope from a message.
 * @throws KaelError `DECODE_ERROR` when the body is not an envelope.
 */
export function readEnvelope(msg: Message): ReplyEnvelope {
  const body = decodeBody(msg.content, msg.properties.contentType as string | undefined);
  if (body !== null && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    if (b['ok'] === true) return { ok: true, value: b['value'] };
    if (b['ok'] === false && isErrorData(b['error'])) return { ok: false, error: b['error'] };
  }
  throw new KaelError('DECODE_ERROR', 'reply is not a kael envelope ({ok, value} or {ok: false, error})');
}

/** Resolves on the channel's next `'drain'` (or when it closes, so nobody waits forever). */
export function waitDrain(channel: Channel): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      channel.off('drain', done);
      channel.off('close', done);
      resolve();
    };
    channel.once('drain', done);
    channel.once('close', done);
  });
}
