// The two functions alone: the whole of semver takes several times longer to load at a frame's start.
import compare from 'semver/functions/compare.js';
import valid from 'semver/functions/valid.js';
import { KaelError } from '../errors.js';

/**
 * Package versions as people write them in setting.yaml (`1.0`, `1.10`, `2`, `1.2.3-beta`), ordered
 * like semver after padding missing parts with zeros. The text is kept as written: `1.10` never
 * becomes the float `1.1`. This module is the only place version rules live.
 */
const VERSION_TEXT = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?((?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$/;

/** True when `text` is a version kael can order. */
export function isValidVersion(text: string): boolean {
  return toSemver(text) !== undefined;
}

/**
 * The full semver form of a version text: `1.0` → `1.0.0`, `v2` → `2.0.0`.
 * @returns undefined when the text is not an orderable version.
 */
export function toSemver(text: string): string | undefined {
  const m = VERSION_TEXT.exec(text.trim());
  if (m === null) return undefined;
  const full = `${Number(m[1])}.${Number(m[2] ?? 0)}.${Number(m[3] ?? 0)}${m[4] ?? ''}`;
  return valid(full) ?? undefined;
}

/**
 * Orders two version texts: negative when `a` < `b`, 0 when equal, positive when `a` > `b`.
 * @throws KaelError `VERSION_INVALID` when either is not a version.
 */
export function compareVersions(a: string, b: string): number {
  return compare(requireSemver(a), requireSemver(b));
}

/** True when both texts name the same version (`1.0` equals `1.0.0`). */
export function sameVersion(a: string, b: string): boolean {
  const sa = toSemver(a);
  const sb = toSemver(b);
  return sa !== undefined && sa === sb;
}

/** The highest of the given version texts, or undefined for an empty list; invalid texts are ignored. */
export function highestVersion(versions: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const v of versions) {
    if (!isValidVersion(v)) continue;
    if (best === undefined || compareVersions(v, best) > 0) best = v;
  }
  return best;
}

/** Sorts version texts from highest to lowest; invalid texts go last. */
export function sortVersionsDescending(versions: readonly string[]): string[] {
  return [...versions].sort((a, b) => {
    const va = isValidVersion(a);
    const vb = isValidVersion(b);
    if (va && vb) return compareVersions(b, a);
    return va ? -1 : vb ? 1 : a.localeCompare(b);
  });
}

function requireSemver(text: string): string {
  const v = toSemver(text);
  if (v === undefined)
    throw new KaelError('VERSION_INVALID', `"${text}" is not a version (expected e.g. 1.0, 1.10 or 1.2.3)`);
  return v;
}
