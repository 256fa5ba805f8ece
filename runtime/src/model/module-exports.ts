/**
 * What an exported name is at run time, as far as reading the source tells: `function` when
 * `typeof` would give "function" (functions, classes), `value` for anything else, `unknown` when
 * only running the code would tell.
 */
export type ExportKind = 'function' | 'value' | 'unknown';

/** A syntax error of an entry file: zero-based line and character, as in LSP. */
export interface EntrySyntaxError {
  message: string;
  line: number;
  character: number;
}

/** The exports of one module, read from its text without running it. */
export interface ModuleExports {
  /** Exported (JS/TS) or top-level (Python) names and what they are. */
  names: Map<string, ExportKind>;
  /** True when some exports cannot be known statically (`export *`, `module.exports = make()`…). */
  dynamic: boolean;
  /** Syntax errors: the module cannot be loaded at all. */
  syntaxErrors: EntrySyntaxError[];
}

/**
 * Reads the exports of one language's entry files statically. The package check, completion and
 * quick fixes all go through {@link PublishedNames}, so a language is added by adding a reader.
 */
export interface ExportReader {
  /** `javascript`, `typescript`, `python`… */
  language: string;
  /** File extensions with the dot (`.js`), matched against the entry file's name. */
  extensions: readonly string[];
  read(entry: string, text: string): ModuleExports | Promise<ModuleExports>;
}

/** What a package folder's entry module publishes: its file, language and exports. */
export interface PublishedNames extends ModuleExports {
  /** Absolute entry file. */
  entry: string;
  /** The reader's language, or `unknown` when no reader reads the entry (then `dynamic` is true). */
  language: string;
}
