/**
 * What an exported name is at run time, as far as reading the source tells: `function` when
 * `typeof` would give "function" (functions, classes), `value` for anything else, `unknown` when
 * only running the code would tell. A language may count as `value` what it cannot publish although
 * it is callable (a Python class or generator function); {@link NameInfo.notFunction} says why.
 */
export type ExportKind = 'function' | 'value' | 'unknown';

/**
 * A syntax error of an entry file: zero-based line and character, as in LSP. `file` is set when the
 * error is in another file the entry loads (a Python submodule), absolute.
 */
export interface EntrySyntaxError {
  message: string;
  line: number;
  character: number;
  file?: string;
}

/**
 * An import the entry module makes when it is loaded that cannot succeed (a module that is not
 * installed, a relative module that is not in the package): loading the module would fail.
 * `message` is the language's own words (`ModuleNotFoundError: No module named 'numpy'`); `line` is
 * zero-based; `file` as in {@link EntrySyntaxError}.
 */
export interface EntryImportError {
  message: string;
  line: number;
  file?: string;
}

/** What a reader knows about one name beyond its kind: for messages, completion and hover. */
export interface NameInfo {
  /** Zero-based line of the definition in the entry file. */
  line?: number;
  /** The function's signature in its language (`def add(a, b) -> int`). */
  signature?: string;
  /** Its documentation (a Python docstring), plain text. */
  doc?: string;
  /**
   * Why a name of kind `value` cannot be published, when there is more to say than "not a function"
   * (`is a class, not a function`).
   */
  notFunction?: string;
  /** Not offered for `publish` (a private `_name`, a name imported from elsewhere); still checked. */
  hidden?: boolean;
}

/** The exports of one module, read from its text without running it. */
export interface ModuleExports {
  /** Exported (JS/TS) or top-level (Python) names and what they are. */
  names: Map<string, ExportKind>;
  /** True when some exports cannot be known statically (`export *`, `module.exports = make()`…). */
  dynamic: boolean;
  /** Syntax errors: the module cannot be loaded at all. */
  syntaxErrors: EntrySyntaxError[];
  /** Imports that cannot succeed: the module cannot be loaded (absent: none known). */
  importErrors?: EntryImportError[];
  /** More about some names (absent for names the reader says nothing more about). */
  info?: Map<string, NameInfo>;
  /**
   * Why the reader could not read the module at all (no interpreter to read it with): then `names`
   * is empty and `dynamic` true, and the package check warns that the names were not checked.
   */
  unread?: string;
}

/** The files beside an entry module, as a reader may look at them (the editor's unsaved ones included). */
export interface SiblingFiles {
  isFile(p: string): Promise<boolean>;
  isDirectory(p: string): Promise<boolean>;
}

/**
 * Reads the exports of one language's entry files statically. The package check, completion, hover
 * and quick fixes all go through {@link PublishedNames}, so a language is added by adding a reader.
 */
export interface ExportReader {
  /** `javascript`, `typescript`, `python`… */
  language: string;
  /** File extensions with the dot (`.js`), matched against the entry file's name. */
  extensions: readonly string[];
  /**
   * True when the reader keeps its own readings (it runs a process and knows when a reading goes
   * stale, e.g. once a missing module may have been installed); else the last reading of each
   * unchanged entry text is reused.
   * @default false
   */
  cachesItself?: boolean;
  read(entry: string, text: string, files: SiblingFiles): ModuleExports | Promise<ModuleExports>;
}

/** What a package folder's entry module publishes: its file, language and exports. */
export interface PublishedNames extends ModuleExports {
  /** Absolute entry file. */
  entry: string;
  /** The reader's language, or `unknown` when no reader reads the entry (then `dynamic` is true). */
  language: string;
}
