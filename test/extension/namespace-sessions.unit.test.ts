import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryLog } from 'kael-vscode/dist/host/log';
import { readDeadLetters } from 'kael-vscode/dist/client/dead-letters';
import { NamespaceSessions } from 'kael-vscode/dist/client/namespace-sessions';
import { KaelError } from '@kael/runtime/errors';
import { isStale } from 'kael-vscode/dist/tree/liveness';
import { FakeClient, frame } from './fake-client.js';

async function until(what: string, ok: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('namespace sessions', () => {
  it('turns a frame stale after one missed heartbeat, fresh again on its next one, and says so', async () => {
    const client = new FakeClient('prod', [frame('a', { heartbeatMs: 100 })]);
    const sessions = new NamespaceSessions(async () => Promise.resolve(client), { livenessCheckMs: 20 });
    let changes = 0;
    sessions.on('changed', () => changes++);
    try {
      await sessions.show(['prod']);
      await until('the frame', () => sessions.states()[0]?.frames.length === 1);
      const stale = (): boolean => {
        const f = sessions.states()[0]?.frames[0];
        return f !== undefined && isStale(f, Date.now());
      };
      assert.equal(stale(), false);
      const before = changes;
      await until('staleness', stale, 1000);
      await until('a change event for it', () => changes > before, 500);
      client.heartbeat('a');
      assert.equal(stale(), false);
    } finally {
      await sessions.dispose();
    }
  });

  it('records when each frame started to claim a crontab', async () => {
    const client = new FakeClient('prod', [frame('a')]);
    const sessions = new NamespaceSessions(async () => Promise.resolve(client));
    try {
      await sessions.show(['prod']);
      await until('the frame', () => sessions.states()[0]?.frames.length === 1);
      const t0 = Date.now();
      const active = frame('a');
      active.crontabs = active.crontabs.map((c) => ({ ...c, active: true }));
      client.setFrames([active]);
      const since = sessions.states()[0]?.frames[0]?.activeSince['print'] ?? 0;
      assert.ok(since >= t0, `claim time ${since} before ${t0}`);
    } finally {
      await sessions.dispose();
    }
  });

  it('shows why a namespace cannot connect, logs it once with its code, and reconnects by itself', async () => {
    let attempts = 0;
    const log = new MemoryLog();
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
      address: '127.0.0.1',
      port: 1,
    });
    const sessions = new NamespaceSessions(
      async (ns) => {
        attempts++;
        if (attempts < 3) throw new Error('cannot connect', { cause: refused });
        return Promise.resolve(new FakeClient(ns, []));
      },
      { retryMs: 30, log, brokerUrl: () => 'amqp://guest@127.0.0.1:1' },
    );
    try {
      await sessions.show(['prod']);
      assert.deepEqual(
        [sessions.states()[0]?.connection, sessions.states()[0]?.problem?.summary],
        ['error', 'ECONNREFUSED 127.0.0.1:1 — is RabbitMQ running, and on that port?'],
      );
      await until('the reconnect', () => sessions.states()[0]?.connection === 'connected');
      assert.deepEqual(
        log.lines.map((l) => `${l.level} ${l.text.replace(/ ms=\d+/, '')}`),
        [
          'error cannot connect namespace=prod broker=amqp://guest@127.0.0.1:1 code=ECONNREFUSED error="ECONNREFUSED 127.0.0.1:1 — is RabbitMQ running, and on that port?"',
          'debug still cannot connect namespace=prod code=ECONNREFUSED',
          'info connected namespace=prod broker=amqp://guest@127.0.0.1:1',
        ],
      );
    } finally {
      await sessions.dispose();
    }
  });

  it('marks a dropped connection as reconnecting until the client is back', async () => {
    const client = new FakeClient('prod', []);
    const sessions = new NamespaceSessions(async () => Promise.resolve(client));
    try {
      await sessions.show(['prod']);
      client.emit('connection-lost', new Error('socket closed'));
      assert.equal(sessions.states()[0]?.connection, 'reconnecting');
      client.emit('connection-ready');
      assert.equal(sessions.states()[0]?.connection, 'connected');
    } finally {
      await sessions.dispose();
    }
  });

  it('reopens a namespace with a fresh client on reconnect (new settings or admin key) and closes the old one', async () => {
    const made: FakeClient[] = [];
    const sessions = new NamespaceSessions(async (ns) => {
      const c = new FakeClient(ns, [frame('a')]);
      made.push(c);
      return Promise.resolve(c);
    });
    try {
      await sessions.show(['prod']);
      await sessions.reconnect('prod');
      assert.deepEqual([made.length, made[0]?.closed, made[1]?.closed], [2, true, false]);
      assert.equal(sessions.client('prod'), made[1]);
    } finally {
      await sessions.dispose();
    }
  });

  it('shows the dead-letter count when the client can tell it, follows it, and logs a failed read once with its code', async () => {
    const counts: (number | Error)[] = [
      2,
      2,
      new KaelError('UNAUTHORIZED', 'no access to the dead-letter queue'),
      new KaelError('UNAUTHORIZED', 'no access to the dead-letter queue'),
      0,
    ];
    const client = Object.assign(new FakeClient('prod', [frame('a')]), {
      async deadLetters(): Promise<{ count: number }> {
        const next = counts.length > 1 ? counts.shift() : counts[0];
        if (next instanceof Error) throw next;
        return Promise.resolve({ count: next ?? 0 });
      },
    });
    const log = new MemoryLog();
    const sessions = new NamespaceSessions(async () => Promise.resolve(client), {
      log,
      deadLetterPollMs: 10,
    });
    try {
      await sessions.show(['prod']);
      await until('the count', () => sessions.states()[0]?.deadLetters === 2);
      await until('the count emptied', () => sessions.states()[0]?.deadLetters === 0);
      assert.deepEqual(
        log.lines.filter((l) => l.text.startsWith('cannot read')).map((l) => `${l.level} ${l.text}`),
        [
          'warn cannot read the dead-letter count namespace=prod code=UNAUTHORIZED error="no access to the dead-letter queue"',
        ],
      );
    } finally {
      await sessions.dispose();
    }
  });

  it('asks a client without dead letters once and shows no count', async () => {
    let asked = 0;
    const client = new FakeClient('prod', [frame('a')]);
    const sessions = new NamespaceSessions(async () => Promise.resolve(client), {
      deadLetterPollMs: 5,
      deadLetters: async (c) => {
        asked++;
        return readDeadLetters(c);
      },
    });
    try {
      await sessions.show(['prod']);
      await until('the first read', () => asked === 1);
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual([asked, 'deadLetters' in (sessions.states()[0] ?? {})], [1, false]);
    } finally {
      await sessions.dispose();
    }
  });

  it("reads a count, a list of messages or a summary from the client's deadLetters()", async () => {
    const answers: unknown[] = [4, ['m1', 'm2'], { count: 7 }, 'many'];
    const read = [];
    for (const answer of answers) {
      const c = Object.assign(new FakeClient('prod', []), {
        deadLetters: async () => Promise.resolve(answer),
      });
      read.push(await readDeadLetters(c));
    }
    assert.deepEqual(read, [4, 2, 7, undefined]);
  });
});
