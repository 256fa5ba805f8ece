import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { KaelError } from '../errors.js';
import { unpackArchive } from './archive.js';

/** How many previous versions of a package are kept for rollback. */
const KEPT_VERSIONS = 3;

/** Where a package's previous versions are kept: `<frame.yaml dir>/.kael/history/<kind>/<name>/`. */
export function historyDir(frameConfigFile: string, kind: string, name: string): string {
  return path.join(path.dirname(frameConfigFile), '.kael', 'history', kind, name);
}

/**
 * Unpacks an archive into a staging folder beside `targetDir`, then swaps it in with renames: the
 * package folder is at every moment either the old version or the new one, never half-written.
 * The old folder goes to `history` (newest last; `KEPT_VERSIONS` kept).
 * @throws KaelError `ARCHIVE_INVALID` (nothing changed on disk).
 */
export async function swapInArchive(
  targetDir: string,
  data: Buffer,
  digest: string,
  history: string | undefined,
  oldVersion?: string,
): Promise<void> {
  const staging = `${targetDir}.kael-staging-${randomBytes(4).toString('hex')}`;
  await fs.mkdir(path.dirname(targetDir), { recursive: true });
  try {
    await unpackArchive(data, digest, staging);
  } catch (e) {
    await fs.rm(staging, { recursive: true, force: true });
    throw e;
  }
  await swapIn(targetDir, staging, history, oldVersion);
}

/** Replaces `targetDir` by `replacement` (a folder on the same file system), keeping the old one in history. */
async function swapIn(
  targetDir: string,
  replacement: string,
  history: string | undefined,
  oldVersion?: string,
): Promise<void> {
  const exists = await fs.stat(targetDir).then(
    () => true,
    () => false,
  );
  if (!exists) {
    await fs.mkdir(path.dirname(targetDir), { recursive: true });
    await fs.rename(replacement, targetDir);
    return;
  }
  const aside = `${targetDir}.kael-old-${randomBytes(4).toString('hex')}`;
  await fs.rename(targetDir, aside);
  try {
    await fs.rename(replacement, targetDir);
  } catch (e) {
    await fs.rename(aside, targetDir);
    await fs.rm(replacement, { recursive: true, force: true });
    throw new KaelError(
      'COMMAND_FAILED',
      `cannot swap in the new version of ${targetDir}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  if (history === undefined) {
    await fs.rm(aside, { recursive: true, force: true });
    return;
  }
  await fs.mkdir(history, { recursive: true });
  const stamp = `${Date.now().toString().padStart(15, '0')}-${oldVersion ?? 'unknown'}`;
  await moveAcross(aside, path.join(history, stamp));
  await prune(history);
}

/** The kept versions, oldest first: folder names `<time>-<version>`. */
export async function listHistory(history: string): Promise<{ dir: string; version: string }[]> {
  const names = (await fs.readdir(history).catch(() => [] as string[])).sort();
  return names.map((n) => ({ dir: path.join(history, n), version: n.slice(n.indexOf('-') + 1) }));
}

/**
 * Puts the newest kept version back in place of `targetDir` (the current one is dropped).
 * @returns the version restored.
 * @throws KaelError `VERSION_NOT_FOUND` when nothing is kept.
 */
export async function restoreNewest(targetDir: string, history: string): Promise<string> {
  const newest = (await listHistory(history)).pop();
  if (newest === undefined)
    throw new KaelError('VERSION_NOT_FOUND', `no previous version of ${targetDir} is kept to roll back to`);
  const staging = `${targetDir}.kael-staging-${randomBytes(4).toString('hex')}`;
  await moveAcross(newest.dir, staging);
  await swapIn(targetDir, staging, undefined);
  return newest.version;
}

async function prune(history: string): Promise<void> {
  const all = await listHistory(history);
  for (const old of all.slice(0, Math.max(0, all.length - KEPT_VERSIONS)))
    await fs.rm(old.dir, { recursive: true, force: true });
}

async function moveAcross(from: string, to: string): Promise<void> {
  try {
    await fs.rename(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    await fs.cp(from, to, { recursive: true, verbatimSymlinks: true });
    await fs.rm(from, { recursive: true, force: true });
  }
}
