import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeBody,
  encodeBody,
  JSON_TYPE,
  mediaType,
  MSGPACK,
  replyContentType,
} from '@kael/runtime/codec/codec';
import { KaelError } from '@kael/runtime/errors';

// The type mapping of runtime/PROTOCOL.md, pinned without a broker (the conformance test drives the same over the wire).
describe('the body codec', () => {
  it('answers JSON for the JSON media type with parameters or in another case, msgpack otherwise', () => {
    assert.equal(mediaType('Application/JSON; charset=utf-8'), 'application/json');
    assert.equal(replyContentType('application/json'), 'application/json');
    assert.equal(replyContentType('application/json; charset=utf-8'), 'application/json');
    assert.equal(replyContentType(undefined), 'application/msgpack');
    assert.equal(replyContentType('text/plain'), 'application/msgpack');
  });

  it('reads an untyped body as msgpack, and as JSON when it is not one msgpack value', () => {
    assert.deepEqual(decodeBody(Buffer.from('[[1,2],{}]'), undefined), [[1, 2], {}]);
    assert.deepEqual(decodeBody(encodeBody([[1, 2], {}]), undefined), [[1, 2], {}]);
    assert.equal(decodeBody(Buffer.from('5'), undefined), 53);
  });

  it('writes integers from 2^53 on as msgpack float 64 and reads wider integers as the nearest double', () => {
    assert.equal(encodeBody(2 ** 53 - 1).toString('hex'), 'cf001fffffffffffff');
    assert.equal(encodeBody(2 ** 53).toString('hex'), 'cb4340000000000000');
    assert.equal(decodeBody(Buffer.from('cf0020000000000001', 'hex'), 'application/msgpack'), 2 ** 53);
    assert.throws(() => encodeBody(1n), { code: 'ENCODE_ERROR' });
  });

  it('keeps NaN and infinities in msgpack and writes them as null in JSON', () => {
    assert.deepEqual(decodeBody(encodeBody([NaN, Infinity]), 'application/msgpack'), [NaN, Infinity]);
    assert.equal(encodeBody([NaN, -Infinity], 'application/json').toString(), '[null,null]');
    assert.throws(() => decodeBody(Buffer.from('[NaN]'), 'application/json'), { code: 'DECODE_ERROR' });
  });

  it('carries bytes as msgpack bin and as the tagged base64 map in JSON, both ways', () => {
    assert.equal(encodeBody(Buffer.from([1, 2, 3])).toString('hex'), 'c403010203');
    for (const bytes of [Buffer.from([1, 2, 3]), new Uint8Array([1, 2, 3])]) {
      const json = encodeBody({ b: bytes }, 'application/json');
      assert.equal(json.toString(), '{"b":{"__kael_bytes__":"AQID"}}');
      assert.deepEqual([...(decodeBody(json, 'application/json') as { b: Uint8Array }).b], [1, 2, 3]);
    }
  });

  it('carries dates as msgpack timestamps and as ISO strings in JSON', () => {
    const when = new Date('2026-01-02T03:04:05.678Z');
    assert.deepEqual(decodeBody(encodeBody(when), 'application/msgpack'), when);
    assert.equal(encodeBody(when, 'application/json').toString(), '"2026-01-02T03:04:05.678Z"');
  });

  it('keeps an undefined map member as nil in msgpack and leaves it out in JSON', () => {
    assert.deepEqual(decodeBody(encodeBody({ ok: true, value: undefined }), 'application/msgpack'), {
      ok: true,
      value: null,
    });
    assert.equal(encodeBody({ ok: true, value: undefined }, 'application/json').toString(), '{"ok":true}');
  });
});

const isEncodeError = (e: unknown): boolean => e instanceof KaelError && e.code === 'ENCODE_ERROR';

