/** The two kinds of package a frame runs: `service` (RPC functions) and `crontab` (scheduled commands). */
export type PackageKind = 'service' | 'crontab';

/** Every package kind, in the order they are listed. */
export const PACKAGE_KINDS: readonly PackageKind[] = ['service', 'crontab'];

/** True when `value` names a package kind. */
export function isPackageKind(value: unknown): value is PackageKind {
  return value === 'service' || value === 'crontab';
}
