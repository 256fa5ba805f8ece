import path from 'node:path';
import type { FileView } from '@kael/runtime/config/file-view';
import { SETTING_FILE } from '@kael/runtime/model/package-setting';
import type { Position, Range } from '@kael/runtime/model/config-problem';
import { readPublishedNames } from '@kael/runtime/packages/published-names';
import type { DocumentKind } from './document-kind.js';
import { describeName, publishableNames, schemaFor } from './schema-help.js';

/** One completion proposal. */
export interface Suggestion {
  label: string;
  kind: 'key' | 'value' | 'function' | 'folder';
  /** One line beside the label: a key's description, a function's signature or where it is exported. */
  detail: string | undefined;
  /** More about a function (its docstring), Markdown. */
  documentation?: string;
  insertText: string;
  /** The text the proposal replaces (the word typed so far); absent = insert at the cursor. */
  replace?: Range;
}

/** The file being edited and how to read its neighbours (needed for names and folders). */
export interface CompletionContext {
  file: string;
  view: FileView;
}

/** Folders never searched for packages. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.kael', 'dist', 'out']);
/** How deep below frame.yaml's folder package folders are looked for. */
const FOLDER_DEPTH = 3;

/**
 * Completions: top-level keys not yet present and enum values from the schemas; in a service's
 * `publish` list, the functions its entry module exports that are not yet published; in frame.yaml's
 * `path` list, the folders below it that hold a setting.yaml and are not yet listed.
 */
export async function complete(
  kind: DocumentKind,
  text: string,
  pos: Position,
  context?: CompletionContext,
): Promise<Suggestion[]> {
  const lines = text.split('\n');
  const before = (lines[pos.line] ?? '').slice(0, pos.character);
  const item = listItemAt(lines, pos, before);
  if (item !== undefined) {
    if (context === undefined) return [];
    const replace: Range = { start: { line: pos.line, character: item.wordStart }, end: pos };
    if (kind === 'setting' && item.key === 'publish' && /^type:\s*service\b/m.test(text))
      return publishNames(context, item.siblings, replace);
    if (kind === 'frame' && item.key === 'path') return packageFolders(context, item.siblings, replace);
    return [];
  }
  return schemaCompletions(kind, text, before);
}

function schemaCompletions(kind: DocumentKind, text: string, before: string): Suggestion[] {
  const schema = schemaFor(kind, text);
  const keyValue = /^(\w+):\s*(\S*)$/.exec(before);
  if (keyValue !== null) {
    const key = keyValue[1] ?? '';
    const prop = schema.properties?.[key];
    const values =
      key === 'type'
        ? ['service', 'crontab']
        : (prop?.enum ?? (prop?.const === undefined ? [] : [prop.const]));
    return values.map((v) => ({
      label: String(v),
      kind: 'value',
      detail: prop?.description,
      insertText: String(v),
    }));
  }
  if (/^\w*$/.test(before)) {
    const present = new Set([...text.matchAll(/^(\w+):/gm)].map((m) => m[1]));
    return Object.entries(schema.properties ?? {})
      .filter(([k]) => !present.has(k))
      .map(([k, p]) => ({ label: k, kind: 'key', detail: p.description, insertText: `${k}: ` }));
  }
  return [];
}

/** The list a cursor is in: its key, where the typed word starts, and the items already there. */
interface ListItem {
  key: string;
  wordStart: number;
  siblings: string[];
}

/** A block item (`  - wor|`) under `key:`, or a flow item (`key: [a, wor|`). */
function listItemAt(lines: readonly string[], pos: Position, before: string): ListItem | undefined {
  const flow = /^(\w+):\s*\[([^\]]*?)([^\s,[\]]*)$/.exec(before);
  if (flow !== null) {
    return {
      key: flow[1] ?? '',
      wordStart: before.length - (flow[3] ?? '').length,
      siblings: (flow[2] ?? '')
        .split(',')
        .map(unquote)
        .filter((s) => s !== ''),
    };
  }
  const block = /^(\s*)-\s+(\S*)$/.exec(before) ?? /^(\s*)-()$/.exec(before);
  if (block === null) return undefined;
  const indent = (block[1] ?? '').length;
  const siblings: string[] = [];
  for (let i = pos.line - 1; i >= 0; i--) {
    const line = lines[i] ?? '';
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const sibling = /^(\s*)-\s*(.*)$/.exec(line);
    if (sibling !== null && (sibling[1] ?? '').length === indent) {
      siblings.push(unquote(sibling[2] ?? ''));
      continue;
    }
    const key = /^(\s*)(\w+):\s*(#.*)?$/.exec(line);
    if (key !== null && (key[1] ?? '').length <= indent)
      return { key: key[2] ?? '', wordStart: before.length - (block[2] ?? '').length, siblings };
    return undefined;
  }
  return undefined;
}

function unquote(s: string): string {
  return s.trim().replace(/^['"]|['"]$/g, '');
}

async function publishNames(
  context: CompletionContext,
  published: readonly string[],
  replace: Range,
): Promise<Suggestion[]> {
  const found = await readPublishedNames(path.dirname(context.file), context.view);
  if (found === undefined) return [];
  return publishableNames(found)
    .filter((name) => !published.includes(name))
    .map((name) => {
      const about = describeName(found, name);
      return {
        label: name,
        kind: 'function',
        detail: about.detail,
        ...(about.documentation === undefined ? {} : { documentation: about.documentation }),
        insertText: name,
        replace,
      };
    });
}

async function packageFolders(
  context: CompletionContext,
  listed: readonly string[],
  replace: Range,
): Promise<Suggestion[]> {
  const base = path.dirname(context.file);
  const taken = new Set(listed.map((l) => path.resolve(base, l)));
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    for (const e of await context.view.readDirectory(dir)) {
      if (!e.isDirectory || SKIPPED_DIRS.has(e.name) || e.name.startsWith('.')) continue;
      const sub = path.join(dir, e.name);
      if (await context.view.isFile(path.join(sub, SETTING_FILE))) found.push(sub);
      else if (depth < FOLDER_DEPTH) await walk(sub, depth + 1);
    }
  };
  await walk(base, 1);
  return found
    .filter((d) => !taken.has(d))
    .sort()
    .map((d) => {
      const rel = `./${path.relative(base, d).split(path.sep).join('/')}`;
      return {
        label: rel,
        kind: 'folder',
        detail: `package folder (holds ${SETTING_FILE})`,
        insertText: rel,
        replace,
      };
    });
}
