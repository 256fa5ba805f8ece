import type {
  CrontabEntrySnapshot,
  CrontabSnapshot,
  FrameSnapshot,
  PackageSnapshot,
  RunSummary,
} from '@kael/runtime/model/frame-snapshot';
import { packageState } from '@kael/runtime/model/frame-snapshot';
import type { PackageState } from '@kael/runtime/model/frame-snapshot';
import type { PackageKind } from '@kael/runtime/model/package-kind';
import type { ConnectionProblem } from '../client/connection-problem.js';
import { firstLine, formatDuration, formatMs, localDateTime, localTime, md } from './format.js';
import { frameLabels } from './frame-labels.js';
import { crontabHolders, isStale } from './liveness.js';
import type { LiveFrame } from './liveness.js';

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
  | 'info'
  | 'debug-step-over'
  | 'debug-disconnect'
  | 'circle-outline'
  | 'star-full'
  | 'plug'
  | 'loading~spin'
  | 'versions'
  | 'history'
  | 'edit'
  | 'refresh'
  | 'output';

/** What an icon's colour says; the view maps tones to theme colours. */
export type Tone = 'active' | 'passed' | 'failed' | 'stale' | 'warning';

/** One node of the Kael tree, independent of VS Code (so it can be table-tested). */
export interface TreeNode {
  id: string;
  label: string;
  description?: string;
  /** Markdown: what the label and description do not say. */
  tooltip?: string;
  icon: IconName;
  tone?: Tone;
  /**
   * `contextValue` for menus: the node type, then `;`-separated flags: `namespace`, `frame`,
   * `service-package`, `crontab-package`, `service`, `crontab-entry`, `package-frame`, `problem`,
   * `empty`; flags `local` (files on this machine), `failed`, `stale`, `pinnable`.
   */
  context: string;
  children: TreeNode[];
  /** What commands get when run on this node. */
  data?: NodeData;
  /** A command the row runs when clicked (action rows). */
  command?: string;
}

/** Facts commands need about a node. */
export interface NodeData {
  namespace: string;
  frameId?: string;
  /** The frame's label as the tree shows it. */
  frameLabel?: string;
  packageName?: string;
  kind?: PackageKind;
  version?: string;
  service?: string;
  /** Index of a crontab entry in `publish`. */
  entry?: number;
  /** frame.yaml of the frame, or the package folder (for Open… on local frames). */
  file?: string;
  /** True when the frame runs on this machine (its files can be opened). */
  local?: boolean;
}

/** One namespace as the extension sees it. */
export interface NamespaceState {
  namespace: string;
  connection: 'connecting' | 'connected' | 'reconnecting' | 'error';
  frames: LiveFrame[];
  /** Set while the broker cannot be reached or refuses the credentials. */
  problem?: ConnectionProblem;
  /** The broker URL without its password. */
  brokerUrl?: string;
  /** Epoch ms of the current connection. */
  connectedSinceMs?: number;
  /** Messages waiting in the namespace's dead-letter queue, when the runtime reports it. */
  deadLetters?: number;
}

/** Group the tree by frame (machine first) or by package (versions across machines first). */
export type Grouping = 'frame' | 'package';

/** What the tree needs besides the namespaces. */
export interface TreeOptions {
  /** @default Date.now() */
  now?: number;
  /** Zone of the times shown. @default this machine's */
  timeZone?: string;
  /** This machine's host name: frames on it get Open… actions. @default none */
  localHost?: string;
}

/** What a package's state is, in one place so every row, count and picker reads it the same way. */
export interface PackageHealth {
  state: PackageState;
  /** Why it failed, in one line (`file:line:col: message [code]`). */
  reason?: string;
  /** The full error message, when it says more than `reason`. */
  detail?: string;
  /** The error's code, e.g. `PACKAGE_INVALID`. */
  code?: string;
}

/**
 * A package's health from its snapshot: the frame's `state` and `reason`; a frame that predates
 * them is read from its load `error` (the runtime's {@link packageState}).
 */
