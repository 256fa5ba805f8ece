import { KaelError } from '../errors.js';
import { bestEffort } from '../util/best-effort.js';
import type { PackageKind } from '../model/package-kind.js';
import type { FrameRuntime } from '../model/frame-runtime.js';
import type { PackageRecord } from '../model/package-record.js';

/** What `_export_pkg` with `digest_only` returns: enough to sign an install or update. */
export interface PackageDigest {
  name: string;
  kind: PackageKind;
  version: string;
  /** Hex sha256 of the archive bytes. */
  sha256: string;
  /** Archive bytes (compressed). */
  size: number;
}

/** A package archive as `_export_pkg` returns it. */
export interface ExportedPackage extends PackageDigest {
  data: Uint8Array;
}

/** What a command handler gets besides its arguments. */
export interface CommandContext {
  frame: FrameRuntime;
  /** Fetches a package archive from another frame of the namespace (signed with the frame's admin key, if it has one). */
  fetchArchive(sourceFrame: string, pkg: string, kind: PackageKind): Promise<ExportedPackage>;
}

/** A built-in management command. Its result is the reply value; what it throws is the reply error. */
export type CommandHandler = (ctx: CommandContext, kwargs: Record<string, unknown>) => Promise<unknown>;

/**
 * A string argument of a command.
 * @throws KaelError `USAGE` naming the argument when it is required and missing or not a string.
 */
export function stringArg(kwargs: Record<string, unknown>, name: string): string;
export function stringArg(kwargs: Record<string, unknown>, name: string, optional: true): string | undefined;
export function stringArg(
  kwargs: Record<string, unknown>,
  name: string,
  optional = false,
): string | undefined {
  const v = kwargs[name];
  if (v === undefined || v === null) {
    if (optional) return undefined;
    throw new KaelError('USAGE', `missing argument "${name}"`);
  }
  if (typeof v !== 'string' && typeof v !== 'number')
    throw new KaelError('USAGE', `argument "${name}" must be a string`);
  return String(v);
}

/** The `pkg_type` argument (default `service`). @throws KaelError `USAGE` for another value. */
export function kindArg(kwargs: Record<string, unknown>): PackageKind {
  const v = kwargs['pkg_type'] ?? 'service';
  if (v !== 'service' && v !== 'crontab')
    throw new KaelError('USAGE', `pkg_type must be "service" or "crontab", got ${JSON.stringify(v)}`);
  return v;
}

/** The frame's package of a kind and name (loaded or failed), if it has one. */
export function findPackage(frame: FrameRuntime, kind: PackageKind, name: string): PackageRecord | undefined {
  return frame.records().find((r) => r.setting?.type === kind && r.setting.name === name);
}

/** The last code change each frame runs (or ran): the next one starts when it has finished. */
const lastChange = new WeakMap<FrameRuntime, Promise<unknown>>();

/**
 * A changing command (install, update, rollback, restart) that runs after the frame's previous one
 * finished: two changes never swap the same folder at once, and each sees what the one before left
 * (an update to the version another just installed is `unchanged`, with that package's state).
 */
export function oneChangeAtATime(handler: CommandHandler): CommandHandler {
  return (ctx, kwargs) => {
    const run = (lastChange.get(ctx.frame) ?? Promise.resolve()).then(() => handler(ctx, kwargs));
    // The caller gets the failure from `run`; the next change only waits for it to end.
    lastChange.set(ctx.frame, bestEffort(run, ctx.frame.logger, 'a change command'));
    return run;
  };
}
