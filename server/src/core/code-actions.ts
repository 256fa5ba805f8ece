import path from 'node:path';
import { isScalar, isSeq } from 'yaml';
import type { Node, YAMLSeq } from 'yaml';
import type { FileView } from '@kael/runtime/config/file-view';
import type { ConfigProblem, Range } from '@kael/runtime/model/config-problem';
import { offsetToPosition, parseYamlSource } from '@kael/runtime/config/yaml-source';
import { readPublishedNames } from '@kael/runtime/packages/published-names';
import { publishableNames } from './schema-help.js';

/** A text edit proposed by a code action. */
export interface QuickFix {
  title: string;
  range: Range;
  newText: string;
}

/**
 * Fixes for a service setting.yaml's `publish`: publish each exported function not yet published,
 * and remove names the entry module does not export.
 */
export async function publishFixes(file: string, text: string, view: FileView): Promise<QuickFix[]> {
  const source = parseYamlSource(text);
  const publish = source.document.get('publish', true);
  if (!isSeq(publish) || publish.range === undefined || publish.range === null) return [];
  const names = publish.items.map((i) => (isScalar(i) ? String(i.value as string) : ''));
  const found = await readPublishedNames(path.dirname(file), view);
  if (found === undefined || found.syntaxErrors.length > 0) return [];
  const exported = publishableNames(found);
  const whole: Range = {
    start: offsetToPosition(source, publish.range[0]),
    end: offsetToPosition(source, publish.range[1]),
  };
  const fixes: QuickFix[] = [];
  for (const name of exported.filter((n) => !names.includes(n))) {
    fixes.push({
      title: `Publish "${name}"`,
      range: whole,
      newText: render(publish, [...names, name], text),
    });
  }
  if (!found.dynamic) {
    for (const name of names.filter((n) => !found.names.has(n))) {
      fixes.push({
        title: `Remove "${name}" from publish (not exported)`,
        range: whole,
        newText: render(
          publish,
          names.filter((n) => n !== name),
          text,
        ),
      });
    }
  }
  return fixes;
}

/**
 * The one-edit fixes the problems carry (`did you mean "service_base_name"?`) whose range touches
 * `range` (the cursor or selection the editor asks about).
 */
export function problemFixes(problems: readonly ConfigProblem[], range: Range): QuickFix[] {
  const out: QuickFix[] = [];
  for (const p of problems) {
    if (p.fix === undefined || p.range === undefined || !touches(p.range, range)) continue;
    out.push({ title: p.fix.title, range: p.range, newText: p.fix.newText });
  }
  return out;
}

function touches(a: Range, b: Range): boolean {
  const before = (x: Range['start'], y: Range['start']): boolean =>
    x.line < y.line || (x.line === y.line && x.character < y.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

/** The seq rewritten with `names`, in its own style (flow `[a, b]` or block `- a` lines at its indentation). */
function render(seq: YAMLSeq, names: string[], text: string): string {
  if (seq.flow === true) return `[${names.join(', ')}]`;
  const first = seq.items[0] as Node | undefined;
  const start = first?.range?.[0] ?? seq.range?.[0] ?? 0;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const indent = /^\s*/.exec(text.slice(lineStart, start))?.[0] ?? '';
  const dash = text.slice(lineStart, start).trimStart();
  const prefix = dash.startsWith('-') ? dash : '- ';
  return names.map((n, i) => (i === 0 ? `${prefix}${n}` : `${indent}${prefix}${n}`)).join('\n');
}