export function packageHealth(p: PackageSnapshot): PackageHealth {
  const state = packageState(p);
  if (state === 'ok') return { state };
  const message = p.error?.message;
  const reason = p.reason ?? (message === undefined ? undefined : firstLine(message, 400));
  return {
    state,
    ...(reason === undefined ? {} : { reason }),
    ...(message === undefined || message === reason ? {} : { detail: message }),
    ...(p.error === undefined ? {} : { code: p.error.code }),
  };
}

const RESTARTING =
  '**restarting**: a restart, update, install or rollback of its kind is under way on this frame';

/** Text shown as is in a Markdown tooltip (a fence longer than any backtick run inside). */
function codeBlock(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}

interface Ctx {
  ns: string;
  now: number;
  tz: string | undefined;
  localHost: string | undefined;
  labels: Map<string, string>;
  holders: Map<string, string>;
}

/** Builds the whole tree from live snapshots. Pure. */
export function buildTree(
  states: readonly NamespaceState[],
  grouping: Grouping,
  options: TreeOptions = {},
): TreeNode[] {
  const now = options.now ?? Date.now();
  return states.map((s) => {
    const ctx: Ctx = {
      ns: s.namespace,
      now,
      tz: options.timeZone,
      localHost: options.localHost,
      labels: frameLabels(s.frames.map((f) => f.snapshot)),
      holders: crontabHolders(s.frames, now),
    };
    return namespaceNode(s, grouping, ctx);
  });
}

function namespaceNode(s: NamespaceState, grouping: Grouping, ctx: Ctx): TreeNode {
  const base = { id: `ns:${s.namespace}`, label: s.namespace, data: { namespace: s.namespace } };
  if (s.connection === 'error' || s.connection === 'connecting') {
    const problem = s.problem;
    return {
      ...base,
      description: problem === undefined ? 'connecting…' : `not connected: ${problem.code}`,
      ...(problem === undefined ? {} : { tooltip: `**Not connected**\n\n${md(problem.detail)}` }),
      icon: problem === undefined ? 'loading~spin' : 'plug',
      ...(problem === undefined ? {} : { tone: 'failed' as const }),
      context: problem === undefined ? 'namespace' : 'namespace;failed',
      children:
        problem === undefined
          ? []
          : problem.summary.split(' — ').map((line, i) => ({
              id: `ns:${s.namespace}:problem:${i}`,
              label: line,
              tooltip: md(problem.detail),
              icon: i === 0 ? ('error' as const) : ('info' as const),
              ...(i === 0 ? { tone: 'failed' as const } : {}),
              context: 'problem',
              children: [],
              data: { namespace: s.namespace },
            })),
    };
  }
  const frames = [...s.frames].sort((a, b) =>
    (ctx.labels.get(a.snapshot.id) ?? '').localeCompare(ctx.labels.get(b.snapshot.id) ?? ''),
  );
  const failed = frames.flatMap((f) =>
    f.snapshot.packages.filter((p) => packageHealth(p).state === 'failed'),
  ).length;
  const description = [
    `${frames.length} frame${frames.length === 1 ? '' : 's'}`,
    failed > 0 ? `${failed} package${failed === 1 ? '' : 's'} failed` : undefined,
    s.deadLetters !== undefined && s.deadLetters > 0 ? `${s.deadLetters} dead-lettered` : undefined,
    s.connection === 'reconnecting' ? 'reconnecting…' : undefined,
  ].filter((x) => x !== undefined);
  const deadLettered = s.deadLetters !== undefined && s.deadLetters > 0;
  const tooltip = [
    `**${md(s.namespace)}** — ${description.join(' · ')}`,
    deadLettered
      ? `⚠ ${s.deadLetters} message${s.deadLetters === 1 ? '' : 's'} in the dead-letter queue: calls that crashed their worker again and again were set aside there (\`kael dlq\` lists and drops them)`
      : undefined,
    s.brokerUrl === undefined ? undefined : `broker \`${s.brokerUrl}\``,
    s.connectedSinceMs === undefined
      ? undefined
      : `connected since ${localDateTime(new Date(s.connectedSinceMs).toISOString(), ctx.tz)}`,
  ].filter((x) => x !== undefined);
  const children =
    frames.length === 0
      ? [
          {
            id: `ns:${s.namespace}:empty`,
            label: `no frame runs with --name ${s.namespace}`,
            tooltip: `Start one with \`kael run frame.yaml --name ${md(s.namespace)}\`, or check the namespace name (Kael: Connect…).`,
            icon: 'info' as const,
            context: 'empty',
            children: [],
            data: { namespace: s.namespace },
          },
        ]
      : grouping === 'frame'
        ? frames.map((f) => frameNode(f, ctx))
        : packageNodes(frames, ctx);
  return {
    ...base,
    description: description.join(' · '),
    tooltip: tooltip.join('\n\n'),
    icon: s.connection === 'reconnecting' ? 'debug-disconnect' : 'server',
    ...(s.connection === 'reconnecting' || failed > 0 || deadLettered ? { tone: 'warning' as const } : {}),
    context: `namespace${s.connection === 'reconnecting' ? ';stale' : ''}`,
    children,
  };
}

