import type { ChangeResults } from '@kael/runtime/client/cluster-client';
import type { CommandResponse } from '@kael/runtime/client/command-responses';

/** Per-frame results as lines a person reads: which frame, what changed, and why one failed. */
export function formatResults(
  title: string,
  results: ChangeResults | CommandResponse,
): { text: string; failed: number; total: number } {
  const lines = [title, ''];
  let failed = 0;
  for (const [frame, r] of Object.entries(results)) {
    const rec = r as {
      ok: boolean;
      from?: string | null;
      to?: string | null;
      unchanged?: boolean;
      error?: { code: string; message: string };
    };
    if (!rec.ok) failed++;
    const change =
      rec.from !== undefined || rec.to !== undefined
        ? `  ${rec.from ?? '-'} → ${rec.to ?? '-'}${rec.unchanged === true ? ' (already there)' : ''}`
        : '';
    lines.push(
      `${rec.ok ? '✔' : '✘'} ${frame}${change}${rec.error === undefined ? '' : `\n    [${rec.error.code}] ${rec.error.message}`}`,
    );
  }
  const total = Object.keys(results).length;
  lines.push('', `${total - failed} of ${total} frame(s) succeeded`);
  return { text: lines.join('\n'), failed, total };
}
