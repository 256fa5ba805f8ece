import * as vscode from 'vscode';
import type { UiHost } from './ui-host.js';

/** The real VS Code behind the {@link UiHost} interface. */
export function vscodeHost(): UiHost {
  return {
    async pick(items, placeholder) {
      const chosen = await vscode.window.showQuickPick(
        items.map((i) => ({
          label: i.label,
          ...(i.description === undefined ? {} : { description: i.description }),
          value: i.value,
        })),
        { placeHolder: placeholder, ignoreFocusOut: true },
      );
      return chosen?.value;
    },
    async input(prompt, options = {}) {
      return vscode.window.showInputBox({
        prompt,
        ignoreFocusOut: true,
        ...(options.value === undefined ? {} : { value: options.value }),
        ...(options.password === true ? { password: true } : {}),
        ...(options.validate === undefined ? {} : { validateInput: options.validate }),
      });
    },
    async confirm(message, action) {
      return (await vscode.window.showWarningMessage(message, { modal: true }, action)) === action;
    },
    info: (m) => void vscode.window.showInformationMessage(m),
    error: (m) => void vscode.window.showErrorMessage(m),
    progress: async (title, task) =>
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, (p) =>
        task((line) => p.report({ message: line })),
      ),
    async show(_title, content, language) {
      const doc = await vscode.workspace.openTextDocument({
        content,
        ...(language === undefined ? {} : { language }),
      });
      await vscode.window.showTextDocument(doc, { preview: true });
    },
  };
}
