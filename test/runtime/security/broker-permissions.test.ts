import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import amqp from 'amqplib';
import type { Channel, ChannelModel } from 'amqplib';
import { connectClient, createLogger, names, WorkFrame } from '@kael/runtime';
import type { ServiceProxy } from '@kael/runtime';
import { encodeBody } from '@kael/runtime/codec/codec';
import { brokerPermissions } from '@kael/runtime/security/broker-roles';
import type { BrokerRole } from '@kael/runtime/security/broker-roles';
import { createBrokerUser, deleteNamespace, rabbitmqctl, randomNamespace } from '../../support/broker.js';
import type { TestUser } from '../../support/broker.js';
import { makeFrameDir, TEST_ADMIN_KEY, TOOLS_SERVICE } from '../../support/frames.js';
import { until } from '../../support/wait.js';

/**
 * Publishes on a fresh channel of `conn` and resolves with what the broker did: `'refused'` (the
 * channel was closed with ACCESS_REFUSED), `'unroutable'` (returned), or `'accepted'`.
 */
async function tryPublish(conn: ChannelModel, exchange: string, routingKey: string): Promise<string> {
  const ch: Channel = await conn.createConfirmChannel();
  const outcome = new Promise<string>((resolve) => {
    ch.on('error', (e: Error & { code?: number }) => resolve(e.code === 403 ? 'refused' : `error ${e.code}`));
    ch.on('return', () => resolve('unroutable'));
  });
  // A command body: a frame would refuse it unsigned, a service rejects it as a malformed call.
  ch.publish(exchange, routingKey, encodeBody({ fn: '_restart_service', kwargs: {} }), { mandatory: true });
  const confirmed = (ch as unknown as { waitForConfirms(): Promise<void> })
    .waitForConfirms()
    .then(() => new Promise<string>((r) => setTimeout(() => r('accepted'), 200)))
    .catch(() => new Promise<string>(() => undefined));
  const result = await Promise.race([outcome, confirmed]);
  await ch.close().catch(() => undefined); // expected in a test (cleanup or a provoked failure); the outcome is asserted elsewhere
  return result;
}

describe('broker permissions of the caller, operator and frame roles', () => {
  const ns = randomNamespace();
  const quiet = createLogger('test', 'silent');
  const users: Partial<Record<BrokerRole, TestUser>> = {};
  let frame: WorkFrame;
  let caller: ServiceProxy<{ tools__add(a: number, b: number): Promise<number> }>;
  let callerConn: ChannelModel;
  let operator: ServiceProxy;

  before(async () => {
    await Promise.all(
      (['caller', 'operator', 'frame'] as const).map(
        async (role) => (users[role] = await createBrokerUser(role, brokerPermissions(role, ns))),
      ),
    );
    const ticker = {
      'setting.yaml':
        "type: crontab\ncrontab_name: ticker\nversion: 1.0\npublish:\n  - ['* * * * * *', 'echo tick']\n",
    };
    frame = new WorkFrame({
      name: ns,
      auri: users.frame?.url,
      serviceGroupConf: await makeFrameDir({ tools: TOOLS_SERVICE, ticker }),
      adminKey: TEST_ADMIN_KEY,
      logger: quiet,
    });
    await frame.start();
    caller = await connectClient({ name: ns, auri: users.caller?.url, adminKey: '', logger: quiet });
    callerConn = await amqp.connect(users.caller?.url ?? '', { noDelay: true });
    callerConn.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
    operator = await connectClient({
      name: ns,
      auri: users.operator?.url,
      adminKey: TEST_ADMIN_KEY,
      logger: quiet,
    });
  });

  after(async () => {
    await caller?.close();
    await callerConn?.close().catch(() => undefined); // expected in a test (cleanup or a provoked failure); the outcome is asserted elsewhere
    await operator?.close();
    await frame?.stop();
    await Promise.all(Object.values(users).map((u) => rabbitmqctl('delete_user', u.name)));
    await deleteNamespace(ns);
  });

  it('lets a caller call services', async () => {
    assert.equal(await caller.tools__add(1, 2), 3);
    // It may not declare a reply queue of its own: its replies come through direct reply-to.
    assert.equal(
      (caller as unknown as { requests: { replyTo: string } }).requests.replyTo,
      'amq.rabbitmq.reply-to',
    );
    // The operator may (configure on amq.gen-.*): a queue of its own.
    assert.match((operator as unknown as { requests: { replyTo: string } }).requests.replyTo, /^amq\.gen-/);
    // Neither may write to the default exchange: both publish calls to the call exchange.
    for (const client of [caller, operator])
      assert.equal((client as unknown as { callTarget: string }).callTarget, names.callExchange(ns));
  });

  it('keeps a caller off a frame’s own queue, the command exchanges and the announcements', async () => {
    const frameQueue = names.frameQueue(ns, frame.id);
    assert.deepEqual(
      {
        defaultExchange: await tryPublish(callerConn, '', frameQueue),
        commands: await tryPublish(callerConn, names.commandExchange(ns), ''),
        targetedCommands: await tryPublish(callerConn, names.commandDirectExchange(ns), frame.id),
        announcements: await tryPublish(callerConn, names.membershipExchange(ns), ''),
        callExchangeToFrameQueue: await tryPublish(callerConn, names.callExchange(ns), frameQueue),
        callExchangeToService: await tryPublish(
          callerConn,
          names.callExchange(ns),
          names.serviceQueue(ns, 'tools__add'),
        ),
      },
      {
        defaultExchange: 'refused',
        commands: 'refused',
        targetedCommands: 'refused',
        announcements: 'refused',
        callExchangeToFrameQueue: 'unroutable',
        callExchangeToService: 'accepted',
      },
    );
  });

  it('keeps a caller from declaring or binding a queue to listen to commands', async () => {
    const ch = await callerConn.createChannel();
    ch.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
    await assert.rejects(ch.assertQueue('', { exclusive: true }), { code: 403 });
  });

  it('lets an operator watch the namespace and send signed commands, but not write to the default exchange', async () => {
    const frames = await operator.servers();
    assert.deepEqual(
      frames.map((f) => f.id),
      [frame.id],
    );
    const restart = await operator.restart('service', { timeoutMs: 20_000 });
    assert.equal(restart[frame.id]?.ok, true);
    const conn = await amqp.connect(users.operator?.url ?? '', { noDelay: true });
    conn.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
    try {
      assert.equal(await tryPublish(conn, '', names.frameQueue(ns, frame.id)), 'refused');
    } finally {
      await conn.close().catch(() => undefined); // expected in a test (cleanup or a provoked failure); the outcome is asserted elsewhere
    }
  });

  it('lets a frame run its crontabs under the frame role', async () => {
    const status = await until('a tick of the crontab', async () => {
      const s = await operator.getAllCrontabStatus({ crontab: 'ticker' });
      const run = s[frame.id]?.[0]?.entries[0]?.runs[0];
      return run?.status === 'ok' ? run : undefined;
    });
    assert.equal(status.output.trim(), 'tick');
  });
});
