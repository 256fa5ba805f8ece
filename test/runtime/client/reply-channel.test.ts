import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Channel } from 'amqplib';
import { KaelError } from '@kael/runtime';
import type { ServiceProxy } from '@kael/runtime';
import { frameWithClient, TOOLS_SERVICE } from '../../support/frames.js';
import type { FrameAndClient } from '../../support/frames.js';
import { until } from '../../support/wait.js';

interface Tools {
  tools__add(a: number, b: number): Promise<number>;
  tools__slow(ms: number): Promise<number>;
}

/** The client's shared reply channel (internal: the test closes it from the broker side). */
function replyChannel(client: object): Channel | undefined {
  return (client as { requests: { channel: Channel | undefined } }).requests.channel;
}

describe("the client's shared reply channel", () => {
  let setup: FrameAndClient<Tools>;
  let client: ServiceProxy<Tools>;

  before(async () => {
    setup = await frameWithClient<Tools>({ tools: TOOLS_SERVICE }, { processes: 2 });
    client = setup.client;
  });
  after(async () => {
    await setup.close();
  });

  it('is reopened when the broker closes it: waiting calls fail with CONNECTION_LOST or are retried, later calls succeed', async () => {
    assert.equal(await client.tools__add(1, 2), 3);
    const first = replyChannel(client);
    assert.ok(first !== undefined);
    const plain = client.call('tools__slow', [300]).then(
      () => undefined,
      (e: unknown) => e,
    );
    const retried = client.call('tools__slow', [300], { retry: true });
    // A passive declare of a missing queue makes the broker close the channel (404), as a
    // broker-side channel error would.
    await first.checkQueue('kael.no-such-queue').catch(() => undefined); // expected in a test (cleanup or a provoked failure); the outcome is asserted elsewhere
    const error = await plain;
    assert.ok(error instanceof KaelError, `a KaelError, not ${String(error)}`);
    assert.equal(error.code, 'CONNECTION_LOST');
    assert.equal(typeof (await retried), 'number');
    await until('the reply channel to be reopened', () =>
      Promise.resolve(
        replyChannel(client) !== undefined && replyChannel(client) !== first ? true : undefined,
      ),
    );
    assert.deepEqual(
      await Promise.all(Array.from({ length: 50 }, (_, i) => client.tools__add(i, 1))),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
  });
});
