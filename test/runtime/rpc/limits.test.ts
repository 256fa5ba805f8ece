import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import amqp from 'amqplib';
import { decode, encode } from '@msgpack/msgpack';
import { names } from '@kael/runtime';
import type { RemoteError } from '@kael/runtime';
import { DEFAULT_MESSAGE_LIMITS } from '@kael/runtime/model/message-limits';
import { AURI } from '../../support/broker.js';
import { frameWithClient } from '../../support/frames.js';
import type { FrameAndClient } from '../../support/frames.js';

/** A service whose replies can be made as large as asked, and whose functions throw odd things. */
const BIG_SERVICE: Record<string, string> = {
  'setting.yaml':
    'type: service\nservice_base_name: big\nversion: 1.0\npublish: [add, big, throwNull, throwString, throwUndefined, throwCyclic, rejectNull]\n',
  'index.js': [
    "'use strict';",
    'exports.add = (a, b) => a + b;',
    "exports.big = (n) => 'x'.repeat(n);",
    'exports.throwNull = () => { throw Object.create(null); };',
    "exports.throwString = () => { throw 'plain text'; };",
    'exports.throwUndefined = () => { throw undefined; };',
    'exports.throwCyclic = () => { const o = { a: 1 }; o.self = o; throw o; };',
    'exports.rejectNull = async () => { throw Object.create(null); };',
  ].join('\n'),
};

/** Publishes `body` as a foreign client would (plain amqplib, no size check) and returns the decoded reply. */
async function foreignCall(ns: string, service: string, body: Buffer): Promise<unknown> {
  const conn = await amqp.connect(AURI, { noDelay: true });
  conn.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
  try {
    const ch = await conn.createChannel();
    ch.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
    const reply = new Promise<unknown>((resolve, reject) => {
      setTimeout(() => reject(new Error('no reply within 20 s')), 20_000).unref();
      void ch.consume('amq.rabbitmq.reply-to', (m) => m !== null && resolve(decode(m.content)), {
        noAck: true,
      });
    });
    await new Promise((r) => setImmediate(r));
    const queue = names.serviceQueue(ns, service);
    ch.publish(names.callExchange(ns), queue, body, {
      replyTo: 'amq.rabbitmq.reply-to',
      correlationId: 'foreign-1',
      contentType: 'application/msgpack',
    });
    return await reply;
  } finally {
    await conn.close();
  }
}

/** Consumers of a service queue (a passive declare). */
async function consumers(ns: string, service: string): Promise<number> {
  const conn = await amqp.connect(AURI, { noDelay: true });
  conn.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
  try {
    const ch = await conn.createChannel();
    ch.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
    return (await ch.checkQueue(names.serviceQueue(ns, service))).consumerCount;
  } finally {
    await conn.close();
  }
}

interface Big {
  big__add(a: unknown, b: unknown): Promise<unknown>;
  big__big(n: number): Promise<string>;
}

describe('message size limits of a frame', () => {
  let setup: FrameAndClient<Big>;
  const limit = 256 * 1024;

  before(async () => {
    setup = await frameWithClient<Big>(
      { big: BIG_SERVICE },
      { limits: { maxRequestBytes: limit, maxReplyBytes: limit / 2 } },
    );
  });
  after(async () => {
    await setup.client.close();
    await setup.close();
  });

  it('answers a reply over the limit with REPLY_TOO_LARGE and keeps serving on the same consumer', async () => {
    // The case at a small scale: a request under its limit whose reply (a + b) is over its own.
    const half = 'y'.repeat(limit / 4 + 1000);
    await assert.rejects(setup.client.call('big__add', [half, half]), (e: RemoteError) => {
      assert.equal(e.remote.code, 'REPLY_TOO_LARGE');
      assert.equal(e.remote.details?.['limit'], limit / 2);
      return true;
    });
    assert.equal(await setup.client.call('big__add', [2, 3]), 5);
    assert.equal(await consumers(setup.namespace, 'big__add'), 1);
  });

  it('answers a request over the limit sent by a foreign client with REQUEST_TOO_LARGE', async () => {
    const body = Buffer.from(encode([['z'.repeat(limit + 10), 'z'], {}]));
    const reply = (await foreignCall(setup.namespace, 'big__add', body)) as {
      ok: boolean;
      error: { code: string; details: { limit: number } };
    };
    assert.equal(reply.ok, false);
    assert.equal(reply.error.code, 'REQUEST_TOO_LARGE');
    assert.equal(reply.error.details.limit, limit);
    assert.equal(await setup.client.call('big__add', [1, 1]), 2);
    assert.equal(await consumers(setup.namespace, 'big__add'), 1);
  });
});

describe('the default message size limits of a frame', () => {
  let setup: FrameAndClient<Big>;

  before(async () => {
    setup = await frameWithClient<Big>({ big: BIG_SERVICE });
  });
  after(async () => {
    await setup.client.close();
    await setup.close();
  });

  it('replace a reply just over the default limit with REPLY_TOO_LARGE', async () => {
    await assert.rejects(
      setup.client.call('big__big', [DEFAULT_MESSAGE_LIMITS.maxReplyBytes + 1], { timeoutMs: 30_000 }),
      (e: RemoteError) => e.remote.code === 'REPLY_TOO_LARGE',
    );
    assert.equal(await setup.client.call('big__big', [3]), 'xxx');
  });

  it('answer a foreign request over the default limit with REQUEST_TOO_LARGE and keep serving', async () => {
    const body = Buffer.from(encode([['w'.repeat(DEFAULT_MESSAGE_LIMITS.maxRequestBytes + 1), 'w'], {}]));
    const reply = (await foreignCall(setup.namespace, 'big__add', body)) as { error: { code: string } };
    assert.equal(reply.error.code, 'REQUEST_TOO_LARGE');
    assert.equal(await setup.client.call('big__add', [4, 5]), 9);
    assert.equal(await consumers(setup.namespace, 'big__add'), 1);
  });
});

describe('a function that throws something that is no Error', () => {
  let setup: FrameAndClient<Big>;

  before(async () => {
    setup = await frameWithClient<Big>({ big: BIG_SERVICE });
  });
  after(async () => {
    await setup.client.close();
    await setup.close();
  });

  it('gets a REMOTE_ERROR reply for each kind of thrown value, and the service keeps serving', async () => {
    const seen: [string, string][] = [];
    for (const fn of ['throwNull', 'throwString', 'throwUndefined', 'throwCyclic', 'rejectNull']) {
      await assert.rejects(setup.client.call(`big__${fn}`, [], { timeoutMs: 5000 }), (e: RemoteError) => {
        seen.push([e.code, e.remote.message]);
        return true;
      });
    }
    assert.deepEqual(seen, [
      ['REMOTE_ERROR', 'non-error thrown: {}'],
      ['REMOTE_ERROR', 'plain text'],
      ['REMOTE_ERROR', 'non-error thrown: undefined'],
      ['REMOTE_ERROR', 'non-error thrown: [object Object]'],
      ['REMOTE_ERROR', 'non-error thrown: {}'],
    ]);
    assert.equal(await setup.client.call('big__add', [1, 2]), 3);
    assert.equal(await consumers(setup.namespace, 'big__add'), 1);
  });
});
