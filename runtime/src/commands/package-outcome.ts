import type { DeployResult, PackageFailure, RestartResult } from '../model/deploy-result.js';
import type { FrameRuntime } from '../model/frame-runtime.js';
import type { PackageSnapshot } from '../model/frame-snapshot.js';
import type { PackageKind } from '../model/package-kind.js';
import { packageState } from '../model/frame-snapshot.js';

function describe(p: PackageSnapshot): string {
  return `${p.kind === 'unknown' ? 'package' : `${p.kind} package`} ${p.name}${p.version === undefined ? '' : ` ${p.version}`}`;
}

function failure(frame: FrameRuntime, failed: readonly PackageSnapshot[]): PackageFailure | undefined {
  const [first] = failed;
  if (first === undefined) return undefined;
  const why = failed.map((p) => `${describe(p)} (${p.dir}): ${p.reason ?? packageState(p)}`).join('; ');
  return {
    code: first.error?.code ?? 'PACKAGE_INVALID',
    message: `frame ${frame.id}: ${failed.length === 1 ? 'did not come back up' : `${failed.length} packages did not come back up`}: ${why}`,
  };
}

/** After a restart of `kind`: its packages as the frame reports them, and which did not come back up. */
export function restartOutcome(frame: FrameRuntime, kind: PackageKind): RestartResult {
  const packages = frame.snapshot().packages.filter((p) => p.kind === kind || p.kind === 'unknown');
  const error = failure(
    frame,
    packages.filter((p) => packageState(p) !== 'ok'),
  );
  return error === undefined ? { ok: true, packages } : { ok: false, packages, error };
}

/**
 * A deploy result completed with the state of the package in `dir` after the frame reloaded it:
 * `ok` only when that package runs.
 */
export function deployOutcome(frame: FrameRuntime, dir: string, result: DeployResult): DeployResult {
  const pkg = frame.snapshot().packages.find((p) => p.dir === dir);
  if (pkg === undefined) return result;
  const error = packageState(pkg) === 'ok' ? undefined : failure(frame, [pkg]);
  return error === undefined ? { ...result, package: pkg } : { ...result, ok: false, package: pkg, error };
}
