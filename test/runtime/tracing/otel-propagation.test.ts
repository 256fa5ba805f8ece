import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { AURI, randomNamespace } from '../../support/broker.js';
import { frameWithClient } from '../../support/frames.js';
import type { FrameAndClient } from '../../support/frames.js';
import { inMemorySdkLines, resolvedModule } from '../../support/otel-sdk.js';

interface SpanSeen {
  name: string;
  traceId: string;
  spanId: string;
  parent: string | null;
  kind: number;
}

/**
 * `front__hop` calls `back__echo`; the worker process registers an OpenTelemetry SDK with an
 * in-memory exporter (as a user's service package would register the Node SDK), and `front__spans`
 * answers the spans it recorded.
 */
function packages(namespace: string): Record<string, Record<string, string>> {
  return {
    front: {
      'setting.yaml': 'type: service\nservice_base_name: front\nversion: 1.0\npublish: [hop, spans]\n',
      'index.js': [
        ...inMemorySdkLines({ contextManager: true }),
        `const { connectClient, createLogger } = require(${resolvedModule('@kael/runtime')});`,
        'let client;',
        'exports.hop = async (x) => {',
        `  client ??= await connectClient({ name: ${JSON.stringify(namespace)}, auri: ${JSON.stringify(AURI)}, logger: createLogger('front', 'silent') });`,
        "  return client.call('back__echo', [x], { timeoutMs: 5000 });",
        '};',
        'exports.spans = () => exporter.getFinishedSpans().map((s) => ({',
        '  name: s.name, traceId: s.spanContext().traceId, spanId: s.spanContext().spanId,',
        '  parent: s.parentSpanContext?.spanId ?? null, kind: s.kind,',
        '}));',
      ].join('\n'),
    },
    back: {
      'setting.yaml': 'type: service\nservice_base_name: back\nversion: 1.0\npublish: [echo]\n',
      'index.js': 'exports.echo = (x) => x;\n',
    },
  };
}

describe('trace context with an OpenTelemetry SDK', () => {
  let t: FrameAndClient<Record<string, never>>;
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

  before(async () => {
    trace.setGlobalTracerProvider(provider);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const namespace = randomNamespace();
    t = await frameWithClient(packages(namespace), { name: namespace });
  });
  after(async () => {
    await t.close();
    trace.disable();
    propagation.disable();
    context.disable();
  });

  it('makes a call from a client through a service that calls another service one trace', async () => {
    const root = trace.getTracer('test').startSpan('root');
    const answer = await context.with(trace.setSpan(context.active(), root), () =>
      t.client.call('front__hop', [42]),
    );
    root.end();
    assert.equal(answer, 42);
    const spans = (await t.client.call('front__spans')) as SpanSeen[];
    const traceId = root.spanContext().traceId;
    const hop = spans.find((s) => s.name === 'front__hop');
    const echo = spans.find((s) => s.name === 'back__echo');
    assert.deepEqual(
      { traceId: hop?.traceId, parent: hop?.parent, kind: hop?.kind },
      { traceId, parent: root.spanContext().spanId, kind: 1 /* SERVER */ },
    );
    assert.deepEqual(
      { traceId: echo?.traceId, parent: echo?.parent, kind: echo?.kind },
      { traceId, parent: hop?.spanId, kind: 1 },
    );
  });

  it('starts a new trace for a call made outside any span', async () => {
    assert.equal(await t.client.call('front__hop', ['x']), 'x');
    const spans = (await t.client.call('front__spans')) as SpanSeen[];
    const hops = spans.filter((s) => s.name === 'front__hop');
    const last = hops[hops.length - 1];
    assert.equal(last?.parent, null);
    const echo = spans.filter((s) => s.name === 'back__echo').pop();
    assert.equal(echo?.traceId, last?.traceId);
    assert.equal(echo?.parent, last?.spanId);
  });
});
