import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import amqp from 'amqplib';
import { names } from '@kael/runtime';
import { AURI, deleteNamespace, randomNamespace } from '../../support/broker.js';
import { frameWithClient, TOOLS_SERVICE } from '../../support/frames.js';
import type { FrameAndClient } from '../../support/frames.js';
import { until } from '../../support/wait.js';

/** Runs `fn` on a channel of a fresh connection to the test broker. */
async function onBroker<T>(fn: (ch: amqp.Channel) => Promise<T>): Promise<T> {
  const conn = await amqp.connect(AURI, { noDelay: true });
  conn.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
  try {
    const ch = await conn.createChannel();
    ch.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
    return await fn(ch);
  } finally {
    await conn.close().catch(() => undefined); // expected in a test (cleanup or a provoked failure); the outcome is asserted elsewhere
  }
}

describe('a worker whose queue is deleted under it', () => {
  let setup: FrameAndClient<Record<never, never>>;

  before(async () => {
    setup = await frameWithClient({ tools: TOOLS_SERVICE }, { processes: 2 });
  });
  after(async () => {
    await setup.client.close();
    await setup.close();
  });

  it('declares the queue again and consumes it, and calls succeed again', async () => {
    const queue = names.serviceQueue(setup.namespace, 'tools__add');
    await onBroker((ch) => ch.deleteQueue(queue));
    const consumers = await until(
      'both workers consuming the queue again',
      async () => {
        const n = await onBroker(async (ch) => (await ch.checkQueue(queue)).consumerCount).catch(() => 0);
        return n === 2 ? n : undefined;
      },
      10_000,
      100,
    );
    assert.equal(consumers, 2);
    assert.equal(await setup.client.call('tools__add', [20, 22]), 42);
  });
});

describe('a namespace whose dead-letter queue cannot be declared', () => {
  // In a cluster the durable dead-letter queue cannot be declared while its node is down (404); here
  // the broker refuses the declaration because the queue exists with other arguments (406). Either
  // way only poison calls need it: the workers must serve, and a restart must complete.
  const namespace = randomNamespace();
  let setup: FrameAndClient<Record<never, never>>;

  before(async () => {
    await onBroker((ch) => ch.assertQueue(names.deadLetters(namespace), { durable: true }));
    setup = await frameWithClient({ tools: TOOLS_SERVICE }, { name: namespace });
  });
  after(async () => {
    await setup.client.close();
    await setup.close();
    await deleteNamespace(namespace);
  });

  it('serves calls, and a restart completes', async () => {
    assert.equal(await setup.client.call('tools__add', [20, 22]), 42);
    const results = await setup.client.restart('service', { timeoutMs: 20_000 });
    assert.equal(Object.values(results)[0]?.ok, true, JSON.stringify(results));
    assert.equal(await setup.client.call('tools__add', [1, 2]), 3);
  });
});
