import { KaelError } from '../errors.js';

/**
 * The largest per-message TTL RabbitMQ accepts in the `expiration` property (2^32 - 1 ms, about
 * 49.7 days). A larger, negative or non-numeric value makes the broker close the publishing channel,
 * so a call timeout outside 1 … this value is refused before anything is published.
 */
export const MAX_EXPIRATION_MS = 4_294_967_295;

/**
 * Checks a call timeout before it becomes the request's `expiration`.
 * @throws KaelError `OPTION_INVALID` unless `timeoutMs` is a finite number in 1 … {@link MAX_EXPIRATION_MS}.
 */
export function checkTimeout(timeoutMs: number, label: string): void {
  if (typeof timeoutMs === 'number' && Number.isFinite(timeoutMs) && timeoutMs > 0) {
    if (Math.ceil(timeoutMs) <= MAX_EXPIRATION_MS) return;
  }
  throw new KaelError(
    'OPTION_INVALID',
    `${label}: timeoutMs must be a number of milliseconds from 1 to ${MAX_EXPIRATION_MS} (got ${String(timeoutMs)})`,
    { details: { option: 'timeoutMs', value: String(timeoutMs), max: MAX_EXPIRATION_MS } },
  );
}

/**
 * Checks an encoded request body against the caller's limit.
 * @throws KaelError `REQUEST_TOO_LARGE` when `bytes` exceeds `maxBytes`.
 */
export function checkRequestSize(bytes: number, maxBytes: number, label: string): void {
  if (bytes <= maxBytes) return;
  throw new KaelError(
    'REQUEST_TOO_LARGE',
    `${label}: the request is ${bytes} bytes, over the limit of ${maxBytes} bytes (maxRequestBytes)`,
    { details: { bytes, limit: maxBytes } },
  );
}

/**
 * Checks a size limit given as an option (maxRequestBytes).
 * @throws KaelError `OPTION_INVALID` unless `value` is a positive integer.
 */
export function checkLimitOption(name: string, value: number): number {
  if (Number.isSafeInteger(value) && value > 0) return value;
  throw new KaelError(
    'OPTION_INVALID',
    `${name} must be a positive whole number of bytes (got ${String(value)})`,
    {
      details: { option: name, value: String(value) },
    },
  );
}
