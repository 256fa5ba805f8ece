import { KaelError } from '../errors.js';
import type { FrameSnapshot } from '../model/frame-snapshot.js';
import { highestVersion, sameVersion } from '../version/version.js';
import type { PackageKind } from '../model/package-kind.js';

/** Which frames a command goes to (the seed's `id` / `not_id`). */
export interface TargetOptions {
  /** Only this frame. @default every frame of the namespace */
  id?: string | undefined;
  /** Every frame except these (an array, or ids separated by commas). @default none excluded */
  notId?: string | readonly string[] | undefined;
}

/** A planned install or update: where the code comes from and which frames change. */
export interface DeployPlan {
  version: string;
  source: FrameSnapshot;
  targets: FrameSnapshot[];
}

/** The version of package `name` of `kind` a frame holds (loaded or failed with a setting), if any. */
export function versionOn(frame: FrameSnapshot, kind: PackageKind, name: string): string | undefined {
  return frame.packages.find((p) => p.kind === kind && p.name === name)?.version;
}

/** Frames matching `id` / `notId`. */
export function selectFrames(frames: readonly FrameSnapshot[], target: TargetOptions): FrameSnapshot[] {
  const excluded = new Set(typeof target.notId === 'string' ? target.notId.split(',') : (target.notId ?? []));
  return frames.filter((f) => (target.id === undefined || f.id === target.id) && !excluded.has(f.id));
}

/**
 * Picks the source (a live frame holding the requested version; default: the highest live version,
 * by the shared version rules) and the targets: for an update the selected frames holding the
 * package, for an install the selected frames lacking it (an explicit `id` is always targeted,
 * and that frame answers PACKAGE_EXISTS / PACKAGE_NOT_FOUND when it does not fit).
 * @throws KaelError `VERSION_NOT_FOUND` when no live frame holds the package or that version; `FRAME_NOT_FOUND` for an unknown id.
 */
export function planDeploy(
  frames: readonly FrameSnapshot[],
  op: 'install' | 'update',
  kind: PackageKind,
  name: string,
  options: TargetOptions & { version?: string | undefined },
): DeployPlan {
  const holders = frames.filter((f) => versionOn(f, kind, name) !== undefined);
  if (holders.length === 0)
    throw new KaelError('VERSION_NOT_FOUND', `no live frame holds ${kind} package "${name}"`);
  // A copy that failed to load is never the source (nor counted for the default version).
  const sources = holders.filter((f) =>
    f.packages.some((p) => p.kind === kind && p.name === name && p.error === undefined),
  );
  const version = options.version ?? highestVersion(sources.map((f) => versionOn(f, kind, name) ?? ''));
  const source = sources.find(
    (f) => version !== undefined && sameVersion(versionOn(f, kind, name) ?? '', version),
  );
  if (version === undefined || source === undefined) {
    const known = [...new Set(sources.map((f) => versionOn(f, kind, name)))].join(', ');
    throw new KaelError(
      'VERSION_NOT_FOUND',
      `no live frame holds a loaded copy of ${kind} package "${name}" version ${String(options.version ?? 'any')} (loaded versions: ${known || 'none'})`,
    );
  }
  if (options.id !== undefined && !frames.some((f) => f.id === options.id))
    throw new KaelError('FRAME_NOT_FOUND', `no live frame has id ${options.id}`);
  const selected = selectFrames(frames, options);
  const targets =
    options.id !== undefined
      ? selected
      : selected.filter((f) => (versionOn(f, kind, name) !== undefined) === (op === 'update'));
  return { version, source, targets };
}
