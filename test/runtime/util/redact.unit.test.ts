import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactText, redactUrl } from '@kael/runtime/util/redact';

describe('redacting URL passwords', () => {
  it('hides the password of an ordinary URL and keeps the rest', () => {
    assert.equal(redactUrl('amqp://kael:s3cret@mq.example:5672/api'), 'amqp://kael:****@mq.example:5672/api');
    assert.equal(redactUrl('amqps://kael:s3cret@mq/api?heartbeat=5'), 'amqps://kael:****@mq/api?heartbeat=5');
  });

  it('leaves URLs without a password as they are', () => {
    for (const url of [
      'amqp://127.0.0.1:5672',
      'amqp://kael@mq:5672/api',
      'amqp://mq/vhost?x=a@b',
      'not a url',
    ])
      assert.equal(redactUrl(url), url);
  });

  it('hides a password holding an unencoded @, /, ? or #', () => {
    assert.equal(redactUrl('amqp://kael:p@ss@mq:5672'), 'amqp://kael:****@mq:5672');
    assert.equal(redactUrl('amqp://kael:a/b@c@mq/api'), 'amqp://kael:****@mq/api');
    assert.equal(redactUrl('amqp://kael:pa?ss@mq'), 'amqp://kael:****@mq');
    assert.equal(redactUrl('amqp://kael:pa#ss@mq'), 'amqp://kael:****@mq');
  });

  it('hides the password of URLs with odd slashes or none', () => {
    assert.equal(redactUrl('amqp:/kael:s3cret@mq:5672'), 'amqp://kael:****@mq:5672');
    assert.equal(redactUrl('amqp:kael:s3cret@mq'), 'amqp://kael:****@mq');
    assert.equal(redactUrl('amqp:///kael:s3cret@mq'), 'amqp://kael:****@mq');
    assert.equal(redactUrl('kael:s3cret@mq:5672'), 'kael:****@mq:5672');
  });

  it('keeps percent-encoded passwords hidden and never prints the secret of an unparseable host', () => {
    assert.equal(redactUrl('amqp://kael:p%40ss@mq'), 'amqp://kael:****@mq');
    const odd = redactUrl('amqp://kael:s3cret@[not a host');
    assert.ok(!odd.includes('s3cret'), odd);
    assert.ok(odd.startsWith('amqp://kael:****@'), odd);
  });

  it('hides every password of a comma-separated list of URLs', () => {
    assert.equal(
      redactText('amqp://a:s1@h1:5672,amqp://b:s2@h2:5672/api,amqps://c:s3@h3'),
      'amqp://a:****@h1:5672,amqp://b:****@h2:5672/api,amqps://c:****@h3',
    );
    assert.equal(redactText('amqp://a:s,1@h1,amqp:/b:s2@h2'), 'amqp://a:****@h1,amqp://b:****@h2');
  });

  it('hides passwords of URLs inside error messages, JSON and log lines', () => {
    assert.equal(
      redactText('cannot connect to amqp://kael:s3cret@mq:5672: ECONNREFUSED 10.0.0.1:5672'),
      'cannot connect to amqp://kael:****@mq:5672: ECONNREFUSED 10.0.0.1:5672',
    );
    assert.equal(
      redactText('{"auri":"amqp:/kael:p@ss@mq","other":"x"}'),
      '{"auri":"amqp://kael:****@mq","other":"x"}',
    );
    assert.equal(
      redactText(`2026-01-01T00:00:00.000Z warn [frame] lost 'amqp://u:pw@h' and "redis://:pw2@r:6379"`),
      `2026-01-01T00:00:00.000Z warn [frame] lost 'amqp://u:****@h' and "redis://:****@r:6379"`,
    );
  });

  it('leaves text without URLs untouched', () => {
    for (const text of ['error: ECONNREFUSED 127.0.0.1:5672', 'mail me at a@b.c', '12:30:00 done', ''])
      assert.equal(redactText(text), text);
  });
});
