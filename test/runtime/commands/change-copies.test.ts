import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { names } from '@kael/runtime';
import { signCommand } from '@kael/runtime/security/command-signature';
import type { FrameSnapshot, ServiceProxy } from '@kael/runtime';
import { deleteNamespace, randomNamespace } from '../../support/broker.js';
import {
  makeFrameDir,
  startFrameProcess,
  TEST_ADMIN_KEY,
  testClient,
  versionedService,
} from '../../support/frames.js';
import type { FrameProcess } from '../../support/frames.js';
import { until } from '../../support/wait.js';
import { Attacker } from '../security/attacker.js';
import type { Replies } from '../security/attacker.js';

/**
 * A client sends a changing command again when its frame has not answered for a while (the first
 * copy may have been lost with a broker node): the frame must run the change once, and changes that
 * arrive together must run one after the other, each answering what it really did.
 */
describe('copies of a change, and changes that arrive together', () => {
  const ns = randomNamespace();
  const procs: FrameProcess[] = [];
  let client: ServiceProxy<Record<never, never>>;
  let sender: Attacker;
  let target = '';
  let source = '';
  let digest = '';

  /** A signed `fn` for the target frame, with `requestId` (a copy keeps it, signed afresh). */
  function signed(fn: string, kwargs: Record<string, unknown>, requestId: string): Record<string, unknown> {
    const body = { fn, kwargs, id: target, requestId };
    return { ...body, auth: signCommand(TEST_ADMIN_KEY, { namespace: ns, ...body }) };
  }

  /** Sends `bodies` to the target frame at once; the target's reply to each. */
  async function sendTogether(bodies: Record<string, unknown>[]): Promise<Replies[string][]> {
    const replies = await Promise.all(
      bodies.map((b) =>
        sender.send(b, {
          exchange: names.commandDirectExchange(ns),
          routingKey: target,
          expect: [target],
          waitMs: 30_000,
        }),
      ),
    );
    return replies.map((r) => r[target] as Replies[string]);
  }

  /** The version the target frame serves (a call pinned to it; the source frame serves 2.0). */
  const onTarget = (): Promise<unknown> => client.call('ver__ver', [], { frame: target });

  function summary(reply: Replies[string] | undefined): Record<string, unknown> {
    const v = (reply?.value ?? {}) as Record<string, unknown>;
    return { ok: reply?.ok, from: v['from'], to: v['to'], unchanged: v['unchanged'] === true };
  }

  const update = (requestId: string): Record<string, unknown> =>
    signed(
      '_update_pkg',
      { pkg: 'ver', pkg_type: 'service', version: '2.0', source, sha256: digest },
      requestId,
    );

  before(async () => {
    const targetConf = await makeFrameDir({ ver: versionedService('ver', '1.0') });
    const sourceConf = await makeFrameDir({ ver: versionedService('ver', '2.0') });
    procs.push(startFrameProcess(targetConf, ns), startFrameProcess(sourceConf, ns));
    await Promise.all(procs.map((p) => p.ready));
    client = await testClient(ns);
    const frames = await until('two frames', async () => {
      const f = await client.servers();
      return f.length === 2 ? f : undefined;
    });
    target = (frames.find((f) => f.configFile === targetConf) as FrameSnapshot).id;
    source = (frames.find((f) => f.configFile === sourceConf) as FrameSnapshot).id;
    const exported = await client.command(
      '_export_pkg',
      { pkg: 'ver', pkg_type: 'service', digest_only: true },
      { id: source },
    );
    const response = await client.getResponse(exported, { timeoutMs: 10_000 });
    const answer = response[source];
    assert.ok(answer?.ok === true, JSON.stringify(answer));
    digest = (answer.value as { sha256: string }).sha256;
    sender = await Attacker.connect(ns);
  });

  after(async () => {
    await sender.close();
    await client.close();
    await Promise.all(procs.map((p) => p.stop()));
    await deleteNamespace(ns);
  });

  it('runs two updates that arrive together one after the other: one changes, the other is unchanged', async () => {
    const replies = await sendTogether([
      update(randomBytes(8).toString('hex')),
      update(randomBytes(8).toString('hex')),
    ]);
    assert.deepEqual(
      replies.map(summary).sort((a, b) => Number(a.unchanged) - Number(b.unchanged)),
      [
        { ok: true, from: '1.0', to: '2.0', unchanged: false },
        { ok: true, from: '2.0', to: '2.0', unchanged: true },
      ],
    );
    for (let i = 0; i < 5; i++) assert.equal(await onTarget(), '2.0');
  });

  it('runs a rollback sent twice with one request id once, and answers both copies alike', async () => {
    const rid = randomBytes(8).toString('hex');
    const replies = await sendTogether([
      signed('_rollback_pkg', { pkg: 'ver', pkg_type: 'service' }, rid),
      signed('_rollback_pkg', { pkg: 'ver', pkg_type: 'service' }, rid),
    ]);
    assert.deepEqual(replies.map(summary), [
      { ok: true, from: '2.0', to: '1.0', unchanged: false },
      { ok: true, from: '2.0', to: '1.0', unchanged: false },
    ]);
    assert.equal(await onTarget(), '1.0');
  });

  it('answers a copy that arrives after the change finished with the same result', async () => {
    const rid = randomBytes(8).toString('hex');
    const [first] = await sendTogether([update(rid)]);
    const [copy] = await sendTogether([update(rid)]);
    assert.deepEqual(summary(first), { ok: true, from: '1.0', to: '2.0', unchanged: false });
    assert.deepEqual(summary(copy), summary(first));
  });

  it('still refuses a copy whose signature does not cover its request id', async () => {
    const body = update(randomBytes(8).toString('hex'));
    const [reply] = await sendTogether([{ ...body, requestId: randomBytes(8).toString('hex') }]);
    assert.equal(reply?.ok, false);
    assert.equal(reply?.error?.code, 'UNAUTHORIZED');
  });
});