function isLocal(f: FrameSnapshot, ctx: Ctx): boolean {
  return ctx.localHost !== undefined && f.host === ctx.localHost;
}

function flags(...pairs: [string, boolean][]): string {
  return pairs
    .filter(([, on]) => on)
    .map(([f]) => `;${f}`)
    .join('');
}

/** Packages in a stable order: services, then crontabs, each by name (not the order of the last reload). */
function sortedPackages(f: FrameSnapshot): PackageSnapshot[] {
  const rank = (k: PackageSnapshot['kind']): number => (k === 'service' ? 0 : k === 'crontab' ? 1 : 2);
  return [...f.packages].sort((a, b) => rank(a.kind) - rank(b.kind) || a.name.localeCompare(b.name));
}

function frameNode(live: LiveFrame, ctx: Ctx): TreeNode {
  const f = live.snapshot;
  const label = ctx.labels.get(f.id) ?? f.host;
  const stale = isStale(live, ctx.now);
  const local = isLocal(f, ctx);
  const failed = f.packages.filter((p) => packageHealth(p).state === 'failed');
  const upSeconds = (ctx.now - Date.parse(f.startedAt)) / 1000;
  const silentMs = ctx.now - live.lastSeenMs;
  const description = stale
    ? `no heartbeat since ${localTime(new Date(live.lastSeenMs).toISOString(), ctx.tz)}`
    : [
        label.startsWith(f.host) ? undefined : f.host,
        `pid ${f.pid}`,
        // No uptime here: it would change the row every second (redraws); the tooltip has it.
        failed.length > 0 ? `⚠ ${failed.length} failed` : undefined,
      ]
        .filter((x) => x !== undefined)
        .join(' · ');
  const tooltip = [
    `**${md(label)}** — frame \`${f.id}\``,
    `host \`${f.host}\` · pid ${f.pid} · up ${formatDuration(upSeconds)} (since ${localDateTime(f.startedAt, ctx.tz)})`,
    `heartbeat every ${formatMs(f.heartbeatMs)}; last one ${formatMs(silentMs)} ago${stale ? ' — **missed**: the frame is gone if it stays silent for ' + formatMs(3 * f.heartbeatMs) : ''}`,
    `config \`${f.configFile}\``,
    `packages: ${
      sortedPackages(f)
        .map((p) => `${md(p.name)} ${md(p.version ?? '?')}`)
        .join(', ') || 'none'
    }`,
    ...failed.map((p) => `⚠ **${md(p.name)}** failed: ${md(packageHealth(p).reason ?? '')}`),
  ];
  return {
    id: `frame:${ctx.ns}:${f.id}`,
    label,
    description,
    tooltip: tooltip.join('\n\n'),
    icon: stale ? 'debug-disconnect' : failed.length > 0 ? 'warning' : 'server-process',
    ...(stale ? { tone: 'stale' as const } : failed.length > 0 ? { tone: 'warning' as const } : {}),
    context: `frame${flags(['local', local], ['stale', stale], ['failed', failed.length > 0])}`,
    data: { namespace: ctx.ns, frameId: f.id, frameLabel: label, file: f.configFile, local },
    children: sortedPackages(f).map((p) => packageNode(live, p, label, stale, ctx)),
  };
}

