import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import amqp from 'amqplib';
import { decode, encode } from '@msgpack/msgpack';
import { KaelError, names } from '@kael/runtime';
import type { ServiceProxy } from '@kael/runtime';
import { AURI, deleteNamespace, randomNamespace } from '../../support/broker.js';
import { frameWithClient, testClient, TOOLS_SERVICE } from '../../support/frames.js';
import type { FrameAndClient } from '../../support/frames.js';

interface Tools {
  tools__add(a: number, b: number): Promise<number>;
  tools__echo(x: unknown): Promise<unknown>;
}

/** Messages waiting in a queue (a passive declare on a throwaway channel). */
async function messagesIn(queue: string): Promise<number> {
  const conn = await amqp.connect(AURI);
  conn.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
  try {
    const ch = await conn.createChannel();
    ch.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
    return (await ch.checkQueue(queue)).messageCount;
  } finally {
    await conn.close();
  }
}

describe('calls checked before publishing', () => {
  let setup: FrameAndClient<Tools>;
  let client: ServiceProxy<Tools>;

  before(async () => {
    setup = await frameWithClient<Tools>({ tools: TOOLS_SERVICE });
    client = setup.client;
  });
  after(async () => {
    await setup.close();
  });

  it('fails a request over maxRequestBytes with REQUEST_TOO_LARGE and publishes nothing', async () => {
    const small = await testClient<Tools>(setup.namespace, { maxRequestBytes: 1000 });
    // A bound queue nobody reads: anything published to it would stay there.
    const queue = names.serviceQueue(setup.namespace, 'idle__echo');
    const conn = await amqp.connect(AURI);
    conn.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
    try {
      const ch = await conn.createChannel();
      ch.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
      await ch.assertQueue(queue, {
        durable: false,
        autoDelete: false,
        arguments: { 'x-expires': 30 * 60_000 },
      });
      await ch.bindQueue(queue, names.callExchange(setup.namespace), queue);
      const error = await small.call('idle__echo', ['x'.repeat(2000)]).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(error instanceof KaelError);
      assert.equal(error.code, 'REQUEST_TOO_LARGE');
      assert.ok((error.details?.['bytes'] as number) > 1000);
      assert.equal(error.details?.['limit'], 1000);
      assert.equal(await messagesIn(queue), 0, 'nothing was published');
    } finally {
      await small.close();
      await conn.close();
    }
  });

  it('fails a request over the default limit (16 MiB) with REQUEST_TOO_LARGE', async () => {
    await assert.rejects(client.call('tools__echo', [Buffer.alloc(17 * 1024 * 1024)]), {
      code: 'REQUEST_TOO_LARGE',
    });
    assert.equal(await client.tools__add(1, 2), 3);
  });

  it('fails a timeout outside the broker expiration range with OPTION_INVALID', async () => {
    for (const timeoutMs of [1e12, -1, 0, Number.NaN, Infinity])
      await assert.rejects(client.call('tools__add', [1, 2], { timeoutMs }), { code: 'OPTION_INVALID' });
    assert.equal(await client.call('tools__add', [1, 2], { timeoutMs: 4_294_967_295 }), 3);
  });

  it('refuses client options out of range with OPTION_INVALID', async () => {
    await assert.rejects(testClient(setup.namespace, { timeoutMs: 1e12 }), { code: 'OPTION_INVALID' });
    await assert.rejects(testClient(setup.namespace, { maxRequestBytes: 0 }), { code: 'OPTION_INVALID' });
  });

  it('keeps 100 concurrent good calls working amid an oversized request and a 1e12 ms timeout', async () => {
    const good = Array.from({ length: 100 }, (_, i) => client.tools__add(i, 1));
    const big = client.call('tools__echo', [Buffer.alloc(17 * 1024 * 1024)]);
    const forever = client.call('tools__add', [1, 2], { timeoutMs: 1e12 });
    const more = Array.from({ length: 100 }, (_, i) => client.tools__add(i, 2));
    await assert.rejects(big, { code: 'REQUEST_TOO_LARGE' });
    await assert.rejects(forever, { code: 'OPTION_INVALID' });
    assert.deepEqual(await Promise.all([...good, ...more]), [
      ...Array.from({ length: 100 }, (_, i) => i + 1),
      ...Array.from({ length: 100 }, (_, i) => i + 2),
    ]);
  });
});

describe('an error reply of a frame', () => {
  it('reaches the caller with REPLY_TOO_LARGE when the frame says the reply was too large', async () => {
    // A foreign server speaking the wire protocol: it answers every call with REPLY_TOO_LARGE.
    const ns = randomNamespace();
    const queue = names.serviceQueue(ns, 'big__make');
    const conn = await amqp.connect(AURI, { noDelay: true });
    conn.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
    const client = await testClient(ns);
    try {
      const ch = await conn.createChannel();
      ch.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
      await ch.assertExchange(names.callExchange(ns), 'direct', { durable: false, autoDelete: false });
      await ch.assertQueue(queue, {
        durable: false,
        autoDelete: false,
        arguments: { 'x-expires': 30 * 60_000 },
      });
      await ch.bindQueue(queue, names.callExchange(ns), queue);
      await ch.consume(queue, (msg) => {
        if (msg === null) return;
        assert.ok(Array.isArray(decode(msg.content)));
        const reply = encode({
          ok: false,
          error: { code: 'REPLY_TOO_LARGE', name: 'KaelError', message: 'the reply is 20000000 bytes' },
        });
        ch.publish('', msg.properties.replyTo as string, Buffer.from(reply), {
          correlationId: msg.properties.correlationId as string,
          contentType: 'application/msgpack',
        });
        ch.ack(msg);
      });
      await assert.rejects(client.call('big__make', [1]), { code: 'REPLY_TOO_LARGE' });
      const outcome = await client.callDetailed('big__make', [1]);
      assert.equal(outcome.reply.ok, false);
    } finally {
      await client.close();
      await conn.close();
      await deleteNamespace(ns);
    }
  });
});
