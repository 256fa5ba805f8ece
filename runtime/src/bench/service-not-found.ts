import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { connectClient } from '../client/frame-client.js';
import { deleteNamespaceQueues } from '../demo/cleanup.js';
import { KaelError } from '../errors.js';
import { WorkFrame } from '../frame/work-frame.js';
import { createLogger } from '../util/logger.js';
import { median, quantile, round } from './measure.js';
import type { BenchSection } from './section.js';

const EXAMPLES = path.resolve(__dirname, '../../../examples');

/** Milliseconds until a call fails with SERVICE_NOT_FOUND. @throws Error when it fails otherwise. */
async function timeToNotFound(call: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  try {
    await call();
  } catch (e) {
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (e instanceof KaelError && e.code === 'SERVICE_NOT_FOUND') return ms;
    throw e;
  }
  throw new Error('the call of a service without frame succeeded');
}

/**
 * Time to SERVICE_NOT_FOUND for a service whose last frame stopped (its queue lives on, `x-expires`
 * 30 min): each sample starts a frame with the example calculate package, calls it, stops the frame,
 * then times the next call of the client that was using it (its request is published, then found
 * stranded) and the first call of a new client (refused before publishing). Target p50 ≤ 100 ms.
 */
export const section: BenchSection = {
  name: 'service_not_found',
  async run(options) {
    const namespace = `bench-snf-${randomBytes(3).toString('hex')}`;
    const logger = createLogger('bench', 'silent');
    type Calc = { calculate__add(a: number, b: number): Promise<number> };
    const client = await connectClient<Calc>({ name: namespace, auri: options.auri, logger });
    const samples = options.quick ? 3 : 10;
    const warm: number[] = [];
    const fresh: number[] = [];
    let services: string[] = [];
    try {
      for (let i = 0; i < samples; i++) {
        const frame = new WorkFrame({
          name: namespace,
          auri: options.auri,
          serviceGroupConf: path.join(EXAMPLES, 'frame.yaml'),
          logger,
        });
        await frame.start();
        services = frame.snapshot().packages.flatMap((p) => p.services ?? []);
        for (let k = 0; k < 20; k++) await client.calculate__add(k, 1);
        await frame.stop();
        warm.push(await timeToNotFound(() => client.call('calculate__add', [1, 2], { timeoutMs: 30_000 })));
        const other = await connectClient<Calc>({ name: namespace, auri: options.auri, logger });
        try {
          fresh.push(await timeToNotFound(() => other.call('calculate__add', [1, 2], { timeoutMs: 30_000 })));
        } finally {
          await other.close();
        }
      }
    } finally {
      await client.close();
      await deleteNamespaceQueues(options.auri, namespace, services);
    }
    const stats = (xs: number[]): { p50_ms: number; max_ms: number } => ({
      p50_ms: round(median(xs)),
      max_ms: round(
        quantile(
          [...xs].sort((a, b) => a - b),
          1,
        ),
      ),
    });
    return { samples, calling_client: stats(warm), new_client: stats(fresh), call_timeout_ms: 30_000 };
  },
  describe(r) {
    const w = r['calling_client'] as { p50_ms: number; max_ms: number };
    const n = r['new_client'] as { p50_ms: number; max_ms: number };
    return [
      `time to SERVICE_NOT_FOUND for a service whose last frame stopped (queue kept, call timeout 30 s), ${String(r['samples'])} samples:`,
      `  the client that was calling it: p50 ${w.p50_ms} ms  max ${w.max_ms} ms (target p50 ≤ 100)`,
      `  a new client:                   p50 ${n.p50_ms} ms  max ${n.max_ms} ms (target p50 ≤ 100)`,
    ];
  },
};
