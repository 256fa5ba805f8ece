import type { KaelClient } from './kael-client.js';

/**
 * Reads how many messages wait in a namespace's dead-letter queue; `undefined` when the client
 * cannot tell (a runtime without dead letters). Injectable so sessions run under node:test.
 */
export type DeadLetterReader = (client: KaelClient) => Promise<number | undefined>;

/** What a dead-letter method of the runtime's client may answer: a count, the messages, or a summary. */
type DeadLetterAnswer = number | readonly unknown[] | { count: number };

/**
 * The default {@link DeadLetterReader}: asks the client's `deadLetters()` when the client has one.
 * The method is optional on purpose: the extension runs against runtimes with and without dead
 * letters, and lights the count up as soon as the client offers it. A count, a list of messages
 * (its length) or `{ count }` are understood; anything else counts as "cannot tell".
 */
export async function readDeadLetters(client: KaelClient): Promise<number | undefined> {
  const method = (client as { deadLetters?: unknown }).deadLetters;
  if (typeof method !== 'function') return undefined;
  const answer = (await (method as () => Promise<unknown>).call(client)) as DeadLetterAnswer | undefined;
  if (typeof answer === 'number') return answer;
  if (Array.isArray(answer)) return answer.length;
  if (typeof answer === 'object' && typeof (answer as { count?: unknown }).count === 'number')
    return (answer as { count: number }).count;
  return undefined;
}