function packageNode(
  live: LiveFrame,
  p: PackageSnapshot,
  frameLabel: string,
  stale: boolean,
  ctx: Ctx,
): TreeNode {
  const f = live.snapshot;
  const id = `pkg:${ctx.ns}:${f.id}:${p.kind}:${p.name}`;
  const local = isLocal(f, ctx);
  const health = packageHealth(p);
  const data: NodeData = {
    namespace: ctx.ns,
    frameId: f.id,
    frameLabel,
    packageName: p.name,
    ...(p.kind === 'unknown' ? {} : { kind: p.kind }),
    ...(p.version === undefined ? {} : { version: p.version }),
    file: p.dir,
    local,
  };
  const context = `${p.kind}-package${flags(['local', local], ['failed', health.state === 'failed'], ['stale', stale])}`;
  const kindWord = p.kind === 'unknown' ? 'package' : `${p.kind} package`;
  if (health.state === 'failed') {
    const reason = health.reason ?? '';
    const tooltip = [
      `**${md(p.name)}** ${md(p.version ?? '')} — ${kindWord} that **failed** (${health.code ?? 'ERROR'})`,
      md(reason),
      health.detail === undefined ? undefined : codeBlock(health.detail),
      `folder \`${p.dir}\``,
    ].filter((x) => x !== undefined);
    return {
      id,
      label: p.name,
      description: `${p.version ?? ''} · failed`.replace(/^ · /, ''),
      tooltip: tooltip.join('\n\n'),
      icon: 'error',
      tone: 'failed',
      context,
      data,
      children: [
        {
          id: `${id}:error`,
          label: firstLine(reason, 120) || (health.code ?? 'failed'),
          tooltip: md(reason),
          icon: 'error',
          tone: 'failed',
          context: 'problem',
          children: [],
          data,
        },
      ],
    };
  }
  if (p.kind === 'crontab') {
    const c = f.crontabs.find((x) => x.name === p.name);
    return crontabNode(live, p, c, data, context, stale, ctx);
  }
  const services = p.services ?? [];
  const restarting = health.state === 'restarting';
  return {
    id,
    label: p.name,
    description: restarting ? `${p.version ?? ''} · restarting`.replace(/^ · /, '') : (p.version ?? ''),
    tooltip: [
      `**${md(p.name)}** ${md(p.version ?? '')} — ${kindWord} on ${md(frameLabel)}`,
      restarting ? RESTARTING : undefined,
      `${services.length} function${services.length === 1 ? '' : 's'} published`,
      `folder \`${p.dir}\``,
    ]
      .filter((x) => x !== undefined)
      .join('\n\n'),
    icon: restarting ? 'loading~spin' : 'package',
    context,
    data,
    children: services.map((s) => ({
      id: `${id}:${s}`,
      label: s,
      tooltip: `**${md(s)}**\n\n*Call…* is load-balanced: any frame serving it answers.\n\n*Call on This Frame…* pins the call to ${md(frameLabel)}.`,
      icon: 'symbol-method',
      context: `service;pinnable${flags(['stale', stale])}`,
      data: { ...data, service: s },
      children: [],
    })),
  };
}

