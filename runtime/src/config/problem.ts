import type { ConfigProblem } from '../model/config-problem.js';

/** `/publish/1` → `publish[1]`; `/args/add` → `args.add`; `''` → `''`. */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(part) ? `[${part}]` : out === '' ? part : `.${part}`;
  }
  return out;
}

/** Builds a JSON pointer from path segments. */
export function toPointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** One line per problem: `file:line:col: path: message [code]` (1-based line and column). */
export function formatProblem(problem: ConfigProblem): string {
  const where =
    problem.range === undefined
      ? problem.file
      : `${problem.file}:${problem.range.start.line + 1}:${problem.range.start.character + 1}`;
  return `${where}: ${problem.message} [${problem.code}]`;
}
