import type { FrameSnapshot } from '@kael/runtime/model/frame-snapshot';
import { sortVersionsDescending } from '@kael/runtime/version/version';
import type { NamespaceSessions } from '../client/namespace-sessions.js';
import type { UiHost } from '../host/ui-host.js';
import type { NodeData } from '../tree/tree-model.js';
import { formatResults } from './results.js';
import type { PackageKind } from '@kael/runtime/model/package-kind';

/** What every flow gets: the UI, the live namespaces, and the tree node it was run on (if any). */
export interface FlowContext {
  host: UiHost;
  sessions: NamespaceSessions;
  node?: NodeData | undefined;
}

async function pickNamespace(ctx: FlowContext): Promise<string | undefined> {
  if (ctx.node !== undefined) return ctx.node.namespace;
  const all = ctx.sessions.namespaces();
  if (all.length <= 1) return all[0];
  return ctx.host.pick(
    all.map((ns) => ({ label: ns, value: ns })),
    'Namespace',
  );
}

async function frames(ctx: FlowContext, ns: string): Promise<FrameSnapshot[]> {
  return ctx.sessions.client(ns).servers();
}

/** Call Service…: pick a live service, enter arguments as JSON, see the result or the remote error. */
export async function callService(ctx: FlowContext): Promise<void> {
  const ns = await pickNamespace(ctx);
  if (ns === undefined) return;
  const services = [
    ...new Set((await frames(ctx, ns)).flatMap((f) => f.packages.flatMap((p) => p.services ?? []))),
  ].sort();
  const service =
    ctx.node?.service ??
    (await ctx.host.pick(
      services.map((s) => ({ label: s, value: s })),
      'Service to call',
    ));
  if (service === undefined) return;
  const text = await ctx.host.input(`Arguments of ${service} as a JSON array`, {
    value: '[]',
    validate: (t) => {
      try {
        return Array.isArray(JSON.parse(t)) ? undefined : 'must be a JSON array, e.g. [1, 2]';
      } catch (e) {
        return `not JSON: ${(e as Error).message}`;
      }
    },
  });
  if (text === undefined) return;
  const args = JSON.parse(text) as unknown[];
  try {
    const result = await ctx.sessions.client(ns).call(service, args, { timeoutMs: 30_000 });
    await ctx.host.show(`${service} result`, JSON.stringify(result, null, 2), 'json');
  } catch (e) {
    const err = e as { code?: string; message?: string; remote?: unknown };
    await ctx.host.show(
      `${service} error`,
      JSON.stringify(err.remote ?? { code: err.code, message: err.message }, null, 2),
      'json',
    );
    ctx.host.error(`${service} failed: [${err.code ?? 'ERROR'}] ${err.message ?? ''}`);
  }
}

interface PackageChoice {
  name: string;
  kind: PackageKind;
}

async function pickPackage(ctx: FlowContext, live: FrameSnapshot[]): Promise<PackageChoice | undefined> {
  if (ctx.node?.packageName !== undefined && ctx.node.kind !== undefined)
    return { name: ctx.node.packageName, kind: ctx.node.kind };
  const seen = new Map<string, PackageChoice & { versions: Set<string> }>();
  for (const f of live) {
    for (const p of f.packages) {
      if (p.kind === 'unknown') continue;
      const e = seen.get(`${p.kind}:${p.name}`) ?? {
        name: p.name,
        kind: p.kind,
        versions: new Set<string>(),
      };
      if (p.version !== undefined) e.versions.add(p.version);
      seen.set(`${p.kind}:${p.name}`, e);
    }
  }
  return ctx.host.pick(
    [...seen.values()].map((c) => ({
      label: c.name,
      description: `${c.kind} · ${sortVersionsDescending([...c.versions]).join(', ')}`,
      value: { name: c.name, kind: c.kind },
    })),
    'Package',
  );
}

