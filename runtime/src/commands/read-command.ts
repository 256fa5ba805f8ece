import type { ConsumeMessage } from 'amqplib';
import { decodeBody } from '../codec/codec.js';
import { KaelError } from '../errors.js';
import type { CommandAuth, CommandMessage } from '../model/command-message.js';

/**
 * Reads a command from a message.
 * @throws KaelError `DECODE_ERROR` when the body is not a command.
 */
export function readCommand(msg: ConsumeMessage): CommandMessage {
  const body = decodeBody(msg.content, msg.properties.contentType as string | undefined);
  if (body === null || typeof body !== 'object')
    throw new KaelError('DECODE_ERROR', 'command body must be a map {fn, kwargs}');
  const b = body as Record<string, unknown>;
  const kwargs = b['kwargs'] ?? {};
  if (typeof b['fn'] !== 'string' || kwargs === null || typeof kwargs !== 'object' || Array.isArray(kwargs)) {
    throw new KaelError('DECODE_ERROR', 'command body must be {fn: string, kwargs: map}');
  }
  const out: CommandMessage = { fn: b['fn'], kwargs: kwargs as Record<string, unknown> };
  const id = b['id'] ?? undefined;
  const notId = b['notId'] ?? undefined;
  if (id !== undefined && typeof id !== 'string')
    throw new KaelError('DECODE_ERROR', 'command id must be a string');
  if (notId !== undefined && !Array.isArray(notId))
    throw new KaelError('DECODE_ERROR', 'command notId must be a list of frame ids');
  const requestId = b['requestId'] ?? undefined;
  if (requestId !== undefined && (typeof requestId !== 'string' || requestId.length > 64))
    throw new KaelError('DECODE_ERROR', 'command requestId must be a string of at most 64 characters');
  if (requestId !== undefined) out.requestId = requestId;
  if (id !== undefined) out.id = id;
  if (notId !== undefined) out.notId = (notId as unknown[]).map(String);
  // The verifier checks every field of the signature; here it only has to be a map.
  if (b['auth'] !== null && typeof b['auth'] === 'object' && !Array.isArray(b['auth']))
    out.auth = b['auth'] as CommandAuth;
  return out;
}
