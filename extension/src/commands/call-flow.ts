import { packageState } from '@kael/runtime/model/frame-snapshot';
import type { FrameSnapshot } from '@kael/runtime/model/frame-snapshot';
import { callDocument, callTitle } from './results.js';
import {
  CancelledError,
  clientOf,
  errorOf,
  labelsOf,
  pickNamespace,
  unlessCancelled,
} from './flow-context.js';
import type { FlowContext } from './flow-context.js';

/** How a call is routed: to any frame serving it, or to one frame only. */
export type CallMode = 'balanced' | 'pinned';

/** Frames that serve `service` from a package that runs (not failed, not restarting). */
function framesServing(frames: readonly FrameSnapshot[], service: string): FrameSnapshot[] {
  return frames.filter((f) =>
    f.packages.some((p) => packageState(p) === 'ok' && (p.services ?? []).includes(service)),
  );
}

/**
 * Services offered by the picker: only those of packages that run (a package that failed to load,
 * or is restarting, serves nothing), with how many frames serve each.
 */
export function callableServices(frames: readonly FrameSnapshot[]): { name: string; frames: number }[] {
  const count = new Map<string, number>();
  for (const f of frames)
    for (const p of f.packages)
      if (packageState(p) === 'ok') for (const s of p.services ?? []) count.set(s, (count.get(s) ?? 0) + 1);
  return [...count].sort(([a], [b]) => a.localeCompare(b)).map(([name, n]) => ({ name, frames: n }));
}

/** The last arguments typed per service, offered again. */
const lastArgs = new Map<string, string>();

/**
 * Call Service…: pick a live service (or the node's), say where the call goes (load-balanced over
 * N frames, or pinned to one), enter arguments as JSON, and see the result or the remote error in a
 * named read-only document. From a service node under a frame, `mode` decides; from the palette
 * the user picks when more than one frame serves it.
 */
export async function callService(ctx: FlowContext, mode?: CallMode): Promise<void> {
  const ns = await pickNamespace(ctx);
  if (ns === undefined) return;
  const frames = ctx.sessions.frames(ns);
  const labels = labelsOf(frames);
  let service = ctx.node?.service;
  if (service === undefined) {
    const offered = callableServices(frames);
    if (offered.length === 0) {
      void ctx.host.notify(
        'warn',
        `Kael: no service is running in ${ns}${frames.length === 0 ? ` (no frame runs with --name ${ns})` : ''}.`,
      );
      return;
    }
    service = await ctx.host.pick(
      offered.map((s) => ({
        label: s.name,
        description: `on ${s.frames} frame${s.frames === 1 ? '' : 's'}`,
        value: s.name,
      })),
      'Service to call',
    );
    if (service === undefined) return;
  }
  const serving = framesServing(frames, service);
  let pinTo: string | undefined;
  if (mode === 'pinned') pinTo = ctx.node?.frameId;
  else if (mode === undefined && serving.length > 1) {
    const choice = await ctx.host.pick<string | null>(
      [
        { label: 'Any frame (load-balanced)', description: `${serving.length} frames serve it`, value: null },
        ...serving.map((f) => ({
          label: `Only ${labels.get(f.id) ?? f.id} (pinned)`,
          description: `${f.id} · pid ${f.pid}`,
          value: f.id,
        })),
      ],
      `Where should ${service} run?`,
    );
    if (choice === undefined) return;
    pinTo = choice ?? undefined;
  } else if (mode === undefined && serving.length === 1) pinTo = undefined;
  const where =
    pinTo === undefined
      ? `load-balanced over ${serving.length} frame${serving.length === 1 ? '' : 's'}`
      : `pinned to ${labels.get(pinTo) ?? pinTo}`;
  const text = await ctx.host.input(`Arguments of ${service} as a JSON array — ${where}`, {
    value: lastArgs.get(service) ?? '[]',
    validate: (t) => {
      try {
        return Array.isArray(JSON.parse(t)) ? undefined : 'must be a JSON array, e.g. [1, 2]';
      } catch (e) {
        return `not JSON: ${(e as Error).message}`;
      }
    },
  });
  if (text === undefined) return;
  lastArgs.set(service, text);
  const args = JSON.parse(text) as unknown[];
  const client = clientOf(ctx, ns);
  const log = ctx.host.log;
  log.info('call', {
    namespace: ns,
    service,
    routing: pinTo === undefined ? 'load-balanced' : 'pinned',
    frame: pinTo,
  });
  try {
    const outcome = await ctx.host.progress(`Calling ${service} (${where})`, (_report, signal) =>
      unlessCancelled(
        client.callDetailed(service, args, {
          timeoutMs: 30_000,
          ...(pinTo === undefined ? {} : { frame: pinTo }),
        }),
        signal,
      ),
    );
    const frameLabel = outcome.frame === undefined ? undefined : (labels.get(outcome.frame) ?? outcome.frame);
    const doc = callDocument(service, outcome, frameLabel);
    await ctx.host.show({ title: callTitle(service, outcome, frameLabel), ...doc });
    if (outcome.reply.ok) {
      log.info('call answered', {
        service,
        frame: outcome.frame,
        ms: outcome.durationMs,
        pinned: outcome.pinned,
      });
    } else {
      log.warn('call failed remotely', {
        service,
        frame: outcome.frame,
        ms: outcome.durationMs,
        code: outcome.reply.error.code,
        error: outcome.reply.error.message,
      });
      void ctx.host.notify(
        'error',
        `Kael: ${service} failed on ${frameLabel ?? 'a frame'}: [${outcome.reply.error.code}] ${outcome.reply.error.message}`,
      );
    }
  } catch (e) {
    if (e instanceof CancelledError) {
      log.info('call cancelled by the user', { service });
      void ctx.host.notify('info', `Kael: stopped waiting for ${service} (the frame may still run it).`);
      return;
    }
    const err = errorOf(e);
    log.error('call failed', { service, code: err.code, error: err.message });
    const choice = await ctx.host.notify('error', `Kael: ${service} failed: [${err.code}] ${err.message}`, [
      'Show Log',
    ]);
    if (choice === 'Show Log') ctx.host.showLog();
  }
}
