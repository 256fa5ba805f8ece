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

/**
 * The media type of a `content_type` property: parameters dropped, lower case, so
 * `application/json; charset=utf-8` (what many HTTP-minded AMQP clients send) is JSON.
 */
export function mediaType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  return contentType.split(';', 1)[0]?.trim().toLowerCase();
}

/** The content type to answer a message with: JSON when the request was JSON, else msgpack. */
export function replyContentType(requestType: string | undefined): ContentType {
  return requestType === JSON_TYPE || mediaType(requestType) === JSON_TYPE ? JSON_TYPE : MSGPACK;
}

/**
 * Encodes a value for the wire.
 * @throws KaelError `ENCODE_ERROR` when the value cannot be encoded (functions, symbols, cycles, BigInt in JSON).
 */
export function encodeBody(value: unknown, contentType: ContentType = MSGPACK): Buffer {
  try {
    if (contentType === JSON_TYPE) return Buffer.from(stringifyJson(value), 'utf8');
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
 * Decodes a wire body by its media type (parameters such as `charset` ignored); an absent or other
 * content type is tried as msgpack, then as JSON (foreign publishers).
 * @throws KaelError `DECODE_ERROR` when the body is not valid in its encoding.
 */
export function decodeBody(body: Buffer, contentType: string | undefined): unknown {
  // The exact strings first: they are what nearly every message carries.
  const type = contentType === JSON_TYPE || contentType === MSGPACK ? contentType : mediaType(contentType);
  try {
    if (type === JSON_TYPE) return parseJson(body);
    if (type === MSGPACK) return msgpackDecode(body);
    try {
      return msgpackDecode(body);
    } catch {
      return parseJson(body);
    }
  } catch (e) {
    throw new KaelError(
      'DECODE_ERROR',
      `cannot decode ${body.length}-byte body as ${contentType ?? 'msgpack or JSON'}: ${(e as Error).message}`,
      { cause: e },
    );
  }
}

/**
 * JSON has no bytes: binary values travel as `{"__kael_bytes__": "<base64>"}` in JSON bodies, the
 * same tag the Python worker's channel uses, and are read back as bytes.
 */
export const BYTES_TAG = '__kael_bytes__';

function bytesOf(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * The JSON text of a value. A value with nothing to treat apart (see {@link needsReplacer}) takes a
 * plain `JSON.stringify`: with a replacer V8 calls back into JavaScript for every value, which costs
 * more than the rest of encoding a small call (a 1 KB string argument: about a third more).
 */
function stringifyJson(value: unknown): string {
  containersLeft = MAX_PLAIN_CONTAINERS;
  const text = needsReplacer(value, 0) ? JSON.stringify(value, jsonReplacer) : JSON.stringify(value);
  return text ?? 'null';
}

/** Deeper values, or values with more arrays and objects, take the replacer (a cycle among them). */
const MAX_PLAIN_DEPTH = 100;
const MAX_PLAIN_CONTAINERS = 10_000;
// Compared by identity only, never called unbound.
// eslint-disable-next-line @typescript-eslint/unbound-method
const DATE_TO_JSON = Date.prototype.toJSON;
/** Arrays and objects the current walk may still look at. */
let containersLeft = 0;

/**
 * True when `v` holds a value the replacer must see: bytes, a function or symbol (refused), an
 * object with its own `toJSON` other than a date's (what it returns is not known here), or more
 * nesting or containers than the walk looks at (a cycle ends there too). Reads the members
 * `JSON.stringify` reads: array elements, and own enumerable keys of objects.
 */
function needsReplacer(v: unknown, depth: number): boolean {
  if (typeof v !== 'object') return typeof v === 'function' || typeof v === 'symbol';
  if (v === null) return false;
  if (depth >= MAX_PLAIN_DEPTH || --containersLeft < 0 || ArrayBuffer.isView(v)) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (needsReplacer(v[i] as unknown, depth + 1)) return true;
    return false;
  }
  const toJson = (v as { toJSON?: unknown }).toJSON;
  if (toJson !== undefined) return toJson !== DATE_TO_JSON;
  for (const k in v) {
    if (Object.hasOwn(v, k) && needsReplacer((v as Record<string, unknown>)[k], depth + 1)) return true;
  }
  return false;
}

/** Refuses functions and symbols, and writes bytes as the tagged base64 map. */
function jsonReplacer(this: Record<string, unknown>, k: string, v: unknown): unknown {
  if (typeof v === 'function' || typeof v === 'symbol') throw new TypeError(`cannot encode a ${typeof v}`);
  // `v` is already what toJSON made of a Buffer ({type, data}); the holder still has the bytes.
  const raw = this[k];
  if (ArrayBuffer.isView(raw)) return { [BYTES_TAG]: bytesOf(raw).toString('base64') };
  return v;
}

// The reviver runs only when the tag occurs: it costs a callback per value.
function parseJson(body: Buffer): unknown {
  const text = body.toString('utf8');
  return JSON.parse(text, text.includes(BYTES_TAG) ? bytesReviver : undefined) as unknown;
}

function bytesReviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const tagged = (value as Record<string, unknown>)[BYTES_TAG];
    if (typeof tagged === 'string' && Object.keys(value).length === 1) return Buffer.from(tagged, 'base64');
  }
  return value;
}
