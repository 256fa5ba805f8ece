import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { BrokerConnection } from '../broker/connection.js';
import type { ErrorData, KaelError } from '../errors.js';
import type { Logger } from '../util/logger.js';
import { CrontabBeats } from './crontab-beats.js';
import type { Beat } from './crontab-beats.js';
import { CrontabLog } from './crontab-log.js';
import { LeaseView } from './lease-view.js';
import type { LogRecord } from './lease-view.js';
import type { LeaseTimings } from '../model/lease-timings.js';

/** Timings of the crontab election. Every frame of a namespace should use the same ones. */
/** How often the holder writes a checkpoint (`hold` with its latest claims) to the log. */
export const CHECKPOINT_MS = 60_000;
/** How long a frame waits to read back its own record before it counts as not accepted. */
const READ_BACK_MS = 5000;

/** What the election knows, for the crontab's status. */
export interface LeaseState {
  /** Frame holding the crontab, as this frame's log says; undefined when none. */
  holder: string | undefined;
  term: number;
  /** Milliseconds since the holder's last heartbeat reached this frame. */
  leaseAgeMs: number | undefined;
  /** Why this frame cannot take part (e.g. ACCESS_REFUSED on the log). */
  problem: ErrorData | undefined;
}

/** Callbacks of a {@link CrontabLease}. */
export interface LeaseHandlers {
  /** This frame holds the crontab; `lastClaimed` is the latest claimed tick per entry (ms). */
  onActive(lastClaimed: ReadonlyMap<number, number>): void;
  /** This frame no longer holds the crontab (another took over, or the log is being re-read). */
  onStandby(): void;
}

/** The frame-side parts a lease needs. */
export interface LeaseHost {
  readonly id: string;
  readonly namespace: string;
  readonly broker: BrokerConnection;
  readonly logger: Logger;
}

/**
 * The election of one crontab on one frame, and the fence for its ticks.
 *
 * The crontab's log (a stream) orders every takeover and every claimed tick; each frame folds it
 * with {@link LeaseView}. The holder sends heartbeats; a standby appends a takeover (`hold` with a
 * higher term) when the holder released, when its heartbeats stop for `leaseMs` (a silent host), or
 * at once when its presence queue is gone (a dead connection). A tick runs only after its claim was
 * read back from the log as accepted — a frame that was silent and wakes up finds the takeover
 * before its claim and does not run it.
 */
