import { ProxyTracerProvider, trace } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';

/** The API's own no-op provider: what a proxy hands out while no SDK is registered. */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/** How long a tracingEnabled() answer is reused (an SDK registered later is seen within this). */
const RECHECK_MS = 1000;
let enabled = false;
let known = false;

/**
 * True when an OpenTelemetry SDK registered a tracer provider; without one, the runtime makes no spans
 * at all. The answer is reused for a second (an unref'd timer forgets it, so a call reads no clock):
 * asking the API on every call costs more than a call can afford, and an SDK registered after the
 * runtime loaded is still picked up.
 */
export function tracingEnabled(): boolean {
  if (known) return enabled;
  known = true;
  setTimeout(() => {
    known = false;
  }, RECHECK_MS).unref();
  const provider = trace.getTracerProvider();
  enabled = !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NOOP_PROVIDER;
  return enabled;
}

/** The runtime's tracer (instrumentation scope `kael`). */
export function kaelTracer(): Tracer {
  return trace.getTracer('kael');
}