async function pickVersion(
  ctx: FlowContext,
  live: FrameSnapshot[],
  pkg: PackageChoice,
): Promise<string | undefined> {
  const versions = sortVersionsDescending(
    [
      ...new Set(
        live.flatMap((f) =>
          f.packages.filter((p) => p.kind === pkg.kind && p.name === pkg.name).map((p) => p.version ?? ''),
        ),
      ),
    ].filter((v) => v !== ''),
  );
  return ctx.host.pick(
    versions.map((v, i) => ({
      label: v,
      description: `${live.filter((f) => f.packages.some((p) => p.name === pkg.name && p.version === v)).length} frame(s)${i === 0 ? ' · highest' : ''}`,
      value: v,
    })),
    `Version of ${pkg.name}`,
  );
}

async function pickTarget(
  ctx: FlowContext,
  live: FrameSnapshot[],
  label: string,
): Promise<{ id?: string } | undefined> {
  if (ctx.node?.frameId !== undefined) return { id: ctx.node.frameId };
  return ctx.host.pick<{ id?: string }>(
    [
      { label: 'All frames', description: label, value: {} },
      ...live.map((f) => ({ label: f.host, description: `${f.id} · pid ${f.pid}`, value: { id: f.id } })),
    ],
    'Target',
  );
}

async function runChange(
  ctx: FlowContext,
  title: string,
  confirmText: string,
  action: string,
  run: (report: (line: string) => void) => Promise<Parameters<typeof formatResults>[1]>,
): Promise<void> {
  if (!(await ctx.host.confirm(confirmText, action))) return;
  try {
    const results = await ctx.host.progress(title, run);
    const { text, failed, total } = formatResults(title, results);
    await ctx.host.show(title, text);
    if (failed > 0)
      ctx.host.error(`${title}: ${failed} of ${total} frame(s) failed (see the results document)`);
    else ctx.host.info(`${title}: ${total} frame(s) done`);
  } catch (e) {
    const err = e as { code?: string; message?: string };
    ctx.host.error(`${title} failed: [${err.code ?? 'ERROR'}] ${err.message ?? String(e)}`);
  }
}

/** Update Package…: package, version (live versions), target, confirm, per-frame results. */
export async function updatePackage(ctx: FlowContext): Promise<void> {
  const ns = await pickNamespace(ctx);
  if (ns === undefined) return;
  const live = await frames(ctx, ns);
  const pkg = await pickPackage(ctx, live);
  const version = pkg === undefined ? undefined : await pickVersion(ctx, live, pkg);
  const target =
    pkg === undefined || version === undefined
      ? undefined
      : await pickTarget(ctx, live, 'every frame holding the package');
  if (pkg === undefined || version === undefined || target === undefined) return;
  const client = ctx.sessions.client(ns);
  await runChange(
    ctx,
    `Update ${pkg.name} to ${version}`,
    `Update ${pkg.kind} package ${pkg.name} to ${version} on ${target.id ?? 'every frame holding it'} in ${ns}? Its code restarts.`,
    'Update',
    (report) => {
      report(`fetching ${pkg.name} ${version} and restarting`);
      return client.update(pkg.kind, pkg.name, { version, ...target });
    },
  );
}

/** Install Package…: package, version, target frame (frames lacking it), install path. */
export async function installPackage(ctx: FlowContext): Promise<void> {
  const ns = await pickNamespace(ctx);
  if (ns === undefined) return;
  const live = await frames(ctx, ns);
  const pkg = await pickPackage(ctx, live);
  const version = pkg === undefined ? undefined : await pickVersion(ctx, live, pkg);
  if (pkg === undefined || version === undefined) return;
  const lacking = live.filter((f) => !f.packages.some((p) => p.kind === pkg.kind && p.name === pkg.name));
  const target =
    ctx.node?.frameId !== undefined && ctx.node.packageName === undefined
      ? { id: ctx.node.frameId }
      : await ctx.host.pick<{ id?: string }>(
          [
            { label: 'All frames lacking it', value: {} },
            ...lacking.map((f) => ({ label: f.host, description: f.id, value: { id: f.id } })),
          ],
          'Install on',
        );
  const installPath =
    target === undefined
      ? undefined
      : await ctx.host.input('Install path (relative to each frame.yaml folder, or absolute)', {
          value: `./${pkg.name}`,
        });
  if (target === undefined || installPath === undefined || installPath.trim() === '') return;
  const client = ctx.sessions.client(ns);
  await runChange(
    ctx,
    `Install ${pkg.name} ${version}`,
    `Install ${pkg.kind} package ${pkg.name} ${version} at ${installPath} on ${target.id ?? 'every frame lacking it'} in ${ns}? frame.yaml is rewritten.`,
    'Install',
    () => client.install(pkg.kind, pkg.name, installPath, { version, ...target }),
  );
}

