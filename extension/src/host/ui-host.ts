import type { Log } from './log.js';

/** A choice in a quick pick. */
export interface Pick<T> {
  label: string;
  description?: string;
  detail?: string;
  value: T;
}

/** Where an input is in a multi-step flow: shown as `title (1/3)`. */
export interface Step {
  title: string;
  step: number;
  total: number;
}

/** Options of {@link UiHost.input}. */
export interface InputOptions {
  value?: string;
  placeholder?: string;
  password?: boolean;
  /** Returns the problem with the text, or undefined when it is fine. */
  validate?: (text: string) => string | undefined;
  step?: Step;
}

/** A read-only document the extension shows (results, errors, crontab runs, logs). */
export interface ResultDocument {
  /** The tab title, e.g. `calculate__add · answered by web1 · 3 ms`. */
  title: string;
  content: string;
  language: 'json' | 'markdown' | 'plaintext' | 'log';
}

/**
 * The part of the VS Code API the command flows use. The extension passes the real API; tests
 * pass a scripted one, so the flows run under node:test (against fake or real clients).
 */
export interface UiHost {
  /** A quick pick; undefined when dismissed (Escape). */
  pick<T>(items: Pick<T>[], placeholder: string, step?: Step): Promise<T | undefined>;
  /** An input box; undefined when dismissed (Escape). */
  input(prompt: string, options?: InputOptions): Promise<string | undefined>;
  /** A modal yes/no for changing operations. */
  confirm(message: string, action: string, detail?: string): Promise<boolean>;
  /** A notification with buttons; resolves with the button pressed (undefined when dismissed). */
  notify(level: 'info' | 'warn' | 'error', message: string, actions?: string[]): Promise<string | undefined>;
  /**
   * Runs `task` with progress in the Kael view and a cancellable notification; `report` shows a
   * line; `signal` aborts when the user cancels.
   */
  progress<T>(
    title: string,
    task: (report: (line: string) => void, signal: AbortSignal) => Promise<T>,
  ): Promise<T>;
  /** Opens a named read-only document. */
  show(doc: ResultDocument): Promise<void>;
  copy(text: string): Promise<void>;
  /** Opens a file in the editor, or a folder in a new window. */
  open(path: string, as: 'file' | 'folder'): Promise<void>;
  /** Runs a VS Code command (e.g. `kael.connect` from a notification button). */
  command(id: string): Promise<void>;
  /** Reveals the Kael output channel. */
  showLog(): void;
  readonly log: Log;
}

/** Stored secrets (VS Code's SecretStorage has this shape). */
export interface Secrets {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}
