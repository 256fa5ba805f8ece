import { randomBytes } from 'node:crypto';
import { CALLER_HEADER, servingCall, TRACEPARENT_HEADER } from './call-context.js';
import { otelApi, tracingEnabled } from './otel.js';

/**
 * The headers of an outgoing call or command: `headers` plus the trace context and the calling
 * service. Returns `headers` itself (usually undefined) when there is nothing to add — a plain client
 * without an OpenTelemetry SDK — so the common call carries no header table at all.
 *
 * With an SDK, the active span (or the span of the call being served) is injected by the registered
 * propagator. Without one, a call made while serving a call carries that call's trace id, so
 * `currentCall().traceId` is the same across hops.
 */
export function withTraceHeaders(
  headers: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  const serving = servingCall();
  const traced = tracingEnabled();
  if (serving === undefined && !traced) return headers;
  const out: Record<string, unknown> = { ...headers };
  if (traced) {
    const { context, propagation, trace } = otelApi();
    const ctx = serving?.otel ?? context.active();
    if (trace.getSpan(ctx) !== undefined) propagation.inject(ctx, out);
  }
  if (serving !== undefined) {
    out[TRACEPARENT_HEADER] ??= `00-${serving.traceId}-${randomBytes(8).toString('hex')}-01`;
    out[CALLER_HEADER] = serving.service;
  }
  return out;
}
