import type { YAMLError } from 'yaml';

/** A YAML syntax error placed on the line that is wrong, in plain words. */
export interface PlainSyntaxError {
  /** Plain words first, then the YAML parser's own wording in parentheses. */
  message: string;
  /** Start and end character offsets of the offending text. */
  start: number;
  end: number;
}

/**
 * Explains the parser's syntax errors. The parser often notices a mistake lines later than it was
 * made (an unclosed `[` or quote is reported where the file ends), so each error is moved back to
 * the text that caused it. One mistake often yields several errors: an error on a line that already
 * has one, or starting inside the text of an earlier one, is its echo and is dropped.
 */
export function explainSyntaxErrors(text: string, errors: readonly YAMLError[]): PlainSyntaxError[] {
  const out: PlainSyntaxError[] = [];
  const lines = new Set<number>();
  const covered: [number, number][] = [];
  for (const e of errors) {
    const plain = explainOne(text, e);
    const line = lineOf(text, plain.start);
    if (lines.has(line) || covered.some(([a, b]) => e.pos[0] >= a && e.pos[0] <= b)) continue;
    lines.add(line);
    covered.push([e.pos[0], e.pos[1]], [plain.start, plain.end]);
    out.push(plain);
  }
  return out;
}

function explainOne(text: string, e: YAMLError): PlainSyntaxError {
  const library = e.message.split('\n')[0] ?? e.message;
  const at = (start: number, end: number, words: string): PlainSyntaxError => ({
    message: `${words} (YAML: ${library})`,
    start,
    end: Math.max(end, start + 1),
  });
  const [pos, posEnd] = e.pos;
  const lineStart = text.lastIndexOf('\n', pos - 1) + 1;
  const lineEnd = endOfLine(text, pos);
  const firstWord = lineStart + (/^\s*/.exec(text.slice(lineStart, lineEnd))?.[0].length ?? 0);

  if (e.code === 'TAB_AS_INDENT')
    return at(pos, pos + 1, 'indent with spaces: YAML does not allow tabs here');
  if (e.code === 'DUPLICATE_KEY') {
    const key = /^[^:\s]+/.exec(text.slice(pos))?.[0] ?? 'this key';
    return at(pos, pos + key.length, `"${key}" appears twice in this mapping; keep one of them`);
  }
  if (e.code === 'BAD_ALIAS' || (e.code === 'UNEXPECTED_TOKEN' && library.includes('alias'))) {
    return at(
      pos,
      lineEnd,
      "a value that starts with * must be quoted (YAML reads *name as a reference): write e.g. '* * * * *'",
    );
  }
  if (e.code === 'MISSING_CHAR' && /closing .?quote/.test(library)) {
    const quote = library.includes('"quote') ? '"' : "'";
    const open = openingQuote(text, pos, quote);
    return at(open, endOfLine(text, open), `this quoted text is never closed: add the closing ${quote}`);
  }
  if (e.code === 'BAD_INDENT' && /Flow (sequence|mapping)/.test(library)) {
    const [openChar, closeChar, what] = library.includes('sequence')
      ? ['[', ']', 'list']
      : ['{', '}', 'mapping'];
    const open = unclosedBracket(text, pos, openChar, closeChar);
    return at(
      open,
      endOfLine(text, open),
      `the ${what} opened with ${openChar} is not closed: add ${closeChar} at its end`,
    );
  }
  if (e.code === 'MISSING_CHAR' && library.includes('between flow')) {
    return at(pos, posEnd, 'a comma is missing between two items of this list');
  }
  if (e.code === 'BLOCK_AS_IMPLICIT_KEY' && library.includes('Nested mappings')) {
    // Either `key: value` followed by a more indented `other: …` line, or `key: a: b` on one line.
    const next = nextContentLine(text, lineEnd);
    const indent = (from: number): number => /^ */.exec(text.slice(from))?.[0].length ?? 0;
    if (
      next !== undefined &&
      indent(next) > indent(lineStart) &&
      /^\s*[^\s#][^:#]*:(\s|$)/.test(text.slice(next, endOfLine(text, next)))
    ) {
      const start = next + indent(next);
      return at(
        start,
        endOfLine(text, start),
        'this line is indented under a key that already has a value: align it with the keys above',
      );
    }
    return at(pos, lineEnd, 'a value that contains ": " must be quoted');
  }
  if (e.code === 'BLOCK_AS_IMPLICIT_KEY' || e.code === 'BAD_INDENT') {
    return at(firstWord, lineEnd, 'the indentation of this line does not match the lines above it');
  }
  if (
    text.startsWith('-', firstWord) &&
    (e.code === 'UNEXPECTED_TOKEN' || e.code === 'MULTILINE_IMPLICIT_KEY')
  ) {
    return at(firstWord, lineEnd, 'a list item ("- …") must be indented under the key it belongs to');
  }
  if (e.code === 'MULTILINE_IMPLICIT_KEY' || (e.code === 'MISSING_CHAR' && library.includes('map values'))) {
    return at(firstWord, lineEnd, 'this line is not "key: value": is the ":" (followed by a space) missing?');
  }
  return at(pos, posEnd, 'this is not valid YAML');
}

/** The start of the first non-blank, non-comment line after the line ending at `lineEnd`. */
function nextContentLine(text: string, lineEnd: number): number | undefined {
  for (let start = lineEnd + 1; start > 0 && start < text.length; start = text.indexOf('\n', start) + 1) {
    const line = text.slice(start, endOfLine(text, start)).trim();
    if (line !== '' && !line.startsWith('#')) return start;
  }
  return undefined;
}

function endOfLine(text: string, offset: number): number {
  const end = text.indexOf('\n', offset);
  return end < 0 ? text.length : end;
}

function lineOf(text: string, offset: number): number {
  let line = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** True when a quote at `i` can open a quoted scalar (a quote inside `don't` cannot). */
function startsScalar(text: string, i: number): boolean {
  return i === 0 || /[\s[{,:-]/.test(text[i - 1] ?? '');
}

/** The quote that opens the string still open at `pos`: the last one before it that can open a scalar. */
function openingQuote(text: string, pos: number, quote: string): number {
  for (let i = Math.min(pos, text.length) - 1; i >= 0; i--) {
    if (text[i] === quote && startsScalar(text, i)) return i;
  }
  return pos;
}

/** The innermost `[` (or `{`) before `pos` that no matching bracket closes, outside quotes and comments. */
function unclosedBracket(text: string, pos: number, open: string, close: string): number {
  const stack: number[] = [];
  let quote: string | undefined;
  for (let i = 0; i < Math.min(pos, text.length); i++) {
    const c = text[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      continue;
    }
    if ((c === '"' || c === "'") && startsScalar(text, i)) quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) i = endOfLine(text, i);
    else if (c === open) stack.push(i);
    else if (c === close) stack.pop();
  }
  return stack[stack.length - 1] ?? pos;
}
