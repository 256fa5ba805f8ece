/**
 * One record of a crontab's log (the `kael.<ns>.cron.<name>.log` stream). Every frame of the
 * crontab reads the same records in the same order and folds them with {@link LeaseView}, so all
 * agree on who holds the crontab and which ticks were claimed, without trusting any clock.
 */
export type LogRecord = HoldRecord | ClaimRecord | ReleaseRecord;

interface RecordBase {
  /** Unique per record: the writer recognises its own record when it reads it back. */
  id: string;
  /** Frame id of the writer. */
  frame: string;
  /** The writer's term (see {@link HoldRecord}). */
  term: number;
}

/**
 * Takes the crontab with a higher term than the current one (first such record wins), or restates
 * the current holder's term (same frame, same term) with its latest claims as a checkpoint.
 */
export interface HoldRecord extends RecordBase {
  type: 'hold';
  /** Latest claimed scheduled time per entry index (ms), as the writer knows them. */
  last: Record<string, number>;
}

/** Claims one tick: (entry, scheduled time). Valid only from the current holder in its term. */
export interface ClaimRecord extends RecordBase {
  type: 'claim';
  entry: number;
  /** Scheduled time, ms since the epoch. */
  at: number;
}

/** The holder gives the crontab up (clean stop): standbys take over at once. */
export interface ReleaseRecord extends RecordBase {
  type: 'release';
}

/**
 * The state every frame folds from the log. The rules make the log order the only arbiter:
 * - `hold` with a term above the current one is accepted (a takeover); the same holder's same term
 *   is accepted as a restatement; anything else is rejected (a takeover that lost a race);
 * - `claim` is accepted only from the holder of the current term, for a tick later than the
 *   entry's latest claim — so a frame that was silent and wakes up after a takeover finds its
 *   claim rejected (it is fenced) and a tick is never claimed twice;
 * - a record whose term is above the current one also proves a takeover this reader did not see
 *   (it started reading after it), so the reader adopts that term.
 */
export class LeaseView {
  /** Current term; 0 before any record. */
  term = 0;
  /** Frame holding the current term; undefined when none is known or it released. */
  holder: string | undefined;
  /** Latest claimed scheduled time per entry (ms). */
  readonly lastClaimed = new Map<number, number>();

  /** Applies one record; true when it is accepted. */
  apply(r: LogRecord): boolean {
    if (r.term > this.term) {
      this.term = r.term;
      this.holder = r.frame;
    } else if (r.term < this.term || r.frame !== this.holder) return false;
    if (r.type === 'release') {
      this.holder = undefined;
      return true;
    }
    if (r.type === 'hold') {
      for (const [entry, at] of Object.entries(r.last)) this.raise(Number(entry), at);
      return true;
    }
    if (r.at <= (this.lastClaimed.get(r.entry) ?? -Infinity)) return false;
    this.lastClaimed.set(r.entry, r.at);
    return true;
  }

  /** The latest claims as a `hold` checkpoint carries them. */
  checkpoint(): Record<string, number> {
    return Object.fromEntries([...this.lastClaimed].map(([e, at]) => [String(e), at]));
  }

  private raise(entry: number, at: number): void {
    if (at > (this.lastClaimed.get(entry) ?? -Infinity)) this.lastClaimed.set(entry, at);
  }
}
