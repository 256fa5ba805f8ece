import path from 'node:path';
import type { LogLine } from '../host/log.js';
import { localDateTime } from '../tree/format.js';
import { labelOf } from './flow-context.js';
import type { FlowContext } from './flow-context.js';

/** Copy ID: the frame's id (what `--id` / `--not-id` take). */
export async function copyFrameId(ctx: FlowContext): Promise<void> {
  const id = ctx.node?.frameId;
  if (id === undefined) return;
  await ctx.host.copy(id);
  void ctx.host.notify('info', `Kael: copied frame id ${id}`);
}

/** Copy Name: the service's published name. */
export async function copyServiceName(ctx: FlowContext): Promise<void> {
  const name = ctx.node?.service;
  if (name === undefined) return;
  await ctx.host.copy(name);
}

/** Open frame.yaml of a frame on this machine. */
export async function openFrameConfig(ctx: FlowContext): Promise<void> {
  if (ctx.node?.file === undefined || ctx.node.local !== true) return;
  await ctx.host.open(ctx.node.file, 'file');
}

/** Open setting.yaml of a package on this machine. */
export async function openPackageSetting(ctx: FlowContext): Promise<void> {
  if (ctx.node?.file === undefined || ctx.node.local !== true) return;
  await ctx.host.open(path.join(ctx.node.file, 'setting.yaml'), 'file');
}

/** Open Folder: the package folder of a package on this machine, in a new window. */
export async function openPackageFolder(ctx: FlowContext): Promise<void> {
  if (ctx.node?.file === undefined || ctx.node.local !== true) return;
  await ctx.host.open(ctx.node.file, 'folder');
}

/**
 * Show Log of a frame: what this extension logged about it (commands sent to it, their results,
 * when it came and went), and where the frame's own log is.
 */
export async function showFrameLog(ctx: FlowContext, lines: (text: string) => LogLine[]): Promise<void> {
  const id = ctx.node?.frameId;
  if (id === undefined) {
    ctx.host.showLog();
    return;
  }
  const label = labelOf(ctx, ctx.node?.namespace ?? '', id);
  const mine = lines(id);
  await ctx.host.show({
    title: `${label} · Kael log`,
    language: 'log',
    content: [
      `# What this VS Code window logged about frame ${id}`,
      `# The frame's own log is its process output: journalctl -u <unit> under systemd, or the terminal of kael run.`,
      '',
      ...(mine.length === 0
        ? ['(nothing yet)']
        : mine.map((l) => `${localDateTime(new Date(l.timeMs).toISOString())} [${l.level}] ${l.text}`)),
    ].join('\n'),
  });
}
