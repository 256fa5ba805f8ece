import { createHash } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { KaelError } from '../errors.js';

/**
 * kael's package archive: `KAELPKG1\n`, one JSON line listing the entries (sorted paths, normalized
 * modes, no times, so the same folder always gives the same bytes), then the file contents in that
 * order; the whole gzip-compressed. Identified by the sha256 of the compressed bytes.
 *
 * An archive holds regular files and folders only. Symbolic links, hard links and device files are
 * refused when packing and when unpacking: a link written by an archive could lead a later entry
 * outside the package folder, however its text looks.
 */
const MAGIC = 'KAELPKG1\n';

/** One entry of an archive. */
export interface ArchiveEntry {
  path: string;
  type: 'file' | 'dir';
  /** 0o644 or 0o755 for files. */
  mode?: number;
  size?: number;
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

/**
 * Packs a folder deterministically. `node_modules/.bin` folders (links to installed tools, never
 * needed by `require`) are left out.
 * @throws KaelError `ARCHIVE_INVALID` naming the entry when the folder holds a symbolic link, a
 * device file, a FIFO or a socket.
 */
export async function packFolder(root: string): Promise<PackedArchive> {
  const entries: ArchiveEntry[] = [];
  const contents: Buffer[] = [];
  const walk = async (rel: string): Promise<void> => {
    const names = (await fs.readdir(path.join(root, rel)))
      .filter((n) => !SKIPPED.has(n) && !n.endsWith('.pyc'))
      .filter((n) => !(n === '.bin' && path.basename(rel) === 'node_modules'))
      .sort();
    for (const name of names) {
      const relPath = rel === '' ? name : `${rel}/${name}`;
      const abs = path.join(root, relPath);
      const st = await fs.lstat(abs);
      if (st.isSymbolicLink())
        throw invalid(
          `${abs} is a symbolic link (→ ${await fs.readlink(abs)}); package archives hold only files and folders: copy the target into the package instead`,
        );
      if (st.isDirectory()) {
        entries.push({ path: relPath, type: 'dir' });
        await walk(relPath);
      } else if (st.isFile()) {
        // A hard-linked file is packed as its content: the archive never records the link.
        const data = await fs.readFile(abs);
        entries.push({
          path: relPath,
          type: 'file',
          mode: st.mode & 0o111 ? 0o755 : 0o644,
          size: data.length,
        });
        contents.push(data);
      } else {
        throw invalid(
          `${abs} is a device file, FIFO or socket; package archives hold only files and folders`,
        );
      }
    }
  };
  await walk('');
  const raw = Buffer.concat([Buffer.from(MAGIC + JSON.stringify({ entries }) + '\n'), ...contents]);
  const data = zlib.gzipSync(raw, { level: 6 });
  return { data, sha256: sha256(data), size: data.length };
}

/**
 * Checks an archive and writes it into `dest`, a folder this call creates (it must not exist).
 * Every check that needs no disk runs first; files are created exclusively (`O_EXCL`, never
 * following a link), so no entry can overwrite another or write through anything. On failure
 * `dest` is removed.
 * @throws KaelError `ARCHIVE_INVALID` on a size over the limits, a digest other than
 * `expectedSha256`, a malformed archive, an absolute or `..` path, a duplicate entry, or an entry
 * that is not a file or a folder (symbolic links, hard links, devices).
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
  checkEntries(entries, body.length);
  await fs.mkdir(dest, { recursive: false });
  try {
    await writeEntries(entries, body, dest);
  } catch (e) {
    await fs.rm(dest, { recursive: true, force: true });
    if (e instanceof KaelError) throw e;
    throw invalid(`cannot unpack: ${(e as Error).message}`);
  }
  return entries;
}

/** Writes checked entries under `dest`, which holds nothing but what this function wrote (no links). */
async function writeEntries(entries: readonly ArchiveEntry[], body: Buffer, dest: string): Promise<void> {
  let offset = 0;
  for (const e of entries) {
    const target = path.join(dest, ...e.path.split('/'));
    if (e.type === 'dir') {
      await fs.mkdir(target, { recursive: true });
      continue;
    }
    const size = e.size ?? 0;
    await fs.mkdir(path.dirname(target), { recursive: true });
    const file = await fs.open(
      target,
      fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW,
      e.mode === 0o755 ? 0o755 : 0o644,
    );
    try {
      await file.writeFile(body.subarray(offset, offset + size));
    } finally {
      await file.close();
    }
    offset += size;
  }
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

/** Checks every entry and that the sizes add up to the body, before anything is written. */
function checkEntries(entries: readonly ArchiveEntry[], bodyLength: number): void {
  const seen = new Set<string>();
  let total = 0;
  for (const e of entries) {
    checkEntry(e);
    if (seen.has(e.path)) throw invalid(`entry ${e.path} appears twice`);
    seen.add(e.path);
    if (e.type === 'file') total += e.size ?? 0;
  }
  if (total > bodyLength) throw invalid('the entries run past the end of the archive');
  if (total < bodyLength) throw invalid('archive has trailing bytes after its last entry');
}

function checkEntry(e: ArchiveEntry): void {
  if (e === null || typeof e !== 'object') throw invalid('an archive entry is not an object');
  if (typeof e.path !== 'string' || e.path === '' || e.path.includes('\0') || e.path.includes('\\'))
    throw invalid(`bad entry path ${JSON.stringify(e.path)}`);
  if (path.posix.isAbsolute(e.path) || /^[A-Za-z]:/.test(e.path)) throw invalid(`absolute path ${e.path}`);
  if (e.path.split('/').some((s) => s === '..' || s === '.' || s === ''))
    throw invalid(`path ${e.path} leaves the package folder`);
  const type = e.type as string;
  if (type !== 'file' && type !== 'dir')
    throw invalid(
      `entry ${e.path} is a ${String(type)}; package archives hold only files and folders (no symbolic links, hard links or devices)`,
    );
  if (e.type === 'file' && (!Number.isInteger(e.size) || (e.size ?? -1) < 0))
    throw invalid(`entry ${e.path} has a bad size`);
}

function invalid(message: string): KaelError {
  return new KaelError('ARCHIVE_INVALID', message);
}
