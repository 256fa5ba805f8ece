import type { FrameClient } from '../client/frame-client.js';
import { ratesBetween, sampleOf } from '../metrics/service-rates.js';
import type { CounterSample, ServiceRate } from '../metrics/service-rates.js';
import type { CliCommand } from './command.js';
import { connectFromArgs } from './cluster-command.js';
import { CONNECTION_FLAGS, intFlag, parseCommandLine, printJson } from './options.js';

const USAGE = 'kael top --name NS [--auri URL] [--interval MS] [--json]';

/** A latency for the table: ms with two significant decimals below 10 ms, `-` without calls. */
function ms(v: number | undefined): string {
  if (v === undefined) return '-';
  return v < 10 ? v.toFixed(2) : v.toFixed(0);
}

/** The lines of one `kael top` screen: a header and one row per service, busiest first. */
export function describeTop(rates: readonly ServiceRate[], frames: number, intervalMs: number): string[] {
  const head = `kael top: ${rates.length} service(s) on ${frames} frame(s), rates over ${(intervalMs / 1000).toFixed(1)} s`;
  const rows = [...rates]
    .sort((a, b) => b.callsPerSecond - a.callsPerSecond || a.service.localeCompare(b.service))
    .map(
      (r) =>
        `${r.service.padEnd(32)} ${r.callsPerSecond.toFixed(1).padStart(9)} ${ms(r.p50Ms).padStart(8)} ${ms(r.p99Ms).padStart(8)} ${r.errorsPerSecond.toFixed(1).padStart(7)} ${(r.errorRate * 100).toFixed(1).padStart(6)} ${String(r.inflight).padStart(8)}`,
    );
  return [
    head,
    '',
    `${'SERVICE'.padEnd(32)} ${'CALLS/S'.padStart(9)} ${'P50 ms'.padStart(8)} ${'P99 ms'.padStart(8)} ${'ERR/S'.padStart(7)} ${'ERR %'.padStart(6)} ${'INFLIGHT'.padStart(8)}`,
    ...rows,
  ];
}

async function sample(client: FrameClient): Promise<{ sample: CounterSample; frames: number }> {
  const all = Object.values(await client.getAllMetrics());
  return { sample: sampleOf(all), frames: all.length };
}

/**
 * `kael top`: calls/s, p50/p99 latency, errors and in-flight calls of every service across the
 * namespace, refreshed every `--interval` ms until Ctrl-C; `--json` prints one measurement (rates over
 * one interval) and exits. The numbers come from the frames (`_get_metrics`), not from Prometheus.
 */
export const command: CliCommand = {
  summary: 'live table of services: calls/s, p50, p99 and errors across the namespace',
  async run(argv) {
    const { values } = parseCommandLine(argv, { ...CONNECTION_FLAGS, interval: { type: 'string' } }, USAGE);
    if (values.help) {
      process.stdout.write(`usage: ${USAGE}\n`);
      return 0;
    }
    const intervalMs = intFlag(values.interval, 'interval', values.json ? 1000 : 2000);
    const client = await connectFromArgs({ name: values.name, auri: values.auri }, USAGE);
    try {
      let previous = (await sample(client)).sample;
      if (values.json) {
        await new Promise((r) => setTimeout(r, intervalMs));
        const now = await sample(client);
        printJson({
          at: now.sample.at,
          intervalMs,
          frames: now.frames,
          services: ratesBetween(previous, now.sample),
        });
        return 0;
      }
      let stopped = false;
      const stop = new Promise<void>((resolve) =>
        process.once('SIGINT', () => {
          stopped = true;
          resolve();
        }),
      );
      while (!stopped) {
        await Promise.race([stop, new Promise((r) => setTimeout(r, intervalMs))]);
        if (stopped) break;
        const now = await sample(client);
        const screen = describeTop(
          ratesBetween(previous, now.sample),
          now.frames,
          now.sample.at - previous.at,
        );
        // Clear the screen and home the cursor: the table refreshes in place, as top does.
        process.stdout.write(`\x1b[2J\x1b[H${screen.join('\n')}\n`);
        previous = now.sample;
      }
      return 0;
    } finally {
      await client.close();
    }
  },
};
