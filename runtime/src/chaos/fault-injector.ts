import type { Logger } from '../util/logger.js';
import { sleep } from './abortable-sleep.js';
import type { ChaosCluster } from './chaos-cluster.js';
import type { FaultKind, FaultLog } from './fault-log.js';
import type { LoadDriver } from './load-driver.js';
import type { SeededRandom } from './random.js';

/** No fault starts later than this before the end of the load (a broker restart takes up to 20 s): its effects are then still measured. */
const QUIET_END_MS = 20_000;

/**
 * Injects one fault at a time at random intervals until the end of the load. Kinds are dealt from a
 * shuffled deck of all kinds, so even a short run sees each of them; victims are picked at random.
 */
export class FaultInjector {
  private deck: FaultKind[] = [];
  private poisons = 0;

  constructor(
    private readonly cluster: ChaosCluster,
    private readonly load: LoadDriver,
    private readonly faults: FaultLog,
    private readonly random: SeededRandom,
    private readonly gapMs: readonly [number, number],
    private readonly kinds: readonly FaultKind[],
    private readonly logger: Logger,
  ) {}

  /** Injects faults until `endAt` (epoch ms) or until `signal` aborts. */
  async run(endAt: number, signal: AbortSignal): Promise<void> {
    for (;;) {
      const gap = this.random.int(this.gapMs[0], this.gapMs[1]);
      if (Date.now() + gap > endAt - QUIET_END_MS) return;
      await sleep(gap, signal);
      if (signal.aborted) return;
      if (this.deck.length === 0) this.deck = this.random.shuffle(this.kinds);
      await this.inject(this.deck.pop() as FaultKind);
    }
  }

  /** Injects one fault and records it (an injection that fails is recorded with its error). */
  async inject(kind: FaultKind): Promise<void> {
    const startedAt = Date.now();
    let target = '';
    let error: string | undefined;
    try {
      target = await this.perform(kind);
    } catch (e) {
      error = (e as Error).message;
    }
    const record = {
      kind,
      startedAt,
      endedAt: Date.now(),
      target,
      ...(error === undefined ? {} : { error }),
    };
    this.faults.add(record);
    if (error === undefined) this.logger.info(`fault ${kind}: ${target}`, { ms: record.endedAt - startedAt });
    else this.logger.warn(`fault ${kind} failed`, { error });
  }

  private async perform(kind: FaultKind): Promise<string> {
    const frame = this.random.pick(this.cluster.frames);
    switch (kind) {
      case 'frame_kill':
        return this.cluster.killFrame(frame);
      case 'worker_kill':
        return this.cluster.killWorker((workers) => this.random.pick(workers));
      case 'frame_stop':
        return this.cluster.freezeFrame(frame, this.random.int(1000, 4000));
      case 'broker_restart':
        return this.cluster.restartBroker(this.random.next() < 0.5 ? 'stop' : 'kill');
      case 'oversized_call':
        return `call ${this.load.sendOversized()}`;
      case 'poison_call': {
        // Alternating, so a short run poisons both kinds of worker.
        const language = this.poisons++ % 2 === 0 ? 'js' : 'python';
        return `${language} call ${this.load.sendPoison(language)}`;
      }
    }
  }
}