function crontabNode(
  live: LiveFrame,
  p: PackageSnapshot,
  c: CrontabSnapshot | undefined,
  data: NodeData,
  context: string,
  stale: boolean,
  ctx: Ctx,
): TreeNode {
  const f = live.snapshot;
  const holder = ctx.holders.get(p.name);
  const active = holder === f.id;
  const labelOf = (id: string): string => ctx.labels.get(id) ?? id;
  const holderLabel = holder === undefined ? undefined : labelOf(holder);
  // A claim the tree does not trust (stale frame, or an older claim than another frame's).
  const doubtful = c?.active === true && !active;
  const restarting = packageHealth(p).state === 'restarting';
  const problem = c?.problem;
  const state = [
    active ? 'active' : doubtful ? 'active? (not confirmed)' : 'standby',
    restarting ? 'restarting' : undefined,
    problem === undefined ? undefined : `⚠ ${problem.code}`,
  ]
    .filter((x) => x !== undefined)
    .join(' · ');
  const since = live.activeSince[p.name];
  // The holder as this frame's lock log says, and how long that holder has been silent.
  const logHolder =
    c?.activeFrame === undefined
      ? undefined
      : `lock log: held by ${c.activeFrame === f.id ? 'this frame' : md(labelOf(c.activeFrame))}${c.leaseAgeMs === undefined ? '' : `, its last heartbeat ${formatMs(c.leaseAgeMs)} ago`}`;
  const tooltip = [
    `**${md(p.name)}** ${md(p.version ?? '')} — crontab package on ${md(data.frameLabel ?? '')}`,
    active
      ? `**active** here${since === undefined ? '' : ` since ${localDateTime(new Date(since).toISOString(), ctx.tz)}`}: this frame holds the lock and runs the entries`
      : doubtful
        ? stale
          ? 'claims to be active, but the frame missed its heartbeat: not trusted'
          : `claims to be active, but ${md(holderLabel ?? 'another frame')} took the lock later`
        : `standby: ${holderLabel === undefined ? 'no live frame runs it now' : `${md(holderLabel)} runs it`}; takes over if that frame goes`,
    problem === undefined
      ? undefined
      : `⚠ **cannot take part in the election here** (${problem.code}): ${md(problem.message)}`,
    restarting ? RESTARTING : undefined,
    c?.error === undefined ? undefined : `⚠ ${md(c.error.message)}`,
    logHolder,
    c?.lastScheduledAt === undefined
      ? undefined
      : `last tick claimed ${localDateTime(c.lastScheduledAt, ctx.tz)}`,
    c?.nextRun === undefined ? undefined : `next tick ${localDateTime(c.nextRun, ctx.tz)}`,
    c?.lastRun === undefined
      ? undefined
      : `last run on this frame: **${c.lastRun.status}** for the tick of ${localDateTime(c.lastRun.scheduledAt, ctx.tz)}`,
    `folder \`${p.dir}\``,
  ].filter((x) => x !== undefined);
  const { icon, tone } = active
    ? { icon: 'star-full' as const, tone: 'active' as const }
    : problem !== undefined
      ? { icon: 'warning' as const, tone: 'warning' as const }
      : { icon: 'circle-outline' as const, tone: doubtful ? ('stale' as const) : undefined };
  return {
    id: `pkg:${ctx.ns}:${f.id}:crontab:${p.name}`,
    label: p.name,
    description: `${p.version ?? ''} · ${state}`,
    tooltip: tooltip.join('\n\n'),
    icon,
    ...(tone === undefined ? {} : { tone }),
    context,
    data,
    children: (c?.entries ?? []).map((e) => entryNode(e, data, active, ctx)),
  };
}

