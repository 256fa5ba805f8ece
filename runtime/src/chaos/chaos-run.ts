import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { connectClient } from '../client/frame-client.js';
import type { FrameClient } from '../client/frame-client.js';
import { createLogger } from '../util/logger.js';
import type { Logger } from '../util/logger.js';
import { sleep } from './abortable-sleep.js';
import { CallLedger } from './call-ledger.js';
import { ChaosCluster } from './chaos-cluster.js';
import type { ChaosOptions } from './chaos-options.js';
import { CHAOS_FUNCTIONS, TICK_PERIOD_MS } from './chaos-packages.js';
import { summarize } from './chaos-summary.js';
import type { ChaosSummary } from './chaos-summary.js';
import { FaultInjector } from './fault-injector.js';
import { FaultLog } from './fault-log.js';
import { LoadDriver } from './load-driver.js';
import { SeededRandom } from './random.js';
import { countTicks } from './tick-count.js';

/** After a call's own timeout, how long it may still take to settle before it counts as lost. */
const LOST_GRACE_MS = 10_000;
/** How long the services get to answer their first calls. */
const WARM_UP_MS = 120_000;
/** A missed tick this close before a tick-affecting fault, or this long after it, has a known cause. */
const TICK_WINDOW_BEFORE_MS = 1000;
const TICK_WINDOW_AFTER_MS = 5000;

/**
 * One chaos run: a private broker node and frames, a steady load of calls with known answers, faults
 * at random, then the books: calls, ticks and faults in one {@link ChaosSummary}. Everything started
 * is cleaned up before it returns, also when `signal` aborts (Ctrl-C): the summary then says
 * `interrupted`.
 */
export async function runChaos(
  options: ChaosOptions,
  signal: AbortSignal,
  logger: Logger,
): Promise<ChaosSummary> {
  let uncaught = 0;
  const onUncaught = (e: unknown): void => {
    uncaught++;
    logger.error('uncaught error in the caller', {
      error: e instanceof Error ? (e.stack ?? e.message) : String(e),
    });
  };
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  let cluster: ChaosCluster | undefined;
  let client: FrameClient | undefined;
  try {
    cluster = await ChaosCluster.start(options.port, options.frames, logger);
    client = await connectClient({
      name: cluster.namespace,
      auri: cluster.url,
      adminKey: cluster.adminKey,
      timeoutMs: options.callTimeoutMs,
      retry: options.retry,
      logger: createLogger('chaos-client', 'warn'),
    });
    await warmUp(client, signal);
    const run = await driveLoad(cluster, client, options, signal, logger);
    return await closeBooks(run, cluster, options, signal, () => uncaught);
  } finally {
    if (client !== undefined) await closeWithin(client, 10_000, logger);
    await cluster?.close(options.keep);
    // Listened to until the cleanup is over: an uncaught error there is logged, not fatal.
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
  }
}

/** What the load phase leaves for the books. */
interface LoadRun {
  ledger: CallLedger;
  load: LoadDriver;
  faults: FaultLog;
  loadStart: number;
  loadEnd: number;
}

/** The load and the faults, until the end of the run or an abort; then every call settles or is lost. */
async function driveLoad(
  cluster: ChaosCluster,
  client: FrameClient,
  options: ChaosOptions,
  signal: AbortSignal,
  logger: Logger,
): Promise<LoadRun> {
  const random = new SeededRandom(options.seed);
  const faults = new FaultLog();
  const loadStart = Date.now();
  const ledger = new CallLedger(loadStart);
  const load = new LoadDriver(client, ledger, random, {
    rate: options.rate,
    callTimeoutMs: options.callTimeoutMs,
    runId: randomBytes(3).toString('hex'),
  });
  const injector = new FaultInjector(
    cluster,
    load,
    faults,
    random,
    options.faultGapMs,
    options.faults,
    logger,
  );
  const endAt = loadStart + options.minutes * 60_000;
  logger.info(`load of ${options.rate} calls/s for ${options.minutes} min`, { seed: options.seed });
  load.start();
  const injecting = injector.run(endAt, signal);
  await sleep(endAt - Date.now(), signal);
  load.stop();
  const loadEnd = Date.now();
  await injecting;
  // Every call ends by its timeout at the latest; one still open after a grace never will.
  const settleBy = signal.aborted ? Date.now() + 3000 : load.lastDeadline + LOST_GRACE_MS;
  while (ledger.pending > 0 && Date.now() < settleBy) await sleep(100);
  return { ledger, load, faults, loadStart, loadEnd };
}

/** Reads the execution and tick logs and sums everything up. */
async function closeBooks(
  run: LoadRun,
  cluster: ChaosCluster,
  options: ChaosOptions,
  signal: AbortSignal,
  uncaught: () => number,
): Promise<ChaosSummary> {
  const { ledger, load, faults, loadStart, loadEnd } = run;
  // The last ticks of the load reach the log.
  await sleep(2 * TICK_PERIOD_MS, signal);
  ledger.recordExecutions(await readLines(cluster.executionLog));
  const windows = faults.tickWindows(TICK_WINDOW_BEFORE_MS, TICK_WINDOW_AFTER_MS);
  return summarize(
    {
      seed: options.seed,
      minutes: options.minutes,
      rate_per_s: options.rate,
      retry: options.retry,
      frames: options.frames,
      load_s: Math.round((loadEnd - loadStart) / 100) / 10,
      interrupted: signal.aborted,
      calls: ledger.finish(loadEnd, signal.aborted),
      not_sent_in_flight_limit: load.notSent,
      ticks: countTicks(await readLines(cluster.tickLog), TICK_PERIOD_MS, windows, loadStart),
      broker_recovery_ms: faults.records
        .filter((r) => r.kind === 'broker_restart' && r.error === undefined)
        .map((r) => ledger.firstSuccessAfter(r.endedAt) ?? null),
      faults: faults.counts(),
      fault_timeline: faults.timeline(loadStart),
      fault_errors: faults.errors(),
      frames_exited_unexpectedly: cluster.unexpectedExits,
      orphan_processes: cluster.orphans,
      uncaught_errors: uncaught(),
      ...(options.keep ? { kept: cluster.root } : {}),
    },
    options.strict,
  );
}

/** Waits until a JS and a Python call both answer: every frame started, the services consume. */
async function warmUp(client: FrameClient, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + WARM_UP_MS;
  for (const [fn, args] of [
    [CHAOS_FUNCTIONS.jsAdd, ['warm-up', 1, 2, 0]],
    [CHAOS_FUNCTIONS.pyMul, ['warm-up', 2, 3, 0]],
  ] as const) {
    for (;;) {
      try {
        await client.call(fn, args, { timeoutMs: 5000 });
        break;
      } catch (e) {
        if (signal.aborted || Date.now() > deadline) throw e;
        await sleep(500, signal);
      }
    }
  }
}

async function closeWithin(client: FrameClient, ms: number, logger: Logger): Promise<void> {
  const closing = client
    .close()
    .catch((e: unknown) => logger.warn('the client did not close cleanly', { error: (e as Error).message }));
  await Promise.race([closing, sleep(ms)]);
}

async function readLines(file: string): Promise<string[]> {
  try {
    return (await fs.readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
