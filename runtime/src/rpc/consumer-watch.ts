import type { Channel } from 'amqplib';
import type { BrokerConnection } from '../broker/connection.js';
import { KaelError } from '../errors.js';
import type { Logger } from '../util/logger.js';
import { REPLY_CODE, replyCodeOf } from '../broker/reply-codes.js';

/** What the watch knows about one service queue. */
interface QueueState {
  /** Consumers seen by the last probe; -1 when the broker could not say (counts as "has consumers"). */
  consumers: number;
  /** Messages ready in the queue at the last probe (requests no consumer has taken, or requeued). */
  ready: number;
  /** Epoch ms at which that probe was sent. */
  checkedAt: number;
  /** Epoch ms at which the first probe of the current run of "no consumer" answers was sent. */
  zeroSince: number | undefined;
  probing: Promise<number | undefined> | undefined;
}

/** A positive answer younger than this lets calls publish without asking again. */
const FRESH_MS = 1000;
/** While calls wait, a queue known to have consumers is asked again at most this often. */
const IN_FLIGHT_RECHECK_MS = 100;
/** A probe the broker has not answered by then counts as "unknown" (the call is published). */
const PROBE_TIMEOUT_MS = 1000;

/**
 * Tells when a service queue has no consumer, so a call to a service no live frame serves fails
 * with SERVICE_NOT_FOUND in about `goneAfterMs` instead of waiting out its timeout in a queue that
 * `x-expires` keeps for 30 minutes.
 *
 * It asks the broker with a passive queue declare (its consumer count) on a channel of its own: a
 * missing queue closes that channel (404), never the reply channel. A queue is "gone" once two
 * probes at least `goneAfterMs` apart both saw no consumer. Calls check before publishing only when
 * no answer younger than 1 s said the queue has consumers, and refresh that answer in the background
 * once it is half as old, so calls to live services never wait for a probe under steady traffic.
 * Calls already published are checked by the request sweep after `goneAfterMs` of waiting (the
 * frame may have died mid-call).
 */
export class ConsumerWatch {
  private readonly states = new Map<string, QueueState>();
  private channel: Promise<Channel | undefined> | undefined;
  private openChannelNow: Channel | undefined;
  /** Told when a queue that calls wait on is found gone (the request channel fails them at once). */
  onGone: ((queue: string) => void) | undefined;

  /**
   * @param goneAfterMs how long a queue must be seen without consumer before calls to it fail;
   * `Infinity` turns the watch off.
   */
  constructor(
    private readonly broker: BrokerConnection,
    private readonly logger: Logger,
    private readonly goneAfterMs: number,
  ) {}

  /** True when the watch is on. */
  get enabled(): boolean {
    return Number.isFinite(this.goneAfterMs) && !this.refused;
  }

  /** The broker refused a probe (a user without the right to declare): calls then wait as before. */
  private refused = false;

  /**
   * Before publishing a call to `queue`: undefined when the queue is known to have consumers (the
   * hot path, no promise), else a promise that resolves when the call may be published.
   * @throws KaelError `SERVICE_NOT_FOUND` (the promise rejects) when the queue has no consumer.
   */
  beforePublish(queue: string, label: string): Promise<void> | undefined {
    if (!this.enabled) return undefined;
    const s = this.states.get(queue);
    const now = Date.now();
    if (s !== undefined && s.consumers !== 0) {
      const age = now - s.checkedAt;
      if (age < FRESH_MS) {
        if (age > FRESH_MS / 2 && s.probing === undefined) void this.probe(queue);
        return undefined;
      }
    }
    return this.confirm(queue, label);
  }

  /**
   * For a call published to `queue` at `sentAt` and still waiting at `now`: true when the queue has
   * had no consumer for `goneAfterMs` since then. Starts the probes that find it out.
   */
  goneSince(queue: string, sentAt: number, now: number): boolean {
    if (!this.enabled || now - sentAt < this.goneAfterMs) return false;
    const s = this.states.get(queue);
    const gone = s !== undefined && s.checkedAt >= sentAt && this.isGone(s);
    if (s?.probing === undefined) {
      // A call asks once as soon as it has waited goneAfterMs, unless a probe sent after it was
      // published already answered; then at most every IN_FLIGHT_RECHECK_MS (every goneAfterMs while
      // the queue shows no consumer, to confirm). A queue found gone is still asked: a draining
      // frame's calls become stranded if it dies before answering them.
      const since = s === undefined ? Infinity : now - s.checkedAt;
      const confirming = s === undefined || s.checkedAt < sentAt || (s.consumers === 0 && !gone);
      if (since >= (confirming ? this.goneAfterMs : IN_FLIGHT_RECHECK_MS)) void this.probe(queue, true);
    }
    return gone;
  }

  /**
   * How many requests sit in a queue found gone: only that many waiting calls are stranded. A frame
   * that drains on SIGTERM has cancelled its consumer but still holds the calls it is finishing
   * (unacknowledged, not counted as ready): those calls get their reply and must not fail.
   */
  stranded(queue: string): number {
    const s = this.states.get(queue);
    return s !== undefined && this.isGone(s) ? s.ready : 0;
  }

