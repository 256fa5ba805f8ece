import { nextFire } from '../schedule/schedule.js';
import type { CronSchedule } from '../schedule/schedule.js';

/** Most missed ticks run on one takeover (a 1-second schedule with a long grace stays bounded). */
const MAX_MISSED_TICKS = 1000;

/**
 * The ticks a frame that takes over runs late, in order: after the entry's last claimed tick, no
 * older than `graceMs`, up to `now`. None when the entry has no claim yet (a new crontab does not
 * run the past).
 */
export function missedTicks(
  s: CronSchedule,
  lastClaimed: number | undefined,
  now: number,
  graceMs: number,
): number[] {
  if (lastClaimed === undefined) return [];
  const out: number[] = [];
  const from = Math.max(lastClaimed, now - graceMs - 1);
  for (let t = nextFire(s, new Date(from)); t !== undefined && t.getTime() <= now; t = nextFire(s, t)) {
    out.push(t.getTime());
    if (out.length >= MAX_MISSED_TICKS) break;
  }
  return out;
}
