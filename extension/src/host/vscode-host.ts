import * as vscode from 'vscode';
import type { Log } from './log.js';
import type { ResultDocuments } from './result-documents.js';
import type { InputOptions, Pick, Step, UiHost } from './ui-host.js';

/** The view that shows progress of the flows it started. */
const VIEW_ID = 'kael.frames';

function stepTitle(step: Step | undefined): { title?: string; step?: number; totalSteps?: number } {
  return step === undefined ? {} : { title: step.title, step: step.step, totalSteps: step.total };
}

/** An input box that resolves undefined on Escape (or focus loss), the typed text on Enter. */
async function inputBox(prompt: string, options: InputOptions): Promise<string | undefined> {
  const box = vscode.window.createInputBox();
  Object.assign(box, stepTitle(options.step));
  box.prompt = prompt;
  box.ignoreFocusOut = true;
  box.value = options.value ?? '';
  if (options.placeholder !== undefined) box.placeholder = options.placeholder;
  box.password = options.password === true;
  const validate = (text: string): string | undefined => options.validate?.(text);
  box.validationMessage = validate(box.value);
  return new Promise<string | undefined>((resolve) => {
    let done = false;
    const finish = (v: string | undefined): void => {
      if (done) return;
      done = true;
      resolve(v);
      for (const s of subs) s.dispose();
      box.dispose();
    };
    const subs = [
      box.onDidChangeValue((t) => (box.validationMessage = validate(t))),
      box.onDidAccept(() => {
        const problem = validate(box.value);
        box.validationMessage = problem;
        if (problem === undefined) finish(box.value);
      }),
      box.onDidHide(() => finish(undefined)),
    ];
    box.show();
  });
}

async function quickPick<T>(
  items: Pick<T>[],
  placeholder: string,
  step: Step | undefined,
): Promise<T | undefined> {
  type Item = vscode.QuickPickItem & { value: T };
  const qp = vscode.window.createQuickPick<Item>();
  Object.assign(qp, stepTitle(step));
  qp.placeholder = placeholder;
  qp.ignoreFocusOut = true;
  qp.matchOnDescription = true;
  qp.items = items.map((i) => ({
    label: i.label,
    ...(i.description === undefined ? {} : { description: i.description }),
    ...(i.detail === undefined ? {} : { detail: i.detail }),
    value: i.value,
  }));
  return new Promise<T | undefined>((resolve) => {
    let done = false;
    const finish = (v: T | undefined): void => {
      if (done) return;
      done = true;
      resolve(v);
      for (const s of subs) s.dispose();
      qp.dispose();
    };
    const subs = [
      qp.onDidAccept(() => finish(qp.selectedItems[0]?.value)),
      qp.onDidHide(() => finish(undefined)),
    ];
    qp.show();
  });
}

/** The real VS Code behind the {@link UiHost} interface. */
export function vscodeHost(log: Log, channel: vscode.LogOutputChannel, results: ResultDocuments): UiHost {
  return {
    log,
    pick: quickPick,
    input: async (prompt, options = {}) => inputBox(prompt, options),
    async confirm(message, action, detail) {
      const chosen = await vscode.window.showWarningMessage(
        message,
        { modal: true, ...(detail === undefined ? {} : { detail }) },
        action,
      );
      return chosen === action;
    },
    async notify(level, message, actions = []) {
      const show =
        level === 'error'
          ? vscode.window.showErrorMessage
          : level === 'warn'
            ? vscode.window.showWarningMessage
            : vscode.window.showInformationMessage;
      return show(message, ...actions);
    },
    async progress(title, task) {
      // The view shows that it is busy; the notification names the work and has Cancel.
      return vscode.window.withProgress({ location: { viewId: VIEW_ID } }, () =>
        vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title, cancellable: true },
          async (p, token) => {
            const abort = new AbortController();
            const sub = token.onCancellationRequested(() => abort.abort());
            try {
              return await task((line) => p.report({ message: line }), abort.signal);
            } finally {
              sub.dispose();
            }
          },
        ),
      );
    },
    show: (doc) => results.show(doc),
    async copy(text) {
      await vscode.env.clipboard.writeText(text);
    },
    async open(path, as) {
      const uri = vscode.Uri.file(path);
      if (as === 'folder')
        await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: true });
      else
        await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), {
          preview: false,
        });
    },
    async command(id) {
      await vscode.commands.executeCommand(id);
    },
    showLog: () => channel.show(true),
  };
}
