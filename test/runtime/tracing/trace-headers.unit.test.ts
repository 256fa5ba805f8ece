import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  calls,
  CallState,
  currentCall,
  releaseAsyncTracking,
  runInCall,
  traceIdOf,
} from '@kael/runtime/tracing/call-context';
import { withTraceHeaders } from '@kael/runtime/tracing/trace-headers';
import { CallScope } from '@kael/runtime/tracing/call-scope';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('trace headers without an OpenTelemetry SDK', () => {
  it('adds nothing to a call made outside a service call', () => {
    assert.equal(withTraceHeaders(undefined), undefined);
    const h = { 'kael-service': 'x' };
    assert.equal(withTraceHeaders(h), h);
  });

  it('carries the served call trace id and names the calling service', () => {
    const state = new CallState('a__f', 'frame-1', undefined, undefined, performance.now(), TRACE, undefined);
    const h = calls.run(state, () => withTraceHeaders({ other: 1 }));
    assert.equal(h?.['other'], 1);
    assert.equal(h?.['kael-caller'], 'a__f');
    assert.equal(traceIdOf(h?.['traceparent']), TRACE);
    assert.match(String(h?.['traceparent']), /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('reads trace id, caller and deadline from the incoming headers', () => {
    const before = Date.now();
    const scope = new CallScope('b__g', 'frame-2', {
      headers: { traceparent: `00-${TRACE}-00f067aa0ba902b7-01`, 'kael-caller': 'a__f' },
      expiration: '5000',
    });
    const seen = scope.run(() => currentCall());
    scope.end(undefined);
    assert.equal(seen?.traceId, TRACE);
    assert.equal(seen?.caller, 'a__f');
    assert.equal(seen?.service, 'b__g');
    assert.equal(seen?.frame, 'frame-2');
    // Counted on the monotonic clock from the read: within a few ms of the wall clock's answer.
    const deadline = seen?.deadline ?? Number.NaN;
    assert.ok(
      deadline >= before + 5000 - 50 && deadline <= Date.now() + 5000 + 50,
      String(deadline - before),
    );
  });

  it('makes a trace id for a call that came without one, the same on every read', () => {
    const scope = new CallScope('b__g', undefined, {});
    const seen = scope.run(() => currentCall());
    assert.match(seen?.traceId ?? '', /^[0-9a-f]{32}$/);
    assert.equal(seen?.traceId, seen?.traceId);
    assert.equal(seen?.deadline, undefined);
    assert.equal(currentCall(), undefined);
  });

  it('rejects header values that are not a trace context', () => {
    assert.equal(traceIdOf('00-00000000000000000000000000000000-00f067aa0ba902b7-01'), undefined);
    assert.equal(traceIdOf('garbage'), undefined);
    assert.equal(traceIdOf(42), undefined);
  });
});

describe('running a call synchronously', () => {
  it('gives a synchronous function its context without async tracking, and none after', () => {
    const state = new CallState('s__f', undefined, undefined, undefined, performance.now(), TRACE, undefined);
    releaseAsyncTracking();
    const seen = runInCall(state, 'sync', () => currentCall()?.service);
    assert.equal(seen, 's__f');
    assert.equal(currentCall(), undefined);
    // Nested: a synchronous call inside another restores the outer one.
    const inner = new CallState('s__g', undefined, undefined, undefined, performance.now(), TRACE, undefined);
    const both = runInCall(state, 'sync', () => [
      runInCall(inner, 'sync', () => currentCall()?.service),
      currentCall()?.service,
    ]);
    assert.deepEqual(both, ['s__g', 's__f']);
  });

  it('follows an async function across await', async () => {
    const state = new CallState('s__a', undefined, undefined, undefined, performance.now(), TRACE, undefined);
    const seen = await runInCall(state, 'async', async () => {
      await new Promise((r) => setTimeout(r, 1));
      return currentCall()?.service;
    });
    assert.equal(seen, 's__a');
  });
});

describe('a second copy of the runtime in the process', () => {
  it('sees the calls the first copy serves (a package with @kael/runtime in its own folder)', async () => {
    // A copy of the module at another path is another module instance, as a package's own install is.
    const req = createRequire(__filename);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kael-copy-'));
    try {
      const copy = path.join(dir, 'call-context.js');
      copyFileSync(req.resolve('@kael/runtime/tracing/call-context'), copy);
      const other = req(copy) as { currentCall: typeof currentCall };
      assert.notEqual(other.currentCall, currentCall);
      const state = new CallState('c__f', 'frame-c', 'a__g', undefined, performance.now(), TRACE, undefined);
      assert.equal(
        runInCall(state, 'sync', () => other.currentCall()?.service),
        'c__f',
      );
      const seen = await runInCall(state, 'async', async () => {
        await new Promise((r) => setTimeout(r, 1));
        const call = other.currentCall();
        return [call?.service, call?.caller, call?.traceId];
      });
      assert.deepEqual(seen, ['c__f', 'a__g', TRACE]);
      assert.equal(other.currentCall(), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
