import { isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Node } from 'yaml';
import { SCHEMAS } from '@kael/runtime/config/schema-validation';
import type { Position } from '@kael/runtime/model/config-problem';
import { parseYamlSource } from '@kael/runtime/config/yaml-source';
import { describeSchedule } from '@kael/runtime/schedule/schedule-words';
import { isoInZone, nextFire, parseSchedule } from '@kael/runtime/schedule/schedule';
import type { DocumentKind } from './document-kind.js';

/** The parts of a JSON Schema node that completion and hover read. */
export interface SchemaNode {
  description?: string;
  properties?: Record<string, SchemaNode>;
  enum?: unknown[];
  const?: unknown;
  items?: SchemaNode;
  prefixItems?: SchemaNode[];
  additionalProperties?: SchemaNode | boolean;
}

/** The schema a document is checked against (crontab or service by its `type` line). */
export function schemaFor(kind: DocumentKind, text: string): SchemaNode {
  if (kind === 'frame') return SCHEMAS.frame as SchemaNode;
  return (/^type:\s*crontab\b/m.test(text) ? SCHEMAS.crontab : SCHEMAS.service) as SchemaNode;
}

function offsetAt(text: string, pos: Position): number {
  const lines = text.split('\n');
  let offset = 0;
  for (let i = 0; i < pos.line && i < lines.length; i++) offset += (lines[i]?.length ?? 0) + 1;
  return offset + pos.character;
}

/** Hover text: the schema description of the key under the cursor; for a schedule, its meaning and next fire time. */
export function hover(kind: DocumentKind, text: string, pos: Position, now = new Date()): string | undefined {
  const source = parseYamlSource(text);
  const offset = offsetAt(text, pos);
  const path = pathAt(source.document.contents, offset, []);
  if (path === undefined || path.length === 0) return undefined;
  const schema = schemaFor(kind, text);
  const [top, index, field] = path;
  const prop = schema.properties?.[String(top)];
  if (prop === undefined) return undefined;
  if (kind === 'setting' && top === 'publish' && field === 0 && typeof index === 'number') {
    const setting = source.value as { publish?: unknown[][]; timezone?: unknown } | undefined;
    const entry = setting?.publish?.[index];
    const schedule = typeof entry?.[0] === 'string' ? entry[0] : undefined;
    const zone = typeof setting?.timezone === 'string' ? setting.timezone : undefined;
    if (schedule !== undefined) {
      try {
        // The same module and zone as the runtime and `kael schedule`, so all three agree.
        const s = parseSchedule(schedule, zone);
        const next = nextFire(s, now);
        return `${code(schedule)}: ${describeSchedule(s)}; next: ${next === undefined ? 'never' : isoInZone(next, zone)}`;
      } catch (e) {
        return `${code(schedule)}: ${(e as Error).message}`;
      }
    }
  }
  const item =
    typeof index === 'number'
      ? typeof field === 'number'
        ? prop.items?.prefixItems?.[field]
        : prop.items
      : undefined;
  return `**${String(top)}**: ${(item ?? prop).description ?? prop.description ?? ''}`;
}

/** Markdown inline code: a cron expression's `*` must not turn into emphasis. */
function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${fence.length > 1 ? ' ' : ''}${text}${fence.length > 1 ? ' ' : ''}${fence}`;
}

/** The path (keys and indexes) of the innermost node containing `offset`. */
function pathAt(
  node: Node | null | undefined,
  offset: number,
  path: (string | number)[],
): (string | number)[] | undefined {
  if (node === null || node === undefined) return undefined;
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = pair.key as Node | null;
      const value = pair.value as Node | null;
      const k = isScalar(key) ? String(key.value) : '';
      const start = key?.range?.[0] ?? 0;
      const end = value?.range?.[2] ?? key?.range?.[2] ?? start;
      if (offset >= start && offset <= end) return pathAt(value, offset, [...path, k]) ?? [...path, k];
    }
    return undefined;
  }
  if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) {
      const r = (item as Node | null)?.range;
      if (r !== undefined && r !== null && offset >= r[0] && offset <= r[2])
        return pathAt(item as Node, offset, [...path, i]) ?? [...path, i];
    }
    return undefined;
  }
  const r = node.range;
  return r !== undefined && r !== null && offset >= r[0] && offset <= r[2] ? path : undefined;
}
