import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectClient } from '../client/frame-client.js';
import type { FrameSnapshot } from '../model/frame-snapshot.js';
import { makeFrameDir, startFrameProcess } from './frame-process.js';
import type { FrameProcess } from './frame-process.js';
import { median, round } from './measure.js';
import type { BenchSection } from './section.js';

const HEARTBEAT_MS = 250;

function activePid(frames: readonly FrameSnapshot[]): number | undefined {
  const active = frames.filter((f) => f.crontabs.some((c) => c.active));
  return active.length === 1 ? active[0]?.pid : undefined;
}

/**
 * Three frame processes share a crontab with a 1-second schedule; the active one is killed with
 * SIGKILL five times (a replacement joins each time). Measures the time until another frame is
 * active, and counts ticks that ran twice or never, from the command's own side effect.
 */
export const section: BenchSection = {
  name: 'crontab',
  async run(options) {
    const ns = `bench-${randomBytes(3).toString('hex')}`;
    const log = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'kael-bench-')), 'ticks.txt');
    const pkg = {
      ticker: {
        'setting.yaml': `type: crontab\ncrontab_name: ticker\nversion: 1.0\npublish:\n  - ['* * * * * *', 'echo $KAEL_SCHEDULED_AT >> ${log}']\n`,
      },
    };
    const start = async (): Promise<FrameProcess> => {
      const p = startFrameProcess(await makeFrameDir(pkg), ns, options.auri, [
        '--heartbeat',
        String(HEARTBEAT_MS),
      ]);
      await p.ready;
      return p;
    };
    const procs = await Promise.all([start(), start(), start()]);
    const client = await connectClient({ name: ns, auri: options.auri });
    const failovers: number[] = [];
    try {
      const kills = options.quick ? 2 : 5;
      for (let i = 0; i < kills; i++) {
        let pid: number | undefined;
        while ((pid = activePid(await client.servers())) === undefined)
          await new Promise((r) => setTimeout(r, 50));
        await new Promise((r) => setTimeout(r, 1500));
        const victim = procs.find((p) => p.child.pid === pid);
        const t = Date.now();
        victim?.child.kill('SIGKILL');
        for (;;) {
          const now = activePid(await client.servers());
          if (now !== undefined && now !== pid) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        failovers.push((Date.now() - t) / 1000);
        procs.splice(procs.indexOf(victim as FrameProcess), 1, await start());
      }
      await new Promise((r) => setTimeout(r, 2000));
    } finally {
      await client.close();
      await Promise.all(procs.map((p) => p.stop()));
    }
    const lines = (await fs.readFile(log, 'utf8')).split('\n').filter((l) => l !== '');
    const unique = [...new Set(lines)].map((l) => Date.parse(l)).sort((a, b) => a - b);
    let missed = 0;
    for (let i = 1; i < unique.length; i++)
      missed += Math.round(((unique[i] ?? 0) - (unique[i - 1] ?? 0)) / 1000) - 1;
    return {
      kills: failovers.length,
      failover_s: failovers.map(round),
      failover_median_s: round(median(failovers)),
      ticks: lines.length,
      double_runs: lines.length - unique.length,
      missed_ticks: missed,
    };
  },
  describe(r) {
    return [
      `failover after kill -9 of the active frame (${String(r['kills'])} kills, heartbeat ${HEARTBEAT_MS} ms): median ${String(r['failover_median_s'])} s, each ${JSON.stringify(r['failover_s'])} (target ≤ 5 s)`,
      `1-second schedule on 3 frames: ${String(r['ticks'])} runs, double runs ${String(r['double_runs'])}, missed ticks ${String(r['missed_ticks'])} (target 0 / 0)`,
    ];
  },
};
