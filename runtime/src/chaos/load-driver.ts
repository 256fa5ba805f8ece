import type { FrameClient } from '../client/frame-client.js';
import { DEFAULT_MESSAGE_LIMITS } from '../model/message-limits.js';
import type { CallKind, CallLedger } from './call-ledger.js';
import { CHAOS_FUNCTIONS } from './chaos-packages.js';
import type { SeededRandom } from './random.js';

/** Settings of a {@link LoadDriver}. */
export interface LoadOptions {
  /** Normal calls started per second. */
  rate: number;
  /** Timeout of a normal call. */
  callTimeoutMs: number;
  /** Prefix of every call id of the run. */
  runId: string;
  /** Calls in flight above which no new normal call is started (counted as not sent). @default 2000 */
  maxInFlight?: number;
}

/** Timeout of an oversized or poison call: room for a frame to quarantine a poison call. */
export const HOSTILE_TIMEOUT_MS = 15_000;

/** Share of the normal calls that go to the Python package (the rest go to the JS one). */
const PYTHON_SHARE = 0.4;

/** How often the driver starts the calls that are due. */
const TICK_MS = 10;

/**
 * The load of a chaos run: an open loop of calls at a steady rate, each with a unique id and
 * arguments whose answer is known (`add` on the JS package, `mul` on the Python one), settled into
 * the ledger; and, on demand, oversized and poison calls.
 */
export class LoadDriver {
  /** Normal calls skipped because too many were in flight. */
  notSent = 0;
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private due = 0;
  private seq = 0;
  /** The latest deadline of any call started: after it (and a grace) a call still open is lost. */
  lastDeadline = 0;

  constructor(
    private readonly client: FrameClient,
    private readonly ledger: CallLedger,
    private readonly random: SeededRandom,
    private readonly options: LoadOptions,
  ) {}

  /** Starts the steady load. */
  start(): void {
    this.startedAt = Date.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** Stops starting normal calls (calls in flight go on). */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Sends a call whose request is larger than the request limit: it must fail with REQUEST_TOO_LARGE. */
  sendOversized(): string {
    const blob = 'x'.repeat(DEFAULT_MESSAGE_LIMITS.maxRequestBytes + 1024);
    return this.send('oversized', CHAOS_FUNCTIONS.jsSize, [blob], HOSTILE_TIMEOUT_MS);
  }

  /** Sends a call that kills its worker: it must fail with WORKER_CRASHED. */
  sendPoison(language: 'js' | 'python'): string {
    const fn = language === 'js' ? CHAOS_FUNCTIONS.jsCrash : CHAOS_FUNCTIONS.pyCrash;
    return this.send('poison', fn, [], HOSTILE_TIMEOUT_MS);
  }

  private tick(): void {
    const should = Math.floor(((Date.now() - this.startedAt) / 1000) * this.options.rate);
    const limit = this.options.maxInFlight ?? 2000;
    while (this.due < should) {
      this.due++;
      if (this.ledger.pending >= limit) this.notSent++;
      else this.sendNormal();
    }
  }

  private sendNormal(): void {
    const a = this.random.int(0, 50_000);
    const b = this.random.int(0, 50_000);
    const delayMs = this.random.int(0, 30);
    if (this.random.next() < PYTHON_SHARE) {
      this.send('python', CHAOS_FUNCTIONS.pyMul, [a, b, delayMs], this.options.callTimeoutMs, (id, v) =>
        answers(v, id, 'product', a * b),
      );
    } else {
      this.send('js', CHAOS_FUNCTIONS.jsAdd, [a, b, delayMs], this.options.callTimeoutMs, (id, v) =>
        answers(v, id, 'sum', a + b),
      );
    }
  }

  /** Starts one call under a fresh id (the id goes first in the arguments of normal calls). */
  private send(
    kind: CallKind,
    fn: string,
    args: unknown[],
    timeoutMs: number,
    check?: (id: string, value: unknown) => boolean,
  ): string {
    const id = `${this.options.runId}.${(this.seq++).toString(36)}`;
    const now = Date.now();
    this.lastDeadline = Math.max(this.lastDeadline, now + timeoutMs);
    this.ledger.start(id, kind, now, check === undefined ? undefined : (v) => check(id, v));
    let call: Promise<unknown>;
    try {
      call = this.client.call(fn, check === undefined ? args : [id, ...args], { timeoutMs });
    } catch (error) {
      // A synchronous throw is a failure of the call like any other; the ledger judges its code.
      this.ledger.settle(id, { ok: false, error }, Date.now());
      return id;
    }
    void call.then(
      (value) => this.ledger.settle(id, { ok: true, value }, Date.now()),
      (error: unknown) => this.ledger.settle(id, { ok: false, error }, Date.now()),
    );
    return id;
  }
}

/** True when `value` is `{ id, [field]: expected }`. */
function answers(value: unknown, id: string, field: string, expected: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return v['id'] === id && v[field] === expected;
}
