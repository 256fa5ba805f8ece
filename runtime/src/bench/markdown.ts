/** One line of the README's performance table. */
export interface MarkdownRow {
  /** What is measured, e.g. `sequential p50, add(1, 2)`. */
  measure: string;
  /** kael's number with its unit. */
  kael: string;
  /** The same-run reference's number with its unit, or empty when there is none. */
  reference: string;
  /** kael ÷ reference (or another ratio the row names), or empty. */
  ratio: string;
  /** The target, or empty. */
  target: string;
}

const HEADER = ['measure', 'kael', 'same-run reference', 'ratio', 'target'] as const;

/** A table cell: pipes and line breaks would break the row, so they are escaped or flattened. */
export function markdownCell(text: string): string {
  return text
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

/**
 * The README's performance table: a header, one line per row, and a closing line naming the machine
 * and the date, so the numbers always say where they come from.
 */
export function markdownTable(rows: readonly MarkdownRow[], machine: string, date: Date): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(markdownCell).join(' | ')} |`;
  return [
    line(HEADER),
    `|${HEADER.map(() => '---').join('|')}|`,
    ...rows.map((r) => line([r.measure, r.kael, r.reference, r.ratio, r.target])),
    '',
    `Measured by \`npm run bench -- --markdown\` on ${markdownCell(machine)}, ${date.toISOString().slice(0, 10)}.`,
  ].join('\n');
}

/** A number with a unit for a table cell, at most `digits` decimals (trailing zeros dropped). */
export function withUnit(value: number, unit: string, digits = 3): string {
  if (!Number.isFinite(value)) return '–';
  const text = String(Math.round(value * 10 ** digits) / 10 ** digits);
  return unit === '' ? text : unit === '×' ? `${text}×` : `${text} ${unit}`;
}
