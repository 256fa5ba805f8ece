import type { ConsumeMessage } from 'amqplib';
import { ServiceStats } from '../metrics/service-stats.js';
import type { CallRequest, ServiceEndpoint } from '../rpc/call-handler.js';
import type { ReplyEnvelope } from '../rpc/envelope.js';
import type { ServiceCounters } from '../model/metrics-snapshot.js';
import { releaseAsyncTracking } from '../tracing/call-context.js';
import type { CallMode } from '../tracing/call-context.js';
import { CallScope } from '../tracing/call-scope.js';

/** The counters of the calls this worker process served (the frame asks for them over IPC). */
export const workerStats = new ServiceStats();

/**
 * How each function ran last: `sync` when it answered with a value, `async` with a promise. A
 * function's first call runs with async context tracking; while every function seen so far answers
 * synchronously, tracking is switched off again, so services without async functions never pay for it.
 * (A function that answers synchronously and later returns a promise is run async from its next call.)
 */
const modes = new Map<string, CallMode>();
let anyAsync = false;

/**
 * `ep.invoke(request)`, counted and traced: the call's metrics, its `currentCall()` context and (with
 * an OpenTelemetry SDK) its server span. The counters are updated before the reply is published, so
 * a caller that got its answer finds it counted.
 */
export function observedInvoke(
  ep: ServiceEndpoint,
  request: CallRequest,
  msg: ConsumeMessage,
  frameId: string | undefined,
): ReplyEnvelope | Promise<ReplyEnvelope> {
  const counters = workerStats.begin(ep.name);
  const started = performance.now();
  const scope = new CallScope(ep.name, frameId, msg.properties, started);
  let envelope: ReplyEnvelope | Promise<ReplyEnvelope>;
  const mode = modes.get(ep.name);
  try {
    envelope = scope.run(() => ep.invoke(request), mode ?? 'async');
  } catch (e) {
    // invoke() turns what the function throws into a reply; reaching here is a runtime fault.
    ended(counters, started, scope, 'REMOTE_ERROR');
    throw e;
  }
  const answered: CallMode = envelope instanceof Promise ? 'async' : 'sync';
  if (mode !== answered) {
    modes.set(ep.name, answered);
    if (answered === 'async') anyAsync = true;
    else if (!anyAsync) releaseAsyncTracking();
  }
  if (envelope instanceof Promise)
    return envelope.then((env) => {
      ended(counters, started, scope, env.ok ? undefined : env.error.code);
      return env;
    });
  ended(counters, started, scope, envelope.ok ? undefined : envelope.error.code);
  return envelope;
}

function ended(
  counters: ServiceCounters,
  started: number,
  scope: CallScope,
  errorCode: string | undefined,
): void {
  workerStats.end(counters, started, errorCode);
  scope.end(errorCode);
}
