import type { CallOutcome } from '@kael/runtime/client/frame-client';
import type { ErrorData } from '@kael/runtime/errors';
import { formatMs } from '../tree/format.js';

/** One frame's outcome of a command as flows see it. */
export interface FrameResult {
  frame: string;
  ok: boolean;
  from?: string | null;
  to?: string | null;
  unchanged?: boolean;
  value?: unknown;
  error?: { code: string; message: string };
}

/** Per-frame results of a change helper or a raw command response, in one shape. */
export function toFrameResults(results: Record<string, unknown>): FrameResult[] {
  return Object.entries(results).map(([frame, r]) => {
    const rec = r as {
      ok: boolean;
      from?: string | null;
      to?: string | null;
      unchanged?: boolean;
      value?: unknown;
      error?: { code: string; message: string };
    };
    return {
      frame,
      ok: rec.ok,
      ...(rec.from === undefined ? {} : { from: rec.from }),
      ...(rec.to === undefined ? {} : { to: rec.to }),
      ...(rec.unchanged === undefined ? {} : { unchanged: rec.unchanged }),
      ...(rec.value === undefined ? {} : { value: rec.value }),
      ...(rec.error === undefined ? {} : { error: { code: rec.error.code, message: rec.error.message } }),
    };
  });
}

/** Per-frame results as lines a person reads: which frame, what changed, and why one failed. */
export function formatResults(
  title: string,
  results: readonly FrameResult[],
  label: (frameId: string) => string = (id) => id,
): { text: string; failed: number; total: number } {
  const lines = [title, ''];
  let failed = 0;
  const sorted = [...results].sort(
    (a, b) => Number(a.ok) - Number(b.ok) || label(a.frame).localeCompare(label(b.frame)),
  );
  for (const r of sorted) {
    if (!r.ok) failed++;
    const change =
      r.from !== undefined || r.to !== undefined
        ? `  ${r.from ?? '-'} → ${r.to ?? '-'}${r.unchanged === true ? ' (already there)' : ''}`
        : '';
    const name = label(r.frame) === r.frame ? r.frame : `${label(r.frame)} (${r.frame})`;
    lines.push(`${r.ok ? '✔' : '✘'} ${name}${change}`);
    if (r.error !== undefined) {
      lines.push(`    [${r.error.code}] ${r.error.message.split('\n')[0] ?? ''}`);
      for (const more of r.error.message.split('\n').slice(1)) lines.push(`    ${more}`);
    }
  }
  const total = results.length;
  lines.push('', `${total - failed} of ${total} frame(s) succeeded`);
  return { text: lines.join('\n'), failed, total };
}

/** `calculate__add · answered by web1 · 3 ms` (or `· failed on web1 ·` for an error). */
export function callTitle(service: string, outcome: CallOutcome, frameLabel: string | undefined): string {
  const who = frameLabel ?? outcome.frame ?? 'an unnamed peer';
  return `${service} · ${outcome.reply.ok ? 'answered by' : 'failed on'} ${who} · ${formatMs(outcome.durationMs)}`;
}

/**
 * What a call returned as document text: a value as pretty JSON; an error as its code, message and
 * stack on real lines (never one escaped string).
 */
export function callDocument(
  service: string,
  outcome: CallOutcome,
  frameLabel: string | undefined,
): {
  content: string;
  language: 'json' | 'plaintext';
} {
  if (outcome.reply.ok) return { content: prettyJson(outcome.reply.value), language: 'json' };
  return {
    content: errorText(service, outcome.reply.error, frameLabel ?? outcome.frame, outcome),
    language: 'plaintext',
  };
}

/** JSON with two-space indentation; values JSON cannot hold are said in words. */
function prettyJson(value: unknown): string {
  if (value === undefined) return '// no value (undefined)';
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
  } catch (e) {
    return `// cannot show as JSON: ${(e as Error).message}`;
  }
}

function errorText(
  service: string,
  error: ErrorData,
  frame: string | undefined,
  outcome: CallOutcome,
): string {
  const lines = [
    `${service} threw on ${frame ?? 'an unnamed peer'}${outcome.pinned ? ' (pinned call)' : ''} after ${formatMs(outcome.durationMs)}`,
    '',
    `code:    ${error.code}`,
    `error:   ${error.name}: ${error.message}`,
  ];
  if (error.details !== undefined && Object.keys(error.details).length > 0)
    lines.push(`details: ${JSON.stringify(error.details)}`);
  if (error.stack !== undefined && error.stack !== '') {
    lines.push('', 'stack (remote):');
    for (const l of error.stack.split(/\r?\n/)) lines.push(`  ${l}`);
  }
  return lines.join('\n');
}
