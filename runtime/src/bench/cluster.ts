import { randomBytes } from 'node:crypto';
import { connectClient } from '../client/frame-client.js';
import type { ServiceProxy } from '../client/frame-client.js';
import { deleteNamespaceQueues } from '../demo/cleanup.js';
import { generateAdminKey } from '../security/admin-key.js';
import { makeFrameDir, startFrameProcess } from './frame-process.js';
import type { FrameProcess, PackageFiles } from './frame-process.js';
import { median, round } from './measure.js';
import type { BenchOptions, BenchSection } from './section.js';

function bigService(version: string): PackageFiles {
  return {
    'setting.yaml': `type: service\nservice_base_name: big\nversion: ${version}\npublish: [add]\n`,
    'index.js': 'exports.add = (a, b) => a + b;\n',
    'blob.bin': randomBytes(1024 * 1024),
  };
}

async function waitForFrames(client: ServiceProxy, n: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await client.servers()).length < n) {
    if (Date.now() > deadline)
      throw new Error(`only ${(await client.servers()).length} of ${n} frames appeared`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** p50 time for `command` + `getResponse` to return from 10 frame processes. */
async function fanOut(options: BenchOptions): Promise<{ frames: number; p50_ms: number; p99_ms: number }> {
  const ns = `bench-${randomBytes(3).toString('hex')}`;
  const procs: FrameProcess[] = [];
  for (let i = 0; i < 10; i++) procs.push(startFrameProcess(await makeFrameDir({}), ns, options.auri));
  const client = await connectClient({ name: ns, auri: options.auri });
  try {
    await Promise.all(procs.map((p) => p.ready));
    await waitForFrames(client, 10);
    const samples: number[] = [];
    for (let i = 0; i < (options.quick ? 20 : 100); i++) {
      const t = process.hrtime.bigint();
      const r = await client.commandAll('_ping', {}, { timeoutMs: 5000 });
      samples.push(Number(process.hrtime.bigint() - t) / 1e6);
      if (Object.keys(r).length !== 10) throw new Error(`fan-out got ${Object.keys(r).length} answers`);
    }
    samples.sort((a, b) => a - b);
    return {
      frames: 10,
      p50_ms: round(median(samples)),
      p99_ms: round(samples[Math.floor(samples.length * 0.99)] ?? NaN),
    };
  } finally {
    await client.close();
    await Promise.all(procs.map((p) => p.stop()));
  }
}

/** Updates a 1 MB package on 5 frames (incl. restart) while calls keep coming. */
async function update(
  options: BenchOptions,
): Promise<{ frames: number; package_bytes: number; update_s: number; calls: number; failed_calls: number }> {
  const ns = `bench-${randomBytes(3).toString('hex')}`;
  const procs: FrameProcess[] = [];
  // Updates must be signed: one key for this run, given to the frames and the client.
  const adminKey = generateAdminKey();
  const env = { KAEL_ADMIN_KEY: adminKey };
  for (let i = 0; i < 5; i++)
    procs.push(startFrameProcess(await makeFrameDir({ big: bigService('1.0') }), ns, options.auri, [], env));
  procs.push(startFrameProcess(await makeFrameDir({ big: bigService('2.0') }), ns, options.auri, [], env));
  const client = await connectClient<{ big__add(a: number, b: number): Promise<number> }>({
    name: ns,
    auri: options.auri,
    adminKey,
  });
  try {
    await Promise.all(procs.map((p) => p.ready));
    await waitForFrames(client, 6);
    let calls = 0;
    let failed = 0;
    let running = true;
    const lanes = Array.from({ length: 16 }, async () => {
      while (running || calls < 2000) {
        try {
          await client.big__add(1, 2);
        } catch {
          failed++;
        }
        calls++;
      }
    });
    const t = process.hrtime.bigint();
    const results = await client.updateService('big', { version: '2.0' });
    const seconds = Number(process.hrtime.bigint() - t) / 1e9;
    running = false;
    await Promise.all(lanes);
    const updated = Object.values(results).filter((r) => r.ok && r.to === '2.0').length;
    if (updated !== 6) throw new Error(`update reached ${updated} of 6 frames: ${JSON.stringify(results)}`);
    return { frames: 5, package_bytes: 1024 * 1024, update_s: round(seconds), calls, failed_calls: failed };
  } finally {
    await client.close();
    await Promise.all(procs.map((p) => p.stop()));
    await deleteNamespaceQueues(options.auri, ns, ['big__add']);
  }
}

/** Command fan-out latency and a loaded update, with frames as separate processes. */
export const section: BenchSection = {
  name: 'cluster',
  async run(options) {
    return { fan_out: await fanOut(options), update: await update(options) };
  },
  describe(r) {
    const f = r['fan_out'] as Awaited<ReturnType<typeof fanOut>>;
    const u = r['update'] as Awaited<ReturnType<typeof update>>;
    return [
      `command fan-out to ${f.frames} frame processes: p50 ${f.p50_ms} ms, p99 ${f.p99_ms} ms until getResponse returns (target p50 ≤ 50 ms; the 2017 original waited its full timeout)`,
      `update of a 1 MB package on ${u.frames} frames incl. restart: ${u.update_s} s (target ≤ 3 s)`,
      `calls during the update: ${u.calls}, failed: ${u.failed_calls} (target 0)`,
    ];
  },
};
