import type { PackageRecord } from '../model/package-record.js';

/** How a fresh read of frame.yaml and its packages differs from what a frame runs. */
export interface PackageDiff {
  /** Folders listed now and not before. */
  added: PackageRecord[];
  /** Folders listed before and not now (their records as they were). */
  removed: PackageRecord[];
  /** Folders listed in both whose setting, frame.yaml entry or load error differ (the fresh records). */
  changed: PackageRecord[];
  /** Folders listed in both with nothing different (the running records, kept as they are). */
  unchanged: PackageRecord[];
}

/**
 * Compares the packages a frame runs with a fresh read of its frame.yaml, folder by folder. A package
 * counts as changed when its setting.yaml says something else (a new version, another publish list or
 * schedule), when its frame.yaml entry is written differently, or when it fails now and did not before
 * (or the reverse), or when it is failing now (a reload retries it); its code alone is not compared —
 * `kael restart` reloads code in place.
 */
export function diffPackages(
  running: readonly PackageRecord[],
  fresh: readonly PackageRecord[],
): PackageDiff {
  const before = new Map(running.map((r) => [r.dir, r]));
  const after = new Set(fresh.map((r) => r.dir));
  const diff: PackageDiff = { added: [], removed: [], changed: [], unchanged: [] };
  for (const r of fresh) {
    const old = before.get(r.dir);
    if (old === undefined) diff.added.push(r);
    // A package that is failing is tried again: a reload is how its fixed code gets picked up.
    else if (old.error === undefined && fingerprint(old) === fingerprint(r)) diff.unchanged.push(old);
    else diff.changed.push(r);
  }
  for (const r of running) if (!after.has(r.dir)) diff.removed.push(r);
  return diff;
}

/** True when the diff has nothing to apply. */
export function isEmptyDiff(diff: PackageDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
}

function fingerprint(r: PackageRecord): string {
  const failing = r.problems.some((p) => p.severity === 'error');
  return JSON.stringify([r.raw, r.setting ?? null, r.declared ?? null, failing]);
}
