import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decode, encode } from '@msgpack/msgpack';
import type { ConsumeMessage, Options } from 'amqplib';
import { KaelError } from '@kael/runtime';
import type { ServiceProxy } from '@kael/runtime';
import { AURI } from '../support/broker.js';
import { startTestFrame, TEST_ADMIN_KEY, testClient, TOOLS_SERVICE } from '../support/frames.js';
import type { TestFrame } from '../support/frames.js';
import { until } from '../support/wait.js';
import { ConformingServer } from './conforming-server.js';
import { RawPeer } from './raw-peer.js';

// Everything on the wire below follows runtime/PROTOCOL.md; kael code only starts the frames (and,
// at the end, calls the conforming server as a kael client would).

const MSGPACK = 'application/msgpack';
const JSON_TYPE = 'application/json';

/** A package whose functions return the values of the document's type-mapping table. */
const TYPES_SERVICE: Record<string, string> = {
  'setting.yaml':
    'type: service\nservice_base_name: types\nversion: 1.0\npublish: [big, odd, bytes, when, nothing, kind]\n',
  'index.js': [
    "'use strict';",
    'exports.big = () => 2 ** 53;',
    'exports.odd = () => [NaN, Infinity, -Infinity];',
    'exports.bytes = () => Buffer.from([1, 2, 3]);',
    "exports.when = () => new Date('2026-01-02T03:04:05.678Z');",
    'exports.nothing = () => undefined;',
    'exports.kind = (x) => x instanceof Date ? `date:${x.toISOString()}` : x instanceof Uint8Array ? `bytes:${[...x].join(",")}` : x === null ? "null" : `${typeof x}:${String(x)}`;',
  ].join('\n'),
};

const TICKER_CRONTAB: Record<string, string> = {
  'setting.yaml':
    "type: crontab\ncrontab_name: ticker\nversion: 1.0\npublish:\n  - ['0 0 1 1 *', 'echo tick']\n",
};

/** PROTOCOL.md, Signing, step 6. */
function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value !== 'object') return JSON.stringify(value);
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== null && obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

interface Auth {
  v: 1;
  kid: string;
  ts: number;
  nonce: string;
  sig: string;
}

/** PROTOCOL.md, Signing, steps 1–7. */
function sign(
  key: string,
  ns: string,
  command: { fn: string; kwargs: Record<string, unknown>; id?: string; notId?: string[] },
  ts = Date.now(),
  nonce = randomBytes(16).toString('hex'),
): Auth {
  const kid = createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 8);
  const text = canonicalJson({
    v: 1,
    ns,
    fn: command.fn,
    kwargs: command.kwargs,
    id: command.id ?? null,
    notId: [...(command.notId ?? [])].sort(),
    ts,
    nonce,
    kid,
  });
  return {
    v: 1,
    kid,
    ts,
    nonce,
    sig: createHmac('sha256', Buffer.from(key, 'utf8')).update(text, 'utf8').digest('hex'),
  };
}

interface Envelope {
  ok: boolean;
  value?: unknown;
  error?: { code: string; name: string; message: string };
}

/** Decodes a reply by its content type (PROTOCOL.md, Content types). */
function envelopeOf(msg: ConsumeMessage | 'returned'): Envelope {
  assert.notEqual(msg, 'returned', 'the request came back unroutable');
  const m = msg as ConsumeMessage;
  return (
    m.properties.contentType === JSON_TYPE ? JSON.parse(m.content.toString('utf8')) : decode(m.content)
  ) as Envelope;
}

interface Announcement {
  type: 'hello' | 'goodbye';
  frame: {
    id: string;
    heartbeatMs: number;
    packages: { name: string; state: string }[];
    crontabs: { name: string }[];
  };
  seq: number;
}

