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
 * back. `appId` names the replier (frames put their id there, so a fan-out caller knows who answered).
 * A body over `maxBodyBytes` is replaced by a `REPLY_TOO_LARGE` error reply: the broker closes a
 * channel that carries a message over its own limit, and user data must never do that.
 * @returns undefined when the request had no `replyTo`; else what `publish()` returned (false: the
 * channel's buffer is full, wait for `'drain'` before publishing more).
 */
export function publishReply(
  channel: Channel,
  request: ConsumeMessage | Message,
  envelope: ReplyEnvelope,
  appId?: string,
  maxBodyBytes = Infinity,
): boolean | undefined {
  const { replyTo, correlationId } = request.properties as { replyTo?: string; correlationId?: string };
  if (typeof replyTo !== 'string' || replyTo === '') return undefined;
  const contentType = replyContentType(request.properties.contentType as string | undefined);
  let body: Buffer;
  try {
    body = encodeBody(envelope, contentType);
  } catch (e) {
    body = encodeBody(failure(e), contentType);
  }
  if (body.length > maxBodyBytes) {
    const error = new KaelError(
      'REPLY_TOO_LARGE',
      `the reply is ${body.length} bytes, over this frame's limit of ${maxBodyBytes} bytes`,
      { details: { bytes: body.length, limit: maxBodyBytes } },
    );
    body = encodeBody(
      {
        ok: false,
        error: { code: error.code, name: error.name, message: error.message, details: error.details ?? {} },
      },
      contentType,
    );
  }
  const props: { correlationId?: string; contentType: string; appId?: string } = { contentType };
  if (typeof correlationId === 'string') props.correlationId = correlationId;
  if (appId !== undefined) props.appId = appId;
  return channel.publish('', replyTo, body, props);
}

/** {@link publishReply}, then waits for `'drain'` when the channel's buffer is full. */
export async function sendReply(
  channel: Channel,
  request: ConsumeMessage | Message,
  envelope: ReplyEnvelope,
  appId?: string,
): Promise<boolean> {
  const sent = publishReply(channel, request, envelope, appId);
  if (sent === false) await waitDrain(channel);
  return sent !== undefined;
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
