import { packageState } from '@kael/runtime/model/frame-snapshot';
import type { FrameSnapshot } from '@kael/runtime/model/frame-snapshot';
import type { PackageKind } from '@kael/runtime/model/package-kind';
import { sortVersionsDescending } from '@kael/runtime/version/version';
import { ADMIN_KEY } from '../client/connection-store.js';
import type { KaelClient } from '../client/kael-client.js';
import { clientOf, errorOf, labelsOf, pickNamespace } from './flow-context.js';
import type { FlowContext } from './flow-context.js';
import { formatResults, toFrameResults } from './results.js';
import type { FrameResult } from './results.js';

/** Frames to act on: every one (of those concerned), or one by id. */
type Target = { id?: string };

interface PackageChoice {
  name: string;
  kind: PackageKind;
}

/** One changing operation, described once so it can run, be retried on failed frames, and be logged. */
interface ChangeSpec {
  namespace: string;
  /** e.g. `Update calc to 1.2`. */
  title: string;
  /** The command as logged, e.g. `_update_pkg`. */
  command: string;
  run(client: KaelClient, target: Target): Promise<Record<string, unknown>>;
  target: Target;
}

async function pickPackage(
  ctx: FlowContext,
  live: FrameSnapshot[],
  exclude?: (c: PackageChoice) => boolean,
): Promise<PackageChoice | undefined> {
  if (ctx.node?.packageName !== undefined && ctx.node.kind !== undefined)
    return { name: ctx.node.packageName, kind: ctx.node.kind };
  const seen = new Map<string, PackageChoice & { versions: Set<string>; frames: number }>();
  for (const f of live) {
    for (const p of f.packages) {
      if (p.kind === 'unknown') continue;
      const e = seen.get(`${p.kind}:${p.name}`) ?? {
        name: p.name,
        kind: p.kind,
        versions: new Set<string>(),
        frames: 0,
      };
      if (p.version !== undefined) e.versions.add(p.version);
      e.frames++;
      seen.set(`${p.kind}:${p.name}`, e);
    }
  }
  const choices = [...seen.values()].filter((c) => exclude === undefined || !exclude(c));
  if (choices.length === 0) {
    void ctx.host.notify('warn', 'Kael: no package to choose from here.');
    return undefined;
  }
  return ctx.host.pick(
    choices
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((c) => ({
        label: c.name,
        description: `${c.kind} · ${sortVersionsDescending([...c.versions]).join(', ')} · on ${c.frames} frame(s)`,
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
  const holders = (v: string): number =>
    live.filter((f) =>
      f.packages.some(
        (p) => p.kind === pkg.kind && p.name === pkg.name && p.version === v && packageState(p) !== 'failed',
      ),
    ).length;
  const versions = sortVersionsDescending(
    [
      ...new Set(
        live.flatMap((f) =>
          f.packages
            .filter((p) => p.kind === pkg.kind && p.name === pkg.name && packageState(p) !== 'failed')
            .map((p) => p.version ?? ''),
        ),
      ),
    ].filter((v) => v !== ''),
  );
  if (versions.length === 0) {
    void ctx.host.notify('error', `Kael: no live frame holds a working version of ${pkg.name}.`);
    return undefined;
  }
  return ctx.host.pick(
    versions.map((v, i) => ({
      label: v,
      description: `on ${holders(v)} frame(s)${i === 0 ? ' · highest' : ''}`,
      value: v,
    })),
    `Version of ${pkg.name}`,
  );
}

/** The node's frame, or asked from the palette (all frames, or one). */
async function pickTarget(
  ctx: FlowContext,
  live: FrameSnapshot[],
  allLabel: string,
): Promise<Target | undefined> {
  if (ctx.node?.frameId !== undefined) return { id: ctx.node.frameId };
  if (ctx.node !== undefined) return {};
  const labels = labelsOf(live);
  return ctx.host.pick<Target>(
    [
      { label: 'All frames', description: allLabel, value: {} },
      ...live.map((f) => ({
        label: labels.get(f.id) ?? f.id,
        description: `${f.id} · pid ${f.pid}`,
        value: { id: f.id },
      })),
    ],
    'On which frames?',
  );
}

function targetWords(ctx: FlowContext, ns: string, target: Target, all: string): string {
  if (target.id === undefined) return all;
  return labelsOf(ctx.sessions.frames(ns)).get(target.id) ?? target.id;
}

/**
 * Runs a changing command: asks for the admin key only when the frames refuse an unsigned (or
 * wrongly signed) command, logs targets and per-frame results, opens the results when a frame
 * failed, and offers Show Results / Retry Failed Frames / Show Log.
 */
async function runChange(ctx: FlowContext, spec: ChangeSpec): Promise<void> {
  const { host } = ctx;
  const labels = (): Map<string, string> => labelsOf(ctx.sessions.frames(spec.namespace));
  const execute = async (target: Target): Promise<FrameResult[] | undefined> => {
    for (let attempt = 0; ; attempt++) {
      host.log.info('command', {
        command: spec.command,
        title: spec.title,
        namespace: spec.namespace,
        target: target.id ?? 'all',
      });
      let results: FrameResult[];
      try {
        const raw = await host.progress(spec.title, () => spec.run(clientOf(ctx, spec.namespace), target));
        results = toFrameResults(raw);
      } catch (e) {
        const err = errorOf(e);
        if (
          err.code === 'UNAUTHORIZED' &&
          attempt === 0 &&
          (await askAdminKey(ctx, spec.namespace, err.message))
        )
          continue;
        host.log.error('command failed', {
          command: spec.command,
          namespace: spec.namespace,
          code: err.code,
          error: err.message,
        });
        const choice = await host.notify(
          'error',
          `Kael: ${spec.title} failed: [${err.code}] ${err.message}`,
          ['Show Log'],
        );
        if (choice === 'Show Log') host.showLog();
        return undefined;
      }
      for (const r of results)
        host.log[r.ok ? 'info' : 'error']('result', {
          command: spec.command,
          frame: r.frame,
          ok: r.ok,
          from: r.from ?? undefined,
          to: r.to ?? undefined,
          code: r.error?.code,
          error: r.error?.message,
        });
      const refused = results.filter((r) => r.error?.code === 'UNAUTHORIZED');
      if (refused.length > 0 && refused.length === results.filter((r) => !r.ok).length && attempt === 0) {
        if (await askAdminKey(ctx, spec.namespace, refused[0]?.error?.message ?? '')) continue;
      }
      return results;
    }
  };
  let results = await execute(spec.target);
  while (results !== undefined) {
    const names = labels();
    const { text, failed, total } = formatResults(spec.title, results, (id) => names.get(id) ?? id);
    const doc = {
      title: `${spec.title} · ${total - failed} of ${total} frames ok`,
      content: text,
      language: 'plaintext' as const,
    };
    if (total === 0) {
      void host.notify('warn', `Kael: ${spec.title}: no frame was concerned.`);
      return;
    }
    if (failed === 0) {
      const choice = await host.notify(
        'info',
        `Kael: ${spec.title}: done on ${total} frame${total === 1 ? '' : 's'}.`,
        ['Show Results'],
      );
      if (choice === 'Show Results') await host.show(doc);
      return;
    }
    await host.show(doc);
    const first = results.find((r) => !r.ok);
    const choice = await host.notify(
      'error',
      `Kael: ${spec.title}: ${failed} of ${total} frame(s) failed${first?.error === undefined ? '' : ` — ${names.get(first.frame) ?? first.frame}: [${first.error.code}] ${first.error.message.split('\n')[0] ?? ''}`}`,
      ['Show Results', 'Retry Failed Frames', 'Show Log'],
    );
    if (choice === 'Show Results') {
      await host.show(doc);
      return;
    }
    if (choice === 'Show Log') {
      host.showLog();
      return;
    }
    if (choice !== 'Retry Failed Frames') return;
    const retried: FrameResult[] = [];
    for (const r of results.filter((x) => !x.ok)) {
      const again = await execute({ id: r.frame });
      retried.push(...(again ?? [r]));
    }
    results = [...results.filter((r) => r.ok), ...retried];
  }
}

/**
 * Asks for the admin key after the frames refused a command (Escape: nothing stored), stores it
 * in SecretStorage and reconnects the namespace so the client signs with it.
 * @returns true when a key was entered.
 */
async function askAdminKey(ctx: FlowContext, ns: string, why: string): Promise<boolean> {
  const had = (await ctx.secrets.get(ADMIN_KEY)) !== undefined;
  ctx.host.log.warn('frames refused the command; asking for the admin key', {
    namespace: ns,
    code: 'UNAUTHORIZED',
    why,
  });
  const key = await ctx.host.input(
    had
      ? `The frames of ${ns} refused the stored admin key (${why}). Admin key:`
      : `The frames of ${ns} accept changes only signed with their admin key. Admin key:`,
    { password: true, placeholder: 'KAEL_ADMIN_KEY of the frames; kept in VS Code secret storage' },
  );
  if (key === undefined || key === '') return false;
  await ctx.secrets.store(ADMIN_KEY, key);
  await ctx.sessions.reconnect(ns);
  return true;
}

/** Update Package…: package, version (live versions), target, confirm, per-frame results. */
export async function updatePackage(ctx: FlowContext): Promise<void> {
  const ns = await pickNamespace(ctx);
  if (ns === undefined) return;
  const live = ctx.sessions.frames(ns);
  const pkg = await pickPackage(ctx, live);
  const version = pkg === undefined ? undefined : await pickVersion(ctx, live, pkg);
  const target =
    pkg === undefined || version === undefined
      ? undefined
      : await pickTarget(ctx, live, 'every frame holding the package');
  if (pkg === undefined || version === undefined || target === undefined) return;
  const where = targetWords(ctx, ns, target, 'every frame holding it');
  if (
    !(await ctx.host.confirm(
      `Update ${pkg.kind} package ${pkg.name} to ${version} on ${where} in ${ns}?`,
      'Update',
      'Its code is replaced and restarts; calls in flight finish first.',
    ))
  )
    return;
  await runChange(ctx, {
    namespace: ns,
    title: `Update ${pkg.name} to ${version}`,
    command: '_update_pkg',
    target,
    run: (client, t) => client.update(pkg.kind, pkg.name, { version, ...t }),
  });
}

/** Install Package…: package, version, target frame (frames lacking it), install path. */
export async function installPackage(ctx: FlowContext): Promise<void> {
  const ns = await pickNamespace(ctx);
  if (ns === undefined) return;
  const live = ctx.sessions.frames(ns);
  const labels = labelsOf(live);
  // From a frame node: install a package it lacks there. From a package node: that package elsewhere.
  const onFrame =
    ctx.node?.frameId !== undefined && ctx.node.packageName === undefined ? ctx.node.frameId : undefined;
  const has = (f: FrameSnapshot, c: PackageChoice): boolean =>
    f.packages.some((p) => p.kind === c.kind && p.name === c.name);
  const frameOf = (id: string): FrameSnapshot | undefined => live.find((f) => f.id === id);
  const pkg =
    onFrame === undefined
      ? await pickPackage(ctx, live)
      : await pickPackage({ ...ctx, node: undefined }, live, (c) => {
          const f = frameOf(onFrame);
          return f !== undefined && has(f, c);
        });
  if (pkg === undefined) return;
  const version =
    ctx.node?.packageName !== undefined && ctx.node.version !== undefined
      ? ctx.node.version
      : await pickVersion(ctx, live, pkg);
  if (version === undefined) return;
  const lacking = live.filter((f) => !has(f, pkg));
  let target: Target | undefined;
  if (onFrame !== undefined) target = { id: onFrame };
  else if (lacking.length === 0) {
    void ctx.host.notify('info', `Kael: every frame of ${ns} has ${pkg.name} already; use Update.`);
    return;
  } else
    target = await ctx.host.pick<Target>(
      [
        ...(lacking.length > 1
          ? [{ label: 'All frames lacking it', description: `${lacking.length} frames`, value: {} }]
          : []),
        ...lacking.map((f) => ({
          label: labels.get(f.id) ?? f.id,
          description: `${f.id} · pid ${f.pid}`,
          value: { id: f.id },
        })),
      ],
      `Install ${pkg.name} ${version} on`,
    );
  if (target === undefined) return;
  const installPath = await ctx.host.input('Install path (relative to the frame.yaml folder, or absolute)', {
    value: `./${pkg.name}`,
    validate: (t) => (t.trim() === '' ? 'enter a folder path' : undefined),
  });
  if (installPath === undefined) return;
  const where = targetWords(ctx, ns, target, 'every frame lacking it');
  if (
    !(await ctx.host.confirm(
      `Install ${pkg.kind} package ${pkg.name} ${version} at ${installPath} on ${where} in ${ns}?`,
      'Install',
      'frame.yaml is rewritten (comments kept) and the package starts.',
    ))
  )
    return;
  await runChange(ctx, {
    namespace: ns,
    title: `Install ${pkg.name} ${version}`,
    command: '_install_pkg',
    target,
    run: (client, t) => client.install(pkg.kind, pkg.name, installPath.trim(), { version, ...t }),
  });
}

/** What `_get_pkg_version` answers per package (frames before `previous` existed leave it out). */
interface VersionInfo {
  name: string;
  version: string | null;
  previous?: string[];
}

/**
 * Rollback: asks the frames which version each would go back to, names it in the confirmation,
 * and rolls back only frames that keep a previous version.
 */
export async function rollbackPackage(ctx: FlowContext): Promise<void> {
  const ns = await pickNamespace(ctx);
  if (ns === undefined) return;
  const live = ctx.sessions.frames(ns);
  const pkg = await pickPackage(ctx, live);
  const target =
    pkg === undefined ? undefined : await pickTarget(ctx, live, 'every frame holding the package');
  if (pkg === undefined || target === undefined) return;
  const client = clientOf(ctx, ns);
  const labels = labelsOf(live);
  const answers = await client.commandAll(
    '_get_pkg_version',
    { pkg: pkg.name, pkg_type: pkg.kind },
    { ...target, timeoutMs: 5000 },
  );
  const plan: { frame: string; from: string; to: string | undefined }[] = [];
  for (const [frame, r] of Object.entries(answers)) {
    if (!r.ok) continue;
    const info = (r.value as VersionInfo[]).find((v) => v.name === pkg.name);
    if (info === undefined) continue;
    plan.push({
      frame,
      from: info.version ?? '?',
      to: info.previous === undefined ? 'its previous version' : info.previous[0],
    });
  }
  const able = plan.filter((p) => p.to !== undefined);
  if (able.length === 0) {
    void ctx.host.notify(
      'error',
      `Kael: nothing to roll back: no ${target.id === undefined ? 'frame' : 'selected frame'} keeps a previous version of ${pkg.name}.`,
    );
    return;
  }
  const lines = able.map((p) => `${labels.get(p.frame) ?? p.frame}: ${p.from} → ${p.to ?? ''}`);
  const skipped = plan.filter((p) => p.to === undefined).map((p) => labels.get(p.frame) ?? p.frame);
  const targets = [...new Set(able.map((p) => p.to))];
  const headline =
    able.length === 1
      ? `Roll ${pkg.name} back from ${able[0]?.from ?? '?'} to ${able[0]?.to ?? '?'} on ${lines[0]?.split(':')[0] ?? ''} in ${ns}?`
      : `Roll ${pkg.name} back to ${targets.join(' / ')} on ${able.length} frames in ${ns}?`;
  const detail = [
    ...lines,
    ...(skipped.length > 0 ? [`skipped (no previous version kept): ${skipped.join(', ')}`] : []),
  ].join('\n');
  if (!(await ctx.host.confirm(headline, 'Roll Back', detail))) return;
  const ids = able.map((p) => p.frame);
  await runChange(ctx, {
    namespace: ns,
    title: `Roll back ${pkg.name}`,
    command: '_rollback_pkg',
    target: ids.length === 1 ? { id: ids[0] ?? '' } : {},
    run: (c, t) =>
      c.rollback(
        pkg.kind,
        pkg.name,
        t.id !== undefined
          ? { id: t.id }
          : { notId: live.map((f) => f.id).filter((id) => !ids.includes(id)) },
      ),
  });
}

/** Restart Services / Restart Crontabs: the node's frame (or all of its namespace), or asked. */
export async function restart(ctx: FlowContext, kind: PackageKind): Promise<void> {
  const ns = await pickNamespace(ctx);
  if (ns === undefined) return;
  const live = ctx.sessions.frames(ns);
  const target = await pickTarget(ctx, live, `every frame of ${ns}`);
  if (target === undefined) return;
  const where = targetWords(ctx, ns, target, `every frame of ${ns}`);
  const names = [
    ...new Set(
      live
        .filter((f) => target.id === undefined || f.id === target.id)
        .flatMap((f) => f.packages.filter((p) => p.kind === kind).map((p) => p.name)),
    ),
  ].sort();
  if (
    !(await ctx.host.confirm(
      `Restart the ${kind} packages of ${where}?`,
      'Restart',
      `${names.length === 0 ? 'none' : names.join(', ')} reload their code from disk${kind === 'service' ? '; calls in flight finish first' : '; the crontabs re-elect'}.`,
    ))
  )
    return;
  await runChange(ctx, {
    namespace: ns,
    title: `Restart ${kind === 'service' ? 'services' : 'crontabs'}${target.id === undefined ? ` in ${ns}` : ` on ${where}`}`,
    command: kind === 'service' ? '_restart_service' : '_restart_crontab',
    target,
    run: (client, t) => client.restart(kind, t),
  });
}
