import type { CrontabStatus, RunRecord } from '@kael/runtime/model/crontab-status';
import { firstLine, formatMs, localDateTime } from '../tree/format.js';
import { clientOf, errorOf, labelsOf, pickNamespace } from './flow-context.js';
import type { FlowContext } from './flow-context.js';

const FAILED = new Set(['failed', 'timeout', 'missed']);

interface Row {
  frame: string;
  run: RunRecord;
}

/** Failures first, then newest first: what went wrong is what the reader came for. */
function byFailuresFirst(a: Row, b: Row): number {
  const fa = FAILED.has(a.run.status) ? 0 : 1;
  const fb = FAILED.has(b.run.status) ? 0 : 1;
  return fa - fb || b.run.scheduledAt.localeCompare(a.run.scheduledAt);
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * The runs of one crontab (or one entry of it) across every frame, as Markdown: per entry a table
 * with failures first, then the output of each failed run. Pure.
 */
export function formatCrontabRuns(
  ns: string,
  status: Record<string, CrontabStatus[]>,
  crontab: string | undefined,
  entry: number | undefined,
  label: (frameId: string) => string,
  timeZone?: string,
): string {
  const out: string[] = [];
  const names = [...new Set(Object.values(status).flatMap((list) => list.map((c) => c.name)))]
    .filter((n) => crontab === undefined || n === crontab)
    .sort();
  if (names.length === 0)
    return `# Crontab runs in ${ns}\n\nNo crontab${crontab === undefined ? '' : ` named ${crontab}`} runs in this namespace.`;
  for (const name of names) {
    const copies = Object.entries(status).flatMap(([frame, list]) =>
      list.filter((c) => c.name === name).map((c) => ({ frame, c })),
    );
    const active = copies.filter((x) => x.c.active).map((x) => label(x.frame));
    const any = copies[0]?.c;
    out.push(
      `# ${name} ${any?.version ?? ''}`,
      '',
      `${active.length === 0 ? 'no frame runs it now' : `active on ${active.join(', ')}`} · standby on ${
        copies
          .filter((x) => !x.c.active)
          .map((x) => label(x.frame))
          .join(', ') || 'none'
      } · zone ${any?.timezone ?? '?'}`,
      '',
    );
    for (const x of copies)
      if (x.c.error !== undefined)
        out.push(`> ⚠ on ${label(x.frame)}: [${x.c.error.code}] ${x.c.error.message}`, '');
    const entries = (any?.entries ?? []).filter((e) => entry === undefined || e.index === entry);
    for (const e of entries) {
      const rows: Row[] = copies.flatMap((x) =>
        (x.c.entries.find((y) => y.index === e.index)?.runs ?? []).map((run) => ({ frame: x.frame, run })),
      );
      rows.sort(byFailuresFirst);
      const failed = rows.filter((r) => FAILED.has(r.run.status));
      const next =
        copies.find((x) => x.c.active)?.c.entries.find((y) => y.index === e.index)?.nextRun ?? e.nextRun;
      out.push(
        `## entry ${e.index}: \`${e.schedule}\` ${e.command}`,
        '',
        `${rows.length} run(s) kept, ${failed.length} failed${next === undefined ? '' : ` · next run ${localDateTime(next, timeZone)}`}`,
        '',
      );
      if (rows.length === 0) {
        out.push('No run yet.', '');
        continue;
      }
      out.push('| tick | status | exit | took | frame | first output line |', '|---|---|---|---|---|---|');
      for (const { frame, run } of rows) {
        out.push(
          `| ${localDateTime(run.scheduledAt, timeZone)} | ${run.status}${run.missed === true ? ' (late: missed tick)' : ''} | ${run.exitCode ?? run.signal ?? ''} | ${run.durationMs === undefined ? '' : formatMs(run.durationMs)} | ${cell(label(frame))} | ${cell(firstLine(run.output, 60))} |`,
        );
      }
      out.push('');
      for (const { frame, run } of failed) {
        out.push(
          `### ${run.status}: tick ${localDateTime(run.scheduledAt, timeZone)} on ${label(frame)}`,
          '',
        );
        out.push('```', run.output.trimEnd().split('\n').slice(-40).join('\n') || '(no output)', '```', '');
      }
    }
  }
  return out.join('\n');
}

/** Show Runs: of the node's crontab entry, or the node's crontab, or a picked one. */
export async function showCrontabRuns(ctx: FlowContext): Promise<void> {
  const ns = await pickNamespace(ctx);
  if (ns === undefined) return;
  let crontab = ctx.node?.kind === 'crontab' ? ctx.node.packageName : undefined;
  const frames = ctx.sessions.frames(ns);
  if (crontab === undefined) {
    const names = [...new Set(frames.flatMap((f) => f.crontabs.map((c) => c.name)))].sort();
    if (names.length === 0) {
      void ctx.host.notify('info', `Kael: no crontab runs in ${ns}.`);
      return;
    }
    crontab =
      names.length === 1
        ? names[0]
        : await ctx.host.pick(
            names.map((n) => ({ label: n, value: n })),
            'Crontab',
          );
    if (crontab === undefined) return;
  }
  const name = crontab;
  try {
    const status = await ctx.host.progress(`Fetching the runs of ${name}`, () =>
      clientOf(ctx, ns).getAllCrontabStatus({ crontab: name, timeoutMs: 5000 }),
    );
    const labels = labelsOf(frames);
    const entry = ctx.node?.entry;
    await ctx.host.show({
      title: `${name}${entry === undefined ? '' : ` entry ${entry}`} · runs in ${ns}`,
      content: formatCrontabRuns(ns, status, name, entry, (id) => labels.get(id) ?? id),
      language: 'markdown',
    });
  } catch (e) {
    const err = errorOf(e);
    ctx.host.log.error('crontab status failed', {
      namespace: ns,
      crontab: name,
      code: err.code,
      error: err.message,
    });
    void ctx.host.notify('error', `Kael: cannot fetch the runs of ${name}: [${err.code}] ${err.message}`);
  }
}
