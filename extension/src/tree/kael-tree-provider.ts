import * as vscode from 'vscode';
import type { NamespaceSessions } from '../client/namespace-sessions.js';
import { buildTree } from './tree-model.js';
import type { Grouping, TreeNode } from './tree-model.js';

/** Refreshes are coalesced: membership events can arrive in bursts. */
const REFRESH_DEBOUNCE_MS = 200;

/** The Kael view: namespaces → frames → packages (or → packages → frames), live from membership events. */
export class KaelTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private grouping: Grouping = 'frame';
  private timer: NodeJS.Timeout | undefined;
  private roots: TreeNode[] = [];
  private readonly onSessions = (): void => this.scheduleRefresh();

  constructor(private readonly sessions: NamespaceSessions) {
    sessions.on('changed', this.onSessions);
  }

  setGrouping(grouping: Grouping): void {
    this.grouping = grouping;
    this.refresh();
  }

  refresh(): void {
    this.roots = buildTree(this.sessions.states(), this.grouping);
    this.changed.fire(undefined);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    // Expanded by default: the picture (frames, services, who runs the crontab) should show at a glance.
    // A namespace is always expandable: VS Code remembers the state an id first had, and a namespace
    // starts without frames.
    const expandable = node.children.length > 0 || node.context === 'namespace';
    const item = new vscode.TreeItem(
      node.label,
      expandable ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
    );
    item.id = node.id;
    if (node.description !== undefined) item.description = node.description;
    if (node.tooltip !== undefined) item.tooltip = node.tooltip;
    item.iconPath = new vscode.ThemeIcon(node.icon);
    item.contextValue = node.context;
    return item;
  }

  getChildren(node?: TreeNode): TreeNode[] {
    return node === undefined ? this.roots : node.children;
  }

  dispose(): void {
    this.sessions.off('changed', this.onSessions);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.changed.dispose();
  }

  private scheduleRefresh(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh();
    }, REFRESH_DEBOUNCE_MS);
  }
}
