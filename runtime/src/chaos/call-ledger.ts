import { KaelError } from '../errors.js';
import type { KaelErrorCode } from '../errors.js';

/** Calls whose answer is known in advance: `add` of the JS package, `mul` of the Python package. */
export type NormalKind = 'js' | 'python';
/** Calls that must fail, each with one code: see {@link EXPECTED_CODE}. */
export type ExpectedFailureKind = 'oversized' | 'poison';
export type CallKind = NormalKind | ExpectedFailureKind;

/** The code each kind of hostile call must fail with. */
export const EXPECTED_CODE: Readonly<Record<ExpectedFailureKind, KaelErrorCode>> = {
  oversized: 'REQUEST_TOO_LARGE',
  poison: 'WORKER_CRASHED',
};

/** Key under which a failure without a kael code is counted. */
export const NO_CODE = 'NO_CODE';

/** How one call ended, as the caller saw it. */
export type CallResult = { ok: true; value: unknown } | { ok: false; error: unknown };

/** The tally of the normal calls of one kind. */
export interface KindTally {
  sent: number;
  ok: number;
  failed: number;
}

/** The tally of one kind of hostile call: how many failed as they must, and what the others did. */
export interface ExpectedTally {
  sent: number;
  /** Failed with the expected code. */
  as_expected: number;
  /** Every other outcome: `ok`, `lost`, or the code it failed with. */
  other: Record<string, number>;
}

/** Everything the ledger counted, in the summary's words. */
export interface CallTally {
  sent: number;
  ok: number;
  /** Normal calls that failed, by kael code ({@link NO_CODE}: the error carried none). */
  failed: Record<string, number>;
  /** Calls of any kind that never settled: no value, no error, not even a timeout. */
  lost: number;
  /** Calls still open when an interrupted run closed its books early (not judged: not lost). */
  abandoned: number;
  /** Normal calls answered with a value other than the known one. */
  wrong: number;
  /** Calls whose function ran more than once (redelivered after a worker or frame died). */
  duplicated: number;
  /** Calls of any kind whose error carried no kael code. */
  failed_without_code: number;
  by_kind: Record<NormalKind, KindTally>;
  expected_failures: Record<ExpectedFailureKind, ExpectedTally>;
  /**
   * When normal calls failed, by code: spans `from–to` in seconds from the start of the load (failures
   * less than a second apart share a span), to set beside the faults' times.
   */
  failure_spans: Record<string, string[]>;
  /** The longest time between two successful normal calls (or the start / the end of the load). */
  longest_without_success_ms: number;
  /** When that gap began, in seconds from the start of the load. */
  longest_without_success_at_s: number;
  /** A few examples of each problem, for the report. */
  samples: { wrong: string[]; failed_without_code: string[]; lost: string[] };
}

interface OpenCall {
  kind: CallKind;
  startedAt: number;
  check: ((value: unknown) => boolean) | undefined;
}

const SAMPLES = 5;
/** Failures closer than this share one span of {@link CallTally.failure_spans}. */
const SPAN_JOIN_MS = 1000;

/**
 * The accounting of a chaos run's calls: each call is started under a unique id and settled once
 * with what the caller got; the ids the services executed are fed in from their execution log.
 * Pure bookkeeping (times are passed in), so the rules are unit-tested without a broker.
 */
export class CallLedger {
  private readonly open = new Map<string, OpenCall>();
  private readonly used = new Set<string>();
  private readonly executions = new Map<string, number>();
  private readonly tally: CallTally;
  private lastSuccess: number;
  /** When each successful normal call settled, in order. */
  private readonly successes: number[] = [];
  private longestGap = { ms: 0, from: 0 };

  constructor(private readonly startedAt: number) {
    this.lastSuccess = startedAt;
    this.tally = {
      sent: 0,
      ok: 0,
      failed: {},
      lost: 0,
      abandoned: 0,
      wrong: 0,
      duplicated: 0,
      failed_without_code: 0,
      failure_spans: {},
      by_kind: { js: { sent: 0, ok: 0, failed: 0 }, python: { sent: 0, ok: 0, failed: 0 } },
      expected_failures: {
        oversized: { sent: 0, as_expected: 0, other: {} },
        poison: { sent: 0, as_expected: 0, other: {} },
      },
      longest_without_success_ms: 0,
      longest_without_success_at_s: 0,
      samples: { wrong: [], failed_without_code: [], lost: [] },
    };
  }

  /** Calls started and not settled yet. */
  get pending(): number {
    return this.open.size;
  }

  /**
   * Records a call as started. `check` tells whether a value is the right answer (normal calls).
   * @throws RangeError when the id was used before: ids must be unique for duplicates to be seen.
   */
  start(id: string, kind: CallKind, at: number, check?: (value: unknown) => boolean): void {
    if (this.used.has(id)) throw new RangeError(`call id ${id} used twice`);
    this.used.add(id);
    this.open.set(id, { kind, startedAt: at, check });
    this.tally.sent++;
    if (kind === 'js' || kind === 'python') this.tally.by_kind[kind].sent++;
    else this.tally.expected_failures[kind].sent++;
  }

