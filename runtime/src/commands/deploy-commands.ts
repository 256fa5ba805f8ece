import { promises as fs } from 'node:fs';
import path from 'node:path';
import { packFolder } from '../deploy/archive.js';
import { addFramePath } from '../deploy/frame-yaml-edit.js';
import { historyDir, restoreNewest, swapInArchive } from '../deploy/package-store.js';
import { KaelError } from '../errors.js';
import { sameVersion } from '../version/version.js';
import { findPackage, kindArg, stringArg } from './command-context.js';
import type { CommandContext, CommandHandler, ExportedPackage } from './command-context.js';
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

/** `_export_pkg({ pkg, pkg_type })`: packs this frame's copy of a package for another frame. */
export const exportPackage: CommandHandler = async (ctx, kwargs): Promise<ExportedPackage> => {
  const { kind, name, record, setting } = requirePackage(ctx, kwargs);
  const packed = await packFolder(record.dir);
  return {
    name,
    kind,
    version: setting.version,
    sha256: packed.sha256,
    size: packed.size,
    data: packed.data,
  };
};

async function fetchVersion(ctx: CommandContext, kwargs: Record<string, unknown>) {
  const kind = kindArg(kwargs);
  const name = stringArg(kwargs, 'pkg');
  const version = stringArg(kwargs, 'version');
  const source = stringArg(kwargs, 'source');
  const archive = await ctx.fetchArchive(source, name, kind);
  if (!sameVersion(archive.version, version)) {
    throw new KaelError(
      'VERSION_NOT_FOUND',
      `frame ${source} now holds ${name} ${archive.version}, not ${version}`,
    );
  }
  return {
    kind,
    name,
    version,
    archive,
    data: Buffer.from(archive.data.buffer, archive.data.byteOffset, archive.data.byteLength),
  };
}

/** `_update_pkg({ pkg, pkg_type, version, source })`: replaces this frame's copy with the source frame's version, then restarts that kind. */
export const updatePackage: CommandHandler = async (ctx, kwargs): Promise<DeployResult> => {
  const { kind, name, record, setting } = requirePackage(ctx, kwargs, ' to update; use install to add it');
  const from = setting.version;
  if (sameVersion(from, stringArg(kwargs, 'version'))) return { ok: true, from, to: from, unchanged: true };
  const { version, archive, data } = await fetchVersion(ctx, kwargs);
  await swapInArchive(
    record.dir,
    data,
    archive.sha256,
    historyDir(ctx.frame.options.serviceGroupConf, kind, name),
    from,
  );
  await ctx.frame.reload(kind);
  return deployOutcome(ctx.frame, record.dir, { ok: true, from, to: version });
};

/** `_install_pkg({ pkg, pkg_type, version, source, install_path })`: adds a package this frame lacks. */
export const installPackage: CommandHandler = async (ctx, kwargs): Promise<DeployResult> => {
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
  const target = path.resolve(path.dirname(frameFile), installPath);
  const { version, archive, data } = await fetchVersion(ctx, kwargs);
  const exists = await fs.stat(target).then(
    () => true,
    () => false,
  );
  if (exists)
    throw new KaelError('PACKAGE_EXISTS', `install path ${target} already exists on frame ${ctx.frame.id}`);
  await swapInArchive(target, data, archive.sha256, undefined);
  await addFramePath(frameFile, installPath);
  await ctx.frame.reload(kind);
  return deployOutcome(ctx.frame, target, { ok: true, from: null, to: version });
};

/** `_rollback_pkg({ pkg, pkg_type })`: restores the newest kept previous version. */
export const rollbackPackage: CommandHandler = async (ctx, kwargs): Promise<DeployResult> => {
  const { kind, name, record, setting } = requirePackage(ctx, kwargs);
  const to = await restoreNewest(record.dir, historyDir(ctx.frame.options.serviceGroupConf, kind, name));
  await ctx.frame.reload(kind);
  return deployOutcome(ctx.frame, record.dir, { ok: true, from: setting.version, to });
};