export class CrontabLease {
  private view = new LeaseView();
  private readonly log: CrontabLog;
  private readonly beats: CrontabBeats;
  private readonly pending = new Map<string, (accepted: boolean) => void>();
  /** The term this frame holds, while it holds it. */
  private myTerm: number | undefined;
  /** The term to restate after the log is re-read (this frame held it before). */
  private heldBefore: number | undefined;
  private lastBeat: { frame: string; term: number; at: number } | undefined;
  private readingSince = performance.now();
  private open = false;
  private takingOver = false;
  private probing = false;
  private problem: KaelError | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private beater: NodeJS.Timeout | undefined;
  private checkpointer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly host: LeaseHost,
    private readonly crontab: string,
    private readonly timings: LeaseTimings,
    /** The crontab's grace: how late a claimed tick may still run. */
    private readonly graceMs: number,
    windowMs: number,
    private readonly handlers: LeaseHandlers,
  ) {
    this.log = new CrontabLog(host.broker, host.namespace, crontab, windowMs, host.logger, {
      onReset: () => this.reset(),
      onOpen: () => this.opened(),
      onRecord: (r) => this.record(r),
      onProblem: (p) => {
        this.problem = p;
      },
    });
    this.beats = new CrontabBeats(host.broker, host.namespace, crontab, host.id, host.logger, (b) =>
      this.beat(b),
    );
  }

  /** Latest claimed tick per entry (ms), as this frame's log says. */
  get lastClaimed(): ReadonlyMap<number, number> {
    return this.view.lastClaimed;
  }

  /** True while this frame holds the crontab. */
  get active(): boolean {
    return this.myTerm !== undefined;
  }

  /** The election as this frame sees it. */
  state(): LeaseState {
    return {
      holder: this.view.holder,
      term: this.view.term,
      leaseAgeMs:
        this.lastBeat === undefined || this.lastBeat.frame !== this.view.holder
          ? undefined
          : Math.round(performance.now() - this.lastBeat.at),
      problem: this.problem?.toData(),
    };
  }

  /** Starts taking part in the election. */
  async start(): Promise<void> {
    // Without a connection nothing can be appended: no takeover attempts until the log reopens.
    this.host.broker.on('lost', this.onLost);
    await this.beats.start();
    await this.log.start();
    this.ticker = setInterval(() => this.check(), Math.min(250, this.timings.heartbeatMs));
    this.ticker.unref();
  }

  /** Releases the crontab when held (standbys take over at once) and stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.host.broker.off('lost', this.onLost);
    clearInterval(this.ticker);
    const term = this.myTerm;
    this.loseHold();
    if (term !== undefined && this.open) {
      await this.log
        .append({ type: 'release', id: recordId(), frame: this.host.id, term })
        .catch((e: unknown) =>
          this.host.logger.warn(`crontab ${this.crontab}: release not recorded`, {
            error: (e as Error).message,
          }),
        );
    }
    for (const settle of this.pending.values()) settle(false);
    this.pending.clear();
    await this.log.stop();
    await this.beats.stop();
  }

  /**
   * Claims a tick and tells whether this frame may run it: the claim was read back from the log as
   * accepted (this frame still held the crontab at that point, and nobody claimed the tick before).
   */
  async claim(entry: number, at: number): Promise<boolean> {
    const term = this.myTerm;
    if (term === undefined) return false;
    return this.appendAndReadBack(
      { type: 'claim', id: recordId(), frame: this.host.id, term, entry, at },
      at + this.graceMs - Date.now(),
    );
  }

  private readonly onLost = (): void => {
    this.open = false;
    // Nothing can be claimed until the log reopens: stop the schedule now, restate on reconnect
    // (and then run the ticks missed meanwhile, within the grace).
    if (this.myTerm !== undefined) {
      this.heldBefore = this.myTerm;
      this.loseHold();
    }
  };

  private reset(): void {
    this.open = false;
    if (this.myTerm !== undefined) this.heldBefore = this.myTerm;
    this.loseHold();
    // Records waiting to be read back stay pending: the re-read finds them if they were written,
    // and a claim accepted there still runs (nobody else will run that tick).
    this.view = new LeaseView();
    this.readingSince = performance.now();
  }

  private opened(): void {
    this.open = true;
    const term = this.heldBefore;
    this.heldBefore = undefined;
    // After a reconnect, a frame that held the crontab restates its term: if nobody took over
    // meanwhile it is accepted and the frame resumes (running the ticks missed within the grace).
    if (term !== undefined) void this.takeOver('restating after a reconnect', term);
  }

  private record(r: LogRecord): void {
    const accepted = this.view.apply(r);
    const settle = this.pending.get(r.id);
    if (settle !== undefined) {
      this.pending.delete(r.id);
      settle(accepted);
    }
    if (accepted && r.frame !== this.host.id)
      this.lastBeat = { frame: r.frame, term: r.term, at: performance.now() };
    if (this.myTerm !== undefined && (this.view.term !== this.myTerm || this.view.holder !== this.host.id)) {
      this.host.logger.info(`crontab ${this.crontab}: ${this.view.holder ?? 'another frame'} took over`);
      this.loseHold();
    }
  }

  private beat(b: Beat): void {
    if (b.term >= this.view.term) this.lastBeat = { frame: b.frame, term: b.term, at: performance.now() };
  }

  private check(): void {
    if (this.stopped || !this.open || this.myTerm !== undefined || this.takingOver) return;
    const now = performance.now();
    const holder = this.view.holder ?? this.lastBeat?.frame;
    const released = this.view.holder === undefined && this.view.term > 0;
    const lastSign = Math.max(
      this.readingSince,
      this.lastBeat?.frame === holder ? (this.lastBeat?.at ?? 0) : 0,
    );
    if (released || now - lastSign > this.timings.leaseMs) {
      void this.takeOver(released ? 'the holder released it' : 'the holder went silent');
      return;
    }
    if (holder !== undefined && holder !== this.host.id && !this.probing) {
      this.probing = true;
      void this.beats
        .probe(holder)
        .then((p) => {
          if (p === 'gone' && this.view.holder === holder && this.myTerm === undefined)
            return this.takeOver(`the holder's connection is gone`);
          return undefined;
        })
        .finally(() => {
          this.probing = false;
        });
    }
  }

  /**
   * Appends a takeover. A new term is above every term seen (in the log and in heartbeats) and at
   * least the wall-clock time, so a frame that read only the log's window still proposes a term
   * above any term of a holder that could still be alive.
   */
  private async takeOver(why: string, restate?: number): Promise<void> {
    if (this.takingOver || this.myTerm !== undefined) return;
    this.takingOver = true;
    try {
      const term = restate ?? Math.max(Date.now(), this.view.term + 1, (this.lastBeat?.term ?? 0) + 1);
      this.host.logger.debug(`crontab ${this.crontab}: taking over (${why})`, { term });
      await this.tryHold(term);
    } finally {
      this.takingOver = false;
    }
  }

  /** Appends `hold` for `term`; when it is read back accepted, this frame is the holder. */
  private async tryHold(term: number): Promise<void> {
    const accepted = await this.appendAndReadBack({
      type: 'hold',
      id: recordId(),
      frame: this.host.id,
      term,
      last: this.view.checkpoint(),
    });
    if (!accepted || this.stopped || this.view.term !== term || this.view.holder !== this.host.id) return;
    this.myTerm = term;
    this.host.logger.info(`crontab ${this.crontab}: this frame is active`, { term });
    this.beats.beat(term);
    this.beater = setInterval(() => this.beats.beat(term), this.timings.heartbeatMs);
    this.checkpointer = setInterval(() => void this.checkpoint(term), CHECKPOINT_MS);
    this.handlers.onActive(this.view.lastClaimed);
  }

  private async checkpoint(term: number): Promise<void> {
    if (this.myTerm !== term) return;
    const hold: LogRecord = {
      type: 'hold',
      id: recordId(),
      frame: this.host.id,
      term,
      last: this.view.checkpoint(),
    };
    await this.log.append(hold).catch((e: unknown) =>
      this.host.logger.warn(`crontab ${this.crontab}: checkpoint not recorded`, {
        error: (e as Error).message,
      }),
    );
  }

  private loseHold(): void {
    clearInterval(this.beater);
    clearInterval(this.checkpointer);
    if (this.myTerm === undefined) return;
    this.myTerm = undefined;
    this.handlers.onStandby();
  }

  /**
   * Appends a record and resolves with the fold's verdict once it is read back. A record not read
   * back within 5 s makes the frame re-read the log (it may have missed records); it stays pending
   * until `deadlineMs`, because a record that reached the log is found by the re-read — so a claim
   * that was accepted still runs on its claimer (nobody else runs a claimed tick), late but within
   * the grace, and one that never reached the log is run by whoever catches up.
   */
  private async appendAndReadBack(record: LogRecord, deadlineMs = READ_BACK_MS): Promise<boolean> {
    const readBack = new Promise<boolean>((resolve) => {
      const settle = (accepted: boolean): void => {
        clearTimeout(reread);
        clearTimeout(giveUp);
        this.pending.delete(record.id);
        resolve(accepted);
      };
      const reread = setTimeout(() => {
        this.host.logger.warn(`crontab ${this.crontab}: ${record.type} not read back; re-reading the log`);
        this.log.reopen();
      }, READ_BACK_MS);
      const giveUp = setTimeout(() => settle(false), Math.max(deadlineMs, READ_BACK_MS));
      this.pending.set(record.id, settle);
    });
    try {
      await this.log.append(record);
    } catch (e) {
      this.host.logger.warn(`crontab ${this.crontab}: ${record.type} not confirmed; re-reading the log`, {
        error: (e as Error).message,
      });
      this.log.reopen();
    }
    return readBack;
  }
}

function recordId(): string {
  return randomBytes(8).toString('hex');
}
