import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBody, encodeBody, JSON_TYPE, MSGPACK } from '@kael/runtime/codec/codec';
import { KaelError } from '@kael/runtime/errors';

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
