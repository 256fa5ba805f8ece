import type { FrameSnapshot } from '@kael/runtime/model/frame-snapshot';
import type { KaelClient } from '../client/kael-client.js';
import type { NamespaceSessions } from '../client/namespace-sessions.js';
import type { Secrets, UiHost } from '../host/ui-host.js';
import type { NodeData } from '../tree/tree-model.js';
import { frameLabels } from '../tree/frame-labels.js';

/** What every flow gets: the UI, the live namespaces, secrets, and the tree node it was run on (if any). */
export interface FlowContext {
  host: UiHost;
  sessions: Pick<NamespaceSessions, 'namespaces' | 'client' | 'frames' | 'reconnect'>;
  secrets: Secrets;
  node?: NodeData | undefined;
}

/**
 * The namespace to act on: the node's, the only one, or picked. With none shown, offers Connect…
 * (palette commands must not silently do nothing).
 */
export async function pickNamespace(ctx: FlowContext): Promise<string | undefined> {
  if (ctx.node !== undefined) return ctx.node.namespace;
  const all = ctx.sessions.namespaces();
  if (all.length === 0) {
    const choice = await ctx.host.notify(
      'warn',
      'Kael: no namespace is shown yet. Connect to a broker and name the namespaces first.',
      ['Connect…'],
    );
    if (choice === 'Connect…') await ctx.host.command('kael.connect');
    return undefined;
  }
  if (all.length === 1) return all[0];
  return ctx.host.pick(
    all.map((ns) => ({ label: ns, description: `${ctx.sessions.frames(ns).length} frame(s)`, value: ns })),
    'Namespace',
  );
}

/** The client of a namespace. @throws KaelError `BROKER_UNAVAILABLE` when not connected. */
export function clientOf(ctx: FlowContext, ns: string): KaelClient {
  return ctx.sessions.client(ns);
}

/** Labels as the tree shows them, so pickers and messages use the same names. */
export function labelsOf(frames: readonly FrameSnapshot[]): Map<string, string> {
  return frameLabels(frames);
}

/** A frame's label, or its id when it is not (or no longer) live. */
export function labelOf(ctx: FlowContext, ns: string, frameId: string | undefined): string {
  if (frameId === undefined) return 'a frame';
  return labelsOf(ctx.sessions.frames(ns)).get(frameId) ?? frameId;
}

/** The error code and message of anything thrown. */
export function errorOf(e: unknown): { code: string; message: string } {
  const err = e as { code?: unknown; message?: unknown };
  return {
    code: typeof err.code === 'string' ? err.code : 'ERROR',
    message: typeof err.message === 'string' ? err.message : String(e),
  };
}

/** Rejects when `signal` aborts (the user pressed Cancel), else settles like `work`. */
export async function unlessCancelled<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) throw new CancelledError();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new CancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** The user cancelled a running call or command (the far side may still finish it). */
export class CancelledError extends Error {
  readonly code = 'CANCELLED';
  constructor() {
    super('cancelled');
  }
}
