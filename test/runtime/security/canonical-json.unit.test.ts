import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson } from '@kael/runtime/security/command-signature';

describe('canonicalJson', () => {
  it('sorts keys at every depth', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: 'x' } }),
      '{"a":{"c":"x","d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });
  it('leaves out null and undefined members, so an absent argument signs like a nil one', () => {
    assert.equal(canonicalJson({ a: 1, b: null, c: undefined }), '{"a":1}');
    assert.equal(canonicalJson({ a: 1, b: null }), canonicalJson({ a: 1 }));
  });
  it('writes null for a null or undefined value and keeps nulls inside arrays', () => {
    assert.equal(canonicalJson(null), 'null');
    assert.equal(canonicalJson(undefined), 'null');
    assert.equal(canonicalJson([1, null, undefined]), '[1,null,null]');
  });
  it('writes scalars as JSON does', () => {
    assert.equal(canonicalJson('é"\n'), JSON.stringify('é"\n'));
    assert.equal(canonicalJson(1.5), '1.5');
    assert.equal(canonicalJson(true), 'true');
    assert.equal(canonicalJson(Number.NaN), 'null');
  });
  it('writes binary as a base64 string', () => {
    assert.equal(canonicalJson({ sha: Buffer.from([1, 2, 255]) }), '{"sha":"AQL/"}');
    assert.equal(canonicalJson(new Uint8Array([104, 105])), '"aGk="');
  });
  it('gives the same text whatever the key order', () => {
    assert.equal(canonicalJson({ x: 1, y: [1, 2] }), canonicalJson({ y: [1, 2], x: 1 }));
  });
});
