import { packageHealth } from '../tree/tree-model.js';
import type { NamespaceState } from '../tree/tree-model.js';
import { isStale } from '../tree/liveness.js';

/** One status bar item: a namespace at a glance. */
export interface StatusItem {
  namespace: string;
  /** With a codicon, e.g. `$(server) prod: 2 frames`. */
  text: string;
  tooltip: string;
  /** Warning colours: not connected, reconnecting, a package failed, a frame missed its heartbeat, or messages were dead-lettered. */
  warning: boolean;
}

/** The status bar items for the shown namespaces. Pure. */
export function statusItems(states: readonly NamespaceState[], now = Date.now()): StatusItem[] {
  return states.map((s) => {
    if (s.connection === 'connecting')
      return {
        namespace: s.namespace,
        text: `$(loading~spin) ${s.namespace}`,
        tooltip: `Kael: connecting to ${s.namespace}…`,
        warning: false,
      };
    if (s.connection === 'error')
      return {
        namespace: s.namespace,
        text: `$(debug-disconnect) ${s.namespace}: not connected`,
        tooltip: `Kael: ${s.namespace} is not connected — ${s.problem?.summary ?? 'unknown reason'}. Click to open the Kael view.`,
        warning: true,
      };
    const failed = s.frames.flatMap((f) =>
      f.snapshot.packages
        .filter((p) => packageHealth(p).state === 'failed')
        .map((p) => `${p.name} on ${f.snapshot.label ?? f.snapshot.host}`),
    );
    const stale = s.frames.filter((f) => isStale(f, now)).length;
    const n = s.frames.length;
    const parts = [`${n} frame${n === 1 ? '' : 's'}`];
    if (failed.length > 0) parts.push(`${failed.length} failed`);
    const dead = s.deadLetters ?? 0;
    if (dead > 0) parts.push(`${dead} dead-lettered`);
    if (s.connection === 'reconnecting') parts.push('reconnecting');
    const tooltip = [
      `Kael namespace ${s.namespace}: ${n} frame${n === 1 ? '' : 's'}${n === 0 ? ` (no frame runs with --name ${s.namespace})` : ''}`,
      ...(failed.length > 0 ? [`failed: ${failed.join(', ')}`] : []),
      ...(stale > 0 ? [`${stale} frame(s) missed a heartbeat`] : []),
      ...(dead > 0 ? [`${dead} message(s) in the dead-letter queue (kael dlq)`] : []),
      ...(s.connection === 'reconnecting' ? ['the broker connection dropped; reconnecting'] : []),
      'Click to open the Kael view.',
    ].join('\n');
    return {
      namespace: s.namespace,
      text: `$(${failed.length > 0 ? 'warning' : s.connection === 'reconnecting' ? 'debug-disconnect' : 'server'}) ${s.namespace}: ${parts.join(' · ')}`,
      tooltip,
      warning: failed.length > 0 || stale > 0 || dead > 0 || s.connection === 'reconnecting',
    };
  });
}
