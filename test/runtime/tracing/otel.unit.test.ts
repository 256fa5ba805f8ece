import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { inMemorySdkLines, resolvedModule } from '../../support/otel-sdk.js';

/** Runs `lines` in a fresh Node process (an empty module cache) and returns what it printed, parsed. */
function inFreshProcess(lines: string[]): Record<string, unknown> {
  const out = execFileSync(process.execPath, ['-e', lines.join('\n')], { encoding: 'utf8', timeout: 20_000 });
  return JSON.parse(out) as Record<string, unknown>;
}

const LOADED = "Object.keys(require.cache).some((f) => f.includes('@opentelemetry/api'))";

describe('the OpenTelemetry API is loaded only when an SDK registered', () => {
  it('serves and makes calls without loading it when nothing registered a tracer provider', () => {
    const seen = inFreshProcess([
      `const { withTraceHeaders } = require(${resolvedModule('@kael/runtime/tracing/trace-headers')});`,
      `const { CallScope } = require(${resolvedModule('@kael/runtime/tracing/call-scope')});`,
      `const { calls, CallState } = require(${resolvedModule('@kael/runtime/tracing/call-context')});`,
      "const scope = new CallScope('a__f', 'frame-1', { headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });",
      "const headers = scope.run(() => withTraceHeaders(undefined), 'sync');",
      'scope.end(undefined);',
      `console.log(JSON.stringify({ loaded: ${LOADED}, traceparent: headers.traceparent, plain: withTraceHeaders(undefined) ?? null }));`,
    ]);
    assert.equal(seen['loaded'], false);
    assert.match(String(seen['traceparent']), /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    assert.equal(seen['plain'], null);
  });

  it('makes server spans and injects their context once a provider is registered, after the runtime loaded', () => {
    const seen = inFreshProcess([
      `const { withTraceHeaders } = require(${resolvedModule('@kael/runtime/tracing/trace-headers')});`,
      `const { CallScope } = require(${resolvedModule('@kael/runtime/tracing/call-scope')});`,
      `const { tracingEnabled } = require(${resolvedModule('@kael/runtime/tracing/otel')});`,
      'const before = tracingEnabled();',
      ...inMemorySdkLines({ contextManager: false }),
      // The answer is reused for a second: a provider registered later is seen after it.
      'setTimeout(() => {',
      "  const scope = new CallScope('a__f', 'frame-1', { headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });",
      "  const headers = scope.run(() => withTraceHeaders(undefined), 'sync');",
      "  scope.end('REMOTE_ERROR');",
      '  const [span] = exporter.getFinishedSpans();',
      '  console.log(JSON.stringify({ before, after: tracingEnabled(), traceparent: headers.traceparent, name: span?.name, traceId: span?.spanContext().traceId, spanId: span?.spanContext().spanId, status: span?.status.code, code: span?.attributes["kael.error_code"] }));',
      '}, 1100);',
    ]);
    assert.equal(seen['before'], false);
    assert.equal(seen['after'], true);
    assert.equal(seen['name'], 'a__f');
    assert.equal(seen['traceId'], '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(seen['code'], 'REMOTE_ERROR');
    assert.equal(seen['status'], 2); // SpanStatusCode.ERROR
    // A call made while serving carries the server span as its parent.
    assert.equal(seen['traceparent'], `00-4bf92f3577b34da6a3ce929d0e0e4736-${String(seen['spanId'])}-01`);
  });
});
