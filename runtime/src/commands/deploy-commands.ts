import { promises as fs } from 'node:fs';
import path from 'node:path';
import { packFolder, sha256 } from '../deploy/archive.js';
import { addFramePath } from '../deploy/frame-yaml-edit.js';
import { historyDir, restoreNewest, swapInArchive } from '../deploy/package-store.js';
import { KaelError } from '../errors.js';
import { resolveInstallPath } from '../security/install-root.js';
import { sameVersion } from '../version/version.js';
import { findPackage, kindArg, oneChangeAtATime, stringArg } from './command-context.js';
import type { CommandContext, CommandHandler, ExportedPackage, PackageDigest } from './command-context.js';
import type { DeployResult } from '../model/deploy-result.js';
import { deployOutcome } from './package-outcome.js';

/**
 * The package a command names (`pkg`, `pkg_type`), which this frame must have.
 * @throws KaelError `PACKAGE_NOT_FOUND`, with `hint` appended (e.g. which command to use instead).
 */
function requirePackage(ctx: CommandContext, kwargs: Record<string, unknown>, hint = '') {
  const kind = kindArg(kwargs);
  const name = stringArg(kwargs, 'pkg');
  const record = findPackage(ctx.frame, kind, name);
  if (record?.setting === undefined)
    throw new KaelError('PACKAGE_NOT_FOUND', `frame ${ctx.frame.id} has no ${kind} package "${name}"${hint}`);
  return { kind, name, record, setting: record.setting };
}

/**
 * `_export_pkg({ pkg, pkg_type, digest_only? })`: packs this frame's copy of a package for another
 * frame; with `digest_only: true` only its version, sha256 and size, which a client signs into an
 * install or update before any frame fetches the archive.
 */
export const exportPackage: CommandHandler = async (
  ctx,
  kwargs,
): Promise<ExportedPackage | PackageDigest> => {
  const { kind, name, record, setting } = requirePackage(ctx, kwargs);
  const packed = await packFolder(record.dir);
  const digest: PackageDigest = {
    name,
    kind,
    version: setting.version,
    sha256: packed.sha256,
    size: packed.size,
  };
  return kwargs['digest_only'] === true ? digest : { ...digest, data: packed.data };
};

/** The `sha256` argument: the digest the signer saw, which the fetched archive must have. */
function digestArg(kwargs: Record<string, unknown>): string {
  const v = stringArg(kwargs, 'sha256');
  if (!/^[0-9a-f]{64}$/.test(v))
    throw new KaelError(
      'USAGE',
      `argument "sha256" must be 64 lowercase hex characters, got ${JSON.stringify(v)}`,
    );
  return v;
}

/**
 * Fetches the archive of the signed version from the signed source frame and checks its digest
 * against the signed one, before anything is unpacked.
 * @throws KaelError `ARCHIVE_INVALID` when the digest differs; `VERSION_NOT_FOUND` when the source moved on.
 */
async function fetchVersion(ctx: CommandContext, kwargs: Record<string, unknown>) {
  const kind = kindArg(kwargs);
  const name = stringArg(kwargs, 'pkg');
  const version = stringArg(kwargs, 'version');
  const source = stringArg(kwargs, 'source');
  const expected = digestArg(kwargs);
  const archive = await ctx.fetchArchive(source, name, kind);
  if (!(archive.data instanceof Uint8Array) || typeof archive.version !== 'string')
    throw new KaelError(
      'ARCHIVE_INVALID',
      `frame ${source} answered _export_pkg with something that is not an archive`,
    );
  if (!sameVersion(archive.version, version)) {
    throw new KaelError(
      'VERSION_NOT_FOUND',
      `frame ${source} now holds ${name} ${archive.version}, not ${version}`,
    );
  }
  const data = Buffer.from(archive.data.buffer, archive.data.byteOffset, archive.data.byteLength);
  const actual = sha256(data);
  if (actual !== expected)
    throw new KaelError(
      'ARCHIVE_INVALID',
      `the archive of ${name} ${version} from frame ${source} has sha256 ${actual}, but the command names ${expected}; nothing was unpacked`,
      { details: { expected, actual, source } },
    );
  return { kind, name, version, expected, data };
}

/** `_update_pkg({ pkg, pkg_type, version, source, sha256 })`: replaces this frame's copy with the source frame's version, then restarts that kind. */
export const updatePackage: CommandHandler = oneChangeAtATime(async (ctx, kwargs): Promise<DeployResult> => {
  const { kind, name, record, setting } = requirePackage(ctx, kwargs, ' to update; use install to add it');
  const from = setting.version;
  if (sameVersion(from, stringArg(kwargs, 'version')))
    return deployOutcome(ctx.frame, record.dir, { ok: true, from, to: from, unchanged: true });
  const { version, expected, data } = await fetchVersion(ctx, kwargs);
  await swapInArchive(
    record.dir,
    data,
    expected,
    historyDir(ctx.frame.options.serviceGroupConf, kind, name),
    from,
  );
  await ctx.frame.reload(kind);
  return deployOutcome(ctx.frame, record.dir, { ok: true, from, to: version });
});

/**
 * `_install_pkg({ pkg, pkg_type, version, source, sha256, install_path })`: adds a package this
 * frame lacks, at a path inside the install root.
 */
export const installPackage: CommandHandler = oneChangeAtATime(async (ctx, kwargs): Promise<DeployResult> => {
  const kind = kindArg(kwargs);
  const name = stringArg(kwargs, 'pkg');
  if (findPackage(ctx.frame, kind, name) !== undefined) {
    throw new KaelError(
      'PACKAGE_EXISTS',
      `frame ${ctx.frame.id} already has ${kind} package "${name}"; use update to change its version`,
    );
  }
  const installPath = stringArg(kwargs, 'install_path');
  const frameFile = ctx.frame.options.serviceGroupConf;
  const target = await resolveInstallPath(
    ctx.frame.options.installRoot,
    path.dirname(frameFile),
    installPath,
  );
  const { version, expected, data } = await fetchVersion(ctx, kwargs);
  const exists = await fs.stat(target).then(
    () => true,
    () => false,
  );
  if (exists)
    throw new KaelError('PACKAGE_EXISTS', `install path ${target} already exists on frame ${ctx.frame.id}`);
  await swapInArchive(target, data, expected, undefined);
  await addFramePath(frameFile, installPath);
  await ctx.frame.reload(kind);
  return deployOutcome(ctx.frame, target, { ok: true, from: null, to: version });
});

/** `_rollback_pkg({ pkg, pkg_type })`: restores the newest kept previous version. */
export const rollbackPackage: CommandHandler = oneChangeAtATime(
  async (ctx, kwargs): Promise<DeployResult> => {
    const { kind, name, record, setting } = requirePackage(ctx, kwargs);
    const to = await restoreNewest(record.dir, historyDir(ctx.frame.options.serviceGroupConf, kind, name));
    await ctx.frame.reload(kind);
    return deployOutcome(ctx.frame, record.dir, { ok: true, from: setting.version, to });
  },
);
