import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import amqp from 'amqplib';
import { decode, encode } from '@msgpack/msgpack';
import { BrokerConnection, connectClient, createLogger, names } from '@kael/runtime';
import { RequestChannel } from '@kael/runtime/rpc/request-channel';
import type { RemoteError, ServiceProxy } from '@kael/runtime';
import { AURI } from '../../support/broker.js';
import { frameWithClient, TOOLS_SERVICE } from '../../support/frames.js';
import type { FrameAndClient } from '../../support/frames.js';
import { until } from '../../support/wait.js';

interface Tools {
  tools__add(a: unknown, b: unknown): Promise<number>;
  tools__fail(): Promise<never>;
  tools__failAsync(): Promise<never>;
  tools__fn(): Promise<unknown>;
  tools__echo(x: unknown): Promise<unknown>;
  tools__slow(ms: number): Promise<number>;
  nothing__here(): Promise<unknown>;
}

/** Publishes a raw message from a foreign publisher and returns the reply body, if any. */
async function rawRequest(
  queue: string,
  body: Buffer,
  contentType?: string,
): Promise<{ content: Buffer; contentType: string | undefined } | undefined> {
  const conn = await amqp.connect(AURI, { noDelay: true });
  conn.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
  try {
    const ch = await conn.createChannel();
    ch.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
    const reply = new Promise<{ content: Buffer; contentType: string | undefined } | undefined>((resolve) => {
      setTimeout(() => resolve(undefined), 3000).unref();
      void ch.consume(
        'amq.rabbitmq.reply-to',
        (m) =>
          m !== null &&
          resolve({ content: m.content, contentType: m.properties.contentType as string | undefined }),
        { noAck: true },
      );
    });
    await new Promise((r) => setImmediate(r));
    ch.publish('', queue, body, {
      replyTo: 'amq.rabbitmq.reply-to',
      correlationId: 'raw-1',
      ...(contentType === undefined ? {} : { contentType }),
    });
    return await reply;
  } finally {
    await conn.close();
  }
}

describe('calling services', () => {
  let ns: string;
  let client: ServiceProxy<Tools>;
  let setup: FrameAndClient<Tools>;

  before(async () => {
    setup = await frameWithClient<Tools>({ tools: TOOLS_SERVICE });
    ({ namespace: ns, client } = setup);
  });

  after(async () => {
    await setup.close();
  });

  it('returns the value of client.<base>__<fn>(...)', async () => {
    assert.equal(await client.tools__add(1, 2), 3);
    assert.equal(await client.call('tools__add', [2, 3], { timeoutMs: 5000 }), 5);
  });

  it('passes keyword arguments as a last object argument', async () => {
    assert.deepEqual(await client.call('tools__kw', [1], { kwargs: { scale: 2 } }), {
      a: 1,
      kw: { scale: 2 },
    });
  });

  it('carries a thrown error back as REMOTE_ERROR with its name and message, without the stack', async () => {
    await assert.rejects(client.tools__fail(), (e: RemoteError) => {
      assert.equal(e.code, 'REMOTE_ERROR');
      assert.equal(e.remote.name, 'TypeError');
      assert.equal(e.remote.message, 'bad input');
      assert.equal(e.remote.stack, undefined);
      return true;
    });
    await assert.rejects(
      client.tools__failAsync(),
      (e: RemoteError) => e.code === 'REMOTE_ERROR' && e.remote.name === 'RangeError',
    );
  });

  it('fails with SERVICE_NOT_FOUND at once, not after the timeout', async () => {
    const t = Date.now();
    await assert.rejects(client.call('nothing__here', [], { timeoutMs: 10_000 }), {
      code: 'SERVICE_NOT_FOUND',
    });
    assert.ok(Date.now() - t < 2000, `took ${Date.now() - t} ms`);
  });

  it('fails with RPC_TIMEOUT when no answer comes in time', async () => {
    await assert.rejects(client.call('tools__slow', [1500], { timeoutMs: 200 }), { code: 'RPC_TIMEOUT' });
  });

  it('validates arguments against the package args schema', async () => {
    await assert.rejects(client.tools__add('one', 2), { code: 'INVALID_ARGS' });
  });

  it('fails with ENCODE_ERROR for arguments that cannot be encoded, and the frame keeps serving', async () => {
    await assert.rejects(
      client.tools__echo(() => 1),
      { code: 'ENCODE_ERROR' },
    );
    await assert.rejects(client.tools__fn(), (e: RemoteError) => e.remote.code === 'ENCODE_ERROR');
    assert.equal(await client.tools__add(1, 1), 2);
  });

  it('answers a JSON request in JSON', async () => {
    const reply = await rawRequest(
      names.serviceQueue(ns, 'tools__add'),
      Buffer.from(JSON.stringify([[4, 5], {}])),
      'application/json',
    );
    assert.equal(reply?.contentType, 'application/json');
    assert.deepEqual(JSON.parse(reply?.content.toString() ?? ''), { ok: true, value: 9 });
  });

  it('rejects garbage from a foreign publisher with a DECODE_ERROR reply and keeps serving', async () => {
    const queue = names.serviceQueue(ns, 'tools__add');
    const garbage = await rawRequest(queue, Buffer.from([0xc1, 0xff, 0x00, 0x13]));
    assert.equal(
      (decode(garbage?.content ?? new Uint8Array()) as { error: { code: string } }).error.code,
      'DECODE_ERROR',
    );
    const wrongShape = await rawRequest(queue, Buffer.from(encode({ not: 'a call' })), 'application/msgpack');
    assert.equal(
      (decode(wrongShape?.content ?? new Uint8Array()) as { error: { code: string } }).error.code,
      'DECODE_ERROR',
    );
    assert.equal(await client.tools__add(2, 2), 4);
  });

  it('fails with BROKER_UNAVAILABLE when RabbitMQ cannot be reached', async () => {
    await assert.rejects(connectClient({ name: ns, auri: 'amqp://guest:guest@127.0.0.1:1' }), {
      code: 'BROKER_UNAVAILABLE',
    });
  });
});

describe('the reply channel', () => {
  it('comes back by itself after a channel error, without a reconnect', async () => {
    const setup = await frameWithClient({ tools: TOOLS_SERVICE });
    const broker = new BrokerConnection({ url: AURI, logger: createLogger('test', 'silent') });
    const requests = new RequestChannel(broker, createLogger('test', 'silent'));
    try {
      await broker.start();
      await requests.start();
      // Publishing to an exchange that does not exist makes the broker close the channel (404).
      await assert.rejects(requests.call('kael.no-such-exchange', 'x', [], { timeoutMs: 2000 }), {
        code: 'CONNECTION_LOST',
      });
      const queue = names.serviceQueue(setup.namespace, 'tools__add');
      const result = await until(
        'the reply channel to come back',
        // A failed attempt means "not back yet": until() asks again.
        async () =>
          (await requests.call('', queue, [[1, 2], {}], { timeoutMs: 1000 }).catch(() => undefined)) as
            number | undefined,
        5000,
        100,
      );
      assert.equal(result, 3);
    } finally {
      await requests.close();
      await broker.close();
      await setup.close();
    }
  });
});
