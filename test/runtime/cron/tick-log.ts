import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FrameSnapshot, ServiceProxy } from '@kael/runtime';
import type { FrameProcess, PackageFiles } from '../../support/frames.js';
import { until } from '../../support/wait.js';

/** A crontab with one 1-second entry that appends its scheduled time to `log` (and prints "tick"). */
export function tickerPackage(log: string, name = 'ticker', graceSec = 60): PackageFiles {
  return {
    'setting.yaml': `type: crontab\ncrontab_name: ${name}\nversion: 1.0\ngrace: ${graceSec}\npublish:\n  - ['* * * * * *', 'echo $KAEL_SCHEDULED_AT >> ${log}; echo tick']\n`,
  };
}

/** A fresh file path for a tick log. */
export async function tickLogPath(): Promise<string> {
  return path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'kael-ticks-')), 'ticks.txt');
}

/** What a tick log shows: runs, ticks that ran twice, ticks that never ran between the first and last. */
export interface TickReport {
  runs: number;
  doubles: string[];
  missing: string[];
}

/** Reads a tick log written by {@link tickerPackage}. */
export async function readTicks(log: string): Promise<TickReport> {
  const lines = (await fs.readFile(log, 'utf8').catch(() => '')).split('\n').filter((l) => l !== '');
  const seen = new Set<string>();
  const doubles = lines.filter((l) => (seen.has(l) ? true : (seen.add(l), false)));
  const times = [...seen].map((l) => Date.parse(l)).sort((a, b) => a - b);
  const missing: string[] = [];
  for (let i = 1; i < times.length; i++)
    for (let t = (times[i - 1] ?? 0) + 1000; t < (times[i] ?? 0); t += 1000)
      missing.push(new Date(t).toISOString());
  return { runs: lines.length, doubles, missing };
}

/** Frames of `frames` on which `crontab` is active. */
export function activeFrames(frames: readonly FrameSnapshot[], crontab = 'ticker'): FrameSnapshot[] {
  return frames.filter((f) => f.crontabs.some((c) => c.name === crontab && c.active));
}

/** Waits until exactly one frame is active and returns it with its process. */
export async function waitActive(
  client: ServiceProxy,
  procs: readonly FrameProcess[],
  not?: number,
  timeoutMs = 15_000,
): Promise<{ frame: FrameSnapshot; proc: FrameProcess }> {
  return until(
    'one active frame',
    async () => {
      const active = activeFrames(await client.servers()).filter((f) => f.pid !== not);
      const proc = procs.find((p) => p.child.pid === active[0]?.pid);
      return active.length === 1 && proc !== undefined
        ? { frame: active[0] as FrameSnapshot, proc }
        : undefined;
    },
    timeoutMs,
    20,
  );
}
