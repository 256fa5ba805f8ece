import { promises as fs } from 'node:fs';
import path from 'node:path';
import { diskFileView } from '@kael/runtime/config/file-view';
import type { FileView } from '@kael/runtime/config/file-view';
import type { ConfigProblem } from '@kael/runtime/model/config-problem';
import type { CheckOptions } from '@kael/runtime/packages/package-check';
import { documentKind, DEFAULT_FRAME_FILE_NAMES } from './document-kind.js';
import { validateFrame } from './validate-frame.js';
import { validateSetting } from './validate-setting.js';

/** Validates one file's text: setting.yaml or frame config; other files have no problems. */
export async function validateDocument(
  file: string,
  text: string,
  view: FileView = diskFileView,
  frameFileNames: readonly string[] = DEFAULT_FRAME_FILE_NAMES,
  options: CheckOptions = {},
): Promise<ConfigProblem[]> {
  const kind = documentKind(file, text, frameFileNames);
  if (kind === 'setting') return validateSetting(file, text, view, options);
  if (kind === 'frame') return validateFrame(file, text, view, options);
  return [];
}

const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', '.kael', 'out']);

/** Every kael YAML file at or below `target` (a file, a package folder, or any folder). */
export async function findKaelFiles(
  target: string,
  frameFileNames: readonly string[] = DEFAULT_FRAME_FILE_NAMES,
): Promise<string[]> {
  const st = await fs.stat(target);
  if (st.isFile()) return [path.resolve(target)];
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && !SKIPPED_DIRS.has(e.name)) await walk(p);
      else if (e.isFile() && (e.name === 'setting.yaml' || frameFileNames.includes(e.name))) out.push(p);
    }
  };
  await walk(path.resolve(target));
  return out.sort();
}

/**
 * Validates every kael file at or below `target` (what `kael validate` runs; `options.loadCode` for
 * `--load`). A frame.yaml also
 * reports the problems in the packages it lists; a problem found twice (through the frame.yaml and
 * through the package's own setting.yaml) is reported once.
 */
export async function validatePath(
  target: string,
  view: FileView = diskFileView,
  options: CheckOptions = {},
): Promise<ConfigProblem[]> {
  const files = await findKaelFiles(target);
  const all = await Promise.all(
    files.map(async (f) =>
      validateDocument(f, (await view.readText(f)) ?? '', view, DEFAULT_FRAME_FILE_NAMES, options),
    ),
  );
  const seen = new Set<string>();
  return all.flat().filter((p) => {
    const key = JSON.stringify([p.file, p.pointer, p.code, p.message, p.range]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
