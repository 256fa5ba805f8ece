import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { BrokerConnection, createLogger, KaelError, redactUrl } from '@kael/runtime';
import {
  parseBrokerUrls,
  reconnectDelayMs,
  resolveAuri,
  shuffled,
  toEndpoint,
} from '@kael/runtime/broker/broker-urls';

describe('broker URL lists', () => {
  it('reads a comma-separated list, an array, and blanks around commas', () => {
    assert.deepEqual(parseBrokerUrls('amqp://a:1, amqp://b:2,,amqp://c:3 '), [
      'amqp://a:1',
      'amqp://b:2',
      'amqp://c:3',
    ]);
    assert.deepEqual(parseBrokerUrls(['amqp://a:1', 'amqps://b:2,amqp://c:3']), [
      'amqp://a:1',
      'amqps://b:2',
      'amqp://c:3',
    ]);
  });

  it('rejects an empty list and a foreign scheme with CONFIG_INVALID, the password hidden', () => {
    assert.throws(
      () => parseBrokerUrls(' , '),
      (e: unknown) => e instanceof KaelError && e.code === 'CONFIG_INVALID',
    );
    assert.throws(
      () => parseBrokerUrls('amqp://a:1,http://u:secret@b:2', 'KAEL_AURI'),
      (e: unknown) =>
        e instanceof KaelError &&
        e.code === 'CONFIG_INVALID' &&
        e.message.includes('KAEL_AURI') &&
        !e.message.includes('secret'),
    );
    assert.throws(
      () => parseBrokerUrls('not a url'),
      (e: unknown) => e instanceof KaelError && e.code === 'CONFIG_INVALID',
    );
  });

  it('takes auri first, then KAEL_AURI, then the local broker', () => {
    const env = { KAEL_AURI: 'amqp://e1, amqp://e2' };
    assert.equal(resolveAuri(['amqp://x', 'amqp://y'], env), 'amqp://x,amqp://y');
    assert.equal(resolveAuri('', env), 'amqp://e1,amqp://e2');
    assert.equal(resolveAuri([], env), 'amqp://e1,amqp://e2');
    assert.equal(resolveAuri(undefined, {}), 'amqp://guest:guest@127.0.0.1:5672');
  });

  it('turns a URL into the connection object amqplib reads, with the same meaning', () => {
    assert.deepEqual(toEndpoint('amqp://us%40r:p%3Ass@h:5681/my%2Fvhost?frameMax=8192&heartbeat=2', 5), {
      protocol: 'amqp',
      hostname: 'h',
      port: 5681,
      username: 'us@r',
      password: 'p:ss',
      vhost: 'my/vhost',
      heartbeat: 2,
      frameMax: 8192,
    });
    assert.deepEqual(toEndpoint('amqps://[::1]', 5), {
      protocol: 'amqps',
      hostname: '::1',
      port: 5671,
      username: 'guest',
      password: 'guest',
      vhost: '/',
      heartbeat: 5,
    });
  });

  it('hides passwords', () => {
    assert.equal(redactUrl('amqp://user:secret@h:1/v'), 'amqp://user:****@h:1/v');
  });

  it('shuffles into every order and keeps the items', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(shuffled(['a', 'b', 'c']).join(''));
    assert.equal(seen.size, 6);
  });

  it('waits briefly for the other nodes, then backs off per full pass, spread by ±50 %', () => {
    const at = (attempt: number, r: number): number => reconnectDelayMs(attempt, 3, 100, 5000, () => r);
    assert.deepEqual(
      [1, 2, 3, 4, 6, 7].map((a) => at(a, 0.5)),
      [100, 100, 100, 200, 200, 400],
    );
    assert.equal(at(1, 0), 50);
    assert.equal(at(1, 0.999), 150);
    assert.equal(at(100, 0.999), 5000);
  });
});

describe('BrokerConnection node rotation (no broker)', () => {
  it('dials every node of the list once, then fails fast with BROKER_UNAVAILABLE', async () => {
    const dialled: number[] = [];
    // Fake nodes: accept the TCP connection and drop it, as a node that is shutting down does.
    const servers = await Promise.all(
      [0, 1, 2].map(
        () =>
          new Promise<net.Server>((resolve) => {
            const s = net.createServer((sock) => {
              dialled.push((s.address() as net.AddressInfo).port);
              sock.destroy();
            });
            s.listen(0, '127.0.0.1', () => resolve(s));
          }),
      ),
    );
    const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
    try {
      const broker = new BrokerConnection({
        url: ports.map((p) => `amqp://u:secret@127.0.0.1:${p}`),
        failFast: true,
        initialBackoffMs: 1,
        logger: createLogger('test', 'silent'),
      });
      await assert.rejects(
        broker.start(),
        (e: unknown) =>
          e instanceof KaelError && e.code === 'BROKER_UNAVAILABLE' && !e.message.includes('secret'),
      );
      await broker.close();
      assert.deepEqual([...dialled].sort(), [...ports].sort());
      assert.deepEqual(
        broker.nodes.map((n) => Number(new URL(n).port)),
        dialled,
        'nodes are dialled in the (shuffled) order the connection reports',
      );
    } finally {
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    }
  });

  it('rejects a malformed list at construction with CONFIG_INVALID', () => {
    assert.throws(
      () => new BrokerConnection({ url: 'amqp://a,ftp://b' }),
      (e: unknown) => e instanceof KaelError && e.code === 'CONFIG_INVALID',
    );
  });
});