  /** The error of a call to a queue without consumer. */
  notFound(queue: string, label: string, reason: 'no-consumer' | 'consumers-gone'): KaelError {
    return new KaelError(
      'SERVICE_NOT_FOUND',
      reason === 'no-consumer'
        ? `${label}: no live frame serves it (its queue ${queue} has no consumer)`
        : `${label}: no live frame serves it any more (its queue ${queue} lost its last consumer while the call waited; the request stays queued until it expires)`,
      { details: { reason, queue } },
    );
  }

  /** Forgets every answer and closes the probe channel. */
  async close(): Promise<void> {
    this.states.clear();
    const ch = await this.channel;
    this.channel = undefined;
    if (ch === undefined) return;
    try {
      await ch.close();
    } catch (e) {
      this.logger.debug('probe channel close failed', { error: (e as Error).message });
    }
  }

  /**
   * Calls wait on a queue that just showed no consumer: ask again as soon as a second "none" would
   * make it gone, and tell the request channel at once instead of at its next sweep.
   */
  private confirmGone(queue: string, s: QueueState): void {
    if (this.isGone(s)) {
      this.onGone?.(queue);
      return;
    }
    const wait = Math.max(0, (s.zeroSince ?? s.checkedAt) + this.goneAfterMs - Date.now());
    setTimeout(() => {
      if (s.probing === undefined && this.states.get(queue) === s) void this.probe(queue, true);
    }, wait).unref();
  }

  private isGone(s: QueueState): boolean {
    return s.consumers === 0 && s.zeroSince !== undefined && s.checkedAt - s.zeroSince >= this.goneAfterMs;
  }

  /** Probes until the queue shows a consumer, the broker cannot say, or it is gone. */
  private async confirm(queue: string, label: string): Promise<void> {
    for (let attempt = 0; attempt < 4; attempt++) {
      const consumers = await this.probe(queue);
      if (consumers === undefined || consumers > 0) return;
      const s = this.states.get(queue);
      if (s === undefined || this.isGone(s)) throw this.notFound(queue, label, 'no-consumer');
      const wait = (s.zeroSince ?? s.checkedAt) + this.goneAfterMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** Asks the broker for the queue's consumer count (single-flight per queue); 0 when it does not exist. */
  private probe(queue: string, confirmGone = false): Promise<number | undefined> {
    let s = this.states.get(queue);
    if (s?.probing !== undefined) return s.probing;
    if (s === undefined) {
      s = { consumers: 0, ready: 0, checkedAt: 0, zeroSince: undefined, probing: undefined };
      this.states.set(queue, s);
    }
    const state = s;
    const sentAt = Date.now();
    state.probing = this.ask(queue).then((counts) => {
      state.probing = undefined;
      if (counts === undefined) {
        // No answer: remembered like a positive one, so calls do not ask again on every publish.
        state.consumers = -1;
        state.checkedAt = sentAt;
        state.zeroSince = undefined;
        return undefined;
      }
      const { consumers, ready } = counts;
      if (consumers === 0) state.zeroSince ??= sentAt;
      else state.zeroSince = undefined;
      state.consumers = consumers;
      state.ready = ready;
      state.checkedAt = sentAt;
      if (confirmGone && consumers === 0) this.confirmGone(queue, state);
      return consumers;
    });
    return state.probing;
  }

  private async ask(queue: string): Promise<{ consumers: number; ready: number } | undefined> {
    const ch = await this.probeChannel();
    if (ch === undefined) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), PROBE_TIMEOUT_MS);
    });
    try {
      return await Promise.race([
        // Through a promise: amqplib may throw at once on a channel that is closing.
        Promise.resolve()
          .then(() => ch.checkQueue(queue))
          .then((ok) => ({ consumers: ok.consumerCount, ready: ok.messageCount })),
        timeout,
      ]);
    } catch (e) {
      // 404: the queue is gone (the mandatory publish would be returned too). Anything else (a node
      // down in a cluster, a closing connection) is not an answer: the call goes ahead as before.
      const code = replyCodeOf(e);
      if (code === REPLY_CODE.NOT_FOUND) return { consumers: 0, ready: 0 };
      if (code === REPLY_CODE.ACCESS_REFUSED) {
        this.refused = true;
        this.logger.warn(
          'the broker refuses queue probes to this user: calls to a service without frame wait until their timeout',
          {
            queue,
          },
        );
        return undefined;
      }
      this.logger.debug('consumer probe failed', { queue, error: (e as Error).message });
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The probe channel, opened on first use and after the broker closed it (single-flight). */
  private probeChannel(): Promise<Channel | undefined> {
    if (this.channel === undefined) {
      const opening = this.openChannel();
      this.channel = opening;
      void opening.then((ch) => {
        if (ch === undefined && this.channel === opening) this.channel = undefined;
      });
    }
    return this.channel;
  }

  private async openChannel(): Promise<Channel | undefined> {
    const conn = this.broker.current;
    if (conn === undefined) return undefined;
    try {
      const ch = await conn.createChannel();
      // A probe of a missing queue closes the channel with 404: expected, so only logged at debug.
      ch.on('error', (err: Error) =>
        this.logger.debug('probe channel closed by the broker', { error: err.message }),
      );
      ch.on('close', () => {
        if (this.openChannelNow === ch) {
          this.openChannelNow = undefined;
          this.channel = undefined;
        }
      });
      this.openChannelNow = ch;
      return ch;
    } catch (e) {
      this.logger.debug('cannot open the probe channel', { error: (e as Error).message });
      return undefined;
    }
  }
}
