import type { KaelErrorCode } from '../errors.js';

/** Codes a reply may carry that reach the caller as they are; any other becomes REMOTE_ERROR. */
const PASSED_THROUGH: ReadonlySet<string> = new Set<KaelErrorCode>([
  'INVALID_ARGS',
  'ENCODE_ERROR',
  'DECODE_ERROR',
  'COMMAND_UNKNOWN',
  'UNAUTHORIZED',
  'WORKER_CRASHED',
  'REQUEST_TOO_LARGE',
  'REPLY_TOO_LARGE',
]);

/**
 * The caller-side code of an error reply: the codes kael itself gives (a bad argument, a reply over
 * the frame's limit, a worker that died) keep their code, so callers can branch on them; whatever the
 * function threw is REMOTE_ERROR.
 */
export function replyErrorCode(code: string): KaelErrorCode {
  return PASSED_THROUGH.has(code) ? (code as KaelErrorCode) : 'REMOTE_ERROR';
}
