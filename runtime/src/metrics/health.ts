import type { PackageSnapshot } from '../model/frame-snapshot.js';
import { packageState } from '../model/frame-snapshot.js';

/** What `/healthz` answers. */
export interface Health {
  /** True when the frame is running, connected, and every package is loaded. */
  ok: boolean;
  /** Why not, one line each (empty when ok). */
  reasons: string[];
}

/**
 * The frame's health for probes: healthy when it runs, is connected to the broker, and every package
 * loaded (a package being restarted is not healthy yet).
 */
export function healthOf(state: {
  running: boolean;
  connected: boolean;
  packages: readonly PackageSnapshot[];
}): Health {
  const reasons: string[] = [];
  if (!state.running) reasons.push('the frame is not running');
  if (!state.connected) reasons.push('not connected to the broker');
  for (const p of state.packages) {
    const s = packageState(p);
    if (s === 'failed')
      reasons.push(`${p.kind} ${p.name} failed: ${p.reason ?? p.error?.message ?? 'unknown'}`);
    else if (s === 'restarting') reasons.push(`${p.kind} ${p.name} is restarting`);
  }
  return { ok: reasons.length === 0, reasons };
}
