import * as vscode from 'vscode';
import type { NamespaceState } from '../tree/tree-model.js';
import { statusItems } from './status-model.js';

/** One status bar item per shown namespace; clicking opens the Kael view. */
export class StatusBar implements vscode.Disposable {
  private readonly items = new Map<string, vscode.StatusBarItem>();

  update(states: readonly NamespaceState[]): void {
    const wanted = statusItems(states);
    for (const [ns, item] of this.items) {
      if (!wanted.some((w) => w.namespace === ns)) {
        item.dispose();
        this.items.delete(ns);
      }
    }
    wanted.forEach((w, i) => {
      let item = this.items.get(w.namespace);
      if (item === undefined) {
        item = vscode.window.createStatusBarItem(
          `kael.namespace.${w.namespace}`,
          vscode.StatusBarAlignment.Left,
          10 - i,
        );
        item.name = `Kael: ${w.namespace}`;
        item.command = 'workbench.view.extension.kael';
        this.items.set(w.namespace, item);
      }
      item.text = w.text;
      item.tooltip = w.tooltip;
      item.backgroundColor = w.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
      item.show();
    });
  }

  dispose(): void {
    for (const item of this.items.values()) item.dispose();
    this.items.clear();
  }
}
