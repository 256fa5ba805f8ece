import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node, Pair } from 'yaml';
import type { Position, Range } from '../model/config-problem.js';
import { explainSyntaxErrors } from './yaml-errors.js';

/** A YAML file parsed with its positions kept, so problems can point at the exact key or value. */
export interface YamlSource {
  readonly text: string;
  readonly document: Document.Parsed;
  /** The plain JS value (undefined when the document is empty). */
  readonly value: unknown;
  /** Syntax errors in plain words, placed on the wrong text; when non-empty, `value` must not be trusted. */
  readonly syntaxErrors: readonly { message: string; range: Range }[];
  readonly lineCounter: LineCounter;
}

/** Parses YAML text, collecting syntax errors instead of throwing. */
export function parseYamlSource(text: string): YamlSource {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const toPos = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line - 1, character: p.col - 1 };
  };
  const syntaxErrors = explainSyntaxErrors(text, document.errors).map((e) => ({
    message: e.message,
    range: { start: toPos(e.start), end: toPos(e.end) },
  }));
  const value: unknown = syntaxErrors.length > 0 ? undefined : document.toJS({ maxAliasCount: 100 });
  return { text, document, value, syntaxErrors, lineCounter };
}

/** Converts a character offset of the source to a position. */
export function offsetToPosition(source: YamlSource, offset: number): Position {
  const p = source.lineCounter.linePos(offset);
  return { line: p.line - 1, character: p.col - 1 };
}

/** Finds the node at a JSON pointer and, for map members, the pair holding it. */
export function nodeAt(
  source: YamlSource,
  pointer: string,
): { node: Node | undefined; pair: Pair | undefined } {
  let node: unknown = source.document.contents;
  let pair: Pair | undefined;
  if (pointer === '') return { node: node as Node | undefined, pair };
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (isMap(node)) {
      pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      if (pair === undefined) return { node: undefined, pair: undefined };
      node = pair.value;
    } else if (isSeq(node)) {
      pair = undefined;
      node = node.items[Number(key)];
      if (node === undefined) return { node: undefined, pair: undefined };
    } else {
      return { node: undefined, pair: undefined };
    }
  }
  return { node: (node ?? undefined) as Node | undefined, pair };
}

/**
 * The text range of the value at `pointer` (`part: 'key'` for the key of a map member). Falls back to
 * the nearest existing parent, and finally to the first line, so every problem has a range.
 */
export function rangeAt(source: YamlSource, pointer: string, part: 'key' | 'value' = 'value'): Range {
  const segments = pointer === '' ? [] : pointer.split('/').slice(1);
  for (let n = segments.length; n >= 0; n--) {
    const p = n === 0 ? '' : '/' + segments.slice(0, n).join('/');
    const { node, pair } = nodeAt(source, p);
    const target =
      part === 'key' && n === segments.length && pair !== undefined ? (pair.key as Node | null) : node;
    const range = target?.range ?? (pair?.key as Node | null | undefined)?.range;
    if (range !== undefined && range !== null) {
      return {
        start: offsetToPosition(source, range[0]),
        end: offsetToPosition(source, Math.max(range[1], range[0] + 1)),
      };
    }
  }
  const firstLine = source.text.split('\n', 1)[0] ?? '';
  return { start: { line: 0, character: 0 }, end: { line: 0, character: firstLine.length } };
}

/**
 * The scalar at `pointer` as written in the file: a plain `1.10` stays `"1.10"` (parsing it as YAML
 * would give the float 1.1); a quoted string gives its value.
 */
export function scalarText(source: YamlSource, pointer: string): string | undefined {
  const { node } = nodeAt(source, pointer);
  if (!isScalar(node)) return undefined;
  if (node.type === 'PLAIN' && node.range !== undefined && node.range !== null) {
    return source.text.slice(node.range[0], node.range[1]).trim();
  }
  const v: unknown = node.value;
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}
