import { KaelError } from '../errors.js';
import { createLogger } from '../util/logger.js';
import { CHAOS_USAGE, parseChaosOptions } from './chaos-options.js';
import { runChaos } from './chaos-run.js';

/**
 * `npm run chaos -- --minutes N`: a chaos run (see README, "Chaos run"). Prints one JSON summary on
 * stdout (progress goes to stderr) and exits 0 when it passes, 1 when it fails, 2 on a usage error
 * or when the run could not be set up, 130 when interrupted. Ctrl-C (or SIGTERM) ends the run early
 * and still cleans up everything it started.
 */
async function main(): Promise<number> {
  const options = parseChaosOptions(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(`usage: ${CHAOS_USAGE}\n`);
    return 0;
  }
  const logger = createLogger('chaos', 'info');
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      // A second Ctrl-C: stop waiting; the exit handler still kills the frames and the node.
      logger.warn(`received ${signal} again: exiting now`);
      process.exit(130);
    }
    logger.warn(`received ${signal}: ending the run and cleaning up`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const summary = await runChaos(options, controller.signal, logger);
  process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  if (summary.interrupted) return 130;
  return summary.verdict === 'pass' ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    const usage = e instanceof KaelError && e.code === 'USAGE';
    process.stderr.write(`chaos: ${usage ? (e as Error).message : ((e as Error).stack ?? String(e))}\n`);
    process.exit(2);
  },
);
