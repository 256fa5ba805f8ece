import { EXPECTED_CODE } from './call-ledger.js';
import type { CallTally } from './call-ledger.js';
import type { FaultKind } from './fault-log.js';
import type { TickTally } from './tick-count.js';

/** The one JSON document a chaos run prints. */
export interface ChaosSummary {
  /** `pass` when {@link problems} is empty. */
  verdict: 'pass' | 'fail';
  /** Why the run failed, one line each. */
  problems: string[];
  /** What went wrong without failing the run (with `--strict` these are problems too), one line each. */
  warnings: string[];
  seed: number;
  minutes: number;
  rate_per_s: number;
  /** Whether calls asked the client to retry across a lost connection. */
  retry: boolean;
  frames: number;
  /** Seconds the load ran (shorter when interrupted). */
  load_s: number;
  interrupted: boolean;
  calls: CallTally;
  /** Normal calls not started because too many were in flight (the load is an open loop with a cap). */
  not_sent_in_flight_limit: number;
  ticks: TickTally;
  /**
   * For each broker restart, milliseconds from the node taking connections again to the next
   * successful call (null: none followed).
   */
  broker_recovery_ms: Array<number | null>;
  /** Faults injected, by kind. */
  faults: Record<FaultKind, number>;
  /** Every fault in order, one line each (seconds from the start of the load). */
  fault_timeline: string[];
  /** Injections that did not go through (e.g. no worker to kill), as lines. */
  fault_errors: string[];
  /** Frame processes that exited without being killed or stopped by the run. */
  frames_exited_unexpectedly: number;
  /** Worker processes still alive some seconds after their frame was killed (then killed by the run). */
  orphan_processes: number;
  /** Exceptions and rejections nobody caught in the calling process. */
  uncaught_errors: number;
  /** The run's folder, when kept with --keep. */
  kept?: string;
}

/** The parts of a summary that are measured; {@link summarize} adds the verdict. */
export type ChaosFacts = Omit<ChaosSummary, 'verdict' | 'problems' | 'warnings'>;

/**
 * The verdict of a run: it fails when a call was lost or answered wrongly, a tick ran twice, an
 * error came without a kael code, something threw uncaught in the caller — and when nothing
 * worked at all (no successful call or no tick), which means the run itself is broken. Hostile
 * calls that did not fail with their code, calls run twice, ticks missed outside a fault's window,
 * frames that exited by themselves, orphaned workers and injections that did not go through are
 * warnings; `strict` makes them fail the run too.
 */
export function summarize(facts: ChaosFacts, strict = false): ChaosSummary {
  const problems: string[] = [];
  const c = facts.calls;
  if (c.lost > 0) problems.push(`${c.lost} call(s) lost (no answer, no error)`);
  if (c.wrong > 0) problems.push(`${c.wrong} call(s) answered with a wrong value`);
  if (c.failed_without_code > 0) problems.push(`${c.failed_without_code} call(s) failed without a kael code`);
  if (facts.ticks.doubled > 0) problems.push(`${facts.ticks.doubled} crontab tick(s) ran twice`);
  if (facts.uncaught_errors > 0) problems.push(`${facts.uncaught_errors} uncaught error(s) in the caller`);
  if (facts.interrupted) problems.push('interrupted before the end: the counts are partial');
  if (c.ok === 0) problems.push('no call succeeded');
  if (facts.ticks.run === 0) problems.push('no crontab tick ran');
  const warnings = warningsOf(facts);
  if (strict) problems.push(...warnings);
  return { verdict: problems.length === 0 ? 'pass' : 'fail', problems, warnings, ...facts };
}

function warningsOf(facts: ChaosFacts): string[] {
  const warnings: string[] = [];
  const c = facts.calls;
  for (const kind of ['oversized', 'poison'] as const) {
    const t = c.expected_failures[kind];
    const other = Object.entries(t.other);
    if (other.length > 0)
      warnings.push(
        `${t.sent - t.as_expected} of ${t.sent} ${kind} call(s) did not fail with ${EXPECTED_CODE[kind]}: ${other.map(([k, n]) => `${k} ${n}`).join(', ')}`,
      );
  }
  if (c.duplicated > 0)
    warnings.push(`${c.duplicated} call(s) ran more than once (redelivered after a worker or frame died)`);
  const unexplained = facts.ticks.missed - facts.ticks.missed_in_fault_window;
  if (unexplained > 0) warnings.push(`${unexplained} crontab tick(s) missed outside any fault's window`);
  if (facts.frames_exited_unexpectedly > 0)
    warnings.push(`${facts.frames_exited_unexpectedly} frame process(es) exited by themselves`);
  if (facts.orphan_processes > 0)
    warnings.push(`${facts.orphan_processes} worker process(es) outlived their killed frame`);
  for (const e of facts.fault_errors) warnings.push(`injection failed: ${e}`);
  return warnings;
}
