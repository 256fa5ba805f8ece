import { ProxyTracerProvider, trace } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';

/** The API's own no-op provider: what a proxy hands out while no SDK is registered. */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * True when an OpenTelemetry SDK registered a tracer provider. Checked per call (a few property
 * reads) so that an SDK registered after the runtime loaded is picked up; without one, the runtime
 * makes no spans at all.
 */
export function tracingEnabled(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NOOP_PROVIDER;
}

/** The runtime's tracer (instrumentation scope `kael`). */
export function kaelTracer(): Tracer {
  return trace.getTracer('kael');
}