function entryNode(e: CrontabEntrySnapshot, data: NodeData, active: boolean, ctx: Ctx): TreeNode {
  const run = e.lastRun;
  const description = [
    e.nextRun === undefined || !active ? undefined : `next ${localTime(e.nextRun, ctx.tz)}`,
    run === undefined
      ? undefined
      : `last ${run.status}${run.status === 'ok' || typeof run.exitCode !== 'number' ? '' : ` (exit ${run.exitCode})`}`,
  ]
    .filter((x) => x !== undefined)
    .join(' · ');
  const tooltip = [
    `\`${md(e.schedule)}\` ${md(e.command)} — entry ${e.index}`,
    e.nextRun === undefined
      ? undefined
      : `next run ${localDateTime(e.nextRun, ctx.tz)}${active ? '' : ' (on the active frame)'}`,
    e.lastScheduledAt === undefined
      ? undefined
      : `last tick claimed (by any frame) ${localDateTime(e.lastScheduledAt, ctx.tz)}`,
    run === undefined ? 'no run yet on this frame' : lastRunText(run, ctx),
    run?.outputTail === undefined || run.outputTail.trim() === ''
      ? undefined
      : `output (its end):\n\n${codeBlock(run.outputTail.trimEnd())}`,
  ].filter((x) => x !== undefined);
  const { icon, tone } = runIcon(run);
  return {
    id: `${data.namespace}:${data.frameId ?? ''}:crontab:${data.packageName ?? ''}:${e.index}`,
    label: `${e.schedule}  ${e.command}`,
    description,
    tooltip: tooltip.join('\n\n'),
    icon,
    ...(tone === undefined ? {} : { tone }),
    context: 'crontab-entry',
    data: { ...data, entry: e.index },
    children: [],
  };
}

function lastRunText(run: RunSummary, ctx: Ctx): string {
  return [
    `last run **${run.status}** for the tick of ${localDateTime(run.scheduledAt, ctx.tz)}`,
    run.startedAt === undefined ? undefined : `started ${localDateTime(run.startedAt, ctx.tz)}`,
    run.exitCode === undefined || run.exitCode === null ? undefined : `exit code ${run.exitCode}`,
    run.signal === undefined || run.signal === null ? undefined : `signal ${run.signal}`,
    run.durationMs === undefined ? undefined : `took ${formatMs(run.durationMs)}`,
  ]
    .filter((x) => x !== undefined)
    .join(' · ');
}

function runIcon(run: RunSummary | undefined): { icon: IconName; tone?: Tone } {
  if (run === undefined) return { icon: 'clock' };
  switch (run.status) {
    case 'ok':
      return { icon: 'pass', tone: 'passed' };
    case 'skipped':
      return { icon: 'debug-step-over', tone: 'warning' };
    case 'running':
      return { icon: 'clock', tone: 'active' };
    default:
      return { icon: 'error', tone: 'failed' };
  }
}

