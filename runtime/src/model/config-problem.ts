/** A position in a text file: zero-based line and character (UTF-16 units), as in LSP. */
export interface Position {
  line: number;
  character: number;
}

/** A span in a text file, end exclusive. */
export interface Range {
  start: Position;
  end: Position;
}

/**
 * Stable codes of configuration problems. The language server shows them as diagnostic codes; the
 * runtime puts them in load errors; tests assert them.
 */
export type ProblemCode =
  | 'yaml-syntax'
  | 'file-missing'
  | 'schema'
  | 'key-unknown'
  | 'type-unknown'
  | 'version-invalid'
  | 'schedule-invalid'
  | 'schedule-never'
  | 'command-file-missing'
  | 'export-missing'
  | 'export-not-function'
  | 'entry-missing'
  | 'entry-syntax'
  | 'entry-import'
  | 'entry-unchecked'
  | 'args-unknown'
  | 'path-missing'
  | 'setting-missing'
  | 'duplicate-name';

/** One thing wrong with a configuration file, located by JSON pointer and (when known) text range. */
export interface ConfigProblem {
  /** Absolute path of the file the problem is in. */
  file: string;
  /** JSON pointer of the offending field (`/publish/1`); `''` for the whole document. */
  pointer: string;
  code: ProblemCode;
  /** A sentence a person understands without reading the schema; starts with the field path when there is one. */
  message: string;
  severity: 'error' | 'warning';
  /** Where in the text; absent when the file could not be read. */
  range?: Range;
  /** A fix the editor offers as a quick fix: replace `range` with `newText`. */
  fix?: ProblemFix;
}

/** A one-edit fix of a problem (e.g. the key a misspelt key was meant to be). */
export interface ProblemFix {
  /** What the quick fix says, e.g. `Change to "service_base_name"`. */
  title: string;
  /** The text that replaces the problem's range. */
  newText: string;
}
