import type * as OtelApi from '@opentelemetry/api';
import type { Tracer, TracerProvider } from '@opentelemetry/api';

/**
 * Where @opentelemetry/api 1.x keeps what an SDK registers (tracer provider, propagator, context
 * manager): one object on globalThis that every copy of the API in the process shares.
 */
const OTEL_GLOBAL = Symbol.for('opentelemetry.js.api.1');

let api: typeof OtelApi | undefined;
/** The API's own no-op provider: what a proxy hands out while no SDK is registered. */
let noopProvider: TracerProvider | undefined;

/**
 * The OpenTelemetry API, loaded at its first use: a process in which nothing registered a tracer
 * provider never loads it (≈ 20 ms of a worker's or a client's start).
 */
export function otelApi(): typeof OtelApi {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  api ??= require('@opentelemetry/api') as typeof OtelApi;
  return api;
}

/** How long a tracingEnabled() answer is reused (an SDK registered later is seen within this). */
const RECHECK_MS = 1000;
let enabled = false;
let known = false;

/**
 * True when an OpenTelemetry SDK registered a tracer provider; without one, the runtime makes no spans
 * at all. The answer is reused for a second (an unref'd timer forgets it, so a call reads no clock):
 * asking the API on every call costs more than a call can afford, and an SDK registered after the
 * runtime loaded is still picked up. Nothing registered (the API's global holds no `trace` entry):
 * false without loading the API.
 */
export function tracingEnabled(): boolean {
  if (known) return enabled;
  known = true;
  setTimeout(() => {
    known = false;
  }, RECHECK_MS).unref();
  const registered = (globalThis as Record<symbol, { trace?: unknown } | undefined>)[OTEL_GLOBAL];
  if (registered?.trace === undefined) {
    enabled = false;
    return enabled;
  }
  const { ProxyTracerProvider, trace } = otelApi();
  noopProvider ??= new ProxyTracerProvider().getDelegate();
  const provider = trace.getTracerProvider();
  enabled = !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== noopProvider;
  return enabled;
}

/** The runtime's tracer (instrumentation scope `kael`). */
export function kaelTracer(): Tracer {
  return otelApi().trace.getTracer('kael');
}
