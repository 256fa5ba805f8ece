/** One call of a {@link CallLoad}: when it started and ended (epoch ms) and how. */
export interface CallRecord {
  start: number;
  end: number;
  /** Undefined when the call answered the right value. */
  failure?: string;
  /** The call answered, with a wrong value. */
  wrong?: boolean;
}

/** What a load run saw. */
export interface LoadSummary {
  calls: number;
  failed: number;
  wrong: number;
  /** Calls that never settled (not even by their own timeout). */
  lost: number;
  callsPerSecond: number;
  /** Failure codes and how often each occurred. */
  codes: Record<string, number>;
  records: CallRecord[];
}

/**
 * Continuous calls from `lanes` concurrent callers until {@link stop}: call number `i` is `call(i)`,
 * its answer is checked with `isRight(i, value)`, and it is recorded. A call that does not settle
 * within its timeout plus `graceMs` counts as lost. Used by the cluster benchmark and tests.
 */
export class CallLoad {
  private running = true;
  private readonly records: CallRecord[] = [];
  private readonly unsettled = new Set<number>();
  private readonly lanes: Promise<void>[];
  private readonly started = Date.now();
  private n = 0;

  constructor(
    private readonly call: (i: number) => Promise<unknown>,
    private readonly isRight: (i: number, value: unknown) => boolean,
    lanes: number,
    private readonly timeoutMs = 5000,
  ) {
    this.lanes = Array.from({ length: lanes }, () => this.lane());
  }

  /** Calls settled so far. */
  get count(): number {
    return this.records.length;
  }

  /** Stops issuing calls and waits for the ones in flight (bounded by timeout + `graceMs`). */
  async stop(graceMs = 3000): Promise<LoadSummary> {
    this.running = false;
    const stoppedAt = Date.now();
    await Promise.race([
      Promise.all(this.lanes),
      new Promise((r) => setTimeout(r, this.timeoutMs + graceMs).unref()),
    ]);
    const codes: Record<string, number> = {};
    for (const r of this.records) if (r.failure !== undefined) codes[r.failure] = (codes[r.failure] ?? 0) + 1;
    return {
      calls: this.records.length + this.unsettled.size,
      failed: this.records.filter((r) => r.failure !== undefined).length,
      wrong: this.records.filter((r) => r.wrong === true).length,
      lost: this.unsettled.size,
      callsPerSecond: Math.round((this.records.length * 1000) / Math.max(1, stoppedAt - this.started)),
      codes,
      records: [...this.records].sort((a, b) => a.start - b.start),
    };
  }

  private async lane(): Promise<void> {
    while (this.running) {
      const i = this.n++;
      const start = Date.now();
      this.unsettled.add(i);
      const record: CallRecord = { start, end: start };
      try {
        if (!this.isRight(i, await this.call(i))) record.wrong = true;
      } catch (e) {
        record.failure = (e as { code?: string }).code ?? 'UNKNOWN';
      }
      record.end = Date.now();
      this.unsettled.delete(i);
      this.records.push(record);
      // Do not spin while nothing can be reached.
      if (record.failure !== undefined) await new Promise((r) => setTimeout(r, 20));
    }
  }
}