/** By package: each package with the frames running it and their versions. */
function packageNodes(frames: readonly LiveFrame[], ctx: Ctx): TreeNode[] {
  const byPackage = new Map<
    string,
    { kind: PackageSnapshot['kind']; name: string; rows: { f: LiveFrame; p: PackageSnapshot }[] }
  >();
  for (const f of frames) {
    for (const p of f.snapshot.packages) {
      const key = `${p.kind}:${p.name}`;
      const entry = byPackage.get(key) ?? { kind: p.kind, name: p.name, rows: [] };
      entry.rows.push({ f, p });
      byPackage.set(key, entry);
    }
  }
  return [...byPackage.values()]
    .sort((a, b) => a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind))
    .map(({ kind, name, rows }) => {
      const versions = [...new Set(rows.map((r) => r.p.version ?? '?'))];
      const failed = rows.filter((r) => packageHealth(r.p).state === 'failed').length;
      return {
        id: `bypkg:${ctx.ns}:${kind}:${name}`,
        label: name,
        description: `${kind} · ${versions.join(', ')}${versions.length > 1 ? ' (mixed)' : ''}${failed > 0 ? ` · ${failed} failed` : ''}`,
        tooltip: `**${md(name)}** — ${kind} package on ${rows.length} frame${rows.length === 1 ? '' : 's'}`,
        icon: failed > 0 ? 'error' : versions.length > 1 ? 'versions' : 'package',
        ...(failed > 0
          ? { tone: 'failed' as const }
          : versions.length > 1
            ? { tone: 'warning' as const }
            : {}),
        context: `${kind}-package${flags(['failed', failed > 0])}`,
        data: { namespace: ctx.ns, packageName: name, ...(kind === 'unknown' ? {} : { kind }) },
        children: rows.map(({ f, p }) => {
          const frameLabel = ctx.labels.get(f.snapshot.id) ?? f.snapshot.host;
          const health = packageHealth(p);
          const stale = isStale(f, ctx.now);
          const cron = kind === 'crontab' ? f.snapshot.crontabs.find((c) => c.name === name) : undefined;
          const active = ctx.holders.get(name) === f.snapshot.id;
          return {
            id: `bypkg:${ctx.ns}:${kind}:${name}:${f.snapshot.id}`,
            label: frameLabel,
            description: [
              p.version ?? '?',
              cron === undefined ? undefined : active ? 'active' : 'standby',
              health.state === 'ok' ? undefined : health.state,
              stale ? 'no heartbeat' : undefined,
            ]
              .filter((x) => x !== undefined)
              .join(' · '),
            tooltip: `frame \`${f.snapshot.id}\` (pid ${f.snapshot.pid})${health.reason === undefined ? '' : `\n\n${md(health.reason)}`}`,
            icon:
              health.state === 'failed'
                ? 'error'
                : stale
                  ? 'debug-disconnect'
                  : active
                    ? 'star-full'
                    : 'server-process',
            ...(health.state === 'failed'
              ? { tone: 'failed' as const }
              : stale
                ? { tone: 'stale' as const }
                : active
                  ? { tone: 'active' as const }
                  : {}),
            context: `package-frame${flags(['local', isLocal(f.snapshot, ctx)], ['failed', health.state === 'failed'])}`,
            data: {
              namespace: ctx.ns,
              frameId: f.snapshot.id,
              frameLabel,
              packageName: name,
              ...(kind === 'unknown' ? {} : { kind }),
              ...(p.version === undefined ? {} : { version: p.version }),
              file: p.dir,
              local: isLocal(f.snapshot, ctx),
            },
            children: [],
          };
        }),
      };
    });
}

/**
 * The rows shown when no namespace can be reached: labelled actions, so the fix is one click away
 * (the reason itself is the view's message, in full). VS Code hides welcome content while a view
 * has a message, so these rows stand in for welcome buttons.
 */
export function problemActions(): TreeNode[] {
  return [
    {
      id: 'action:edit',
      label: 'Edit Connection…',
      description: 'URL, password, namespaces',
      icon: 'edit',
      context: 'action',
      command: 'kael.connect',
      children: [],
    },
    {
      id: 'action:retry',
      label: 'Retry Now',
      description: 'it also retries by itself',
      icon: 'refresh',
      context: 'action',
      command: 'kael.refresh',
      children: [],
    },
    {
      id: 'action:log',
      label: 'Show Log',
      description: 'every attempt with its error code',
      icon: 'output',
      context: 'action',
      command: 'kael.showOutput',
      children: [],
    },
  ];
}

/** What the view shows above the tree when namespaces cannot be reached: every reason in full. */
export function problemMessage(states: readonly NamespaceState[]): string | undefined {
  const failing = states.filter((s) => s.connection === 'error' && s.problem !== undefined);
  if (failing.length === 0) return undefined;
  const reasons = [...new Set(failing.map((s) => s.problem?.summary ?? ''))];
  return `Not connected (${failing.map((s) => s.namespace).join(', ')}): ${reasons.join('; ')}`;
}

/**
 * Everything the rows of a tree show, tooltips aside (those are built on hover): two trees with
 * the same signature look the same, so the view need not redraw.
 */
export function rowsSignature(nodes: readonly TreeNode[]): string {
  return JSON.stringify(nodes, (key, value: unknown) => (key === 'tooltip' ? undefined : value));
}

/** The node with this id, anywhere in the tree. */
export function findNode(nodes: readonly TreeNode[], id: string): TreeNode | undefined {
  for (const n of nodes) {
    if (n.id === id) return n;
    const hit = findNode(n.children, id);
    if (hit !== undefined) return hit;
  }
  return undefined;
}