/** Rollback: the previous kept version, on every frame holding the package or the selected one. */
export async function rollbackPackage(ctx: FlowContext): Promise<void> {
  const ns = await pickNamespace(ctx);
  if (ns === undefined) return;
  const live = await frames(ctx, ns);
  const pkg = await pickPackage(ctx, live);
  const target =
    pkg === undefined ? undefined : await pickTarget(ctx, live, 'every frame holding the package');
  if (pkg === undefined || target === undefined) return;
  const client = ctx.sessions.client(ns);
  await runChange(
    ctx,
    `Roll back ${pkg.name}`,
    `Roll ${pkg.kind} package ${pkg.name} back to its previous version on ${target.id ?? 'every frame holding it'} in ${ns}?`,
    'Roll back',
    () => client.rollback(pkg.kind, pkg.name, target),
  );
}

/** Restart Services / Restart Crontabs: all frames, or the selected one. */
export async function restart(ctx: FlowContext, kind: PackageKind): Promise<void> {
  const ns = await pickNamespace(ctx);
  if (ns === undefined) return;
  const target = ctx.node?.frameId !== undefined ? { id: ctx.node.frameId } : {};
  const client = ctx.sessions.client(ns);
  await runChange(
    ctx,
    `Restart ${kind === 'service' ? 'services' : 'crontabs'}`,
    `Restart the ${kind} packages of ${target.id ?? 'every frame'} in ${ns}? They reload their code from disk.`,
    'Restart',
    () => client.restart(kind, target),
  );
}

/** Show Crontab Runs: the last runs of every entry with their output, in a document. */
export async function showCrontabRuns(ctx: FlowContext): Promise<void> {
  const ns = await pickNamespace(ctx);
  if (ns === undefined) return;
  const status = await ctx.sessions
    .client(ns)
    .getAllCrontabStatus(ctx.node?.packageName === undefined ? {} : { crontab: ctx.node.packageName });
  const lines: string[] = [];
  for (const [frame, crontabs] of Object.entries(status)) {
    for (const c of crontabs) {
      lines.push(`# ${c.name} ${c.version} on ${frame}: ${c.active ? 'ACTIVE' : 'standby'} (${c.timezone})`);
      if (c.error !== undefined) lines.push(`  FAILED [${c.error.code}] ${c.error.message}`);
      for (const e of c.entries) {
        lines.push(`## [${e.index}] ${e.schedule}  ${e.command}   next ${e.nextRun ?? '-'}`);
        for (const r of e.runs) {
          lines.push(
            `- ${r.scheduledAt} ${r.status}${r.missed === true ? ' (missed tick, run late)' : ''}${r.exitCode === undefined ? '' : ` exit ${String(r.exitCode)}`}${r.durationMs === undefined ? '' : ` in ${r.durationMs} ms`}`,
          );
          if (r.output !== '')
            lines.push(
              ...r.output
                .trimEnd()
                .split('\n')
                .slice(-20)
                .map((l) => `    ${l}`),
            );
        }
      }
      lines.push('');
    }
  }
  await ctx.host.show(
    `Crontab runs in ${ns}`,
    lines.length === 0 ? 'No crontab in this namespace.' : lines.join('\n'),
    'markdown',
  );
}
