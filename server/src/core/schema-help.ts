import nodePath from 'node:path';
import { isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Node } from 'yaml';
import type { FileView } from '@kael/runtime/config/file-view';
import { SCHEMAS } from '@kael/runtime/config/schema-validation';
import type { Position } from '@kael/runtime/model/config-problem';
import type { PublishedNames } from '@kael/runtime/model/module-exports';
import { nameWords } from '@kael/runtime/packages/export-check';
import { readPublishedNames } from '@kael/runtime/packages/published-names';
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

/**
 * Hover with the package's code at hand: on a `publish` item of a service's setting.yaml, the
 * function as its entry module's reader describes it (signature, docstring, where it is defined),
 * for every language the package check reads; elsewhere, and for a name the module lacks, {@link hover}.
 * @param context the file being edited and how to read its package (unsaved buffers included)
 */
export async function hoverWithCode(
  kind: DocumentKind,
  text: string,
  pos: Position,
  context: { file: string; view: FileView },
  now = new Date(),
): Promise<string | undefined> {
  if (kind === 'setting' && /^type:\s*service\b/m.test(text)) {
    const source = parseYamlSource(text);
    const [top, index, more] = pathAt(source.document.contents, offsetAt(text, pos), []) ?? [];
    const name =
      top === 'publish' && typeof index === 'number' && more === undefined
        ? (source.value as { publish?: unknown[] } | undefined)?.publish?.[index]
        : undefined;
    if (typeof name === 'string') {
      const found = await readPublishedNames(nodePath.dirname(context.file), context.view);
      if (found?.names.has(name) === true) return describeName(found, name).markdown;
    }
  }
  return hover(kind, text, pos, now);
}

/**
 * The names an entry module offers for `publish` (completion, quick fixes): every name that may be
 * a function, except `default` and what its reader hides (a Python `_private` name or import).
 */
export function publishableNames(found: PublishedNames): string[] {
  return [...found.names]
    .filter(
      ([name, kind]) => kind !== 'value' && name !== 'default' && found.info?.get(name)?.hidden !== true,
    )
    .map(([name]) => name);
}

/**
 * How completion and hover describe a name of an entry module: its signature when the reader knows
 * it (else where it is exported), and its documentation with where it is defined.
 */
export function describeName(
  found: PublishedNames,
  name: string,
): { detail: string; documentation: string | undefined; markdown: string } {
  const entry = nodePath.basename(found.entry);
  const about = found.info?.get(name);
  const where = about?.line === undefined ? entry : `${entry}, line ${about.line + 1}`;
  const origin = `${nameWords(found.language).by} ${where}`;
  const documentation = about?.doc === undefined ? undefined : about.doc;
  const markdown = [
    `\`\`\`${found.language}\n${about?.signature ?? name}\n\`\`\``,
    ...(documentation === undefined ? [] : [documentation]),
    origin,
  ].join('\n\n');
  return { detail: about?.signature ?? origin, documentation, markdown };
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
