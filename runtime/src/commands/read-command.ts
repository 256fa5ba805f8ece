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
  if (Array.isArray(b['notId'])) out.notId = (b['notId'] as unknown[]).map(String);
  if (b['auth'] !== null && typeof b['auth'] === 'object') out.auth = b['auth'] as CommandAuth;
  return out;
}
