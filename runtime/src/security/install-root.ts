import { promises as fs } from 'node:fs';
import path from 'node:path';
import { KaelError } from '../errors.js';

/**
 * Where `_install_pkg` may write: `requested` resolved against `base` (the folder of frame.yaml),
 * which must lie inside `root` once every link on the way is resolved, and not in kael's own
 * `.kael` folder (rollback history).
 * @returns the absolute install path (as requested, links not resolved).
 * @throws KaelError `UNAUTHORIZED` naming the path and the root when it lies outside;
 * `USAGE` when the root does not exist.
 */
export async function resolveInstallPath(root: string, base: string, requested: string): Promise<string> {
  const target = path.resolve(base, requested);
  let realRoot: string;
  try {
    realRoot = await fs.realpath(root);
  } catch (e) {
    throw new KaelError('USAGE', `the install root ${root} does not exist`, { cause: e });
  }
  const rel = path.relative(realRoot, await realPathOfNew(target));
  const outside = rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);
  if (outside || rel.split(path.sep)[0] === '.kael')
    throw new KaelError(
      'UNAUTHORIZED',
      `install path ${requested} resolves to ${target}, which is ${outside ? 'outside' : "inside kael's own .kael folder of"} the install root ${root}`,
      { details: { installPath: requested, installRoot: root } },
    );
  return target;
}

/** The real path `p` would have: the real path of its deepest existing ancestor, then the rest. */
async function realPathOfNew(p: string): Promise<string> {
  const rest: string[] = [];
  let probe = p;
  for (;;) {
    try {
      return path.join(await fs.realpath(probe), ...rest);
    } catch (e) {
      const parent = path.dirname(probe);
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || parent === probe) throw e;
      rest.unshift(path.basename(probe));
      probe = parent;
    }
  }
}
