/** A choice in a quick pick. */
export interface Pick<T> {
  label: string;
  description?: string;
  value: T;
}

/**
 * The part of the VS Code API the command flows use. The extension passes the real API; tests
 * pass a scripted one, so the flows run under node:test against the real runtime and broker.
 */
export interface UiHost {
  pick<T>(items: Pick<T>[], placeholder: string): Promise<T | undefined>;
  input(
    prompt: string,
    options?: { value?: string; password?: boolean; validate?: (text: string) => string | undefined },
  ): Promise<string | undefined>;
  /** A modal yes/no for changing operations. */
  confirm(message: string, action: string): Promise<boolean>;
  info(message: string): void;
  error(message: string): void;
  /** Runs `task` with a progress notification; `report` shows a line. */
  progress<T>(title: string, task: (report: (line: string) => void) => Promise<T>): Promise<T>;
  /** Opens a read-only document with `content` (results, errors, run output). */
  show(title: string, content: string, language?: string): Promise<void>;
}
