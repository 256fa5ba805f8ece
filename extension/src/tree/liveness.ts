import type { FrameSnapshot } from '@kael/runtime/model/frame-snapshot';

/**
 * A frame missing its heartbeat by half an interval more is shown as stale (greyed): one missed
 * announcement, with room for timer jitter and transit on a busy machine.
 */
const STALE_AFTER_HEARTBEATS = 1.5;

/** A frame as the extension keeps it: its last snapshot and when it was last heard of. */
export interface LiveFrame {
  snapshot: FrameSnapshot;
  /** Epoch ms of its last announcement (this machine's clock). */
  lastSeenMs: number;
  /** Per crontab it claims to run: epoch ms (this machine's clock) since which it claims it. */
  activeSince: Record<string, number>;
}

/** True when the frame missed at least one heartbeat. */
export function isStale(f: LiveFrame, now: number): boolean {
  return now - f.lastSeenMs > STALE_AFTER_HEARTBEATS * f.snapshot.heartbeatMs;
}

/**
 * Which frame runs each crontab, as the lock decides: the lock is exclusive, so of several frames
 * claiming one crontab only the most recent claim can be true (an older claimant lost the lock);
 * a frame that missed its heartbeat is not trusted at all. At most one frame per crontab. Pure.
 * @returns crontab name → frame id
 */
export function crontabHolders(frames: readonly LiveFrame[], now: number): Map<string, string> {
  const best = new Map<string, { id: string; since: number }>();
  for (const f of frames) {
    if (isStale(f, now)) continue;
    for (const c of f.snapshot.crontabs) {
      if (!c.active) continue;
      const since = f.activeSince[c.name] ?? 0;
      const known = best.get(c.name);
      // Ties (both claims seen at once, e.g. on connect) go to the lower id: stable, not flickering.
      if (known === undefined || since > known.since || (since === known.since && f.snapshot.id < known.id))
        best.set(c.name, { id: f.snapshot.id, since });
    }
  }
  return new Map([...best].map(([name, b]) => [name, b.id]));
}

/**
 * Updates the claim times after a new list of snapshots: a claim keeps its start time while it
 * lasts, a new one starts now, a dropped one is forgotten.
 */
export function trackClaims(
  previous: Record<string, number>,
  snapshot: FrameSnapshot,
  now: number,
): Record<string, number> {
  const next: Record<string, number> = {};
  for (const c of snapshot.crontabs) if (c.active) next[c.name] = previous[c.name] ?? now;
  return next;
}
