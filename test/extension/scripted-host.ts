import { MemoryLog } from 'kael-vscode/dist/host/log';
import type {
  InputOptions,
  Pick,
  ResultDocument,
  Secrets,
  Step,
  UiHost,
} from 'kael-vscode/dist/host/ui-host';

/** What the flow asked, in order (tests assert on the whole conversation). */
export type Asked =
  | { kind: 'pick'; placeholder: string; labels: string[]; step?: Step }
  | { kind: 'input'; prompt: string; options: InputOptions }
  | { kind: 'confirm'; message: string; action: string; detail?: string }
  | { kind: 'notify'; level: string; message: string; actions: string[] };

/** An answer: a value, or a function of the question (e.g. pick an item by label). */
export type Answer = unknown; // a value, or (asked: Asked, items?: Pick<unknown>[]) => unknown

/** Picks the item with this label. */
export const byLabel =
  (label: string) =>
  (_asked: Asked, items?: Pick<unknown>[]): unknown =>
    items?.find((i) => i.label === label)?.value;

/** Escape (dismiss). */
export const ESCAPE = undefined;

/**
 * A UiHost answering from a script: each pick, input, confirm and notification with buttons takes
 * the next answer. Notifications without buttons are recorded only.
 */
export class ScriptedHost implements UiHost {
  readonly log = new MemoryLog();
  readonly asked: Asked[] = [];
  readonly shown: ResultDocument[] = [];
  readonly notes: { level: string; message: string; actions: string[] }[] = [];
  readonly copied: string[] = [];
  readonly opened: string[] = [];
  readonly commands: string[] = [];
  logShown = 0;
  /** AbortController of the running progress (tests cancel through it). */
  progressAbort: AbortController | undefined;

  constructor(private readonly answers: Answer[] = []) {}

  async pick<T>(items: Pick<T>[], placeholder: string, step?: Step): Promise<T | undefined> {
    const asked: Asked = {
      kind: 'pick',
      placeholder,
      labels: items.map((i) => i.label),
      ...(step === undefined ? {} : { step }),
    };
    return Promise.resolve(this.next(asked, items as Pick<unknown>[]) as T | undefined);
  }
  async input(prompt: string, options: InputOptions = {}): Promise<string | undefined> {
    const answer = this.next({ kind: 'input', prompt, options }) as string | undefined;
    if (answer !== undefined && options.validate?.(answer) !== undefined)
      throw new Error(
        `the script typed "${answer}", which the input rejects: ${options.validate(answer) ?? ''}`,
      );
    return Promise.resolve(answer);
  }
  async confirm(message: string, action: string, detail?: string): Promise<boolean> {
    return Promise.resolve(
      this.next({ kind: 'confirm', message, action, ...(detail === undefined ? {} : { detail }) }) === true,
    );
  }
  async notify(
    level: 'info' | 'warn' | 'error',
    message: string,
    actions: string[] = [],
  ): Promise<string | undefined> {
    this.notes.push({ level, message, actions });
    if (actions.length === 0) return Promise.resolve(undefined);
    // A notification with buttons takes an answer only when the script has one for it.
    const answer =
      typeof this.answers[0] === 'string' && actions.includes(this.answers[0])
        ? this.answers.shift()
        : undefined;
    this.asked.push({ kind: 'notify', level, message, actions });
    return Promise.resolve(answer as string | undefined);
  }
  async progress<T>(
    _title: string,
    task: (report: (line: string) => void, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    this.progressAbort = new AbortController();
    return task(() => undefined, this.progressAbort.signal);
  }
  async show(doc: ResultDocument): Promise<void> {
    this.shown.push(doc);
    return Promise.resolve();
  }
  async copy(text: string): Promise<void> {
    this.copied.push(text);
    return Promise.resolve();
  }
  async open(path: string, as: 'file' | 'folder'): Promise<void> {
    this.opened.push(`${as}:${path}`);
    return Promise.resolve();
  }
  async command(id: string): Promise<void> {
    this.commands.push(id);
    return Promise.resolve();
  }
  showLog(): void {
    this.logShown++;
  }

  /** Answers left unused (a test asserts there are none). */
  get unused(): number {
    return this.answers.length;
  }

  private next(asked: Asked, items?: Pick<unknown>[]): unknown {
    this.asked.push(asked);
    if (this.answers.length === 0)
      throw new Error(`the flow asked more than the script answers: ${JSON.stringify(asked)}`);
    const answer = this.answers.shift();
    return typeof answer === 'function'
      ? (answer as (a: Asked, i?: Pick<unknown>[]) => unknown)(asked, items)
      : answer;
  }
}

/** Secrets in memory, recording every write. */
export class MemorySecrets implements Secrets {
  readonly writes: string[] = [];
  constructor(readonly values: Map<string, string> = new Map()) {}
  async get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.values.get(key));
  }
  async store(key: string, value: string): Promise<void> {
    this.writes.push(`store ${key}`);
    this.values.set(key, value);
    return Promise.resolve();
  }
  async delete(key: string): Promise<void> {
    this.writes.push(`delete ${key}`);
    this.values.delete(key);
    return Promise.resolve();
  }
}
