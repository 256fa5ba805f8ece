import type { Logger } from './logger.js';

/**
 * Waits for a step whose failure changes nothing the caller could act on — closing a channel that may
 * already be closed, answering a peer that may be gone, a shutdown request to a process that may have
 * exited — and logs a failure at debug with `what` instead of throwing it. Also marks a promise that is
 * awaited later as handled, so its rejection is not reported as unhandled in between.
 *
 * Use it instead of an empty `.catch()`: the lint rule `no-restricted-syntax` rejects those, so a
 * failure always leaves a trace in the debug log.
 * @param work the promise (or a function starting it; a synchronous throw is handled the same way)
 * @param logger the logger of the component doing the step
 * @param what what was attempted, e.g. `'close the agent channel'`
 */
export async function bestEffort(
  work: Promise<unknown> | (() => unknown),
  logger: Pick<Logger, 'debug'>,
  what: string,
): Promise<void> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (e) {
    logger.debug(`${what} failed (ignored)`, { error: e instanceof Error ? e.message : String(e) });
  }
}
