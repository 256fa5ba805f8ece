/** What the tick log of a crontab says. */
export interface TickTally {
  /** Lines in the log: runs of the command. */
  run: number;
  /** Runs beyond the first of the same scheduled time. */
  doubled: number;
  /** Scheduled times between the first and the last tick that never ran. */
  missed: number;
  /** Of the missed, those inside a fault's window (a killed, frozen or cut-off holder). */
  missed_in_fault_window: number;
  /** When the missed ticks were scheduled, in seconds from `origin` (the first 20). */
  missed_at_s: number[];
  /** Lines that are not a time. */
  unreadable: number;
}

/**
 * Counts doubled and missed ticks of a fixed-period schedule from its log: one line per run holding
 * the tick's scheduled time (ISO). Missed ticks are the gaps between the first and the last
 * scheduled time seen, so the ends of the run never count as missed.
 */
export function countTicks(
  lines: readonly string[],
  periodMs: number,
  windows: ReadonlyArray<readonly [number, number]> = [],
  origin = 0,
): TickTally {
  const times: number[] = [];
  let unreadable = 0;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const t = Date.parse(line.trim());
    if (Number.isNaN(t)) unreadable++;
    else times.push(t);
  }
  const unique = [...new Set(times)].sort((a, b) => a - b);
  const tally: TickTally = {
    run: times.length,
    doubled: times.length - unique.length,
    missed: 0,
    missed_in_fault_window: 0,
    missed_at_s: [],
    unreadable,
  };
  for (let i = 1; i < unique.length; i++) {
    for (let t = (unique[i - 1] as number) + periodMs; t < (unique[i] as number); t += periodMs) {
      tally.missed++;
      if (windows.some(([from, to]) => t >= from && t <= to)) tally.missed_in_fault_window++;
      if (tally.missed_at_s.length < 20) tally.missed_at_s.push(Math.round((t - origin) / 100) / 10);
    }
  }
  return tally;
}