  /** Records how a call ended; a second settlement of the same id is ignored (a promise settles once). */
  settle(id: string, result: CallResult, at: number): void {
    const call = this.open.get(id);
    if (call === undefined) return;
    this.open.delete(id);
    const code = result.ok ? undefined : codeOf(result.error);
    if (!result.ok && code === undefined) {
      this.tally.failed_without_code++;
      sample(this.tally.samples.failed_without_code, `${id} (${call.kind}): ${describe(result.error)}`);
    }
    if (call.kind === 'oversized' || call.kind === 'poison') {
      const t = this.tally.expected_failures[call.kind];
      if (!result.ok && code === EXPECTED_CODE[call.kind]) t.as_expected++;
      else bump(t.other, result.ok ? 'ok' : (code ?? NO_CODE));
      return;
    }
    const kind = this.tally.by_kind[call.kind];
    if (!result.ok) {
      kind.failed++;
      bump(this.tally.failed, code ?? NO_CODE);
      this.noteFailure(code ?? NO_CODE, at);
      return;
    }
    if (call.check !== undefined && !call.check(result.value)) {
      this.tally.wrong++;
      sample(
        this.tally.samples.wrong,
        `${id} (${call.kind}): ${JSON.stringify(result.value) ?? 'undefined'}`,
      );
      return;
    }
    kind.ok++;
    this.tally.ok++;
    this.noteSuccess(at);
  }

  /**
   * Feeds the ids the services wrote to their execution log (one line per run of a function); ids
   * the ledger never started (warm-up calls) are not counted.
   */
  recordExecutions(ids: Iterable<string>): void {
    for (const id of ids) this.executions.set(id, (this.executions.get(id) ?? 0) + 1);
  }

  /**
   * Closes the books at `endedAt` (the end of the load): every call still open is lost — or only
   * abandoned when the run was interrupted before the calls' timeouts passed.
   * Call it once, after waiting for every call's timeout and a grace.
   */
  finish(endedAt: number, interrupted = false): CallTally {
    if (interrupted) {
      this.tally.abandoned = this.open.size;
      this.open.clear();
    }
    for (const [id, call] of this.open) {
      this.tally.lost++;
      if (call.kind === 'oversized' || call.kind === 'poison')
        bump(this.tally.expected_failures[call.kind].other, 'lost');
      sample(
        this.tally.samples.lost,
        `${id} (${call.kind}) started at ${((call.startedAt - this.startedAt) / 1000).toFixed(1)} s`,
      );
    }
    this.open.clear();
    this.noteGap(endedAt);
    for (const [id, n] of this.executions) if (n > 1 && this.used.has(id)) this.tally.duplicated++;
    const seconds = (t: number): string => ((t - this.startedAt) / 1000).toFixed(1);
    for (const [code, spans] of this.spans)
      this.tally.failure_spans[code] = spans.map(([from, to]) => `${seconds(from)}–${seconds(to)}`);
    this.tally.longest_without_success_ms = Math.round(this.longestGap.ms);
    this.tally.longest_without_success_at_s = Math.round((this.longestGap.from - this.startedAt) / 100) / 10;
    return this.tally;
  }

  /**
   * Milliseconds from `at` to the first successful normal call settled at or after it (undefined
   * when none followed): how long callers waited for service after, e.g., the broker came back.
   */
  firstSuccessAfter(at: number): number | undefined {
    let lo = 0;
    let hi = this.successes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.successes[mid] as number) < at) lo = mid + 1;
      else hi = mid;
    }
    const first = this.successes[lo];
    return first === undefined ? undefined : first - at;
  }

  private readonly spans = new Map<string, Array<[number, number]>>();

  private noteFailure(code: string, at: number): void {
    let spans = this.spans.get(code);
    if (spans === undefined) this.spans.set(code, (spans = []));
    const last = spans[spans.length - 1];
    if (last !== undefined && at - last[1] < SPAN_JOIN_MS) last[1] = Math.max(last[1], at);
    else spans.push([at, at]);
  }

  private noteSuccess(at: number): void {
    this.successes.push(at);
    this.noteGap(at);
    this.lastSuccess = Math.max(this.lastSuccess, at);
  }

  private noteGap(at: number): void {
    const gap = at - this.lastSuccess;
    if (gap > this.longestGap.ms) this.longestGap = { ms: gap, from: this.lastSuccess };
  }
}

/** The kael code of an error, or undefined when it is not a kael error (a raw library exception). */
export function codeOf(error: unknown): string | undefined {
  return error instanceof KaelError ? error.code : undefined;
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

function sample(list: string[], text: string): void {
  if (list.length < SAMPLES) list.push(text);
}
