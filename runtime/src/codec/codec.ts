import { Decoder, Encoder } from '@msgpack/msgpack';
import { KaelError } from '../errors.js';

/** Content type of kael's default body encoding. */
export const MSGPACK = 'application/msgpack';
/** Content type of JSON bodies (accepted from foreign callers and answered in kind). */
export const JSON_TYPE = 'application/json';

// One encoder and decoder for the process: creating them per message costs a buffer allocation each.
const encoder = new Encoder({ ignoreUndefined: false });
const decoder = new Decoder();
const msgpackEncode = (value: unknown): Uint8Array => encoder.encode(value);
const msgpackDecode = (body: Uint8Array): unknown => decoder.decode(body);

/** The encodings kael reads and writes. */
export type ContentType = typeof MSGPACK | typeof JSON_TYPE;

/** The content type to answer a message with: JSON when the request was JSON, else msgpack. */
export function replyContentType(requestType: string | undefined): ContentType {
  return requestType === JSON_TYPE ? JSON_TYPE : MSGPACK;
}

/**
 * Encodes a value for the wire.
 * @throws KaelError `ENCODE_ERROR` when the value cannot be encoded (functions, symbols, cycles, BigInt in JSON).
 */
export function encodeBody(value: unknown, contentType: ContentType = MSGPACK): Buffer {
  try {
    if (contentType === JSON_TYPE) {
      const text = JSON.stringify(value, (_k, v: unknown) => {
        if (typeof v === 'function' || typeof v === 'symbol')
          throw new TypeError(`cannot encode a ${typeof v}`);
        return v;
      });
      return Buffer.from(text ?? 'null', 'utf8');
    }
    // The encoder itself refuses functions, symbols, BigInt and nesting deeper than 100 levels (a
    // reference cycle), so no walk over the value before encoding is needed.
    const bytes = msgpackEncode(value);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (e) {
    if (e instanceof KaelError) throw e;
    throw new KaelError('ENCODE_ERROR', `cannot encode value as ${contentType}: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

/**
 * Decodes a wire body; an absent content type is tried as msgpack, then as JSON (foreign publishers).
 * @throws KaelError `DECODE_ERROR` when the body is not valid in its encoding.
 */
export function decodeBody(body: Buffer, contentType: string | undefined): unknown {
  try {
    if (contentType === JSON_TYPE) return JSON.parse(body.toString('utf8')) as unknown;
    if (contentType === MSGPACK) return msgpackDecode(body);
    try {
      return msgpackDecode(body);
    } catch {
      return JSON.parse(body.toString('utf8')) as unknown;
    }
  } catch (e) {
    throw new KaelError(
      'DECODE_ERROR',
      `cannot decode ${body.length}-byte body as ${contentType ?? 'msgpack or JSON'}: ${(e as Error).message}`,
      { cause: e },
    );
  }
}
