import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { AURI, randomNamespace } from '../../support/broker.js';
import { frameWithClient } from '../../support/frames.js';
import type { FrameAndClient } from '../../support/frames.js';

const RUNTIME = JSON.stringify(require.resolve('@kael/runtime'));

interface Seen {
  service: string;
  caller: string | null;
  traceId: string;
  deadline: number | null;
  frame?: string;
}

/** Packages that report the context of the call they serve, and one that calls them. */
function packages(namespace: string): Record<string, Record<string, string>> {
  return {
    peer: {
      'setting.yaml': 'type: service\nservice_base_name: peer\nversion: 1.0\npublish: [ctx]\n',
      'index.js': [
        `const { currentCall } = require(${RUNTIME});`,
        'exports.ctx = async () => {',
        '  await new Promise((r) => setImmediate(r));',
        '  const c = currentCall();',
        '  return { service: c.service, caller: c.caller ?? null, traceId: c.traceId, deadline: c.deadline ?? null, frame: c.frame };',
        '};',
      ].join('\n'),
    },
    pyctx: {
      'setting.yaml': 'type: service\nservice_base_name: pyctx\nversion: 1.0\npublish: [ctx, actx]\n',
      '__init__.py': [
        'import asyncio',
        'import kael_worker',
        '',
        'def _seen():',
        '    c = kael_worker.call_context()',
        '    return {"service": c.service, "caller": c.caller, "traceId": c.trace_id, "deadline": c.deadline * 1000}',
        '',
        'def ctx():',
        '    return _seen()',
        '',
        'async def actx():',
        '    await asyncio.sleep(0.01)',
        '    return _seen()',
        '',
      ].join('\n'),
    },
    // A package with its own install of the runtime: another copy of the module in the worker.
    own: {
      'setting.yaml': 'type: service\nservice_base_name: own\nversion: 1.0\npublish: [ctx]\n',
      'index.js': [
        "const { currentCall } = require('@kael/runtime');",
        'exports.ctx = async () => {',
        '  await new Promise((r) => setImmediate(r));',
        '  return { service: currentCall()?.service ?? null, sameCopy: require.resolve("@kael/runtime") === ' +
          `${RUNTIME} };`,
        '};',
      ].join('\n'),
      'node_modules/@kael/runtime/package.json': '{ "name": "@kael/runtime", "main": "call-context.js" }\n',
      'node_modules/@kael/runtime/call-context.js': readFileSync(
        require.resolve('@kael/runtime/tracing/call-context'),
        'utf8',
      ),
    },
    hop: {
      'setting.yaml': 'type: service\nservice_base_name: hop\nversion: 1.0\npublish: [via, outside]\n',
      'index.js': [
        `const { connectClient, createLogger, currentCall } = require(${RUNTIME});`,
        'let client;',
        'exports.via = async (service) => {',
        `  client ??= await connectClient({ name: ${JSON.stringify(namespace)}, auri: ${JSON.stringify(AURI)}, logger: createLogger('hop', 'silent') });`,
        '  const mine = currentCall().traceId;',
        '  const theirs = await client.call(service, [], { timeoutMs: 5000 });',
        '  return { mine, theirs, after: currentCall()?.service ?? null };',
        '};',
        'exports.outside = () => new Promise((r) => setTimeout(() => r(currentCall()?.service ?? null), 1)).then((v) => v);',
      ].join('\n'),
    },
  };
}

describe('the context of the call being served', () => {
  let t: FrameAndClient<Record<string, never>>;

  before(async () => {
    const namespace = randomNamespace();
    t = await frameWithClient(packages(namespace), { name: namespace });
  });
  after(async () => t.close());

  it('tells a JavaScript function its service, frame, deadline and a trace id, with no caller for a plain client', async () => {
    const sent = Date.now();
    const seen = (await t.client.call('peer__ctx', [], { timeoutMs: 4000 })) as Seen;
    assert.equal(seen.service, 'peer__ctx');
    assert.equal(seen.frame, t.frame.id);
    assert.equal(seen.caller, null);
    assert.match(seen.traceId, /^[0-9a-f]{32}$/);
    assert.ok(seen.deadline !== null && seen.deadline > sent && seen.deadline <= Date.now() + 4000 + 100);
  });

  it('carries the trace id and names the caller when one service calls another', async () => {
    const r = (await t.client.call('hop__via', ['peer__ctx'])) as {
      mine: string;
      theirs: Seen;
      after: string;
    };
    assert.match(r.mine, /^[0-9a-f]{32}$/);
    assert.equal(r.theirs.traceId, r.mine);
    assert.equal(r.theirs.caller, 'hop__via');
    assert.equal(r.theirs.service, 'peer__ctx');
    // The context survives the await of the nested call.
    assert.equal(r.after, 'hop__via');
  });

  it('tells a Python function the same, in plain and async functions', async () => {
    for (const fn of ['pyctx__ctx', 'pyctx__actx']) {
      const r = (await t.client.call('hop__via', [fn])) as { mine: string; theirs: Seen };
      assert.equal(r.theirs.service, fn);
      assert.equal(r.theirs.caller, 'hop__via');
      assert.equal(r.theirs.traceId, r.mine);
      assert.ok(r.theirs.deadline !== null && r.theirs.deadline > Date.now() - 1000);
    }
    const direct = (await t.client.call('pyctx__ctx')) as Seen;
    assert.equal(direct.caller, null);
    assert.match(direct.traceId, /^[0-9a-f]{32}$/);
  });

  it('tells a package that installed the runtime in its own folder the call it serves', async () => {
    assert.deepEqual(await t.client.call('own__ctx'), { service: 'own__ctx', sameCopy: false });
  });

  it('keeps the context in timers the function started', async () => {
    assert.equal(await t.client.call('hop__outside'), 'hop__outside');
  });
});
