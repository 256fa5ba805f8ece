/** The faults a chaos run injects. */
export const FAULT_KINDS = [
  'frame_kill',
  'worker_kill',
  'frame_stop',
  'broker_restart',
  'oversized_call',
  'poison_call',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** One injected fault. */
export interface FaultRecord {
  kind: FaultKind;
  /** Epoch ms the fault began (the signal sent, the node stopped, the call sent). */
  startedAt: number;
  /** Epoch ms the fault was over (the frame back, the process resumed, the node up again). */
  endedAt: number;
  /** What it hit, e.g. `frame 2 (pid 123)` or `graceful stop`. */
  target: string;
  /** Why the injection itself failed (e.g. a replacement frame that did not start). */
  error?: string;
}

/** Faults that can leave crontab ticks unrun: the holder dies or goes silent, or the broker goes away. */
const TICK_FAULTS: ReadonlySet<FaultKind> = new Set(['frame_kill', 'frame_stop', 'broker_restart']);

/** The faults of a run, in order. */
export class FaultLog {
  readonly records: FaultRecord[] = [];

  add(record: FaultRecord): void {
    this.records.push(record);
  }

  /** How many faults of each kind were injected (every kind listed, 0 when none). */
  counts(): Record<FaultKind, number> {
    const out = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
    for (const r of this.records) out[r.kind]++;
    return out;
  }

  /**
   * The spans in which a crontab tick may go unrun for a known reason: from `beforeMs` before a
   * tick-affecting fault to `afterMs` after it was over (failover and the grace of a missed tick).
   */
  tickWindows(beforeMs: number, afterMs: number): Array<[number, number]> {
    return this.records
      .filter((r) => TICK_FAULTS.has(r.kind))
      .map((r): [number, number] => [r.startedAt - beforeMs, r.endedAt + afterMs]);
  }

  /** Each fault as one line: seconds from `origin`, kind, target, how long it took (or why it failed). */
  timeline(origin: number): string[] {
    return this.records.map(
      (r) =>
        `${((r.startedAt - origin) / 1000).toFixed(1)} s ${r.kind} ${r.target}${r.error === undefined ? '' : ` FAILED: ${r.error}`} (${r.endedAt - r.startedAt} ms)`,
    );
  }

  /** Injections that failed, as `kind: error` lines. */
  errors(): string[] {
    return this.records
      .filter((r) => r.error !== undefined)
      .map((r) => `${r.kind} ${r.target}: ${r.error ?? ''}`);
  }
}
