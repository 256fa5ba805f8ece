import type { Span } from '@opentelemetry/api';
import { CALLER_HEADER, calls, CallState, runInCall, TRACEPARENT_HEADER, traceIdOf } from './call-context.js';
import type { CallMode } from './call-context.js';
import { kaelTracer, otelApi, tracingEnabled } from './otel.js';

/** The AMQP properties a call scope reads. */
export interface IncomingCall {
  headers?: Record<string, unknown> | undefined;
  /** The request's expiration (ms, as a string): the caller's timeout. */
  expiration?: unknown;
}

/**
 * Serving one call: its {@link CallState} for `currentCall()`, and with an OpenTelemetry SDK a
 * server span whose parent is the caller's `traceparent`.
 */
export class CallScope {
  private readonly state: CallState;
  private readonly span: Span | undefined;

  /**
   * @param receivedAt when the request was read (performance.now()): the deadline counts from it.
   */
  constructor(
    service: string,
    frame: string | undefined,
    incoming: IncomingCall,
    receivedAt = performance.now(),
  ) {
    const headers = incoming.headers;
    const caller = headers?.[CALLER_HEADER];
    let otel;
    if (tracingEnabled()) {
      const { propagation, ROOT_CONTEXT, SpanKind, trace } = otelApi();
      const parent = headers === undefined ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, headers);
      this.span = kaelTracer().startSpan(
        service,
        { kind: SpanKind.SERVER, attributes: { 'rpc.system': 'kael', 'rpc.service': service } },
        parent,
      );
      otel = trace.setSpan(parent, this.span);
    }
    const traceId = this.span?.spanContext().traceId ?? traceIdOf(headers?.[TRACEPARENT_HEADER]) ?? undefined;
    this.state = new CallState(
      service,
      frame,
      typeof caller === 'string' ? caller : undefined,
      incoming.expiration,
      receivedAt,
      traceId,
      otel,
    );
  }

  /** Runs `fn` (the service function) inside the call's context (see CallMode). */
  run<T>(fn: () => T, mode: CallMode = 'async'): T {
    const otel = this.state.otel;
    if (otel === undefined) return runInCall(this.state, mode, fn);
    return otelApi().context.with(otel, () => calls.run(this.state, fn));
  }

  /** The call ended; `errorCode` set when it failed. Ends the span. */
  end(errorCode: string | undefined): void {
    if (this.span === undefined) return;
    if (errorCode !== undefined) {
      this.span.setStatus({ code: otelApi().SpanStatusCode.ERROR, message: errorCode });
      this.span.setAttribute('kael.error_code', errorCode);
    }
    this.span.end();
  }
}
