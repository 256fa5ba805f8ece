import { ProxyTracerProvider, trace } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';

/** The API's own no-op provider: what a proxy hands out while no SDK is registered. */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/** How long a tracingEnabled() answer is reused (an SDK registered later is seen within this). */
const RECHECK_MS = 1000;
let enabled = false;
let checkedAt = Number.NEGATIVE_INFINITY;

/**
 * True when an OpenTelemetry SDK registered a tracer provider; without one, the runtime makes no spans
 * at all. The answer is reused for a second: asking the API costs more than a call can afford, and an
 * SDK registered after the runtime loaded is still picked up.
 */
export function tracingEnabled(now = performance.now()): boolean {
  if (now - checkedAt < RECHECK_MS) return enabled;
  checkedAt = now;
  const provider = trace.getTracerProvider();
  enabled = !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NOOP_PROVIDER;
  return enabled;
}

/** The runtime's tracer (instrumentation scope `kael`). */
export function kaelTracer(): Tracer {
  return trace.getTracer('kael');
}
