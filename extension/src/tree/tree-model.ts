import type { FrameSnapshot, PackageSnapshot, RunSummary } from '@kael/runtime/model/frame-snapshot';
import type { PackageKind } from '@kael/runtime/model/package-kind';

/** Icons by name (VS Code codicons); the view maps them to ThemeIcons. */
export type IconName =
  | 'server'
  | 'server-process'
  | 'package'
  | 'symbol-method'
  | 'clock'
  | 'pass'
  | 'error'
  | 'warning'
  | 'debug-step-over'
  | 'circle-outline'
  | 'star-full'
  | 'plug'
  | 'versions';

/** One node of the Kael tree, independent of VS Code (so it can be table-tested). */
export interface TreeNode {
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  icon: IconName;
  /** `contextValue` for menus: namespace, frame, service-package, crontab-package, service, crontab-entry, error. */
  context: string;
  children: TreeNode[];
  /** What commands get when run on this node. */
  data?: NodeData;
}

/** Facts commands need about a node. */
export interface NodeData {
  namespace: string;
  frameId?: string;
  packageName?: string;
  kind?: PackageKind;
  service?: string;
}

/** One namespace as the extension sees it. */
export interface NamespaceState {
  namespace: string;
  frames: FrameSnapshot[];
  /** Set while the broker cannot be reached or refuses the credentials. */
  error?: string;
}

/** Group the tree by frame (machine first) or by package (versions across machines first). */
export type Grouping = 'frame' | 'package';

/** Builds the whole tree from live snapshots. Pure. */
export function buildTree(
  states: readonly NamespaceState[],
  grouping: Grouping,
  now = Date.now(),
): TreeNode[] {
  return states.map((s) => {
    const base = { namespace: s.namespace };
    if (s.error !== undefined) {
      return {
        id: `ns:${s.namespace}`,
        label: s.namespace,
        description: 'not connected',
        tooltip: s.error,
        icon: 'plug',
        context: 'namespace-error',
        data: base,
        children: [
          {
            id: `ns:${s.namespace}:error`,
            label: s.error,
            icon: 'error',
            context: 'error',
            children: [],
            data: base,
          },
        ],
      };
    }
    const children =
      grouping === 'frame'
        ? s.frames.map((f) => frameNode(s.namespace, f, now))
        : packageNodes(s.namespace, s.frames);
    return {
      id: `ns:${s.namespace}`,
      label: s.namespace,
      description: `${s.frames.length} frame${s.frames.length === 1 ? '' : 's'}`,
      icon: 'server',
      context: 'namespace',
      data: base,
      children,
    };
  });
}

function frameNode(ns: string, f: FrameSnapshot, now: number): TreeNode {
  const failed = f.packages.some((p) => p.error !== undefined);
  const up = Math.max(0, Math.round((now - Date.parse(f.startedAt)) / 1000));
  return {
    id: `frame:${ns}:${f.id}`,
    label: f.host,
    description: `pid ${f.pid} · up ${formatDuration(up)}`,
    tooltip: `${f.id}\n${f.configFile}`,
    icon: failed ? 'warning' : 'server-process',
    context: 'frame',
    data: { namespace: ns, frameId: f.id },
    children: f.packages.map((p) => packageNode(ns, f, p)),
  };
}

function packageNode(ns: string, f: FrameSnapshot, p: PackageSnapshot): TreeNode {
  const id = `pkg:${ns}:${f.id}:${p.kind}:${p.name}`;
  const data: NodeData = {
    namespace: ns,
    frameId: f.id,
    packageName: p.name,
    ...(p.kind === 'unknown' ? {} : { kind: p.kind }),
  };
  if (p.error !== undefined) {
    return {
      id,
      label: p.name,
      description: `${p.version ?? ''} failed`.trim(),
      tooltip: p.error.message,
      icon: 'error',
      context: `${p.kind}-package`,
      data,
      children: [
        {
          id: `${id}:error`,
          label: p.error.message.split('\n')[0] ?? p.error.code,
          tooltip: p.error.message,
          icon: 'error',
          context: 'error',
          children: [],
          data,
        },
      ],
    };
  }
  if (p.kind === 'crontab') {
    const c = f.crontabs.find((x) => x.name === p.name);
    return {
      id,
      label: p.name,
      description: `${p.version ?? ''} · ${c?.active === true ? 'active' : 'standby'}`,
      icon: c?.active === true ? 'star-full' : 'circle-outline',
      context: 'crontab-package',
      data,
      children: (c?.entries ?? []).map((e) => ({
        id: `${id}:${e.index}`,
        label: `${e.schedule}  ${e.command}`,
        description: [
          e.nextRun === undefined ? undefined : `next ${e.nextRun.slice(11, 19)}`,
          e.lastRun === undefined ? undefined : `last ${e.lastRun.status}`,
        ]
          .filter((x) => x !== undefined)
          .join(' · '),
        icon: runIcon(e.lastRun),
        context: 'crontab-entry',
        data,
        children: [],
      })),
    };
  }
  return {
    id,
    label: p.name,
    description: p.version ?? '',
    tooltip: p.dir,
    icon: 'package',
    context: 'service-package',
    data,
    children: (p.services ?? []).map((s) => ({
      id: `${id}:${s}`,
      label: s,
      icon: 'symbol-method',
      context: 'service',
      data: { ...data, service: s },
      children: [],
    })),
  };
}

function runIcon(run: RunSummary | undefined): IconName {
  if (run === undefined) return 'clock';
  if (run.status === 'ok') return 'pass';
  if (run.status === 'skipped') return 'debug-step-over';
  return run.status === 'running' ? 'clock' : 'error';
}

/** By package: each package with the frames running it and their versions. */
function packageNodes(ns: string, frames: readonly FrameSnapshot[]): TreeNode[] {
  const byPackage = new Map<
    string,
    { kind: PackageSnapshot['kind']; name: string; rows: { f: FrameSnapshot; p: PackageSnapshot }[] }
  >();
  for (const f of frames) {
    for (const p of f.packages) {
      const key = `${p.kind}:${p.name}`;
      const entry = byPackage.get(key) ?? { kind: p.kind, name: p.name, rows: [] };
      entry.rows.push({ f, p });
      byPackage.set(key, entry);
    }
  }
  return [...byPackage.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(({ kind, name, rows }) => {
      const versions = [...new Set(rows.map((r) => r.p.version ?? '?'))];
      return {
        id: `bypkg:${ns}:${kind}:${name}`,
        label: name,
        description: `${kind} · ${versions.join(', ')}${versions.length > 1 ? ' (mixed)' : ''}`,
        icon: versions.length > 1 ? 'versions' : 'package',
        context: `${kind}-package`,
        data: { namespace: ns, packageName: name, ...(kind === 'unknown' ? {} : { kind }) },
        children: rows.map(({ f, p }) => {
          const cron = kind === 'crontab' ? f.crontabs.find((c) => c.name === name) : undefined;
          return {
            id: `bypkg:${ns}:${kind}:${name}:${f.id}`,
            label: f.host,
            description: `${p.version ?? '?'}${cron === undefined ? '' : cron.active ? ' · active' : ' · standby'}${p.error === undefined ? '' : ' · failed'}`,
            tooltip: `${f.id} (pid ${f.pid})${p.error === undefined ? '' : `\n${p.error.message}`}`,
            icon: p.error !== undefined ? 'error' : 'server-process',
            context: 'frame',
            data: {
              namespace: ns,
              frameId: f.id,
              packageName: name,
              ...(kind === 'unknown' ? {} : { kind }),
            },
            children: [],
          };
        }),
      };
    });
}

function formatDuration(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}
