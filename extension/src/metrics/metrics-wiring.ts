import type { MetricsSnapshot } from '@kael/runtime/model/metrics-snapshot';
import type { KaelClient } from '../client/kael-client.js';
import type { NodeData, TreeNode } from '../tree/tree-model.js';
import { describeRate } from './metrics-format.js';
import type { MetricsHistory, MetricsScope } from './metrics-history.js';

/** How long a poll waits for the frames' counters. */
const POLL_TIMEOUT_MS = 2000;

/** The counters of every frame of a namespace that answered `_get_metrics` (older frames answer nothing). */
export async function fetchMetrics(client: Pick<KaelClient, 'commandAll'>): Promise<MetricsSnapshot[]> {
  const response = await client.commandAll('_get_metrics', {}, { timeoutMs: POLL_TIMEOUT_MS });
  const out: MetricsSnapshot[] = [];
  for (const r of Object.values(response))
    if (r.ok && r.value !== null && typeof r.value === 'object') out.push(r.value as MetricsSnapshot);
  return out;
}

/**
 * What a metrics panel opened on a tree node shows: a service (on its frame when the node sits under
 * one), a frame, or the namespace; undefined for nodes without a namespace.
 */
export function scopeOf(node: NodeData | undefined): MetricsScope | undefined {
  if (node === undefined) return undefined;
  const scope: MetricsScope = { namespace: node.namespace };
  if (node.service !== undefined) scope.service = node.service;
  if (node.frameId !== undefined) scope.frame = node.frameId;
  return scope;
}

/** The live text a service row adds to its description: last minute's calls/s, p50 and error rate. */
export function liveDescription(history: MetricsHistory, node: TreeNode): string | undefined {
  if (!node.context.startsWith('service') || node.data?.service === undefined) return undefined;
  const scope = scopeOf(node.data);
  if (scope === undefined) return undefined;
  return describeRate(history.rates(scope)[0]);
}
