/** The path this test process resolves `name` to, as a JavaScript string literal (for generated code). */
export function resolvedModule(name: string): string {
  return JSON.stringify(require.resolve(name));
}

/**
 * Lines of JavaScript that register an OpenTelemetry SDK as a user's code would: a tracer provider
 * recording finished spans in `exporter` (an InMemorySpanExporter), the W3C propagator and, when
 * asked, an async context manager; `api` is @opentelemetry/api. For code run in another process (a
 * service package, a fresh `node -e`).
 */
export function inMemorySdkLines(options: { contextManager: boolean }): string[] {
  return [
    `const api = require(${resolvedModule('@opentelemetry/api')});`,
    `const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require(${resolvedModule('@opentelemetry/sdk-trace-base')});`,
    `const { W3CTraceContextPropagator } = require(${resolvedModule('@opentelemetry/core')});`,
    'const exporter = new InMemorySpanExporter();',
    'api.trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));',
    'api.propagation.setGlobalPropagator(new W3CTraceContextPropagator());',
    ...(options.contextManager
      ? [
          `const { AsyncLocalStorageContextManager } = require(${resolvedModule('@opentelemetry/context-async-hooks')});`,
          'api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());',
        ]
      : []),
  ];
}
