import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBody, encodeBody, mediaType, replyContentType } from '@kael/runtime/codec/codec';

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
