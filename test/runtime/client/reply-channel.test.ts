import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import amqp from 'amqplib';
import type { Channel, ChannelModel } from 'amqplib';
import { AURI } from '../../support/broker.js';
import { KaelError } from '@kael/runtime';
import type { ServiceProxy } from '@kael/runtime';
import { frameWithClient, testClient, TOOLS_SERVICE } from '../../support/frames.js';
import type { FrameAndClient } from '../../support/frames.js';
import { until } from '../../support/wait.js';

interface Tools {
  tools__add(a: number, b: number): Promise<number>;
  tools__slow(ms: number): Promise<number>;
}

interface Requests {
  channel: Channel | undefined;
  replyChannel: Channel | undefined;
  replyTo: string;
}

/** The client's request channel and where its replies go (internal: the tests close them from the broker side). */
function requests(client: object): Requests {
  return (client as { requests: Requests }).requests;
}

/** The client's shared request channel. */
function replyChannel(client: object): Channel | undefined {
  return requests(client).channel;
}

/** Calls that fail with CONNECTION_LOST or are retried when a channel goes, and later calls succeed. */
async function survivesLoss(client: ServiceProxy<Tools>, lose: () => Promise<unknown>): Promise<void> {
  assert.equal(await client.tools__add(1, 2), 3);
  const first = replyChannel(client);
  assert.ok(first !== undefined);
  const plain = client.call('tools__slow', [300]).then(
    () => undefined,
    (e: unknown) => e,
  );
  const retried = client.call('tools__slow', [300], { retry: true });
  await lose();
  const error = await plain;
  assert.ok(error instanceof KaelError, `a KaelError, not ${String(error)}`);
  assert.equal(error.code, 'CONNECTION_LOST');
  assert.equal(typeof (await retried), 'number');
  await until('the channels to be reopened', () =>
    Promise.resolve(replyChannel(client) !== undefined && replyChannel(client) !== first ? true : undefined),
  );
  assert.deepEqual(
    await Promise.all(Array.from({ length: 50 }, (_, i) => client.tools__add(i, 1))),
    Array.from({ length: 50 }, (_, i) => i + 1),
  );
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
    // A passive declare of a missing queue makes the broker close the channel (404), as a
    // broker-side channel error would.
    await survivesLoss(client, () =>
      // The provoked failure: the broker refuses the declare and closes that channel.
      assert.rejects((replyChannel(client) as Channel).checkQueue('kael.no-such-queue'), /404/),
    );
  });

  it('takes replies on a reply queue of its own, reopened with the request channel when the broker closes it', async () => {
    assert.match(requests(client).replyTo, /^amq\.gen-/);
    await survivesLoss(client, () =>
      // The provoked failure: the broker refuses the declare and closes that channel.
      assert.rejects((requests(client).replyChannel as Channel).checkQueue('kael.no-such-queue'), /404/),
    );
    assert.match(requests(client).replyTo, /^amq\.gen-/);
  });

  it('opens a new reply queue when its queue is deleted under it', async () => {
    const old = requests(client).replyTo;
    await survivesLoss(client, async () => {
      // Only the client's own connection may delete its exclusive queue (others get RESOURCE_LOCKED).
      const conn = (client as unknown as { broker: { current: ChannelModel } }).broker.current;
      const ch = await conn.createChannel();
      await ch.deleteQueue(old);
      await ch.close();
    });
    assert.notEqual(requests(client).replyTo, old);
  });

  it('keeps its reply queue from every other connection', async () => {
    const conn = await amqp.connect(AURI);
    // The broker's refusals close channels, never this connection: any error it reports fails the test.
    const connectionErrors: string[] = [];
    conn.on('error', (e: Error) => connectionErrors.push(e.message));
    try {
      for (const attempt of [
        (ch: Channel) => ch.consume(requests(client).replyTo, () => undefined),
        (ch: Channel) => ch.deleteQueue(requests(client).replyTo),
      ]) {
        const ch = await conn.createChannel();
        const channelErrors: string[] = [];
        ch.on('error', (e: Error) => channelErrors.push(e.message));
        await assert.rejects(attempt(ch), /RESOURCE.LOCKED/);
        // The same refusal, as the channel reports it when the broker closes it.
        assert.match(channelErrors.join('\n'), /RESOURCE.LOCKED/);
      }
    } finally {
      await conn.close();
    }
    assert.deepEqual(connectionErrors, []);
    assert.equal(await client.tools__add(2, 2), 4);
  });

  it('takes replies through direct reply-to when asked to', async () => {
    const direct = await testClient<Tools>(setup.namespace, { directReplyTo: true });
    try {
      assert.equal(requests(direct).replyTo, 'amq.rabbitmq.reply-to');
      assert.equal(requests(direct).replyChannel, undefined);
      assert.equal(await direct.tools__add(2, 3), 5);
    } finally {
      await direct.close();
    }
  });
});
