import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { Context } from '@opentelemetry/api';

/** AMQP header naming the microservice that made a call (set when one service calls another). */
export const CALLER_HEADER = 'kael-caller';
/** The W3C trace context header (https://www.w3.org/TR/trace-context/). */
export const TRACEPARENT_HEADER = 'traceparent';

/** What service code can read about the call it is serving, via {@link currentCall}. */
export interface CallContext {
  /** The microservice being served (`<service_base_name>__<function>`). */
  readonly service: string;
  /** The id of the frame serving it. */
  readonly frame: string | undefined;
  /** The microservice that made the call, when a service called it; undefined for a plain client. */
  readonly caller: string | undefined;
  /** Epoch ms after which the caller no longer waits for the answer (undefined: no deadline). */
  readonly deadline: number | undefined;
  /** The W3C trace id (32 hex digits): the caller's, else one made for this call. */
  readonly traceId: string;
}

/**
 * One call as the worker serves it. The trace id is made only when someone reads it (most calls
 * never do), and the OpenTelemetry context only exists when an SDK is registered.
 */
export class CallState implements CallContext {
  private trace: string | undefined;

  /**
   * @param expiration the request's AMQP expiration (ms, a string): the caller's timeout, counted from
   * publishing — from `receivedAt` it gives an upper bound of the caller's deadline.
   * @param receivedAt performance.now() when the request was read.
   */
  constructor(
    readonly service: string,
    readonly frame: string | undefined,
    readonly caller: string | undefined,
    private readonly expiration: unknown,
    private readonly receivedAt: number,
    incomingTraceId: string | undefined,
    /** The span's context when tracing with an SDK (outgoing calls become its children). */
    readonly otel: Context | undefined,
  ) {
    this.trace = incomingTraceId;
  }

  /** Computed when read: most calls never ask. */
  get deadline(): number | undefined {
    const ms = Number(this.expiration);
    if (this.expiration === undefined || !Number.isFinite(ms) || ms <= 0) return undefined;
    return Math.round(performance.timeOrigin + this.receivedAt + ms);
  }

  get traceId(): string {
    this.trace ??= randomBytes(16).toString('hex');
    return this.trace;
  }

  /** The trace id only when it exists already (no id is made for the asking). */
  get knownTraceId(): string | undefined {
    return this.trace;
  }
}

/** Where the calls being served are kept (see {@link slots}). */
interface CallSlots {
  /** The calls being served, one per async flow (used for functions that return a promise). */
  readonly calls: AsyncLocalStorage<CallState>;
  /** The call whose synchronous function is running now (no async context needed for those). */
  sync: CallState | undefined;
}

/**
 * Shared by every copy of this module in the process: a service package that installed
 * @kael/runtime in its own folder loads a second copy, and its `currentCall()` must see the calls
 * the worker's copy serves. The key names the shape: a change to {@link CallSlots} or
 * {@link CallContext} that an older copy could not read takes a new key.
 */
const SLOTS_KEY = Symbol.for('kael.call-context.v1');
const slots = ((globalThis as Record<symbol, unknown>)[SLOTS_KEY] ??= {
  calls: new AsyncLocalStorage<CallState>(),
  sync: undefined,
} satisfies CallSlots) as CallSlots;

/** The calls being served, one per async flow (used for functions that return a promise). */
export const calls = slots.calls;

/**
 * How a call's function runs: `sync` sets the call for the synchronous run only (a function that
 * returns a value, not a promise, needs no more — and Node's async context tracking, which costs on
 * every async operation of the process once on, stays off); `async` runs it in {@link calls} so the
 * context follows its awaits, timers and callbacks.
 */
export type CallMode = 'sync' | 'async';

/** Runs `fn` as the function of `call` (see {@link CallMode}). */
export function runInCall<T>(call: CallState, mode: CallMode, fn: () => T): T {
  if (mode === 'async') return calls.run(call, fn);
  const outer = slots.sync;
  slots.sync = call;
  try {
    return fn();
  } finally {
    slots.sync = outer;
  }
}

/**
 * Stops async context tracking when no function needs it (the first call of a function runs with
 * it, until the function is known to answer synchronously).
 */
export function releaseAsyncTracking(): void {
  calls.disable();
}

/** The call being served here, whichever way it runs. */
export function servingCall(): CallState | undefined {
  return slots.sync ?? calls.getStore();
}

/**
 * The call the current code is serving, or undefined outside a kael service call. Works across
 * `await`: service code reads it without the runtime passing it in.
 * @example
 * const call = currentCall();
 * if (call?.deadline !== undefined && Date.now() > call.deadline) return; // the caller gave up
 */
export function currentCall(): CallContext | undefined {
  return servingCall();
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The trace id of a `traceparent` header value, or undefined when it is not one. */
export function traceIdOf(traceparent: unknown): string | undefined {
  if (typeof traceparent !== 'string') return undefined;
  const id = TRACEPARENT.exec(traceparent)?.[1];
  return id === undefined || /^0+$/.test(id) ? undefined : id;
}
