import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { isSeq, parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';

/**
 * Appends a package path to frame.yaml's `path` list, keeping comments, order and formatting of the
 * rest; written to a temporary file and renamed over the original, so readers never see half a file.
 * @throws ConfigError `CONFIG_INVALID` when frame.yaml cannot be parsed or has no `path` list.
 */
export async function addFramePath(frameFile: string, entry: string): Promise<void> {
  const text = await fs.readFile(frameFile, 'utf8');
  const doc = parseDocument(text);
  if (doc.errors.length > 0)
    throw new ConfigError('CONFIG_INVALID', `${frameFile}: ${doc.errors[0]?.message ?? 'YAML error'}`, {
      details: { file: frameFile, pointer: '' },
    });
  const list = doc.get('path', true);
  if (!isSeq(list))
    throw new ConfigError('CONFIG_INVALID', `${frameFile}: path must be a list`, {
      details: { file: frameFile, pointer: '/path' },
    });
  if (list.items.some((i) => String((i as { value?: unknown }).value ?? i) === entry)) return;
  list.add(doc.createNode(entry));
  const tmp = `${frameFile}.${randomBytes(4).toString('hex')}.tmp`;
  await fs.writeFile(tmp, doc.toString());
  await fs.rename(tmp, frameFile);
}