describe('the wire protocol as runtime/PROTOCOL.md describes it', () => {
  let a: TestFrame;
  let b: TestFrame;
  let ns: string;
  let peer: RawPeer;
  const announcements: { msg: ConsumeMessage; body: Announcement }[] = [];
  let frameIds: string[] = [];

  const call = (
    service: string,
    body: Buffer,
    props: Options.Publish = { contentType: MSGPACK },
  ): Promise<ConsumeMessage | 'returned'> =>
    peer.request(`kael.${ns}.call`, `kael.${ns}.svc.${service}`, body, {
      mandatory: true,
      expiration: '10000',
      ...props,
    });

  /** A fan-out command, collected until every frame of the membership view answered (PROTOCOL.md). */
  const commandAll = async (
    command: Record<string, unknown>,
    expected: readonly string[] = frameIds,
  ): Promise<Map<string, Envelope>> => {
    const { messages } = await peer.collect(
      `kael.${ns}.cmd`,
      '',
      Buffer.from(encode(command)),
      { contentType: MSGPACK, expiration: '60000' },
      (replies) => expected.every((id) => replies.some((r) => r.properties.appId === id)),
      60_000,
    );
    return new Map(messages.map((m) => [m.properties.appId as string, envelopeOf(m)]));
  };

  before(async () => {
    a = await startTestFrame(
      { tools: TOOLS_SERVICE, types: TYPES_SERVICE, ticker: TICKER_CRONTAB },
      { heartbeatMs: 500 },
    );
    ns = a.namespace;
    b = await startTestFrame({ ticker: TICKER_CRONTAB }, { name: ns, heartbeatMs: 500 });
    peer = await RawPeer.open(AURI);
    await peer.channel.assertExchange(`kael.${ns}.call`, 'direct', { durable: false, autoDelete: false });
    await peer.channel.assertExchange(`kael.${ns}.cmd`, 'fanout', { durable: false, autoDelete: false });
    await peer.channel.assertExchange(`kael.${ns}.cmd.direct`, 'direct', {
      durable: false,
      autoDelete: false,
    });
    await peer.channel.assertExchange(`kael.${ns}.members`, 'fanout', { durable: false, autoDelete: false });
    const { queue } = await peer.channel.assertQueue('', { exclusive: true, autoDelete: true });
    await peer.channel.bindQueue(queue, `kael.${ns}.members`, '');
    await peer.channel.consume(
      queue,
      (msg) => msg !== null && announcements.push({ msg, body: decode(msg.content) as Announcement }),
      { noAck: true },
    );
    // The live set, from announcements (PROTOCOL.md, Knowing that all frames answered).
    frameIds = await until('both frames announced', () => {
      const ids = [...new Set(announcements.map((x) => x.body.frame.id))].sort();
      return Promise.resolve(ids.length === 2 ? ids : undefined);
    });
  });

  after(async () => {
    await peer.close();
    await b.frame.stop();
    await a.close();
  });

  describe('service calls', () => {
    it('answers a msgpack request in msgpack with the correlation id and the frame id in app_id', async () => {
      const reply = await call('tools__add', Buffer.from(encode([[1, 2], {}])), {
        contentType: MSGPACK,
        correlationId: 'c-1',
      });
      assert.notEqual(reply, 'returned');
      const m = reply as ConsumeMessage;
      assert.equal(m.properties.contentType, MSGPACK);
      assert.equal(m.properties.correlationId, 'c-1');
      assert.equal(m.properties.appId, a.frame.id);
      assert.equal(m.properties.expiration, undefined);
      assert.equal(m.properties.deliveryMode, undefined);
      assert.deepEqual(decode(m.content), { ok: true, value: 3 });
    });

    it('answers a JSON request in JSON, also with a charset parameter', async () => {
      for (const contentType of [JSON_TYPE, 'application/json; charset=utf-8']) {
        const m = (await call('tools__add', Buffer.from('[[1, 2], {}]'), { contentType })) as ConsumeMessage;
        assert.equal(m.properties.contentType, JSON_TYPE, contentType);
        assert.deepEqual(JSON.parse(m.content.toString('utf8')), { ok: true, value: 3 });
      }
    });

    it('reads a request without content type as msgpack, else JSON, and answers it in msgpack', async () => {
      for (const body of [Buffer.from('[[1, 2], {}]'), Buffer.from(encode([[1, 2], {}]))]) {
        const m = (await call('tools__add', body, {})) as ConsumeMessage;
        assert.equal(m.properties.contentType, MSGPACK);
        assert.deepEqual(decode(m.content), { ok: true, value: 3 });
      }
    });

    it('passes kwargs as a last argument and accepts a body without the kwargs map', async () => {
      assert.deepEqual(envelopeOf(await call('tools__kw', Buffer.from(encode([[1], { k: 2 }])))), {
        ok: true,
        value: { a: 1, kw: { k: 2 } },
      });
      assert.deepEqual(envelopeOf(await call('tools__add', Buffer.from(encode([[2, 3]])))), {
        ok: true,
        value: 5,
      });
    });

    it('returns an unserved service as unroutable', async () => {
      assert.equal(await call('tools__nothere', Buffer.from(encode([[], {}]))), 'returned');
    });

    it('carries errors as {code, name, message} with the documented codes', async () => {
      const thrown = envelopeOf(await call('tools__fail', Buffer.from(encode([[], {}]))));
      assert.equal(thrown.ok, false);
      assert.deepEqual(
        [thrown.error?.code, thrown.error?.name, thrown.error?.message],
        ['REMOTE_ERROR', 'TypeError', 'bad input'],
      );
      const invalid = envelopeOf(await call('tools__add', Buffer.from(encode([['x', 1], {}]))));
      assert.equal(invalid.error?.code, 'INVALID_ARGS');
      const unencodable = envelopeOf(await call('tools__fn', Buffer.from(encode([[], {}]))));
      assert.equal(unencodable.error?.code, 'ENCODE_ERROR');
      const malformed = envelopeOf(await call('tools__add', Buffer.from(encode({ not: 'a call' }))));
      assert.equal(malformed.error?.code, 'DECODE_ERROR');
    });

    it('runs a pinned call on the named frame only, and says when that frame does not serve the service', async () => {
      const route = (frame: string): string => `kael.${ns}.frame.${frame}.calls`;
      const props = (service: string): Options.Publish => ({
        contentType: MSGPACK,
        mandatory: true,
        expiration: '10000',
        headers: { 'kael-service': service },
      });
      const body = Buffer.from(encode([[4, 5], {}]));
      const served = (await peer.request(
        `kael.${ns}.call`,
        route(a.frame.id),
        body,
        props('tools__add'),
      )) as ConsumeMessage;
      assert.deepEqual(decode(served.content), { ok: true, value: 9 });
      assert.equal(served.properties.appId, a.frame.id);
      const other = envelopeOf(
        await peer.request(`kael.${ns}.call`, route(a.frame.id), body, props('nope__add')),
      );
      assert.equal(other.error?.code, 'SERVICE_NOT_FOUND');
      assert.equal(
        await peer.request(`kael.${ns}.call`, route('no-such-frame'), body, props('tools__add')),
        'returned',
      );
    });

    it('refuses a service queue declared with another x-expires, and accepts the documented declaration', async () => {
      const queue = `kael.${ns}.svc.tools__add`;
      const documented = {
        durable: false,
        autoDelete: false,
        exclusive: false,
        arguments: { 'x-expires': 1800000 },
      };
      assert.equal(await peer.tryOnOwnChannel((ch) => ch.assertQueue(queue, documented)), undefined);
      assert.equal(
        await peer.tryOnOwnChannel((ch) =>
          ch.assertQueue(queue, { ...documented, arguments: { 'x-expires': 60000 } }),
        ),
        406,
      );
    });
  });

  describe('type mapping', () => {
    const value = async (service: string, args: unknown[], contentType = MSGPACK): Promise<unknown> => {
      const body =
        contentType === JSON_TYPE ? Buffer.from(JSON.stringify([args, {}])) : Buffer.from(encode([args, {}]));
      const reply = envelopeOf(await call(service, body, { contentType }));
      assert.equal(reply.ok, true, JSON.stringify(reply.error));
      return reply.value;
    };

    it('keeps integers up to 2^53 - 1 exact and rounds wider msgpack integers to the nearest double', async () => {
      assert.equal(await value('types__kind', [2 ** 53 - 1]), 'number:9007199254740991');
      const uint64 = Buffer.from(encode([[2n ** 53n + 1n], {}], { useBigInt64: true }));
      assert.deepEqual(envelopeOf(await call('types__kind', uint64)).value, 'number:9007199254740992');
      const json = await call('types__kind', Buffer.from('[[9007199254740993],{}]'), {
        contentType: JSON_TYPE,
      });
      assert.equal(envelopeOf(json).value, 'number:9007199254740992');
    });

    it('sends an integer of 2^53 as a msgpack float 64', async () => {
      const m = (await call('types__big', Buffer.from(encode([[], {}])))) as ConsumeMessage;
      assert.ok(m.content.toString('hex').endsWith('cb4340000000000000'), m.content.toString('hex'));
    });

    it('carries NaN and infinities in msgpack and writes them as null in JSON', async () => {
      assert.deepEqual(await value('types__odd', []), [NaN, Infinity, -Infinity]);
      assert.deepEqual(await value('types__odd', [], JSON_TYPE), [null, null, null]);
    });

    it('carries binary as msgpack bin, and as the tagged base64 map in JSON', async () => {
      assert.equal(await value('types__kind', [new Uint8Array([1, 2, 3])]), 'bytes:1,2,3');
      assert.deepEqual([...((await value('types__bytes', [])) as Uint8Array)], [1, 2, 3]);
      assert.deepEqual(await value('types__bytes', [], JSON_TYPE), { __kael_bytes__: 'AQID' });
      const tagged = await call('types__kind', Buffer.from('[[{"__kael_bytes__":"AQID"}],{}]'), {
        contentType: JSON_TYPE,
      });
      assert.equal(envelopeOf(tagged).value, 'bytes:1,2,3');
    });

    it('carries dates as msgpack timestamps, and as ISO strings in JSON', async () => {
      const iso = '2026-01-02T03:04:05.678Z';
      assert.equal(await value('types__kind', [new Date(iso)]), `date:${iso}`);
      assert.deepEqual(await value('types__when', []), new Date(iso));
      assert.equal(await value('types__when', [], JSON_TYPE), iso);
    });

    it('gives nothing as a nil value in msgpack and leaves value out in JSON', async () => {
      const packed = envelopeOf(await call('types__nothing', Buffer.from(encode([[], {}]))));
      assert.deepEqual(packed, { ok: true, value: null });
      const json = envelopeOf(
        await call('types__nothing', Buffer.from('[[],{}]'), { contentType: JSON_TYPE }),
      );
      assert.deepEqual(json, { ok: true });
      assert.equal(await value('types__kind', [null]), 'null');
    });
  });

  describe('management commands', () => {
    it('reproduces the worked signing example of the document', () => {
      const key = 'correct-horse-battery-staple-42';
      const at = { ts: 1764120000000, nonce: '00112233445566778899aabbccddeeff' };
      const restart = sign(
        key,
        'test',
        { fn: '_restart_service', kwargs: {}, notId: ['host-b-2-bbbbbb', 'host-a-1-aaaaaa'] },
        at.ts,
        at.nonce,
      );
      assert.equal(restart.kid, '7dd095c6');
      assert.equal(restart.sig, '19d62939e32f80b0e2067c3ff021469bcf90a8c4d08ac89adbcc59606be90fb9');
      const update = sign(
        key,
        'test',
        {
          fn: '_update_pkg',
          kwargs: {
            pkg: 'calculate',
            pkg_type: 'service',
            version: '1.1',
            source: 'host-a-1-aaaaaa',
            sha256: '9f'.repeat(32),
            extra: null,
          },
          id: 'host-b-2-bbbbbb',
        },
        at.ts,
        at.nonce,
      );
      assert.equal(update.sig, '2e7421e7eaf48c277dc9ea1b59981b3aa6849fda4101212dce56a9b0844ac04e');
    });

    it('answers _ping from every frame with its snapshot, each reply naming its frame in app_id', async () => {
      const replies = await commandAll({ fn: '_ping', kwargs: {} });
      assert.deepEqual([...replies.keys()].sort(), frameIds);
      for (const [id, r] of replies) assert.equal((r.value as { id: string }).id, id);
    });

    it('runs a signed changing command on every frame and collects each answer', async () => {
      const command = { fn: '_restart_crontab', kwargs: {} };
      const replies = await commandAll({ ...command, auth: sign(TEST_ADMIN_KEY, ns, command) });
      assert.deepEqual([...replies.keys()].sort(), frameIds);
      for (const r of replies.values())
        assert.equal((r.value as { ok: boolean }).ok, true, JSON.stringify(r));
    });

    it('refuses unsigned, foreign-namespace and replayed signatures with UNAUTHORIZED', async () => {
      const command = { fn: '_restart_crontab', kwargs: {} };
      const codes = async (body: Record<string, unknown>): Promise<string[]> =>
        [...(await commandAll(body)).values()].map((r) => r.error?.code ?? 'ok');
      assert.deepEqual(await codes(command), ['UNAUTHORIZED', 'UNAUTHORIZED']);
      assert.deepEqual(await codes({ ...command, auth: sign(TEST_ADMIN_KEY, `${ns}x`, command) }), [
        'UNAUTHORIZED',
        'UNAUTHORIZED',
      ]);
      const auth = sign(TEST_ADMIN_KEY, ns, command);
      assert.deepEqual(await codes({ ...command, auth }), ['ok', 'ok']);
      assert.deepEqual(await codes({ ...command, auth }), ['UNAUTHORIZED', 'UNAUTHORIZED']);
    });

    it('reaches one frame over cmd.direct, returns an unknown frame id, and skips frames in notId', async () => {
      const [first, second] = frameIds as [string, string];
      const direct = (id: string): Promise<ConsumeMessage | 'returned'> =>
        peer.request(`kael.${ns}.cmd.direct`, id, Buffer.from(encode({ fn: '_ping', kwargs: {}, id })), {
          contentType: MSGPACK,
          mandatory: true,
        });
      assert.equal(((await direct(second)) as ConsumeMessage).properties.appId, second);
      assert.equal(await direct('no-such-frame'), 'returned');
      // Commands reach each frame's queue in order, and a frame decides to skip one at once: once
      // both answered a later _ping, the skipping frame has passed the earlier command by.
      const skipping = peer.send(
        `kael.${ns}.cmd`,
        '',
        Buffer.from(encode({ fn: '_get_pkg_version', kwargs: { pkg_type: 'service' }, notId: [second] })),
        { contentType: MSGPACK },
      );
      await commandAll({ fn: '_ping', kwargs: {} });
      await until('the first frame answered', () =>
        Promise.resolve(skipping.messages.length >= 1 ? true : undefined),
      );
      skipping.stop();
      assert.deepEqual(
        skipping.messages.map((m) => m.properties.appId as string | undefined),
        [first],
      );
    });

    it('answers an unknown command with COMMAND_UNKNOWN and a JSON command in JSON', async () => {
      const { messages } = await peer.collect(
        `kael.${ns}.cmd`,
        '',
        Buffer.from(JSON.stringify({ fn: '_no_such_command' })),
        { contentType: JSON_TYPE },
        (replies) => replies.length === frameIds.length,
      );
      for (const m of messages) {
        assert.equal(m.properties.contentType, JSON_TYPE);
        assert.equal(envelopeOf(m).error?.code, 'COMMAND_UNKNOWN');
      }
    });

    it('answers a command that is not a {fn, kwargs} map with DECODE_ERROR from every frame', async () => {
      const { messages } = await peer.collect(
        `kael.${ns}.cmd`,
        '',
        Buffer.from(encode({ kwargs: {} })),
        { contentType: MSGPACK },
        (replies) => replies.length === frameIds.length,
      );
      assert.deepEqual(messages.map((m) => m.properties.appId as string).sort(), frameIds);
      for (const m of messages) assert.equal(envelopeOf(m).error?.code, 'DECODE_ERROR');
    });
  });

  describe('membership and crontabs', () => {
    it('announces each frame as msgpack hello with its snapshot and a rising seq', async () => {
      const from = (id: string) => announcements.filter((x) => x.body.frame.id === id);
      await until('two announcements of the first frame', () =>
        Promise.resolve(from(frameIds[0] ?? '').length >= 2 ? true : undefined),
      );
      for (const id of frameIds) {
        const seen = from(id);
        assert.ok(seen.every((x) => x.msg.properties.contentType === MSGPACK && x.body.type === 'hello'));
        const seqs = seen.map((x) => x.body.seq);
        assert.deepEqual(
          seqs,
          [...seqs].sort((p, q) => p - q),
        );
        assert.equal(seen.at(-1)?.body.frame.heartbeatMs, 500);
      }
      const snapshotA = from(a.frame.id).at(-1)?.body.frame;
      assert.deepEqual(snapshotA?.packages.map((p) => [p.name, p.state]).sort(), [
        ['ticker', 'ok'],
        ['tools', 'ok'],
        ['types', 'ok'],
      ]);
      assert.deepEqual(
        snapshotA?.crontabs.map((c) => c.name),
        ['ticker'],
      );
    });

    it('reports crontab status from every frame, with exactly one holder agreed on by both', async () => {
      const statuses = await until(
        'one holder of ticker',
        async () => {
          const replies = await commandAll({ fn: '_get_crontab_status', kwargs: { crontab: 'ticker' } });
          const rows = [...replies].map(
            ([id, r]) =>
              [
                id,
                (
                  r.value as {
                    active: boolean;
                    activeFrame?: string;
                    timezone: string;
                    entries: { runs: unknown[] }[];
                  }[]
                )[0],
              ] as const,
          );
          return rows.filter(([, s]) => s?.active === true).length === 1 &&
            rows.every(([, s]) => s?.activeFrame !== undefined)
            ? rows
            : undefined;
        },
        30_000,
        200,
      );
      const holder = statuses.find(([, s]) => s?.active)?.[0];
      for (const [, s] of statuses) {
        assert.equal(s?.activeFrame, holder);
        assert.equal(typeof s?.timezone, 'string');
        assert.ok(Array.isArray(s?.entries[0]?.runs));
      }
    });

    it('keeps the election in a stream whose records an observer can read from the start', async () => {
      const ch = await peer.connection.createChannel();
      ch.on('error', (e: Error) => peer.errors.push(e));
      await ch.prefetch(100);
      const first = await new Promise<Record<string, unknown>>((resolve) => {
        void ch.consume(
          `kael.${ns}.cron.ticker.log`,
          (msg) => {
            if (msg === null) return;
            ch.ack(msg);
            assert.equal(msg.properties.contentType, MSGPACK);
            resolve(decode(msg.content) as Record<string, unknown>);
          },
          { noAck: false, arguments: { 'x-stream-offset': 'first' } },
        );
      });
      await ch.close();
      assert.equal(first['type'], 'hold');
      assert.ok(frameIds.includes(first['frame'] as string));
      assert.equal(typeof first['term'], 'number');
    });
  });

  describe('a server written from the document', () => {
    let server: ConformingServer;
    let client: ServiceProxy;

    before(async () => {
      server = await ConformingServer.start(AURI, ns, 'mini-server', {
        mini__mul: (args) => (args[0] as number) * (args[1] as number),
        mini__kw: (args, kwargs) => ({ args, kwargs }),
        mini__fail: () => {
          throw Object.assign(new RangeError('too big'), { code: 'INVALID_ARGS' });
        },
      });
      client = await testClient(ns);
    });

    after(async () => {
      await client.close();
      await server.stop();
    });

    it('is callable by a kael client in msgpack and in JSON, and names itself in app_id', async () => {
      assert.equal(await client.call('mini__mul', [6, 7]), 42);
      assert.equal(await client.call('mini__mul', [6, 7], { json: true }), 42);
      assert.deepEqual(await client.call('mini__kw', [1], { kwargs: { k: 'v' } }), {
        args: [1],
        kwargs: { k: 'v' },
      });
      const detailed = await client.callDetailed('mini__mul', [2, 3]);
      assert.equal(detailed.frame, 'mini-server');
      assert.deepEqual(detailed.reply, { ok: true, value: 6 });
      // The test's broker user may write to the default exchange: the client publishes there (a
      // confined caller publishes to kael.<ns>.call, see broker-permissions.test.ts), and the
      // server's queues, declared and bound as the document says, take the calls either way.
      assert.deepEqual([...new Set(server.exchanges)], ['']);
    });

    it('reaches a kael client error with the code it sent', async () => {
      await assert.rejects(
        client.call('mini__fail', []),
        (e: unknown) => e instanceof KaelError && e.code === 'INVALID_ARGS',
      );
      assert.deepEqual(server.errors, []);
      assert.deepEqual(peer.errors, []);
    });
  });
});
