import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { KaelError } from '../errors.js';

/**
 * kael's package archive: `KAELPKG1\n`, one JSON line listing the entries (sorted paths, normalized
 * modes, no times, so the same folder always gives the same bytes), then the file contents in that
 * order; the whole gzip-compressed. Identified by the sha256 of the compressed bytes.
 */
const MAGIC = 'KAELPKG1\n';

/** One entry of an archive. */
export interface ArchiveEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  /** 0o644 or 0o755 for files. */
  mode?: number;
  size?: number;
  /** Link target (symlinks). */
  target?: string;
}

/** A packed package folder. */
export interface PackedArchive {
  data: Buffer;
  sha256: string;
  size: number;
}

/** Names never packed: VCS data, caches, kael's own history, editor and OS junk. */
const SKIPPED = new Set([
  '.git',
  '.hg',
  '.svn',
  '__pycache__',
  '.kael',
  '.cache',
  '.DS_Store',
  'Thumbs.db',
  '.idea',
  '.vscode',
  '.pytest_cache',
  '.mypy_cache',
]);

/** Limits checked when unpacking. */
export interface ArchiveLimits {
  /** @default 64 MiB */
  maxCompressed: number;
  /** @default 256 MiB */
  maxUncompressed: number;
}

const DEFAULT_LIMITS: ArchiveLimits = { maxCompressed: 64 * 2 ** 20, maxUncompressed: 256 * 2 ** 20 };

/** The sha256 of bytes, hex. */
export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Packs a folder deterministically. */
export async function packFolder(root: string): Promise<PackedArchive> {
  const entries: ArchiveEntry[] = [];
  const contents: Buffer[] = [];
  const walk = async (rel: string): Promise<void> => {
    const names = (await fs.readdir(path.join(root, rel)))
      .filter((n) => !SKIPPED.has(n) && !n.endsWith('.pyc'))
      .sort();
    for (const name of names) {
      const relPath = rel === '' ? name : `${rel}/${name}`;
      const abs = path.join(root, relPath);
      const st = await fs.lstat(abs);
      if (st.isSymbolicLink())
        entries.push({ path: relPath, type: 'symlink', target: await fs.readlink(abs) });
      else if (st.isDirectory()) {
        entries.push({ path: relPath, type: 'dir' });
        await walk(relPath);
      } else if (st.isFile()) {
        const data = await fs.readFile(abs);
        entries.push({
          path: relPath,
          type: 'file',
          mode: st.mode & 0o111 ? 0o755 : 0o644,
          size: data.length,
        });
        contents.push(data);
      }
    }
  };
  await walk('');
  const raw = Buffer.concat([Buffer.from(MAGIC + JSON.stringify({ entries }) + '\n'), ...contents]);
  const data = zlib.gzipSync(raw, { level: 6 });
  return { data, sha256: sha256(data), size: data.length };
}

/**
 * Checks an archive and writes it into `dest` (which must not exist).
 * @throws KaelError `ARCHIVE_INVALID` on a size over the limits, a digest mismatch, a malformed
 * archive, an absolute or `..` path, or a link leading outside the folder.
 */
export async function unpackArchive(
  data: Buffer,
  expectedSha256: string,
  dest: string,
  limits: ArchiveLimits = DEFAULT_LIMITS,
): Promise<ArchiveEntry[]> {
  if (data.length > limits.maxCompressed)
    throw invalid(`archive is ${data.length} bytes; the limit is ${limits.maxCompressed}`);
  const digest = sha256(data);
  if (digest !== expectedSha256) throw invalid(`sha256 mismatch: expected ${expectedSha256}, got ${digest}`);
  let raw: Buffer;
  try {
    raw = zlib.gunzipSync(data, { maxOutputLength: limits.maxUncompressed });
  } catch (e) {
    throw invalid(`cannot decompress: ${(e as Error).message}`);
  }
  const { entries, body } = parseRaw(raw);
  for (const e of entries) checkEntry(e);
  await fs.mkdir(dest, { recursive: false });
  let offset = 0;
  for (const e of entries) {
    const target = path.join(dest, ...e.path.split('/'));
    if (e.type === 'dir') await fs.mkdir(target, { recursive: true });
    else if (e.type === 'symlink') await fs.symlink(e.target ?? '', target);
    else {
      const size = e.size ?? 0;
      if (offset + size > body.length) throw invalid(`entry ${e.path} runs past the end of the archive`);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, body.subarray(offset, offset + size), {
        mode: e.mode === 0o755 ? 0o755 : 0o644,
      });
      offset += size;
    }
  }
  if (offset !== body.length) throw invalid('archive has trailing bytes after its last entry');
  return entries;
}

function parseRaw(raw: Buffer): { entries: ArchiveEntry[]; body: Buffer } {
  if (raw.subarray(0, MAGIC.length).toString() !== MAGIC) throw invalid('not a kael package archive');
  const eol = raw.indexOf(0x0a, MAGIC.length);
  if (eol < 0) throw invalid('archive header is cut short');
  let header: unknown;
  try {
    header = JSON.parse(raw.subarray(MAGIC.length, eol).toString('utf8'));
  } catch {
    throw invalid('archive header is not JSON');
  }
  const entries = (header as { entries?: unknown }).entries;
  if (!Array.isArray(entries)) throw invalid('archive header has no entry list');
  return { entries: entries as ArchiveEntry[], body: raw.subarray(eol + 1) };
}

function checkEntry(e: ArchiveEntry): void {
  if (typeof e.path !== 'string' || e.path === '' || e.path.includes('\0') || e.path.includes('\\'))
    throw invalid(`bad entry path ${JSON.stringify(e.path)}`);
  if (path.posix.isAbsolute(e.path) || /^[A-Za-z]:/.test(e.path)) throw invalid(`absolute path ${e.path}`);
  if (e.path.split('/').some((s) => s === '..' || s === '.' || s === ''))
    throw invalid(`path ${e.path} leaves the package folder`);
  if (!['file', 'dir', 'symlink'].includes(e.type))
    throw invalid(`entry ${e.path} has unknown type ${String(e.type)}`);
  if (e.type === 'file' && (!Number.isInteger(e.size) || (e.size ?? -1) < 0))
    throw invalid(`entry ${e.path} has a bad size`);
  if (e.type === 'symlink') {
    const t = e.target ?? '';
    const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(e.path), t));
    if (t === '' || path.posix.isAbsolute(t) || resolved === '..' || resolved.startsWith('../'))
      throw invalid(`link ${e.path} → ${t} leads outside the package folder`);
  }
}

function invalid(message: string): KaelError {
  return new KaelError('ARCHIVE_INVALID', message);
}
