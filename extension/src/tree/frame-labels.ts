import type { FrameSnapshot } from '@kael/runtime/model/frame-snapshot';

/** The frame.yaml folder's name (`/srv/blue/frame.yaml` → `blue`). */
function folderOf(configFile: string): string {
  const parts = configFile.split(/[\\/]/).filter((p) => p !== '');
  return parts.length >= 2 ? (parts[parts.length - 2] ?? '') : configFile;
}

/**
 * A label per frame that is unique in the namespace and stable while the frames run: the frame's
 * own label (`--label` / frame.yaml), else its host; where those collide, the frame.yaml folder is
 * added (`vm · blue`), then the pid, then the frame id. Pure.
 */
export function frameLabels(frames: readonly FrameSnapshot[]): Map<string, string> {
  const candidates = (f: FrameSnapshot): string[] => {
    const base = f.label ?? f.host;
    const withFolder = f.label === undefined ? `${base} · ${folderOf(f.configFile)}` : `${base} (${f.host})`;
    return [base, withFolder, `${withFolder} · pid ${f.pid}`, `${base} · ${f.id}`];
  };
  const level = new Map(frames.map((f) => [f.id, 0]));
  // Escalate each group of equal labels one step at a time: a collision never renames frames
  // whose label was unique already.
  for (let round = 0; round < 4; round++) {
    const groups = new Map<string, FrameSnapshot[]>();
    for (const f of frames) {
      const label = candidates(f)[level.get(f.id) ?? 0] ?? f.id;
      groups.set(label, [...(groups.get(label) ?? []), f]);
    }
    let collided = false;
    for (const group of groups.values()) {
      if (group.length < 2) continue;
      collided = true;
      for (const f of group) level.set(f.id, Math.min(3, (level.get(f.id) ?? 0) + 1));
    }
    if (!collided) break;
  }
  return new Map(frames.map((f) => [f.id, candidates(f)[level.get(f.id) ?? 0] ?? f.id]));
}