describe('encoding message bodies', () => {
  it('round-trips values through msgpack and JSON', () => {
    const value = [[1, 'two', { three: [3] }, null, true], { scale: 2.5 }];
    for (const type of [MSGPACK, JSON_TYPE] as const)
      assert.deepEqual(decodeBody(encodeBody(value, type), type), value);
  });

  it('gives each body its own bytes, so a later encoding does not change an earlier one', () => {
    const first = encodeBody([1, 2]);
    const copy = Buffer.from(first);
    encodeBody(['a much longer value that overwrites the encoder buffer']);
    assert.deepEqual(first, copy);
  });

  it('refuses functions, symbols and BigInt anywhere in the value with ENCODE_ERROR', () => {
    for (const bad of [() => 1, { f: () => 1 }, [Symbol('s')], [[10n]]])
      assert.throws(() => encodeBody(bad), isEncodeError);
    assert.throws(() => encodeBody({ f: () => 1 }, JSON_TYPE), isEncodeError);
  });

  it('refuses functions and symbols anywhere in a JSON value, the value itself included', () => {
    for (const bad of [() => 1, [[() => 1]], { a: [{ s: Symbol('s') }] }, Symbol('s')])
      assert.throws(() => encodeBody(bad, JSON_TYPE), isEncodeError);
  });

  it('writes JSON bytes as the tagged map wherever they are: deep, top level, or returned by toJSON', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const tagged = { __kael_bytes__: 'AQID' };
    const deep: unknown[] = [bytes];
    let nested: unknown = deep;
    for (let i = 0; i < 150; i++) nested = [nested];
    const cases: [unknown, unknown][] = [
      [bytes, tagged],
      [
        [[{ a: [bytes] }], {}],
        [[{ a: [tagged] }], {}],
      ],
      [{ v: { toJSON: () => ({ b: Buffer.from(bytes) }) } }, { v: { b: tagged } }],
      [
        nested,
        JSON.parse(JSON.stringify(nested).replace('{"0":1,"1":2,"2":3}', '{"__kael_bytes__":"AQID"}')),
      ],
    ];
    for (const [value, expected] of cases)
      assert.deepEqual(JSON.parse(encodeBody(value, JSON_TYPE).toString()), expected);
  });

  it('writes JSON values without bytes exactly as JSON.stringify does, however deep or wide', () => {
    let deep: unknown = { leaf: [1, 'x', null] };
    for (let i = 0; i < 150; i++) deep = { d: deep };
    const wide = Array.from({ length: 20_000 }, (_, i) => ({ i, at: new Date(i) }));
    const values = [
      deep,
      wide,
      [[1, 'two', undefined, NaN], { at: new Date(0), skip: undefined }],
      undefined,
    ];
    for (const value of values)
      assert.equal(encodeBody(value, JSON_TYPE).toString(), JSON.stringify(value) ?? 'null');
  });

  it('refuses a JSON value whose cycle is reached through many branches, without walking them all', () => {
    const cycle: Record<string, unknown> = {};
    for (const k of ['a', 'b', 'c', 'd']) cycle[k] = cycle;
    assert.throws(() => encodeBody([cycle], JSON_TYPE), isEncodeError);
  });

  it('refuses a reference cycle with ENCODE_ERROR instead of recursing forever', () => {
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    for (const type of [MSGPACK, JSON_TYPE] as const)
      assert.throws(() => encodeBody(cycle, type), isEncodeError);
  });

  it('still encodes after a refused value', () => {
    assert.throws(() => encodeBody([() => 1]), isEncodeError);
    assert.deepEqual(decodeBody(encodeBody([1, 2]), MSGPACK), [1, 2]);
  });
});

describe('decoding message bodies', () => {
  it('reads a body without a content type as msgpack, else as JSON', () => {
    assert.deepEqual(decodeBody(encodeBody({ a: 1 }), undefined), { a: 1 });
    assert.deepEqual(decodeBody(Buffer.from('{"a":1}'), undefined), { a: 1 });
  });

  it('fails with DECODE_ERROR on a body that is not valid in its encoding', () => {
    assert.throws(
      () => decodeBody(Buffer.from('{'), JSON_TYPE),
      (e: unknown) => e instanceof KaelError && e.code === 'DECODE_ERROR',
    );
  });
});
